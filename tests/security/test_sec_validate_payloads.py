"""One malformed record must not break a page: payloads are checked per kind on the
way in (422 naming the field), bad rows already stored are skipped by the pages and
listed (with their problem) and deletable through the API (real server)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from sechelpers import browser, running_server, sign_up, token_headers

from retrowalk.store.db import Database
from retrowalk.store.models import Observation, Person, Plan

BAD_INPUTS = [
    ("plans", {"goal": "x"}, "payload"),
    ("observations", {"date": "2025-03-01", "kind": "test_3mbwt", "payload": {}}, "time_s"),
    (
        "observations",
        {"date": "2025-03-01", "kind": "coach_log", "payload": {"backward_min": "lots"}},
        "backward_min",
    ),
    (
        "observations",
        {"date": "2025-03-01", "kind": "child_skill", "payload": {"skill": "x", "details": 5}},
        "details",
    ),
]
BAD_ROWS: list[tuple[str, dict[str, Any]]] = [
    ("test_3mbwt", {}),
    ("coach_log", {"backward_min": "lots"}),
    ("child_skill", {"skill": "walk_backward", "details": 5}),
    ("coach_stage", {"stage": 3}),
    ("coach_screening", {"answers": "none"}),
]


def _setup(http: httpx.Client) -> tuple[dict[str, str], int, int]:
    sign_up(http, "bad@example.org")
    auth = token_headers(http, "bad@example.org")
    adult = http.post(
        "/api/v1/people", headers=auth, json={"name": "Ada", "birth_date": "1950-02-03"}
    ).json()["id"]
    child = http.post(
        "/api/v1/people",
        headers=auth,
        json={"name": "Kit", "kind": "child", "birth_date": "2024-01-10"},
    ).json()["id"]
    good = http.post(
        f"/api/v1/people/{adult}/tests/3mbwt",
        headers=auth,
        json={"date": "2025-03-01", "time_s": 6.4, "group": "community"},
    )
    assert good.status_code == 201, good.text
    return auth, adult, child


@pytest.mark.parametrize(("what", "body", "field"), BAD_INPUTS)
def test_malformed_payload_is_refused_naming_the_field(
    database_url: str, tmp_path: Path, what: str, body: dict[str, Any], field: str
) -> None:
    with running_server(database_url, tmp_path) as base, browser(base) as http:
        auth, adult, child = _setup(http)
        person = child if body.get("kind") == "child_skill" else adult
        before = http.get(f"/api/v1/people/{person}/{what}", headers=auth).json()
        r = http.post(f"/api/v1/people/{person}/{what}", headers=auth, json=body)
        assert r.status_code == 422, r.text
        assert field in r.text
        assert http.get(f"/api/v1/people/{person}/{what}", headers=auth).json() == before


def _insert_bad_rows(database_url: str, adult: int, child: int) -> None:
    db = Database(database_url, migrate=False)
    try:
        with db.transaction() as session:
            account_id = session.get(Person, adult).account_id  # type: ignore[union-attr]
            for kind, payload in BAD_ROWS:
                person = child if kind == "child_skill" else adult
                session.add(
                    Observation(
                        account_id=account_id,
                        person_id=person,
                        date=dt.date(2025, 3, 2),
                        kind=kind,
                        payload=payload,
                        note="",
                    )
                )
            session.add(Plan(account_id=account_id, person_id=adult, goal="x", payload={}))
    finally:
        db.dispose()


def test_pages_render_with_malformed_rows_and_rows_can_be_deleted(
    database_url: str, tmp_path: Path
) -> None:
    with running_server(database_url, tmp_path) as base, browser(base) as http:
        auth, adult, child = _setup(http)
        _insert_bad_rows(database_url, adult, child)
        pages = [
            f"/people/{adult}",
            f"/people/{adult}/coach",
            f"/people/{adult}/coach/log",
            f"/people/{adult}/tests/3mbwt",
            f"/people/{adult}/report",
            "/clinic",
            f"/children/{child}",
            f"/children/{child}/guide",
            f"/children/{child}/summary",
            f"/children/{child}/summary.csv",
            f"/people/{adult}/export",
        ]
        for path in pages:
            r = http.get(path)
            assert r.status_code == 200, (path, r.status_code, r.text[-500:])
        clinic = http.get("/clinic").text
        assert "Ada" in clinic and re.search(r"6\.4", clinic)  # the good test still shows
        api = [
            "/api/v1/clinic",
            f"/api/v1/people/{adult}/coach",
            f"/api/v1/people/{adult}/tests/3mbwt",
            f"/api/v1/people/{adult}/coach/logs",
            f"/api/v1/children/{child}/observations",
            f"/api/v1/people/{adult}/export",
        ]
        for path in api:
            r = http.get(path, headers=auth)
            assert r.status_code == 200, (path, r.status_code, r.text[-500:])
        # The generic API lists the bad rows with their problem, and deletes them.
        for person in (adult, child):
            listed = http.get(f"/api/v1/people/{person}/observations", headers=auth).json()
            bad = [o for o in listed if o["problem"]]
            assert bad and all("payload" in o["problem"] for o in bad)
            for o in bad:
                r = http.delete(f"/api/v1/observations/{o['id']}", headers=auth)
                assert r.status_code == 204
            left = http.get(f"/api/v1/people/{person}/observations", headers=auth).json()
            assert not any(o["problem"] for o in left)
        plans = http.get(f"/api/v1/people/{adult}/plans", headers=auth).json()
        assert [p["problem"] is not None for p in plans] == [True]
        assert http.delete(f"/api/v1/plans/{plans[0]['id']}", headers=auth).status_code == 204
        assert http.get(f"/api/v1/people/{adult}/plans", headers=auth).json() == []
