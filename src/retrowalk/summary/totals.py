"""Totals, cadence, speed and steadiness: each aggregate of an analysis, computed once.

Every number that adds up bouts or steps is computed here, by one function,
and every consumer (the JSON ``summary`` and ``session`` blocks, the report,
the batch tables and the weekly progress) takes it from here. Pure functions
of bouts and steps (:mod:`retrowalk.core.results`); nothing looks at signals.

Measures
--------
- Totals per direction (:func:`direction_totals`): bouts, steps, walking time,
  distance (``None`` when no bout has one), energy (gross and net, kcal) and
  average MET; see :mod:`retrowalk.summary.energy`.
- Average cadence (:func:`mean_cadence_spm`) and speed (:func:`mean_speed_mps`)
  over bouts, each weighted by bout duration.
- Steadiness (:func:`steadiness`):

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
from dataclasses import dataclass
from typing import Any

import numpy as np

from retrowalk.core.results import Bout, Step
from retrowalk.core.types import DIRECTIONS, Direction

__all__ = [
    "MIN_INTERVALS_PER_BOUT",
    "STEADINESS_GROUPS",
    "STEP_TIME_MEDIAN_RATIO",
    "STEP_TIME_RANGE_S",
    "DirectionTotals",
    "Steadiness",
    "direction_totals",
    "mean_cadence_spm",
    "mean_speed_mps",
    "mean_step_length_m",
    "steadiness",
    "steadiness_by_group",
    "totals_by_direction",
]

#: Step times outside this range (s) are not steps of continuous walking.
STEP_TIME_RANGE_S = (0.2, 2.0)
#: Step times outside these multiples of the bout's median are missed/extra steps or pauses.
STEP_TIME_MEDIAN_RATIO = (0.5, 1.5)
#: Fewest step times a bout needs to enter the variability measures.
MIN_INTERVALS_PER_BOUT = 4
#: Fewest step times per foot a bout needs to enter the asymmetry measure.
MIN_INTERVALS_PER_SIDE = 2
#: The groups steadiness is reported for: each known direction and all bouts.
STEADINESS_GROUPS = ("forward", "backward", "all")


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


def mean_cadence_spm(bouts: Sequence[Bout]) -> float | None:
    """Average cadence of ``bouts``, steps/min, weighted by bout duration.

    Bouts of zero duration are left out; ``None`` when none is left.
    """
    timed = [b for b in bouts if b.duration_s > 0]
    total_s = sum(b.duration_s for b in timed)
    if not total_s > 0:
        return None
    return float(sum(b.cadence_spm * b.duration_s for b in timed) / total_s)


def mean_speed_mps(bouts: Sequence[Bout]) -> float | None:
    """Average speed of the bouts that have one, m/s, weighted by bout duration."""
    with_speed = [b for b in bouts if b.speed_mps is not None and b.duration_s > 0]
    total_s = sum(b.duration_s for b in with_speed)
    if not total_s > 0:
        return None
    return float(sum((b.speed_mps or 0.0) * b.duration_s for b in with_speed) / total_s)


def mean_step_length_m(bouts: Sequence[Bout]) -> float | None:
    """Average step length of the bouts that have one, m, weighted by their steps.

    ``None`` when no bout with steps has a step length.
    """
    with_length = [b for b in bouts if b.step_length_m is not None and b.n_steps > 0]
    n_steps = sum(b.n_steps for b in with_length)
    if not n_steps:
        return None
    return float(sum((b.step_length_m or 0.0) * b.n_steps for b in with_length) / n_steps)


def direction_totals(bouts: Sequence[Bout], weight_kg: float | None) -> DirectionTotals:
    """Totals over ``bouts`` (normally all bouts of one direction).

    Parameters
    ----------
    bouts
        The bouts to add up.
    weight_kg
        Body mass used for net energy and MET; ``None`` leaves them ``None``.

    Returns
    -------
    DirectionTotals
        ``distance_m`` is ``None`` when no bout has a distance (unknown is not
        zero); the contract's ``summary`` block writes it as 0 for schema
        compatibility (:func:`retrowalk.summary.contract.summary_totals`).
    """
    duration = sum(b.duration_s for b in bouts)
    with_distance = [b for b in bouts if b.distance_m is not None]
    with_energy = [b for b in bouts if b.energy_kcal is not None]
    kcal = sum(b.energy_kcal or 0.0 for b in with_energy) if with_energy else None
    energy_hours = sum(b.duration_s for b in with_energy) / 3600.0
    net = mean_met = None
    if kcal is not None and weight_kg:
        net = kcal - weight_kg * energy_hours
        mean_met = kcal / (weight_kg * energy_hours) if energy_hours > 0 else None
    return DirectionTotals(
        n_bouts=len(bouts),
        steps=int(sum(b.n_steps for b in bouts)),
        duration_s=float(duration),
        distance_m=(
            float(sum(b.distance_m or 0.0 for b in with_distance)) if with_distance else None
        ),
        mean_speed_mps=mean_speed_mps(bouts),
        mean_cadence_spm=mean_cadence_spm(bouts),
        energy_kcal=kcal,
        net_energy_kcal=net,
        mean_met=mean_met,
    )


def of_direction(bouts: Sequence[Bout], direction: str) -> list[Bout]:
    """The bouts walked in ``direction``."""
    return [b for b in bouts if b.direction == direction]


def totals_by_direction(
    bouts: Sequence[Bout], weight_kg: float | None
) -> dict[Direction, DirectionTotals]:
    """:func:`direction_totals` of each direction (forward, backward, uncertain)."""
    return {d: direction_totals(of_direction(bouts, d), weight_kg) for d in DIRECTIONS}


def steadiness_by_group(bouts: Sequence[Bout], steps: Sequence[Step]) -> dict[str, Steadiness]:
    """:func:`steadiness` of forward bouts, backward bouts and all bouts."""
    groups = {
        "forward": [i for i, b in enumerate(bouts) if b.direction == Direction.FORWARD],
        "backward": [i for i, b in enumerate(bouts) if b.direction == Direction.BACKWARD],
        "all": list(range(len(bouts))),
    }
    return {k: steadiness(bouts, steps, v) for k, v in groups.items()}


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
