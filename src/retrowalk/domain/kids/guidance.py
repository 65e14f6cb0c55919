"""Gentle guidance for a child's corrected age, and red flags from the log.

What is typical now, what comes next, playful ways to encourage it, and the
things worth talking to a paediatrician about. The red-flag rules and their
wording are data (``data/kids/flags.toml``); this module only evaluates them.
The wording informs and never diagnoses (domain notes: "talk to your
paediatrician", never "your child has X"); backward crawling or walking alone
is not a sign of autism.

Missing data never raises a flag: a skill that is simply absent from the log is
a question for the parent ("Is your child walking on their own yet?"); only
when the parent answers "not yet" (the ``not-yet`` detail) at the age where it
matters does the guidance suggest talking to the paediatrician.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from retrowalk.domain.kids.age import ChildAge, add_months
from retrowalk.domain.kids.entries import SkillEntry
from retrowalk.domain.kids.milestones import (
    NEXT_WITHIN_MONTHS,
    Milestone,
    MilestoneTable,
    load_milestones,
    read_data,
)

REASSURANCE = {
    "backward-crawling": (
        "Crawling backwards is a common, normal early phase: many babies push "
        "backwards before they move forwards, usually for days to a few weeks. On its "
        "own it is not a sign of autism or of any other condition."
    ),
    "first-backward-steps": (
        "Stepping backwards is a balance skill that grows with walking; children "
        "reach it at quite different ages."
    ),
}
NOT_YET = "not-yet"
"""The observation detail by which a parent says a skill is not there yet."""
IDEAS_PER_MILESTONE = 3
MAX_IDEAS = 10
GENERAL_SAFETY = "Play on a clear, flat, soft floor with you close by."


@dataclass(frozen=True)
class Flag:
    """A red-flag rule of ``flags.toml``; ``title`` names the age it is raised at, if any
    (see :func:`titled`)."""

    id: str
    rule: str
    title: str
    message: str
    watch: str
    learn: tuple[str, ...]
    sources: tuple[str, ...]
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Question:
    """A question for the parent where the log holds no answer yet."""

    flag_id: str
    skill: str
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"flag": self.flag_id, "skill": self.skill, "question": self.text}


def is_seen(entry: SkillEntry) -> bool:
    """Whether the entry says the skill was seen (not a "not yet" answer)."""
    return NOT_YET not in entry.details


@dataclass(frozen=True)
class Guidance:
    """Everything the guidance page shows for one child on one day."""

    age: ChildAge
    now: list[Milestone]
    next: list[Milestone]
    later: list[Milestone]
    earlier: list[Milestone]
    seen: dict[str, dt.date]
    not_yet: dict[str, dt.date]
    questions: list[Question]
    encourage: list[str]
    reassurance: list[str]
    flags: list[Flag]
    learn: list[str]
    steps_best: int | None

    def as_dict(self) -> dict[str, Any]:
        def ms(items: Sequence[Milestone]) -> list[dict[str, Any]]:
            return [
                {
                    "id": m.id,
                    "name": m.name,
                    "window": m.window_text(),
                    "start_months": m.start_months,
                    "end_months": m.end_months,
                    "uncertain": m.uncertain,
                    "grade": m.grade,
                    "seen": self.seen[m.id].isoformat() if m.id in self.seen else None,
                }
                for m in items
            ]

        return {
            "on": self.age.on.isoformat(),
            "age": self.age.describe(),
            "age_months": round(self.age.months, 2),
            "chronological_months": round(self.age.chronological_months, 2),
            "corrected": self.age.corrected,
            "typical_now": ms(self.now),
            "usually_reached_by_now": ms(self.earlier),
            "not_yet": {k: v.isoformat() for k, v in self.not_yet.items()},
            "questions": [q.as_dict() for q in self.questions],
            "next": ms(self.next),
            "later": ms(self.later),
            "earlier": ms(self.earlier),
            "encourage": self.encourage,
            "reassurance": self.reassurance,
            "flags": [
                {
                    "id": f.id,
                    "title": f.title,
                    "message": f.message,
                    "watch": f.watch,
                    "learn": [f"/learn/{x}" for x in f.learn],
                }
                for f in self.flags
            ],
            "learn": [f"/learn/{x}" for x in self.learn],
            "best_backward_steps": self.steps_best,
        }


def titled(title: str, rule: str, params: dict[str, Any]) -> str:
    """A flag's title with the corrected age its rule is raised at, the one place a flag
    states its age (its message does not repeat it)."""
    if rule == "skill_missing_by":
        return f"{title}, at {float(params['age_months']):g} months or older (corrected age)"
    if "before_months" in params:
        return f"{title}, before {float(params['before_months']):g} months (corrected age)"
    return title


@cache
def load_flags() -> tuple[Flag, ...]:
    """The red-flag rules from ``data/kids/flags.toml``."""
    flags = []
    for raw in read_data("flags.toml")["flag"]:
        raw = dict(raw)
        flag_id, rule, title = raw.pop("id"), raw.pop("rule"), raw.pop("title")
        flags.append(
            Flag(
                id=flag_id,
                rule=rule,
                title=titled(title, rule, raw),
                message=raw.pop("message"),
                watch=raw.pop("watch", ""),
                learn=tuple(raw.pop("learn", ())),
                sources=tuple(raw.pop("sources", ())),
                params=raw,
            )
        )
    return tuple(flags)


def flag_age_months(flag_id: str) -> float:
    """The corrected age in months from which the ``skill_missing_by`` flag ``flag_id``
    is raised (e.g. not walking alone: 18), as pages that name it state it."""
    for flag in load_flags():
        if flag.id == flag_id:
            return float(flag.params["age_months"])
    raise KeyError(flag_id)


def _detail_persists(flag: Flag, entries: Sequence[SkillEntry], age: ChildAge) -> bool:
    detail = flag.params["detail"]
    with_detail = [e for e in entries if detail in e.details]
    if not with_detail:
        return False
    first = min(e.date for e in with_detail)
    # More than the given calendar months since it was first logged (a month from
    # 31 January ends on the last day of February).
    if age.on <= add_months(first, int(flag.params["more_than_months"])):
        return False
    progress = set(flag.params.get("progress_skills", ()))
    return not any(
        e.skill in progress and detail not in e.details and is_seen(e) and e.date >= first
        for e in entries
    )


def _detail_seen(flag: Flag, entries: Sequence[SkillEntry], age: ChildAge) -> bool:
    detail = flag.params["detail"]
    within = int(flag.params.get("within_days", 10_000))
    before = flag.params.get("before_months")
    if before is not None and age.months >= float(before):
        return False
    return any(detail in e.details and 0 <= (age.on - e.date).days <= within for e in entries)


def _skill_missing_by(flag: Flag, entries: Sequence[SkillEntry], age: ChildAge) -> bool:
    if age.months < float(flag.params["age_months"]):
        return False
    wanted = set(flag.params["any_of"])
    if any(e.skill in wanted and is_seen(e) for e in entries):
        return False
    return _answered_not_yet(flag, entries, age)


def _answered_not_yet(flag: Flag, entries: Sequence[SkillEntry], age: ChildAge) -> bool:
    """The parent said "not yet" for one of the flag's skills, recently enough to still hold."""
    wanted = set(flag.params["any_of"])
    within = int(flag.params.get("answer_days", 61))
    return any(
        e.skill in wanted and not is_seen(e) and 0 <= (age.on - e.date).days <= within
        for e in entries
    )


