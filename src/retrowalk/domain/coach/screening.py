"""Safe-start screening before backward walking.

The rules are in ``data/coach/screening.toml``; each carries its reason in plain
words. The most careful outcome among the matching rules wins and every
matching rule's reason is returned, so the person sees *why*. Advice follows the
safety guidance of consumer articles on backward walking: check with a doctor
first, especially with a history of balance problems ("Walking Backwards Can
Strengthen Body and Brain", web article, 2023), or with knee problems (Stosh K.,
"7 Tips and Tricks of Walking Backwards", web article, about 2024).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from retrowalk.domain.coach.data import load

Outcome = Literal["go", "support", "doctor"]


class ScreeningAnswers(BaseModel):
    """The answers to the screening questions."""

    balance: Literal["none", "unsteady", "falls"] = Field(
        "none", description="none; sometimes unsteady; fell in the past 12 months"
    )
    knee_hip: Literal["none", "mild", "diagnosed"] = Field(
        "none", description="none; occasional aches; diagnosed condition or ongoing pain"
    )
    recent_injury: bool = Field(False, description="injury or surgery in the last 3 months")
    neuro: Literal["none", "stroke", "parkinsons", "ms", "other"] = "none"
    heart_dizzy: bool = Field(False, description="heart condition, chest pain or dizzy spells")
    pregnant: bool = False
    age: int = Field(40, ge=5, le=120)
    activity: Literal["inactive", "some", "active"] = "some"


@dataclass(frozen=True)
class Reason:
    """One rule that matched, with its explanation."""

    rule: str
    outcome: Outcome
    text: str


@dataclass(frozen=True)
class ScreeningResult:
    """The outcome of the screening and every reason behind it."""

    outcome: Outcome
    title: str
    summary: str
    reasons: list[Reason] = field(default_factory=list)
    learn: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def age_years(birth_date: date | None, today: date | None = None) -> int | None:
    """Age in whole years on ``today`` (None without a birth date)."""
    if birth_date is None:
        return None
    today = today or date.today()
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - before_birthday


def _matches(rule: dict[str, Any], answers: dict[str, Any]) -> bool:
    value = answers[rule["field"]]
    op = rule["op"]
    if op == "equals":
        return bool(value == rule["value"])
    if op == "in":
        return value in rule["value"]
    if op == "true":
        return bool(value)
    if op == "at_least":
        return bool(value >= rule["value"])
    if op == "below":
        return bool(value < rule["value"])
    raise ValueError(f"unknown screening operator {op!r}")


def screen(answers: ScreeningAnswers) -> ScreeningResult:
    """Decide go / go with support / see a doctor first.

    Parameters
    ----------
    answers
        The screening answers.

    Returns
    -------
    ScreeningResult
        The most careful outcome of all matching rules, with each rule's reason.
    """
    data = load("coach", "screening")
    outcomes = data["outcomes"]
    values = answers.model_dump()
    reasons = [
        Reason(rule["id"], rule["outcome"], rule["reason"])
        for rule in data["rules"]
        if _matches(rule, values)
    ]
    chosen: Outcome = "go"
    for reason in reasons:
        if outcomes[reason.outcome]["rank"] > outcomes[chosen]["rank"]:
            chosen = reason.outcome
    reasons.sort(key=lambda r: -outcomes[r.outcome]["rank"])
    info = outcomes[chosen]
    return ScreeningResult(chosen, info["title"], info["summary"], reasons, list(info["learn"]))
