"""Gravity, a vertical/horizontal frame, and rotation-invariant signals.

A device can sit in any orientation, so everything downstream works on signals
that do not depend on it: the acceleration along gravity (vertical), the
horizontal acceleration in a basis that turns with the device only about the
vertical, and the angular rate split the same way.

Gravity is the low-frequency part of the measured specific force: a zero-phase
Butterworth low-pass (default 0.25 Hz) of the acceleration, normalised. Within a
stride the dynamic accelerations average out, so the low-pass tracks posture
changes (sit, stand, phone moved) while leaving step-scale motion in the
dynamic part (Mathie et al. 2004, Physiol Meas 25:R1; Moe-Nilssen 1998, Clin
Biomech 13:320 for the tilt correction of trunk accelerometry).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import signal


@dataclass(frozen=True)
class BodyFrame:
    """Rotation-invariant views of one recording (all arrays length n).

    Attributes
    ----------
    sampling_rate_hz
        Rate of every array.
    up_unit
        ``(n, 3)`` unit vector pointing up (against gravity) in device axes.
    acc_vertical_mps2
        Dynamic acceleration along ``up_unit`` (gravity removed), up positive.
    acc_horizontal_mps2
        ``(n, 2)`` acceleration in a horizontal basis; the basis is fixed to the
        device up to a rotation about the vertical, so only yaw-invariant
        quantities (norms, principal axes, phases) should be taken from it.
    gyro_vertical_rads
        Angular rate about the vertical (turning), or ``None`` without gyroscope.
    gyro_horizontal_rads
        ``(n, 2)`` angular rate in the same horizontal basis, or ``None``.
    """

    sampling_rate_hz: float
    up_unit: np.ndarray
    acc_vertical_mps2: np.ndarray
    acc_horizontal_mps2: np.ndarray
    gyro_vertical_rads: np.ndarray | None
    gyro_horizontal_rads: np.ndarray | None

    @property
    def n_samples(self) -> int:
        return int(self.acc_vertical_mps2.shape[0])


def lowpass(x: np.ndarray, cutoff_hz: float, sampling_rate_hz: float, order: int = 2) -> np.ndarray:
    """Zero-phase Butterworth low-pass along axis 0 (edge-safe for short inputs)."""
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[0]
    if n < 4:
        return x.copy()
    sos, zi = butter_lowpass_sos(order, min(cutoff_hz / (sampling_rate_hz / 2.0), 0.99))
    padlen = min(3 * (2 * len(sos) + 1) * 10, n - 1)
    return sosfiltfilt_cached(sos, zi, x, padlen)


@lru_cache(maxsize=64)
def butter_lowpass_sos(
    order: int, wn: float, fs: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Butterworth low-pass sections and their step-response state (``sosfilt_zi``).

    Arguments are passed to ``scipy.signal.butter`` as given (``wn`` relative to
    Nyquist, or in Hz when ``fs`` is set). Designing the filter and solving for
    its initial state costs far more than filtering a short recording, and the
    same few filters are used over and over, so both are cached. The arrays are
    read-only because they are shared.
    """
    sos = signal.butter(order, wn, btype="low", output="sos", fs=fs)
    zi = signal.sosfilt_zi(sos)
    sos.flags.writeable = False
    zi.flags.writeable = False
    return sos, zi


def sosfiltfilt_cached(
    sos: np.ndarray, zi: np.ndarray, x: np.ndarray, padlen: int | None = None
) -> np.ndarray:
    """``scipy.signal.sosfiltfilt(sos, x, axis=0, padlen=padlen)`` with ``zi`` precomputed.

    The same steps as scipy's (odd extension, forward and backward pass started
    from the step-response state), so the result is identical; only the
    ``sosfilt_zi(sos)`` solve is taken from ``zi``. ``padlen=None`` is scipy's
    default of three times the number of filter taps.
    """
    x = np.asarray(x, dtype=np.float64)
    sos = np.array(sos)  # scipy's compiled filter needs a writable array
    if padlen is None:
        ntaps = 2 * sos.shape[0] + 1
        ntaps -= min(int((sos[:, 2] == 0).sum()), int((sos[:, 5] == 0).sum()))
        padlen = 3 * ntaps
    n = x.shape[0]
    if padlen >= n:
        raise ValueError(f"the input must be longer than padlen ({padlen}), got {n} samples")
    if padlen > 0:  # odd extension, as scipy.signal's odd_ext
        left = 2 * x[0:1] - x[padlen:0:-1]
        right = 2 * x[-1:] - x[-2 : -(padlen + 2) : -1]
        ext = np.concatenate((left, x, right), axis=0)
    else:
        ext = x
    state = zi.reshape((sos.shape[0], 2) + (1,) * (x.ndim - 1))
    y, _ = signal.sosfilt(sos, ext, axis=0, zi=state * ext[0:1])
    y, _ = signal.sosfilt(sos, y[::-1], axis=0, zi=state * y[-1:])
    y = y[::-1]
    if padlen > 0:
        y = y[padlen:-padlen]
    return y


def _horizontal_basis(up: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two unit vectors per sample orthogonal to ``up`` and to each other.

    The reference device axis is the one least aligned with the mean ``up``, so
    the basis is continuous as long as the device does not tumble.
    """
    mean_up = up.mean(axis=0)
    ref = np.zeros(3)
    ref[int(np.argmin(np.abs(mean_up)))] = 1.0
    e1 = ref - (up @ ref)[:, None] * up
    e1 /= np.linalg.norm(e1, axis=1, keepdims=True).clip(1e-12)
    e2 = np.cross(up, e1)
    return e1, e2


def body_frame(
    acc_mps2: np.ndarray,
    gyro_rads: np.ndarray | None,
    sampling_rate_hz: float,
    *,
    gravity_cutoff_hz: float = 0.25,
) -> BodyFrame:
    """Split acceleration and angular rate into vertical and horizontal parts.

    Parameters
    ----------
    acc_mps2
        ``(n, 3)`` acceleration including gravity, any device orientation.
    gyro_rads
        ``(n, 3)`` angular rate on the same axes, or ``None``.
    sampling_rate_hz
        Sampling rate of both.
    gravity_cutoff_hz
        Low-pass cut-off that separates posture (gravity) from movement.
    """
    acc = np.asarray(acc_mps2, dtype=np.float64)
    gravity = lowpass(acc, gravity_cutoff_hz, sampling_rate_hz)
    norm = np.linalg.norm(gravity, axis=1, keepdims=True)
    up = gravity / norm.clip(1e-9)
    # Subtract the sensor's own gravity magnitude, not the standard value, so a
    # small calibration offset does not show up as a vertical acceleration.
    vertical = np.einsum("ij,ij->i", acc, up) - norm[:, 0]
    e1, e2 = _horizontal_basis(up)
    horizontal = np.column_stack([np.einsum("ij,ij->i", acc, e1), np.einsum("ij,ij->i", acc, e2)])
    gyro_v = gyro_h = None
    if gyro_rads is not None:
        gyro = np.asarray(gyro_rads, dtype=np.float64)
        gyro_v = np.einsum("ij,ij->i", gyro, up)
        gyro_h = np.column_stack([np.einsum("ij,ij->i", gyro, e1), np.einsum("ij,ij->i", gyro, e2)])
    return BodyFrame(
        sampling_rate_hz=float(sampling_rate_hz),
        up_unit=up,
        acc_vertical_mps2=vertical,
        acc_horizontal_mps2=horizontal,
        gyro_vertical_rads=gyro_v,
        gyro_horizontal_rads=gyro_h,
    )
