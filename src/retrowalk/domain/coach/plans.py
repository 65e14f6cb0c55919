"""Backward-walking plans by goal and level.

Doses come from the trials and advice in ``data/coach/plans.toml`` (Alghadir et
al. 2019, BMC Musculoskelet Disord 20:159 for knee osteoarthritis: 10 min 3x a
week for 6 weeks; Rose 2018 for stroke: 8 x 30 min on a treadmill). A beginner's
5 minutes several times a week is the plans' own reading of consumer advice ("a
few minutes", Stosh K.), at the trials' frequency; no source gives those minutes,
and the fitness plan's sources say so. Weekly backward time
rises by at most ``max_increase_pct`` a week, from ``start_min`` to ``max_min``
minutes per session.
"""

from __future__ import annotations

import math
from typing import Any

from retrowalk.core.errors import InputError
from retrowalk.domain.coach.data import load

GOALS = ("fitness", "knee_pain", "balance", "stroke_rehab")
LEVELS = ("beginner", "intermediate", "advanced")


def stages() -> list[dict[str, Any]]:
    """The stages in the order they are offered."""
    return list(load("coach", "plans")["stages"])


def stage(stage_id: str) -> dict[str, Any]:
    """One stage by id."""
    for item in stages():
        if item["id"] == stage_id:
            return item
    raise InputError("stage", f"unknown stage {stage_id!r}")


def next_stage_id(stage_id: str, *, stairs_allowed: bool) -> str | None:
    """The stage after ``stage_id`` (stairs only when the plan allows them)."""
    ids = [s["id"] for s in stages() if stairs_allowed or s["id"] != "stairs"]
    if stage_id not in ids:
        return None
    i = ids.index(stage_id)
    return ids[i + 1] if i + 1 < len(ids) else None


def previous_stage_id(stage_id: str) -> str | None:
    """The more supported stage before ``stage_id``."""
    ids = [s["id"] for s in stages()]
    i = ids.index(stage_id) if stage_id in ids else 0
    return ids[i - 1] if i > 0 else None


def cues() -> list[dict[str, Any]]:
    """Form cues with their Learn ids."""
    return list(load("coach", "plans")["cues"])


def _round_half(minutes: float) -> float:
    return math.floor(minutes * 2 + 1e-9) / 2


def minutes_schedule(
    start_min: float, max_min: float, weeks: int, increase_pct: float
) -> list[float]:
    """Minutes per session for each week: +``increase_pct`` a week, rounded down to 0.5 min.

    Each week grows from the previous week's rounded value, so no weekly step is
    larger than ``increase_pct`` (except a 0.5 min step, allowed up to 20 %).
    """
    out = [min(_round_half(start_min), float(max_min))]
    while len(out) < weeks:
        prev = out[-1]
        nxt = _round_half(prev * (1 + increase_pct / 100.0))
        if nxt <= prev and prev + 0.5 <= prev * 1.2:
            nxt = prev + 0.5
        out.append(min(max(nxt, prev), float(max_min)))
    return out


def session_steps(
    minutes: float, stage_info: dict[str, Any], level: dict[str, Any], *, stairs: bool
) -> list[str]:
    """Concrete steps of one session."""
    steps = [
        "Warm up: walk forwards for 3-5 minutes.",
        f"Where: {stage_info['place']}.",
        stage_info["how"],
    ]
    back = level.get("interval_backward_min")
    fwd = level.get("interval_forward_min")
    if back and fwd:
        rounds = max(1, int(minutes // back))
        steps.append(
            f"Intervals: {rounds} rounds of {back:g} min backwards, then {fwd:g} min forwards "
            f"({rounds * back:g} min backwards in all)."
        )
    else:
        steps.append(f"Walk backwards for {minutes:g} minutes in all; rest when you need to.")
    if stairs:
        steps.append("If it feels easy: a few stairs backwards up, holding the handrail.")
    steps.append("Cool down: walk forwards for 3 minutes.")
    return steps


def make_plan(goal: str, level: str, *, prescribed: bool = False) -> dict[str, Any]:
    """A weekly plan for a goal and level (the JSON stored in ``Plan.payload``).

    Parameters
    ----------
    goal
        One of :data:`GOALS`.
    level
        One of :data:`LEVELS`.
    prescribed
        For goals that need a therapist's prescription (stroke rehabilitation):
        confirms that a therapist prescribed backward walking.

    Raises
    ------
    InputError
        Unknown goal or level, or a rehab goal without a prescription.
    """
    data = load("coach", "plans")
    if goal not in data["goals"]:
        raise InputError("goal", f"choose one of {', '.join(GOALS)}")
    g = data["goals"][goal]
    if level not in g["levels"]:
        raise InputError("level", f"choose one of {', '.join(LEVELS)}")
    if g.get("needs_prescription") and not prescribed:
        raise InputError(
            "goal",
            "rehabilitation after a stroke is planned with your therapist; "
            "confirm that your therapist prescribed backward walking",
        )
    lv = g["levels"][level]
    stairs = bool(lv.get("stairs", False)) and level == "advanced"
    start_stage = stage(lv["stage"])
    schedule = minutes_schedule(
        lv["start_min"], lv["max_min"], lv["weeks"], data["max_increase_pct"]
    )
    weeks = [
        {
            "week": i + 1,
            "sessions": lv["sessions_per_week"],
            "backward_min_per_session": minutes,
            "backward_min_week": round(minutes * lv["sessions_per_week"], 1),
            "steps": session_steps(minutes, start_stage, lv, stairs=stairs),
        }
        for i, minutes in enumerate(schedule)
    ]
    return {
        "goal": goal,
        "goal_title": g["title"],
        "level": level,
        "about": g["about"],
        "stage": start_stage["id"],
        "stage_title": start_stage["title"],
        "place": start_stage["place"],
        "stairs_allowed": stairs,
        "sessions_per_week": lv["sessions_per_week"],
        "weeks": weeks,
        "cues": cues(),
        "learn": list(g["learn"]) + list(start_stage["learn"]),
        "sources": list(g["sources"]),
        "prescribed": bool(prescribed),
    }


def planned_minutes_for_week(plan: dict[str, Any], week_index: int) -> float:
    """Planned backward minutes in plan week ``week_index`` (0-based; after the end: last week)."""
    weeks = plan.get("weeks") or []
    if not weeks or week_index < 0:
        return 0.0
    week = weeks[min(week_index, len(weeks) - 1)]
    return float(week["backward_min_week"])
