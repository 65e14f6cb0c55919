"""The lower-back anchor from turns: the lever arm of a device behind the turning axis.

Mechanics on a constructed rigid body (the fit recovers the offset it was
built with, whichever way it turns); the combination with the trunk-flexion
anchor; on real recordings: ipol-gait lower backs (forward walks, one U-turn
each) are anchored the right way round, and the one real backward walker
(motion capture, take 09_12) is called backward where it walks backward and
forward where it walks forward, without a calibration.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from realdata import (
    PELVIS_PLACES,
    ipol_lower_back_moved,
    ipol_trial_ids,
    load_ipol_trial,
    require,
)
from retrowalk.core.recording import Recording
from retrowalk.dsp.filters import lowpass
from retrowalk.gait.direction import ANCHOR_RELIABILITY
from retrowalk.gait.direction.anchor import (
    NO_ANCHOR_REASON,
    BodyAnchorEstimator,
    Flexion,
    TurnLever,
)
from retrowalk.gait.direction.lever import find_turns
from retrowalk.io import read_recording
from retrowalk.pipeline import AnalysisOptions, analyze

G = 9.81


def _turning_body(
    offset_m: np.ndarray, turn_sign: float, rate_hz: float = 20.0
) -> tuple[np.ndarray, np.ndarray]:
    """Acceleration and angular rate of a device at ``offset_m`` (body axes, z up) from the
    axis of a body that stands, turns 180 deg in 1.6 s and stands again; the device's axes
    are the body's, so the lever arm in device axes is ``offset_m``."""
    t = np.arange(0.0, 12.0, 1.0 / rate_hz)
    w = np.where((t > 5.0) & (t < 6.6), np.sin(np.pi * (t - 5.0) / 1.6), 0.0)
    w *= turn_sign * math.pi / (1.6 * 2.0 / math.pi)  # 180 deg in all
    alpha = np.gradient(w) * rate_hz
    r = np.asarray(offset_m, dtype=np.float64)
    up = np.array([0.0, 0.0, 1.0])
    centripetal = -(w**2)[:, None] * r[None, :]
    tangential = alpha[:, None] * np.cross(up, r)[None, :]
    acc = centripetal + tangential + G * up
    gyro = w[:, None] * up[None, :]
    return acc, gyro


def _up(acc: np.ndarray) -> np.ndarray:
    """The gravity direction the body anchors use (0.3-Hz low-pass, unit rows)."""
    up = lowpass(acc, 0.3, 20.0)
    return up / np.linalg.norm(up, axis=1, keepdims=True)


@pytest.mark.parametrize("turn_sign", [1.0, -1.0])
def test_the_fit_recovers_the_lever_arm_whichever_way_the_body_turns(turn_sign: float) -> None:
    behind = np.array([-0.12, 0.02, 0.0])  # 12 cm behind the axis, 2 cm to the left
    acc, gyro = _turning_body(behind, turn_sign)
    turns = find_turns(acc, _up(acc), gyro, 20.0)
    assert len(turns) == 1
    assert turns[0].rotation_deg == pytest.approx(180.0, abs=5.0)
    lever = turns[0].lever
    cos = float(lever @ behind) / (np.linalg.norm(lever) * np.linalg.norm(behind))
    assert cos > math.cos(math.radians(3.0))  # its direction
    # its length comes out short: the 0.3-Hz gravity direction takes in part of the
    # slow centripetal acceleration (documented in the module)
    assert 0.6 * np.linalg.norm(behind) < turns[0].lever_m < 1.05 * np.linalg.norm(behind)


def test_no_turn_no_lever_and_a_short_recording_gives_none() -> None:
    acc, gyro = _turning_body(np.array([-0.1, 0.0, 0.0]), 1.0)
    still = np.zeros_like(gyro)
    assert find_turns(acc, _up(acc), still, 20.0) == []
    assert find_turns(acc[:20], _up(acc)[:20], gyro[:20], 20.0) == []


def _lever(side: list[float], m: float = 0.15, se: float = 0.01, travel: float = 10.0) -> TurnLever:
    axis = np.array([0.0, 0.0, -1.0])  # the walking travel axis (either sign)
    return TurnLever(np.asarray(side, dtype=np.float64), m, se, travel, 180.0, axis)


