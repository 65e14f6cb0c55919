"""The milestone table (``data/kids/milestones.toml``) and where a child's age falls in it.

Windows come from the WHO Motor Development Study (1st-99th percentile; WHO
MGRS Group 2006, Acta Paediatr Suppl 450:86) where one was measured; backward
skills come from weaker sources, marked ``uncertain`` with their grade.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any, Literal

Status = Literal["earlier", "now", "next", "later"]
NEXT_WITHIN_MONTHS = 3.0


@dataclass(frozen=True)
class Source:
    """A citation of the milestone table."""

    id: str
    citation: str
    url: str = ""
    note: str = ""


@dataclass(frozen=True)
class Milestone:
    """One skill with its typical age window (months, corrected age)."""

    id: str
    name: str
    what: str
    start_months: float
    end_months: float
    grade: str
    sources: tuple[str, ...]
    uncertain: bool = False
    uncertainty: str = ""
    note: str = ""
    typical_duration: str = ""
    learn: tuple[str, ...] = ()
    encourage: tuple[str, ...] = ()
    target_backward_steps: int | None = None

    def window_text(self) -> str:
        """'5.2-13.5 months' (with 'about' when the window is uncertain)."""
        text = f"{self.start_months:g}-{self.end_months:g} months"
        return f"about {text}" if self.uncertain else text

    def status(self, age_months: float) -> Status:
        """Where ``age_months`` falls relative to this window (before 'next' is decided)."""
        if age_months > self.end_months:
            return "earlier"
        if age_months >= self.start_months:
            return "now"
        return "later"


@dataclass(frozen=True)
class MilestoneTable:
    """All milestones, observation details and sources."""

    milestones: tuple[Milestone, ...]
    sources: dict[str, Source]
    details: dict[str, str] = field(default_factory=dict)

    def get(self, milestone_id: str) -> Milestone:
        for item in self.milestones:
            if item.id == milestone_id:
                return item
        raise KeyError(milestone_id)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(m.id for m in self.milestones)

    def timeline(self, age_months: float) -> list[tuple[Milestone, Status]]:
        """Every milestone with its status at ``age_months``, in table order.

        ``now``: the age is inside the window; ``earlier``: the window has passed;
        ``next``: the window starts within the next 3 months (or it is the first one
        to come); ``later``: further ahead.
        """
        rows: list[tuple[Milestone, Status]] = [(m, m.status(age_months)) for m in self.milestones]
        upcoming = [m for m, s in rows if s == "later"]
        soon = {m.id for m in upcoming if m.start_months - age_months <= NEXT_WITHIN_MONTHS}
        if upcoming and not soon:
            first = min(m.start_months for m in upcoming)
            soon = {m.id for m in upcoming if m.start_months == first}
        return [(m, "next" if m.id in soon else s) for m, s in rows]


def _milestone(raw: dict[str, Any]) -> Milestone:
    return Milestone(
        id=raw["id"],
        name=raw["name"],
        what=raw["what"],
        start_months=float(raw["start_months"]),
        end_months=float(raw["end_months"]),
        grade=raw["grade"],
        sources=tuple(raw["sources"]),
        uncertain=bool(raw.get("uncertain", False)),
        uncertainty=raw.get("uncertainty", ""),
        note=raw.get("note", ""),
        typical_duration=raw.get("typical_duration", ""),
        learn=tuple(raw.get("learn", ())),
        encourage=tuple(raw.get("encourage", ())),
        target_backward_steps=raw.get("target_backward_steps"),
    )


def read_data(name: str) -> dict[str, Any]:
    """A TOML file of ``retrowalk/data/kids``."""
    text = (files("retrowalk") / "data" / "kids" / name).read_text(encoding="utf-8")
    return tomllib.loads(text)


@cache
def load_milestones() -> MilestoneTable:
    """The milestone table from ``data/kids/milestones.toml``."""
    raw = read_data("milestones.toml")
    sources = {key: Source(id=key, **value) for key, value in raw["sources"].items()}
    return MilestoneTable(
        milestones=tuple(_milestone(m) for m in raw["milestone"]),
        sources=sources,
        details=dict(raw.get("details", {})),
    )
