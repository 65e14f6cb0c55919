"""Personal direction calibration: fit from one labelled recording, save, load, use."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from retrowalk.frame import body_frame
from retrowalk.gait.calibration import (
    DirectionProfile,
    calibrate,
    fit_odd_logistic,
    load_profile,
    save_profile,
)
from retrowalk.gait.direction import BACKWARD, FORWARD, WalkingDirectionClassifier


def _helpers():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).with_name("test_direction.py")
    spec = importlib.util.spec_from_file_location("_direction_test_helpers", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_H = _helpers()
_ipol, _reverse = _H._ipol, _H._reverse


def _frame(rec):
    return body_frame(rec.acc_mps2, rec.gyro_rads, rec.sampling_rate_hz)


def _right(clf, truth):
    return sum(d == truth for d in clf.bout_direction_)


def test_round_trip_and_accuracy(tmp_path) -> None:
    rec, bouts, ic = _ipol("3-1")
    when = datetime(2024, 1, 1, tzinfo=UTC)
    profile = calibrate(
        _frame(rec), bouts, ic, [FORWARD, FORWARD], placement="lower_back", created_at=when
    )
    path = tmp_path / "profile.json"
    save_profile(profile, path)
    loaded = load_profile(path)
    assert loaded == profile
    assert loaded.placement == "lower_back" and loaded.offset == 0.0
    assert len(loaded.source_hash) == 16

    # A later recording of the same person: calibrated accuracy >= uncalibrated.
    rec2, bouts2, ic2 = _ipol("3-4")
    rrec, rbouts, ric = _reverse(rec2, bouts2, ic2)
    plain = WalkingDirectionClassifier()
    base = _right(plain.classify(_frame(rec2), bouts2, ic2), FORWARD)
    base += _right(plain.classify(_frame(rrec), rbouts, ric), BACKWARD)
    cal = _right(plain.classify(_frame(rec2), bouts2, ic2, profile=loaded), FORWARD)
    cal += _right(plain.classify(_frame(rrec), rbouts, ric, profile=loaded), BACKWARD)
    assert cal >= base


def test_both_directions_fit_an_offset() -> None:
    rec, bouts, ic = _ipol("3-1")
    n = rec.n_samples
    acc = np.vstack([rec.acc_mps2, rec.acc_mps2[::-1]])
    gyro = np.vstack([rec.gyro_rads, -rec.gyro_rads[::-1]])
    rbouts = [(n + n - 1 - b, n + n - 1 - a) for a, b in bouts]
    ric = np.sort(n + n - 1 - ic)
    frame = body_frame(acc, gyro, 100.0)
    profile = calibrate(
        frame, bouts + rbouts, np.r_[ic, ric], [FORWARD, FORWARD, BACKWARD, BACKWARD]
    )
    assert profile.n_bouts == {FORWARD: 2, BACKWARD: 2}
    assert abs(profile.offset) < 1.0


def test_label_mismatch_raises() -> None:
    rec, bouts, ic = _ipol("3-1")
    with pytest.raises(ValueError):
        calibrate(_frame(rec), bouts, ic, [FORWARD])


def test_fit_odd_logistic_mechanics() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 3))
    y = np.sign(X @ [1.0, -2.0, 0.5] + 0.1 * rng.normal(size=200))
    w, b = fit_odd_logistic(X, y, lam=1e-3)
    assert np.mean(np.sign(X @ w) == y) > 0.95 and b == 0.0
    # A strong prior keeps the weights at the prior.
    w, _ = fit_odd_logistic(X, y, lam=1e4, prior=np.array([0.1, 0.2, 0.3]))
    np.testing.assert_allclose(w, [0.1, 0.2, 0.3], atol=1e-3)


def test_profile_schema_check() -> None:
    data = DirectionProfile("foot", [1.0], 0.0, 1.0, [1], "t", "h").to_dict()
    data["schema"] = 99
    with pytest.raises(ValueError):
        DirectionProfile.from_dict(data)
