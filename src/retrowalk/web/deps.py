"""Dependencies shared by the routes: services, the signed-in account, CSRF."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

import anyio.to_thread
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

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


R = TypeVar("R")


async def look_up(services: Services, function: Callable[[str], R], token: str) -> R:
    """Run a one-row look-up by primary or unique key.

    On SQLite the look-up is an in-process read of a cached page (WAL readers never
    wait for writers) and costs less than the hop to a worker thread and back, so
    it runs right here; a server database is reached over a socket, so the look-up
    goes to the thread pool.
    """
    if services.db.is_sqlite:
        return function(token)
    return await anyio.to_thread.run_sync(function, token)


async def page_account(request: Request) -> int:
    """The account of the signed-in user of a page, or a redirect to sign-in.

    The cookie's session must still exist on the server (one indexed look-up on
    every request, never cached): after sign-out, a password change or "sign out
    everywhere" it does not.
    """
    account_id = request.session.get("a")
    token = session_id(request)
    if not isinstance(account_id, int) or token is None:
        raise LoginRequiredError()
    services: Services = request.app.state.services
    if await look_up(services, services.session_account, token) != account_id:
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


async def api_account(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> int:
    """The account of an API request (``Authorization: Bearer <token>``)."""
    if credentials is None:
        raise AuthError("send an API token: 'Authorization: Bearer <token>'")
    services: Services = request.app.state.services
    found = await look_up(services, services.token_account, credentials.credentials)
    if found is None:
        raise AuthError("the API token is not valid")
    token_id, account_id, touch_due = found
    if touch_due:  # a write: always off the event loop
        await anyio.to_thread.run_sync(services.touch_token, token_id)
    return account_id


ServicesDep = Annotated[Services, Depends(get_services)]
PageAccount = Annotated[int, Depends(page_account)]
ApiAccount = Annotated[int, Depends(api_account)]
Csrf = Depends(check_csrf)
