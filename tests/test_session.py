"""Session summary: totals, switches, interval pattern, steadiness."""

import json

import numpy as np
import pytest

from retrowalk.core.results import Bout
from retrowalk.summary import energy
from retrowalk.summary.contract import to_dict
from retrowalk.summary.session import detect_interval_pattern, format_duration, summarise


def test_interval_session_totals_and_pattern(interval_analysis):
    s = summarise(interval_analysis)
    d = s.to_dict()
    back = [b for b in interval_analysis.bouts if b.direction == "backward"]
    assert d["backward"]["n_bouts"] == 6
    assert d["backward"]["steps"] == sum(b.n_steps for b in back)
    assert d["backward"]["duration_s"] == round(sum(b.duration_s for b in back), 2)
    assert d["backward"]["mean_speed_mps"] == pytest.approx(0.55)
    assert d["backward"]["mean_cadence_spm"] == pytest.approx(100.0)
    assert d["forward"]["mean_speed_mps"] == pytest.approx(1.30)
    assert d["uncertain"]["n_bouts"] == 1
    assert d["uncertain"]["distance_m"] is None
    assert d["direction_switches"] == 11
    pattern = d["interval_pattern"]
    assert pattern["description"] == "6 x 1 min backward / 1 min forward"
    assert pattern["repeats"] == 6 and pattern["regular"] and pattern["first"] == "backward"
    assert d["longest_backward_bout"]["duration_s"] == pytest.approx(
        max(b.duration_s for b in back), abs=0.01
    )
    json.dumps(d)  # serialisable


def test_energy_totals_agree_with_bouts_and_json(interval_analysis):
    d = summarise(interval_analysis).to_dict()
    assert d["energy"]["kcal"] == pytest.approx(
        to_dict(interval_analysis)["summary"]["energy_kcal"]
    )
    back = [b for b in interval_analysis.bouts if b.direction == "backward"]
    kcal = sum(b.energy_kcal for b in back)
    hours = sum(b.duration_s for b in back) / 3600
    assert d["backward"]["energy_kcal"] == pytest.approx(kcal, abs=0.01)
    assert d["backward"]["net_energy_kcal"] == pytest.approx(kcal - 80.0 * hours, abs=0.01)
    assert d["backward"]["mean_met"] == pytest.approx(energy.met(0.55, "backward"), abs=0.01)
    assert d["energy"]["net_kcal"] < d["energy"]["kcal"]


def test_steadiness_of_regular_steps(make_analysis):
    a = make_analysis([("backward", 60.0, 5.0, 100.0, 0.5)] * 3, jitter=0.012, sides=True)
    st = summarise(a).steadiness["backward"]
    # Step time 0.6 s with 12 ms jitter on each contact: CV about sqrt(2)*0.012/0.6 = 2.8 %.
    assert st.step_time_cv_pct == pytest.approx(2.8, abs=0.8)
    assert st.cadence_cv_pct == pytest.approx(st.step_time_cv_pct, rel=0.1)
    assert st.step_time_asymmetry_pct < 2.0
    assert st.asymmetry_basis == "left_right"
    assert st.mean_step_time_s == pytest.approx(0.6, abs=0.01)


def test_asymmetry_is_found_without_foot_labels(make_analysis):
    a = make_analysis([("backward", 40.0, 5.0, 100.0, 0.5)], jitter=0.0)
    # Make one foot's steps 0.05 s longer than the other's: 0.55 / 0.65 s alternating.
    steps = [s for s in a.steps if s.bout == 0]
    t = steps[0].time_s
    for k, s in enumerate(steps):
        s.time_s = t
        t += 0.55 if k % 2 == 0 else 0.65
    st = summarise(a).steadiness["backward"]
    assert st.asymmetry_basis == "alternate_steps"
    assert st.step_time_asymmetry_pct == pytest.approx(100 * 0.1 / 0.6, abs=0.5)


