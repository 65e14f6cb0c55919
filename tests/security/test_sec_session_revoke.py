"""Sessions end on the server: a copied cookie stops working after sign-out, a
password change or "sign out everywhere" (real uvicorn server, SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from sechelpers import (
    PASSWORD,
    browser,
    csrf,
    running_server,
    sign_in,
    sign_out,
    sign_up,
    signed_in,
)

from retrowalk.web.session import COOKIE_NAME


def _copy(http, base: str):  # type: ignore[no-untyped-def]
    """A second client holding a copy of ``http``'s session cookie (a stolen cookie)."""
    thief = browser(base)
    thief.cookies.set(COOKIE_NAME, http.cookies[COOKIE_NAME])
    return thief


def test_copied_cookie_stops_working_after_sign_out(database_url: str, tmp_path: Path) -> None:
    with running_server(database_url, tmp_path) as base, browser(base) as owner:
        sign_up(owner, "s@example.org")
        with _copy(owner, base) as thief:
            assert signed_in(thief)  # the copy works while the owner is signed in
            sign_out(owner)
            response = thief.get("/people")
            assert response.status_code == 303 and response.headers["location"] == "/signin"
            api = thief.get("/people", headers={"accept": "application/json"})
            assert api.status_code == 401


def test_password_change_ends_other_sessions(database_url: str, tmp_path: Path) -> None:
    with running_server(database_url, tmp_path) as base, browser(base) as owner:
        sign_up(owner, "p@example.org")
        with browser(base) as laptop, _copy(owner, base) as thief:
            assert sign_in(laptop, "p@example.org").status_code == 303
            thief_alive_before = signed_in(thief)
            r = owner.post(
                "/account/password",
                data={
                    "current_password": PASSWORD,
                    "new_password": "a brand new walk",
                    "csrf_token": csrf(owner, "/account"),
                },
            )
            assert r.status_code == 303 and r.headers["location"] == "/account"
            assert "Password changed" in owner.get("/account").text
            assert thief_alive_before and not signed_in(thief) and not signed_in(laptop)
            assert signed_in(owner)  # the browser that changed it stays signed in
            assert sign_in(laptop, "p@example.org").status_code == 401
            assert sign_in(laptop, "p@example.org", "a brand new walk").status_code == 303


def test_wrong_current_password_changes_nothing(database_url: str, tmp_path: Path) -> None:
    with running_server(database_url, tmp_path) as base, browser(base) as owner:
        sign_up(owner, "w@example.org")
        r = owner.post(
            "/account/password",
            data={
                "current_password": "not my password",
                "new_password": "a brand new walk",
                "csrf_token": csrf(owner, "/account"),
            },
        )
        assert r.status_code == 400 and "current password is wrong" in r.text
        with browser(base) as other:
            assert sign_in(other, "w@example.org").status_code == 303


def test_sign_out_everywhere(database_url: str, tmp_path: Path) -> None:
    with running_server(database_url, tmp_path) as base, browser(base) as owner:
        sign_up(owner, "e@example.org")
        with browser(base) as phone:
            assert sign_in(phone, "e@example.org").status_code == 303
            assert signed_in(phone)
            r = owner.post(
                "/account/signout-everywhere", data={"csrf_token": csrf(owner, "/account")}
            )
            assert r.status_code == 303 and r.headers["location"] == "/signin"
            assert not signed_in(phone) and not signed_in(owner)


def test_session_survives_a_server_restart(database_url: str, tmp_path: Path) -> None:
    """Sessions live in the database: a restart neither ends nor revives them."""
    with running_server(database_url, tmp_path) as base, browser(base) as owner:
        sign_up(owner, "r@example.org")
        cookie = owner.cookies[COOKIE_NAME]
    with running_server(database_url, tmp_path) as base, browser(base) as again:
        again.cookies.set(COOKIE_NAME, cookie)
        assert signed_in(again)
