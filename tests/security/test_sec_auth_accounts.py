"""Accounts: password rules, change (page and API), reset from the command line,
deletion with every file, Secure cookies with HSTS (real server, SQLite and PostgreSQL)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sechelpers import PASSWORD, browser, csrf, running_server, sign_in, sign_up, token_headers
from sqlalchemy import text

from retrowalk.app.passwords import check_password, common_passwords
from retrowalk.app.services import Services
from retrowalk.core.errors import InputError, RetrowalkError
from retrowalk.store.db import Database

WEAK = [
    "12345678",
    "password",
    " " * 8,
    " " * 12,
    "qwertyuiop",
    "1234567890",
    "password123",
    "Password1234",
    "aaaaaaaaaaaa",
    "short",
]


@pytest.mark.parametrize("password", WEAK)
def test_weak_passwords_are_refused_at_sign_up(
    database_url: str, tmp_path: Path, password: str
) -> None:
    with running_server(database_url, tmp_path) as base, browser(base) as http:
        r = http.post(
            "/signup",
            data={
                "email": "weak@example.org",
                "password": password,
                "csrf_token": csrf(http, "/signup"),
            },
        )
        assert r.status_code == 400 and "password" in r.text
        assert sign_in(http, "weak@example.org", password).status_code == 401


def test_password_rule() -> None:
    assert len(common_passwords()) > 300
    check_password("correct horse", "me@example.org")
    for bad in ("me@example.org", "iloveyou123", "Qwerty 12345"):
        with pytest.raises(InputError):
            check_password(bad, "me@example.org")


def test_password_change_by_api(database_url: str, tmp_path: Path) -> None:
    with running_server(database_url, tmp_path) as base, browser(base) as http:
        sign_up(http, "api@example.org")
        auth = token_headers(http, "api@example.org")
        weak = http.post(
            "/api/v1/me/password",
            headers=auth,
            json={"current_password": PASSWORD, "new_password": "password123"},
        )
        assert weak.status_code == 400 and "common" in weak.text
        wrong = http.post(
            "/api/v1/me/password",
            headers=auth,
            json={"current_password": "not it at all", "new_password": "walking back home"},
        )
        assert wrong.status_code == 401
        ok = http.post(
            "/api/v1/me/password",
            headers=auth,
            json={"current_password": PASSWORD, "new_password": "walking back home"},
        )
        assert ok.status_code == 204
        assert http.get("/people").status_code != 200  # the browser session ended
        with browser(base) as other:
            assert sign_in(other, "api@example.org").status_code == 401
            assert sign_in(other, "api@example.org", "walking back home").status_code == 303


def test_reset_password_from_the_command_line(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    db = Database(f"sqlite:///{data_dir / 'retrowalk.db'}")
    services = Services(db, data_dir)
    account = services.sign_up("forgot@example.org", PASSWORD)
    session = services.start_session(account, 3600)
    for _ in range(6):  # the owner had been guessing too: wrong, then slowed down
        with contextlib.suppress(RetrowalkError):
            services.sign_in("forgot@example.org", "what was it", client="laptop")
    env = {**os.environ, "RETROWALK_DATA_DIR": str(data_dir)}
    env.pop("RETROWALK_DATABASE_URL", None)
    cmd = [sys.executable, "-m", "retrowalk.cli", "account", "reset-password"]
    weak = subprocess.run(
        [*cmd, "forgot@example.org", "--password-stdin"],
        input="password\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert weak.returncode == 2 and weak.stderr.startswith("retrowalk: error: password")
    unknown = subprocess.run(
        [*cmd, "nobody@example.org", "--password-stdin"],
        input="a new long walk\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert unknown.returncode == 2 and "no account" in unknown.stderr
    ok = subprocess.run(
        [*cmd, "forgot@example.org", "--password-stdin"],
        input="a new long walk\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert services.session_account(session) is None
    assert services.sign_in("forgot@example.org", "a new long walk", client="laptop") == account
    db.dispose()


def test_account_deletion_removes_all_data_and_files(
    database_url: str, tmp_path: Path, recording_file: Path
) -> None:
    with running_server(database_url, tmp_path, worker="thread") as base, browser(base) as http:
        sign_up(http, "gone@example.org")
        auth = token_headers(http, "gone@example.org")
        pid = http.post("/api/v1/people", headers=auth, json={"name": "Zed"}).json()["id"]
        account_id = http.get("/api/v1/me", headers=auth).json()["id"]
        with open(recording_file, "rb") as stream:
            up = http.post(
                f"/api/v1/people/{pid}/recordings",
                headers=auth,
                files={"file": (recording_file.name, stream)},
            )
        assert up.status_code == 201, up.text
        deadline = time.monotonic() + 120
        while http.get(f"/api/v1/recordings/{up.json()['id']}", headers=auth).json()[
            "status"
        ] not in ("done", "failed"):
            assert time.monotonic() < deadline
            time.sleep(0.5)
        data = tmp_path / "data"
        owned = [p for p in (data / "files").rglob("*") if p.is_file()]
        reports = [p for p in (data / "reports").rglob("*") if p.is_file()]
        assert owned
        with browser(base) as keeper:
            sign_up(keeper, "stays@example.org")
            kept = token_headers(keeper, "stays@example.org")
        wrong = http.post(
            "/account/delete", data={"password": "nope nope", "csrf_token": csrf(http, "/account")}
        )
        assert wrong.status_code == 400
        r = http.post(
            "/account/delete", data={"password": PASSWORD, "csrf_token": csrf(http, "/account")}
        )
        assert r.status_code == 303
        assert not any(p.exists() for p in owned + reports)
        assert http.get("/api/v1/me", headers=auth).status_code == 401
        assert sign_in(http, "gone@example.org").status_code == 401
        db = Database(database_url, migrate=False)
        try:
            with db.read() as session:
                for table in (
                    "person",
                    "recording",
                    "analysis_result",
                    "api_token",
                    "web_session",
                    "observation",
                    "plan",
                ):
                    rows = session.execute(
                        text(f"SELECT COUNT(*) FROM {table} WHERE account_id = :a"),
                        {"a": account_id},
                    ).scalar()
                    assert rows == 0, table
        finally:
            db.dispose()
        assert http.get("/api/v1/me", headers=kept).status_code == 200  # others untouched


def test_secure_cookies_and_hsts(database_url: str, tmp_path: Path) -> None:
    with running_server(database_url, tmp_path, cookie_secure=True) as base, browser(base) as http:
        r = http.get("/signin")
        assert "; Secure" in r.headers["set-cookie"]
        assert r.headers["strict-transport-security"].startswith("max-age=")
    with running_server(database_url, tmp_path) as base, browser(base) as http:
        r = http.get("/signin")
        assert "Secure" not in r.headers["set-cookie"]
        assert "strict-transport-security" not in r.headers
    help_text = subprocess.run(
        [sys.executable, "-m", "retrowalk.cli", "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "200"},
    ).stdout
    assert "--secure-cookies" in help_text and "--forwarded-allow-ips" in help_text
