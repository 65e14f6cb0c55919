"""The sign-in slow-down: kept in the database, per e-mail and client address,
exponential instead of a lockout, forwarded headers believed only when configured
(real uvicorn servers on 127.0.0.1, SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sechelpers import PASSWORD, browser, running_server, sign_in, sign_up

from browser_helpers import free_port

WRONG = "not the password"


def _fail(http: httpx.Client, email: str, times: int, **headers: str) -> list[int]:
    codes = []
    for _ in range(times):
        r = http.post("/api/v1/tokens", json={"email": email, "password": WRONG}, headers=headers)
        codes.append(r.status_code)
    return codes


def test_owner_waits_seconds_not_minutes(database_url: str, tmp_path: Path) -> None:
    """After the free failures the right password works again once the short wait is over."""
    with (
        running_server(
            database_url, tmp_path, signin_base_delay_s=1.0, signin_max_delay_s=2.0
        ) as base,
        browser(base) as http,
    ):
        sign_up(http, "owner@example.org")
        assert _fail(http, "owner@example.org", 5) == [401] * 5
        refused = sign_in(http, "owner@example.org")
        assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 2
        time.sleep(1.2)
        assert sign_in(http, "owner@example.org").status_code == 303


def test_other_accounts_from_the_same_address_are_not_blocked(
    database_url: str, tmp_path: Path
) -> None:
    with running_server(database_url, tmp_path, signin_base_delay_s=60.0) as base:
        with browser(base) as a, browser(base) as b:
            sign_up(a, "victim@example.org")
            sign_up(b, "colleague@example.org")
        with browser(base) as attacker:
            assert _fail(attacker, "victim@example.org", 6)[-1] == 429
            # Same address (127.0.0.1), another account: not affected.
            ok = attacker.post(
                "/api/v1/tokens", json={"email": "colleague@example.org", "password": PASSWORD}
            )
            assert ok.status_code == 201
            assert sign_in(attacker, "colleague@example.org").status_code == 303


def test_rotating_forwarded_for_does_not_reset_the_count(database_url: str, tmp_path: Path) -> None:
    """Without a configured proxy, X-Forwarded-For is ignored (every guess counts)."""
    with (
        running_server(database_url, tmp_path, signin_base_delay_s=60.0) as base,
        browser(base) as http,
    ):
        sign_up(http, "xff@example.org")
        codes = [
            _fail(http, "xff@example.org", 1, **{"X-Forwarded-For": f"10.0.0.{i}"})[0]
            for i in range(7)
        ]
        assert codes[:5] == [401] * 5 and codes[5:] == [429, 429]


def test_forwarded_for_is_believed_from_a_configured_proxy(
    database_url: str, tmp_path: Path
) -> None:
    """Behind a configured proxy the real client address is the key: one client's
    guesses do not slow down another client of the same proxy."""
    with (
        running_server(
            database_url, tmp_path, signin_base_delay_s=60.0, forwarded_allow_ips="127.0.0.1"
        ) as base,
        browser(base) as http,
    ):
        sign_up(http, "proxy@example.org")
        guesser = {"X-Forwarded-For": "203.0.113.7"}
        assert _fail(http, "proxy@example.org", 6, **guesser)[-1] == 429
        owner = http.post(
            "/api/v1/tokens",
            json={"email": "proxy@example.org", "password": PASSWORD},
            headers={"X-Forwarded-For": "198.51.100.20"},
        )
        assert owner.status_code == 201


def test_count_survives_a_restart(database_url: str, tmp_path: Path) -> None:
    """The failures are in the database: a new server process sees them."""
    with (
        running_server(database_url, tmp_path, signin_base_delay_s=60.0) as base,
        browser(base) as http,
    ):
        sign_up(http, "restart@example.org")
        assert _fail(http, "restart@example.org", 5) == [401] * 5
    with (
        running_server(database_url, tmp_path, signin_base_delay_s=60.0) as base,
        browser(base) as http,
    ):
        assert _fail(http, "restart@example.org", 1) == [429]
        assert sign_in(http, "restart@example.org").status_code == 429


def test_count_is_shared_by_several_server_processes(tmp_path: Path) -> None:
    """``retrowalk serve --workers 3``: every process counts into the same rows."""
    port = free_port()
    env = {
        **os.environ,
        "RETROWALK_DATA_DIR": str(tmp_path / "data"),
        "RETROWALK_REQUEST_THREADS": "4",
    }
    env.pop("RETROWALK_DATABASE_URL", None)
    cmd = [sys.executable, "-m", "retrowalk.cli", "serve", "--port", str(port), "--workers", "3"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/signin", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                out = proc.stdout.read().decode() if proc.stdout else ""
                pytest.fail(f"server did not start: {out[-2000:]}")
            time.sleep(0.3)
        with browser(base) as http:
            sign_up(http, "workers@example.org")
        attempts: list[tuple[float, float, int]] = []  # (start, end, status)
        for _ in range(10):
            # A new connection each time, so the kernel spreads them over the processes.
            with browser(base) as http:
                start = time.monotonic()
                code = _fail(http, "workers@example.org", 1)[0]
                attempts.append((start, time.monotonic(), code))
        codes = [code for _, _, code in attempts]
        assert codes[:5] == [401] * 5, codes
        # Every attempt started within the first wait (2 s) after the fifth failure
        # is refused, whichever process answers it.
        fifth_end = attempts[4][1]
        early = [code for start, _, code in attempts[5:] if start - fifth_end < 1.8]
        assert early and set(early) == {429}, attempts
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
