"""Numbers for progress over weeks: what each analysis walked, backward figures in detail.

Each analysis contributes its backward totals, average speed and cadence and
its backward steadiness (step-time CV), and the steps, walking time and
distance of its forward and uncertain bouts, all taken from the session summary,
i.e. computed by :mod:`retrowalk.summary.totals` exactly as the JSON and the
report show them. A stored analysis JSON without a ``session`` block (written
before the block existed) is summarised by the same functions from its bouts
and steps.

Steadiness is step-time variability: the within-bout coefficient of variation
(standard deviation / mean, %) of the intervals between successive backward
steps, outliers left out; lower is steadier (Hausdorff 2005, J NeuroEng Rehabil
2:19). A week averages its recordings weighted by their backward walking time.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from retrowalk.core.results import Bout, Step
from retrowalk.core.types import Direction
from retrowalk.summary.totals import direction_totals, of_direction, steadiness

#: Stored column of each figure: the stored schema's names for cadence and CV
#: predate the ``backward_`` prefix (they hold backward-only values all the same).
STORED = {
    "backward_steps": "backward_steps",
    "backward_duration_s": "backward_duration_s",
    "backward_distance_m": "backward_distance_m",
    "backward_speed_mps": "backward_speed_mps",
    "backward_cadence_spm": "cadence_spm",
    "backward_step_time_cv_pct": "step_time_cv_pct",
    "forward_steps": "forward_steps",
    "forward_duration_s": "forward_duration_s",
    "forward_distance_m": "forward_distance_m",
    "uncertain_steps": "uncertain_steps",
    "uncertain_duration_s": "uncertain_duration_s",
    "uncertain_distance_m": "uncertain_distance_m",
}

#: The directions whose steps, time and distance are stored beside the backward figures.
OTHER_DIRECTIONS = (Direction.FORWARD, Direction.UNCERTAIN)

__all__ = [
    "BackwardFigures",
    "WeekProgress",
    "backward_figures",
    "bouts_and_steps",
    "step_time_cv_pct",
    "summarise",
    "week_start",
    "weekly",
]


@dataclass(frozen=True)
class BackwardFigures:
    """The backward walking of one analysis, as stored beside it.

    Attributes
    ----------
    backward_steps, backward_duration_s
        Steps and walking seconds of the backward bouts.
    backward_distance_m
        Their distance, m; 0 when none could be estimated (stored as a number).
    backward_speed_mps, backward_cadence_spm
        Averages over the backward bouts, weighted by bout duration.
    backward_step_time_cv_pct
        Within-bout step-time CV of the backward bouts, %.
    forward_steps, forward_duration_s, forward_distance_m
        The same totals of the forward bouts (distance 0 when unknown).
    uncertain_steps, uncertain_duration_s, uncertain_distance_m
        The same totals of the bouts whose direction is uncertain.
    """

    backward_steps: int
    backward_duration_s: float
    backward_distance_m: float
    backward_speed_mps: float | None
    backward_cadence_spm: float | None
    backward_step_time_cv_pct: float | None
    forward_steps: int = 0
    forward_duration_s: float = 0.0
    forward_distance_m: float = 0.0
    uncertain_steps: int = 0
    uncertain_duration_s: float = 0.0
    uncertain_distance_m: float = 0.0

    def stored(self) -> dict[str, Any]:
        """The columns of a stored analysis (see :data:`STORED` for their names)."""
        return {STORED[k]: v for k, v in asdict(self).items()}


#: Digits a recording's and a week's averages are rounded to, the same for both.
DIGITS = {"backward_speed_mps": 3, "backward_cadence_spm": 2, "backward_step_time_cv_pct": 2}


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


def backward_figures(bouts: list[Bout], steps: list[Step]) -> BackwardFigures:
    """Backward figures of an analysis's bouts and steps (rounded as in the JSON)."""
    totals = direction_totals(of_direction(bouts, Direction.BACKWARD), None)
    indices = [i for i, b in enumerate(bouts) if b.direction == Direction.BACKWARD]
    steady = steadiness(bouts, steps, indices)
    others: dict[str, Any] = {}
    for direction in OTHER_DIRECTIONS:
        t = direction_totals(of_direction(bouts, direction), None)
        others[f"{direction}_steps"] = t.steps
        others[f"{direction}_duration_s"] = round(t.duration_s, 2)
        others[f"{direction}_distance_m"] = round(t.distance_m or 0.0, 2)
    return BackwardFigures(
        backward_steps=totals.steps,
        backward_duration_s=round(totals.duration_s, 2),
        backward_distance_m=round(totals.distance_m or 0.0, 2),
        backward_speed_mps=_round(totals.mean_speed_mps, DIGITS["backward_speed_mps"]),
        backward_cadence_spm=_round(totals.mean_cadence_spm, DIGITS["backward_cadence_spm"]),
        backward_step_time_cv_pct=_round(
            steady.step_time_cv_pct, DIGITS["backward_step_time_cv_pct"]
        ),
        **others,
    )


