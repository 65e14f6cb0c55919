"""Mechanics of the canonical Recording (synthetic arrays are fine here)."""

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from retrowalk.core.recording import Gap, Recording


def _recording(n: int = 500, gyro: bool = True) -> Recording:
    rng = np.random.default_rng(0)
    acc = rng.normal(size=(n, 3)) + [0.0, 0.0, 9.81]
    return Recording(
        acc_mps2=acc,
        gyro_rads=rng.normal(size=(n, 3)) if gyro else None,
        sampling_rate_hz=100.0,
        gaps=(Gap(1.0, 1.5),),
    )


def test_shape_is_checked():
    with pytest.raises(ValueError, match="shape"):
        Recording(acc_mps2=np.zeros((10, 2)), gyro_rads=None, sampling_rate_hz=100.0)
    with pytest.raises(ValueError, match="differs"):
        Recording(acc_mps2=np.zeros((10, 3)), gyro_rads=np.zeros((9, 3)), sampling_rate_hz=100.0)
    with pytest.raises(ValueError, match="positive"):
        Recording(acc_mps2=np.zeros((10, 3)), gyro_rads=None, sampling_rate_hz=0.0)


def test_time_base_and_duration():
    rec = _recording(250)
    assert rec.n_samples == 250
    assert rec.duration_s == pytest.approx(2.5)
    assert rec.time_s[0] == 0.0
    assert np.allclose(np.diff(rec.time_s), 0.01)


def test_gap_mask_marks_only_the_gap():
    mask = _recording().gap_mask()
    assert mask.sum() == 50
    assert mask[100:150].all()
    assert not mask[:100].any()
    assert not mask[150:].any()


def test_time_reversal_is_an_involution_and_negates_gyro():
    rec = _recording()
    rev = rec.time_reversed()
    assert np.array_equal(rev.acc_mps2, rec.acc_mps2[::-1])
    assert np.array_equal(rev.gyro_rads, -rec.gyro_rads[::-1])
    assert rev.gaps == (Gap(3.5, 4.0),)
    back = rev.time_reversed()
    assert np.array_equal(back.acc_mps2, rec.acc_mps2)
    assert np.array_equal(back.gyro_rads, rec.gyro_rads)


def test_rotation_preserves_norms_and_inverts():
    rec = _recording()
    rot = Rotation.random(random_state=3).as_matrix()
    turned = rec.rotated(rot)
    assert np.allclose(
        np.linalg.norm(turned.acc_mps2, axis=1), np.linalg.norm(rec.acc_mps2, axis=1)
    )
    assert np.allclose(turned.rotated(rot.T).gyro_rads, rec.gyro_rads)


def test_rotation_without_gyro():
    rec = _recording(gyro=False)
    assert rec.rotated(np.eye(3)).gyro_rads is None
    assert rec.time_reversed().gyro_rads is None


def test_slice_clips_and_shifts_gaps():
    part = _recording().slice_s(1.2, 3.0)
    assert part.n_samples == 180
    assert part.gaps == (Gap(0.0, pytest.approx(0.3)),)
