"""What a search asks for, its cross-field rules, and the signed keyset cursor."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass, field

from afrobiz.errors import InvalidInput
from afrobiz.kit.namibia import normalize_region

SORTS = ("relevance", "distance", "rating", "newest")
PRICE_RANGES = ("budget", "moderate", "expensive", "luxury")
DEFAULT_RADIUS_KM = 25.0
MAX_RADIUS_KM = 100.0
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_Q = 200
# The query string's other limits, stated once for the route (api/v1/search.py) and the hot
# lane (api/hot.py): both must accept exactly the same requests.
MAX_FILTER_TEXT = 100       # category, region, city
MAX_PRICE_TEXT = 60         # price_range, comma-separated
MAX_CURSOR = 2000
SUGGEST_MAX_Q = 100
SUGGEST_LIMIT, SUGGEST_MAX_LIMIT = 8, 20


@dataclass
class SearchParams:
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


def validate(p: SearchParams) -> SearchParams:
    """Normalise the parameters, or raise InvalidInput listing every bad field."""
    errors: list[dict] = []
    q = " ".join((p.q or "").split()) or None
    if q and len(q) > MAX_Q:
        errors.append({"field": "q", "message": f"At most {MAX_Q} characters."})
    if (p.lat is None) != (p.lon is None):
        errors.append({"field": "lon" if p.lon is None else "lat", "message": "Give both lat and lon."})
    if p.lat is not None and not -90 <= p.lat <= 90:
        errors.append({"field": "lat", "message": "Latitude is between -90 and 90."})
    if p.lon is not None and not -180 <= p.lon <= 180:
        errors.append({"field": "lon", "message": "Longitude is between -180 and 180."})
    radius = p.radius_km
    if radius is not None:
        if not 0 < radius <= MAX_RADIUS_KM:
            errors.append({"field": "radius_km", "message": f"Between 0 and {MAX_RADIUS_KM:g} km."})
        elif p.lat is None:
            errors.append({"field": "radius_km", "message": "A radius needs lat and lon."})
    elif p.lat is not None:
        radius = DEFAULT_RADIUS_KM
    if p.sort not in SORTS:
        errors.append({"field": "sort", "message": f"One of {', '.join(SORTS)}."})
    elif p.sort == "distance" and p.lat is None:
        errors.append({"field": "sort", "message": "Sorting by distance needs lat and lon."})
    if not 1 <= p.limit <= MAX_LIMIT:
        errors.append({"field": "limit", "message": f"Between 1 and {MAX_LIMIT}."})
    if p.min_rating is not None and not 0 <= p.min_rating <= 5:
        errors.append({"field": "min_rating", "message": "Between 0 and 5."})
    prices = tuple(sorted({v.strip().lower() for v in p.price_range if v.strip()}))
    if any(v not in PRICE_RANGES for v in prices):
        errors.append({"field": "price_range", "message": f"One or more of {', '.join(PRICE_RANGES)}."})
    region = None
    if p.region and p.region.strip():
        region = normalize_region(p.region)
        if region is None:
            errors.append({"field": "region", "message": "Not one of Namibia's 14 regions."})
    if errors:
        raise InvalidInput("Some search parameters are not valid.", errors=errors)
    return SearchParams(
        q=q, category=(p.category or "").strip() or None, region=region, city=(p.city or "").strip() or None,
        lat=p.lat, lon=p.lon, radius_km=radius, min_rating=p.min_rating or None, price_range=prices,
        open_now=p.open_now, verified=p.verified, bookable=p.bookable, sort=p.sort, limit=p.limit,
        cursor=p.cursor or None)


# ---------------------------------------------------------------- cursor

def fingerprint(p: SearchParams) -> str:
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
