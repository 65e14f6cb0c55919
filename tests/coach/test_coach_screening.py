"""Screening: one real example for each outcome and each rule, with its reason shown."""

from __future__ import annotations

import pytest

from retrowalk.domain.coach.screening import ScreeningAnswers, screen


def test_fit_adult_goes_ahead() -> None:
    result = screen(ScreeningAnswers(age=35, activity="active"))
    assert result.outcome == "go"
    assert result.title == "Go ahead"
    assert result.reasons == []
    assert "safety-open-flat-space" in result.learn


@pytest.mark.parametrize(
    ("answers", "rule"),
    [
        (dict(age=45, balance="unsteady"), "unsteady"),
        (dict(age=50, knee_hip="mild"), "knee_hip_mild"),
        (dict(age=68), "older_age"),
        (dict(age=16), "young"),
        (dict(age=40, activity="inactive"), "inactive"),
    ],
)
def test_support_outcomes(answers: dict, rule: str) -> None:
    result = screen(ScreeningAnswers(**answers))
    assert result.outcome == "support"
    assert [r.rule for r in result.reasons] == [rule]
    assert result.reasons[0].text  # explained in plain words
    assert "safety-wall-railing" in result.learn


@pytest.mark.parametrize(
    ("answers", "rule"),
    [
        (dict(age=72, balance="falls"), "falls"),
        (dict(age=60, knee_hip="diagnosed"), "knee_hip_diagnosed"),
        (dict(age=30, recent_injury=True), "recent_injury"),
        (dict(age=58, neuro="stroke"), "neuro"),
        (dict(age=64, neuro="parkinsons"), "neuro"),
        (dict(age=41, neuro="ms"), "neuro"),
        (dict(age=55, heart_dizzy=True), "heart_dizzy"),
        (dict(age=31, pregnant=True), "pregnancy"),
    ],
)
def test_doctor_first_outcomes(answers: dict, rule: str) -> None:
    result = screen(ScreeningAnswers(**answers))
    assert result.outcome == "doctor"
    assert rule in [r.rule for r in result.reasons]
    assert result.learn == ["safety-see-doctor-first"]


def test_most_careful_outcome_wins_and_all_reasons_are_listed() -> None:
    # A 78-year-old with knee osteoarthritis who fell last winter.
    result = screen(ScreeningAnswers(age=78, balance="falls", knee_hip="diagnosed"))
    assert result.outcome == "doctor"
    rules = [r.rule for r in result.reasons]
    assert set(rules) == {"falls", "knee_hip_diagnosed", "older_age"}
    assert rules[-1] == "older_age"  # most careful reasons first
    assert "Alghadir 2019" in next(r.text for r in result.reasons if r.rule == "knee_hip_diagnosed")


def test_bad_answers_are_refused() -> None:
    with pytest.raises(ValueError):
        ScreeningAnswers(age=40, balance="sometimes")  # type: ignore[arg-type]
