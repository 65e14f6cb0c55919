"""Fixtures and helpers of the web tests: an app per test on SQLite and on PostgreSQL.

The database and recording fixtures are in dbtest_helpers.
"""

from __future__ import annotations

import fcntl
import html
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from retrowalk.app.jobs.locks import job_lock_path
from retrowalk.store.models import Recording
from retrowalk.web.app import create_app
from retrowalk.web.settings import Settings


@contextmanager
def run_lock_held(data_dir: Path, recording_id: int) -> Iterator[None]:
    """The recording's run lock taken here for the block, as a slow analysis holds it:
    an analysis of the recording the worker starts meanwhile waits at its start."""
    lock = job_lock_path(data_dir, recording_id, "run")
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def make_settings(database_url: str, tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = dict(
        database_url=database_url,
        data_dir=tmp_path / "data",
        secret_key="test-secret",
        worker="thread",
        fast_password_hashing=True,
    )
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def app(database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    return create_app(make_settings(database_url, tmp_path))


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def other_client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """A second browser on the same server (another user)."""
    with TestClient(app) as test_client:
        yield test_client


CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


def csrf(client: TestClient, page: str = "/signin") -> str:
    """The CSRF token of the client's session (read from a page)."""
    match = CSRF_RE.search(client.get(page).text)
    assert match, "page without CSRF token"
    return match.group(1)


def sign_up(client: TestClient, email: str, password: str = "correct horse") -> None:
    token = csrf(client, "/signup")
    response = client.post(
        "/signup", data={"email": email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 200 and response.url.path == "/people", response.text


def add_person(client: TestClient, name: str = "Ann", **fields: str) -> int:
    token = csrf(client, "/people")
    response = client.post("/people", data={"name": name, "csrf_token": token, **fields})
    assert response.status_code == 200, response.text
    return int(response.url.path.rsplit("/", 1)[-1])


def upload(
    client: TestClient, person_id: int, path: Path, name: str | None = None, **form: str
) -> dict:
    token = csrf(client, "/people")
    with open(path, "rb") as stream:
        response = client.post(
            f"/people/{person_id}/recordings",
            files={"file": (name or path.name, stream)},
            data={"csrf_token": token, **form},
            headers={"accept": "application/json"},
        )
    return {**response.json(), "http": response.status_code}


def wait_for_analysis(app) -> None:  # type: ignore[no-untyped-def]
    assert app.state.worker.wait_idle(120), "analysis did not finish"


def analyse_queued(services) -> None:  # type: ignore[no-untyped-def]
    """Every recording queued, analysed here one after another, as the app's worker
    would (for an app made with ``worker="none"``)."""
    from retrowalk.app.jobs.worker import run_once

    while run_once(services.db, services.data_dir, services.runner):
        pass


def api_token(client: TestClient, email: str, password: str = "correct horse") -> dict:
    response = client.post("/api/v1/tokens", json={"email": email, "password": password})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


@dataclass
class World:
    """Two users; A owns a person with an analysed recording, B owns nothing of A's."""

    a: TestClient
    b: TestClient
    a_api: dict
    b_api: dict
    person_id: int
    recording_id: int
    token_id: int


@pytest.fixture
def world(app, client, other_client, recording_file) -> World:  # type: ignore[no-untyped-def]
    sign_up(client, "a@example.org")
    sign_up(other_client, "b@example.org")
    person_id = add_person(client, "Alice", height_m="1.68")
    rec = upload(client, person_id, recording_file)
    assert rec["http"] == 201, rec
    wait_for_analysis(app)
    a_api = api_token(client, "a@example.org")
    b_api = api_token(other_client, "b@example.org")
    a_id = client.get("/api/v1/me", headers=a_api).json()["id"]
    token_id = app.state.services.list_tokens(a_id)[0].id
    add_person(other_client, "Bob")
    return World(client, other_client, a_api, b_api, person_id, rec["id"], token_id)


def stored_path(app, recording_id: int) -> Path:  # type: ignore[no-untyped-def]
    """Where the app keeps a recording's uploaded file (to remove or damage it in a test)."""
    with app.state.services.db.read() as session:
        return Path(
            session.scalar(select(Recording.stored_path).where(Recording.id == recording_id))
        )


def calibrate_walk(  # type: ignore[no-untyped-def]
    client: TestClient,
    person: int,
    walk: Path,
    labels: str,
    placement: str = "lower_back",
    *,
    follow_redirects: bool = False,
):
    """Post ``walk`` to ``person``'s calibration form with ``labels`` and ``placement``;
    the response as sent (its redirect followed only with ``follow_redirects``)."""
    url = f"/people/{person}/calibration"
    with open(walk, "rb") as stream:
        return client.post(
            url,
            files={"file": (walk.name, stream)},
            data={"csrf_token": csrf(client, url), "labels": labels, "placement": placement},
            follow_redirects=follow_redirects,
        )


def page_words(page: str) -> str:
    """A page's (or a piece of one's) text: tags dropped, entities read, spaces joined."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
