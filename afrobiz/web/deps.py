"""Who is looking at a page (the session cookie's user) and CSRF protection for every form.

The pages keep the log-in token in an HttpOnly, SameSite=Lax cookie: scripts cannot read it
and other sites' forms do not carry it. On top of that every POST form carries a CSRF token:

* for a logged-in visitor it is an HMAC of the session token, so it is worth nothing on any
  other session and dies with the session;
* for an anonymous visitor (log-in, sign-up, forgot password, guest forms) it is a signed,
  time-limited value, and the request must also come from our own origin (Origin and
  Sec-Fetch-Site headers, which browsers send and pages on other sites cannot forge).

Usage in a page router::

    @router.get("/thing")
    async def show(request: Request, user: User | None = Depends(page_user)): ...

    @router.post("/thing", dependencies=[Depends(csrf_protect)])
    async def change(request: Request, user: User = Depends(require_page_user)): ...

and in every form of a template: ``<form method="post">{{ csrf_input() }} ...``.
"""
from __future__ import annotations

import hashlib
import hmac
import time
from types import SimpleNamespace
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request
from jinja2 import pass_context
from markupsafe import Markup, escape
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import RedirectResponse, Response

from afrobiz.accounts import devices, sessions
from afrobiz.accounts.models import User
from afrobiz.api.deps import Session, use_app_settings
from afrobiz.db.session import set_identity
from afrobiz.errors import PermissionDenied
from afrobiz.i18n import select_language
from afrobiz.web.templating import templates

COOKIE_NAME = "afrobiz_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
# An anonymous form stays valid this long (a visitor may leave the sign-up page open a while).
ANON_CSRF_MAX_AGE = 12 * 3600


# ---------------------------------------------------------------- the session cookie

def session_cookie(request: Request) -> str | None:
    token = request.cookies.get(COOKIE_NAME)
    return token if token and len(token) <= 200 else None


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    """Put a fresh log-in token in the cookie (HttpOnly, SameSite=Lax, Secure on https)."""
    secure = request.app.state.settings.base_url.startswith("https://")
    response.set_cookie(COOKIE_NAME, token, max_age=int(sessions.ABSOLUTE_TIMEOUT.total_seconds()),
                        httponly=True, samesite="lax", secure=secure, path="/")


def set_device_cookie(response: Response, request: Request, token: str | None) -> None:
    """Remember that this browser logged in (accounts/devices.py): HttpOnly, for a year."""
    if token:
        secure = request.app.state.settings.base_url.startswith("https://")
        response.set_cookie(devices.COOKIE_NAME, token, max_age=devices.MAX_AGE_SECONDS, httponly=True,
                            samesite="lax", secure=secure, path="/")


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="lax")


# ---------------------------------------------------------------- who is looking

async def page_user(request: Request, session: AsyncSession = Session) -> User | None:
    """The logged-in visitor or None; also states the identity to PostgreSQL for RLS.
    A stale or revoked cookie simply means 'anonymous' on pages (no error)."""
    use_app_settings(request)
    user = None
    token = session_cookie(request)
    if token is not None:
        user = await sessions.resolve_session(session, token)
    if user is not None:
        await set_identity(session, user.id, str(user.role))
    request.state.user = user
    # base.html's navigation reads this copy: an error page rendered after the transaction
    # rolled back cannot read the (expired, detached) User row any more.
    request.state.nav_user = SimpleNamespace(first_name=user.first_name, role=str(user.role)) if user else None
    # The page's language: the user's own choice, else the lang cookie / browser (afrobiz/i18n).
    select_language(request, user.preferred_language if user else None)
    return user


class LoginRequired(Exception):
    """An anonymous visitor asked for a page that needs a log-in: redirect them to it."""

    def __init__(self, next_url: str):
        super().__init__(next_url)
        self.next_url = next_url


async def login_redirect(request: Request, exc: LoginRequired) -> Response:
    return RedirectResponse(f"/login?next={quote(exc.next_url, safe='/')}", status_code=303)


def install(app) -> None:
    """Register the log-in redirect on the app (create_app calls this once)."""
    app.add_exception_handler(LoginRequired, login_redirect)


async def require_page_user(request: Request, user: User | None = Depends(page_user)) -> User:
    """The logged-in visitor; anonymous visitors are sent to /login?next=<this page> (303)."""
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    return user


def require_page_role(*roles: str):
    """A page dependency for these roles only: anonymous → log-in page, other roles → 403."""
    async def dependency(user: User = Depends(require_page_user)) -> User:
        if str(user.role) not in roles:
            raise PermissionDenied("Your account may not open this page.")
        return user
    return dependency


def safe_next(url: str | None, default: str = "/account") -> str:
    """Only our own paths are followed after log-in (no open redirect to another site)."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return default
    parts = urlsplit(url)
    return default if parts.scheme or parts.netloc else url


# ---------------------------------------------------------------- CSRF

def _secret(request: Request) -> bytes:
    return request.app.state.settings.secret_key.encode()


def _sign(secret: bytes, message: str) -> str:
    return hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The token a form on this page must send back."""
    secret, token = _secret(request), session_cookie(request)
    if token is not None:
        return "s." + _sign(secret, "csrf-session|" + hashlib.sha256(token.encode()).hexdigest())
    issued = str(int(time.time()))
    return f"a.{issued}.{_sign(secret, 'csrf-anon|' + issued)}"


def csrf_valid(request: Request, submitted: str | None) -> bool:
    if not submitted or len(submitted) > 200:
        return False
    secret, token = _secret(request), session_cookie(request)
    if token is not None:
        expected = "s." + _sign(secret, "csrf-session|" + hashlib.sha256(token.encode()).hexdigest())
        return hmac.compare_digest(submitted, expected)
    kind, _, rest = submitted.partition(".")
    issued, _, signature = rest.partition(".")
    if kind != "a" or not issued.isdigit():
        return False
    if not 0 <= time.time() - int(issued) <= ANON_CSRF_MAX_AGE:
        return False
    return hmac.compare_digest(signature, _sign(secret, "csrf-anon|" + issued))


def _same_origin(request: Request) -> bool:
    # Browsers send Sec-Fetch-Site and Origin on every POST; a page on another site cannot
    # fake them. Clients that send neither (scripts, old browsers) rely on the token alone.
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is not None and origin != "null":
        allowed = {urlsplit(request.app.state.settings.base_url).netloc, request.headers.get("host", "")}
        return urlsplit(origin).netloc in allowed
    return origin != "null"


async def csrf_protect(request: Request) -> None:
    """Dependency for every POST form: refuse a request without our token (403)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    submitted = request.headers.get(CSRF_HEADER)
    if submitted is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()      # cached by Starlette: the handler's Form() still works
            value = form.get(CSRF_FIELD)
            submitted = value if isinstance(value, str) else None
    if not _same_origin(request) or not csrf_valid(request, submitted):
        raise PermissionDenied("This form has expired or did not come from this site. "
                               "Please go back, reload the page and try again.")


@pass_context
def csrf_input(context) -> Markup:
    """Template global: the hidden CSRF field every POST form must contain."""
    request = context["request"]
    return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(csrf_token(request))}">')


templates.env.globals["csrf_input"] = csrf_input
