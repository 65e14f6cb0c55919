"""Energy model against the published points (Compendium 2011, ACSM, Hooper 2004)."""

import math

import numpy as np
import pytest

from retrowalk.summary import energy
from retrowalk.summary.contract import bout_to_dict

MPH_3_5 = 3.5 * 1609.344 / 3600.0  # m/s


def test_backward_level_meets_compendium_17320():
    # Ainsworth et al. 2011: walking backwards, 3.5 mph, level = 6.0 MET.
    assert energy.met(MPH_3_5, "backward", 0.0) == pytest.approx(6.0, abs=0.05)


def test_backward_uphill_meets_compendium_17325():
    # Ainsworth et al. 2011: walking backwards, 3.5 mph, 5 % grade = 8.0 MET.
    assert energy.met(MPH_3_5, "backward", 0.05) == pytest.approx(8.0, abs=0.05)


def test_forward_is_the_acsm_walking_equation():
    v = 80.0  # m/min
    expected = (0.1 * v + 1.8 * v * 0.03 + 3.5) / 3.5
    assert energy.met(v / 60.0, "forward", 0.03) == pytest.approx(expected, rel=1e-12)
    # Compendium 17200 (forward 3.5 mph brisk) is 4.3 MET; the ACSM equation is lower.
    assert 3.6 < energy.met(MPH_3_5, "forward") < 4.3


def test_ratios_at_3_5_mph_match_the_published_ones():
    level = energy.met(MPH_3_5, "backward") / energy.met(MPH_3_5, "forward")
    uphill = energy.met(MPH_3_5, "backward", 0.05) / energy.met(MPH_3_5, "forward", 0.05)
    assert level == pytest.approx(1.6, abs=0.05)  # domain.md: about 1.6
    assert uphill == pytest.approx(1.3, abs=0.05)  # domain.md: about 1.3
    # Hooper et al. 2004: 17-20 % higher backwards on 5-10 % grades.
    for grade in (0.075, 0.10):
        ratio = energy.met(MPH_3_5, "backward", grade) / energy.met(MPH_3_5, "forward", grade)
        assert 1.15 <= ratio <= 1.25


@pytest.mark.parametrize("speed", [0.3, 0.5, 0.73, 1.0])
def test_slow_backward_walking_is_sensible(speed):
    back = energy.met(speed, "backward")
    fwd = energy.met(speed, "forward")
    assert 1.0 < back < 6.0
    assert 1.0 < back / fwd < 1.63  # more than forward, less than at 3.5 mph


def test_backward_cost_rises_with_speed_and_grade():
    speeds = np.linspace(0.0, 2.0, 41)
    mets = [energy.met(s, "backward") for s in speeds]
    assert np.all(np.diff(mets) > 0)
    assert mets[0] == pytest.approx(1.0)
    assert energy.met(1.0, "backward", 0.1) > energy.met(1.0, "backward", 0.05)


def test_downhill_is_treated_as_level_and_flagged():
    assert energy.met(1.0, "backward", -0.05) == energy.met(1.0, "backward", 0.0)
    assert energy.estimate(1.0, 60.0, 70.0, "backward", -0.05).extrapolated


def test_kcal_is_met_times_kg_times_hours_gross_and_net():
    est = energy.estimate(MPH_3_5, 1800.0, 70.0, "backward")
    assert est.kcal == pytest.approx(6.0 * 70.0 * 0.5, rel=1e-3)  # 210 kcal
    assert est.net_kcal == pytest.approx(5.0 * 70.0 * 0.5, rel=1e-3)
    assert est.model_direction == "backward"
    assert not est.extrapolated
    kcal = energy.bout_energy_kcal(MPH_3_5, 1800.0, 70.0, "backward")
    assert kcal == pytest.approx(est.kcal)


def test_uncertain_direction_uses_the_forward_model():
    assert energy.bout_energy_kcal(0.8, 60, 70, "uncertain") == energy.bout_energy_kcal(
        0.8, 60, 70, "forward"
    )
    assert energy.estimate(0.8, 60, 70, "uncertain").model_direction == "forward"


def test_slow_speeds_are_flagged_as_extrapolated():
    assert energy.estimate(0.5, 60, 70, "backward").extrapolated
    assert not energy.estimate(1.2, 60, 70, "forward").extrapolated


def test_missing_speed_gives_no_energy():
    assert energy.bout_energy_kcal(None, 60.0, 70.0, "backward") is None
    assert energy.estimate(math.nan, 60.0, 70.0, "forward") is None


@pytest.mark.parametrize(
    "args",
    [
        (-0.1, 60, 70, "forward"),
        (1.0, -1, 70, "forward"),
        (1.0, 60, 0, "forward"),
        (1.0, 60, 70, "sideways"),
    ],
)
def test_invalid_inputs_raise(args):
    with pytest.raises(ValueError):
        energy.bout_energy_kcal(*args)


def test_fill_bout_energy_sets_kcal_and_met(make_analysis):
    analysis = make_analysis(
        [("backward", 30.0, 3.0, 100.0, 0.6), ("forward", 30.0, 0.0, 110.0, None)]
    )
    back, fwd = analysis.bouts
    assert back.energy_kcal == pytest.approx(
        energy.met(0.6, "backward") * 70.0 * back.duration_s / 3600.0
    )
    assert bout_to_dict(back)["met"] == round(energy.met(0.6, "backward"), 2)
    assert fwd.energy_kcal is None and bout_to_dict(fwd)["met"] is None
