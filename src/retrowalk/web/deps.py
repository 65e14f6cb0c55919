"""Dependencies shared by the routes: services, the signed-in account, CSRF."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.templating import Jinja2Templates

from retrowalk.app.services import AuthError, Services
from retrowalk.web.session import CSRF_FIELD, csrf_ok, session_id


class LoginRequiredError(Exception):
    """A page needs a signed-in user (answered with a redirect to sign-in)."""


class CsrfError(Exception):
    """A form came without the right CSRF token."""


# The dependencies that do no I/O are ``async def``: FastAPI runs a plain ``def``
# dependency in the worker thread pool, one thread hop (and GIL hand-over) each.
async def get_services(request: Request) -> Services:
    return request.app.state.services


async def get_templates(request: Request) -> Jinja2Templates:
    return request.app.state.templates


def page_account(request: Request) -> int:
    """The account of the signed-in user of a page, or a redirect to sign-in.

    The cookie's session must still exist on the server (one indexed look-up):
    after sign-out, a password change or "sign out everywhere" it does not.
    """
    account_id = request.session.get("a")
    token = session_id(request)
    if not isinstance(account_id, int) or token is None:
        raise LoginRequiredError()
    services: Services = request.app.state.services
    if services.session_account(token) != account_id:
        request.session.clear()
        raise LoginRequiredError()
    return account_id


async def check_csrf(request: Request) -> None:
    """Refuse a state-changing page request without the session's CSRF token."""
    submitted = request.headers.get("x-csrf-token")
    if submitted is None and request.headers.get("content-type", "").startswith(
        ("multipart/form-data", "application/x-www-form-urlencoded")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        submitted = value if isinstance(value, str) else None
    if not csrf_ok(request, submitted):
        raise CsrfError()


bearer = HTTPBearer(auto_error=False, description="An API token from POST /api/v1/tokens.")


def api_account(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> int:
    """The account of an API request (``Authorization: Bearer <token>``)."""
    if credentials is None:
        raise AuthError("send an API token: 'Authorization: Bearer <token>'")
    services: Services = request.app.state.services
    account_id = services.account_for_token(credentials.credentials)
    if account_id is None:
        raise AuthError("the API token is not valid")
    return account_id


ServicesDep = Annotated[Services, Depends(get_services)]
PageAccount = Annotated[int, Depends(page_account)]
ApiAccount = Annotated[int, Depends(api_account)]
Csrf = Depends(check_csrf)
