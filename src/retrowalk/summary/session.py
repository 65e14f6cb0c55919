"""Session summary: what one recording adds up to, per walking direction.

Pure functions of an :class:`~retrowalk.core.results.Analysis` (its bouts and
steps); nothing here looks at the signals. The summary goes into the JSON under
``"session"`` and is the first thing the report shows.

Measures
--------
- Totals per direction and steadiness: :mod:`retrowalk.summary.totals` (each
  computed there, once).
- Direction switches: changes between forward and backward from one bout to the
  next, skipping bouts of uncertain direction.
- Interval pattern: the longest run of alternating backward and forward
  stretches, e.g. ``"6 x 1 min backward / 1 min forward"``.
- Longest continuous backward bout.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np

from retrowalk.core.results import Analysis, Bout
from retrowalk.core.types import DIRECTIONS, Direction
from retrowalk.summary.energy import MODEL_NAME
from retrowalk.summary.totals import (
    MIN_INTERVALS_PER_BOUT,
    STEP_TIME_MEDIAN_RATIO,
    STEP_TIME_RANGE_S,
    DirectionTotals,
    Steadiness,
    direction_totals,
    steadiness,
    steadiness_by_group,
    totals_by_direction,
)

__all__ = [
    "DIRECTIONS",
    "MIN_INTERVALS_PER_BOUT",
    "STEP_TIME_MEDIAN_RATIO",
    "STEP_TIME_RANGE_S",
    "DirectionTotals",
    "IntervalPattern",
    "LongestBout",
    "SessionSummary",
    "Steadiness",
    "count_direction_switches",
    "detect_interval_pattern",
    "direction_totals",
    "format_duration",
    "longest_bout",
    "steadiness",
    "summarise",
]

#: Same-direction bouts closer than this (s) form one stretch of an interval pattern.
PATTERN_MERGE_GAP_S = 10.0
#: Stretch durations whose CV is at most this are called regular.
PATTERN_REGULAR_CV = 0.25


def _r(value: float | None, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


@dataclass(frozen=True)
class IntervalPattern:
    """Alternating backward and forward stretches.

    Attributes
    ----------
    repeats
        Number of backward stretches in the alternating run.
    first
        Direction of the first stretch of the run.
    backward_s, forward_s
        Median duration of the backward and forward stretches, s.
    regular
        True when the stretch durations vary little (CV <= 0.25 in each direction).
    start_s, end_s
        Where the run starts and ends in the recording.
    description
        Plain words, e.g. ``"6 x 1 min backward / 1 min forward"``.
    """

    repeats: int
    first: str
    backward_s: float
    forward_s: float
    regular: bool
    start_s: float
    end_s: float
    description: str

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("backward_s", "forward_s", "start_s", "end_s"):
            out[key] = round(out[key], 2)
        return out


@dataclass(frozen=True)
class LongestBout:
    """The longest bout of one direction."""

    bout: int
    start_s: float
    duration_s: float
    n_steps: int
    distance_m: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "bout": self.bout,
            "start_s": round(self.start_s, 2),
            "duration_s": round(self.duration_s, 2),
            "n_steps": self.n_steps,
            "distance_m": _r(self.distance_m, 2),
        }


@dataclass(frozen=True)
class SessionSummary:
    """Everything :func:`summarise` found; ``to_dict`` is the JSON ``"session"``."""

    totals: dict[Direction, DirectionTotals]
    n_bouts: int
    walking_s: float
    recording_s: float
    direction_switches: int
    interval_pattern: IntervalPattern | None
    longest_backward_bout: LongestBout | None
    steadiness: dict[str, Steadiness]
    energy_kcal: float | None
    net_energy_kcal: float | None
    weight_kg: float | None
    grade: float
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            **{str(d): self.totals[d].to_dict() for d in DIRECTIONS},
            "n_bouts": self.n_bouts,
            "walking_s": round(self.walking_s, 2),
            "recording_s": round(self.recording_s, 2),
            "direction_switches": self.direction_switches,
            "interval_pattern": (
                None if self.interval_pattern is None else self.interval_pattern.to_dict()
            ),
            "longest_backward_bout": (
                None if self.longest_backward_bout is None else self.longest_backward_bout.to_dict()
            ),
            "steadiness": {k: v.to_dict() for k, v in self.steadiness.items()},
            "energy": {
                "kcal": _r(self.energy_kcal, 2),
                "net_kcal": _r(self.net_energy_kcal, 2),
                "basis": "gross (includes rest); net_kcal excludes rest",
                "weight_kg": self.weight_kg,
                "grade": self.grade,
                "model": MODEL_NAME,
            },
            "notes": list(self.notes),
        }


def count_direction_switches(bouts: Sequence[Bout]) -> int:
    """Changes between forward and backward from bout to bout (uncertain skipped)."""
    known = [
        b.direction
        for b in sorted(bouts, key=lambda b: b.start_s)
        if b.direction != Direction.UNCERTAIN
    ]
    return sum(1 for a, b in pairwise(known) if a != b)


def longest_bout(bouts: Sequence[Bout], direction: str = Direction.BACKWARD) -> LongestBout | None:
    """The longest bout walked in ``direction`` (``None`` if there is none)."""
    chosen = [(i, b) for i, b in enumerate(bouts) if b.direction == direction]
    if not chosen:
        return None
    i, b = max(chosen, key=lambda ib: ib[1].duration_s)
    return LongestBout(i, b.start_s, b.duration_s, int(b.n_steps), b.distance_m)


def format_duration(seconds: float) -> str:
    """A duration rounded to what a person would say: ``"45 s"``, ``"1.5 min"``, ``"12 min"``."""
    if seconds < 10:
        return f"{max(round(seconds), 1)} s"
    if seconds < 57.5:
        return f"{int(5 * round(seconds / 5))} s"
    if seconds < 600:
        minutes = round(seconds / 30) / 2
        return f"{minutes:g} min"
    return f"{round(seconds / 60)} min"


def _stretches(bouts: Sequence[Bout]) -> list[tuple[str, float, float]]:
    """Bouts of known direction merged into stretches ``(direction, start_s, end_s)``."""
    out: list[list[Any]] = []
    for b in sorted(bouts, key=lambda b: b.start_s):
        if b.direction == Direction.UNCERTAIN:
            continue
        if out and out[-1][0] == b.direction and b.start_s - out[-1][2] <= PATTERN_MERGE_GAP_S:
            out[-1][2] = max(out[-1][2], b.end_s)
        else:
            out.append([b.direction, b.start_s, b.end_s])
    return [(d, s, e) for d, s, e in out]


def detect_interval_pattern(bouts: Sequence[Bout]) -> IntervalPattern | None:
    """The longest run of alternating backward/forward stretches, if there is one.

    Same-direction bouts less than 10 s apart form one stretch; bouts of uncertain
    direction are skipped. A pattern needs at least two backward stretches with a
    forward stretch between them.

    Parameters
    ----------
    bouts
        All bouts of the recording.

    Returns
    -------
    IntervalPattern or None
    """
    stretches = _stretches(bouts)
    best: tuple[int, int] | None = None
    i = 0
    while i < len(stretches):
        j = i
        while j + 1 < len(stretches) and stretches[j + 1][0] != stretches[j][0]:
            j += 1
        n_back = sum(1 for d, _, _ in stretches[i : j + 1] if d == Direction.BACKWARD)
        longer = best is None or j - i > best[1] - best[0]
        if n_back >= 2 and j - i + 1 >= 3 and longer:
            best = (i, j)
        i = j + 1
    if best is None:
        return None
    run = stretches[best[0] : best[1] + 1]
    back = np.array([e - s for d, s, e in run if d == Direction.BACKWARD])
    fwd = np.array([e - s for d, s, e in run if d == Direction.FORWARD])

    def cv(x: np.ndarray) -> float:
        return float(np.std(x) / np.mean(x)) if len(x) > 1 and np.mean(x) > 0 else 0.0

    regular = cv(back) <= PATTERN_REGULAR_CV and cv(fwd) <= PATTERN_REGULAR_CV
    back_med, fwd_med = float(np.median(back)), float(np.median(fwd))
    first = run[0][0]
    parts: dict[str, str] = {
        Direction.BACKWARD: f"{format_duration(back_med)} backward",
        Direction.FORWARD: f"{format_duration(fwd_med)} forward",
    }
    second = Direction.FORWARD if first == Direction.BACKWARD else Direction.BACKWARD
    if regular:
        description = f"{len(back)} x {parts[first]} / {parts[second]}"
    else:
        description = (
            f"alternating, irregular: {len(back)} backward stretches of "
            f"{format_duration(float(back.min()))}-{format_duration(float(back.max()))} "
            f"with forward walking between"
        )
    return IntervalPattern(
        repeats=len(back),
        first=first,
        backward_s=back_med,
        forward_s=fwd_med,
        regular=regular,
        start_s=run[0][1],
        end_s=run[-1][2],
        description=description,
    )


def summarise(analysis: Analysis) -> SessionSummary:
    """The session summary of one analysis.

    Parameters
    ----------
    analysis
        A finished :class:`~retrowalk.core.results.Analysis`; its bouts should carry
        ``energy_kcal`` already (see :func:`retrowalk.summary.energy.fill_bout_energy`).

    Returns
    -------
    SessionSummary
        ``summarise(analysis).to_dict()`` is the JSON under ``"session"``.
    """
    bouts = list(analysis.bouts)
    weight = analysis.assumptions.get("weight_kg")
    weight = float(weight) if weight else None
    grade = float(analysis.assumptions.get("grade", 0.0) or 0.0)
    totals = totals_by_direction(bouts, weight)
    kcals = [t.energy_kcal for t in totals.values() if t.energy_kcal is not None]
    nets = [t.net_energy_kcal for t in totals.values() if t.net_energy_kcal is not None]
    notes = []
    if any(b.speed_mps is None for b in bouts):
        notes.append(
            "Some bouts have no speed estimate: their distance and energy are not counted."
        )
    if totals[Direction.UNCERTAIN].n_bouts:
        notes.append(
            "Bouts of uncertain direction are counted separately; their energy uses the "
            "forward-walking equation (the lower estimate)."
        )
    return SessionSummary(
        totals=totals,
        n_bouts=len(bouts),
        walking_s=float(sum(b.duration_s for b in bouts)),
        recording_s=float(analysis.recording.duration_s),
        direction_switches=count_direction_switches(bouts),
        interval_pattern=detect_interval_pattern(bouts),
        longest_backward_bout=longest_bout(bouts, Direction.BACKWARD),
        steadiness=steadiness_by_group(bouts, analysis.steps),
        energy_kcal=sum(kcals) if kcals else None,
        net_energy_kcal=sum(nets) if nets else None,
        weight_kg=weight,
        grade=grade,
        notes=notes,
    )
