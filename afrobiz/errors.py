"""The error kinds every domain raises; api/ and web/ turn them into answers (DESIGN 4.3)."""
from __future__ import annotations


class DomainError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str | None = None, *, errors: list[dict] | None = None):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors or []

    @property
    def headers(self) -> dict[str, str]:
        """Extra response headers (e.g. Retry-After on a 429)."""
        return {}

    @property
    def type(self) -> str:
        # A stable, documented identifier per error kind.
        return f"https://afrobiz.na/problems/{type(self).__name__}"


class NotAuthenticated(DomainError):
    status = 401
    title = "Not authenticated"


class PermissionDenied(DomainError):
    status = 403
    title = "Permission denied"


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class InvalidInput(DomainError):
    status = 422
    title = "Invalid input"

    def __init__(self, detail: str | None = None, *, field: str | None = None, errors: list[dict] | None = None):
        if field and not errors:
            errors = [{"field": field, "message": detail or self.title}]
        super().__init__(detail, errors=errors)


class RateLimited(DomainError):
    status = 429
    title = "Too many requests"


class ServiceUnavailable(DomainError):
    status = 503
    title = "Service unavailable"
