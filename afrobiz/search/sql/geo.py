"""Places on the unit sphere: points, chords, kilometres and the grid cells (migration 0004)."""
from __future__ import annotations

import math

EARTH_KM = 6371.0088

POINT = "search_geo_point(b.latitude::float8, b.longitude::float8)"
CENTER = "search_geo_point(CAST(:lat AS float8), CAST(:lon AS float8))"
CHORD = f"({POINT} <-> {CENTER})"


def center_binds(lat: float, lon: float) -> dict[str, float]:
    """The centre as a unit-sphere point (:cx, :cy, :cz) for FAST_CHORD, computed here once.

    Why not in SQL: the lane's statements are prepared (psycopg, after five runs), and under
    PostgreSQL's generic plan an expression of parameters is no longer folded to a constant,
    so cos(radians($4)) and its kin ran again on every matching row (with the name key's
    unaccent, see EXACT_NAME: 1.5 us a row, half of a text + near-me search's scan at 100k,
    6.1 ms before, 3.1 ms after). The same expressions as search_geo_point in the same float
    arithmetic (libm's cos and sin; pi/180 as radians() uses it), so the chord stays
    bit-identical to the cube's (tests/search/test_search_grid.py)."""
    rlat, rlon = math.radians(lat), math.radians(lon)
    return {"cx": math.cos(rlat) * math.cos(rlon), "cy": math.cos(rlat) * math.sin(rlon), "cz": math.sin(rlat)}


def _fast_chord() -> str:
    """CHORD for search_entries b from its stored unit-sphere coordinates (migration 0017):
    plain float arithmetic instead of NUMERIC conversions, trigonometry and a cube per row,
    summed in the order cube's <-> sums them, so the value is bit-identical."""
    axes = (("geo_x", ":cx"), ("geo_y", ":cy"), ("geo_z", ":cz"))
    return "sqrt(" + " + ".join(f"(b.{col} - CAST({c} AS float8)) * (b.{col} - CAST({c} AS float8))"
                                for col, c in axes) + ")"


FAST_CHORD = _fast_chord()

def chord_for_km(km: float) -> float:
    return 2 * math.sin(km / (2 * EARTH_KM))


def km_sql(chord: str) -> str:
    return f"(2 * {EARTH_KM} * asin(least(1.0, {chord} / 2)))"


MAX_FINE_CELLS = 36
GEO_WORDS = "search_geo_words(b.search_document, b.latitude, b.longitude)"   # migration 0017


def covering_cells(lat: float, lon: float, radius_km: float) -> list[str]:
    """The grid cells (see migration 0004) that cover the radius's box: the 0.1-degree ones
    ('~f...') if at most MAX_FINE_CELLS do, else the 1-degree ones ('~c...').

    The box must contain the whole spherical cap, or a business just inside the radius but
    in a cell beyond the box is never a candidate: the angular radius in latitude, and in
    longitude the cap's widest point, asin(sin r / cos lat) (wider than r / cos lat), plus
    1e-7 degrees for rounding in the cells' floor()."""
    ang = radius_km / EARTH_KM
    dlat = math.degrees(ang) + 1e-7
    lat0, lat1 = max(-90.0, lat - dlat), min(89.999, lat + dlat)
    s = math.sin(ang) / max(1e-9, math.cos(math.radians(lat)))
    dlon = 180.0 if s >= 1 or lat1 >= 89.999 or lat0 <= -90 else math.degrees(math.asin(s)) + 1e-7
    lon0, lon1 = lon - dlon, lon + dlon
    for prefix, per_degree in (("f", 10), ("c", 1)):
        rows = range(math.floor((lat0 + 90) * per_degree), math.floor((lat1 + 90) * per_degree) + 1)
        cols = range(math.floor((lon0 + 180) * per_degree), math.floor((lon1 + 180) * per_degree) + 1)
        if len(rows) * len(cols) <= MAX_FINE_CELLS or prefix == "c":
            return [f"~{prefix}{r}x{c % (360 * per_degree)}" for r in rows for c in cols]
    raise AssertionError("unreachable")


def cells_tsquery(cells: list[str]) -> str:
    """Cells (covering_cells) as a tsquery, for search_document @@ (words && cells)."""
    return " | ".join(f"'{cell}'" for cell in cells)


# Degrees to km along a meridian; along a parallel times cos(latitude) (:kx).
KM_PER_DEGREE = EARTH_KM * math.pi / 180
