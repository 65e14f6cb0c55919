"""The milestone table: sources, WHO windows, uncertainty, learn links, timeline."""

from __future__ import annotations

import pytest

from retrowalk.domain.kids.guidance import load_flags
from retrowalk.domain.kids.milestones import load_milestones

LEARN_IDS = {
    "kids-backward-crawling-normal",
    "kids-walking-backward-milestones",
    "kids-when-to-ask",
    "kids-not-autism",
    "kids-encouraging-play",
}


def test_every_milestone_cites_known_sources_and_learn_ids() -> None:
    table = load_milestones()
    assert len(table.milestones) >= 8
    for m in table.milestones:
        assert m.sources and all(s in table.sources for s in m.sources), m.id
        assert set(m.learn) <= LEARN_IDS, m.id
        assert m.grade in {"strong", "moderate", "weak"}
        assert 0 < m.start_months < m.end_months <= 36
        assert m.encourage, m.id
    for flag in load_flags():
        assert all(s in table.sources for s in flag.sources), flag.id
        assert set(flag.learn) <= LEARN_IDS and flag.learn, flag.id


@pytest.mark.parametrize(
    ("skill", "start", "end"),
    [
        ("hands-knees-crawling", 5.2, 13.5),
        ("walking-alone", 8.2, 17.6),
        ("pulling-to-stand", 4.8, 11.4),
        ("cruising", 5.9, 13.7),
        ("standing-alone", 6.9, 16.9),
    ],
)
def test_who_windows(skill: str, start: float, end: float) -> None:
    m = load_milestones().get(skill)
    assert (m.start_months, m.end_months) == (start, end)
    assert "who-mgrs-2006" in m.sources and not m.uncertain and m.grade == "strong"


def test_backward_skills_are_marked_uncertain_with_their_reason() -> None:
    table = load_milestones()
    first = table.get("first-backward-steps")
    steady = table.get("steady-backward-walking")
    crawl = table.get("backward-crawling")
    assert (first.start_months, first.end_months) == (16, 18)
    assert (steady.start_months, steady.end_months, steady.target_backward_steps) == (28, 30, 10)
    for m in (first, steady, crawl, table.get("sideways-steps")):
        assert m.uncertain and m.uncertainty and m.window_text().startswith("about")
    assert "unverif" in table.sources["denver-ii-secondhand"].note.lower()
    assert "days" in crawl.typical_duration and crawl.grade == "weak"
    assert "4.3 %" in table.sources["who-mgrs-2006"].note


def test_timeline_statuses() -> None:
    table = load_milestones()
    at = {m.id: s for m, s in table.timeline(17.0)}
    assert at["walking-alone"] == "now" and at["first-backward-steps"] == "now"
    assert at["pulling-to-stand"] == "earlier" and at["steady-backward-walking"] == "next"
    at = {m.id: s for m, s in table.timeline(3.0)}
    assert at["pulling-to-stand"] == "next" and at["steady-backward-walking"] == "later"
    at = {m.id: s for m, s in table.timeline(20.0)}
    assert at["steady-backward-walking"] == "next"  # the first one to come
    assert all(s == "earlier" for s in dict(at).values() if s not in ("next",))
