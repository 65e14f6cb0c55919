"""Walking direction: real recordings forward / time-reversed / rotated, splitting, mechanics."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.transform import Rotation

from realdata import data_root
from retrowalk.frame import body_frame
from retrowalk.gait.direction import (
    BACKWARD,
    FORWARD,
    UNCERTAIN,
    WalkingDirectionClassifier,
    classify_bouts,
    default_model,
    find_direction_changes,
)
from retrowalk.recording import Recording

DATA = data_root()


def _ipol(trial: str) -> tuple[Recording, list[tuple[int, int]], np.ndarray]:
    folder = DATA / "ipol-gait"
    if not (folder / f"{trial}_lb.txt").is_file():
        pytest.skip(f"real recordings not found at {folder}")
    df = pd.read_csv(folder / f"{trial}_lb.txt", sep="\t", skiprows=1)
    df.columns = [c.strip() for c in df.columns]
    acc = df[["Acc_X", "Acc_Y", "Acc_Z"]].to_numpy(float)
    gyro = df[["Gyr_X", "Gyr_Y", "Gyr_Z"]].to_numpy(float)
    meta = json.loads((folder / f"{trial}.json").read_text())
    lo, hi = meta["TrialBoundaries"]
    u0, u1 = meta["UTurnBoundaries"]
    hi = min(hi, len(acc) - 1)
    ic = [e[1] for e in meta["LeftFootEvents"] + meta["RightFootEvents"]]
    ic = np.sort([i for i in ic if lo <= i <= hi])
    return Recording(acc, gyro, 100.0), [(lo, u0), (u1, hi)], ic


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


def _classify(rec, bouts, ic, **kw):
    frame = body_frame(rec.acc_mps2, rec.gyro_rads, rec.sampling_rate_hz)
    return WalkingDirectionClassifier(**kw).classify(frame, bouts, ic)


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


@pytest.mark.parametrize("trial", ["2-1", "7-3", "11-2"])
def test_ipol_forward_reversed_and_rotated(trial: str) -> None:
    rec, bouts, ic = _ipol(trial)
    fwd = _classify(rec, bouts, ic)
    assert fwd.bout_direction_ == [FORWARD, FORWARD]
    in_bout = np.zeros(ic.size, dtype=bool)
    for a, b in bouts:
        in_bout |= (ic >= a) & (ic <= b)
    assert np.all(fwd.step_direction_[in_bout] == FORWARD)
    assert np.all(fwd.step_direction_[~in_bout] == UNCERTAIN)  # the U-turn is no bout here
    rrec, rbouts, ric = _reverse(rec, bouts, ic)
    back = _classify(rrec, rbouts, ric)
    assert back.bout_direction_ == [BACKWARD, BACKWARD]
    # Time reversal maps the score s -> -s (exactly odd features, no intercept).
    np.testing.assert_allclose(back.bout_score_[::-1], -np.array(fwd.bout_score_), rtol=0.05)
    for R in _rotations(rec):
        assert _classify(rec.rotated(R), bouts, ic).bout_direction_ == fwd.bout_direction_
        assert _classify(rrec.rotated(R), rbouts, ric).bout_direction_ == back.bout_direction_


def test_mobgap_straight_walk_forward_and_reversed() -> None:
    rec, bouts, ic = _mobgap("MS_001_Test5_Trial1")
    assert _classify(rec, bouts, ic).bout_direction_ == [FORWARD]
    R = Rotation.random(random_state=7).as_matrix()
    assert _classify(*_reverse(rec.rotated(R), bouts, ic)).bout_direction_ == [BACKWARD]


def test_daily_life_no_forward_bout_called_backward() -> None:
    rec, bouts, ic = _mobgap("HA_001_Test11_Trial1")
    assert BACKWARD not in _classify(rec, bouts, ic).bout_direction_


MOBGAP_TEST11 = ["HA_001_Test11_Trial1", "HA_002_Test11_Trial1", "MS_001_Test11_Trial1"]


@pytest.mark.parametrize("name", MOBGAP_TEST11)
def test_daily_life_through_analyze_has_no_backward_bout(name: str) -> None:
    """Real forward daily life, detected bouts (with turns): nothing may come out backward."""
    from retrowalk.analysis import AnalysisOptions, analyze

    rec, _, _ = _mobgap(name)
    result = analyze(rec, AnalysisOptions(placement="lower_back"))
    assert result.bouts, "no bouts detected"
    assert [b.direction for b in result.bouts].count(BACKWARD) == 0
    assert all(s.direction != BACKWARD for s in result.steps)


def test_uncalibrated_confidence_is_capped_for_transfer() -> None:
    """A cue fitted on a dozen people cannot be near-certain for a new person."""
    model = default_model()
    assert model.transfer_subjects >= 10
    cap = 1.0 - 0.5 * model.transfer_epsilon
    rec, bouts, ic = _ipol("7-3")
    fwd = _classify(rec, bouts, ic)
    back = _classify(*_reverse(rec, bouts, ic))
    assert fwd.bout_direction_ == [FORWARD, FORWARD]
    assert back.bout_direction_ == [BACKWARD, BACKWARD]
    assert max(fwd.bout_confidence_ + back.bout_confidence_) <= cap + 1e-9
    assert min(back.bout_confidence_) >= 0.9  # still a confident call on the ipol people


def test_weak_backward_evidence_is_uncertain_with_a_note() -> None:
    """Asymmetric rule: backward needs min_backward_confidence, forward only min_confidence."""
    rec, bouts, ic = _ipol("2-1")
    rrec, rbouts, ric = _reverse(rec, bouts, ic)
    strict = _classify(rrec, rbouts, ric, min_backward_confidence=0.999)
    assert strict.bout_direction_ == [UNCERTAIN, UNCERTAIN]
    assert any("leaned backward" in n for n in strict.notes_)
    assert _classify(rec, bouts, ic, min_backward_confidence=0.999).bout_direction_ == [
        FORWARD,
        FORWARD,
    ]
    assert not any("leaned backward" in n for n in _classify(rrec, rbouts, ric).notes_)


def test_forward_then_reversed_splits_near_junction() -> None:
    rec, ((a0, a1), (b0, b1)), ic = _ipol("2-1")
    acc = np.vstack([rec.acc_mps2[a0:a1], rec.acc_mps2[b0:b1][::-1]])
    gyro = np.vstack([rec.gyro_rads[a0:a1], -rec.gyro_rads[b0:b1][::-1]])
    ic1 = ic[(ic >= a0) & (ic < a1)] - a0
    ic2 = np.sort((a1 - a0) + (b1 - 1 - ic[(ic > b0) & (ic < b1)]))
    joined = Recording(acc, gyro, 100.0)
    for R in (np.eye(3), *_rotations(joined)[1:3]):
        clf = _classify(joined.rotated(R), [(0, len(acc) - 1)], np.r_[ic1, ic2])
        assert clf.bout_direction_ == [FORWARD, BACKWARD]
        cut_step = int(np.searchsorted(np.r_[ic1, ic2], clf.split_bouts_[1][0]))
        assert abs(cut_step - ic1.size) <= 2
        assert clf.source_bout_ == [0, 0]


def test_short_bouts_are_uncertain() -> None:
    rec, bouts, ic = _ipol("2-1")
    a, _ = bouts[0]
    short = ic[(ic >= a)][:3]
    clf = _classify(rec, [(int(short[0]), int(short[-1]))], short)
    assert clf.bout_direction_ == [UNCERTAIN]
    assert np.all(clf.step_direction_ == UNCERTAIN)


def test_steps_outside_bouts_and_order() -> None:
    rec, bouts, ic = _ipol("2-1")
    extra = np.r_[ic[::-1], 5]  # unsorted, one contact outside every bout
    clf = _classify(rec, bouts, extra)
    assert clf.step_direction_.shape == extra.shape
    assert clf.step_direction_[-1] == UNCERTAIN
    assert 0.5 <= min(clf.bout_confidence_) <= max(clf.bout_confidence_) <= 1.0


def test_classify_bouts_adapter() -> None:
    rec, bouts, ic = _ipol("2-1")
    out = classify_bouts(rec, bouts, ic)
    assert [d for d, _ in out] == [FORWARD, FORWARD]
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


def test_model_ships_its_provenance() -> None:
    model = default_model()
    assert model.weights.shape == model.lags.shape == model.feature_scale.shape
    assert "loso_cv_bout_accuracy" in model.info
    assert 0.0 < model.transfer_epsilon < 0.2
    again = type(model).from_dict(json.loads(json.dumps(model.to_dict())))
    assert again.transfer_epsilon == model.transfer_epsilon
