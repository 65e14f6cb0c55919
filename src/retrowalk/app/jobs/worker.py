"""The background analysis queue.

Uploads are stored with status ``queued``; a worker claims one at a time
(``queued -> running``), analyses it away from the web requests (in a process
pool by default) and writes the result and the new status in one transaction.
Only the newest result per analysis version of a recording is kept. A recording
that had a result and fails when analysed again stays ``done`` with that result
and the reason in ``error``; only a recording never analysed becomes ``failed``.
Whatever fails for one recording once it is claimed (its options cannot be built,
its file is gone, the analysis cannot be handed over, its result cannot be stored)
ends that recording's job so, with a one-line reason in words and no server path
(:func:`plain_reason`); the queue goes on with the next one.
New uploads are claimed before recordings analysed again.

A claimed job is held by two file locks in ``data_dir/locks`` (``flock``, so the
kernel releases them when the holder dies, however it dies): the *claim* lock,
held by the worker thread from before the claim until the result is written,
and the *run* lock, held by the process doing the analysis. Recovery re-queues
a ``running`` recording (or marks it ``failed`` after :data:`MAX_ATTEMPTS`)
only when neither lock is held, so a restart never runs a job that is still
running elsewhere; it runs at start-up and then every :data:`RECOVER_EVERY_S`.

The analysis processes die with the process that started them: the parent-death
signal (Linux ``prctl(PR_SET_PDEATHSIG)``) kills them at once, and a heartbeat
thread in each of them exits when its parent is gone (other systems, or a
signal missed while starting); the locks and this live in
:mod:`retrowalk.app.jobs.locks`, the runners in :mod:`retrowalk.app.jobs.runners`.
Files no row refers to are removed at start-up.

Run standalone with ``python -m retrowalk.app.jobs.worker --database-url URL --data-dir DIR``.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import threading
import time
import uuid
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from retrowalk.app.jobs.locks import _release, _try_lock, job_is_held, job_lock_path, run_locked
from retrowalk.app.jobs.runners import CpuRunner, InlineRunner
from retrowalk.store.db import Database, default_data_dir, default_database_url
from retrowalk.store.measures import measures_used
from retrowalk.store.progress import summarise
from retrowalk.store.repositories import Jobs

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
#: The reason given for a recording whose uploaded file is no longer stored.
FILE_GONE = "the uploaded file is no longer stored"
# How often a running worker looks for jobs whose holder died.
RECOVER_EVERY_S = 60.0
# Temp and stored files younger than this are never swept (an upload in flight).
SWEEP_MIN_AGE_S = 600.0


# -- work done in a child process (plain dicts in and out) --------------------------
def _error_dict(exc: BaseException) -> dict[str, Any]:
    from retrowalk.core.errors import InputError, RetrowalkError

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


def describe_file(path: str, placement: str = "auto", columns: str | None = None) -> dict[str, Any]:
    """Read a file with the recording readers; a short description or an error dict.

    ``columns`` names the columns of a table without a header line.
    """
    try:
        # The readers of analyse_file (with video files registered as a source).
        from retrowalk.app.analyse import AnalysisRequest, read_file

        recording = read_file(path, AnalysisRequest(placement=placement, columns=columns or None))
    except Exception as exc:
        return _error_dict(exc)
    return {
        "ok": True,
        "format": recording.format,
        "duration_s": float(recording.duration_s),
        "n_samples": recording.n_samples,
        "start_date": recording.start_time.date().isoformat() if recording.start_time else None,
        "frame_size": _frame_size(recording),
    }


def _frame_size(recording: Any) -> list[int] | None:
    """A video's width and height in pixels (``None`` for other recordings)."""
    video = getattr(recording, "video", None)
    return None if video is None else [int(video.width), int(video.height)]


