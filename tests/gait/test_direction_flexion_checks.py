"""The lower-back anchor from one brief bend: the checks that it is a bend of the trunk.

One bend anchors only when it tilts along the walking travel axis, starts from
the walking posture, leaves the device in the same posture and (with a
gyroscope) rotates about the horizontal axis across the travel. Mechanics on
constructed cases; on real recordings: a daily-life walk with one bend
(mobgap-lab MS_001) is anchored, and real phones carried and handled (a purse,
a back pocket the phone is taken out of, the hand), analysed as if worn at the
lower back, are never called backward.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.transform import Rotation

from realdata import device_export, ipol_lower_back_rows, load_mobgap, require
from retrowalk.core.recording import Recording
from retrowalk.core.results import Analysis
from retrowalk.gait.direction import ANCHOR_RELIABILITY, BACKWARD, WalkingDirectionClassifier
from retrowalk.gait.direction.anchor import BodyAnchorEstimator, Flexion
from retrowalk.io import read_recording
from retrowalk.pipeline import AnalysisOptions, TrunkPipeline, analyze

#: The checks switched off: any brief excursion counts, one is enough.
UNCHECKED = {
    "max_flexion_travel_deg": 90.0,
    "max_flexion_resettle_deg": 180.0,
    "max_flexion_start_deg": 180.0,
    "min_flexion_pitch_share": 0.0,
}


def test_one_bend_anchors_only_when_its_checks_hold() -> None:
    """Mechanics: each check alone turns a one-bend anchor into none."""
    est = BodyAnchorEstimator("lower_back")
    back = np.array([0.0, 0.0, 1.0])
    bend = Flexion(back, 45.0, travel_deg=8.0, resettle_deg=4.0, start_deg=3.0, pitch_share=0.95)
    one = est.flexion_anchor([bend])
    assert one.cue == "trunk flexion"
    assert float(one.forward_unit @ -back) > 0.99  # a bend leans towards the back
    assert one.reliability == est.single_flexion_reliability < ANCHOR_RELIABILITY
    assert "one brief bend" in one.reason
    assert est.flexion_anchor([bend, bend]).reliability == ANCHOR_RELIABILITY
    assert est.flexion_anchor([replace(bend, pitch_share=math.nan)]).cue == "trunk flexion"
    for failed in (
        replace(bend, travel_deg=60.0),  # tilted across the walking travel
        replace(bend, resettle_deg=40.0),  # the device left in another posture
        replace(bend, resettle_deg=math.nan),  # not closed, or not brief, at half height
        replace(bend, start_deg=25.0),  # from a held posture far from walking
        replace(bend, pitch_share=0.3),  # rotated about another axis
    ):
        anchor = est.flexion_anchor([failed])
        assert anchor.forward_unit is None
        assert "not bends of the trunk" in anchor.reason
    unchecked = replace(bend, travel_deg=math.nan)  # no travel axis: nothing to check against
    assert est.flexion_anchor([unchecked]).forward_unit is None
    assert est.flexion_anchor([unchecked, unchecked]).cue == "trunk flexion"


def _one_tilt(direction: np.ndarray, moved_deg: float = 0.0) -> list:
    """ipol-gait 1-1 (lower back: X up, Z backward) after 60 s standing with one 2-s tilt
    of 50 deg towards ``direction``; ``moved_deg``: the standing posture after it is
    rotated that far about the travel axis (a device put back differently)."""
    rec, bouts, _ = ipol_lower_back_rows("1-1")
    fs = rec.sampling_rate_hz
    up = rec.acc_mps2[:100].mean(axis=0)
    up /= np.linalg.norm(up)
    lean = direction - (direction @ up) * up
    lean /= np.linalg.norm(lean)
    side = np.cross(up, np.array([0.0, 0.0, 1.0]))
    side /= np.linalg.norm(side)
    n = int(60 * fs)
    pad = np.repeat(9.81 * up[None, :], n, axis=0)
    pad[int(10 * fs) : int(12 * fs)] = 9.81 * (
        np.cos(np.radians(50)) * up + np.sin(np.radians(50)) * lean
    )
    after = np.cos(np.radians(moved_deg)) * up + np.sin(np.radians(moved_deg)) * side
    pad[int(12 * fs) :] = 9.81 * after
    acc = np.vstack([pad, rec.acc_mps2])
    shifted = [(a + n, b + n) for a, b in bouts]
    est = BodyAnchorEstimator("lower_back")
    travel = [np.array([0.0, 0.0, 1.0])]  # ipol's walking travel axis (sensor Z)
    return est.estimate(
        acc, fs, shifted, np.zeros(len(bouts), dtype=np.int64), travel_axes=travel
    ).anchors_


def test_one_tilt_along_the_travel_anchors_across_it_does_not() -> None:
    """Mechanics on a real walk: one brief tilt towards the back (sensor +Z) anchors the
    front at -Z (within 37 deg: the anchor is horizontal to the walking posture, not
    to the standing one the tilt is made from); the same tilt sideways, or with the
    device left in another posture (put back 25 deg rolled), does not."""
    along = _one_tilt(np.array([0.0, 0.0, 1.0]))[0]
    assert along.cue == "trunk flexion", along.reason
    assert float(along.forward_unit @ np.array([0.0, 0.0, -1.0])) > 0.8  # the front: -Z
    assert along.reliability < ANCHOR_RELIABILITY
    for anchor in (
        _one_tilt(np.array([0.0, 1.0, 0.0]))[0],
        _one_tilt(np.array([0.0, 0.0, 1.0]), moved_deg=25.0)[0],
    ):
        assert anchor.forward_unit is None
        assert "not bends of the trunk" in anchor.reason


def test_one_real_bend_anchors_daily_life() -> None:
    """mobgap-lab MS_001 Test11 bends once (sitting down, 40 deg): one checked bend
    anchors the front at the one-bend reliability (more where its turns agree), and
    the analysis calls forward walking and no backward walking, in any device
    orientation."""
    rec, _ = load_mobgap("MS_001_Test11_Trial1")
    turned = Rotation.from_rotvec([0.4, -1.1, 2.0]).as_matrix()  # any device orientation
    for R in (np.eye(3), turned):
        result = analyze(rec.rotated(R), AnalysisOptions(placement="lower_back"))
        reasons = {b.extra["direction_reason"] for b in result.bouts if b.direction == "forward"}
        assert len(reasons) >= 1 and all("one brief bend" in r for r in reasons), reasons
        assert not any(s.direction == BACKWARD for s in result.steps)
        for bout in result.bouts:  # one bend: 0.8 at most, unless the turns agree
            reason = bout.extra["direction_reason"]
            assert bout.direction_confidence <= (0.85 if "turning axis" in reason else 0.8) + 1e-9


def _phone(name: str) -> Recording:
    path = require("phone-steps", name, "accelerometer.csv")
    raw = pd.read_csv(path, header=None).to_numpy(np.float64)
    t = (raw[:, 0] - raw[0, 0]) * 1e-9
    keep = np.concatenate([[True], np.diff(t) > 0])
    t, acc = t[keep], raw[keep, 2:5]
    grid = np.arange(t[0], t[-1], 0.01)
    acc = np.column_stack([np.interp(grid, t, acc[:, k]) for k in range(3)])
    return Recording(acc, None, 100.0, path=str(path))


def _analyse(rec: Recording, estimator: BodyAnchorEstimator | None = None) -> Analysis:
    pipelines = None
    if estimator is not None:
        clf = WalkingDirectionClassifier(anchor_estimator=estimator)
        pipelines = {"trunk": TrunkPipeline(direction_classifier=clf)}
    return analyze(rec, AnalysisOptions(placement="lower_back"), pipelines=pipelines)


def _backward_steps(rec: Recording, estimator: BodyAnchorEstimator | None = None) -> int:
    return sum(s.direction == BACKWARD for s in _analyse(rec, estimator).steps)


def test_a_handled_purse_phone_is_not_called_backward() -> None:
    """A phone in a purse (phone-steps Pixel_Jamie_Hard_Purse_2, forward walking)
    analysed as a lower back tilts twice by 53-55 deg, 51-64 deg across its walking
    travel (the purse handled): without the checks those two tilts anchor the front
    backwards (a bout is called on "trunk flexion"); with them there is no anchor
    and no step is called backward."""
    rec = _phone("Pixel_Jamie_Hard_Purse_2")
    checked = _analyse(rec)
    assert sum(s.direction == BACKWARD for s in checked.steps) == 0
    assert not any(b.extra["direction_reason"].startswith("trunk flexion") for b in checked.bouts)
    unchecked = _analyse(rec, BodyAnchorEstimator(**UNCHECKED))
    assert any(b.extra["direction_reason"].startswith("trunk flexion") for b in unchecked.bouts)


@pytest.mark.parametrize(
    "source",
    [
        "Samsung_Carmelo_Hard_BackPocket_1",  # ends with the phone taken out
        "Samsung_Carmelo_Hard_InHand_1",
        "Pixel_Jamie_Hard_NeckPouch_1",
        "phyphox hand",
        "Sensor Logger hand",
    ],
)
def test_handled_phones_analysed_as_a_lower_back_are_never_called_backward(source: str) -> None:
    """Real phones walking forward, carried and handled, analysed as a lower back."""
    if source == "phyphox hand":
        rec = read_recording(device_export("phyphox", "phyphox390_walking_hand_sophia.csv"))
    elif source == "Sensor Logger hand":  # with a gyroscope
        rec = read_recording(device_export("sensor-logger", "ronin_shopping_mall_eight"))
    else:
        rec = _phone(source)
    assert _backward_steps(rec) == 0
