"""Crash safety: interrupted uploads and analyses leave no half-written records."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from retrowalk.app.jobs.worker import process, recover_stuck, run_once, sweep_orphan_files
from retrowalk.app.services import Services
from retrowalk.store.models import AnalysisResult, Recording
from retrowalk.store.repositories import AccountScoped
from retrowalk.store.schemas import PersonIn


def _counts(services: Services) -> tuple[int, int]:
    with services.db.read() as session:
        return (
            session.scalar(select(func.count()).select_from(Recording)) or 0,
            session.scalar(select(func.count()).select_from(AnalysisResult)) or 0,
        )


def _files(services: Services) -> list[Path]:
    return [p for p in services.data_dir.rglob("*") if p.is_file()]


def _person(services: Services) -> tuple[int, int]:
    account = services.sign_up("k@example.org", "walk backward 1")
    return account, services.create_person(account, PersonIn(name="K")).id


def test_upload_failing_in_the_transaction_stores_nothing(
    services: Services, recording_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account, person = _person(services)

    def boom(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("power cut")

    monkeypatch.setattr(AccountScoped, "add_recording", boom)
    with open(recording_file, "rb") as stream, pytest.raises(RuntimeError):
        services.upload(account, person, recording_file.name, stream)
    assert _counts(services) == (0, 0)
    assert _files(services) == []


def test_analysis_failure_keeps_status_and_no_result(
    services: Services, recording_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account, person = _person(services)
    with open(recording_file, "rb") as stream:
        rec = services.upload(account, person, recording_file.name, stream)

    def boom(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    from retrowalk.store.repositories import Jobs

    monkeypatch.setattr(Jobs, "add_result", boom)
    assert process(services.db, services.data_dir, rec.id, services.runner) == "failed"
    # the result transaction rolled back: no analysis row, and no report left behind;
    # the recording failed saying so (it stayed 'running' until recovered, the queue
    # waiting on nothing), and is tried again from its page
    failed = services.get_recording(account, rec.id)
    assert failed.status == "failed" and "could not be stored" in failed.error
    assert "disk full" not in failed.error  # the details are in the server's log
    assert _counts(services) == (1, 0)
    assert not list((services.data_dir / "reports").glob("*.html"))
    monkeypatch.undo()
    assert recover_stuck(services.db) == []
    assert services.reanalyse(account, rec.id).status == "queued"
    assert run_once(services.db, services.data_dir, services.runner)
    assert _counts(services) == (1, 1)
    sweep_orphan_files(services.db, services.data_dir)  # drops the orphan report, keeps the rest
    assert services.report_file(account, rec.id) is not None
    assert Path(services.recording_file(account, rec.id)[0]).is_file()


def test_stuck_too_often_is_failed(services: Services, recording_file: Path) -> None:
    account, person = _person(services)
    with open(recording_file, "rb") as stream:
        rec = services.upload(account, person, recording_file.name, stream)
    with services.db.transaction() as session:
        row = session.get(Recording, rec.id)
        row.status, row.attempts = "running", 3
    recover_stuck(services.db)
    got = services.get_recording(account, rec.id)
    assert got.status == "failed" and "interrupted" in got.error
    assert "re-upload" in got.error  # nothing analysed to keep


def test_analysed_again_stuck_too_often_keeps_its_analysis(
    services: Services, recording_file: Path
) -> None:
    account, person = _person(services)
    with open(recording_file, "rb") as stream:
        rec = services.upload(account, person, recording_file.name, stream)
    assert run_once(services.db, services.data_dir, services.runner)
    with services.db.transaction() as session:
        row = session.get(Recording, rec.id)
        row.status, row.attempts = "running", 3  # analysed again, interrupted three times
    recover_stuck(services.db)
    got = services.get_recording(account, rec.id)
    assert got.status == "done" and _counts(services) == (1, 1)
    assert got.error == "analysing it again was interrupted 3 times; its earlier analysis is kept"


WORKER_SCRIPT = textwrap.dedent(
    """
    import sys, time
    import retrowalk.app.jobs.worker as worker

    original = worker.analyse_file

    def slow(*args):
        out = original(*args)      # the analysis is done, the report file written...
        time.sleep(60)             # ...and the process dies before writing the result
        return out

    worker.analyse_file = slow
    worker.main(sys.argv[1:])
    """
)


@pytest.mark.slow
def test_worker_killed_mid_analysis_leaves_consistent_db(
    services: Services, database_url: str, recording_file: Path
) -> None:
    """A real worker process is SIGKILLed while analysing; a restart recovers."""
    account, person = _person(services)
    with open(recording_file, "rb") as stream:
        rec = services.upload(account, person, recording_file.name, stream)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            WORKER_SCRIPT,
            "--database-url",
            database_url,
            "--data-dir",
            str(services.data_dir),
        ],
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while services.get_recording(account, rec.id).status != "running":
            assert proc.poll() is None, "worker exited early"
            assert time.monotonic() < deadline, "worker never started the analysis"
            time.sleep(0.1)
        deadline = time.monotonic() + 60
        while not list((services.data_dir / "reports").glob("*.html")):
            assert time.monotonic() < deadline, "no report written"
            time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    # consistent: the recording is 'running', no analysis row exists
    assert services.get_recording(account, rec.id).status == "running"
    assert _counts(services) == (1, 0)
    # restart: start-up recovery re-queues it and removes the orphan report
    assert recover_stuck(services.db) == [rec.id]
    removed = sweep_orphan_files(services.db, services.data_dir)
    assert [p.suffix for p in removed] == [".html"]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "retrowalk.app.jobs.worker",
            "--once",
            "--database-url",
            database_url,
            "--data-dir",
            str(services.data_dir),
        ],
        check=True,
        timeout=120,
    )
    got = services.get_recording(account, rec.id)
    assert got.status == "done" and got.summary is not None
    assert _counts(services) == (1, 1)
    assert services.report_file(account, rec.id) is not None