# Stages of an analysis as the recording row shows them, with the share of the
# work done when each starts (a video's frames fill the "analysing" share).
STAGE_START_PCT = {"reading": 0.0, "analysing": 10.0, "report": 90.0}
PROGRESS_EVERY_S = 0.5


class RowProgress:
    """Writes an analysis' stage and percent into its recording row.

    Runs where the analysis runs (a pool process has its own engine); a write
    happens when the stage changes and at most every :data:`PROGRESS_EVERY_S`
    within a stage, and only while the recording is ``running``. A failed write
    is logged and the analysis goes on.

    Parameters
    ----------
    database_url
        The database of the recording.
    recording_id
        The recording being analysed.
    """

    _engines: dict[str, Any] = {}  # noqa: RUF012 - one engine per database and process

    def __init__(self, database_url: str, recording_id: int) -> None:
        self.database_url = database_url
        self.recording_id = recording_id
        self._stage = ""
        self._written_at = 0.0

    def reading(self, path: Path) -> None:
        self.report_stage("reading")

    def analysing(self, recording: Any) -> None:
        self.report_stage("analysing")

    def frame(self, index: int, total: int) -> None:
        if total > 0:
            share = STAGE_START_PCT["report"] - STAGE_START_PCT["analysing"]
            pct = STAGE_START_PCT["analysing"] + share * min(index + 1, total) / total
            self.report_stage("analysing", pct)

    def report_stage(self, stage: str, pct: float | None = None) -> None:
        """Record ``stage`` at ``pct`` percent (the stage's start when not given)."""
        now = time.monotonic()
        if stage == self._stage and now - self._written_at < PROGRESS_EVERY_S:
            return
        self._stage, self._written_at = stage, now
        pct = STAGE_START_PCT.get(stage, 0.0) if pct is None else pct
        try:
            set_progress(self._engine(), self.recording_id, stage, round(pct, 1))
        except Exception as exc:  # progress is a courtesy; the analysis matters
            log.warning("progress of recording %s not written: %s", self.recording_id, exc)

    def _engine(self) -> Any:
        engine = self._engines.get(self.database_url)
        if engine is None:
            from retrowalk.store.db import make_engine

            engine = self._engines[self.database_url] = make_engine(self.database_url)
        return engine


def set_progress(engine: Any, recording_id: int, stage: str, pct: float | None) -> None:
    """Write a running recording's analysis stage and percent."""
    from sqlalchemy import update

    from retrowalk.store.models import Recording

    with engine.begin() as connection:
        connection.execute(
            update(Recording)
            .where(Recording.id == recording_id, Recording.status == "running")
            .values(progress_stage=stage, progress_pct=pct)
        )


def analyse_file(
    path: str,
    options: dict[str, Any],
    reports_dir: str,
    display_name: str = "",
    progress_to: tuple[str, int] | None = None,
) -> dict[str, Any]:
    """Read and analyse one stored file; write the HTML report next to the others.

    ``display_name`` (the uploaded file's name) replaces the storage path in the
    analysis and the report. With ``progress_to`` (database URL, recording id)
    the stage and percent go into the recording row as the work goes on.
    """
    if not os.path.lexists(path):  # removed from the server since it was queued
        return {"ok": False, "reason": FILE_GONE, "line": None, "field": None}
    progress = RowProgress(*progress_to) if progress_to is not None else None
    try:
        # The one analyse_file of the CLI and batch (it also registers video files).
        from retrowalk.app.analyse import analyse_file as analyse_one
        from retrowalk.app.calibration import note_unreadable
        from retrowalk.pipeline import AnalysisOptions
        from retrowalk.summary.contract import to_dict

        fields = dict(options)
        video = fields.pop("video", None)  # a video's floor marks and proportions
        unreadable = fields.pop("unreadable_calibrations", ())  # damaged calibration files
        analysis = analyse_one(
            path,
            AnalysisOptions(**fields),
            display_name=display_name,
            progress=progress,
            video=video,
        )
        note_unreadable(analysis, unreadable)
        result = to_dict(analysis)
    except Exception as exc:
        return _error_dict(exc)
    report_path = None
    from retrowalk.report import write_report

    if progress is not None:
        progress.report_stage("report")

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


