"""Training sessions and the weekly view (planned vs done backward minutes).

A session comes either from a manual log (minutes, place, effort 0-10, soreness
0-10, pain, falls and near-falls) or from an analysed recording (backward
minutes, speed, step-time variability as steadiness). Weeks run Monday to
Sunday (ISO weeks).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from statistics import fmean
from typing import Any, Literal

from retrowalk.domain.coach.plans import planned_minutes_for_week


@dataclass(frozen=True)
class Session:
    """One day's backward walking, from a log or a recording."""

    date: dt.date
    backward_min: float
    source: Literal["log", "recording"] = "log"
    place: str = ""
    effort: int | None = None
    soreness: int | None = None
    pain: bool = False
    falls: int = 0
    near_falls: int = 0
    speed_mps: float | None = None
    step_time_cv_pct: float | None = None
    recording_id: int | None = None
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["date"] = self.date.isoformat()
        return out


@dataclass
class Week:
    """Totals of one week."""

    week_start: dt.date
    planned_min: float = 0.0
    done_min: float = 0.0
    sessions: int = 0
    max_soreness: int | None = None
    max_effort: int | None = None
    pain: bool = False
    falls: int = 0
    near_falls: int = 0
    speed_mps: float | None = None
    step_time_cv_pct: float | None = None
    places: list[str] = field(default_factory=list)

    @property
    def adherence_pct(self) -> float | None:
        """Done as a percentage of planned (None without a plan for the week)."""
        if self.planned_min <= 0:
            return None
        return round(100.0 * self.done_min / self.planned_min, 0)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["week_start"] = self.week_start.isoformat()
        out["adherence_pct"] = self.adherence_pct
        return out


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


def _max(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def summarise_weeks(
    sessions: Iterable[Session],
    *,
    plan: dict[str, Any] | None = None,
    plan_start: dt.date | None = None,
    today: dt.date | None = None,
) -> list[Week]:
    """Every week from the first (plan or session) week to ``today``'s week, oldest first.

    Parameters
    ----------
    sessions
        Logged and recorded sessions.
    plan
        The current plan's payload (planned minutes per plan week); optional.
    plan_start
        The day the plan started; plan week 1 is the week of this day.
    today
        The last week shown is this day's week (default: today).
    """
    today = today or dt.date.today()
    items = sorted(sessions, key=lambda s: s.date)
    starts = [week_start(s.date) for s in items]
    if plan is not None and plan_start is not None:
        starts.append(week_start(plan_start))
    if not starts:
        return []
    first = min(starts)
    last = max(week_start(today), max(starts))
    weeks: dict[dt.date, Week] = {}
    day = first
    while day <= last:
        weeks[day] = Week(day)
        if plan is not None and plan_start is not None and day >= week_start(plan_start):
            index = (day - week_start(plan_start)).days // 7
            weeks[day].planned_min = planned_minutes_for_week(plan, index)
        day += dt.timedelta(days=7)
    speeds: dict[dt.date, list[float]] = {}
    cvs: dict[dt.date, list[float]] = {}
    for s in items:
        w = weeks[week_start(s.date)]
        w.done_min = round(w.done_min + s.backward_min, 2)
        w.sessions += 1
        w.max_soreness = _max(w.max_soreness, s.soreness)
        w.max_effort = _max(w.max_effort, s.effort)
        w.pain = w.pain or s.pain
        w.falls += s.falls
        w.near_falls += s.near_falls
        if s.place and s.place not in w.places:
            w.places.append(s.place)
        if s.speed_mps is not None:
            speeds.setdefault(w.week_start, []).append(s.speed_mps)
        if s.step_time_cv_pct is not None:
            cvs.setdefault(w.week_start, []).append(s.step_time_cv_pct)
    for start, values in speeds.items():
        weeks[start].speed_mps = round(fmean(values), 3)
    for start, values in cvs.items():
        weeks[start].step_time_cv_pct = round(fmean(values), 2)
    return list(weeks.values())


def adherence(weeks: list[Week], n_weeks: int) -> dict[str, float | None]:
    """Planned and done backward minutes over the last ``n_weeks`` weeks (this week included)."""
    chosen = weeks[-n_weeks:] if weeks else []
    planned = round(sum(w.planned_min for w in chosen), 1)
    done = round(sum(w.done_min for w in chosen), 1)
    return {
        "planned_min": planned,
        "done_min": done,
        "pct": round(100.0 * done / planned, 0) if planned > 0 else None,
    }


def streak(weeks: list[Week]) -> int:
    """Weeks in a row in which the plan was done (without a plan: any walking).

    The current week only counts once it is complete, so an unfinished week never
    breaks a streak.
    """
    count = 0
    for w in reversed(weeks[:-1]):
        met = w.done_min >= w.planned_min if w.planned_min > 0 else w.sessions > 0
        if not met:
            break
        count += 1
    if weeks:
        w = weeks[-1]
        if (w.planned_min > 0 and w.done_min >= w.planned_min) or (
            w.planned_min <= 0 and w.sessions > 0
        ):
            count += 1
    return count
