"""The WHERE conditions of a search's filters, shared by every plan."""
from __future__ import annotations

from dataclasses import dataclass, field

def open_now_sql(b: str = "b") -> str:
    """Open at the local moment (:dow, :t, :today; yesterday :pdow, :yesterday), as hours.py:
    a day's hours belong to the day they start on; a closure date cancels them; hours with
    close <= open run past midnight. OFFSET 0 keeps each EXISTS a per-row probe of the
    (business_id, day_of_week) index: as a semi-join PostgreSQL would hash every business's hours."""
    return f"""(EXISTS (SELECT 1 FROM business_hours h WHERE h.business_id = {b}.id AND h.day_of_week = :dow
       AND NOT h.is_closed
       AND (h.is_24_hours OR (h.open_time <= :t AND (h.close_time > :t OR h.close_time <= h.open_time)))
       AND NOT EXISTS (SELECT 1 FROM business_closures x WHERE x.business_id = {b}.id AND x.closed_on = :today)
       OFFSET 0)
     OR EXISTS (SELECT 1 FROM business_hours h WHERE h.business_id = {b}.id AND h.day_of_week = :pdow
       AND NOT h.is_closed AND NOT h.is_24_hours AND h.close_time <= h.open_time AND :t < h.close_time
       AND NOT EXISTS (SELECT 1 FROM business_closures x WHERE x.business_id = {b}.id AND x.closed_on = :yesterday)
       OFFSET 0))"""


def open_now_fast_sql() -> str:
    """open_now_sql for search_entries b: the stored weekly hours contain this moment of the
    week (:mow), checked the long way only if the business has a closure today or yesterday."""
    return f"""(b.open_week @> CAST(:mow AS bigint) AND (NOT EXISTS (SELECT 1 FROM business_closures x
       WHERE x.business_id = b.id AND x.closed_on IN (:today, :yesterday)) OR {open_now_sql()}))"""


@dataclass
class Plan:
    where: list[str] = field(default_factory=list)
    binds: dict = field(default_factory=dict)


CATEGORY = "(b.category_id = ANY(:cats) OR b.subcategory_id = ANY(:cats))"


def filters(plan: Plan, *, category_ids, region, city, min_rating, price_range, open_now, verified,
            bookable) -> None:
    w = plan.where
    if category_ids:
        w.append(CATEGORY)
        plan.binds["cats"] = list(category_ids)
    if region:
        w.append("b.region = :region")
        plan.binds["region"] = region
    if city:
        w.append("lower(immutable_unaccent(b.city)) = (SELECT lower(immutable_unaccent(:city)))")   # once, as EXACT_NAME
        plan.binds["city"] = city
    if min_rating:
        w.append("b.average_rating >= :min_rating")
        plan.binds["min_rating"] = min_rating
    if price_range:
        w.append("b.price_range = ANY(CAST(:prices AS price_range_enum[]))")
        plan.binds["prices"] = list(price_range)
    if open_now:
        w.append(open_now_fast_sql())
    if verified:
        w.append("b.is_verified")
    if bookable:
        w.append("EXISTS (SELECT 1 FROM services s WHERE s.business_id = b.id AND s.is_active AND s.requires_booking)")
