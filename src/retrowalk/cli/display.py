"""What the analysis commands show: progress on stderr, the bout table, the option choices."""

from __future__ import annotations

import threading
import time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from retrowalk.cli.support import lazy_console
from retrowalk.core.types import WORN_PLACEMENTS, Placement

if TYPE_CHECKING:
    from rich.console import Console

    from retrowalk.app.analyse import AnalysisRequest, SetAside
    from retrowalk.core.recording import Recording
    from retrowalk.core.results import Analysis

# Start-up time: the analysis stack (numpy/scipy, readers, pipelines) is imported
# inside run_analysis, so ``retrowalk --help`` does not load it.

err_console = lazy_console(stderr=True)
out_console = lazy_console()


#: ``--placement`` choices: "auto" or a body-worn placement, from the one declaration in core.
PlacementChoice = StrEnum(  # type: ignore[misc]
    "PlacementChoice", {p: str(p) for p in (Placement.AUTO, *WORN_PLACEMENTS)}
)
AUTO_PLACEMENT = PlacementChoice(Placement.AUTO)
#: The placements a calibration is stored for (``retrowalk calibrate --remove``).
StoredPlacement = StrEnum(  # type: ignore[misc]
    "StoredPlacement", {p: str(p) for p in WORN_PLACEMENTS}
)

#: ``--placement``'s help: what each body-worn placement means.
PLACEMENT_HELP = (
    "Where the device was worn: lower_back at the back of the waist, over the spine "
    "(worn at the front or on the hip, calibrate for a walking direction); pocket in a "
    "trouser pocket; foot on a shoe or the foot."
)


class AccUnit(StrEnum):
    auto = "auto"
    g = "g"
    mg = "mg"
    mps2 = "mps2"


class GyroUnit(StrEnum):
    auto = "auto"
    dps = "dps"
    rads = "rads"