def test_turns_anchor_only_when_their_checks_hold() -> None:
    est = BodyAnchorEstimator("lower_back")
    back = [0.0, 0.0, 1.0]
    one = est.lever_anchor([_lever(back)])
    assert one.cue == "turn lever arm"
    assert float(one.forward_unit @ -np.asarray(back)) > 0.99  # the device is behind the axis
    assert one.reliability == est.single_turn_reliability < ANCHOR_RELIABILITY
    assert est.lever_anchor([_lever(back), _lever(back)]).reliability == ANCHOR_RELIABILITY
    strict = BodyAnchorEstimator("lower_back", min_lever_se_ratio=3.0, max_lever_travel_deg=60.0)
    for checks, failed in (
        (est, _lever(back, m=1.0)),  # no trunk is that wide (a car turning, a swinging bag)
        (est, _lever(back, travel=math.nan)),  # no travel axis to check against
        (strict, _lever(back, se=0.1)),  # no clearer than its noise
        (strict, _lever(back, travel=80.0)),  # across the walking travel: worn at the side
    ):
        assert checks.lever_anchor([_lever(back)]).forward_unit is not None
        anchor = checks.lever_anchor([failed])
        assert anchor.forward_unit is None
        assert "lever arm" in anchor.reason
    # a tie anchors nothing, whatever share is asked for
    split = est.lever_anchor([_lever(back), _lever([0.0, 0.0, -1.0])])
    assert split.forward_unit is None and "different sides" in split.reason
    two_of_three = est.lever_anchor([_lever(back), _lever(back), _lever([0.0, 0.0, -1.0])])
    assert two_of_three.forward_unit is not None
    assert "2 of 3 turns" in two_of_three.reason
    # each vote weighs by its clarity: one clear turn outweighs two lost in their noise
    front = [0.0, 0.0, -1.0]
    clear = est.lever_anchor([_lever(back, se=0.01), _lever(front, se=0.1), _lever(front, se=0.1)])
    assert clear.forward_unit is not None
    assert float(clear.forward_unit @ -np.asarray(back)) > 0.99
    assert est.lever_anchor([]).reason == NO_ANCHOR_REASON


def test_turns_whose_lever_arms_lie_across_the_travel_do_not_anchor() -> None:
    """A device at the side of the waist: three or more turns whose median lever arm lies
    more than 60 deg from the walking travel axis anchor nothing; fewer are not judged."""
    est = BodyAnchorEstimator("lower_back")
    back = [0.0, 0.0, 1.0]
    side = [_lever(back, travel=70.0), _lever(back, travel=80.0), _lever(back, travel=10.0)]
    anchor = est.lever_anchor(side)
    assert anchor.forward_unit is None
    assert "across the walking direction (median 70 deg" in anchor.reason
    assert "side of the waist" in anchor.reason
    assert est.lever_anchor(side[:2]).forward_unit is not None  # two turns: not judged
    mostly_along = [_lever(back, travel=70.0), _lever(back, travel=20.0), _lever(back)]
    assert est.lever_anchor(mostly_along).forward_unit is not None
    # a lever arm too long for a trunk does not count towards the median
    long_ones = [*side[:2], _lever(back, m=1.0, travel=10.0), _lever(back, travel=10.0)]
    assert est.lever_anchor(long_ones).forward_unit is None
    assert est.lever_anchor(side[:2] + [_lever(back, travel=10.0)] * 2).forward_unit is not None


def test_bends_and_turns_combine_and_a_disagreement_anchors_nothing() -> None:
    est = BodyAnchorEstimator("lower_back")
    back = np.array([0.0, 0.0, 1.0])
    bend = Flexion(back, 45.0, travel_deg=8.0, resettle_deg=4.0, start_deg=3.0, pitch_share=0.95)
    both = est.trunk_anchor([bend], [_lever(list(back))])
    assert both.cue == "trunk flexion and turn lever arm"
    assert float(both.forward_unit @ -back) > 0.99
    assert "turns" in both.reason and "trunk flexion" in both.reason
    assert est.trunk_anchor([], [_lever(list(back))]).cue == "turn lever arm"
    assert est.trunk_anchor([bend], None).cue == "trunk flexion"
    against = est.trunk_anchor([bend], [_lever(list(-back))])
    assert against.forward_unit is None
    assert "opposite sides" in against.reason


def test_ipol_lower_backs_are_anchored_forward_by_their_turns() -> None:
    """Real forward walks (stand, walk 10 m, U-turn, walk back): no anchor points backward,
    and most walks are anchored (no bend in them: before the turns, none was)."""
    ids = ipol_trial_ids()[::5]
    if not ids:
        pytest.skip("ipol-gait recordings not found")
    anchored = 0
    for tid in ids:
        rec, _ = load_ipol_trial(tid, "lb")
        result = analyze(rec, AnalysisOptions(placement="lower_back"))
        for bout in result.bouts:
            assert bout.direction != "backward", (tid, bout.extra.get("direction_reason"))
        if any(b.direction == "forward" for b in result.bouts):
            anchored += 1
    assert anchored >= 0.7 * len(ids)


