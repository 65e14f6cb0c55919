"""Guidance per age band and per red flag, and the wording rules of every message."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from retrowalk.domain.kids.age import child_age
from retrowalk.domain.kids.entries import SkillEntry
from retrowalk.domain.kids.guidance import REASSURANCE, guidance, load_flags, raised_flags

ON = dt.date(2025, 6, 1)


def entry(skill: str, day: dt.date, *details: str, steps: int | None = None) -> SkillEntry:
    return SkillEntry(0, day, skill, skill, tuple(details), steps, None, "", "form", None, None)


def age_at(months: float, weeks_early: int = 0, on: dt.date = ON):
    corrected_days = round(months * 365.25 / 12)
    birth = on - dt.timedelta(days=corrected_days + 7 * weeks_early)
    due = birth + dt.timedelta(weeks=weeks_early) if weeks_early else None
    return child_age(birth, due, on)


def flag_ids(entries, age) -> set[str]:
    return {f.id for f in raised_flags(entries, age)}


@pytest.mark.parametrize(
    ("months", "now", "next_", "not_now"),
    [
        (3.0, set(), {"pulling-to-stand"}, {"walking-alone"}),
        (
            7.0,
            {"backward-crawling", "hands-knees-crawling", "pulling-to-stand"},
            set(),
            {"first-backward-steps"},
        ),
        (
            17.0,
            {"walking-alone", "first-backward-steps", "sideways-steps"},
            set(),
            {"pulling-to-stand"},
        ),
        (25.0, set(), {"steady-backward-walking"}, {"walking-alone"}),
        (29.0, {"steady-backward-walking"}, set(), {"first-backward-steps"}),
    ],
)
def test_age_bands(months: float, now: set[str], next_: set[str], not_now: set[str]) -> None:
    g = guidance(age_at(months), [])
    now_ids = {m.id for m in g.now}
    assert now <= now_ids and not (not_now & now_ids)
    assert next_ <= {m.id for m in g.next}
    assert g.encourage and "kids-when-to-ask" in g.learn


def test_ideas_match_the_age() -> None:
    baby = " ".join(guidance(age_at(7.0), []).encourage).lower()
    toddler = " ".join(guidance(age_at(17.0), []).encourage).lower()
    assert "tummy time" in baby and "toy" in baby and "incline" in baby
    assert "step" in toddler and "backwards" in toddler and "hands" in toddler


def test_corrected_age_moves_the_band() -> None:
    # 8 months since birth, born 12 weeks early: about 5 months corrected.
    age = age_at(5.2, weeks_early=12)
    assert age.chronological_months > 7.9
    g = guidance(age, [])
    assert "walking-alone" not in {m.id for m in g.now}
    assert "pulling-to-stand" in {m.id for m in g.now}


def test_backward_crawling_is_reassured_as_normal() -> None:
    g = guidance(age_at(8.0), [entry("backward-crawling", ON, "crawls-only-backwards")])
    assert REASSURANCE["backward-crawling"] in g.reassurance
    assert not g.flags


# -- red flags ---------------------------------------------------------------------------
def test_only_backwards_for_more_than_a_month_without_progress() -> None:
    """Backward-only crawling can last a month or more and still be normal (the article
    the flag cites): the flag waits until more than a calendar month has passed since it
    was first logged; it waited 28 days, which flagged a baby at four weeks."""
    age = age_at(9.0)
    start = dt.date(2025, 4, 30)  # a month later is 30 May; ON is 1 June
    log = [
        entry("backward-crawling", start, "crawls-only-backwards"),
        entry("backward-crawling", ON, "crawls-only-backwards"),
    ]
    assert "only-backwards-no-progress" in flag_ids(log, age)
    # exactly a month (1 May to 1 June, 31 days): still within the normal phase
    month = [entry("backward-crawling", dt.date(2025, 5, 1), "crawls-only-backwards")]
    assert "only-backwards-no-progress" not in flag_ids(month, age)
    # 28 days: within it too
    weeks = [entry("backward-crawling", ON - dt.timedelta(days=28), "crawls-only-backwards")]
    assert "only-backwards-no-progress" not in flag_ids(weeks, age)
    # a month from 31 January ends on 28 February: raised from 1 March
    jan = [entry("backward-crawling", dt.date(2025, 1, 31), "crawls-only-backwards")]
    assert "only-backwards-no-progress" not in flag_ids(jan, age_at(9.0, on=dt.date(2025, 2, 28)))
    assert "only-backwards-no-progress" in flag_ids(jan, age_at(9.0, on=dt.date(2025, 3, 1)))
    # progress (forward crawling logged since) clears it
    progressed = [*log, entry("hands-knees-crawling", ON - dt.timedelta(days=3), "crawls-forwards")]
    assert "only-backwards-no-progress" not in flag_ids(progressed, age)
    # an older toddler: an old phase is not raised again
    assert "only-backwards-no-progress" not in flag_ids(
        [*log, entry("walking-alone", ON)], age_at(20.0)
    )
    flag = next(f for f in load_flags() if f.id == "only-backwards-no-progress")
    assert "sometimes a month or more" in flag.message and "more than a month" in flag.message


def test_lopsided_and_bunny_hop_are_recent_only() -> None:
    age = age_at(10.0)
    log = [entry("hands-knees-crawling", ON - dt.timedelta(days=5), "drags-one-side", "bunny-hop")]
    assert {"lopsided-crawling", "bunny-hopping"} <= flag_ids(log, age)
    old = [entry("hands-knees-crawling", ON - dt.timedelta(days=61), "drags-one-side")]
    assert "lopsided-crawling" not in flag_ids(old, age)
    assert not flag_ids([entry("hands-knees-crawling", ON, "crawls-forwards")], age)


def test_not_walking_by_18_months_only_when_the_parent_says_not_yet() -> None:
    said_not_yet = [entry("walking-alone", ON - dt.timedelta(days=10), "not-yet")]
    assert "not-walking-by-18-months" in flag_ids(said_not_yet, age_at(18.0))
    assert "not-walking-by-18-months" not in flag_ids(said_not_yet, age_at(17.9))
    # walking logged since: no flag
    walks = [*said_not_yet, entry("walking-alone", ON - dt.timedelta(days=2))]
    assert "not-walking-by-18-months" not in flag_ids(walks, age_at(18.5))
    # an old answer no longer holds: asked again instead of flagged
    stale = [entry("walking-alone", ON - dt.timedelta(days=90), "not-yet")]
    assert "not-walking-by-18-months" not in flag_ids(stale, age_at(19.0))
    assert "not-walking-by-18-months" in {
        q.flag_id for q in guidance(age_at(19.0), stale).questions
    }
    # 19 months since birth but born 10 weeks early: about 16.7 months corrected
    premature = age_at(16.7, weeks_early=10)
    assert premature.chronological_months > 18.9
    assert "not-walking-by-18-months" not in flag_ids(said_not_yet, premature)


def test_missing_data_asks_and_never_flags() -> None:
    # Nothing logged, or only other skills: a question, never a red flag.
    for log in ([], [entry("cruising", ON - dt.timedelta(days=10))]):
        g = guidance(age_at(19.0), log)
        assert not {"not-walking-by-18-months", "no-crawling-by-12-months"} & {
            f.id for f in g.flags
        }
        questions = {q.flag_id: q for q in g.questions}
        assert questions["not-walking-by-18-months"].skill == "walking-alone"
        assert "walking on their own yet" in questions["not-walking-by-18-months"].text
    answered = guidance(age_at(19.0), [entry("walking-alone", ON, "not-yet")])
    assert not answered.questions
    assert "walking-alone" in answered.not_yet and "walking-alone" not in answered.seen
    assert not guidance(age_at(11.0), []).questions
    assert [q.flag_id for q in guidance(age_at(17.0), []).questions] == ["no-crawling-by-12-months"]


def test_typical_now_is_never_empty_between_windows() -> None:
    g = guidance(age_at(19.0, weeks_early=8), [entry("standing-alone", ON)])
    assert not g.now
    reached = {m.id for m in g.earlier}
    assert {"walking-alone", "standing-alone", "first-backward-steps"} <= reached
    assert g.as_dict()["usually_reached_by_now"]


def test_no_crawling_by_12_months() -> None:
    assert "no-crawling-by-12-months" not in flag_ids([], age_at(12.05))
    not_yet = [entry("hands-knees-crawling", ON - dt.timedelta(days=3), "not-yet")]
    assert "no-crawling-by-12-months" in flag_ids(not_yet, age_at(12.05))
    assert "no-crawling-by-12-months" not in flag_ids(not_yet, age_at(11.9))
    assert "no-crawling-by-12-months" not in flag_ids(
        [*not_yet, entry("pulling-to-stand", ON)], age_at(12.5)
    )


def test_loss_of_skills_at_any_age_and_hand_preference_before_18_months() -> None:
    for months in (8.0, 20.0, 30.0):
        log = [entry("walking-alone", ON, "lost-skill")]
        assert "loss-of-skills" in flag_ids(log, age_at(months))
    hand = [entry("cruising", ON, "strong-hand-preference")]
    assert "early-hand-preference" in flag_ids(hand, age_at(11.0))
    assert "early-hand-preference" not in flag_ids(hand, age_at(26.0))


def test_entries_after_the_day_are_ignored() -> None:
    future = [entry("walking-alone", ON + dt.timedelta(days=1), "lost-skill")]
    assert "loss-of-skills" not in flag_ids(future, age_at(20.0))


# -- wording -----------------------------------------------------------------------------
def _texts() -> list[str]:
    texts = [f"{f.title} {f.message} {f.watch}" for f in load_flags()]
    return texts + list(REASSURANCE.values())


def test_every_flag_says_talk_to_your_paediatrician() -> None:
    for flag in load_flags():
        assert "talk to your paediatrician" in flag.message.lower(), flag.id


@pytest.mark.parametrize("text", _texts())
def test_wording_never_diagnoses(text: str) -> None:
    lower = text.lower()
    assert "your child has" not in lower and "your baby has" not in lower
    assert "diagnos" not in lower and "disorder" not in lower
    for match in re.finditer(r"autis", lower):
        # the only allowed mention is that it is NOT a sign of autism
        assert "not a sign of autism" in lower, text
        assert match
