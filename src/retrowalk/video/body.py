"""Signals from one person's keypoints: leg length, hip and foot positions, travel, scale.

Keypoints are ``(n_frames, 33, 3)`` arrays (x, y in pixels, visibility), in
scene coordinates when the camera moved (see :mod:`retrowalk.video.camera`).

- Travel is the sign of the hips' horizontal motion in the scene, in leg
  lengths per second.
- Scale: the leg (hip-knee-ankle) in pixels against the leg length implied by
  the stated height (pelvis height 0.53 x body height for adults, Winter 2009,
  "Biomechanics and motor control of human movement"; about 0.42 for children
  aged 1-3 years, whose legs are relatively shorter: Fredriks et al. 2005,
  "Nationwide age references for sitting height, leg length, and sitting
  height/height ratio", Eur J Pediatr 164:216).
"""

from __future__ import annotations

from functools import cache

import numpy as np

from retrowalk.gait.spatial import LEG_LENGTH_FRACTION
from retrowalk.video.pose import (
    LEFT_ANKLE,
    LEFT_HEEL,
    LEFT_HIP,
    LEFT_KNEE,
    LEFT_TOE,
    RIGHT_ANKLE,
    RIGHT_HEEL,
    RIGHT_HIP,
    RIGHT_KNEE,
    RIGHT_TOE,
)

MIN_TRAVEL_LEG_S = 0.15  # hip speed below which the person does not travel
CHILD_LEG_FRACTION = 0.42  # hip height / stature at 1-3 years (Fredriks et al. 2005)
FEET = {"left": (LEFT_HEEL, LEFT_TOE, LEFT_ANKLE), "right": (RIGHT_HEEL, RIGHT_TOE, RIGHT_ANKLE)}


@cache
def _savgol_projection(window: int, order: int = 2) -> np.ndarray:
    """``(window, window)`` least-squares fit of a polynomial of ``order`` to a window.

    Row ``window // 2`` holds the Savitzky-Golay smoothing coefficients; the
    first and last ``window // 2`` rows give the fitted values at a stretch's
    ends (scipy's ``mode="interp"``).
    """
    t = np.arange(window, dtype=np.float64)
    v = t[:, None] ** np.arange(order + 1)[None, :]
    return np.asarray(v @ np.linalg.pinv(v))


def _savgol(x: np.ndarray, window: int, order: int = 2) -> np.ndarray:
    """Savitzky-Golay smoothing of a finite 1-D stretch longer than ``window`` (odd).

    The same filter as ``scipy.signal.savgol_filter(x, window, order)`` (Savitzky &
    Golay 1964, "Smoothing and differentiation of data by simplified least squares
    procedures", Anal Chem 36:1627; its default ``mode="interp"``: the ends take
    the polynomial fitted to the first and last ``window`` samples), in numpy:
    importing ``scipy.signal`` costs more than a second of a short video's analysis.
    """
    h = _savgol_projection(window, order)
    half = window // 2
    out = np.empty_like(x, dtype=np.float64)
    windows = np.lib.stride_tricks.sliding_window_view(x, window)
    out[half : len(x) - half] = windows @ h[half]
    out[:half] = h[:half] @ x[:window]
    out[len(x) - half :] = h[window - half :] @ x[len(x) - window :]
    return out


def smooth(x: np.ndarray, fps: float) -> np.ndarray:
    """Savitzky-Golay smoothing (~0.2 s window, quadratic) over each finite stretch."""
    out = np.full_like(x, np.nan)
    finite = np.isfinite(x)
    win = max(5, round(0.2 * fps) | 1)
    edges = np.flatnonzero(np.diff(np.r_[0, finite.astype(int), 0]))
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        if b - a > win:
            out[a:b] = _savgol(x[a:b], win)
        else:
            out[a:b] = x[a:b]
    return out


def moving_mean(x: np.ndarray, n: int) -> np.ndarray:
    """Mean over ``n`` samples centred on each one, NaN where a third of them is not seen.

    The window of sample ``i`` is ``x[i - n // 2 : i + n // 2 + 1]``, cut at the ends.
    """
    half = n // 2
    if len(x) == 0:
        return np.full_like(x, np.nan)
    padded = np.pad(np.asarray(x, dtype=np.float64), half, constant_values=np.nan)
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)
    present = ~np.isnan(windows)
    total = np.where(present, windows, 0.0).sum(axis=1)
    n_present = present.sum(axis=1)
    enough = np.isfinite(windows).sum(axis=1) >= max(n // 3, 1)
    out = np.full(len(x), np.nan)
    np.divide(total, n_present, out=out, where=enough)
    return out.astype(np.asarray(x).dtype, copy=False)


def leg_length_px(kp: np.ndarray) -> np.ndarray:
    """Per-frame leg length (hip-knee + knee-ankle, mean of both legs) in pixels."""

    def seg(a: int, b: int) -> np.ndarray:
        return np.linalg.norm(kp[:, a, :2] - kp[:, b, :2], axis=1)

    left = seg(LEFT_HIP, LEFT_KNEE) + seg(LEFT_KNEE, LEFT_ANKLE)
    right = seg(RIGHT_HIP, RIGHT_KNEE) + seg(RIGHT_KNEE, RIGHT_ANKLE)
    return (left + right) / 2


def smooth_leg(kp: np.ndarray, fps: float) -> np.ndarray:
    """Leg length in pixels, averaged over about a second."""
    return moving_mean(leg_length_px(kp), max(int(fps), 3))


def hip_x(kp: np.ndarray) -> np.ndarray:
    return (kp[:, LEFT_HIP, 0] + kp[:, RIGHT_HIP, 0]) / 2


def foot_x(kp: np.ndarray, side: str) -> np.ndarray:
    heel, toe, _ = FEET[side]
    return (kp[:, heel, 0] + kp[:, toe, 0]) / 2


def foot_xy(kp: np.ndarray, side: str) -> np.ndarray:
    heel, toe, _ = FEET[side]
    return (kp[:, heel, :2] + kp[:, toe, :2]) / 2


def hip_speed(kp: np.ndarray, fps: float, leg: np.ndarray) -> np.ndarray:
    """Horizontal hip velocity in leg lengths per second, averaged over about 1 s."""
    hx = smooth(hip_x(kp), fps)
    v = np.gradient(hx) * fps / leg
    return moving_mean(v, max(int(fps), 3))


def travel_sign(kp: np.ndarray, fps: float, leg: np.ndarray) -> np.ndarray:
    """Per frame +1 (moving right in the scene), -1 (left) or 0 (not travelling)."""
    v = hip_speed(kp, fps, leg)
    return np.where(np.abs(v) > MIN_TRAVEL_LEG_S, np.sign(np.nan_to_num(v)), 0.0).astype(int)


def leg_fraction(child: bool) -> float:
    """Hip height as a fraction of stature: adults, or children aged 1-3 years."""
    return CHILD_LEG_FRACTION if child else LEG_LENGTH_FRACTION


def scale_m_per_leg(height_m: float, child: bool = False) -> float:
    """Metres per leg length for a person of ``height_m``."""
    return leg_fraction(child) * height_m
