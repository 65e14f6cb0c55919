"""A summary of a child's log for a doctor's visit: printable HTML, CSV and JSON.

Lists the child's ages (corrected where it applies), every observation with the
age it was made at, the milestones seen and the topics worth raising. The
milestone windows and their sources are included so the doctor can see where the
numbers come from (WHO MGRS Group 2006, Acta Paediatr Suppl 450:86, and others
listed in ``data/kids/milestones.toml``).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any, Protocol

from jinja2 import Environment, select_autoescape

from retrowalk.core.csvcells import csv_text
from retrowalk.core.errors import InputError
from retrowalk.domain.kids.age import CORRECTED_AGE_RULE
from retrowalk.domain.kids.entries import SkillEntry
from retrowalk.domain.kids.guidance import Guidance
from retrowalk.domain.kids.milestones import MilestoneTable

CSV_FIELDS = (
    "date",
    "age",
    "age_months",
    "skill",
    "skill_name",
    "details",
    "backward_steps",
    "duration_s",
    "note",
    "source",
    "attachment",
)


class Child(Protocol):
    """What the summary shows of a child (a stored person)."""

    @property
    def name(self) -> str: ...

    @property
    def birth_date(self) -> dt.date | None: ...

    @property
    def due_date(self) -> dt.date | None: ...


@dataclass(frozen=True)
class ChildSummary:
    """What goes into the doctor's summary."""

    child: Child
    on: dt.date
    guidance: Guidance
    entries: list[tuple[SkillEntry, str, float]]  # entry, age text, age months
    table: MilestoneTable

    def rows(self) -> list[dict[str, Any]]:
        """One flat row per observation (the CSV)."""
        return [
            {
                "date": e.date.isoformat(),
                "age": text,
                "age_months": round(months, 2),
                "skill": e.skill,
                "skill_name": e.skill_name,
                "details": "; ".join(e.detail_labels()),
                "backward_steps": "" if e.steps is None else e.steps,
                "duration_s": "" if e.duration_s is None else e.duration_s,
                "note": e.note,
                "source": e.source,
                "attachment": e.attachment_name or "",
            }
            for e, text, months in self.entries
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "child": {
                "name": self.child.name,
                "birth_date": _iso(self.child.birth_date),
                "due_date": _iso(self.child.due_date),
                "weeks_early": round(self.guidance.age.weeks_early, 1),
            },
            "generated_on": self.on.isoformat(),
            "corrected_age_rule": CORRECTED_AGE_RULE,
            "guidance": self.guidance.as_dict(),
            "observations": [
                {**e.as_dict(), "age": text, "age_months": round(m, 2)}
                for e, text, m in self.entries
            ],
            "sources": {k: v.citation for k, v in self.table.sources.items()},
            "disclaimer": DISCLAIMER,
        }


DISCLAIMER = (
    "Notes kept by a parent with retrowalk. Age windows show the usual range of "
    "normal variation; they are not a diagnosis."
)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def to_csv(summary: ChildSummary) -> str:
    """The log as CSV (formula-like notes neutralised, see :mod:`retrowalk.core.csvcells`)."""
    return csv_text(list(summary.rows()), CSV_FIELDS)


def to_json(summary: ChildSummary) -> str:
    return json.dumps(summary.as_dict(), indent=2, ensure_ascii=False)


def to_html(
    summary: ChildSummary, back_url: str | None = None, page_script: str | None = None
) -> str:
    """A self-contained printable page (prints on A4).

    ``page_script``: the address of a script that makes ``data-action="print"`` print,
    for a page served where inline script is not allowed (the web app's content
    security policy); without it the Print link prints by itself, as in a saved file.
    """
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    template_text = (files("retrowalk") / "data" / "kids" / "summary.html.j2").read_text("utf-8")
    return env.from_string(template_text).render(
        s=summary,
        g=summary.guidance,
        disclaimer=DISCLAIMER,
        corrected_age_rule=CORRECTED_AGE_RULE,
        back_url=back_url,
        page_script=page_script,
    )


def write_summary(summary: ChildSummary, out: Path) -> Path:
    """Write HTML, CSV or JSON according to the file's extension."""
    suffix = out.suffix.lower()
    writers = {".html": to_html, ".htm": to_html, ".csv": to_csv, ".json": to_json}
    if suffix not in writers:
        raise InputError(out, "use a file name ending in .html, .csv or .json")
    out.write_text(writers[suffix](summary), encoding="utf-8")
    return out