def test_missed_step_does_not_count_as_variability(make_analysis):
    a = make_analysis([("forward", 60.0, 0.0, 120.0, 1.2)], jitter=0.005)
    base = summarise(a).steadiness["forward"].step_time_cv_pct
    del a.steps[30]  # a contact the detector missed: one interval of two steps
    assert summarise(a).steadiness["forward"].step_time_cv_pct == pytest.approx(base, abs=0.3)


def test_step_length_cv_between_bouts(make_analysis):
    a = make_analysis([("backward", 30, 5, 100, 0.4), ("backward", 30, 5, 100, 0.6)])
    st = summarise(a).steadiness["backward"]
    assert st.step_length_cv_basis == "bouts"
    lengths = np.array([0.24, 0.36])
    assert st.step_length_cv_pct == pytest.approx(100 * lengths.std(ddof=1) / lengths.mean())


def test_step_length_cv_within_bouts_from_step_lengths(make_analysis):
    a = make_analysis([("backward", 30, 5, 100, 0.4), ("backward", 30, 5, 100, 0.6)])
    rng = np.random.default_rng(1)
    for s in a.steps:
        s.length_m = a.bouts[s.bout].step_length_m * (1 + 0.05 * rng.standard_normal())
    st = summarise(a).steadiness["backward"]
    assert st.step_length_cv_basis == "steps"
    assert st.step_length_cv_pct == pytest.approx(5.0, abs=1.5)  # not the 28 % between bouts


def test_no_bouts_gives_an_empty_summary(make_analysis):
    a = make_analysis([])
    d = summarise(a).to_dict()
    assert d["n_bouts"] == 0 and d["direction_switches"] == 0
    assert d["interval_pattern"] is None and d["longest_backward_bout"] is None
    assert d["backward"]["mean_speed_mps"] is None and d["energy"]["kcal"] is None
    assert d["steadiness"]["all"]["step_time_cv_pct"] is None


def _bout(direction, start, end):
    return Bout(start, end, direction, 0.9, 10, 100.0, 1.0, end - start, 0.6)


def test_pattern_merges_short_pauses_and_skips_uncertain():
    bouts = [
        _bout("backward", 0, 25),
        _bout("backward", 28, 60),  # one stretch, paused 3 s
        _bout("forward", 62, 92),
        _bout("uncertain", 93, 96),
        _bout("backward", 98, 158),
        _bout("forward", 160, 190),
    ]
    p = detect_interval_pattern(bouts)
    assert p.repeats == 2
    assert p.description == "2 x 1 min backward / 30 s forward"


def test_irregular_and_absent_patterns():
    irregular = [
        _bout("backward", 0, 20),
        _bout("forward", 25, 85),
        _bout("backward", 90, 200),
        _bout("forward", 205, 215),
    ]
    p = detect_interval_pattern(irregular)
    assert not p.regular and p.description.startswith("alternating, irregular: 2 backward")
    assert detect_interval_pattern([_bout("forward", 0, 60), _bout("backward", 70, 130)]) is None
    assert detect_interval_pattern([_bout("backward", 0, 60)]) is None


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(4.2, "4 s"), (31, "30 s"), (58, "1 min"), (95, "1.5 min"), (750, "12 min")],
)
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


def test_real_contacts_give_plausible_steadiness(mobgap_reference_analysis):
    # Real initial contacts (INDIP reference) of a person with multiple sclerosis.
    s = summarise(mobgap_reference_analysis)
    st = s.steadiness["all"]
    assert st.asymmetry_basis == "left_right"
    assert 5.0 < st.step_time_cv_pct < 40.0  # irregular daily-life walking with turns
    assert 0.4 < st.mean_step_time_s < 1.0
    # This person's right steps are clearly shorter than the left (about 0.46 vs 0.64 s).
    assert 10.0 < st.step_time_asymmetry_pct < 45.0
    assert s.direction_switches == len(mobgap_reference_analysis.bouts) - 1