def test_the_real_backward_walker_is_called_backward_without_calibration() -> None:
    """Motion capture take 09_12 at the lower back: forward walk, U-turn, backward walk."""
    folder = require("mocap-backward")
    meta = json.loads((folder / "09_12.json").read_text())
    rec = read_recording(
        folder / "09_12_pelvis.csv", acc_unit="mps2", gyro_unit="rads", placement="lower_back"
    )
    result = analyze(rec)
    labels = {s["direction"]: (s["start_s"], s["end_s"]) for s in meta["segments"]}
    called = {"forward": 0, "backward": 0, "wrong": 0}
    for step in result.steps:
        for truth, (a, b) in labels.items():
            if a + 0.5 <= step.time_s <= b - 0.5:
                if step.direction == truth:
                    called[truth] += 1
                elif step.direction in ("forward", "backward"):
                    called["wrong"] += 1
    assert called["wrong"] == 0
    assert called["forward"] >= 8 and called["backward"] >= 8
    reasons = {b.extra.get("direction_reason", "") for b in result.bouts}
    assert any("turning axis" in r for r in reasons)


def test_a_device_on_the_hip_is_not_anchored_by_its_turns() -> None:
    """Mechanics on real walks: one person's ipol-gait walks joined (6 U-turns and more),
    moved to the hip, are not anchored by the turns and nothing is called backward (the
    turns alone called 98 % of their bout time backward); the same walks at the back of the
    waist are anchored by the turns and called forward."""
    ids = [t for t in ipol_trial_ids() if t.split("-")[0] == "10"]
    if not ids:
        pytest.skip("ipol-gait recordings not found")
    recs = [load_ipol_trial(t, "lb")[0] for t in ids]
    acc = np.concatenate([r.acc_mps2 for r in recs])
    gyro = np.concatenate([r.gyro_rads for r in recs])
    fs = recs[0].sampling_rate_hz
    back = analyze(Recording(acc, gyro, fs, placement="lower_back"))  # as worn
    joined = Recording(acc, gyro, fs, placement="lower_back")
    hip = analyze(
        Recording(
            *ipol_lower_back_moved(joined, *PELVIS_PLACES["right hip, 3 cm in front of it"]),
            fs,
            placement="lower_back",
        )
    )
    assert any(b.direction == "forward" for b in back.bouts)
    assert all(b.direction != "backward" for b in back.bouts)
    assert all(b.direction != "backward" for b in hip.bouts)
    reasons = " ".join(str(b.extra.get("direction_reason", "")) for b in hip.bouts)
    assert "side of the waist" in reasons


def test_a_long_recording_is_worked_in_parts_with_the_same_turns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Mechanics: parts of 100 s with 20 s either side find the turns one pass finds."""
    from retrowalk.gait.direction import lever

    acc, gyro = _turning_body(np.array([-0.12, 0.02, 0.0]), 1.0)
    acc, gyro = np.tile(acc, (30, 1)), np.tile(gyro, (30, 1))  # a turn every 12 s, 6 min
    whole = find_turns(acc, _up(acc), gyro, 20.0)
    monkeypatch.setattr(lever, "PART_S", 100.0)
    monkeypatch.setattr(lever, "OVERLAP_S", 20.0)
    parts = find_turns(acc, _up(acc), gyro, 20.0)
    assert len(whole) == len(parts) == 30
    for a, b in zip(whole, parts, strict=True):
        assert a.time_s == pytest.approx(b.time_s)
        assert np.allclose(a.lever, b.lever, atol=1e-6)


def test_turns_read_their_inputs_without_changing_them_in_memory_or_in_files() -> None:
    """Mechanics: in memory the rows are read in place (no copies) and left as they were;
    from temporary files (a long recording's arrays) the same turns, to the last bit."""
    from retrowalk.dsp.memory import empty_samples

    acc, gyro = _turning_body(np.array([-0.12, 0.02, 0.0]), 1.0)
    acc, gyro = np.tile(acc, (3, 1)), np.tile(gyro, (3, 1))
    up = _up(acc) * 1.001  # not quite unit: the fit makes its own unit rows
    inputs = (acc, up, gyro)
    kept = [x.copy() for x in inputs]
    in_memory = find_turns(acc, up, gyro, 20.0)
    assert len(in_memory) == 3
    assert all(np.array_equal(x, k) for x, k in zip(inputs, kept, strict=True))
    files = []
    for x in inputs:
        f = empty_samples(x.shape, file_backed=True)
        f[:] = x
        files.append(f)
    from_files = find_turns(files[0], files[1], files[2], 20.0)
    assert len(from_files) == len(in_memory)
    for a, b in zip(in_memory, from_files, strict=True):
        assert a.time_s == b.time_s and a.rotation_deg == b.rotation_deg and a.se_m == b.se_m
        assert np.array_equal(a.lever, b.lever)
