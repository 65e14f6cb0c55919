"""Backward gait measures of a stored analysis, for clinical test reports.

Backward speed, cadence and step length of a whole recording (its backward
bouts together) or of one bout, read from the analysis JSON (the contract of
:mod:`retrowalk.summary.contract`). Whole-recording figures are the session
block's values where it has them and otherwise the averages of
:mod:`retrowalk.summary.totals` over the backward bouts, so that a report shows
the numbers the analysis report shows; nothing is recomputed from signals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from retrowalk.core.types import Direction
from retrowalk.summary.progress import analysis_figures, bouts_and_steps
from retrowalk.summary.totals import mean_step_length_m, of_direction

__all__ = ["GaitMeasures", "backward_measures", "bout_measures"]


@dataclass(frozen=True)
class GaitMeasures:
    """Sensor measures of backward walking.

    Attributes
    ----------
    steps, duration_s, distance_m
        Steps, walking time (s) and distance (m) measured.
    speed_mps, cadence_spm, step_length_m
        Average speed (m/s), cadence (steps/min) and step length (m);
        ``None`` when the analysis has no value.
    step_time_cv_pct
        Step-time variability (%), whole recordings only.
    """

    steps: int
    duration_s: float
    distance_m: float | None
    speed_mps: float | None
    cadence_spm: float | None
    step_length_m: float | None
    step_time_cv_pct: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


def backward_measures(result: Mapping[str, Any]) -> GaitMeasures | None:
    """Backward measures of one analysis JSON; ``None`` without backward steps."""
    figures = analysis_figures(result)
    if figures.backward_steps <= 0:
        return None
    bouts, _ = bouts_and_steps(result)
    return GaitMeasures(
        steps=figures.backward_steps,
        duration_s=figures.backward_duration_s,
        distance_m=figures.backward_distance_m,
        speed_mps=figures.backward_speed_mps,
        cadence_spm=figures.backward_cadence_spm,
        step_length_m=_round(mean_step_length_m(of_direction(bouts, Direction.BACKWARD)), 3),
        step_time_cv_pct=figures.backward_step_time_cv_pct,
    )


def bout_measures(result: Mapping[str, Any], bout: int) -> GaitMeasures | None:
    """The measures of bout ``bout`` as the analysis JSON states them (``None`` if absent)."""
    bouts = result.get("bouts") or []
    if not 0 <= bout < len(bouts):
        return None
    b = bouts[bout]
    return GaitMeasures(
        steps=int(b.get("n_steps") or 0),
        duration_s=round(float(b["end_s"]) - float(b["start_s"]), 2),
        distance_m=b.get("distance_m"),
        speed_mps=b.get("speed_mps"),
        cadence_spm=b.get("cadence_spm"),
        step_length_m=b.get("step_length_m"),
    )