def open_questions(entries: Sequence[SkillEntry], age: ChildAge) -> list[Question]:
    """Questions for the parent: skills the age calls for that the log does not answer.

    A ``skill_missing_by`` rule whose age has come but whose skills are neither
    logged as seen nor recently answered "not yet" asks its question instead of
    raising its flag.
    """
    known = [e for e in entries if e.date <= age.on]
    questions = []
    for flag in load_flags():
        if flag.rule != "skill_missing_by" or "ask" not in flag.params:
            continue
        if age.months >= float(flag.params.get("max_age_months", 1e9)):
            continue
        if age.months < float(flag.params["age_months"]):
            continue
        wanted = set(flag.params["any_of"])
        if any(e.skill in wanted and is_seen(e) for e in known):
            continue
        if _answered_not_yet(flag, known, age):
            continue
        questions.append(Question(flag.id, str(flag.params["ask_skill"]), str(flag.params["ask"])))
    return questions


RULES: dict[str, Callable[[Flag, Sequence[SkillEntry], ChildAge], bool]] = {
    "detail_persists": _detail_persists,
    "detail_seen": _detail_seen,
    "skill_missing_by": _skill_missing_by,
}


def raised_flags(entries: Sequence[SkillEntry], age: ChildAge) -> list[Flag]:
    """The red flags whose rule holds for this log on ``age.on``."""
    known = [e for e in entries if e.date <= age.on]
    return [
        f
        for f in load_flags()
        if age.months < float(f.params.get("max_age_months", 1e9)) and RULES[f.rule](f, known, age)
    ]