def _from_session(session: Mapping[str, Any]) -> BackwardFigures:
    back = session["backward"]
    steady = session["steadiness"]["backward"]
    others: dict[str, Any] = {}
    for direction in OTHER_DIRECTIONS:
        t = session.get(direction) or {}
        others[f"{direction}_steps"] = int(t.get("steps") or 0)
        others[f"{direction}_duration_s"] = float(t.get("duration_s") or 0.0)
        others[f"{direction}_distance_m"] = float(t.get("distance_m") or 0.0)
    return BackwardFigures(
        backward_steps=int(back["steps"]),
        backward_duration_s=float(back["duration_s"]),
        backward_distance_m=float(back["distance_m"] or 0.0),
        backward_speed_mps=back["mean_speed_mps"],
        backward_cadence_spm=back["mean_cadence_spm"],
        backward_step_time_cv_pct=steady["step_time_cv_pct"],
        **others,
    )


def bouts_and_steps(result: Mapping[str, Any]) -> tuple[list[Bout], list[Step]]:
    """The bouts and steps of an analysis JSON as result objects."""
    bouts = [
        Bout(
            start_s=float(b["start_s"]),
            end_s=float(b["end_s"]),
            direction=str(b["direction"]),
            direction_confidence=float(b.get("direction_confidence", 0.0)),
            n_steps=int(b.get("n_steps", 0)),
            cadence_spm=float(b.get("cadence_spm") or 0.0),
            speed_mps=b.get("speed_mps"),
            distance_m=b.get("distance_m"),
            step_length_m=b.get("step_length_m"),
            energy_kcal=b.get("energy_kcal"),
        )
        for b in result.get("bouts", [])
    ]
    steps = [
        Step(
            time_s=float(s["time_s"]),
            bout=int(s["bout"]),
            direction=str(s["direction"]),
            inferred=bool(s.get("inferred", False)),
            side=s.get("side"),
            length_m=s.get("length_m"),
        )
        for s in result.get("steps", [])
    ]
    return bouts, steps


def analysis_figures(result: Mapping[str, Any]) -> BackwardFigures:
    """Backward figures of one analysis JSON (the contract)."""
    session = result.get("session")
    if isinstance(session, Mapping) and "steadiness" in session:
        return _from_session(session)
    return backward_figures(*bouts_and_steps(result))


def step_time_cv_pct(steps: list[Mapping[str, Any]], direction: str) -> float | None:
    """Within-bout step-time CV (%) of the JSON ``steps`` of one direction.

    The rule of :func:`retrowalk.summary.totals.steadiness` (outliers left out,
    bouts weighted by their step times), rounded as in the JSON.
    """
    _, parsed = bouts_and_steps({"steps": steps})
    chosen = [s for s in parsed if s.direction == direction]
    indices = sorted({s.bout for s in chosen})
    return _round(steadiness([], chosen, indices).step_time_cv_pct, 2)


def summarise(result: Mapping[str, Any]) -> dict[str, Any]:
    """The stored columns of one analysis JSON (see :meth:`BackwardFigures.stored`)."""
    return analysis_figures(result).stored()


