"""Helpers of the security tests: the app under a real uvicorn server, an HTTP client."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from webtest_helpers import make_settings

from browser_helpers import serve_app
from retrowalk.web.app import create_app

CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')
PASSWORD = "correct horse"


@contextmanager
def running_server(
    database_url: str, tmp_path: Path, *, proxy_headers: bool = False, **overrides: object
) -> Iterator[str]:
    """The app under uvicorn on 127.0.0.1 as ``retrowalk serve`` runs it; yields the URL."""
    overrides.setdefault("worker", "none")
    app = create_app(make_settings(database_url, tmp_path, **overrides))
    with serve_app(app, proxy_headers=proxy_headers) as base:
        yield base


def browser(base: str) -> httpx.Client:
    """A cookie-keeping HTTP client that does not follow redirects."""
    return httpx.Client(base_url=base, follow_redirects=False, timeout=30)


def csrf(http: httpx.Client, page: str = "/signin") -> str:
    match = CSRF_RE.search(http.get(page, follow_redirects=True).text)
    assert match, f"{page}: no CSRF token"
    return match.group(1)


def sign_up(http: httpx.Client, email: str, password: str = PASSWORD) -> None:
    token = csrf(http, "/signup")
    r = http.post("/signup", data={"email": email, "password": password, "csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == "/people", r.text


def sign_in(http: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    token = csrf(http, "/signin")
    return http.post("/signin", data={"email": email, "password": password, "csrf_token": token})


def sign_out(http: httpx.Client) -> None:
    r = http.post("/signout", data={"csrf_token": csrf(http, "/people")})
    assert r.status_code == 303


def token_headers(http: httpx.Client, email: str, password: str = PASSWORD) -> dict[str, str]:
    r = http.post("/api/v1/tokens", json={"email": email, "password": password})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def signed_in(http: httpx.Client) -> bool:
    """True when the client's cookie opens a page that needs sign-in."""
    r = http.get("/people")
    return r.status_code == 200
