"""Plans: doses from the trials in domain.md, gradual weekly increase, stairs only when advanced."""

from __future__ import annotations

import itertools

import pytest

from retrowalk.core.errors import InputError
from retrowalk.domain.coach.plans import (
    GOALS,
    LEVELS,
    make_plan,
    minutes_schedule,
    next_stage_id,
    previous_stage_id,
)


def test_knee_oa_plan_matches_alghadir_2019() -> None:
    # Alghadir et al. 2019: 10 min supervised retro-walking, 3x/week, 6 weeks.
    plan = make_plan("knee_pain", "intermediate")
    assert len(plan["weeks"]) == 6
    assert all(w["sessions"] == 3 and w["backward_min_per_session"] == 10 for w in plan["weeks"])
    assert any("Alghadir" in s and "20:159" in s for s in plan["sources"])


def test_beginner_starts_with_five_minutes_several_times_a_week() -> None:
    plan = make_plan("fitness", "beginner")
    first = plan["weeks"][0]
    assert first["backward_min_per_session"] == 5 and first["sessions"] >= 3
    assert plan["stage"] == "wall_support"
    assert "Along a wall" in plan["stage_title"]


def test_stroke_plan_needs_a_prescription_and_follows_rose_2018() -> None:
    with pytest.raises(InputError, match="therapist"):
        make_plan("stroke_rehab", "advanced")
    plan = make_plan("stroke_rehab", "advanced", prescribed=True)
    assert plan["stage"] == "treadmill"
    assert sum(w["sessions"] for w in plan["weeks"]) == 8  # 8 sessions ...
    assert all(w["backward_min_per_session"] == 30 for w in plan["weeks"])  # ... of 30 min
    assert "lowest speed" in plan["place"]


@pytest.mark.parametrize("goal", [g for g in GOALS if g != "stroke_rehab"])
@pytest.mark.parametrize("level", LEVELS)
def test_weekly_increase_is_gradual_and_stairs_only_advanced(goal: str, level: str) -> None:
    plan = make_plan(goal, level)
    minutes = [w["backward_min_week"] for w in plan["weeks"]]
    for before, after in itertools.pairwise(minutes):
        assert before <= after <= before * 1.2 + 1e-9
    assert plan["stairs_allowed"] == (level == "advanced")
    if not plan["stairs_allowed"]:
        assert not any("stairs" in s for w in plan["weeks"] for s in w["steps"])
    cue_ids = {c["id"] for c in plan["cues"]}
    assert {"look-ahead", "shorter-steps", "toe-then-heel", "upright"} <= cue_ids


def test_session_steps_are_concrete() -> None:
    plan = make_plan("fitness", "intermediate")
    steps = plan["weeks"][0]["steps"]
    assert steps[0].startswith("Warm up")
    assert any("5 rounds of 2 min backwards" in s for s in steps)
    assert steps[-1].startswith("Cool down")


def test_schedule_rounds_down_and_caps() -> None:
    assert minutes_schedule(5, 7, 6, 10) == [5.0, 5.5, 6.0, 6.5, 7.0, 7.0]


def test_stage_order() -> None:
    assert next_stage_id("wall_support", stairs_allowed=False) == "open_space"
    assert next_stage_id("open_space", stairs_allowed=False) == "treadmill"
    assert next_stage_id("treadmill", stairs_allowed=False) == "intervals"
    assert next_stage_id("intervals", stairs_allowed=False) is None
    assert next_stage_id("intervals", stairs_allowed=True) == "stairs"
    assert previous_stage_id("open_space") == "wall_support"
    assert previous_stage_id("wall_support") is None


def test_unknown_goal_or_level() -> None:
    with pytest.raises(InputError):
        make_plan("marathon", "beginner")
    with pytest.raises(InputError):
        make_plan("fitness", "expert")
