"""Progression rules, each with a real example; every recommendation names its rule."""

from __future__ import annotations

import datetime as dt

from retrowalk.domain.coach.progression import is_steady, recommend
from retrowalk.domain.coach.weekly import (
    RecordedWeek,
    Session,
    Week,
    adherence,
    streak,
    summarise_weeks,
)

MON = dt.date(2026, 3, 2)  # a Monday


def week(planned: float, done: float, **kw) -> Week:  # type: ignore[no-untyped-def]
    return Week(week_start=MON, planned_min=planned, done_min=done, sessions=3 if done else 0, **kw)


def test_gradual_increase_after_a_good_week() -> None:
    rec = recommend([week(15, 15, max_soreness=2, max_effort=4)], "wall_support")
    assert rec.rule == "gradual_increase" and rec.action == "increase"
    assert rec.next_week_min == 16.5  # +10 %
    assert "10 %" in rec.rule_text


def test_increase_never_over_20_percent_nor_beyond_the_plan() -> None:
    rec = recommend([week(15, 15)], "open_space", next_planned_min=40)
    assert rec.next_week_min <= 15 * 1.2
    rec = recommend([week(15, 15)], "open_space", next_planned_min=15.5)
    assert rec.next_week_min == 15.5


def test_did_more_than_planned_still_grows_from_what_was_done() -> None:
    rec = recommend([week(15, 30)], "open_space", next_planned_min=16.5)
    assert rec.next_week_min == 30  # never below what was done, never a jump


def test_high_soreness_steps_back() -> None:
    rec = recommend([week(30, 30, max_soreness=8)], "open_space")
    assert rec.rule == "high_soreness" and rec.action == "step_back"
    assert rec.next_week_min == 24.0  # -20 %


def test_moderate_soreness_or_hard_effort_holds() -> None:
    assert recommend([week(30, 30, max_soreness=5)], "open_space").rule == "moderate_soreness"
    rec = recommend([week(30, 30, max_effort=9)], "open_space")
    assert rec.rule == "moderate_soreness" and rec.next_week_min == 30


def test_pain_steps_back() -> None:
    rec = recommend([week(30, 30, pain=True, max_soreness=2)], "treadmill")
    assert rec.rule == "pain" and rec.next_week_min == 24.0
    assert rec.stage == "treadmill"


def test_near_fall_goes_back_a_stage() -> None:
    rec = recommend([week(30, 30, near_falls=1)], "treadmill")
    assert rec.rule == "near_fall" and rec.action == "step_back"
    assert rec.stage == "open_space"
    assert rec.next_week_min == 24.0


def test_fall_stops_and_asks_for_a_check() -> None:
    rec = recommend([week(30, 20, falls=1)], "open_space")
    assert rec.rule == "fall" and rec.action == "stop_and_check"
    assert rec.next_week_min == 0
    assert "doctor" in rec.message


def test_not_enough_done_repeats_the_week() -> None:
    rec = recommend([week(30, 15)], "open_space")
    assert rec.rule == "not_enough_done" and rec.action == "hold"
    assert rec.next_week_min == 30
    assert "repeat" in rec.message


def test_no_sessions_yet() -> None:
    rec = recommend([Week(MON, planned_min=15)], "wall_support")
    assert rec.rule == "no_data" and rec.next_week_min == 15


def test_next_stage_only_after_two_steady_weeks() -> None:
    w1 = Week(MON, 15, 15, 3, max_soreness=2, max_effort=5)
    w2 = Week(MON + dt.timedelta(days=7), 16.5, 17, 3, max_soreness=1, max_effort=5)
    assert recommend([w2], "wall_support").next_stage is None  # one week is not enough
    rec = recommend([w1, w2], "wall_support")
    assert rec.next_stage == "open_space"
    assert rec.next_stage_rule == "steady_next_stage"
    assert rec.rule == "gradual_increase"


def test_no_next_stage_when_steps_got_less_even() -> None:
    base = [Week(MON - dt.timedelta(days=7), 10, 10, 3, step_time_cv_pct=4.0)]
    w1 = Week(MON, 15, 15, 3, step_time_cv_pct=4.2)
    w2 = Week(MON + dt.timedelta(days=7), 16.5, 17, 3, step_time_cv_pct=6.0)  # +50 %
    assert not is_steady(base + [w1, w2])
    w2_ok = Week(MON + dt.timedelta(days=7), 16.5, 17, 3, step_time_cv_pct=4.4)
    assert is_steady(base + [w1, w2_ok])


def test_no_next_stage_with_soreness_or_after_the_last_stage() -> None:
    w1 = Week(MON, 15, 15, 3, max_soreness=4)
    w2 = Week(MON + dt.timedelta(days=7), 16.5, 17, 3)
    assert not is_steady([w1, w2])
    steady = [Week(MON, 15, 15, 3), Week(MON + dt.timedelta(days=7), 15, 15, 3)]
    assert recommend(steady, "intervals").next_stage is None
    assert recommend(steady, "intervals", stairs_allowed=True).next_stage == "stairs"


def test_weeks_from_logs_and_recordings() -> None:
    plan = {"weeks": [{"backward_min_week": 15}, {"backward_min_week": 16.5}]}
    sessions = [
        Session(MON, 5, soreness=2, effort=4, place="wall_support"),
        Session(MON + dt.timedelta(days=2), 5, soreness=3),
        Session(
            MON + dt.timedelta(days=4),
            6.5,
            source="recording",
            speed_mps=0.6,
            step_time_cv_pct=5.0,
            recording_id=1,
        ),
        Session(MON + dt.timedelta(days=8), 4, near_falls=1),
    ]
    # What the week's recordings add up to comes as progress adds it up (6.5 min).
    recorded = [RecordedWeek(MON, backward_duration_s=390.0, speed_mps=0.6, step_time_cv_pct=5.0)]
    weeks = summarise_weeks(
        sessions,
        recorded=recorded,
        plan=plan,
        plan_start=MON,
        today=MON + dt.timedelta(days=9),
    )
    assert [w.week_start for w in weeks] == [MON, MON + dt.timedelta(days=7)]
    assert weeks[0].done_min == 16.5 and weeks[0].planned_min == 15
    assert weeks[0].max_soreness == 3 and weeks[0].speed_mps == 0.6
    assert weeks[0].adherence_pct == 110
    assert weeks[1].near_falls == 1 and weeks[1].planned_min == 16.5
    assert adherence(weeks, 4) == {"planned_min": 31.5, "done_min": 20.5, "pct": 65}
    assert streak(weeks) == 1  # last week done; this week not yet complete
    rec = recommend(weeks, "open_space")
    assert rec.rule == "near_fall" and rec.stage == "wall_support"


def test_adherence_rounds_half_up_as_every_figure_is_shown() -> None:
    """12.5 % of a week's plan reads 13 %, as the display rule rounds a figure, where
    Python's round gave 12 (half to even) and the week's own percentage and the
    4-week one read the same way."""
    one = week(40.0, 5.0)
    assert one.adherence_pct == 13
    assert adherence([one], 4)["pct"] == 13
    assert week(40.0, 4.98).adherence_pct == 12
