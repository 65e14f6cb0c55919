"""Quaternion and small signal helpers of the foot analysis (vectorised, no state)."""

from __future__ import annotations

import numpy as np

from retrowalk.dsp.filters import butter_lowpass_sos, sosfiltfilt_cached


# --------------------------------------------------------------------------- #
# Quaternion helpers (scalar first, vectorised over the leading axis)
# --------------------------------------------------------------------------- #
def _quat_multiply(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    pw, px, py, pz = p[..., 0], p[..., 1], p[..., 2], p[..., 3]
    qw, qx, qy, qz = q[..., 0], q[..., 1], q[..., 2], q[..., 3]
    return np.stack(
        [
            pw * qw - px * qx - py * qy - pz * qz,
            pw * qx + px * qw + py * qz - pz * qy,
            pw * qy - px * qz + py * qw + pz * qx,
            pw * qz + px * qy - py * qx + pz * qw,
        ],
        axis=-1,
    )


def _quat_from_rotvec(rotvec: np.ndarray) -> np.ndarray:
    angle = np.linalg.norm(rotvec, axis=-1, keepdims=True)
    half = 0.5 * angle
    # sin(x/2)/x, with its limit 1/2 at x = 0.
    scale = np.where(angle > 1e-12, np.sin(half) / np.where(angle > 1e-12, angle, 1.0), 0.5)
    return np.concatenate([np.cos(half), rotvec * scale], axis=-1)


def _quat_cumprod(q: np.ndarray) -> np.ndarray:
    """Running product ``q[0] * q[1] * ... * q[k]`` for every k (log-depth scan)."""
    out = q.copy()
    offset = 1
    n = out.shape[0]
    while offset < n:
        out[offset:] = _quat_multiply(out[:-offset], out[offset:])
        offset *= 2
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def _quat_rotate(q: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Rotate vectors ``v`` (n, 3) by unit quaternions ``q`` (n, 4)."""
    w = q[:, :1]
    u = q[:, 1:]
    t = 2.0 * np.cross(u, v)
    return v + w * t + np.cross(u, t)


# --------------------------------------------------------------------------- #
# Small signal helpers
# --------------------------------------------------------------------------- #
def _moving_mean(x: np.ndarray, width: int) -> np.ndarray:
    """Centred moving mean along axis 0 (edges use the available samples)."""
    if width <= 1:
        return x.astype(np.float64, copy=True)
    kernel = np.ones(width)
    if x.ndim == 1:
        num = np.convolve(x, kernel, mode="same")
        den = np.convolve(np.ones_like(x), kernel, mode="same")
        return num / den
    den = np.convolve(np.ones(x.shape[0]), kernel, mode="same")
    cols = [np.convolve(x[:, i], kernel, mode="same") / den for i in range(x.shape[1])]
    return np.column_stack(cols)


def _lowpass(x: np.ndarray, cutoff_hz: float, sampling_rate_hz: float) -> np.ndarray:
    if x.shape[0] < 16:
        return x.astype(np.float64, copy=True)
    wn = min(cutoff_hz / (sampling_rate_hz / 2.0), 0.99)
    sos, zi = butter_lowpass_sos(2, wn)  # designed once per cut-off (cached)
    return sosfiltfilt_cached(sos, zi, x, min(15, x.shape[0] - 1))


def _unit(v: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.clip(norm, 1e-12, None)


def _quat_conjugate(q: np.ndarray) -> np.ndarray:
    return q * np.array([1.0, -1.0, -1.0, -1.0])


def _strapdown(
    acc: np.ndarray, gyro: np.ndarray, i0: int, i1: int, f0: np.ndarray, fs: float
) -> tuple[np.ndarray, np.ndarray]:
    """Orientation and drift-corrected velocity of the sensor from rest ``i0`` to rest ``i1``.

    ``f0`` is the specific force at rest at ``i0`` (gravity, device axes). Returns
    ``q`` (``(i1 - i0 + 1, 4)``, rotating device axes at each sample into the axes
    at ``i0``) and the velocity in the axes at ``i0``, with the linear drift that
    makes it zero at both rests removed (Mariani et al. 2010).
    """
    dt = 1.0 / fs
    dq = _quat_from_rotvec(gyro[i0 + 1 : i1 + 1] * dt)
    q = np.vstack([[1.0, 0.0, 0.0, 0.0], _quat_cumprod(dq)])
    lin = _quat_rotate(q, acc[i0 : i1 + 1]) - f0
    vel = np.vstack([np.zeros(3), np.cumsum(0.5 * (lin[1:] + lin[:-1]) * dt, axis=0)])
    ramp = np.linspace(0.0, 1.0, vel.shape[0])[:, None]
    return q, vel - ramp * vel[-1]
