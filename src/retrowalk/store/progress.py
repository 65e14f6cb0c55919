"""Numbers for progress over weeks, from stored analysis JSON.

Steadiness is measured as step-time variability: the coefficient of variation
(standard deviation / mean, in %) of the intervals between successive backward
steps inside a bout; lower is steadier (Hausdorff 2005, J NeuroEng Rehabil 2:19).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import numpy as np

from retrowalk.store.schemas import ProgressWeek

MIN_INTERVALS_FOR_CV = 4


def summarise(result: dict[str, Any]) -> dict[str, Any]:
    """Backward-walking totals and means of one analysis (the contract JSON)."""
    bouts = [b for b in result.get("bouts", []) if b.get("direction") == "backward"]
    duration = float(sum(b["end_s"] - b["start_s"] for b in bouts))
    distance = float(sum(b.get("distance_m") or 0.0 for b in bouts))
    return {
        "backward_steps": int(sum(b.get("n_steps", 0) for b in bouts)),
        "backward_duration_s": round(duration, 2),
        "backward_distance_m": round(distance, 2),
        "backward_speed_mps": _weighted(bouts, "speed_mps"),
        "cadence_spm": _weighted(bouts, "cadence_spm"),
        "step_time_cv_pct": step_time_cv_pct(result.get("steps", []), "backward"),
    }


def _weighted(bouts: list[dict[str, Any]], key: str) -> float | None:
    pairs = [(b[key], b["end_s"] - b["start_s"]) for b in bouts if b.get(key) is not None]
    total = sum(w for _, w in pairs)
    if not pairs or total <= 0:
        return None
    return round(float(sum(v * w for v, w in pairs) / total), 3)


def step_time_cv_pct(steps: list[dict[str, Any]], direction: str) -> float | None:
    """Coefficient of variation of step intervals within bouts, in percent."""
    by_bout: dict[int, list[float]] = defaultdict(list)
    for step in steps:
        if step.get("direction") == direction and not step.get("inferred"):
            by_bout[int(step["bout"])].append(float(step["time_s"]))
    intervals = np.concatenate(
        [np.diff(sorted(times)) for times in by_bout.values() if len(times) > 1] or [np.empty(0)]
    )
    if intervals.size < MIN_INTERVALS_FOR_CV or intervals.mean() <= 0:
        return None
    return round(float(intervals.std() / intervals.mean() * 100.0), 2)


def week_start(day: dt.date) -> dt.date:
    """The Monday of the ISO week of ``day``."""
    return day - dt.timedelta(days=day.weekday())


def weekly(rows: Iterable[tuple[dt.date, dict[str, Any]]]) -> list[ProgressWeek]:
    """Group per-recording summaries by week.

    Parameters
    ----------
    rows
        ``(recorded_on, summary)`` pairs, summary as from :func:`summarise`.
    """
    groups: dict[dt.date, list[dict[str, Any]]] = defaultdict(list)
    for day, summary in rows:
        groups[week_start(day)].append(summary)
    weeks = []
    for start in sorted(groups):
        items = groups[start]
        weeks.append(
            ProgressWeek(
                week_start=start,
                recordings=len(items),
                backward_steps=sum(int(s["backward_steps"]) for s in items),
                backward_duration_s=round(sum(s["backward_duration_s"] for s in items), 2),
                backward_distance_m=round(sum(s["backward_distance_m"] for s in items), 2),
                backward_speed_mps=_mean_weighted(items, "backward_speed_mps"),
                cadence_spm=_mean_weighted(items, "cadence_spm"),
                step_time_cv_pct=_mean_weighted(items, "step_time_cv_pct"),
            )
        )
    return weeks


def _mean_weighted(items: list[dict[str, Any]], key: str) -> float | None:
    pairs = [(s[key], s["backward_duration_s"] or 1.0) for s in items if s.get(key) is not None]
    if not pairs:
        return None
    total = sum(w for _, w in pairs)
    return round(float(sum(v * w for v, w in pairs) / total), 3)
