"""What was walked, per direction, beside the backward figures: one recording, one week.

Hand-built analyses (mechanics of the aggregation, no signal processing): a
forward-only walk must store and show its forward steps, time and distance,
and nothing backward; the backward measures of a clinical report come from the
same totals.
"""

from __future__ import annotations

import datetime as dt

import pytest

from retrowalk.summary.contract import to_dict
from retrowalk.summary.measures import backward_measures, bout_measures
from retrowalk.summary.progress import analysis_figures, backward_figures, summarise, weekly
from retrowalk.summary.totals import mean_step_length_m


def test_forward_only_walk_stores_its_forward_totals(make_analysis) -> None:  # type: ignore[no-untyped-def]
    analysis = make_analysis(
        [("forward", 60.0, 5.0, 110.0, 1.2), ("uncertain", 20.0, 0.0, 100.0, None)]
    )
    result = to_dict(analysis)
    stored = summarise(result)
    session = result["session"]
    assert stored["backward_steps"] == 0 and stored["backward_distance_m"] == 0
    assert stored["forward_steps"] == session["forward"]["steps"] > 0
    assert stored["forward_duration_s"] == session["forward"]["duration_s"] > 0
    assert stored["forward_distance_m"] == session["forward"]["distance_m"] > 0
    assert stored["uncertain_steps"] == session["uncertain"]["steps"] > 0
    assert stored["uncertain_distance_m"] == 0  # unknown distance is stored as 0
    # The same from the bouts (a stored JSON without a session block) and from the objects.
    no_session = {k: v for k, v in result.items() if k != "session"}
    assert analysis_figures(no_session) == analysis_figures(result)
    assert backward_figures(analysis.bouts, analysis.steps) == analysis_figures(result)
    assert backward_measures(result) is None

    weeks = weekly([(dt.date(2026, 3, 2), stored), (dt.date(2026, 3, 4), stored)])
    assert len(weeks) == 1 and weeks[0].recordings == 2
    assert weeks[0].forward_steps == 2 * stored["forward_steps"]
    assert weeks[0].forward_distance_m == pytest.approx(2 * stored["forward_distance_m"])
    assert weeks[0].uncertain_steps == 2 * stored["uncertain_steps"]
    assert weeks[0].backward_steps == 0 and weeks[0].backward_speed_mps is None


def test_weeks_from_rows_stored_before_the_forward_columns(make_analysis) -> None:  # type: ignore[no-untyped-def]
    stored = summarise(to_dict(make_analysis([("backward", 30.0, 0.0, 100.0, 0.5)])))
    old = {k: v for k, v in stored.items() if not k.startswith(("forward_", "uncertain_"))}
    (week,) = weekly([(dt.date(2026, 3, 2), old)])
    assert week.backward_steps == stored["backward_steps"] and week.forward_steps == 0


def test_backward_measures_of_a_clinical_report(make_analysis) -> None:  # type: ignore[no-untyped-def]
    analysis = make_analysis(
        [("backward", 30.0, 5.0, 100.0, 0.5), ("forward", 30.0, 5.0, 110.0, 1.2)]
        + [("backward", 60.0, 0.0, 90.0, 0.4)]
    )
    result = to_dict(analysis)
    measures = backward_measures(result)
    assert measures is not None
    back = result["session"]["backward"]
    assert measures.steps == back["steps"] and measures.speed_mps == back["mean_speed_mps"]
    assert measures.cadence_spm == back["mean_cadence_spm"]
    bouts = [b for b in analysis.bouts if b.direction == "backward"]
    expected = sum(b.step_length_m * b.n_steps for b in bouts) / sum(b.n_steps for b in bouts)
    assert measures.step_length_m == pytest.approx(expected, abs=1e-3)
    assert mean_step_length_m(bouts) == pytest.approx(expected)
    first = bout_measures(result, 0)
    assert first is not None
    assert first.speed_mps == result["bouts"][0]["speed_mps"]
    assert first.step_length_m == result["bouts"][0]["step_length_m"]
    assert bout_measures(result, 7) is None
