"""Namibia's 14 regions, its towns (from the shared towns list) and its bounding box."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

REGIONS: tuple[str, ...] = (
    "Erongo", "Hardap", "//Karas", "Kavango East", "Kavango West", "Khomas", "Kunene", "Ohangwena",
    "Omaheke", "Omusati", "Oshana", "Oshikoto", "Otjozondjupa", "Zambezi",
)
# What people type for a region -> its official spelling.
_REGION_ALIASES = {r.lower(): r for r in REGIONS} | {"karas": "//Karas", "!karas": "//Karas",
                                                      "caprivi": "Zambezi"}

# A generous box around the country: a point outside it is a typo (or swapped lat/lon).
LAT_MIN, LAT_MAX = -29.0, -16.9
LON_MIN, LON_MAX = 11.7, 25.3


@dataclass(frozen=True)
class Town:
    name: str
    region: str
    latitude: float
    longitude: float


def normalize_region(value: str) -> str | None:
    """The official spelling of a region name, or None when it is not one of the 14."""
    return _REGION_ALIASES.get(value.strip().lower())


def in_namibia(latitude: float, longitude: float) -> bool:
    return LAT_MIN <= latitude <= LAT_MAX and LON_MIN <= longitude <= LON_MAX


@cache
def towns() -> tuple[Town, ...]:
    """The towns of the shared list (its copy ships with the demo package)."""
    text = resources.files("afrobiz.demo").joinpath("namibia_towns.csv").read_text(encoding="utf-8")
    return tuple(Town(r["town"], r["region"], float(r["latitude"]), float(r["longitude"]))
                 for r in csv.DictReader(text.splitlines()))
