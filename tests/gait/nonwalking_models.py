"""Models of what is not walking, for the mechanics of the walking check (never accuracy).

No real ride or tapped table is recorded here; these say what the check does
with such movement, not how often real ones are refused.
"""

from __future__ import annotations

import numpy as np

RATE_HZ = 100.0


def ride(duration_s: float = 120.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A model of a phone riding in a vehicle: vibration, a seat's bounce, no steps.

    Road vibration (5-25 Hz), the seat bouncing at 1.7 Hz with a wandering
    phase (0.4 m/s^2), speeding up and braking, and the small rotations of a
    vehicle (turns far slower than steps). A model for the mechanics only:
    no real ride is recorded here.
    """
    from scipy.signal import butter, sosfiltfilt

    rng = np.random.default_rng(seed)
    n = int(duration_s * RATE_HZ)
    t = np.arange(n) / RATE_HZ

    def low(x: np.ndarray, hz: float) -> np.ndarray:
        return sosfiltfilt(butter(2, hz, fs=RATE_HZ, output="sos"), x, axis=0)

    shake = sosfiltfilt(
        butter(2, [5.0, 25.0], "bandpass", fs=RATE_HZ, output="sos"),
        rng.normal(size=(n, 3)),
        axis=0,
    )
    bounce = 0.4 * np.sin(2 * np.pi * 1.7 * t + 30 * low(rng.normal(size=n), 0.05))
    acc = np.column_stack(
        [25 * low(rng.normal(size=n), 0.2), 20 * low(rng.normal(size=n), 0.15), 9.81 + bounce]
    )
    acc += 0.6 * shake
    gyro = np.column_stack(
        [0.05 * low(rng.normal(size=n), 2.0), 0.05 * low(rng.normal(size=n), 2.0),
         3 * low(rng.normal(size=n), 0.1)]
    ) + 0.012 * shake  # fmt: skip
    turn, _ = np.linalg.qr(rng.normal(size=(3, 3)))  # any orientation
    return acc @ turn.T, gyro @ turn.T


def tapped_table(duration_s: float = 30.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A phone lying on a table that is tapped 2-6 times a second (typing, drumming fingers)."""
    rng = np.random.default_rng(seed)
    n = int(duration_s * RATE_HZ)
    taps = np.zeros(n)
    at = np.cumsum(rng.uniform(15, 45, n // 15)).astype(int)
    at = at[at < n]
    taps[at] = rng.uniform(0.5, 3.0, at.size)
    acc = np.tile([0.0, 0.0, 9.81], (n, 1)) + rng.normal(0, 0.02, (n, 3))
    acc[:, 2] += np.convolve(taps, np.hanning(5), "same")
    return acc, rng.normal(0, 0.003, (n, 3))
