"""Progression: what to do next week, from what the person actually did.

Rules live in ``data/coach/progression.toml`` and are checked in order; the first
that applies sets next week's backward minutes, and each recommendation names
its rule. The rules follow common consumer advice (Stosh K., "7 Tips and Tricks
of Walking Backwards", web article, about 2024: increase gradually; "Walking
Backwards Can Strengthen Body and Brain", web article, 2023: expect some soreness,
avoid too much too soon) and the usual training-load rule of thumb (at most
~10-20 % a week): step back after pain, high soreness or a near-fall, and stop
and get checked after a fall. The next stage (wall -> open space -> treadmill ->
intervals -> stairs) is offered only after steady weeks.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from statistics import fmean
from typing import Any

from retrowalk.domain.coach.data import load
from retrowalk.domain.coach.plans import next_stage_id, previous_stage_id, stage
from retrowalk.domain.coach.weekly import Week, minutes_text


@dataclass(frozen=True)
class Recommendation:
    """Next week's advice and the rule that produced it."""

    action: str
    rule: str
    rule_text: str
    message: str
    week_start: str | None
    basis_min: float
    next_week_min: float
    stage: str
    stage_title: str
    learn: list[str] = field(default_factory=list)
    next_stage: str | None = None
    next_stage_title: str | None = None
    next_stage_rule: str | None = None
    next_stage_text: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _config() -> dict[str, Any]:
    return load("coach", "progression")


def _rule(rule_id: str) -> dict[str, Any]:
    for rule in _config()["rules"]:
        if rule["id"] == rule_id:
            return rule
    raise KeyError(rule_id)


def _which_rule(week: Week, cfg: dict[str, Any]) -> str:
    if week.falls > 0:
        return "fall"
    if week.near_falls > 0:
        return "near_fall"
    if week.pain:
        return "pain"
    if week.max_soreness is not None and week.max_soreness >= cfg["high_soreness"]:
        return "high_soreness"
    if week.sessions == 0:
        return "no_data"
    if (week.max_soreness is not None and week.max_soreness >= cfg["moderate_soreness"]) or (
        week.max_effort is not None and week.max_effort >= cfg["high_effort"]
    ):
        return "moderate_soreness"
    if week.planned_min > 0 and week.done_min < cfg["done_enough_fraction"] * week.planned_min:
        return "not_enough_done"
    return "gradual_increase"


def is_steady(weeks: list[Week]) -> bool:
    """True when the last ``steady_weeks`` weeks were all steady (see progression.toml)."""
    cfg = _config()
    n = cfg["steady_weeks"]
    if len(weeks) < n:
        return False
    recent, earlier = weeks[-n:], weeks[:-n]
    baseline = [w.step_time_cv_pct for w in earlier if w.step_time_cv_pct is not None]
    base_cv = fmean(baseline) if baseline else None
    for w in recent:
        if w.planned_min <= 0 or w.done_min < cfg["steady_fraction"] * w.planned_min:
            return False
        if w.pain or w.falls or w.near_falls:
            return False
        if w.max_soreness is not None and w.max_soreness > cfg["steady_max_soreness"]:
            return False
        if w.max_effort is not None and w.max_effort > cfg["steady_max_effort"]:
            return False
        if (
            base_cv is not None
            and w.step_time_cv_pct is not None
            and w.step_time_cv_pct > base_cv * (1 + cfg["steadiness_cv_worse_pct"] / 100.0)
        ):
            return False
    return True


def recommend(
    weeks: list[Week],
    current_stage: str,
    *,
    stairs_allowed: bool = False,
    next_planned_min: float | None = None,
) -> Recommendation:
    """Next week's backward minutes and stage.

    Parameters
    ----------
    weeks
        Weekly totals, oldest first; the last week with sessions (or the last week)
        is judged.
    current_stage
        The stage the person is at (``wall_support``, ``open_space``, ...).
    stairs_allowed
        Whether the plan allows stairs (advanced plans only).
    next_planned_min
        The plan's minutes for next week, if any: an increase never goes beyond
        the plan unless the person already did more.
    """
    cfg = _config()
    judged = next((w for w in reversed(weeks) if w.sessions > 0), weeks[-1] if weeks else None)
    if judged is None:
        judged = Week(week_start=None)  # type: ignore[arg-type]
    rule_id = _which_rule(judged, cfg)
    rule = _rule(rule_id)
    basis = judged.done_min if judged.done_min > 0 else judged.planned_min
    stage_id = current_stage
    step_back = 1 - cfg["step_back_pct"] / 100.0
    if rule_id == "fall":
        nxt = 0.0
        stage_id = previous_stage_id(current_stage) or current_stage
    elif rule_id == "near_fall":
        nxt = basis * step_back
        stage_id = previous_stage_id(current_stage) or current_stage
    elif rule_id in ("pain", "high_soreness"):
        nxt = basis * step_back
    elif rule_id == "not_enough_done":
        nxt = judged.planned_min
    elif rule_id == "no_data":
        nxt = judged.planned_min if judged.planned_min > 0 else (next_planned_min or 0.0)
    elif rule_id == "moderate_soreness":
        nxt = basis
    else:
        nxt = basis * (1 + cfg["default_increase_pct"] / 100.0)
        if next_planned_min is not None and next_planned_min > 0:
            nxt = max(min(nxt, next_planned_min), basis)
        nxt = min(nxt, basis * (1 + cfg["max_weekly_increase_pct"] / 100.0))
    nxt = round(nxt, 1)
    info = stage(stage_id)
    message = _message(rule_id, basis, nxt, info["title"])
    offer = None
    if rule_id == "gradual_increase" and is_steady(weeks):
        offer = next_stage_id(current_stage, stairs_allowed=stairs_allowed)
    offer_cfg = cfg["offer_next_stage"]
    return Recommendation(
        action=rule["action"],
        rule=rule_id,
        rule_text=rule["text"],
        message=message,
        week_start=judged.week_start.isoformat() if judged.week_start else None,
        basis_min=basis,
        next_week_min=nxt,
        stage=stage_id,
        stage_title=info["title"],
        learn=list(rule["learn"]),
        next_stage=offer,
        next_stage_title=stage(offer)["title"] if offer else None,
        next_stage_rule=offer_cfg["id"] if offer else None,
        next_stage_text=offer_cfg["text"] if offer else None,
    )


def _message(rule_id: str, basis_min: float, nxt: float, stage_title: str) -> str:
    basis = minutes_text(basis_min)  # the week's minutes as the weekly view shows them
    if rule_id == "fall":
        return "Please pause backward walking and get checked by a doctor or physiotherapist."
    if rule_id == "not_enough_done":
        return (
            f"Next week: repeat this week's planned {nxt:g} minutes of backward walking "
            f"(done so far: {basis})."
        )
    if rule_id == "no_data":
        return f"Start with {nxt:g} minutes of backward walking this week ({stage_title.lower()})."
    if nxt > basis_min:
        return f"Next week: {nxt:g} minutes of backward walking in all (up from {basis})."
    if nxt < basis_min:
        return (
            f"Next week: {nxt:g} minutes of backward walking in all (down from {basis}), "
            f"{stage_title.lower()}."
        )
    return f"Next week: keep to {nxt:g} minutes of backward walking in all."