class _Status:
    """Shows what :func:`retrowalk.app.analyse.analyse_file` is doing on stderr."""

    def __init__(self, console: Console, show: bool) -> None:
        self.console = console
        self.show = show
        self._status: Any = None
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> _Status:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop()

    def _stop(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def reading(self, path: Path) -> None:
        if self.show:
            self._status = self.console.status(f"Reading {path.name}…", spinner="dots")
            self._status.start()

    def analysing(self, recording: Recording) -> None:
        if self._status is not None:
            self._status.update(f"Analysing {recording.duration_s / 60:.1f} min of data…")
        # retrowalk.video is loaded by now (retrowalk.app.analyse registers it).
        from retrowalk.video import VIDEO_FORMAT

        if recording.format == VIDEO_FORMAT and self.show:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self._stop()
            self._bar = Progress(
                TextColumn("Analysing video"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("frames"),
                TimeRemainingColumn(),
                console=self.console,
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("video", total=recording.n_samples)

    def frame(self, index: int, total: int) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=index + 1, total=total)


def run_analysis(
    recording_path: Path,
    request: AnalysisRequest,
    *,
    show_progress: bool = True,
    set_aside: SetAside | None = None,
) -> Analysis:
    """Read and analyse one file (:func:`retrowalk.app.analyse.analyse_file`), showing
    progress; ``set_aside`` is told of the stored calibrations of other placements that
    cannot be used (:data:`retrowalk.app.analyse.SetAside`)."""
    from retrowalk.app.analyse import analyse_file

    with _Status(err_console, show_progress) as status:
        return analyse_file(recording_path, request, progress=status, set_aside=set_aside)


def print_summary(analysis: Analysis, console: Console) -> None:
    """A short human-readable table of the bouts found."""
    from rich.table import Table

    from retrowalk.report import display as shown
    from retrowalk.summary.contract import summary_totals

    rec = analysis.recording
    console.print(
        f"[bold]{Path(rec.path).name}[/bold]: {rec.format}, {shown.duration(rec.duration_s)} at "
        f"{rec.sampling_rate_hz:g} Hz, placement {analysis.placement}"
    )
    support = analysis.sections.get("placement_support") or {}
    if support.get("reason"):
        from retrowalk.report.content import without_figures

        console.print(without_figures(str(support["reason"])), markup=False, highlight=False)
    table = Table(title=f"{len(analysis.bouts)} walking bouts")
    for column in ("start s", "end s", "direction", "steps", "cadence /min", "speed m/s", "dist m"):
        table.add_column(column, justify="right")
    for bout in analysis.bouts:
        table.add_row(
            shown.time_s(bout.start_s),
            shown.time_s(bout.end_s),
            bout.direction,
            str(bout.n_steps),
            shown.cadence(bout.cadence_spm),
            shown.speed(bout.speed_mps),  # no value: shown.MISSING, as on the pages
            shown.distance(bout.distance_m),
        )
    console.print(table)
    for direction in ("forward", "backward", "uncertain"):
        totals = summary_totals(analysis.bouts, direction)
        if direction == "uncertain" and not totals["steps"]:
            continue
        console.print(
            f"{direction:>9}: {totals['steps']} steps, {shown.duration(totals['duration_s'])}, "
            f"{shown.distance(totals['distance_m'])} m"
        )
    if analysis.assumptions.get("direction_profile"):  # a calibration was offered
        from retrowalk.report.content import calibration_text

        text = calibration_text({"assumptions": analysis.assumptions})
        console.print(text, markup=False, highlight=False)
    for line in uncertain_reasons(analysis) or no_walking_reasons(analysis):
        console.print(line, markup=False, highlight=False)
    tip = calibration_tip(analysis)
    if tip:
        console.print(tip, markup=False, highlight=False)


def calibration_tip(analysis: Analysis) -> str:
    """How to make the calibration that would tell the direction of this recording's
    uncertain walking (:func:`~retrowalk.app.calibration.calibration_would_tell`, as
    the recording's web page decides it), or "". The walk to make is the
    calibration page's."""
    from retrowalk.app.calibration import INSTRUCTIONS, calibration_would_tell

    placement = str(analysis.placement)
    reasons = (
        str(b.extra.get("direction_reason") or "")
        for b in analysis.bouts
        if b.direction == "uncertain"
    )
    if not calibration_would_tell(
        placement, bool(analysis.assumptions.get("direction_profile")), reasons
    ):
        return ""
    return (
        "To tell forward from backward here, calibrate once: "
        f"{INSTRUCTIONS[placement]} Then: retrowalk calibrate WALK --labels "
        f"forward,backward --placement {placement} (WALK: that recording). Later "
        "analyses of recordings worn the same way use it."
    )


#: Most reasons :func:`uncertain_reasons` lists (the JSON has every bout's).
MAX_REASONS = 5


def uncertain_reasons(analysis: Analysis) -> list[str]:
    """Why the bouts of uncertain direction are uncertain: a line per reason
    (:func:`retrowalk.summary.contract.uncertain_reasons`) naming its bouts' times."""
    from retrowalk.report.display import time_s
    from retrowalk.summary.contract import uncertain_reasons as reasons

    bouts = analysis.bouts
    groups = reasons((b.direction, b.extra.get("direction_reason")) for b in bouts)
    if not groups:
        return []
    lines = ["why uncertain:"]
    for reason, which in groups[:MAX_REASONS]:
        spans = [f"{time_s(bouts[i].start_s)}-{time_s(bouts[i].end_s)} s" for i in which[:3]]
        more = f" and {len(which) - 3} more" if len(which) > 3 else ""
        lines.append(f"  {', '.join(spans)}{more}: {reason}")
    if len(groups) > MAX_REASONS:
        lines.append(f"  and {len(groups) - MAX_REASONS} more reasons (every bout's: --json)")
    return lines


def no_walking_reasons(analysis: Analysis) -> list[str]:
    """Why a recording has no walking bout (:func:`~retrowalk.report.content.no_walking_reasons`,
    which the report and the web page give too), as lines of the summary."""
    if analysis.bouts:
        return []
    from retrowalk.report.content import no_walking_reasons as reasons_of

    reasons = reasons_of({"bouts": [], "notes": analysis.notes, **analysis.sections})
    if len(reasons) == 1:
        return [f"no walking: {reasons[0]}"]
    return ["no walking:", *(f"  {r}" for r in reasons)]


#: Not at a terminal (a job scheduler's log, a pipe), a batch's progress is a line at
#: every tenth of its recordings, and at least every LOG_EVERY_S seconds (also while
#: one long recording is analysed).
LOG_EVERY_S = 60.0


class BatchProgress:
    """What ``retrowalk batch`` shows on stderr while it runs: at a terminal, a bar;
    otherwise (a job scheduler's log file, a pipe) a plain line at every tenth of the
    recordings and at least every :data:`LOG_EVERY_S` seconds, which a log keeps and a
    bar's redrawing would not. The stages (starting workers, connecting, writing the
    tables) are lines of their own either way."""

    def __init__(self, total: int, console: Console) -> None:
        self.total = total
        self.console = console
        self.done = 0
        self.failed = 0
        self.skipped = 0  # done by an earlier run: found in a moment
        self.start = time.perf_counter()
        self.logged_at = self.start
        self.logged_tenth = 0
        self.analysing = False
        self._bar: Any = None
        self._task: Any = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def __enter__(self) -> BatchProgress:
        if self.console.is_terminal:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(
                TextColumn("[progress.description]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]:.1f} files/s"),
                TextColumn("{task.fields[failed]} failed"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=self.console,
                transient=False,
            )
            self._bar.__enter__()
            self._task = self._bar.add_task("Analysing", total=self.total, rate=0.0, failed=0)
        else:
            self._ticker = threading.Thread(
                target=self._tick, name="retrowalk-progress", daemon=True
            )
            self._ticker.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        if self._bar is not None:
            self._bar.__exit__(*exc)

    def on_result(self, status: dict[str, Any]) -> None:
        """One recording done (analysed, skipped or failed)."""
        with self._lock:
            self.done += 1
            self.failed += "reason" in status  # failed now or in an earlier run
            self.skipped += status.get("status") in ("skipped", "reused")
            if self._bar is not None:
                rate = self.done / max(time.perf_counter() - self.start, 1e-9)
                self._bar.update(self._task, advance=1, rate=rate, failed=self.failed)
                return
            tenth = 10 * self.done // max(self.total, 1)
            if tenth > self.logged_tenth:
                self.logged_tenth = tenth
                self._log()

    def on_stage(self, stage: str) -> None:
        """What the batch does now; "Analysing" is the bar's (or the lines') own, and
        the rate and time left count from it (not from the workers' start)."""
        with self._lock:
            self.analysing = stage == "Analysing"
            if self.analysing:
                self.start = self.logged_at = time.perf_counter()
                if self._bar is not None:
                    self._bar.reset(self._task)
            else:
                self.console.print(stage, soft_wrap=True)

    def _tick(self) -> None:
        """A line when none was written for LOG_EVERY_S while recordings are analysed."""
        while not self._stop.wait(min(LOG_EVERY_S, 1.0)):
            with self._lock:
                if self.analysing and time.perf_counter() - self.logged_at >= LOG_EVERY_S:
                    self._log()

    def _log(self) -> None:
        now = time.perf_counter()
        self.logged_at = now
        rate = self.done / max(now - self.start, 1e-9)
        # the time left at the pace of the recordings analysed now, not of those an
        # earlier run did (found in a moment: a resumed run's first lines would say
        # "a second left"); unknown while only those were found
        worked = self.done - self.skipped
        pace = worked / max(now - self.start, 1e-9) if worked else 0.0 if self.skipped else rate
        left = f", about {_clock((self.total - self.done) / pace)} left" if pace > 0 else ""
        before = f" ({self.skipped} by an earlier run)" if self.skipped else ""
        self.console.print(
            f"Analysing: {self.done} of {self.total} recordings done{before} "
            f"({100 * self.done // max(self.total, 1)} %), {self.failed} failed, "
            f"{rate:.1f} files/s, {_clock(now - self.start)} so far{left}",
            soft_wrap=True,
        )


def _clock(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
