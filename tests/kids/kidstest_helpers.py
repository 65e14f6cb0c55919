"""Helpers of the children's tests: services on a real database, two users."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from webtest_helpers import add_person, csrf, sign_up

from retrowalk.app.kids import KidsService
from retrowalk.app.services import Services
from retrowalk.store.db import Database

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7"
    b"5\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


def months_ago(months: float, today: dt.date | None = None) -> dt.date:
    """A birth date ``months`` (of 30.44 days) before today."""
    return (today or dt.date.today()) - dt.timedelta(days=round(months * 365.25 / 12))


@pytest.fixture
def kids_service(database_url: str, tmp_path: Path) -> Iterator[KidsService]:
    """A KidsService on a fresh database with two accounts (ids in .accounts)."""
    db = Database(database_url)
    services = Services(db, tmp_path / "data")
    kids = KidsService(services, max_attachment_bytes=2048)
    a = services.sign_up("a@example.org", "correct horse")
    b = services.sign_up("b@example.org", "correct horse")
    kids.accounts = (a, b)  # type: ignore[attr-defined]
    yield kids
    db.dispose()


@dataclass
class KidsWorld:
    """Two signed-in users; A has a child with one entry that has a photo."""

    a: object
    b: object
    child_id: int
    entry_id: int
    adult_id: int


@pytest.fixture
def kids_world(app, client, other_client) -> KidsWorld:  # type: ignore[no-untyped-def]
    sign_up(client, "a@example.org")
    sign_up(other_client, "b@example.org")
    token = csrf(client, "/children")
    response = client.post(
        "/children",
        data={
            "name": "Mia",
            "birth_date": months_ago(10).isoformat(),
            "due_date": (months_ago(10) + dt.timedelta(weeks=6)).isoformat(),
            "csrf_token": token,
        },
    )
    assert response.status_code == 200 and "/children/" in str(response.url), response.text
    child_id = int(str(response.url).rsplit("/", 1)[-1])
    response = client.post(
        f"/children/{child_id}/observations",
        data={
            "csrf_token": token,
            "skill": "backward-crawling",
            "details": "crawls-only-backwards",
        },
        files={"file": ("mia.png", PNG, "image/png")},
    )
    assert response.status_code == 200, response.text
    entry_id = app.state.services.list_observations(1, child_id)[-1].id
    adult_id = add_person(client, "Dad")
    add_person(other_client, "Bob")
    return KidsWorld(client, other_client, child_id, entry_id, adult_id)


@pytest.fixture
def server_worker() -> str:
    """The children's pages need no analysis worker."""
    return "none"
