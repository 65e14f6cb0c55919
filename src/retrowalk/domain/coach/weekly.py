"""Training sessions and the weekly view (planned vs done backward minutes).

A session comes either from a manual log (minutes, place, effort 0-10, soreness
0-10, pain, falls and near-falls) or from an analysed recording (backward
minutes, speed, step-time variability as steadiness). Weeks run Monday to
Sunday (ISO weeks).

What a week's analysed recordings add up to (backward time, speed, steadiness)
is not added up here: it comes in as :class:`RecordedWeek`, the week's figures as
the progress page has them, so that the weekly view, the progress page, the API
and the command line show one number. Minutes are kept at full precision and
rounded only where they are shown (:func:`minutes_text`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from retrowalk.core.rounding import half_up, half_up_text
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


@dataclass(frozen=True)
class RecordedWeek:
    """What one week's analysed recordings add up to, as the progress page adds them up.

    Attributes
    ----------
    week_start
        The Monday of the week.
    backward_duration_s
        Their backward walking time, s (the week's sum).
    speed_mps, step_time_cv_pct
        Their backward speed and step-time variability, averaged over the week's
        recordings weighted by backward walking time; None when none has one.
    """

    week_start: dt.date
    backward_duration_s: float
    speed_mps: float | None = None
    step_time_cv_pct: float | None = None


#: Decimals of the backward minutes where they are shown (pages, command line, advice).
SHOWN_MIN_DIGITS = 2


def minutes_text(minutes: float) -> str:
    """Backward minutes as shown: to 0.01 min half up, without trailing zeros (``12.5``,
    ``10``, ``12.35`` for 12.345), as ``retrowalk.report.display.minutes`` writes them
    on the pages and the command line (which the domain rules cannot import; both
    write them with :func:`~retrowalk.core.rounding.half_up_text`)."""
    return half_up_text(float(minutes), SHOWN_MIN_DIGITS)


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
        return done_pct(self.done_min, self.planned_min)

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
    recorded: Iterable[RecordedWeek] = (),
    plan: dict[str, Any] | None = None,
    plan_start: dt.date | None = None,
    today: dt.date | None = None,
) -> list[Week]:
    """Every week from the first (plan or session) week to ``today``'s week, oldest first.

    A week's done minutes are its logs' minutes plus its recordings' backward time
    (``recorded``) converted once; its speed and steadiness are its recordings'.

    Parameters
    ----------
    sessions
        Logged and recorded sessions: each counts as a session of its week, a log's
        minutes, soreness, effort, pain, falls and near-falls count in its week.
        A recorded session's minutes, speed and steadiness are not added here:
        they come in ``recorded``.
    recorded
        What the week's recorded sessions add up to, per week.
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
    for s in items:
        w = weeks[week_start(s.date)]
        if s.source != "recording":  # a recording's minutes come with its week's (recorded)
            w.done_min += s.backward_min
        w.sessions += 1
        w.max_soreness = _max(w.max_soreness, s.soreness)
        w.max_effort = _max(w.max_effort, s.effort)
        w.pain = w.pain or s.pain
        w.falls += s.falls
        w.near_falls += s.near_falls
        if s.place and s.place not in w.places:
            w.places.append(s.place)
    for r in recorded:
        week = weeks.get(r.week_start)
        if week is None:  # no session in it: recordings without backward walking only
            continue
        week.done_min += r.backward_duration_s / 60.0
        week.speed_mps = r.speed_mps
        week.step_time_cv_pct = r.step_time_cv_pct
    return list(weeks.values())


def adherence(weeks: list[Week], n_weeks: int) -> dict[str, float | None]:
    """Planned and done backward minutes over the last ``n_weeks`` weeks (this week included);
    done at full precision (shown with :func:`minutes_text`)."""
    chosen = weeks[-n_weeks:] if weeks else []
    planned = round(sum(w.planned_min for w in chosen), 1)
    done = sum(w.done_min for w in chosen)
    return {
        "planned_min": planned,
        "done_min": done,
        "pct": done_pct(done, planned),
    }


def done_pct(done_min: float, planned_min: float) -> float | None:
    """Done as a whole percentage of planned, half up as it is shown (12.5 -> 13); None
    without a plan."""
    if planned_min <= 0:
        return None
    return float(half_up(100.0 * done_min / planned_min, 0))


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