# -- the queue -------------------------------------------------------------------------
def recover_stuck(
    db: Database, max_attempts: int = MAX_ATTEMPTS, data_dir: Path | None = None
) -> list[int]:
    """Re-queue recordings left ``running`` by a crash; fail them after too many tries.

    With ``data_dir``, a recording whose job locks are held by a live process is
    left alone (it is still running there).
    """
    changed = []
    with db.transaction() as session:
        for recording in Jobs(session).stuck():
            if data_dir is not None and job_is_held(data_dir, recording.id):
                continue
            if recording.attempts >= max_attempts:
                kept = _has_result(session, recording.id)
                recording.status = "done" if kept else "failed"
                recording.error = interrupted_reason(recording.attempts, kept)
                recording.queued_for = ""
            else:
                recording.status = "queued"
            changed.append(recording.id)
    return changed


def interrupted_reason(attempts: int, kept: bool) -> str:
    """Why a recording is no longer tried after ``attempts`` interrupted analyses.

    ``kept``: it has an analysis from before, which it keeps and shows (analysing
    it again can be asked for from its page); else there is nothing to show and
    the file is best uploaded again.
    """
    if kept:
        return f"analysing it again was interrupted {attempts} times; its earlier analysis is kept"
    return f"analysis was interrupted {attempts} times; delete and re-upload"


def sweep_orphan_files(
    db: Database, data_dir: Path, min_age_s: float = SWEEP_MIN_AGE_S
) -> list[Path]:
    """Delete stored files and temp files that no row refers to.

    Uploaded and temp files younger than ``min_age_s`` are kept: another server
    process may be receiving them (a file is moved into place just before its
    row is written).
    """
    with db.read() as session:
        keep = {str(Path(p)) for p in Jobs(session).referenced_files()}
    removed = []
    now = time.time()
    for folder in ("files", "reports", "tmp"):
        root = data_dir / folder
        if not root.exists():
            continue
        for path in root.rglob("*"):
            if not path.is_file() or str(path) in keep:
                continue
            if folder != "reports":
                try:
                    if now - path.stat().st_mtime < min_age_s:
                        continue
                except FileNotFoundError:
                    continue
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def process(db: Database, data_dir: Path, recording_id: int, runner: CpuRunner) -> str:
    """Claim and analyse one recording; return its final status ('' if not claimed).

    The job's claim lock is held from before the claim until the result is
    written; the analysis itself runs under the job's run lock.
    """
    claim_path = job_lock_path(data_dir, recording_id, "claim")
    claim = _try_lock(claim_path)
    if claim is None:
        return ""  # another worker has it
    try:
        return _process_claimed(db, data_dir, recording_id, runner)
    finally:
        _release(claim, claim_path)


