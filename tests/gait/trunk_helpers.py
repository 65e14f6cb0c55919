"""Helpers of the trunk-gait tests: real recordings (through ``tests/realdata.py``)
and synthetic walking-like signals (mechanics only, never evidence of accuracy)."""

from __future__ import annotations

from types import ModuleType

import numpy as np

import realdata
from retrowalk.core.recording import Recording


def data_module() -> ModuleType:
    """The real-data loaders (:mod:`realdata`); skips the test when the recordings are absent."""
    realdata.require("ipol-gait")
    return realdata


def match_count(det, ref, tol: int) -> int:
    """One-to-one matches within ``tol`` samples (closest pairs first)."""

    if len(det) == 0 or len(ref) == 0:
        return 0
    dist = np.abs(np.asarray(det)[:, None] - np.asarray(ref)[None, :])
    cand = np.argwhere(dist <= tol)
    order = np.argsort(dist[cand[:, 0], cand[:, 1]], kind="stable")
    used_d, used_r, n = set(), set(), 0
    for i, j in cand[order]:
        if i not in used_d and j not in used_r:
            used_d.add(i)
            used_r.add(j)
            n += 1
    return n


def walking_recording(
    step_times_s: list[float] | np.ndarray,
    duration_s: float,
    *,
    fs: float = 100.0,
    amplitude_mps2: float = 3.0,
    noise_mps2: float = 0.02,
    seed: int = 0,
    with_gyro: bool = True,
) -> Recording:
    """A lower-back-like recording with one impact per step time.

    Each step adds a sharp vertical peak 40 ms after the contact, a broad dip
    half a step later, and a forward-backward horizontal swing; the device is
    upright (z up).
    """
    rng = np.random.default_rng(seed)
    t = np.arange(int(duration_s * fs)) / fs
    av = np.zeros_like(t)
    ah = np.zeros_like(t)
    steps = np.asarray(step_times_s, dtype=float)
    for k, tk in enumerate(steps):
        step = steps[k + 1] - tk if k + 1 < steps.size else 0.55
        av += amplitude_mps2 * np.exp(-(((t - tk - 0.04) / 0.05) ** 2))
        av -= 0.4 * amplitude_mps2 * np.exp(-(((t - tk - step / 2) / (step / 4)) ** 2))
        ah += 1.5 * np.exp(-(((t - tk) / 0.04) ** 2)) - 1.5 * np.exp(
            -(((t - tk - 0.06) / 0.04) ** 2)
        )
    acc = np.column_stack([ah, 0.2 * ah, 9.81 + av])
    acc += rng.normal(0.0, noise_mps2, (t.size, 3))
    gyro = rng.normal(0.0, 0.01, (t.size, 3)) if with_gyro else None
    return Recording(acc_mps2=acc, gyro_rads=gyro, sampling_rate_hz=fs, placement="lower_back")


def regular_steps(
    start_s: float, n: int, step_s: float = 0.55, *, jitter: float = 0.02, seed: int = 2
) -> np.ndarray:
    """Step times with a person's step-to-step variability (SD ``jitter`` of a step).

    Exactly periodic impacts are a machine, not a walk (the analysis refuses
    them), so the synthetic walk varies its steps like a person does.
    """
    rng = np.random.default_rng(seed)
    intervals = step_s * (1.0 + jitter * rng.standard_normal(max(n - 1, 0)))
    return start_s + np.concatenate([[0.0], np.cumsum(intervals)])
