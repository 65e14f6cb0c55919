"""Migrations, account scoping, progress numbers, demo seeding."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from retrowalk.app.accounts import ConflictError
from retrowalk.app.jobs.worker import run_once
from retrowalk.app.services import Services, seed_demo
from retrowalk.app.signin_limit import RateLimitedError
from retrowalk.store.db import Database, default_database_url, upgrade
from retrowalk.store.progress import step_time_cv_pct, summarise, weekly
from retrowalk.store.repositories import AccountScoped, NotFoundError
from retrowalk.store.schemas import PersonIn


def test_migrations_create_every_table(db: Database) -> None:
    tables = set(inspect(db.engine).get_table_names())
    assert {
        "account",
        "api_token",
        "person",
        "walk_session",
        "recording",
        "analysis_result",
        "observation",
        "plan",
        "web_session",
        "signin_failure",
        "alembic_version",
    } <= tables
    upgrade(db.engine)  # running again is a no-op
    with db.engine.connect() as conn:
        assert conn.execute(text("select version_num from alembic_version")).scalar() == "0003"


def test_sqlite_uses_wal(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    with db.engine.connect() as conn:
        assert conn.execute(text("pragma journal_mode")).scalar() == "wal"
        assert conn.execute(text("pragma foreign_keys")).scalar() == 1


def test_default_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("RETROWALK_DATABASE_URL", raising=False)
    monkeypatch.setenv("RETROWALK_DATA_DIR", str(tmp_path))
    assert default_database_url() == f"sqlite:///{tmp_path / 'retrowalk.db'}"
    monkeypatch.setenv("RETROWALK_DATABASE_URL", "postgresql://u@h/db")
    assert default_database_url() == "postgresql+psycopg://u@h/db"


def test_repositories_are_scoped(services: Services) -> None:
    a = services.sign_up("a@example.org", "walk backward 1")
    b = services.sign_up("b@example.org", "walk backward 1")
    pa = services.create_person(a, PersonIn(name="A1"))
    with services.db.read() as session:
        with pytest.raises(NotFoundError):
            AccountScoped(session, b).person(pa.id)
        assert AccountScoped(session, b).people() == []
        with pytest.raises(NotFoundError):
            AccountScoped(session, b).observations(pa.id)
    with pytest.raises(NotFoundError):
        services.delete_person(b, pa.id)
    with pytest.raises(NotFoundError):
        services.update_person(b, pa.id, PersonIn(name="taken"))
    assert services.get_person(a, pa.id).name == "A1"


def test_accounts_and_limiter(services: Services) -> None:
    services.sign_up("Me@Example.org", "walk backward 1")
    with pytest.raises(ConflictError):
        services.sign_up("me@example.org", "walk backward 2")
    assert services.sign_in("me@example.org", "walk backward 1") > 0
    for _ in range(5):
        with pytest.raises(Exception, match="wrong email"):
            services.sign_in("me@example.org", "nope", client="1.2.3.4")
    with pytest.raises(RateLimitedError):  # the guessing address waits
        services.sign_in("me@example.org", "walk backward 1", client="1.2.3.4")
    # The owner elsewhere is not locked out by someone else's guesses.
    assert services.sign_in("me@example.org", "walk backward 1", client="5.6.7.8") > 0


def _bout(start: float, end: float, direction: str, **kw: float) -> dict:
    return {"start_s": start, "end_s": end, "direction": direction, "n_steps": 10, **kw}


def test_summarise_and_weekly() -> None:
    result = {
        "bouts": [
            _bout(0, 10, "backward", speed_mps=0.5, cadence_spm=90, distance_m=5),
            _bout(10, 40, "backward", speed_mps=1.0, cadence_spm=100, distance_m=30),
            _bout(40, 60, "forward", speed_mps=1.4, cadence_spm=110, distance_m=28),
        ],
        "steps": [{"time_s": 0.6 * i, "bout": 0, "direction": "backward"} for i in range(8)],
    }
    s = summarise(result)
    assert s["backward_steps"] == 20 and s["backward_distance_m"] == 35
    assert s["backward_speed_mps"] == pytest.approx((0.5 * 10 + 1.0 * 30) / 40, abs=1e-3)
    assert s["cadence_spm"] == pytest.approx(97.5)
    assert s["step_time_cv_pct"] == pytest.approx(0.0, abs=1e-6)
    assert step_time_cv_pct([], "backward") is None
    weeks = weekly([(dt.date(2025, 3, 5), s), (dt.date(2025, 3, 9), s), (dt.date(2025, 3, 10), s)])
    assert [w.week_start for w in weeks] == [dt.date(2025, 3, 3), dt.date(2025, 3, 10)]
    assert weeks[0].backward_distance_m == 70 and weeks[0].recordings == 2


def test_seed_demo_is_repeatable(services: Services) -> None:
    first = seed_demo(services)
    assert seed_demo(services) == first
    account, person, recording = first
    assert services.get_recording(account, recording).status == "queued"
    assert run_once(services.db, services.data_dir, services.runner)
    assert services.get_recording(account, recording).status == "done"
    assert services.get_person(account, person).name == "Demo walker"
