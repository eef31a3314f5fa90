"""Nearest first within the radius, straight off a GiST index."""
from __future__ import annotations

from afrobiz.search.sql.filters import CATEGORY, Plan
from afrobiz.search.sql.geo import CENTER, CHORD, POINT
from afrobiz.search.sql.page import item_json

def nearest_sql(plan: Plan, *, after: bool) -> str:
    """Nearest first within the radius, straight off a GiST index (stops after a page). With
    a category, one walk per category id of the (category, point) and (subcategory, point)
    indexes, so only that category's points are visited."""
    def bounds(reach: str) -> list[str]:
        out = ["b.latitude IS NOT NULL", f"{POINT} <@ cube_enlarge({CENTER}, {reach}, 3)", f"{CHORD} <= {reach}"]
        if after:
            out.append(f"(-{CHORD} < :ck OR (-{CHORD} = :ck AND b.id > CAST(:cid AS uuid)))")
        return out

    # Pure KNN order (a second sort key would make PostgreSQL sort the whole box); the margin
    # of 50 lets rows at the very same spot be put in id order across pages.
    first = ""
    if CATEGORY in plan.where:
        others = [w for w in plan.where if w != CATEGORY]

        def walk(col: str, reach: str) -> str:
            # Only the ids that have listings in that column are walked (the sub-select with
            # LIMIT stays a per-id probe of the btree): a walk for an id the column never
            # holds (a subcategory's id among the categories) found nothing only after
            # visiting every point of the radius, 2 ms each at a million listings.
            return f"""SELECT x.id, x.chord FROM unnest(CAST(:cats AS uuid[])) cat(id) CROSS JOIN LATERAL (
            SELECT b.id, {CHORD} AS chord FROM search_entries b WHERE b.{col} = cat.id AND {" AND ".join(bounds(reach) + others)}
             ORDER BY {POINT} <-> {CENTER} LIMIT :lim + 50) x
           WHERE (SELECT true FROM search_entries e WHERE e.{col} = cat.id LIMIT 1)"""
        # The subcategory walks only need to reach as far as the page's last row by category:
        # nearer than that the page has its rows already (ties included). Each then stops
        # in a small box instead of walking until it has a page of its own (1 ms each at a
        # million listings, one per subcategory).
        first = f"""WITH by_category AS MATERIALIZED ({walk("category_id", "CAST(:max_chord AS float8)")}),
reach AS (SELECT coalesce((SELECT chord FROM by_category ORDER BY chord LIMIT 1 OFFSET :lim - 1),
                          CAST(:max_chord AS float8)) AS c)"""
        knn = f"SELECT * FROM by_category UNION {walk('subcategory_id', '(SELECT r.c FROM reach r)')}"
    else:
        knn = f"""SELECT b.id, {CHORD} AS chord FROM search_entries b WHERE {" AND ".join(bounds(":max_chord") + plan.where)}
           ORDER BY {POINT} <-> {CENTER} LIMIT :lim + 50"""
    return f"""{first}
SELECT coalesce(json_agg({item_json(f'-{CHORD}', CHORD)} ORDER BY {CHORD}, b.id), '[]') AS items,
       NULL::json AS facets
  FROM (SELECT id FROM ({knn}) knn ORDER BY chord, id LIMIT :lim) e
  JOIN businesses b ON b.id = e.id AND b.status = 'active'
  LEFT JOIN categories c ON c.id = b.category_id"""
