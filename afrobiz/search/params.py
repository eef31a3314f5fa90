"""What a search asks for: the parameters with the limits the API states, declared once
(the route's query model, the hot lane's and the pages' check), the rules across them, and
the signed keyset cursor."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, field_validator

from afrobiz.errors import InvalidInput
from afrobiz.kit.namibia import normalize_region

SORTS = ("relevance", "distance", "rating", "newest")
PRICE_RANGES = ("budget", "moderate", "expensive", "luxury")
DEFAULT_RADIUS_KM = 25.0
MAX_RADIUS_KM = 100.0
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_Q = 200


class SearchParams(BaseModel):
    """GET /search/businesses' query: FastAPI checks and documents the route's parameters with
    this model, and the hot lane (api/hot.py) and the search page check theirs with it too."""

    q: str | None = Field(None, max_length=MAX_Q, description='words; "phrases", or, -not')
    category: str | None = Field(None, max_length=100, description="slug or id; includes subcategories")
    region: str | None = Field(None, max_length=100)
    city: str | None = Field(None, max_length=100)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    radius_km: float | None = Field(None, gt=0, le=MAX_RADIUS_KM, description="default 25 with lat/lon")
    min_rating: float | None = Field(None, ge=0, le=5)
    price_range: str | None = Field(None, max_length=60, description="comma-separated")
    open_now: bool = False
    verified: bool = False
    bookable: bool = Field(False, description="has services that take bookings")
    sort: Literal[SORTS] = "relevance"
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(None, max_length=2000)

    @field_validator("price_range", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        """Python callers may name the price ranges as a list."""
        return ",".join(value) if isinstance(value, list | tuple) else value

    @classmethod
    def checked(cls, values: Mapping[str, object]) -> SearchParams:
        """The parameters from a form's values; InvalidInput names every field outside its limits."""
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            raise InvalidInput("Some search parameters are not valid.", errors=[
                {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]) from None


class SuggestParams(BaseModel):
    """GET /search/suggest's query."""

    q: str = Field("", max_length=100)
    limit: int = Field(8, ge=1, le=20)


@dataclass(frozen=True)
class Search:
    """A search after validate(): its words, place and filters in their one normal form."""

    q: str | None = None
    category: str | None = None          # slug or id; includes its subcategories
    region: str | None = None
    city: str | None = None
    lat: float | None = None
    lon: float | None = None
    radius_km: float | None = None
    min_rating: float | None = None
    price_range: tuple[str, ...] = ()
    open_now: bool = False
    verified: bool = False
    bookable: bool = False
    sort: str = "relevance"
    limit: int = DEFAULT_LIMIT
    cursor: str | None = field(default=None, compare=False)

    @property
    def has_place(self) -> bool:
        return self.lat is not None and self.lon is not None


def validate(p: SearchParams) -> Search:
    """The rules across parameters (each one's own limits are SearchParams'), and the normal
    form; InvalidInput lists every field that breaks one."""
    errors: list[dict] = []
    if (p.lat is None) != (p.lon is None):
        errors.append({"field": "lon" if p.lon is None else "lat", "message": "Give both lat and lon."})
    radius = p.radius_km
    if radius is not None and p.lat is None:
        errors.append({"field": "radius_km", "message": "A radius needs lat and lon."})
    elif radius is None and p.lat is not None:
        radius = DEFAULT_RADIUS_KM
    if p.sort == "distance" and p.lat is None:
        errors.append({"field": "sort", "message": "Sorting by distance needs lat and lon."})
    prices = tuple(sorted({v.strip().lower() for v in (p.price_range or "").split(",") if v.strip()}))
    if any(v not in PRICE_RANGES for v in prices):
        errors.append({"field": "price_range", "message": f"One or more of {', '.join(PRICE_RANGES)}."})
    region = None
    if p.region and p.region.strip():
        region = normalize_region(p.region)
        if region is None:
            errors.append({"field": "region", "message": "Not one of Namibia's 14 regions."})
    if errors:
        raise InvalidInput("Some search parameters are not valid.", errors=errors)
    return Search(
        q=" ".join((p.q or "").split()) or None, category=(p.category or "").strip() or None, region=region,
        city=(p.city or "").strip() or None, lat=p.lat, lon=p.lon, radius_km=radius, min_rating=p.min_rating or None,
        price_range=prices, open_now=p.open_now, verified=p.verified, bookable=p.bookable, sort=p.sort,
        limit=p.limit, cursor=p.cursor or None)


# ---------------------------------------------------------------- cursor

def fingerprint(p: Search) -> str:
    """What a cursor is valid for: every parameter except the page position and size."""
    d = asdict(p)
    d.pop("cursor"), d.pop("limit")
    return hashlib.sha256(json.dumps(d, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()[:32]


def encode_cursor(secret: str, payload: dict) -> str:
    body = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).rstrip(b"=")
    return body.decode() + "." + _sign(secret, body)


def decode_cursor(secret: str, cursor: str, expected_fingerprint: str) -> dict:
    """The cursor's payload; InvalidInput when it was altered or belongs to another search."""
    body, _, sig = cursor.partition(".")
    if not body or not hmac.compare_digest(sig, _sign(secret, body.encode())):
        raise InvalidInput("The cursor is not valid.", field="cursor")
    try:
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        float(payload["k"]), str(payload["id"])
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInput("The cursor is not valid.", field="cursor") from exc
    if payload.get("f") != expected_fingerprint:
        raise InvalidInput("The cursor belongs to another search.", field="cursor")
    return payload