def _process_claimed(db: Database, data_dir: Path, recording_id: int, runner: CpuRunner) -> str:
    with db.transaction() as session:
        if not Jobs(session).claim(recording_id):
            return ""
    # Claimed (committed). From here on whatever goes wrong with this recording ends
    # its job with a reason on its page; it never stays queued before every later one.
    try:
        with db.read() as session:
            recording = Jobs(session).get(recording_id)
            if recording is None:  # deleted meanwhile
                return "deleted"
            path, filename = recording.stored_path, recording.filename
            # The one options builder (stored calibration of the person included);
            # imported here so the web process loads the analysis stack only when needed.
            from retrowalk.app.analyse import upload_options

            options = upload_options(recording.person, recording, data_dir)
        with db.transaction() as session:
            Jobs(session).set_started_with(
                recording_id, started_with(options, recording.queued_for)
            )
    except Exception as exc:
        log.exception("analysis of recording %s could not be set up", recording_id)
        return _end_failed(db, recording_id, setup_reason(exc))
    run_lock = str(job_lock_path(data_dir, recording_id, "run"))
    try:
        out = runner.call(
            run_locked,
            run_lock,
            analyse_file,
            path,
            options,
            str(data_dir / "reports"),
            filename,
            (db.url, recording_id),
        )
    except BrokenProcessPool:
        out = {"ok": False, "reason": "the analysis process stopped unexpectedly"}
    except TimeoutError:
        out = {"ok": False, "reason": "the analysis could not start: it is still running elsewhere"}
    except Exception as exc:  # the analysis could not be handed over or run at all
        log.exception("analysis of recording %s could not be run", recording_id)
        out = {"ok": False, "reason": unexpected_reason("the analysis could not be run", exc)}
    try:
        return _store_outcome(db, data_dir, recording_id, filename, out)
    except Exception as exc:
        log.exception("analysis of recording %s could not be stored", recording_id)
        if out.get("report_path"):
            Path(out["report_path"]).unlink(missing_ok=True)
        return _end_failed(
            db, recording_id, unexpected_reason("its analysis could not be stored", exc)
        )


def started_with(options: dict[str, Any], queued_for: str = "") -> dict[str, Any]:
    """What an analysis is started with, as kept on its recording (``started_with``):
    the person's body measures and the stored direction calibrations by placement
    (their ``created_at``) of its options (:func:`~retrowalk.app.analyse.upload_options`),
    and the reasons it was queued for (``for``: its ``queued_for``)."""
    profiles = options.get("direction_profile")
    calibrations = (
        {str(placement): str(p.created_at) for placement, p in profiles.items()}
        if isinstance(profiles, dict)
        else {}
    )
    return {
        "height_m": options.get("height_m"),
        "weight_kg": options.get("weight_kg"),
        "calibrations": calibrations,
        "for": queued_for,
    }


def _store_outcome(
    db: Database, data_dir: Path, recording_id: int, filename: str, out: dict[str, Any]
) -> str:
    """Write an analysis' result, or why it failed, into the recording; its final status."""
    from retrowalk.summary.contract import SCHEMA_VERSION

    if not out["ok"]:
        return _end_failed(db, recording_id, out["reason"])
    with db.transaction() as session:
        jobs = Jobs(session)
        recording = jobs.get(recording_id)
        if recording is None:  # deleted while running
            if out.get("report_path"):
                Path(out["report_path"]).unlink(missing_ok=True)
            return "deleted"
        recording.progress_stage = ""
        recording.progress_pct = None
        result = out["result"]
        result["recording"]["path"] = filename
        version = str(result.get("analysis_version", ""))
        started = recording.started_with if isinstance(recording.started_with, dict) else {}
        reasons = str(started.get("for", recording.queued_for))
        added = jobs.add_result(
            recording,
            analysis_version=version,
            schema_version=int(result.get("schema_version", SCHEMA_VERSION)),
            result=result,
            report_path=out["report_path"],
            **summarise(result),
            **measures_used(result),
            made_for=_made_for(session, recording_id, version, reasons),
        )
        session.flush()
        stale_reports = _drop_older_results(session, recording_id, version, added.id)
        if recording.status == "running":  # else queued again meanwhile: analysed once more
            recording.status = "done"
            recording.queued_for = ""
        recording.error = ""
    for report in stale_reports:
        report_file = Path(report)
        if data_dir in report_file.parents:
            report_file.unlink(missing_ok=True)
    return "done"


def _end_failed(db: Database, recording_id: int, reason: str) -> str:
    """End a recording's job that failed, with ``reason`` on its page ('deleted' if gone).

    A recording analysed before keeps that analysis and shows it, with the reason this
    analysis failed (an upgrade loses nothing); one never analysed becomes ``failed``.
    """
    with db.transaction() as session:
        recording = Jobs(session).get(recording_id)
        if recording is None:
            return "deleted"
        recording.progress_stage = ""
        recording.progress_pct = None
        if recording.status == "queued":  # queued again meanwhile: the next analysis tells
            return "failed"
        recording.status = "done" if _has_result(session, recording_id) else "failed"
        recording.error = plain_reason(reason)
        recording.queued_for = ""
    return "failed"


