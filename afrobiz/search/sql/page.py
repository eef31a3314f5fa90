"""The page's results and the facets, built in the database so a page needs one statement."""
from __future__ import annotations

from afrobiz.search.sql.filters import open_now_sql
from afrobiz.search.sql.geo import km_sql
from afrobiz.search.sql.score import FEATURED



def item_json(key: str, chord: str) -> str:
    """One result, built in the database so the page needs no second query: search/schemas.py
    SearchHit's fields in its order (average_rating a numeric, so always a JSON fraction), and
    its sort key k (search/queries._result takes it off and rounds distance_km)."""
    return f"""json_build_object(
      'id', b.id, 'slug', b.slug, 'name', b.name,
      'category', CASE WHEN c.id IS NULL THEN NULL ELSE json_build_object('id', c.id, 'name', c.name, 'slug', c.slug) END,
      'city', b.city, 'region', b.region, 'average_rating', b.average_rating, 'review_count', b.review_count,
      'price_range', b.price_range, 'distance_km', {km_sql(chord)}, 'is_open_now', {open_now_sql()},
      'is_featured', {FEATURED}, 'is_verified', b.is_verified,
      'thumbnail_url', coalesce(b.logo_url, (SELECT coalesce(i.variants -> 'thumb' ->> 'url', i.image_url)
          FROM business_images i WHERE i.business_id = b.id
          ORDER BY (i.image_type = 'logo') DESC, (i.image_type = 'cover') DESC, i.sort_order, i.id LIMIT 1),
          b.cover_image_url),
      'k', {key})"""


def items(chord: str) -> str:
    """The page's results, in order, from a CTE `page` (id, k) of search_entries ids."""
    return f"""(SELECT coalesce(json_agg({item_json('p.k', chord)} ORDER BY p.k DESC, p.id), '[]')
     FROM page p JOIN businesses b ON b.id = p.id AND b.status = 'active'
     LEFT JOIN categories c ON c.id = b.category_id)"""


def facets(source: str = "", combos: str = "") -> str:
    """Counts per category (with its name and slug), region and price range, and the total
    (g = 7), of the rows of `source` in one pass: counted per combination (one hash a row
    instead of one per grouping set), then rolled up (GROUPING SETS) over the few combinations."""
    return f"""(SELECT coalesce(json_agg(json_build_object('g', f.g, 'category_id', f.category_id,
                        'name', c.name, 'slug', c.slug, 'region', f.region, 'price_range', f.price_range, 'n', f.n)), '[]')
     FROM (SELECT GROUPING(category_id, region, price_range) AS g, category_id, region,
                  price_range::text AS price_range, coalesce(sum(n), 0)::int8 AS n
             FROM {combos or f"(SELECT category_id, region, price_range, count(*) AS n FROM {source} GROUP BY 1, 2, 3)"} combos
             GROUP BY GROUPING SETS ((category_id), (region), (price_range), ())) f
     LEFT JOIN categories c ON c.id = f.category_id)"""
