"""Session summary: what one recording adds up to, per walking direction.

Pure functions of an :class:`~retrowalk.analysis.Analysis` (its bouts and steps);
nothing here looks at the signals. The summary goes into the JSON under
``"session"`` and is the first thing the report shows.

Measures
--------
- Totals per direction (forward, backward, uncertain): bouts, steps, walking
  time, distance, average speed and cadence (both weighted by bout duration),
  energy (gross and net, kcal) and average MET; see :mod:`retrowalk.energy`.
- Direction switches: changes between forward and backward from one bout to the
  next, skipping bouts of uncertain direction.
- Interval pattern: the longest run of alternating backward and forward
  stretches, e.g. ``"6 x 1 min backward / 1 min forward"``.
- Longest continuous backward bout.
- Steadiness (per direction and overall):

  * step-time and cadence variability, coefficient of variation (CV, %) of the
    step times (and of the step-by-step cadence ``60 / step time``) within each
    bout, averaged over bouts weighted by their number of step times. Within-bout
    CVs keep deliberate speed changes between bouts out of the variability
    (Hausdorff 2005, J Neuroeng Rehabil 2:19; Lord et al. 2011, Gait Posture
    34:443 on step-time variability as a gait domain);
  * step-length variability, CV (%): within bouts over single steps when steps
    carry a length (``Step.length_m``), otherwise between bouts (the mean step
    length of each bout; stated as ``"bouts"`` in ``step_length_cv_basis``);
  * step-time asymmetry, % difference between the mean step times of the two
    feet, ``100 * |a - b| / ((a + b) / 2)`` (symmetry index, Robinson et al. 1987,
    J Manipulative Physiol Ther 10:172; see Patterson et al. 2010, Gait Posture
    31:241). With a lower-back or pocket sensor the feet are not identified;
    consecutive steps alternate feet, so odd and even steps of a bout are
    compared (``asymmetry_basis = "alternate_steps"``).

Step times are the intervals between consecutive initial contacts in a bout.
Intervals outside 0.2-2.0 s, or outside 0.5-1.5 times the bout's median (a
missed or doubled contact, a hesitation or a short pause), are left out, in the
spirit of removing outliers before computing variability (Hausdorff 2005).
Bouts with inferred contacts (a single foot sensor) contribute stride times
(between measured contacts of the same foot) to the variability and nothing to
the asymmetry.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import numpy as np

from retrowalk.energy import MODEL_NAME

if TYPE_CHECKING:
    from retrowalk.analysis import Analysis, Bout, Step

DIRECTIONS = ("forward", "backward", "uncertain")

#: Step times outside this range (s) are not steps of continuous walking.
STEP_TIME_RANGE_S = (0.2, 2.0)
#: Step times outside these multiples of the bout's median are missed/extra steps or pauses.
STEP_TIME_MEDIAN_RATIO = (0.5, 1.5)
#: Fewest step times a bout needs to enter the variability measures.
MIN_INTERVALS_PER_BOUT = 4
#: Fewest step times per foot a bout needs to enter the asymmetry measure.
MIN_INTERVALS_PER_SIDE = 2
#: Same-direction bouts closer than this (s) form one stretch of an interval pattern.
PATTERN_MERGE_GAP_S = 10.0
#: Stretch durations whose CV is at most this are called regular.
PATTERN_REGULAR_CV = 0.25


def _r(value: float | None, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


@dataclass(frozen=True)
class DirectionTotals:
    """Totals of all bouts in one walking direction.

    Attributes
    ----------
    n_bouts, steps, duration_s
        Number of bouts, steps and walking seconds.
    distance_m
        Sum over bouts with a distance; ``None`` when no bout has one.
    mean_speed_mps
        Average speed over the bouts with a speed, weighted by bout duration.
    mean_cadence_spm
        Average cadence, steps per minute, weighted by bout duration.
    energy_kcal, net_energy_kcal
        Gross and net (above rest) energy over the bouts with an estimate.
    mean_met
        Average gross MET over those bouts, ``kcal / (kg * h)``.
    """

    n_bouts: int
    steps: int
    duration_s: float
    distance_m: float | None
    mean_speed_mps: float | None
    mean_cadence_spm: float | None
    energy_kcal: float | None
    net_energy_kcal: float | None
    mean_met: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_bouts": self.n_bouts,
            "steps": self.steps,
            "duration_s": round(self.duration_s, 2),
            "distance_m": _r(self.distance_m, 2),
            "mean_speed_mps": _r(self.mean_speed_mps, 3),
            "mean_cadence_spm": _r(self.mean_cadence_spm, 2),
            "energy_kcal": _r(self.energy_kcal, 2),
            "net_energy_kcal": _r(self.net_energy_kcal, 2),
            "mean_met": _r(self.mean_met, 2),
        }


@dataclass(frozen=True)
class Steadiness:
    """Step-to-step variability and left/right asymmetry.

    Attributes
    ----------
    n_bouts, n_step_times
        Bouts and step times that entered the measures.
    mean_step_time_s
        Mean step time, s.
    step_time_cv_pct, cadence_cv_pct
        Within-bout coefficient of variation of step time and of step-by-step
        cadence, %.
    step_length_cv_pct, step_length_cv_basis
        CV of step length, %, over ``"steps"`` or between ``"bouts"``.
    step_time_asymmetry_pct, asymmetry_basis
        Symmetry index of the two feet's mean step times, %; ``"left_right"`` when
        feet are identified, ``"alternate_steps"`` when odd/even steps are compared.
    """

    n_bouts: int = 0
    n_step_times: int = 0
    mean_step_time_s: float | None = None
    step_time_cv_pct: float | None = None
    cadence_cv_pct: float | None = None
    step_length_cv_pct: float | None = None
    step_length_cv_basis: str | None = None
    step_time_asymmetry_pct: float | None = None
    asymmetry_basis: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_bouts": self.n_bouts,
            "n_step_times": self.n_step_times,
            "mean_step_time_s": _r(self.mean_step_time_s, 3),
            "step_time_cv_pct": _r(self.step_time_cv_pct, 2),
            "cadence_cv_pct": _r(self.cadence_cv_pct, 2),
            "step_length_cv_pct": _r(self.step_length_cv_pct, 2),
            "step_length_cv_basis": self.step_length_cv_basis,
            "step_time_asymmetry_pct": _r(self.step_time_asymmetry_pct, 2),
            "asymmetry_basis": self.asymmetry_basis,
        }


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

    totals: dict[str, DirectionTotals]
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
            **{d: self.totals[d].to_dict() for d in DIRECTIONS},
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


# --------------------------------------------------------------------------- totals


def direction_totals(bouts: Sequence[Bout], weight_kg: float | None) -> DirectionTotals:
    """Totals over ``bouts`` (normally all bouts of one direction).

    Parameters
    ----------
    bouts
        The bouts to add up.
    weight_kg
        Body mass used for net energy and MET; ``None`` leaves them ``None``.
    """
    duration = sum(b.duration_s for b in bouts)
    with_distance = [b for b in bouts if b.distance_m is not None]
    with_speed = [b for b in bouts if b.speed_mps is not None and b.duration_s > 0]
    with_energy = [b for b in bouts if b.energy_kcal is not None]
    speed_time = sum(b.duration_s for b in with_speed)
    cadence_time = sum(b.duration_s for b in bouts if b.duration_s > 0)
    kcal = sum(b.energy_kcal for b in with_energy) if with_energy else None
    energy_hours = sum(b.duration_s for b in with_energy) / 3600.0
    net = mean_met = None
    if kcal is not None and weight_kg:
        net = kcal - weight_kg * energy_hours
        mean_met = kcal / (weight_kg * energy_hours) if energy_hours > 0 else None
    return DirectionTotals(
        n_bouts=len(bouts),
        steps=int(sum(b.n_steps for b in bouts)),
        duration_s=float(duration),
        distance_m=float(sum(b.distance_m for b in with_distance)) if with_distance else None,
        mean_speed_mps=(
            sum(b.speed_mps * b.duration_s for b in with_speed) / speed_time
            if speed_time > 0
            else None
        ),
        mean_cadence_spm=(
            sum(b.cadence_spm * b.duration_s for b in bouts if b.duration_s > 0) / cadence_time
            if cadence_time > 0
            else None
        ),
        energy_kcal=kcal,
        net_energy_kcal=net,
        mean_met=mean_met,
    )


def count_direction_switches(bouts: Sequence[Bout]) -> int:
    """Changes between forward and backward from bout to bout (uncertain skipped)."""
    known = [
        b.direction for b in sorted(bouts, key=lambda b: b.start_s) if b.direction != "uncertain"
    ]
    return sum(1 for a, b in pairwise(known) if a != b)


def longest_bout(bouts: Sequence[Bout], direction: str = "backward") -> LongestBout | None:
    """The longest bout walked in ``direction`` (``None`` if there is none)."""
    chosen = [(i, b) for i, b in enumerate(bouts) if b.direction == direction]
    if not chosen:
        return None
    i, b = max(chosen, key=lambda ib: ib[1].duration_s)
    return LongestBout(i, b.start_s, b.duration_s, int(b.n_steps), b.distance_m)


# --------------------------------------------------------------------------- pattern


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
        if b.direction == "uncertain":
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
        n_back = sum(1 for d, _, _ in stretches[i : j + 1] if d == "backward")
        longer = best is None or j - i > best[1] - best[0]
        if n_back >= 2 and j - i + 1 >= 3 and longer:
            best = (i, j)
        i = j + 1
    if best is None:
        return None
    run = stretches[best[0] : best[1] + 1]
    back = np.array([e - s for d, s, e in run if d == "backward"])
    fwd = np.array([e - s for d, s, e in run if d == "forward"])

    def cv(x: np.ndarray) -> float:
        return float(np.std(x) / np.mean(x)) if len(x) > 1 and np.mean(x) > 0 else 0.0

    regular = cv(back) <= PATTERN_REGULAR_CV and cv(fwd) <= PATTERN_REGULAR_CV
    back_med, fwd_med = float(np.median(back)), float(np.median(fwd))
    first = run[0][0]
    parts = {
        "backward": f"{format_duration(back_med)} backward",
        "forward": f"{format_duration(fwd_med)} forward",
    }
    second = "forward" if first == "backward" else "backward"
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


# --------------------------------------------------------------------------- steadiness


def _bout_step_times(
    steps: Sequence[Step],
) -> tuple[np.ndarray, np.ndarray, str | None, bool]:
    """Valid step (or stride) times of one bout, their foot labels and the label basis.

    Returns ``(times_s, labels, basis, are_strides)``; ``labels`` are 0/1 per time
    (or -1 where unknown), ``basis`` is ``"left_right"``, ``"alternate_steps"`` or
    ``None`` (no asymmetry possible).
    """
    steps = sorted(steps, key=lambda s: s.time_s)
    inferred = any(s.inferred for s in steps)
    if inferred:
        steps = [s for s in steps if not s.inferred]
    t = np.array([s.time_s for s in steps], dtype=float)
    if len(t) < 2:
        return np.empty(0), np.empty(0, dtype=int), None, inferred
    dt = np.diff(t)
    scale = 2.0 if inferred else 1.0
    lo, hi = STEP_TIME_RANGE_S[0] * scale, STEP_TIME_RANGE_S[1] * scale
    med = float(np.median(dt))
    rlo, rhi = STEP_TIME_MEDIAN_RATIO
    valid = (dt >= lo) & (dt <= hi) & (dt >= rlo * med) & (dt <= rhi * med)
    labels = np.full(len(dt), -1, dtype=int)
    basis: str | None = None
    if not inferred:
        sides = [s.side for s in steps]
        if all(side is not None for side in sides):
            basis = "left_right"
            for k in range(len(dt)):
                if sides[k + 1] != sides[k]:
                    labels[k] = 0 if sides[k + 1] == "left" else 1
        else:
            basis = "alternate_steps"
            parity = 0
            for k in range(len(dt)):
                # A missed contact (an interval of about two steps) flips which foot is which.
                parity += max(1, round(dt[k] / med)) if med > 0 else 1
                labels[k] = parity % 2
    return dt[valid], labels[valid], basis, inferred


def _cv_pct(x: np.ndarray) -> float:
    return float(100.0 * np.std(x, ddof=1) / np.mean(x))


def steadiness(bouts: Sequence[Bout], steps: Sequence[Step], indices: Sequence[int]) -> Steadiness:
    """Variability and asymmetry over the bouts ``indices`` of ``bouts``.

    Parameters
    ----------
    bouts
        All bouts of the analysis.
    steps
        All steps of the analysis (``Step.bout`` indexes ``bouts``).
    indices
        Which bouts to include.

    Returns
    -------
    Steadiness
        Within-bout CVs averaged over bouts, weighted by their number of step
        times; see the module docstring for the definitions and sources.
    """
    by_bout: dict[int, list[Step]] = {}
    for s in steps:
        by_bout.setdefault(s.bout, []).append(s)
    cvs_t, cvs_c, weights, all_times = [], [], [], []
    asym, asym_w, asym_bases = [], [], set()
    for i in indices:
        times, labels, basis, strides = _bout_step_times(by_bout.get(i, []))
        if len(times) < MIN_INTERVALS_PER_BOUT:
            continue
        cvs_t.append(_cv_pct(times))
        cvs_c.append(_cv_pct((120.0 if strides else 60.0) / times))
        weights.append(len(times))
        all_times.append(times / 2.0 if strides else times)
        if basis is not None:
            a, b = times[labels == 0], times[labels == 1]
            if len(a) >= MIN_INTERVALS_PER_SIDE and len(b) >= MIN_INTERVALS_PER_SIDE:
                ma, mb = float(a.mean()), float(b.mean())
                asym.append(100.0 * abs(ma - mb) / ((ma + mb) / 2.0))
                asym_w.append(len(a) + len(b))
                asym_bases.add(basis)
    length_cv, length_basis = _step_length_cv(bouts, steps, indices)
    if not weights:
        return Steadiness(step_length_cv_pct=length_cv, step_length_cv_basis=length_basis)
    w = np.asarray(weights, dtype=float)
    return Steadiness(
        n_bouts=len(weights),
        n_step_times=int(w.sum()),
        mean_step_time_s=float(np.concatenate(all_times).mean()),
        step_time_cv_pct=float(np.average(cvs_t, weights=w)),
        cadence_cv_pct=float(np.average(cvs_c, weights=w)),
        step_length_cv_pct=length_cv,
        step_length_cv_basis=length_basis,
        step_time_asymmetry_pct=float(np.average(asym, weights=asym_w)) if asym else None,
        asymmetry_basis=(
            None
            if not asym
            else ("left_right" if asym_bases == {"left_right"} else "alternate_steps")
        ),
    )


def _step_length(step: Step) -> float | None:
    value = getattr(step, "length_m", None)
    if value is None:
        value = getattr(step, "step_length_m", None)
    return float(value) if value is not None and math.isfinite(value) and value > 0 else None


def _step_length_cv(
    bouts: Sequence[Bout], steps: Sequence[Step], indices: Sequence[int]
) -> tuple[float | None, str | None]:
    """Within-bout CV of single step lengths (weighted by steps), else between bouts."""
    chosen = set(indices)
    by_bout: dict[int, list[float]] = {}
    for s in steps:
        length = _step_length(s) if s.bout in chosen else None
        if length is not None:
            by_bout.setdefault(s.bout, []).append(length)
    cvs, weights = [], []
    for lengths in by_bout.values():
        if len(lengths) >= MIN_INTERVALS_PER_BOUT:
            cvs.append(_cv_pct(np.asarray(lengths)))
            weights.append(len(lengths))
    if cvs:
        return float(np.average(cvs, weights=weights)), "steps"
    per_bout = [
        bouts[i].step_length_m
        for i in indices
        if 0 <= i < len(bouts) and bouts[i].step_length_m is not None
    ]
    values = np.asarray([v for v in per_bout if v is not None and math.isfinite(v)], dtype=float)
    if len(values) >= 2 and values.mean() > 0:
        return _cv_pct(values), "bouts"
    return None, None


# --------------------------------------------------------------------------- summary


def summarise(analysis: Analysis) -> SessionSummary:
    """The session summary of one analysis.

    Parameters
    ----------
    analysis
        A finished :class:`~retrowalk.analysis.Analysis`; its bouts should carry
        ``energy_kcal`` already (see :func:`retrowalk.energy.fill_bout_energy`).

    Returns
    -------
    SessionSummary
        ``summarise(analysis).to_dict()`` is the JSON under ``"session"``.
    """
    bouts = list(analysis.bouts)
    weight = analysis.assumptions.get("weight_kg")
    weight = float(weight) if weight else None
    grade = float(analysis.assumptions.get("grade", 0.0) or 0.0)
    totals = {
        d: direction_totals([b for b in bouts if b.direction == d], weight) for d in DIRECTIONS
    }
    groups = {
        "forward": [i for i, b in enumerate(bouts) if b.direction == "forward"],
        "backward": [i for i, b in enumerate(bouts) if b.direction == "backward"],
        "all": list(range(len(bouts))),
    }
    kcals = [t.energy_kcal for t in totals.values() if t.energy_kcal is not None]
    nets = [t.net_energy_kcal for t in totals.values() if t.net_energy_kcal is not None]
    notes = []
    if any(b.speed_mps is None for b in bouts):
        notes.append(
            "Some bouts have no speed estimate: their distance and energy are not counted."
        )
    if totals["uncertain"].n_bouts:
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
        longest_backward_bout=longest_bout(bouts, "backward"),
        steadiness={k: steadiness(bouts, analysis.steps, v) for k, v in groups.items()},
        energy_kcal=sum(kcals) if kcals else None,
        net_energy_kcal=sum(nets) if nets else None,
        weight_kg=weight,
        grade=grade,
        notes=notes,
    )
