"""Implausible values are refused with a clear message: on the API, the pages and the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sechelpers import browser, csrf, running_server, sign_up, token_headers


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"name": "Old", "birth_date": "1800-05-01"}, "before 1900"),
        ({"name": "Light", "weight_kg": 1}, "weight_kg"),
        ({"name": "Future", "birth_date": "2099-01-01"}, "future"),
        ({"name": "Tiny", "height_m": 0.5}, "height_m"),
    ],
)
def test_person_ranges_on_the_api(
    database_url: str, tmp_path: Path, body: dict[str, object], words: str
) -> None:
    with running_server(database_url, tmp_path) as base, browser(base) as http:
        sign_up(http, "range@example.org")
        auth = token_headers(http, "range@example.org")
        r = http.post("/api/v1/people", headers=auth, json=body)
        assert r.status_code == 422 and words in r.text, r.text
        assert http.get("/api/v1/people", headers=auth).json() == []


def test_dates_and_test_times_on_the_api(database_url: str, tmp_path: Path) -> None:
    with running_server(database_url, tmp_path) as base, browser(base) as http:
        sign_up(http, "dates@example.org")
        auth = token_headers(http, "dates@example.org")
        pid = http.post("/api/v1/people", headers=auth, json={"name": "Bo"}).json()["id"]
        for day, words in (("0001-01-01", "before 1900"), ("2099-01-01", "in the future")):
            r = http.post(
                f"/api/v1/people/{pid}/observations",
                headers=auth,
                json={"date": day, "kind": "note", "payload": {}},
            )
            assert r.status_code == 422 and words in r.text, r.text
        fast = http.post(
            f"/api/v1/people/{pid}/tests/3mbwt",
            headers=auth,
            json={"date": "2025-03-01", "time_s": 0.01, "group": "community"},
        )
        assert fast.status_code == 422 and "time_s" in fast.text, fast.text
        assert http.get(f"/api/v1/people/{pid}/tests/3mbwt", headers=auth).json() == []


def test_recording_date_in_2099_is_refused(
    database_url: str, tmp_path: Path, recording_file: Path
) -> None:
    with running_server(database_url, tmp_path) as base, browser(base) as http:
        sign_up(http, "rec@example.org")
        auth = token_headers(http, "rec@example.org")
        pid = http.post("/api/v1/people", headers=auth, json={"name": "Cy"}).json()["id"]
        with open(recording_file, "rb") as stream:
            r = http.post(
                f"/api/v1/people/{pid}/recordings",
                headers=auth,
                files={"file": (recording_file.name, stream)},
                data={"recorded_on": "2099-01-01"},
            )
        assert r.status_code in (400, 422) and "future" in r.text, r.text
        assert http.get(f"/api/v1/people/{pid}/recordings", headers=auth).json() == []


def test_person_form_shows_the_range_message(database_url: str, tmp_path: Path) -> None:
    with running_server(database_url, tmp_path) as base, browser(base) as http:
        sign_up(http, "form@example.org")
        r = http.post(
            "/people",
            data={"name": "Old", "birth_date": "1800-05-01", "csrf_token": csrf(http, "/people")},
        )
        assert r.status_code == 400 and "before 1900" in r.text


def test_cli_refuses_an_implausible_test_time(tmp_path: Path) -> None:
    env = {**os.environ, "RETROWALK_DATA_DIR": str(tmp_path)}
    env.pop("RETROWALK_DATABASE_URL", None)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "retrowalk.cli",
            "test",
            "3mbwt",
            "--time",
            "0.01",
            "--save",
            "--person",
            "Ann",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "time_s" in lines[0] and "Traceback" not in run.stderr
