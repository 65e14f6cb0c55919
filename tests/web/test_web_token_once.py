"""A new API token made on the account page: Post/Redirect/Get, its secret shown once.

The form's POST answers with a redirect to the account page, which shows the secret
that once; reloading the page (in Chromium, and over HTTP) makes no second token and
shows no secret. The secret is never in a URL, and neither the session's row nor its
cookie alone holds it (the row keeps it sealed with a one-time pad the cookie carries).
SQLite and PostgreSQL.
"""

from __future__ import annotations

import base64
import json
import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from webtest_helpers import csrf, sign_up

from browser_helpers import sign_up_in_browser
from retrowalk.store.models import WebSession
from retrowalk.web.session import COOKIE_NAME

SECRET_RE = re.compile(r'<code id="new-token">([^<]+)</code>')


def _cookie_data(client: TestClient) -> str:
    """The session cookie's readable payload (it is signed, not encrypted)."""
    value = client.cookies[COOKIE_NAME]
    payload = value.split(".")[0]
    return base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()


def test_a_new_token_is_shown_once_and_a_reload_makes_no_second(  # type: ignore[no-untyped-def]
    app, client: TestClient
) -> None:
    sign_up(client, "t@example.org")
    services = app.state.services
    made = client.post(
        "/account/tokens",
        data={"name": "laptop", "csrf_token": csrf(client, "/account")},
        follow_redirects=False,
    )
    assert made.status_code == 303 and made.headers["location"] == "/account"
    (token,) = services.list_tokens(1)
    assert token.name == "laptop"

    # Between the redirect and the page, neither half alone holds the secret.
    with services.db.read() as session:
        (sealed,) = [f for f in session.scalars(select(WebSession.flash)) if f]
    in_cookie = _cookie_data(client)
    assert "rw_" not in in_cookie and "rw_" not in base64.urlsafe_b64decode(sealed).decode("latin1")

    page = client.get("/account")
    assert page.status_code == 200
    secret = SECRET_RE.search(page.text)
    assert secret and "New token “laptop”" in page.text, page.text
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret[1]}"}).json()[
        "email"
    ] == ("t@example.org")
    with services.db.read() as session:
        assert not [f for f in session.scalars(select(WebSession.flash)) if f]  # taken

    again = client.get("/account")  # a reload: the same page, no secret, no new token
    assert again.status_code == 200 and 'id="new-token"' not in again.text
    assert len(services.list_tokens(1)) == 1
    assert secret[1] not in json.dumps(dict(client.cookies))


def test_a_password_change_redirects_and_says_so_once(client: TestClient) -> None:  # type: ignore[no-untyped-def]
    sign_up(client, "p@example.org")
    changed = client.post(
        "/account/password",
        data={
            "current_password": "correct horse",
            "new_password": "a brand new walk",
            "csrf_token": csrf(client, "/account"),
        },
        follow_redirects=False,
    )
    assert changed.status_code == 303 and changed.headers["location"] == "/account"
    assert "Password changed" in client.get("/account").text
    assert "Password changed" not in client.get("/account").text


def test_reloading_the_page_in_chromium_makes_no_second_token(  # type: ignore[no-untyped-def]
    browser_side_once: None, server: str, page
) -> None:
    sign_up_in_browser(page, server, "reload@example.org")
    page.goto(f"{server}/account")
    page.fill("input[name=name]", "laptop script")
    page.click("text=Create token")
    page.wait_for_load_state()
    secret = page.locator("#new-token").inner_text()
    assert secret.startswith("rw_")
    page.reload()  # sent the form again when the POST answered with the page
    page.wait_for_load_state()
    rows = page.locator("form[action^='/account/tokens/'] button", has_text="Revoke")
    assert rows.count() == 1
    assert page.locator("#new-token").count() == 0 and secret not in page.content()
    assert page.url == f"{server}/account"
