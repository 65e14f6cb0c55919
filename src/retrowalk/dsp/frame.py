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

import weakref
from dataclasses import dataclass

import numpy as np

from retrowalk.dsp.filters import lowpass

__all__ = ["BodyFrame", "body_frame", "horizontal_basis"]


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


def horizontal_basis(up: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two unit vectors per sample orthogonal to ``up`` and to each other.

    The reference device axis is the one least aligned with the mean ``up``, so
    the basis is continuous as long as the device does not tumble.

    The basis of a read-only ``up`` (a :class:`BodyFrame`'s ``up_unit``) is kept
    while that array lives, so the stages that need the basis again get it for
    free.
    """
    cached = _BASIS_CACHE.get(id(up))
    if cached is not None and cached[0]() is up:
        return cached[1], cached[2]
    mean_up = up.mean(axis=0)
    j = int(np.argmin(np.abs(mean_up)))
    # ref - (up . ref) up with ref the unit vector of axis j, written out
    e1 = up * -up[:, j : j + 1]
    e1[:, j] += 1.0
    norm = np.sqrt(e1[:, 0] * e1[:, 0] + e1[:, 1] * e1[:, 1] + e1[:, 2] * e1[:, 2])
    e1 /= norm.clip(1e-12)[:, None]
    e2 = np.empty_like(e1)  # up x e1
    e2[:, 0] = up[:, 1] * e1[:, 2] - up[:, 2] * e1[:, 1]
    e2[:, 1] = up[:, 2] * e1[:, 0] - up[:, 0] * e1[:, 2]
    e2[:, 2] = up[:, 0] * e1[:, 1] - up[:, 1] * e1[:, 0]
    if not up.flags.writeable:
        key = id(up)
        ref = weakref.ref(up, lambda _: _BASIS_CACHE.pop(key, None))
        _BASIS_CACHE[key] = (ref, e1, e2)
    return e1, e2


#: Horizontal bases of the read-only ``up`` arrays alive, by array id.
_BASIS_CACHE: dict[int, tuple[weakref.ref[np.ndarray], np.ndarray, np.ndarray]] = {}


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
    up.flags.writeable = False  # shared: its horizontal basis is cached
    # Subtract the sensor's own gravity magnitude, not the standard value, so a
    # small calibration offset does not show up as a vertical acceleration.
    vertical = np.einsum("ij,ij->i", acc, up) - norm[:, 0]
    e1, e2 = horizontal_basis(up)
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
