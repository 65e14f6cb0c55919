"""Analysing again, all at once, the recordings another engine version analysed.

Every stored analysis carries the engine version that made it
(:func:`retrowalk.core.provenance.engine_version`). After an upgrade that changes
the engine, an account's totals, weekly progress and exports would mix numbers
of two engines until each recording is analysed again; :class:`ReanalysisMixin`
(part of :class:`retrowalk.app.services.Services`) finds those recordings and
queues them all on the analysis worker's queue (:mod:`retrowalk.app.jobs.worker`),
only the account's own (or one person's), and stops that again.

Nothing is kept besides the recordings' rows: a recording waiting or being
analysed again is ``queued`` or ``running``; one done has a result of this
engine and leaves the set; one that could not be analysed again (its file is
gone, or the analysis failed) keeps its earlier result, stays ``done`` and holds
the one-line reason in ``error``, until it is tried again. How far a run is
comes from the rows too: a recording analysed again keeps its analysis of the
other version beside the new one, and each analysis keeps why it was made
(``made_for``), so those the run analysed again are counted from the results (a page
reloaded mid-run shows the same progress), not those analysed again since the upgrade
for other reasons only.
Stopping puts the recordings still waiting for the run back to ``done`` with their
earlier analysis, untouched; the one being analysed is finished by the worker. A
recording queued for anything else as well (its ``queued_for``: its own page's
"Analyse again", a bout label, a calibration, the person's new body measures) stays
queued: stopping the upgrade never cancels what the user asked for otherwise. One
queued before the reasons were kept (``queued_for`` empty) may have been asked for,
so it stays queued too, and counts among those stopping leaves waiting. The run's
count is of what it queued (and of those whose reason is not known): older recordings
waiting for other reasons only are counted apart.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from retrowalk.app.jobs.runners import CpuRunner
from retrowalk.app.jobs.worker import FILE_GONE, process
from retrowalk.core import provenance
from retrowalk.store.db import Database
from retrowalk.store.models import QUEUE_REASONS, queue_reasons
from retrowalk.store.repositories import AccountScoped, NotFoundError

__all__ = [
    "ENGINE",
    "FILE_GONE",
    "UNKNOWN",
    "OlderEngine",
    "ReanalysisMixin",
    "Stopped",
    "Unanalysed",
    "of_run",
    "run_only",
]

WAITING = ("queued", "running")
#: The reason an upgrade's run queues a recording (what stopping it cancels).
ENGINE = "engine"
#: What stands, among the reasons stopping leaves a recording waiting for, for a
#: recording queued before the reasons were kept (it may have been asked for).
UNKNOWN = "unknown"
#: How the pages name the other reasons a recording is queued for, which stopping
#: the run leaves waiting.
KEPT_WORDS = {
    "upload": "its upload",
    "asked": "its own Analyse again",
    "labels": "a bout label",
    "calibration": "a calibration",
    "measures": "changed body measures",
    UNKNOWN: "a request made before retrowalk recorded why",
}


class Stopped(KeyboardInterrupt):
    """Analysing again in this process was interrupted and stopped cleanly.

    ``done`` were analysed again; ``state`` is the state afterwards (nothing of
    the account waits any more).
    """

    def __init__(self, done: int, state: OlderEngine) -> None:
        super().__init__(done)
        self.done = done
        self.state = state


@dataclass(frozen=True)
class Unanalysed:
    """A recording that could not be analysed again, and why (one line: runs of
    white space, line breaks included, are one space)."""

    recording_id: int
    person_id: int
    filename: str
    reason: str


@dataclass(frozen=True)
class OlderEngine:
    """An account's (or a person's) recordings analysed by another engine version.

    Attributes
    ----------
    engine_version
        The version this retrowalk computes with.
    recordings
        How many recordings' latest analysis came from another version.
    versions
        Those versions, sorted.
    pending
        How many of them the run queued (or whose reason is not known) and wait to be
        analysed again or are being analysed.
    failed
        Those that could not be analysed again and keep their earlier analysis.
    running
        The file name and percent done of the run's one being analysed, if any.
    analysed_again
        How many recordings the run analysed again with this version after another
        version's analysis (they have left ``recordings``): queued by it (or for a reason
        not known), not those analysed again for other reasons only.
    person_id
        The person they are of, or ``None`` for the whole account.
    pending_ids
        The ids of the ``pending`` recordings, oldest first.
    ids
        The ids of all ``recordings``.
    kept
        How many of the ``pending`` ones wait (not being analysed yet) for something
        else too, which stopping leaves queued: asked on their page, a bout label,
        a calibration, changed body measures, or a reason not known (queued before
        the reasons were kept).
    kept_for
        Those other reasons (:data:`~retrowalk.store.models.QUEUE_REASONS`' words, then
        :data:`UNKNOWN`).
    queued_otherwise
        How many of ``recordings`` wait for a new analysis, or are being analysed, for
        other reasons only (the run did not queue them; it neither counts nor stops them).
    queued_otherwise_for
        Those reasons (:data:`~retrowalk.store.models.QUEUE_REASONS`' words).
    waiting_ids
        The ids of every waiting one of ``recordings``, the run's or not, oldest first.
    """

    engine_version: str
    recordings: int = 0
    versions: tuple[str, ...] = ()
    pending: int = 0
    failed: tuple[Unanalysed, ...] = ()
    running: tuple[str, float | None] | None = None
    analysed_again: int = 0
    person_id: int | None = None
    pending_ids: tuple[int, ...] = field(default=(), repr=False)
    ids: tuple[int, ...] = field(default=(), repr=False)
    kept: int = 0
    kept_for: tuple[str, ...] = ()
    queued_otherwise: int = 0
    queued_otherwise_for: tuple[str, ...] = ()
    waiting_ids: tuple[int, ...] = field(default=(), repr=False)

    @property
    def stoppable(self) -> int:
        """How many waiting ones stopping sends back to their earlier analysis."""
        return self.pending - self.kept - (self.running is not None)

    @property
    def kept_words(self) -> str:
        """What else :attr:`kept` ones wait for, for a sentence ("a calibration or
        changed body measures")."""
        return _either(self.kept_for)

    @property
    def otherwise_words(self) -> str:
        """What :attr:`queued_otherwise` ones wait for, for a sentence."""
        return _either(self.queued_otherwise_for)

    @property
    def version_words(self) -> str:
        """How the versions that made them stand to this one, for a sentence: "an
        earlier version", "a later version" (after a downgrade) or "another version"."""
        relation = provenance.version_relation(self.versions, self.engine_version)
        return {"earlier": "an earlier version", "later": "a later version"}.get(
            relation, "another version"
        )

    @property
    def total(self) -> int:
        """The run's size: analysed again, could not be, and still waiting."""
        return self.analysed_again + len(self.failed) + self.pending

    @property
    def finished(self) -> int:
        """How many of :attr:`total` no longer wait (analysed again or not)."""
        return self.analysed_again + len(self.failed)

    def as_json(self) -> dict[str, object]:
        """The state as the web page's poll and the REST API give it."""
        return {
            "engine_version": self.engine_version,
            "older_recordings": self.recordings,
            "older_versions": list(self.versions),
            "older_versions_are": provenance.version_relation(self.versions, self.engine_version),
            "person_id": self.person_id,
            "pending": self.pending,
            "analysed_again": self.analysed_again,
            "total": self.total,
            "running": (
                None
                if self.running is None
                else {"filename": self.running[0], "percent": self.running[1]}
            ),
            "failed": [
                {"recording_id": f.recording_id, "filename": f.filename, "reason": f.reason}
                for f in self.failed
            ],
            "stop_cancels": self.stoppable,
            "stop_keeps": self.kept,
            "stop_keeps_for": list(self.kept_for),
            "queued_otherwise": self.queued_otherwise,
            "queued_otherwise_for": list(self.queued_otherwise_for),
        }


class ReanalysisMixin:
    """Analysing again the recordings another engine version analysed (part of ``Services``)."""

    db: Database
    data_dir: Path
    runner: CpuRunner
    on_queued: Callable[[], None]

    def older_engine(self, account_id: int, person_id: int | None = None) -> OlderEngine:
        """Which of the account's (or the person's) recordings another engine analysed."""
        engine = provenance.engine_version()
        with self.db.read() as session:
            scoped = AccountScoped(session, account_id)
            rows = scoped.older_engine_recordings(engine, person_id)
            analysed_again = scoped.analysed_again_count(engine, person_id)
            waiting = [r for r, _ in rows if r.status in WAITING]
            pending = [r for r in waiting if of_run(r.queued_for)]
            otherwise = [r for r in waiting if not of_run(r.queued_for)]
            failed = tuple(
                Unanalysed(r.id, r.person_id, r.filename, " ".join(r.error.split()))
                for r, _ in rows
                if r.status not in WAITING and r.error
            )
            running = next(
                ((r.filename, r.progress_pct) for r in pending if r.status == "running"), None
            )
            kept_for = [
                queue_reasons(r.queued_for) - {ENGINE} or {UNKNOWN}
                for r in pending
                if r.status == "queued" and not run_only(r.queued_for)
            ]
            others = frozenset().union(*kept_for)
            elsewhere = frozenset().union(*(queue_reasons(r.queued_for) for r in otherwise))
            return OlderEngine(
                engine_version=engine,
                recordings=len(rows),
                versions=tuple(sorted({v for _, v in rows})),
                pending=len(pending),
                failed=failed,
                running=running,
                analysed_again=analysed_again,
                person_id=person_id,
                pending_ids=tuple(r.id for r in pending),
                ids=tuple(r.id for r, _ in rows),
                kept=len(kept_for),
                kept_for=tuple(r for r in (*QUEUE_REASONS, UNKNOWN) if r in others),
                queued_otherwise=len(otherwise),
                queued_otherwise_for=tuple(r for r in QUEUE_REASONS if r in elsewhere),
                waiting_ids=tuple(r.id for r in waiting),
            )

    def reanalyse_older(self, account_id: int, person_id: int | None = None) -> OlderEngine:
        """Queue every recording of the account (or the person) that another engine
        version analysed.

        A recording whose uploaded file is gone is not queued: it keeps its
        earlier analysis and :data:`FILE_GONE` as its reason. Recordings already
        waiting are left as they are. Returns the state after queueing.
        """
        engine = provenance.engine_version()
        queued = 0
        with self.db.transaction() as session:
            rows = AccountScoped(session, account_id).older_engine_recordings(engine, person_id)
            for recording, _ in rows:
                if recording.status in WAITING:
                    continue
                if not Path(recording.stored_path).is_file():
                    recording.error = FILE_GONE
                    continue
                recording.status = "queued"
                recording.queued_for = ENGINE
                recording.attempts = 0
                recording.error = ""
                queued += 1
        if queued:
            self.on_queued()
        return self.older_engine(account_id, person_id)

    def stop_reanalysis(
        self, account_id: int, person_id: int | None = None, abandon: int | None = None
    ) -> OlderEngine:
        """Stop analysing again the account's (or the person's) older recordings.

        The ones still waiting for the run (queued by :meth:`reanalyse_older` alone) go
        back to ``done`` with their earlier analysis, which was never touched; the one a
        worker is analysing is left to finish (its new analysis is kept). One queued for
        anything else too (its ``queued_for``: asked on its page, a bout label, a
        calibration, changed body measures) is left waiting: stopping stops the upgrade,
        not what the user asked for. One queued before the reasons were kept may have
        been asked for: it is left waiting too. ``abandon`` names a recording whose
        analysis this process was running and gave up (the command line's Ctrl-C): it
        goes back to its earlier analysis too (or to waiting for its other reasons, or
        for a reason not known), unless a worker elsewhere holds it.
        Returns the state afterwards.
        """
        from sqlalchemy import update

        from retrowalk.app.jobs.locks import job_is_held
        from retrowalk.store.models import Recording

        engine = provenance.engine_version()
        with self.db.transaction() as session:
            scoped = AccountScoped(session, account_id)
            rows = scoped.older_engine_recordings(engine, person_id)
            waiting = [r.id for r, _ in rows if r.status == "queued" and run_only(r.queued_for)]
            back = {
                "status": "done",
                "error": "",
                "progress_stage": "",
                "progress_pct": None,
                "queued_for": "",
            }
            if waiting:
                # Only rows still queued for the run alone: one a worker claimed
                # meanwhile finishes, one queued for something else meanwhile waits.
                session.execute(
                    update(Recording)
                    .where(
                        Recording.account_id == account_id,
                        Recording.id.in_(waiting),
                        Recording.status == "queued",
                        Recording.queued_for == ENGINE,
                    )
                    .values(**back)
                    .execution_options(synchronize_session=False)
                )
            ours = {r.id: r.queued_for for r, _ in rows if r.status == "running"}
            if abandon in ours and not job_is_held(self.data_dir, abandon):
                rest = queue_reasons(ours[abandon]) - {ENGINE}
                still = {
                    "status": "queued",
                    "progress_stage": "",
                    "progress_pct": None,
                    "queued_for": ",".join(r for r in QUEUE_REASONS if r in rest),
                }
                session.execute(
                    update(Recording)
                    .where(Recording.id == abandon, Recording.status == "running")
                    .values(**(back if run_only(ours[abandon]) else still))
                    .execution_options(synchronize_session=False)
                )
        return self.older_engine(account_id, person_id)

    def reanalyse_older_here(
        self,
        account_id: int,
        report: Callable[[int, int, str, str], None] | None = None,
    ) -> tuple[int, OlderEngine]:
        """Analyse again, in this process, the account's older-engine recordings.

        For the command line: queues them as :meth:`reanalyse_older` does, then
        analyses each of the account's own in turn through the worker's
        :func:`~retrowalk.app.jobs.worker.process` (a web server's worker running
        at the same time may take some: they are left to it). ``report`` gets
        ``(number, of, filename, outcome)`` after each, the outcome being
        ``"analysed again"``, the one-line reason it failed, or that the server
        has it. Returns how many were analysed again and the state afterwards.

        Interrupted (Ctrl-C in the main thread), it stops once the recording
        being analysed is done: the first Ctrl-C only asks to stop
        (:func:`_interrupt_asks`), because an interrupt raised inside the
        database driver can leave its connection unusable and the stop itself
        unwritten. A second Ctrl-C gives the one being analysed up too, kept as
        it was. Either way it then stops as :meth:`stop_reanalysis` does and
        raises :class:`Stopped`.
        """
        waiting = self.reanalyse_older(account_id).waiting_ids
        done = 0
        current: int | None = None
        with _interrupt_asks() as asked:
            try:
                for number, recording_id in enumerate(waiting, 1):
                    if asked.is_set():
                        break
                    current = recording_id
                    done += self._reanalyse_one(
                        account_id, recording_id, number, len(waiting), report
                    )
                    current = None
            except KeyboardInterrupt:
                asked.set()
        if asked.is_set():
            after = self.stop_reanalysis(account_id, abandon=current)
            # Counted from the rows: the interrupt may come between an analysis
            # and its count.
            again = sum(1 for rid in waiting if rid not in after.ids)
            raise Stopped(again, after)
        return done, self.older_engine(account_id)

    def _reanalyse_one(
        self,
        account_id: int,
        recording_id: int,
        number: int,
        of: int,
        report: Callable[[int, int, str, str], None] | None,
    ) -> int:
        """Analyse one recording again here; 1 if it was, else 0."""
        status = process(self.db, self.data_dir, recording_id, self.runner)
        try:
            with self.db.read() as session:
                recording = AccountScoped(session, account_id).recording(recording_id)
                filename, error = recording.filename, recording.error
        except NotFoundError:
            return 0  # deleted meanwhile
        if status == "done":
            outcome = "analysed again"
        elif status == "failed":
            outcome = f"not analysed again, keeps its earlier analysis: {error}"
        else:
            outcome = "being analysed by the running web app"
        if report is not None:
            report(number, of, filename, outcome)
        return 1 if status == "done" else 0


@contextmanager
def _interrupt_asks() -> Iterator[threading.Event]:
    """While the block runs in the main thread, Ctrl-C (SIGINT) sets the event
    instead of raising :class:`KeyboardInterrupt` wherever the program is; a
    second Ctrl-C raises it as usual. Elsewhere the event is never set."""
    asked = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield asked
        return

    def ask(signum: int, frame: FrameType | None) -> None:
        if asked.is_set():
            raise KeyboardInterrupt
        asked.set()

    previous = signal.signal(signal.SIGINT, ask)
    try:
        yield asked
    finally:
        signal.signal(signal.SIGINT, previous)


def of_run(queued_for: str) -> bool:
    """Whether a recording waiting with this ``queued_for`` counts in an upgrade's run:
    the run queued it, or it was queued before the reasons were kept (it may have)."""
    reasons = queue_reasons(queued_for)
    return ENGINE in reasons or not reasons


def run_only(queued_for: str) -> bool:
    """Whether a recording waiting with this ``queued_for`` waits for an upgrade's run
    alone: what stopping the run cancels. One whose reason is not known (queued before
    the reasons were kept) may have been asked for, and is not."""
    return queue_reasons(queued_for) == {ENGINE}


def _either(reasons: tuple[str, ...]) -> str:
    """Reasons in the pages' words, for a sentence ("a calibration or changed body
    measures")."""
    words = [KEPT_WORDS[r] for r in reasons]
    return " or ".join([", ".join(words[:-1]), words[-1]] if len(words) > 1 else words)
