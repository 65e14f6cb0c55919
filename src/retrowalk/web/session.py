"""Signed-cookie sessions, CSRF tokens and the security headers of every response.

The cookie holds a small dict signed with itsdangerous: the CSRF token and, once
signed in, the account id and the secret id of a server-side session
(:class:`~retrowalk.store.models.WebSession`). A page only trusts the account id
while that session row exists, so sign-out, a password change and "sign out
everywhere" end the session even in a copied cookie. The cookie is HttpOnly,
SameSite=Lax and ``Secure`` over https (always with ``--secure-cookies``, which
also sends HSTS). Forms carry the CSRF token in a hidden field (or the
``X-CSRF-Token`` header for script uploads); every state-changing page request
checks it.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE_NAME = "retrowalk_session"
FLASH_PAD = "f"  # the cookie's half of a one-time message (leave_flash)
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
# Scripts only from this server (no inline script, no eval); nothing loads from
# elsewhere. Inline style attributes remain allowed (they cannot run script).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; media-src 'self' blob:; font-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'self'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
}
HSTS = "max-age=31536000"


class CookieSessionMiddleware:
    """Loads ``scope["session"]`` from the cookie and writes it back when changed.

    Also adds a few security headers to every response.

    Parameters
    ----------
    app
        The wrapped ASGI app.
    secret_key
        Key that signs the cookie.
    max_age_s
        Cookies older than this are ignored.
    secure
        ``True``/``False`` forces the ``Secure`` flag; ``None`` follows the scheme.
        ``True`` also sends ``Strict-Transport-Security``.
    """

    def __init__(
        self, app: ASGIApp, secret_key: str, max_age_s: int, secure: bool | None = None
    ) -> None:
        self.app = app
        self.serializer = URLSafeTimedSerializer(secret_key, salt="retrowalk-session")
        self.max_age_s = max_age_s
        self.secure = secure
        self.headers = dict(SECURITY_HEADERS)
        if secure:
            self.headers["Strict-Transport-Security"] = HSTS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = HTTPConnection(scope).cookies.get(COOKIE_NAME)
        data: dict[str, Any] = {}
        if raw:
            try:
                loaded = self.serializer.loads(raw, max_age=self.max_age_s)
                data = loaded if isinstance(loaded, dict) else {}
            except BadSignature:
                data = {}
        initial = dict(data)
        scope["session"] = data

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    if name not in headers:
                        headers[name] = value
            if message["type"] == "http.response.start" and scope["session"] != initial:
                secure = self.secure if self.secure is not None else scope["scheme"] == "https"
                value = self.serializer.dumps(scope["session"])
                cookie = (
                    f"{COOKIE_NAME}={value}; Path=/; Max-Age={self.max_age_s}; "
                    "HttpOnly; SameSite=Lax"
                )
                if secure:
                    cookie += "; Secure"
                MutableHeaders(scope=message).append("Set-Cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created on first use)."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def csrf_ok(request: Request, submitted: str | None) -> bool:
    expected = request.session.get("csrf")
    submitted = submitted or request.headers.get(CSRF_HEADER)
    return bool(expected and submitted and secrets.compare_digest(expected, submitted))


def start_session(request: Request, account_id: int, email: str = "") -> None:
    """Sign in: a fresh server-side session (and a new CSRF token) for ``account_id``."""
    services = request.app.state.services
    max_age_s = int(request.app.state.settings.session_max_age_s)
    request.session.clear()
    request.session["a"] = account_id
    request.session["e"] = email
    request.session["s"] = services.start_session(account_id, max_age_s)
    request.session["csrf"] = secrets.token_urlsafe(32)


def session_id(request: Request) -> str | None:
    """The secret id of the server-side session named by the cookie, if any."""
    value = request.session.get("s")
    return value if isinstance(value, str) else None


def end_session(request: Request) -> None:
    """Sign out: the server-side session ends, so a copy of the cookie stops working."""
    token = session_id(request)
    if token:
        request.app.state.services.end_session(token)
    request.session.clear()


def leave_flash(request: Request, message: dict[str, Any]) -> None:
    """Leave a one-time ``message`` for the page a form redirects to (Post/Redirect/Get).

    It is kept server-side on the browser's session row, sealed with a one-time pad of
    its length that only this browser's cookie carries: neither the database nor the
    cookie alone holds it (a new API token's secret is shown this way), and the URL
    never does. Without a live session nothing is left.
    """
    token = session_id(request)
    if not token:
        return
    plain = json.dumps(message).encode()
    pad = secrets.token_bytes(len(plain))
    sealed = base64.urlsafe_b64encode(bytes(a ^ b for a, b in zip(plain, pad, strict=True)))
    if request.app.state.services.put_flash(token, sealed.decode()):
        request.session[FLASH_PAD] = base64.urlsafe_b64encode(pad).decode()


def take_flash(request: Request) -> dict[str, Any] | None:
    """The one-time message left for this browser (:func:`leave_flash`), gone once read.

    ``None`` when there is none, or when its two halves do not match (a cookie from
    before another message was left).
    """
    pad_text = request.session.pop(FLASH_PAD, None)
    token = session_id(request)
    if not isinstance(pad_text, str) or not token:
        return None
    sealed_text = request.app.state.services.take_flash(token)
    if sealed_text is None:
        return None
    try:
        pad = base64.urlsafe_b64decode(pad_text)
        sealed = base64.urlsafe_b64decode(sealed_text)
        if len(pad) != len(sealed):
            return None
        message = json.loads(bytes(a ^ b for a, b in zip(sealed, pad, strict=True)))
    except (binascii.Error, ValueError):  # not base64, not UTF-8, not JSON
        return None
    return message if isinstance(message, dict) else None
