"""Rendering pages: every template gets the CSRF token and the signed-in email."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from retrowalk.app.demo import provenance as demo_provenance
from retrowalk.web.session import csrf_token


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render ``template`` with the common context."""
    account_id = request.session.get("a")
    email = request.session.get("e") if isinstance(account_id, int) else None
    if isinstance(account_id, int) and not email:
        email = request.app.state.services.account_email(account_id)
    context.update(request=request, csrf_token=csrf_token(request), user_email=email)
    context.setdefault("demo_provenance", demo_provenance)
    return request.app.state.templates.TemplateResponse(
        request, template, context, status_code=status_code
    )


def wants_json(request: Request) -> bool:
    """True for script requests (fetch with ``Accept: application/json``)."""
    return "application/json" in request.headers.get("accept", "")
