"""Request body limits enforced while the body streams in.

:class:`BodyLimitMiddleware` counts the bytes of every request body as the app
reads them, so a chunked body (no ``Content-Length``) is held to the same limit
as a declared one. A request from someone who is not signed in (no session
account and no valid API token) may send only a small body (sign-in and sign-up
forms, token requests); a signed-in user may send up to the upload limit.
Declared sizes over the limit are refused before a byte is read.

The upload routes authenticate before they read any body at all (see
:mod:`retrowalk.web.upload_stream`); this middleware is the net under every
other route, including those whose form FastAPI parses before the route runs.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from retrowalk.app.uploads import TooLargeError
from retrowalk.web.deps import look_up

# Enough for the sign-in, sign-up and token forms.
ANONYMOUS_MAX_BYTES = 64 * 1024
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class BodyTooLargeError(TooLargeError):
    """A request body went over its limit while it was being read."""


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


class BodyLimitMiddleware:
    """Refuse request bodies over the limit, declared or counted while streaming.

    Parameters
    ----------
    app
        The wrapped ASGI app; it must run inside the session middleware
        (``scope["session"]``).
    max_bytes
        Largest body of a signed-in user (the upload limit plus form overhead).
    anonymous_max_bytes
        Largest body of a request that is not signed in.
    """

    def __init__(
        self, app: ASGIApp, max_bytes: int, anonymous_max_bytes: int = ANONYMOUS_MAX_BYTES
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.anonymous_max_bytes = anonymous_max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes if await _signed_in(scope) else self.anonymous_max_bytes
        for name, value in scope["headers"]:
            if name == b"content-length" and (not value.isdigit() or int(value) > limit):
                await _refuse(scope, receive, send, limit)
                return
        received = 0
        started = False
        exceeded = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLargeError(f"the request body is larger than {_mb(limit)}")
            return message

        async def guarded_send(message: Message) -> None:
            # Once the body went over the limit the answer is 413, whatever a
            # body parser turned the error into (FastAPI answers 400).
            nonlocal started
            if message["type"] == "http.response.start":
                if started:
                    return
                started = True
                if exceeded:
                    await _refuse(scope, receive, send, limit)
                    return
            elif exceeded:
                return
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except BodyTooLargeError:
            # Raised where no exception handler turned it into a response.
            if not started:
                started = True
                await _refuse(scope, receive, send, limit)
                return
            raise


async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    response = JSONResponse(
        {"detail": f"the request body is larger than the limit of {_mb(limit)}"},
        status_code=413,
        headers={"Connection": "close"},
    )
    await response(scope, receive, send)


async def _signed_in(scope: Scope) -> bool:
    """A session account, or an API token that belongs to an account."""
    session: Any = scope.get("session")
    if isinstance(session, dict) and isinstance(session.get("a"), int):
        return True
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                return False
            services = scope["app"].state.services
            found = await look_up(services, services.token_account, token.strip())
            return found is not None
    return False
