"""Toe-first (backward) strides: stance, stride length, contacts and direction.

Mechanics tests, not accuracy: no real backward foot recording is available
here. Three kinds of toe-first strides are used:

- a kinematic model of a backward stride (``foot_model``), with the two swing
  patterns that cut real backward strides into 0.3-0.5 m pieces before (a
  pitch that turns round in mid-swing, a glide in the air);
- real ipol-gait forward strides with the sensor frame turned 180 degrees
  about the vertical: to the analysis, whose toe axis comes from the forward
  walk before, the foot now lands on the toe end, rolls the other way, and
  pushes off with the foot travelling heel-first. The large pitch excursion
  of these strides is at the wrong end for a real backward stride, which is
  why the toe axis must come from the (longer) forward walk;
- real forward walks followed by such strides without a pause.
"""

from __future__ import annotations

import numpy as np
import pytest
from foot_helpers import forward_then_turned, load_foot
from foot_model import ModelWalk, backward_walk
from scipy.spatial.transform import Rotation

from realdata import data_root
from retrowalk.gait.foot import FootGaitAnalyzer
from retrowalk.pipeline import AnalysisOptions, analyze

DATA = data_root() / "ipol-gait"
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=f"ipol-gait not found at {DATA}")
TRIALS = [("1-1", "lf"), ("3-2", "rf"), ("5-4", "rf"), ("8-6", "lf"), ("10-2", "rf")]
TRIALS += [("12-2", "lf")]


def _analyze(acc: np.ndarray, gyro: np.ndarray, fs: float = 100.0) -> FootGaitAnalyzer:
    return FootGaitAnalyzer().analyze(acc, gyro, fs)


# --------------------------------------------------------------- kinematic model


MODELS = {
    "plain": {},
    "pitch turns round in mid-swing": {"reversal_deg": 20.0},
    "glide in mid-swing": {"glide_share": 0.25},
    "short slow strides": {"stride_m": 0.6, "swing_s": 0.6, "land_deg": 20.0},
    # 14 degrees of swing rotation: before, "uncertain" (a forward swing turns 80-100).
    "small pitch range": {"stride_m": 0.5, "swing_s": 0.55, "lift_deg": 4.0, "land_deg": 10.0},
}


def _check_model(walk: ModelWalk, res: FootGaitAnalyzer) -> None:
    strides = res.strides_
    assert len(strides) == len(walk.toe_landings)
    np.testing.assert_allclose(strides["stride_length_m"], walk.stride_m, rtol=0.05)
    assert (strides["direction"] == "backward").all()
    # The first contact is the toe landing (the end of the swing) plus the
    # analyser's contact delay (measured on real heel strikes), within 35 ms.
    err_s = (strides["ic_sample"].to_numpy() - walk.toe_landings) / walk.sampling_rate_hz
    assert np.abs(err_s - FootGaitAnalyzer().contact_delay_s).max() <= 0.035


@pytest.mark.parametrize("kind", list(MODELS))
def test_model_toe_first_strides_keep_their_length(kind: str) -> None:
    # Before, a pitch turning round mid-swing gave 0.24 m strides called forward,
    # and a glide gave 0.13 m "uncertain" strides, for 1.3 m backward strides.
    walk = backward_walk(**MODELS[kind])
    res = _analyze(walk.acc_mps2, walk.gyro_rads)
    _check_model(walk, res)
    assert res.toe_axis_ is not None
    assert float(res.toe_axis_ @ walk.toe_axis) > 0.9


def test_model_any_mounting_and_rate() -> None:
    walk = backward_walk(reversal_deg=20.0)
    rot = Rotation.from_euler("xyz", [70, -30, 140], degrees=True).as_matrix()
    res = _analyze(walk.acc_mps2 @ rot.T, walk.gyro_rads @ rot.T)
    _check_model(walk, res)
    slow = backward_walk(glide_share=0.25, sampling_rate_hz=50.0)
    _check_model(slow, _analyze(slow.acc_mps2, slow.gyro_rads, 50.0))


# ------------------------------------------------- real forward strides turned round


@needs_data
@pytest.mark.parametrize(("trial", "side"), TRIALS)
def test_turned_strides_keep_length_and_split_within_two_strides(trial: str, side: str) -> None:
    rec, junction, offset = forward_then_turned(trial, side)
    res = _analyze(rec.acc_mps2, rec.gyro_rads)
    strides = res.strides_
    after = strides[strides["start_sample"] >= junction]
    assert (after["direction"] == "forward").sum() == 0
    assert (after["direction"] == "backward").mean() >= 0.85
    # Each turned stride is as long as the forward stride it was built from (10 %).
    forward = load_foot(trial, side)[0]
    original = _analyze(forward.acc_mps2, forward.gyro_rads).strides_
    by_start = dict(zip(original["start_sample"], original["stride_length_m"], strict=True))
    ratios = []
    for start, length in zip(after["start_sample"], after["stride_length_m"], strict=True):
        near = [s for s in by_start if abs(s - (start + offset)) <= 3]
        assert near, f"turned stride at {start} has no forward stride it was built from"
        ratios.append(length / by_start[near[0]])
    assert len(ratios) >= 4
    np.testing.assert_allclose(ratios, 1.0, atol=0.10)
    # A new bout where the direction changes, within 2 strides of the junction.
    own = np.sort(strides["ic_sample"].to_numpy())
    cut = res.walking_bouts_[-1][0]
    assert abs(int(np.searchsorted(own, cut)) - int(np.searchsorted(own, junction))) <= 2
    last = strides[strides["bout"] == len(res.walking_bouts_) - 1]
    before = strides[strides["bout"] == len(res.walking_bouts_) - 2]
    assert (last["direction"] == "backward").mean() >= 0.85
    assert (before["direction"] == "forward").mean() >= 0.85


@needs_data
def test_turned_strides_through_the_analysis() -> None:
    rec, junction, offset = forward_then_turned("5-4", "rf")
    result = analyze(rec, AnalysisOptions(placement="foot"))
    forward = load_foot("5-4", "rf")[0]
    original = _analyze(forward.acc_mps2, forward.gyro_rads).strides_
    first_leg = original[
        (original["start_sample"] >= junction + offset)
        & (original["end_sample"] <= rec.n_samples + offset)
    ]
    directions = [b.direction for b in result.bouts]
    assert directions[-2:] == ["forward", "backward"]
    assert "backward" not in directions[:-1]
    fs = rec.sampling_rate_hz
    back = result.bouts[-1]
    assert abs(back.start_s * fs - junction) <= 2.5 * fs
    # The backward bout is credited the distance of the strides it was built from.
    assert back.distance_m == pytest.approx(first_leg["stride_length_m"].sum(), rel=0.10)
