"""analyze(): the JSON contract and edge cases of the whole pipeline (mechanics)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gait.trunk_helpers import regular_steps, walking_recording
from retrowalk.core.recording import Gap, Recording
from retrowalk.gait.spatial import height_based_step_length_m
from retrowalk.pipeline import DEFAULT_HEIGHT_M, AnalysisOptions, analyze
from retrowalk.pipeline.trunk import TrunkPipeline
from retrowalk.summary.contract import bout_to_dict, to_dict, to_json


def _still(duration_s: float = 60.0, fs: float = 100.0, gyro: bool = True) -> Recording:
    rng = np.random.default_rng(1)
    n = int(duration_s * fs)
    acc = np.array([0.3, -9.7, 1.2]) + rng.normal(0, 0.02, (n, 3))
    g = rng.normal(0, 0.005, (n, 3)) if gyro else None
    return Recording(acc_mps2=acc, gyro_rads=g, sampling_rate_hz=fs)


def test_still_recording_has_no_bouts_and_valid_json():
    result = analyze(_still())
    assert result.bouts == [] and result.steps == []
    doc = json.loads(to_json(result))
    assert doc["bouts"] == [] and doc["summary"]["forward"]["steps"] == 0
    assert doc["assumptions"]["height_m"] == DEFAULT_HEIGHT_M
    assert doc["assumptions"]["height_source"] == "default"
    assert doc["recording"]["placement"] in ("lower_back", "pocket", "foot", "unsupported")


def test_one_step_is_no_bout():
    rec = walking_recording([10.0], 20.0)
    result = analyze(rec, AnalysisOptions(placement="lower_back"))
    assert result.bouts == []


def test_three_step_bout():
    rec = walking_recording(regular_steps(5.0, 3), 12.0)
    result = analyze(rec, AnalysisOptions(placement="lower_back"))
    assert len(result.bouts) == 1
    bout = result.bouts[0]
    assert bout.n_steps == 3
    assert bout.cadence_spm == pytest.approx(60 / 0.55, rel=0.05)
    assert bout.speed_mps is not None and bout.distance_m is not None
    assert [s.bout for s in result.steps] == [0, 0, 0]


def test_bout_fields_follow_the_contract():
    rec = walking_recording(regular_steps(5.0, 20), 30.0)
    doc = to_dict(analyze(rec, AnalysisOptions(placement="lower_back", height_m=1.8)))
    (bout,) = doc["bouts"]
    for key in ("start_s", "end_s", "direction", "direction_confidence", "n_steps", "cadence_spm"):
        assert key in bout
    assert bout["direction"] in ("forward", "backward", "uncertain")
    assert 0.0 <= bout["direction_confidence"] <= 1.0
    # Energy follows the speed: a number with a speed, none without one.
    assert (bout["energy_kcal"] is None) == (bout["speed_mps"] is None)
    assert doc["assumptions"]["height_source"] == "given"
    assert doc["assumptions"]["weight_source"] == "default"
    assert doc["summary"]["energy_kcal"] == pytest.approx(bout["energy_kcal"] or 0.0, abs=0.01)
    assert doc["session"]["n_bouts"] == 1
    assert all(s["bout"] == 0 and 0 <= s["time_s"] <= 30 for s in doc["steps"])


def test_missing_gyroscope_works():
    rec = walking_recording(regular_steps(5.0, 20), 30.0, with_gyro=False)
    result = analyze(rec, AnalysisOptions(placement="lower_back"))
    assert len(result.bouts) == 1 and result.bouts[0].n_steps == 20


def test_no_bout_across_a_gap():
    rec = walking_recording(regular_steps(5.0, 30), 30.0)
    rec = rec.with_(gaps=(Gap(10.0, 10.4),))
    result = analyze(rec, AnalysisOptions(placement="lower_back"))
    assert len(result.bouts) == 2
    for bout in result.bouts:
        assert bout.end_s <= 10.0 or bout.start_s >= 10.4


def test_chunked_scan_equals_one_pass():
    rec = walking_recording(
        np.concatenate([regular_steps(5.0, 40), regular_steps(40.0, 60)]), 80.0, seed=3
    )
    one = analyze(rec, AnalysisOptions(placement="lower_back"))
    chunked = TrunkPipeline(chunk_s=17.0, chunk_overlap_s=8.0)
    many = analyze(rec, AnalysisOptions(placement="lower_back"), pipelines={"trunk": chunked})
    assert [s.time_s for s in many.steps] == [s.time_s for s in one.steps]
    assert [bout_to_dict(b) for b in many.bouts] == [bout_to_dict(b) for b in one.bouts]


def test_pocket_uses_the_height_model():
    rec = walking_recording(regular_steps(5.0, 20), 30.0)
    result = analyze(rec, AnalysisOptions(placement="pocket", height_m=1.7))
    assert result.placement == "pocket"
    bout = result.bouts[0]
    expected = height_based_step_length_m(1.7, bout.cadence_spm, bout.direction)
    assert bout.step_length_m == pytest.approx(expected, rel=1e-3)
    assert 0.2 < bout.step_length_m < 0.9
    assert any("pocket" in note for note in result.notes)


def test_foot_placement_without_gyroscope_falls_back():
    rec = walking_recording(regular_steps(5.0, 20), 30.0, with_gyro=False)
    result = analyze(rec, AnalysisOptions(placement="foot"))
    assert result.placement == "foot"
    assert any("without gyroscope" in note for note in result.notes)


def test_backward_bouts_carry_backward_measures(shared_data):
    """A time-reversed real walk, calibrated (a plain walk has no body-fixed anchor at
    the lower back): backward bouts get speed, distance and backward energy."""
    from calibration_helpers import stand_in_profile
    from retrowalk.io import read_recording
    from retrowalk.summary.energy import estimate

    rec = read_recording(shared_data / "ipol-gait" / "2-1_lb.txt").time_reversed()
    options = AnalysisOptions(
        placement="lower_back",
        height_m=1.75,
        weight_kg=75.0,
        direction_profile=stand_in_profile(),
    )
    result = analyze(rec, options)
    backward = [b for b in result.bouts if b.direction == "backward"]
    assert backward, [(b.direction, b.direction_confidence) for b in result.bouts]
    assert all(b.direction != "forward" for b in result.bouts)
    for bout in backward:
        assert bout.speed_mps is not None and 0.3 < bout.speed_mps < 2.0
        assert bout.distance_m is not None and bout.distance_m > 1.0
        back = estimate(bout.speed_mps, bout.duration_s, 75.0, "backward", 0.0)
        fwd = estimate(bout.speed_mps, bout.duration_s, 75.0, "forward", 0.0)
        assert bout.energy_kcal == pytest.approx(back.kcal, rel=1e-3)
        assert back.kcal > fwd.kcal
    steps = [s for s in result.steps if result.bouts[s.bout].direction == "backward"]
    assert steps and all(s.direction == "backward" for s in steps)
