"""Direction calibration: learn the body-forward axis from a labelled walk, reuse it."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from realdata import ipol_lower_back_rows as _ipol
from retrowalk.app.calibration import load_profile, save_profile, stored_profile_path
from retrowalk.app.calibration import parse_bout_labels as parse_labels
from retrowalk.cli.labels import parse_segments
from retrowalk.core.recording import Recording
from retrowalk.dsp.frame import body_frame
from retrowalk.gait.calibration import (
    DirectionProfile,
    calibrate,
    fit_odd_logistic,
)
from retrowalk.gait.direction import BACKWARD, FORWARD, WalkingDirectionClassifier


def _reverse(rec, bouts, ic):
    n = rec.n_samples
    return (
        rec.time_reversed(),
        [(n - 1 - b, n - 1 - a) for a, b in bouts][::-1],
        np.sort(n - 1 - ic),
    )


def _frame(rec):
    return body_frame(rec.acc_mps2, rec.gyro_rads, rec.sampling_rate_hz)


def _labelled_walk(trial: str):
    """Stand-in labelled walk: a forward recording followed by its time reversal."""
    rec, bouts, ic = _ipol(trial)
    rrec, rbouts, ric = _reverse(rec, bouts, ic)
    n = rec.n_samples
    joined = Recording(
        np.vstack([rec.acc_mps2, rrec.acc_mps2]), np.vstack([rec.gyro_rads, rrec.gyro_rads]), 100.0
    )
    labels = [FORWARD] * len(bouts) + [BACKWARD] * len(rbouts)
    return joined, bouts + [(a + n, b + n) for a, b in rbouts], np.r_[ic, ric + n], labels


def test_round_trip_and_later_recording(tmp_path) -> None:
    rec, bouts, ic, labels = _labelled_walk("3-1")
    when = datetime(2024, 1, 1, tzinfo=UTC)
    profile = calibrate(_frame(rec), bouts, ic, labels, placement="lower_back", created_at=when)
    path = save_profile(profile, tmp_path / "sub" / "profile.json")
    loaded = load_profile(path)
    assert loaded == profile
    assert loaded.n_bouts == {FORWARD: 2, BACKWARD: 2} and loaded.consistency > 0.95
    assert np.isclose(np.linalg.norm(loaded.axis()), 1.0)

    rec2, bouts2, ic2 = _ipol("3-4")
    clf = WalkingDirectionClassifier()
    fwd = clf.classify(_frame(rec2), bouts2, ic2, profile=loaded)
    assert fwd.bout_direction_ == [FORWARD, FORWARD] and all(fwd.bout_calibrated_)
    assert any("calibration profile" in n for n in fwd.notes_)
    rrec, rbouts, ric = _reverse(rec2, bouts2, ic2)
    cal_back = clf.classify(_frame(rrec), rbouts, ric, profile=loaded)
    assert cal_back.bout_direction_ == [BACKWARD, BACKWARD]


def test_profile_refused_when_device_sits_differently() -> None:
    rec, bouts, ic, labels = _labelled_walk("3-1")
    profile = calibrate(_frame(rec), bouts, ic, labels)
    rec2, bouts2, ic2 = _ipol("3-4")
    up = rec2.acc_mps2.mean(axis=0)
    side = np.cross(up, [1.0, 0.0, 0.0])
    R = Rotation.from_rotvec(np.pi / 2 * side / np.linalg.norm(side)).as_matrix()
    frame = _frame(rec2.rotated(R))
    clf = WalkingDirectionClassifier().classify(frame, bouts2, ic2, profile=profile)
    assert not any(clf.bout_calibrated_)
    assert any("not used" in n for n in clf.notes_)
    uncalibrated = WalkingDirectionClassifier().classify(frame, bouts2, ic2)
    assert clf.bout_direction_ == uncalibrated.bout_direction_


def test_bad_labels_are_rejected() -> None:
    rec, bouts, ic, labels = _labelled_walk("3-1")
    with pytest.raises(ValueError):
        calibrate(_frame(rec), bouts, ic, labels[:-1])
    with pytest.raises(ValueError, match="fit the signal"):
        calibrate(_frame(rec), bouts, ic, [FORWARD, BACKWARD, FORWARD, BACKWARD])


def test_parsers_and_store(tmp_path, monkeypatch) -> None:
    assert parse_labels("Forward, backward") == [FORWARD, BACKWARD]
    with pytest.raises(ValueError):
        parse_labels("forward,sideways")
    assert parse_segments("0-30:forward,35.5-70:backward") == [
        (0.0, 30.0, FORWARD),
        (35.5, 70.0, BACKWARD),
    ]
    with pytest.raises(ValueError):
        parse_segments("30-0:forward")
    # a stretch labelled twice (here both ways) is refused, naming the two periods
    with pytest.raises(ValueError, match="segments 5-25 and 20-200 overlap"):
        parse_segments("20-200:backward,5-25:forward")
    assert len(parse_segments("0-30:forward,30-60:backward")) == 2  # touching is fine
    monkeypatch.setenv("RETROWALK_DATA_DIR", str(tmp_path))
    assert stored_profile_path("lower_back") == tmp_path / "direction_profiles" / "lower_back.json"


def test_fit_odd_logistic_mechanics() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 3))
    y = np.sign(X @ [1.0, -2.0, 0.5] + 0.1 * rng.normal(size=200))
    w, b = fit_odd_logistic(X, y, lam=1e-3)
    assert np.mean(np.sign(X @ w) == y) > 0.95 and b == 0.0
    w, _ = fit_odd_logistic(X, y, lam=1e4, prior=np.array([0.1, 0.2, 0.3]))
    np.testing.assert_allclose(w, [0.1, 0.2, 0.3], atol=1e-3)


def test_profile_schema_check() -> None:
    data = DirectionProfile("foot", [[1.0, 0.0, 0.0]], [0.0, 0.0, 1.0], [1], "t", "h").to_dict()
    data["schema"] = 1
    with pytest.raises(ValueError):
        DirectionProfile.from_dict(data)
