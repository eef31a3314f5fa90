"""Security headers on every response (issue 11): no inline scripts, no framing, no sniffing."""
from __future__ import annotations

# Our own scripts only (no inline <script> in any template); inline style attributes are
# allowed (a category's colour), inline scripts are not. Images may come from the CDN/S3
# origin over https.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; "
       "connect-src 'self'; form-action 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'none'")
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"geolocation=(self), camera=(), microphone=()"),
]
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
# Added to every response by the app's outer layer (afrobiz.kit.logging.RequestLogMiddleware,
# see create_app), unless the response set the header itself; HSTS only over HTTPS.
