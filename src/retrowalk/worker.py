"""The background analysis queue.

Uploads are stored with status ``queued``; a worker claims one at a time
(``queued -> running``), analyses it away from the web requests (in a process
pool by default) and writes the result and the new status in one transaction.
On start-up, recordings left ``running`` by a crash are re-queued (or marked
``failed`` after :data:`MAX_ATTEMPTS`), and files no row refers to are removed.

Run standalone with ``python -m retrowalk.worker --database-url URL --data-dir DIR``.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Protocol, TypeVar

from retrowalk.store.db import Database, default_data_dir, default_database_url
from retrowalk.store.models import Person, Recording
from retrowalk.store.progress import summarise
from retrowalk.store.repositories import Jobs

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
R = TypeVar("R")


# -- work done in a child process (plain dicts in and out) --------------------------
def _error_dict(exc: BaseException) -> dict[str, Any]:
    from retrowalk.errors import InputError, RetrowalkError

    if isinstance(exc, InputError):
        return {"ok": False, "reason": exc.reason, "line": exc.line, "field": exc.field}
    if isinstance(exc, RetrowalkError):
        return {"ok": False, "reason": str(exc), "line": None, "field": None}
    return {
        "ok": False,
        "reason": f"not a readable recording ({type(exc).__name__}: {exc})",
        "line": None,
        "field": None,
    }


def describe_file(path: str, placement: str = "auto") -> dict[str, Any]:
    """Read a file with the recording readers; a short description or an error dict."""
    try:
        from retrowalk.io import read_recording

        recording = read_recording(Path(path), placement=placement)
    except Exception as exc:
        return _error_dict(exc)
    return {
        "ok": True,
        "format": recording.format,
        "duration_s": float(recording.duration_s),
        "n_samples": recording.n_samples,
        "start_date": recording.start_time.date().isoformat() if recording.start_time else None,
    }


def analyse_file(
    path: str, options: dict[str, Any], reports_dir: str, display_name: str = ""
) -> dict[str, Any]:
    """Read and analyse one stored file; write the HTML report next to the others.

    ``display_name`` (the uploaded file's name) replaces the storage path in the
    analysis and the report.
    """
    try:
        from retrowalk.analysis import AnalysisOptions, analyze
        from retrowalk.io import read_recording

        recording = read_recording(Path(path), placement=options.get("placement", "auto"))
        if display_name:
            recording = recording.with_(path=display_name)
        analysis = analyze(recording, AnalysisOptions(**options))
        result = analysis.to_dict()
    except Exception as exc:
        return _error_dict(exc)
    report_path = None
    from retrowalk.report import write_report

    try:
        final = Path(reports_dir) / f"{uuid.uuid4().hex}.html"
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.with_name(final.stem + ".part.html")
        write_report(analysis, tmp)
        os.replace(tmp, final)
        report_path = str(final)
    except Exception as exc:  # the numbers are still worth keeping
        log.warning("report for %s failed: %s", path, exc)
    return {"ok": True, "result": result, "report_path": report_path}


# -- where CPU-heavy calls run --------------------------------------------------------
class CpuRunner(Protocol):
    """Runs a picklable function somewhere and returns its result."""

    def call(self, fn: Callable[..., R], *args: Any) -> R: ...

    def shutdown(self) -> None: ...


class InlineRunner:
    """Runs calls in the calling thread (tests, small installs)."""

    def call(self, fn: Callable[..., R], *args: Any) -> R:
        return fn(*args)

    def shutdown(self) -> None:
        return None


class ProcessRunner:
    """Runs calls in a pool of worker processes so requests keep flowing.

    Parameters
    ----------
    max_workers
        Processes in the pool.
    """

    def __init__(self, max_workers: int = 2) -> None:
        self.max_workers = max_workers
        self._lock = threading.Lock()
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.max_workers, mp_context=multiprocessing.get_context("spawn")
        )

    def call(self, fn: Callable[..., R], *args: Any) -> R:
        with self._lock:
            pool = self._pool
        try:
            return pool.submit(fn, *args).result()
        except BrokenProcessPool:
            with self._lock:
                if self._pool is pool:
                    self._pool = self._new_pool()
            raise

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


# -- the queue -------------------------------------------------------------------------
def analysis_options(person: Person, recording: Recording) -> dict[str, Any]:
    """What we know about the person, as AnalysisOptions fields."""
    age = None
    if person.birth_date is not None:
        age = round((recording.recorded_on - person.birth_date).days / 365.25, 2)
    return {
        "placement": recording.placement,
        "height_m": person.height_m,
        "weight_kg": person.weight_kg,
        "age_years": age if age is None or age >= 0 else None,
    }


def recover_stuck(db: Database, max_attempts: int = MAX_ATTEMPTS) -> list[int]:
    """Re-queue recordings left ``running`` by a crash; fail them after too many tries."""
    changed = []
    with db.transaction() as session:
        for recording in Jobs(session).stuck():
            if recording.attempts >= max_attempts:
                recording.status = "failed"
                recording.error = (
                    f"analysis was interrupted {recording.attempts} times; delete and re-upload"
                )
            else:
                recording.status = "queued"
            changed.append(recording.id)
    return changed


def sweep_orphan_files(db: Database, data_dir: Path) -> list[Path]:
    """Delete stored files and temp files that no row refers to."""
    with db.read() as session:
        keep = {str(Path(p)) for p in Jobs(session).referenced_files()}
    removed = []
    for folder in ("files", "reports", "tmp"):
        root = data_dir / folder
        if not root.exists():
            continue
        for path in root.rglob("*"):
            if path.is_file() and str(path) not in keep:
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed


def process(db: Database, data_dir: Path, recording_id: int, runner: CpuRunner) -> str:
    """Claim and analyse one recording; return its final status ('' if not claimed)."""
    with db.transaction() as session:
        jobs = Jobs(session)
        if not jobs.claim(recording_id):
            return ""
        recording = jobs.get(recording_id)
        assert recording is not None
        path, filename = recording.stored_path, recording.filename
        # The one options builder (stored calibration of the person included);
        # imported here so the web process loads the analysis stack only when needed.
        from retrowalk.app.analyse import upload_options

        options = upload_options(recording.person, recording, data_dir)
    try:
        out = runner.call(analyse_file, path, options, str(data_dir / "reports"), filename)
    except BrokenProcessPool:
        out = {"ok": False, "reason": "the analysis process stopped unexpectedly"}
    from retrowalk.analysis import SCHEMA_VERSION

    with db.transaction() as session:
        jobs = Jobs(session)
        recording = jobs.get(recording_id)
        if recording is None:  # deleted while running
            if out.get("report_path"):
                Path(out["report_path"]).unlink(missing_ok=True)
            return "deleted"
        if not out["ok"]:
            recording.status = "failed"
            recording.error = out["reason"]
            return "failed"
        result = out["result"]
        result["recording"]["path"] = filename
        jobs.add_result(
            recording,
            analysis_version=str(result.get("analysis_version", "")),
            schema_version=int(result.get("schema_version", SCHEMA_VERSION)),
            result=result,
            report_path=out["report_path"],
            **summarise(result),
        )
        recording.status = "done"
        recording.error = ""
    return "done"


def run_once(db: Database, data_dir: Path, runner: CpuRunner) -> bool:
    """Analyse the oldest queued recording, if any; True if there was one."""
    with db.read() as session:
        recording_id = Jobs(session).next_queued()
    if recording_id is None:
        return False
    process(db, data_dir, recording_id, runner)
    return True


class AnalysisWorker:
    """A background thread that drains the queue.

    Parameters
    ----------
    db, data_dir
        Where recordings and files live.
    runner
        Where the analysis itself runs (:class:`ProcessRunner` in the app).
    poll_s
        How often to look for work queued by other processes.
    """

    def __init__(
        self, db: Database, data_dir: Path, runner: CpuRunner, poll_s: float = 2.0
    ) -> None:
        self.db = db
        self.data_dir = data_dir
        self.runner = runner
        self.poll_s = poll_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        recover_stuck(self.db)
        self._thread = threading.Thread(target=self._loop, name="retrowalk-worker", daemon=True)
        self._thread.start()

    def notify(self) -> None:
        """Something was queued: look now."""
        self._idle.clear()
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Block until the queue is empty (for tests and the demo)."""
        return self._idle.wait(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                busy = run_once(self.db, self.data_dir, self.runner)
            except Exception:
                log.exception("analysis worker error")
                busy = False
            if not busy:
                self._idle.set()
                self._wake.wait(self.poll_s)


def main(argv: list[str] | None = None) -> None:
    """Run a worker process until stopped (or once with ``--once``)."""
    parser = argparse.ArgumentParser(prog="python -m retrowalk.worker")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--once", action="store_true", help="drain the queue and exit")
    args = parser.parse_args(argv)
    data_dir = Path(args.data_dir) if args.data_dir else default_data_dir()
    db = Database(args.database_url or default_database_url(data_dir))
    recover_stuck(db)
    runner = InlineRunner()
    if args.once:
        while run_once(db, data_dir, runner):
            pass
        return
    wake = threading.Event()
    while True:
        if not run_once(db, data_dir, runner):
            wake.wait(2.0)


if __name__ == "__main__":  # pragma: no cover
    main()
