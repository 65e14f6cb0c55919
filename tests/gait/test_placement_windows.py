"""The placement detector's walking windows, taken all at once, are the one-by-one numbers."""

from __future__ import annotations

import numpy as np
import pytest

from retrowalk.gait.placement import _walking_windows


def _one_by_one(norm, swing, up, fs, window_s, moving_threshold, regularity):
    """Each window on its own, as the detector took them before (the reference)."""
    w = min(int(window_s * fs), norm.size)
    lo, hi = int(0.7 * fs), min(int(2.4 * fs), int(0.8 * w))
    if w < int(2.0 * fs) or hi <= lo + 2:
        return [], [], []
    lags = np.arange(hi + 1)
    whole = max(int(window_s * fs), w)
    to_whole = (1.0 - lags / whole) / (1.0 - lags / w)
    sym, sw, turn, before = [], [], [], None
    for s in range(0, norm.size - w + 1, max(w // 2, 1)):
        x = norm[s : s + w]
        ac = None
        if x.std() >= moving_threshold:
            c = x - x.mean()
            f = np.fft.rfft(c, 2 * c.size)
            a = np.fft.irfft(f * np.conj(f))[: hi + 1]
            ac = a / max(float(a[0]), 1e-12)
        stride = lo + int(np.argmax(ac[lo:hi])) if ac is not None else 0
        if ac is None or ac[stride] * to_whole[stride] < regularity:
            before = None
            continue
        half, tol = stride // 2, max(int(0.1 * fs), 1)
        step = max(half - tol, 1) + int(np.argmax(ac[max(half - tol, 1) : half + tol + 1]))
        sym.append(float(ac[step] / ac[stride]))
        d = swing[s : s + w] - swing[s : s + w].mean(axis=0)
        sw.append(float(np.degrees(np.sqrt(np.mean(np.sum(d**2, axis=1))))))
        here = up[s : s + w].mean(axis=0)
        here /= max(float(np.linalg.norm(here)), 1e-12)
        if before is not None:
            turn.append(float(np.degrees(np.arccos(np.clip(here @ before, -1.0, 1.0)))))
        before = here
    return sym, sw, turn


@pytest.mark.parametrize("seed", range(6))
def test_windows_at_once_are_the_windows_one_by_one(seed):
    rng = np.random.default_rng(seed)
    fs = 25.0
    n = int(rng.integers(40, 2000))
    t = np.arange(n) / fs
    walking = (np.sin(2 * np.pi * t / rng.uniform(5, 30)) > rng.uniform(-0.5, 0.5)).astype(float)
    norm = 9.81 + walking * (
        rng.uniform(0.5, 3) * np.sin(2 * np.pi * 1.8 * t)
        + rng.uniform(0, 1.5) * np.sin(2 * np.pi * 0.9 * t + 0.4)
    )
    norm += rng.normal(size=n) * rng.uniform(0.05, 1.0)
    if seed == 5:
        norm[n // 2] = np.nan
    swing = rng.normal(size=(n, 3)) * 0.1
    up = rng.normal(size=(n, 3)) * 0.05 + [0.0, 0.0, 1.0]
    for threshold in (0.8, 0.3):
        got = _walking_windows(norm, swing, up, fs, 5.0, threshold, 0.4)
        expected = _one_by_one(norm, swing, up, fs, 5.0, threshold, 0.4)
        assert got == expected
    assert any(_walking_windows(norm, swing, up, fs, 5.0, 0.3, 0.4)) or n < 2 * fs


def test_placement_helpers_are_numpys_bit_for_bit() -> None:
    """The windows' spread, the rows' dot products and the autocorrelations' window
    means give numpy's own numbers (np.std, einsum, mean)."""
    from retrowalk.dsp.rows import sliding_rows
    from retrowalk.gait.placement import _autocorrelations, _row_dot, _row_std

    rng = np.random.default_rng(8)
    for n, w in ((900, 125), (1000, 62), (130, 125), (50, 2)):
        norm = rng.normal(size=n) * 10.0 ** rng.integers(-2, 3, size=n) + 9.8
        for hop in (1, max(w // 2, 1)):
            windows = sliding_rows(norm, w)[::hop]
            assert np.array_equal(_row_std(windows), windows.std(axis=1))
            x = windows - windows.mean(axis=1, keepdims=True)
            f = np.fft.rfft(x, 2 * w, axis=1)
            a = np.fft.irfft(f * np.conj(f), axis=1)[:, : w // 2 + 1]
            want = a / np.maximum(a[:, :1], 1e-12)
            assert np.array_equal(_autocorrelations(np.ascontiguousarray(windows), w // 2), want)
        a = rng.normal(size=(n, 3)) * 10.0 ** rng.integers(-4, 4, size=(n, 3))
        b = rng.normal(size=(n, 3))
        a[rng.random((n, 3)) < 0.1] = -0.0
        for x, y in ((a, b), (a[::4], b[::4]), (np.asfortranarray(a), b), (a[:, ::-1], b)):
            want = np.einsum("ij,ij->i", x, y)
            got = _row_dot(x, y)
            assert np.array_equal(got, want) and np.array_equal(np.signbit(got), np.signbit(want))