def guidance(
    age: ChildAge, entries: Sequence[SkillEntry], table: MilestoneTable | None = None
) -> Guidance:
    """What is typical now, what comes next, ideas to encourage it and red flags.

    Parameters
    ----------
    age
        The child's age on the day of interest (corrected where it applies).
    entries
        The child's observation log (entries after ``age.on`` are ignored).
    table
        The milestone table (default: the bundled one).
    """
    table = table or load_milestones()
    known = [e for e in entries if e.date <= age.on]
    seen: dict[str, dt.date] = {}
    not_yet: dict[str, dt.date] = {}
    for entry in sorted(known, key=lambda e: e.date):
        if is_seen(entry):
            seen.setdefault(entry.skill, entry.date)
        elif entry.skill not in seen:
            not_yet[entry.skill] = entry.date
    groups: dict[str, list[Milestone]] = {"now": [], "next": [], "later": [], "earlier": []}
    for milestone, status in table.timeline(age.months):
        groups[status].append(milestone)
    encourage: list[str] = []
    learn: list[str] = []
    soon = [m for m in groups["next"] if m.start_months - age.months <= NEXT_WITHIN_MONTHS]
    for milestone in groups["now"] + soon:
        if milestone.id in seen and milestone.id != "backward-crawling":
            continue
        for idea in milestone.encourage[:IDEAS_PER_MILESTONE]:
            if idea not in encourage and len(encourage) < MAX_IDEAS:
                encourage.append(idea)
    if not encourage and groups["next"]:
        encourage = list(groups["next"][0].encourage[:IDEAS_PER_MILESTONE])
    if encourage:
        encourage.append(GENERAL_SAFETY)
    for milestone in groups["now"] + groups["next"]:
        learn += [x for x in milestone.learn if x not in learn]
    reassurance = [
        text
        for skill, text in REASSURANCE.items()
        if skill in seen or any(m.id == skill for m in groups["now"])
    ]
    flags = raised_flags(known, age)
    for flag in flags:
        learn += [x for x in flag.learn if x not in learn]
    if "kids-when-to-ask" not in learn:
        learn.append("kids-when-to-ask")
    steps = [e.steps for e in known if e.steps is not None]
    return Guidance(
        age=age,
        now=groups["now"],
        next=groups["next"],
        later=groups["later"],
        earlier=groups["earlier"],
        seen=seen,
        not_yet=not_yet,
        questions=open_questions(known, age),
        encourage=encourage,
        reassurance=reassurance,
        flags=flags,
        learn=learn,
        steps_best=max(steps) if steps else None,
    )
