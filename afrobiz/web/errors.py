"""Errors on pages: an HTML page in the layout, with the right status, never a trace."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from afrobiz.web.templating import templates


def error_page(request: Request, status: int, title: str, detail: str,
               headers: dict[str, str] | None = None) -> Response:
    return templates.TemplateResponse(request, "error.html", {"title": title, "detail": detail},
                                      status_code=status, headers=headers)
