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


def _result_versions(services: Services, recording_id: int) -> list[str]:
    from sqlalchemy import select

    with services.db.read() as session:
        return list(
            session.scalars(
                select(AnalysisResult.analysis_version)
                .where(AnalysisResult.recording_id == recording_id)
                .order_by(AnalysisResult.id)
            )
        )


def test_a_run_is_counted_from_the_rows_and_stops_cleanly(
    services: Services, recording_file: Path, tmp_path: Path
) -> None:
    from retrowalk.core.provenance import engine_version

    account = services.sign_up("run@example.org", "walk backward 1")
    other = services.sign_up("other@example.org", "walk backward 1")
    person = services.create_person(account, PersonIn(name="P")).id
    ids = []
    for i in range(4):  # the same walk, other bytes (a file is uploaded once)
        copy = tmp_path / f"r{i}.csv"
        copy.write_bytes(recording_file.read_bytes() + b"\n" * (i + 2))
        with open(copy, "rb") as stream:
            ids.append(services.upload(account, person, copy.name, stream).id)
    theirs = _upload(services, other, recording_file, tmp_path / "theirs.csv")
    while run_once(services.db, services.data_dir, services.runner):
        pass
    with services.db.transaction() as session:
        session.execute(update(AnalysisResult).values(analysis_version=EARLIER))

    started = services.reanalyse_older(account)
    assert (started.total, started.finished, started.pending) == (4, 0, 4)
    services.reanalyse_older(other)
    run_once(services.db, services.data_dir, services.runner)  # the first of the account's
    # The run's size and how far it is, read again from the rows alone (a reload).
    state = services.older_engine(account)
    assert (state.total, state.finished, state.pending, state.analysed_again) == (4, 1, 3, 1)
    assert state.as_json()["total"] == 4 and state.as_json()["analysed_again"] == 1

    # The run is stopped while the second is being analysed: that one finishes; the
    # others wait no more and keep their earlier analysis, untouched; another
    # account's run goes on.
    from retrowalk.app.jobs.runners import InlineRunner
    from retrowalk.app.jobs.worker import process

    seen: list = []

    class StoppedMidway(InlineRunner):
        def call(self, fn, *args):  # type: ignore[no-untyped-def]
            seen.append(services.stop_reanalysis(account))
            return super().call(fn, *args)

    assert process(services.db, services.data_dir, ids[1], StoppedMidway()) == "done"
    assert seen[0].pending == 1 and seen[0].running is not None  # the one running
    assert _result_versions(services, ids[1]) == [EARLIER, engine_version()]
    for rid in ids[2:]:
        recording = services.get_recording(account, rid)
        assert (recording.status, recording.error) == ("done", "")
        assert _result_versions(services, rid) == [EARLIER]
    after = services.older_engine(account)
    assert (after.pending, after.recordings, after.analysed_again, after.total) == (0, 2, 2, 2)
    assert services.get_recording(other, theirs).status == "queued"
    assert services.stop_reanalysis(other).pending == 0
    assert _result_versions(services, theirs) == [EARLIER]
