"""Walking direction: travel cue and body-fixed anchors on real recordings, mechanics.

Accuracy claims rest on real walking: forward (ipol-gait, mobgap-lab, phones)
and backward (motion capture). Time reversal appears only as a mechanics check
(splitting, symmetry), never as accuracy.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.transform import Rotation

from realdata import data_root, ipol_lower_back_rows
from retrowalk.core.recording import Recording
from retrowalk.dsp.frame import body_frame
from retrowalk.gait.direction import (
    ANCHOR_RELIABILITY,
    BACKWARD,
    FORWARD,
    UNCERTAIN,
    WalkingDirectionClassifier,
    body_anchors,
    classify_bouts,
    default_model,
    find_direction_changes,
    step_evidence,
    travel_vectors,
)

DATA = data_root()


def _mobgap(name: str) -> tuple[Recording, list[tuple[int, int]], np.ndarray]:
    folder = DATA / "mobgap-lab"
    if not (folder / f"{name}.csv").is_file():
        pytest.skip(f"real recordings not found at {folder}")
    df = pd.read_csv(folder / f"{name}.csv")
    acc = df[["acc_x", "acc_y", "acc_z"]].to_numpy(float)
    gyro = np.deg2rad(df[["gyr_x", "gyr_y", "gyr_z"]].to_numpy(float))
    meta = json.loads((folder / f"{name}.json").read_text())
    bouts = [(b["start"], b["end"]) for b in meta["walking_bouts"]]
    ic = np.sort([c["ic"] for c in meta["initial_contacts"]])
    return Recording(acc, gyro, 100.0), bouts, ic


def _reverse(rec, bouts, ic):
    n = rec.n_samples
    return (
        rec.time_reversed(),
        [(n - 1 - b, n - 1 - a) for a, b in bouts][::-1],
        np.sort(n - 1 - ic),
    )


def _classify(rec, bouts, ic, placement="lower_back", profile=None, **kw):
    """Classify with the body-fixed anchors of the recording (as the pipeline does)."""
    fs = rec.sampling_rate_hz
    frame = body_frame(rec.acc_mps2, rec.gyro_rads, fs)
    clf = WalkingDirectionClassifier(**kw)
    ev = step_evidence(frame, bouts, ic, max_turn_rate_rads=clf.max_turn_rate_rads)
    anchors = body_anchors(rec.acc_mps2, fs, bouts, ev, clf, placement)
    return clf.classify_evidence(ev, bouts, ic, profile=profile, anchors=anchors)


def _rotations(rec: Recording) -> list[np.ndarray]:
    up = rec.acc_mps2.mean(axis=0)
    up /= np.linalg.norm(up)
    side = np.cross(up, np.eye(3)[int(np.argmin(np.abs(up)))])
    side /= np.linalg.norm(side)
    return [
        Rotation.from_rotvec(0.5 * np.pi * up).as_matrix(),
        Rotation.from_rotvec(np.pi * up).as_matrix(),
        Rotation.from_rotvec(np.pi * side).as_matrix(),
        Rotation.random(random_state=3).as_matrix(),
    ]


# Trials whose quiet standing differs from the walking posture by 3-12 deg: the
# rejected standing-posture anchor called them forward; nothing anchors them now.
FORMERLY_STANDING_ANCHORED = ["2-1", "4-5", "9-1"]


@pytest.mark.parametrize("trial", FORMERLY_STANDING_ANCHORED)
def test_a_plain_walk_without_bends_is_uncertain_with_the_reason(trial: str) -> None:
    """Stand, walk, turn, stop: no trunk flexion, so which way the body faces is
    unknown however the device is turned; the travel cue alone decides nothing."""
    rec, bouts, ic = ipol_lower_back_rows(trial)
    for R in (np.eye(3), *_rotations(rec)):
        clf = _classify(rec.rotated(R), bouts, ic)
        assert clf.bout_direction_ == [UNCERTAIN, UNCERTAIN]
        assert all("which way the body faces is unknown" in r for r in clf.bout_reason_)
        assert all("trunk" in r for r in clf.bout_reason_)
        assert set(clf.step_direction_.tolist()) == {UNCERTAIN}


def test_uncalibrated_calls_stay_below_confident() -> None:
    """Anchors were checked on forward walking of many people, backward of one: < 0.9."""
    rec, bouts, ic = _mobgap("HA_001_Test11_Trial1")
    clf = _classify(rec, bouts, ic)
    called = [c for d, c in zip(clf.bout_direction_, clf.bout_confidence_, strict=True)
              if d != UNCERTAIN]  # fmt: skip
    assert called
    assert max(called) <= ANCHOR_RELIABILITY + 1e-9 < 0.9


def test_without_anchor_the_direction_is_uncertain_with_a_reason() -> None:
    rec, bouts, ic = ipol_lower_back_rows("1-1")
    clf = _classify(rec, bouts, ic)
    assert clf.bout_direction_ == [UNCERTAIN, UNCERTAIN]
    assert all("which way the body faces is unknown" in r for r in clf.bout_reason_)
    assert np.all(np.isnan(clf.step_score_))


def _mocap(trial: str, sensor: str) -> tuple[Recording, dict]:
    folder = DATA / "mocap-backward"
    if not (folder / f"{trial}_{sensor}.csv").is_file():
        pytest.skip(f"real recordings not found at {folder}")
    df = pd.read_csv(folder / f"{trial}_{sensor}.csv")
    acc = df[["acc_x", "acc_y", "acc_z"]].to_numpy(float)
    gyro = df[["gyro_x", "gyro_y", "gyro_z"]].to_numpy(float)
    return Recording(acc, gyro, 100.0), json.loads((folder / f"{trial}.json").read_text())


def _travel(rec: Recording) -> tuple[np.ndarray, np.ndarray]:
    """Per-step travel vectors of the whole recording (contacts from the trunk path)."""
    from retrowalk.pipeline.trunk import TrunkPipeline

    ic = TrunkPipeline()._scan_contacts(rec).sample
    frame = body_frame(rec.acc_mps2, rec.gyro_rads, rec.sampling_rate_hz)
    ev = step_evidence(frame, [(0, rec.n_samples - 1)], ic, max_turn_rate_rads=None)
    return ev.ic[ev.windows.step_index] / 100.0, travel_vectors(ev.odd)


@pytest.mark.parametrize("sensor", ["pelvis", "thigh"])
def test_travel_cue_turns_round_in_real_backward_walking(sensor: str) -> None:
    """Forward walks of two people give the body-forward axis; a third walks backward."""
    forward = np.concatenate([_travel(_mocap(t, sensor)[0])[1] for t in ("07_05", "08_04")])
    axis = forward.mean(axis=0)
    axis /= np.linalg.norm(axis)
    assert np.mean(forward @ axis > 0) == 1.0
    rec, meta = _mocap("09_12", sensor)
    times, travel = _travel(rec)
    segment = next(s for s in meta["segments"] if s["direction"] == "backward")
    backward = (times >= segment["start_s"]) & (times <= segment["end_s"])
    assert backward.sum() >= 10
    assert np.mean(travel[backward] @ axis < 0) >= 0.85


def test_thigh_swing_asymmetry_keeps_its_side_in_real_backward_walking() -> None:
    """The anchor is body-fixed: forward and backward runs swing further to the same side."""
    from retrowalk.dsp.filters import lowpass
    from retrowalk.gait.direction.anchor import _pitch_swing

    rec, meta = _mocap("09_12", "thigh")

    def unit(v):
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    fast = unit(lowpass(rec.acc_mps2, 3.0, 100.0))
    slow = unit(lowpass(rec.acc_mps2, 0.3, 100.0))
    _, _, axis, _ = _pitch_swing(fast, slow, 100.0, 0.55)
    sides = {}
    for run in meta["runs_raw"]:
        if run["direction"] in ("forward", "backward") and run["end_s"] - run["start_s"] > 4:
            a, b = int(run["start_s"] * 100), int(run["end_s"] * 100)
            d = fast[a:b] - slow[a:b]
            d -= np.einsum("ij,ij->i", d, slow[a:b])[:, None] * slow[a:b]
            p5, p50, p95 = np.percentile(np.degrees(d @ axis), [5, 50, 95])
            sides[run["direction"]] = (p95 - p50) - (p50 - p5)
    assert set(sides) == {"forward", "backward"}
    assert np.sign(sides["forward"]) == np.sign(sides["backward"])
    assert min(abs(v) for v in sides.values()) > 5.0


def _standing_then(rec: Recording, posture: np.ndarray, start_s: float, end_s: float) -> Recording:
    """6 s of quiet standing at ``posture`` (the data set's noise), blended over
    0.3 s into the take's own walking from ``start_s`` to ``end_s``."""
    fs = rec.sampling_rate_hz
    rng = np.random.default_rng(12)
    n, blend = int(6.0 * fs), int(0.3 * fs)
    a, b = int(start_s * fs), int(end_s * fs)
    walk = rec.acc_mps2[a:b].copy()
    w = np.linspace(0.0, 1.0, blend)[:, None]
    walk[:blend] = (1.0 - w) * 9.81 * posture + w * walk[:blend]
    acc = np.vstack([9.81 * posture + rng.normal(0.0, 0.02, (n, 3)), walk])
    gyro = np.vstack([rng.normal(0.0, 0.005, (n, 3)), rec.gyro_rads[a:b]])
    return Recording(acc, gyro, fs)


def test_standing_before_a_real_backward_walk_does_not_anchor_it() -> None:
    """The one real backward walker leans the pelvis into the travel: gravity sits
    about 5 deg further back in the sensor walking backward than walking forward.
    A standing posture like the forward walking one then looks like "walking leans
    back of standing"; the rejected standing-posture anchor called this backward
    walk forward (0.85). Nothing at the lower back may call it forward now (its
    turns may call it backward)."""
    from retrowalk.pipeline import AnalysisOptions, analyze

    rec, meta = _mocap("09_12", "pelvis")
    fs = rec.sampling_rate_hz

    def up(a_s: float, b_s: float) -> np.ndarray:
        v = rec.acc_mps2[int(a_s * fs) : int(b_s * fs)].mean(axis=0)
        return v / np.linalg.norm(v)

    forward_posture, backward_posture = up(0.5, 4.0), up(11.5, 15.9)
    lean = np.degrees(np.arccos(forward_posture @ backward_posture))
    assert lean > 4.0  # the posture follows the travel, not the body
    segment = next(s for s in meta["segments"] if s["direction"] == "backward")
    joined = _standing_then(rec, forward_posture, segment["start_s"], segment["end_s"])
    result = analyze(joined, AnalysisOptions(placement="lower_back"))
    assert sum(b.n_steps for b in result.bouts) >= 10
    for bout in result.bouts:
        # uncertain, or called backward from its turns (the lever-arm anchor), never
        # from the standing posture
        reason = bout.extra["direction_reason"]
        assert bout.direction in (UNCERTAIN, BACKWARD), reason
        if bout.direction == BACKWARD:
            assert "turning axis" in reason
        else:
            assert "which way the body faces is unknown" in reason
    assert all(s.direction != FORWARD for s in result.steps)


def test_a_short_or_mostly_backward_anchored_stretch_is_left_undecided() -> None:
    """Without calibration, nothing on the only real backward take comes out backward
    or forward wrongly: the pocket's short runs cannot anchor, and are uncertain."""
    from retrowalk.pipeline import AnalysisOptions, analyze

    rec, _ = _mocap("09_12", "thigh")
    result = analyze(rec, AnalysisOptions(placement="pocket"))
    assert result.bouts
    assert all(b.direction == UNCERTAIN for b in result.bouts)
    assert all(b.extra["direction_reason"] for b in result.bouts)


def test_the_real_backward_pocket_run_is_too_short_to_anchor_and_says_so() -> None:
    """The one real backward run at the thigh (4.7 s, 3.9 s of it one bout) is too
    short for the thigh-swing anchor, whose side must hold in two 5-s windows of
    walking: uncertain, and the reason names the walking time and the 7.5 s needed
    (it read "only 0 % of the walking agrees on the side" before, as if the swing
    had disagreed)."""
    import re

    from retrowalk.pipeline import AnalysisOptions, analyze

    rec, meta = _mocap("09_12", "thigh")
    run = next(
        r
        for r in meta["runs_raw"]
        if r["direction"] == "backward" and r["end_s"] - r["start_s"] >= 3.0
    )
    result = analyze(rec.slice_s(run["start_s"], run["end_s"]), AnalysisOptions(placement="pocket"))
    assert [b.n_steps for b in result.bouts] == [8]
    bout = result.bouts[0]
    assert bout.direction == UNCERTAIN
    reason = bout.extra["direction_reason"]
    assert "too short here" in reason and "7.5 s at least" in reason
    seconds = float(re.search(r"only ([0-9.]+) s of walking", reason).group(1))  # type: ignore[union-attr]
    assert seconds == pytest.approx(bout.end_s - bout.start_s, abs=0.2)
    assert all(s.direction == UNCERTAIN for s in result.steps)


def test_the_thigh_side_needs_two_windows_of_walking() -> None:
    """Two 5-s windows need 7.5 s of walking (a last window under half a window is
    left out); with fewer the share is 0 whatever the swing."""
    from retrowalk.gait.direction.anchor import _window_agreement

    rate = 10.0
    # a swing further to the positive side: short high peaks, a long shallow trough
    stride = np.r_[np.linspace(0.0, 30.0, 3), np.linspace(30.0, 0.0, 3), np.full(5, -5.0)]
    pitch = np.tile(stride, 20)
    assert _window_agreement(pitch[:74], 1.0, rate) == (0.0, 1)
    assert _window_agreement(pitch[:75], 1.0, rate) == (1.0, 2)
    assert _window_agreement(pitch[:75], -1.0, rate) == (0.0, 2)
    assert _window_agreement(pitch[:100], 1.0, rate) == (1.0, 2)


MOBGAP_TEST11 = ["HA_001_Test11_Trial1", "HA_002_Test11_Trial1", "MS_001_Test11_Trial1"]


@pytest.mark.parametrize("name", MOBGAP_TEST11)
def test_daily_life_through_analyze_has_no_backward_bout(name: str) -> None:
    """Real forward daily life, detected bouts (with turns): nothing may come out backward."""
    from retrowalk.pipeline import AnalysisOptions, analyze

    rec, _, _ = _mobgap(name)
    result = analyze(rec, AnalysisOptions(placement="lower_back"))
    assert result.bouts, "no bouts detected"
    assert [b.direction for b in result.bouts].count(BACKWARD) == 0
    assert all(s.direction != BACKWARD for s in result.steps)
    assert all(b.extra["direction_reason"] for b in result.bouts)


def _anchors_of_analysis(rec: Recording) -> list:
    """Body anchors of a recording's detected bouts, as the trunk pipeline makes them."""
    from retrowalk.pipeline import AnalysisOptions, analyze

    fs = rec.sampling_rate_hz
    result = analyze(rec, AnalysisOptions(placement="lower_back"))
    bouts = [(round(b.start_s * fs), round(b.end_s * fs)) for b in result.bouts]
    ic = np.array([round(s.time_s * fs) for s in result.steps], dtype=np.int64)
    frame = body_frame(rec.acc_mps2, rec.gyro_rads, fs)
    clf = WalkingDirectionClassifier()
    ev = step_evidence(frame, bouts, ic, max_turn_rate_rads=clf.max_turn_rate_rads)
    return body_anchors(rec.acc_mps2, fs, bouts, ev, clf, "lower_back")


@pytest.mark.parametrize("name", ["HA_001_Test11_Trial1", "HA_002_Test11_Trial1"])
def test_trunk_flexion_anchor_points_to_the_front_in_daily_life(name: str) -> None:
    """Real daily life (bending, sitting down, standing up): the brief trunk flexions
    give the body's forward axis (mobgap-lab: sensor +z), in any device orientation."""
    rec, _, _ = _mobgap(name)
    for R in [np.eye(3), *_rotations(rec)[1:]]:
        anchors = _anchors_of_analysis(rec.rotated(R))
        flexion = [a for a in anchors if a.cue == "trunk flexion"]
        assert flexion, [a.reason for a in anchors]
        truth = R @ np.array([0.0, 0.0, 1.0])
        for a in flexion:
            assert np.degrees(np.arccos(np.clip(a.forward_unit @ truth, -1, 1))) < 30.0
            assert a.reliability == ANCHOR_RELIABILITY


def test_a_held_tilted_posture_is_no_trunk_flexion() -> None:
    """Mechanics: sitting or reclining held for minutes tilts either way and must not
    anchor; the same tilt held for 2 s, twice, does (and marks the back)."""
    from retrowalk.gait.direction.anchor import BodyAnchorEstimator

    rec, bouts, _ = ipol_lower_back_rows("1-1")  # no anchor of its own (see above)
    fs = rec.sampling_rate_hz
    up = rec.acc_mps2[:100].mean(axis=0)
    up /= np.linalg.norm(up)
    lean = np.cross(up, np.cross([0.0, 0.0, 1.0], up))  # towards sensor +Z (the back)
    lean /= np.linalg.norm(lean)
    tilted = 9.81 * (np.cos(np.radians(50)) * up + np.sin(np.radians(50)) * lean)

    def with_tilts(spans_s: list[tuple[float, float]]) -> list:
        acc = rec.acc_mps2.copy()
        n_before = int(60 * fs)
        pad = np.repeat(acc[:1], n_before, axis=0)
        for a, b in spans_s:
            pad[int(a * fs) : int(b * fs)] = tilted
        acc = np.vstack([pad, acc])
        shifted = [(a + n_before, b + n_before) for a, b in bouts]
        est = BodyAnchorEstimator("lower_back")
        return est.estimate(acc, fs, shifted, np.zeros(len(bouts), dtype=np.int64)).anchors_

    held = with_tilts([(5.0, 50.0)])
    assert held[0].forward_unit is None
    brief = with_tilts([(10.0, 12.0), (30.0, 32.0)])
    assert brief[0].cue == "trunk flexion"
    assert float(brief[0].forward_unit @ -lean) > 0.9  # the front: away from the lean


def test_forward_then_reversed_splits_near_junction() -> None:
    """Mechanics: a forward leg followed without a pause by a time-reversed leg is
    split near the junction in any orientation (no anchor: both parts uncertain);
    with a calibration the parts are forward, then backward."""
    from calibration_helpers import stand_in_profile

    rec, ((a0, a1), (b0, b1)), ic = ipol_lower_back_rows("2-1")
    acc = np.vstack([rec.acc_mps2[:a1], rec.acc_mps2[b0:b1][::-1], rec.acc_mps2[:a0][::-1]])
    gyro = np.vstack([rec.gyro_rads[:a1], -rec.gyro_rads[b0:b1][::-1], -rec.gyro_rads[:a0][::-1]])
    ic1 = ic[(ic >= a0) & (ic < a1)]
    ic2 = np.sort(a1 + (b1 - 1 - ic[(ic > b0) & (ic < b1)]))
    joined = Recording(acc, gyro, 100.0)
    contacts = np.r_[ic1, ic2]
    whole = [(int(contacts[0]), int(contacts[-1]))]
    calibrated = _classify(joined, whole, contacts, profile=stand_in_profile())
    assert calibrated.bout_direction_ == [FORWARD, BACKWARD]
    for R in (np.eye(3), *_rotations(joined)[1:3]):
        clf = _classify(joined.rotated(R), whole, contacts)
        assert clf.bout_direction_ == [UNCERTAIN, UNCERTAIN]
        cut_step = int(np.searchsorted(contacts, clf.split_bouts_[1][0]))
        assert abs(cut_step - ic1.size) <= 2
        assert clf.source_bout_ == [0, 0]


def test_short_bouts_are_uncertain() -> None:
    rec, bouts, ic = ipol_lower_back_rows("2-1")
    a, _ = bouts[0]
    short = ic[(ic >= a)][:3]
    clf = _classify(rec, [(int(short[0]), int(short[-1]))], short)
    assert clf.bout_direction_ == [UNCERTAIN]
    assert np.all(clf.step_direction_ == UNCERTAIN)
    assert "too few steps" in clf.bout_reason_[0]


def test_steps_outside_bouts_and_order() -> None:
    rec, bouts, ic = ipol_lower_back_rows("2-1")
    extra = np.r_[ic[::-1], 5]  # unsorted, one contact outside every bout
    clf = _classify(rec, bouts, extra)
    assert clf.step_direction_.shape == extra.shape
    assert clf.step_direction_[-1] == UNCERTAIN
    assert 0.5 <= min(clf.bout_confidence_) <= max(clf.bout_confidence_) <= 1.0


def test_classify_bouts_adapter() -> None:
    from calibration_helpers import stand_in_profile

    rec, bouts, ic = ipol_lower_back_rows("2-1")
    out = classify_bouts(rec, bouts, ic, profile=stand_in_profile())
    assert [d for d, _ in out] == [FORWARD, FORWARD]
    # uncalibrated: its U-turn anchors the front (the lever arm of the turn), at
    # most at the anchor's cap
    uncalibrated = classify_bouts(rec, bouts, ic)
    assert [d for d, _ in uncalibrated] == [FORWARD, FORWARD]
    assert all(0.75 <= p <= 0.85 for _, p in uncalibrated)
    assert classify_bouts(rec, bouts) == [(UNCERTAIN, 0.5), (UNCERTAIN, 0.5)]


# --------------------------------------------------------------- mechanics (synthetic)


def test_find_direction_changes_mechanics() -> None:
    score = np.r_[np.ones(12), -np.ones(12)]
    assert find_direction_changes(score) == [12]
    assert find_direction_changes(np.ones(30)) == []
    noisy = np.ones(30)
    noisy[[5, 17]] = -1  # isolated bad strides do not split
    assert find_direction_changes(noisy) == []
    three = np.r_[np.ones(10), -np.ones(10), np.ones(10)]
    assert find_direction_changes(three) == [10, 20]


def test_no_contacts_and_empty_input() -> None:
    rng = np.random.default_rng(0)
    acc = rng.normal(0, 0.1, (1000, 3)) + [0, 0, 9.81]
    frame = body_frame(acc, None, 100.0)
    clf = WalkingDirectionClassifier().classify(frame, [(100, 900)], np.array([], dtype=int))
    assert clf.bout_direction_ == [UNCERTAIN]
    clf = WalkingDirectionClassifier().classify(frame, [], np.array([], dtype=int))
    assert clf.bout_direction_ == [] and clf.step_direction_.size == 0


def test_time_arrow_model_still_ships_its_provenance() -> None:
    """The time-arrow model is kept for comparison in the benchmark; it decides nothing."""
    model = default_model()
    assert model.weights.shape == model.lags.shape == model.feature_scale.shape
    assert "loso_cv_bout_accuracy" in model.info
    again = type(model).from_dict(json.loads(json.dumps(model.to_dict())))
    assert again.transfer_epsilon == model.transfer_epsilon


def test_the_cues_of_one_evidence_are_worked_out_once_and_follow_the_settings() -> None:
    """body_anchors and classify_evidence take a bout's stretches, the steps used and
    their travel vectors from one working-out per evidence (read-only arrays); a
    changed setting or other evidence works them out again, with the numbers of a
    fresh classifier."""
    rec, bouts, ic = _mobgap("HA_001_Test11_Trial1")
    fs = rec.sampling_rate_hz
    frame = body_frame(rec.acc_mps2, rec.gyro_rads, fs)
    clf = WalkingDirectionClassifier()
    ev = step_evidence(frame, bouts, ic, max_turn_rate_rads=clf.max_turn_rate_rads)
    stretch, use, travel = clf._cues(ev)
    assert clf._cues(ev)[0] is stretch and clf.stretches(ev) is stretch
    assert not (stretch.flags.writeable or use.flags.writeable or travel.flags.writeable)
    fresh = WalkingDirectionClassifier()._cues(ev)
    for mine, theirs in zip((stretch, use, travel), fresh, strict=True):
        assert np.array_equal(mine, theirs)
    np.testing.assert_array_equal(travel, travel_vectors(ev.odd, clf.travel_template))
    clf.max_posture_change_deg = 5.0
    stricter = clf._cues(ev)
    assert stricter[1] is not use
    np.testing.assert_array_equal(
        stricter[1], WalkingDirectionClassifier(max_posture_change_deg=5.0)._cues(ev)[1]
    )
    other = step_evidence(frame, bouts[:1], ic, max_turn_rate_rads=clf.max_turn_rate_rads)
    assert clf._cues(other)[0].size == 1


def test_direction_changes_of_many_bouts_are_each_bouts_own() -> None:
    """The split search of many score sequences worked together finds each one's own
    changes: sequences with one, two or no changes, shorter than two runs of steps,
    of equal gains (the first largest), clipped and not."""
    from retrowalk.gait.direction.grouping import find_direction_changes_many

    rng = np.random.default_rng(17)
    scores = []
    for k in range(120):
        n = int(rng.integers(0, 60))
        x = rng.normal(0.8, 1.0, size=n) * rng.choice([-1.0, 1.0])
        if k % 4 == 1 and n > 10:  # a turn round, or two
            x[n // 2 :] *= -1.0
            if k % 8 == 1:
                x[3 * n // 4 :] *= -1.0
        elif k % 4 == 2:
            x = np.round(x) * 3.0  # clipped, equal gains
        scores.append(x)
    for kwargs in (
        {},
        {"min_steps": 1, "penalty": 2.0},
        {"min_steps": 6, "penalty": 4.0, "clip": 0.5},
    ):
        expected = [find_direction_changes(s, **kwargs) for s in scores[1:]]  # type: ignore[arg-type]
        assert find_direction_changes_many(scores[1:], **kwargs) == expected  # type: ignore[arg-type]
        assert any(expected)
    assert find_direction_changes_many([]) == []
