"""Mechanics of the body frame: gravity found, rotation does not matter."""

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from retrowalk.dsp.frame import body_frame


def _bouncing(n: int = 2000, fs: float = 100.0) -> tuple[np.ndarray, np.ndarray]:
    t = np.arange(n) / fs
    acc = np.column_stack(
        [
            0.8 * np.sin(2 * np.pi * 1.0 * t),
            0.3 * np.sin(2 * np.pi * 0.5 * t + 0.4),
            9.81 + 1.5 * np.sin(2 * np.pi * 2.0 * t),
        ]
    )
    gyro = np.column_stack(
        [0.2 * np.sin(2 * np.pi * 1.0 * t), 0.5 * np.cos(2 * np.pi * 1.0 * t), 0.1 * t / t[-1]]
    )
    return acc, gyro


def test_vertical_component_is_the_dynamic_vertical_motion():
    acc, gyro = _bouncing()
    frame = body_frame(acc, gyro, 100.0)
    inner = slice(300, -300)
    assert np.allclose(frame.up_unit[inner], [0, 0, 1], atol=0.02)
    expected = 1.5 * np.sin(2 * np.pi * 2.0 * np.arange(2000) / 100.0)
    assert np.abs(frame.acc_vertical_mps2[inner] - expected[inner]).max() < 0.1


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_invariant_quantities_do_not_depend_on_orientation(seed):
    acc, gyro = _bouncing()
    rot = Rotation.random(random_state=seed).as_matrix()
    a = body_frame(acc, gyro, 100.0)
    b = body_frame(acc @ rot.T, gyro @ rot.T, 100.0)
    assert np.allclose(a.acc_vertical_mps2, b.acc_vertical_mps2, atol=1e-6)
    assert np.allclose(
        np.linalg.norm(a.acc_horizontal_mps2, axis=1),
        np.linalg.norm(b.acc_horizontal_mps2, axis=1),
        atol=1e-6,
    )
    assert np.allclose(a.gyro_vertical_rads, b.gyro_vertical_rads, atol=1e-6)
    cross_a = _cross2(a.acc_horizontal_mps2, a.gyro_horizontal_rads)
    cross_b = _cross2(b.acc_horizontal_mps2, b.gyro_horizontal_rads)
    assert np.allclose(cross_a, cross_b, atol=1e-6)


def _cross2(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0]


def test_without_gyroscope():
    acc, _ = _bouncing()
    frame = body_frame(acc, None, 100.0)
    assert frame.gyro_vertical_rads is None
    assert frame.gyro_horizontal_rads is None
    assert frame.n_samples == 2000


def test_tiny_input_does_not_crash():
    frame = body_frame(np.array([[0.0, 0.0, 9.81]] * 3), None, 100.0)
    assert frame.n_samples == 3


@pytest.mark.parametrize("shape", [(700,), (700, 3)])
@pytest.mark.parametrize("padlen", [None, 0, 1, 4, 60])
@pytest.mark.parametrize("cutoff", [0.02, 0.1, 0.5])
def test_cached_zero_phase_filter_equals_scipy(shape, padlen, cutoff):
    """The cached filter must stay exactly scipy's sosfiltfilt (guards scipy upgrades)."""
    from scipy import signal

    from retrowalk.dsp.filters import butter_lowpass_sos, sosfiltfilt_cached

    x = np.random.default_rng(7).normal(size=shape)
    x.flags.writeable = False  # inputs may be read-only views (pandas copy-on-write)
    sos, zi = butter_lowpass_sos(2, cutoff)
    expected = signal.sosfiltfilt(np.array(sos), x, axis=0, padlen=padlen)
    assert np.array_equal(sosfiltfilt_cached(sos, zi, x, padlen), expected)


def test_frame_keeps_the_gravity_filters_block_means_of_the_acceleration():
    from retrowalk.dsp.memory import block_means

    acc, gyro = _bouncing(n=6003)
    frame = body_frame(acc, gyro, 100.0)
    assert frame.acc_block_means is not None
    block, means = frame.acc_block_means
    assert block == 5
    # the same numbers the direction anchors take themselves
    assert np.array_equal(means, block_means(acc, block, acc.shape[0] // block))
    short = body_frame(acc[:40], gyro[:40], 100.0)  # filtered at the full rate
    assert short.acc_block_means is None