# Absolute paths of files on the server (never shown on a page): "/a/b", "/a/b.csv".
_SERVER_PATH = re.compile(r"(?<![\w.~/])/(?:[^\s/'\"()\[\]:;,]+/)+[^\s/'\"()\[\]:;,]*")
REASON_MAX_CHARS = 400


def plain_reason(reason: str) -> str:
    """``reason`` as a recording page shows it: one line, no server path, not too long."""
    line = " ".join(str(reason).split())
    line = _SERVER_PATH.sub("a file on the server", line)
    if len(line) > REASON_MAX_CHARS:
        line = line[: REASON_MAX_CHARS - 1].rstrip() + "…"
    return line or "the analysis failed for a reason that was not recorded"


def setup_reason(exc: BaseException) -> str:
    """Why a recording's analysis could not be set up (its options built), in words.

    What is stored with the recording and cannot be used (an upload setting an earlier
    version accepted) is named; anything else is said to be unexpected, its details
    left to the server's log.
    """
    from retrowalk.core.errors import InputError, RetrowalkError

    if isinstance(exc, InputError):
        name = exc.field or exc.path
        what = "" if "/" in name or "\\" in name else name.replace("_", " ") + ": "
        return (
            f"what was stored with it at upload cannot be used ({what}{exc.reason}); "
            "delete it and upload the file again"
        )
    if isinstance(exc, RetrowalkError):
        return f"the analysis could not be set up: {exc}"
    return unexpected_reason("the analysis could not be set up", exc)


