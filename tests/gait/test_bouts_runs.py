"""The bout detector's run logic against a plain per-run reference (random contact trains)."""

from __future__ import annotations

import numpy as np
import pytest

from retrowalk.gait.bouts import BoutDetector


def _reference(det: BoutDetector, ic: np.ndarray, fs: float) -> list[tuple[int, int]]:
    """One linked run at a time, as the rule reads (no gaps)."""
    if ic.size < det.min_steps:
        return []
    dt = np.diff(ic) / fs
    link = dt <= det.max_pause_s
    rhythmic = link & (dt >= det.min_step_s) & (dt <= det.max_step_s)
    ratio = np.ones_like(dt)
    ratio[1:] = np.maximum(dt[1:], dt[:-1]) / np.maximum(np.minimum(dt[1:], dt[:-1]), 1e-9)
    out = []
    start = 0
    ends = [*np.flatnonzero(~link).tolist(), link.size]
    for end in ends:
        first, last = start, end
        start = end + 1
        if last - first + 1 < det.min_steps:
            continue
        steady = [bool(rhythmic[first]) if k == first else
                  bool(rhythmic[k] and ratio[k] <= det.max_step_ratio)
                  for k in range(first, last)]  # fmt: skip
        best = run = 0
        for value in steady:
            run = run + 1 if value else 0
            best = max(best, run)
        if best >= det.min_steps - 1:
            out.append((first, last))
    return out


@pytest.mark.parametrize("seed", range(40))
def test_bouts_equal_the_per_run_reference(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 300))
    # step times: mostly walking, some pauses, some too quick or irregular
    dt = rng.choice([0.5, 0.55, 0.3, 1.2, 3.5, 0.1], size=n, p=[0.4, 0.3, 0.1, 0.1, 0.05, 0.05])
    dt = dt * rng.uniform(0.9, 1.1, n)
    ic = np.round(np.cumsum(dt) * 100).astype(np.int64)
    ic = np.unique(ic)
    det = BoutDetector().detect(ic, 100.0)
    got = [(b.first, b.last) for b in det.bouts_]
    assert got == _reference(BoutDetector(), ic, 100.0)
    expected_in = np.zeros(ic.size, dtype=bool)
    for first, last in got:
        expected_in[first : last + 1] = True
    assert np.array_equal(det.in_bout_, expected_in)
