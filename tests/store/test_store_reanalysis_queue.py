"""Analysing again after an upgrade, on the store: the worker claims new uploads
before recordings queued to be analysed again, and an account's call queues only
its own recordings. SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import update

from retrowalk.app.jobs.worker import run_once
from retrowalk.app.services import Services
from retrowalk.store.models import AnalysisResult
from retrowalk.store.repositories import Jobs
from retrowalk.store.schemas import PersonIn

EARLIER = "0.0.1+earlier-engine"


def _upload(services: Services, account: int, source: Path, copy: Path) -> int:
    person = services.create_person(account, PersonIn(name="P")).id
    copy.write_bytes(source.read_bytes() + b"\n")
    with open(copy, "rb") as stream:
        return services.upload(account, person, copy.name, stream).id


def test_new_uploads_go_before_analyses_again(
    services: Services, recording_file: Path, tmp_path: Path
) -> None:
    first = services.sign_up("first@example.org", "walk backward 1")
    second = services.sign_up("second@example.org", "walk backward 1")
    older = _upload(services, first, recording_file, tmp_path / "older.csv")
    while run_once(services.db, services.data_dir, services.runner):
        pass
    with services.db.transaction() as session:
        session.execute(update(AnalysisResult).values(analysis_version=EARLIER))

    assert services.older_engine(second).recordings == 0
    assert services.reanalyse_older(second).pending == 0  # nothing of the first account's
    assert services.get_recording(first, older).status == "done"
    state = services.reanalyse_older(first)
    assert (state.recordings, state.pending, state.versions) == (1, 1, (EARLIER,))

    new = _upload(services, second, recording_file, tmp_path / "new.csv")
    assert new > older
    with services.db.read() as session:
        assert Jobs(session).next_queued() == new  # the new upload first
    run_once(services.db, services.data_dir, services.runner)
    with services.db.read() as session:
        assert Jobs(session).next_queued() == older