def unexpected_reason(what: str, exc: BaseException) -> str:
    """``what`` failed for an unexpected reason: said in words, details in the log."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{what}: a file it needs could not be read or written ({exc.strerror.lower()})"
    return f"{what} because of an unexpected error on the server; try again later"


def _has_result(session: Any, recording_id: int) -> bool:
    """Whether a recording has a stored analysis (of any engine version)."""
    from sqlalchemy import select

    from retrowalk.store.models import AnalysisResult

    query = select(AnalysisResult.id).where(AnalysisResult.recording_id == recording_id).limit(1)
    return session.scalar(query) is not None


def _made_for(session: Any, recording_id: int, version: str, reasons: str) -> str:
    """Why a recording's new analysis of ``version`` was made (its ``made_for``):
    ``reasons`` (what it was queued for when it started) with those of the analyses of
    the same version it replaces (an upgrade's run that analysed it again stays its
    reason when a bout label has it analysed once more)."""
    from sqlalchemy import select

    from retrowalk.store.models import AnalysisResult, joined_reasons, queue_reasons

    earlier = session.scalars(
        select(AnalysisResult.made_for).where(
            AnalysisResult.recording_id == recording_id,
            AnalysisResult.analysis_version == version,
        )
    )
    return joined_reasons(queue_reasons(reasons).union(*(queue_reasons(r) for r in earlier)))


def _drop_older_results(session: Any, recording_id: int, version: str, keep_id: int) -> list[str]:
    """Delete the older results of a recording with the same analysis version.

    Returns their report files (removed by the caller after the commit).
    """
    from sqlalchemy import delete, select

    from retrowalk.store.models import AnalysisResult

    older = (
        AnalysisResult.recording_id == recording_id,
        AnalysisResult.analysis_version == version,
        AnalysisResult.id != keep_id,
    )
    reports = [p for p in session.scalars(select(AnalysisResult.report_path).where(*older)) if p]
    session.execute(delete(AnalysisResult).where(*older))
    return reports


def run_once(db: Database, data_dir: Path, runner: CpuRunner) -> bool:
    """Analyse the oldest queued recording, if any; True if one was analysed."""
    with db.read() as session:
        recording_id = Jobs(session).next_queued()
    if recording_id is None:
        return False
    # Not claimed (another worker holds it, e.g. one queued again while it runs
    # there): nothing was done, so the caller waits before looking again.
    return process(db, data_dir, recording_id, runner) != ""


class AnalysisWorker:
    """A background thread that drains the queue.

    One thread per worker however often it is started: :meth:`start` and
    :meth:`stop` are counted (an app entered by several test clients, or by a
    server and a test client, starts it once and stops it with the last).

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
        self,
        db: Database,
        data_dir: Path,
        runner: CpuRunner,
        poll_s: float = 2.0,
        recover_every_s: float = RECOVER_EVERY_S,
    ) -> None:
        self.db = db
        self.data_dir = data_dir
        self.runner = runner
        self.poll_s = poll_s
        self.recover_every_s = recover_every_s
        self._recovered_at = 0.0
        self._wake = threading.Event()
        self._stop = threading.Event()
        # Idle bookkeeping: every notify() asks for a new look at the queue
        # (``_asked``); the loop records the last request it had seen when a look
        # found nothing queued (``_answered``). Waiting for idle is waiting until
        # a look that began after the wait found the queue empty.
        self._state = threading.Condition()
        self._asked = 0
        self._answered = -1
        self._starts = 0
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread (only the first of several starts does)."""
        with self._state:
            self._starts += 1
            self._stop.clear()  # a thread still finishing after a stop goes on
            if self._thread is not None and self._thread.is_alive():
                return
            recover_stuck(self.db, data_dir=self.data_dir)
            self._recovered_at = time.monotonic()
            self._thread = threading.Thread(target=self._loop, name="retrowalk-worker", daemon=True)
            self._thread.start()

    def notify(self) -> None:
        """Something was queued: look now."""
        with self._state:
            self._asked += 1
        self._wake.set()

    def stop(self) -> bool:
        """Stop the thread when the last start is matched; True if it stopped."""
        with self._state:
            self._starts = max(0, self._starts - 1)
            if self._starts:
                return False
            thread = self._thread
            self._stop.set()
        self._wake.set()
        if thread is not None:
            thread.join(timeout=10)
        return True

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Block until the queue is empty (for tests and the demo).

        Empty means that a look at the queue begun after this call found nothing
        queued: what was queued before it has been analysed by this worker's one
        thread (or claimed by another process's worker).
        """
        deadline = time.monotonic() + timeout
        with self._state:
            self._asked += 1
            wanted = self._asked
        self._wake.set()
        with self._state:
            while self._answered < wanted:
                left = deadline - time.monotonic()
                if left <= 0 or self._thread is None or not self._thread.is_alive():
                    return False
                self._state.wait(min(left, 0.5))
            return True

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            with self._state:
                asked = self._asked
            try:
                if time.monotonic() - self._recovered_at > self.recover_every_s:
                    self._recovered_at = time.monotonic()
                    recover_stuck(self.db, data_dir=self.data_dir)
                busy = run_once(self.db, self.data_dir, self.runner)
            except Exception:
                log.exception("analysis worker error")
                busy = False
            if not busy:
                with self._state:
                    self._answered = max(self._answered, asked)
                    self._state.notify_all()
                self._wake.wait(self.poll_s)


def main(argv: list[str] | None = None) -> None:
    """Run a worker process until stopped (or once with ``--once``)."""
    parser = argparse.ArgumentParser(prog="python -m retrowalk.app.jobs.worker")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--once", action="store_true", help="drain the queue and exit")
    args = parser.parse_args(argv)
    data_dir = Path(args.data_dir) if args.data_dir else default_data_dir()
    db = Database(args.database_url or default_database_url(data_dir))
    recover_stuck(db, data_dir=data_dir)
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