@dataclass(frozen=True)
class WeekProgress:
    """Totals and means of the backward walking of one ISO week (Monday to Sunday).

    Means are over the week's recordings, weighted by their backward walking time.
    """

    week_start: dt.date
    recordings: int
    backward_steps: int
    backward_duration_s: float
    backward_distance_m: float
    backward_speed_mps: float | None
    backward_cadence_spm: float | None
    backward_step_time_cv_pct: float | None
    forward_steps: int = 0
    forward_duration_s: float = 0.0
    forward_distance_m: float = 0.0
    uncertain_steps: int = 0
    uncertain_duration_s: float = 0.0
    uncertain_distance_m: float = 0.0

    def stored(self) -> dict[str, Any]:
        """The fields under the stored schema's names (which predate the ``backward_`` prefix)."""
        out = asdict(self)
        out["cadence_spm"] = out.pop("backward_cadence_spm")
        out["step_time_cv_pct"] = out.pop("backward_step_time_cv_pct")
        return out


#: ``date_source`` of a recording whose file held no date and whose day is not set yet
#: (the day it was uploaded stands in for it).
UNDATED = "unknown"


def in_weeks(date_source: str) -> bool:
    """Whether an analysed recording counts in the week of its date.

    One whose date is unknown (:data:`UNDATED`) counts in no week until its day is
    set: the progress page and the coach's weekly view (pages, API and command line)
    both leave it out by this rule, and list it with a way to set its date.
    """
    return date_source != UNDATED


def week_start(day: dt.date) -> dt.date:
    """The Monday of the ISO week of ``day``."""
    return day - dt.timedelta(days=day.weekday())


def weekly(rows: Iterable[tuple[dt.date, Mapping[str, Any]]]) -> list[WeekProgress]:
    """Group per-recording figures by week.

    Parameters
    ----------
    rows
        ``(recorded_on, stored)`` pairs, ``stored`` as from :func:`summarise`.
    """
    groups: dict[dt.date, list[Mapping[str, Any]]] = defaultdict(list)
    for day, summary in rows:
        groups[week_start(day)].append(summary)
    weeks = []
    for start in sorted(groups):
        items = groups[start]
        weeks.append(
            WeekProgress(
                week_start=start,
                recordings=len(items),
                backward_steps=sum(int(s["backward_steps"]) for s in items),
                backward_duration_s=round(sum(s["backward_duration_s"] for s in items), 2),
                backward_distance_m=round(sum(s["backward_distance_m"] for s in items), 2),
                backward_speed_mps=_mean_weighted(items, "backward_speed_mps"),
                backward_cadence_spm=_mean_weighted(items, "backward_cadence_spm"),
                backward_step_time_cv_pct=_mean_weighted(items, "backward_step_time_cv_pct"),
                **_other_sums(items),
            )
        )
    return weeks


def _other_sums(items: list[Mapping[str, Any]]) -> dict[str, Any]:
    """Week sums of the forward and uncertain steps, time and distance (0 when not stored)."""
    out: dict[str, Any] = {}
    for direction in OTHER_DIRECTIONS:
        out[f"{direction}_steps"] = sum(int(s.get(f"{direction}_steps") or 0) for s in items)
        for key in ("duration_s", "distance_m"):
            name = f"{direction}_{key}"
            out[name] = round(sum(float(s.get(name) or 0.0) for s in items), 2)
    return out


def _mean_weighted(items: list[Mapping[str, Any]], name: str) -> float | None:
    """Mean of the figure ``name`` over recordings weighted by backward walking time (1 s
    when it is 0), rounded as a recording's figure is (:data:`DIGITS`)."""
    key = STORED[name]
    pairs = [(s[key], s["backward_duration_s"] or 1.0) for s in items if s.get(key) is not None]
    if not pairs:
        return None
    total = sum(w for _, w in pairs)
    return round(float(sum(v * w for v, w in pairs) / total), DIGITS[name])
