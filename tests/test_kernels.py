"""The scipy kernels loaded without ``scipy.signal`` give scipy's own numbers.

:mod:`retrowalk.dsp.kernels` designs the Butterworth low-pass and runs
``find_peaks`` without importing ``scipy.signal`` (start-up time); the
coefficients, step-response states, peaks and prominences must be bit for bit
those of ``scipy.signal``, and so must the zero-phase filter and the running
median built on them. A fresh interpreter checks that the analysis path does
not import ``scipy.signal``.
"""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
from scipy import ndimage, signal

from retrowalk.dsp.filters import ALL_TEST_SAMPLES, _exact, butter_lowpass_sos, sosfiltfilt_cached
from retrowalk.dsp.kernels import LONG_PEAK_SIGNAL, butter_lowpass_design, find_peaks, window_peaks
from retrowalk.gait.spatial import _running_median


@pytest.mark.parametrize("order", [1, 2, 3, 4, 5])
def test_butter_design_is_scipys(order: int) -> None:
    for wn in np.linspace(0.004, 0.98, 60):
        sos, zi = butter_lowpass_design(order, float(wn))
        expected = signal.butter(order, wn, btype="low", output="sos")
        assert np.array_equal(sos, expected)
        assert np.array_equal(zi, signal.sosfilt_zi(expected))
    for fs, cutoff in [(100.0, 0.3), (52.0, 3.0), (128.0, 20.0), (400.0, 10.0)]:
        sos, _ = butter_lowpass_design(order, cutoff, fs)
        assert np.array_equal(sos, signal.butter(order, cutoff, output="sos", fs=fs))


def test_filter_is_scipys_sosfiltfilt() -> None:
    rng = np.random.default_rng(7)
    for shape, pad in [((500,), 15), ((3000, 3), 300), ((2000, 6), None), ((40, 2), 0)]:
        x = np.cumsum(rng.normal(size=shape), axis=0)
        sos, zi = butter_lowpass_sos(4, 0.1)
        expected = signal.sosfiltfilt(signal.butter(4, 0.1, output="sos"), x, axis=0, padlen=pad)
        assert np.array_equal(sosfiltfilt_cached(sos, zi, x, pad), expected)


@pytest.mark.parametrize("k", [2, 3, 5, 6])
def test_filter_of_channels_in_pairs_is_scipys_with_zeros_and_nans(k: int) -> None:
    """Channels filtered two at a time are scipy's numbers, also where that way cannot
    give them (a zero, a non-finite value): those pairs go the plain way."""
    rng = np.random.default_rng(k)
    sos, zi = butter_lowpass_sos(2, 0.06)
    expected_sos = signal.butter(2, 0.06, output="sos")
    for n, pad in [(3000, 90), (600_000, 90), (200, 0), (600, 90)]:
        x = np.cumsum(rng.normal(size=(n, k)), axis=0)
        cases = [x, x.T.copy().T]  # sample-major and channel-major underneath
        for spoil in (0.0, -0.0, np.nan, np.inf):
            y = x.copy()
            y[n // 2 :, k - 1] = spoil  # a flat zero end: the filtered signal is zero there
            cases.append(y)
        z = x.copy()
        z[:, 0] = 0.0  # a channel of zeros beside a signal
        cases.append(z)
        for case in cases:
            expected = signal.sosfiltfilt(expected_sos, case, axis=0, padlen=pad)
            assert np.array_equal(sosfiltfilt_cached(sos, zi, case, pad), expected, equal_nan=True)


def test_exact_check_is_the_counting_one_on_short_and_long_results() -> None:
    """A pair's result is taken when it has no zero and a finite sum: the test for
    zeros on long results (logical_and.reduce) says what counting them says."""
    rng = np.random.default_rng(11)
    for rows in (1, 3, ALL_TEST_SAMPLES // 2 - 1, ALL_TEST_SAMPLES // 2, 40_000):
        base = rng.normal(size=(rows, 2))
        for spoil in (None, 0.0, -0.0, np.nan, np.inf, -np.inf, 5e-324):
            kept = base.copy()
            if spoil is not None:
                kept[int(rng.integers(rows)), int(rng.integers(2))] = spoil
            counted = np.count_nonzero(kept) == kept.size and math.isfinite(
                float(np.add.reduce(kept, None))
            )
            assert _exact(kept) == counted
            three = np.stack([kept, kept[::-1]])[:, : max(rows - 1, 1)]  # (pairs, n, 2), a view
            counted = np.count_nonzero(three) == three.size and math.isfinite(
                float(np.add.reduce(three, None))
            )
            assert _exact(three) == counted


@pytest.mark.parametrize(("shortest", "longest"), [(5, 3000), (1 << 14, 1 << 17)])
def test_find_peaks_is_scipys(shortest: int, longest: int) -> None:
    rng = np.random.default_rng(3)
    for trial in range(30):
        n = int(rng.integers(shortest, longest))
        x = np.cumsum(rng.normal(size=n))
        if trial % 3 == 1:
            x = np.round(x, 1)  # flat peaks
        elif trial % 3 == 2:  # a rhythm whose highest peaks stand far apart
            x = np.sin(0.07 * np.arange(n)) + 0.3 * rng.normal(size=n)
        for kwargs in ({"prominence": 0.0}, {"prominence": 0.5, "distance": 25}):
            peaks, props = find_peaks(x, **kwargs)  # type: ignore[arg-type]
            expected, expected_props = signal.find_peaks(x, **kwargs)
            assert np.array_equal(peaks, expected)
            assert props.keys() == {"prominences"}
            assert np.array_equal(props["prominences"], expected_props["prominences"])


def _each_window(x: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> tuple:
    """window_peaks' answer from one find_peaks call per window."""
    window, peak, prominence = [], [], []
    for k, (a, b) in enumerate(zip(starts.tolist(), stops.tolist(), strict=True)):
        found, props = find_peaks(x[a:b], prominence=0.0)
        window += [k] * found.size
        peak += (found + a).tolist()
        prominence += props["prominences"].tolist()
    return np.array(window, dtype=np.intp), np.array(peak, dtype=np.intp), np.array(prominence)


def _same_peaks(x: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> None:
    got = window_peaks(x, starts, stops)
    expected = _each_window(x, starts, stops)
    for mine, theirs in zip(got, expected, strict=True):
        assert mine.dtype == theirs.dtype
        assert np.array_equal(mine, theirs)
    # the prominences to the bit (signed zeros too), not only equal
    assert got[2].tobytes() == expected[2].tobytes()


def test_window_peaks_are_each_windows_find_peaks() -> None:
    """Windows of 0 to 300 samples anywhere (at either end, overlapping, empty or
    reversed), in signals with flat peaks, NaN, infinities and signed zeros."""
    rng = np.random.default_rng(11)
    for trial in range(40):
        n = int(rng.integers(1, 2000))
        x = np.cumsum(rng.normal(size=n))
        if trial % 4 == 1:
            x = np.round(x, 0)  # plateaus, also across window ends
        elif trial % 4 == 2:
            x[rng.integers(0, n, size=max(n // 50, 1))] = np.nan
            x[rng.integers(0, n, size=max(n // 80, 1))] = np.inf
            x[rng.integers(0, n, size=max(n // 80, 1))] = -np.inf
        elif trial % 4 == 3:
            x = np.round(np.sin(0.3 * np.arange(n)), 1) * 0.0 - np.round(x, 0) * 0.0  # zeros
            x[::7] = 1.0
        starts = rng.integers(-5, n + 5, size=int(rng.integers(0, 40)))
        stops = starts + rng.integers(-3, 300, size=starts.size)
        starts, stops = np.clip(starts, 0, n), np.clip(stops, 0, n + 4)  # past the end: cut
        _same_peaks(x, starts, stops)
    _same_peaks(np.zeros(0), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))


def test_window_peaks_take_long_windows_one_at_a_time() -> None:
    """A window as long as LONG_PEAK_SIGNAL goes through find_peaks itself (whose
    prominences of a long signal come another way), beside short ones."""
    rng = np.random.default_rng(12)
    x = np.cumsum(rng.normal(size=LONG_PEAK_SIGNAL + 500))
    starts = np.array([3, 100, 7], dtype=np.int64)
    stops = np.array([3 + LONG_PEAK_SIGNAL, 180, 40], dtype=np.int64)
    _same_peaks(x, starts, stops)


def test_running_median_is_ndimages() -> None:
    rng = np.random.default_rng(5)
    for n in (1, 2, 7, 50):
        values = np.round(rng.normal(size=n), 1)
        for half in (1, 3):
            expected = ndimage.median_filter(values, size=2 * half + 1, mode="nearest")
            assert np.array_equal(_running_median(values, half), expected)


def test_running_median_of_runs_is_each_runs_own() -> None:
    """With run sizes, each run is filtered on its own (its edges repeat its own ends)."""
    rng = np.random.default_rng(6)
    sizes = np.array([1, 4, 0, 9, 2, 30])
    values = np.round(rng.normal(size=int(sizes.sum())), 1)
    runs = np.split(values, np.cumsum(sizes)[:-1])
    for half in (1, 4):
        expected = np.concatenate(
            [ndimage.median_filter(r, size=2 * half + 1, mode="nearest") for r in runs if r.size]
        )
        assert np.array_equal(_running_median(values, half, sizes), expected)


def test_analysis_does_not_import_scipy_signal() -> None:
    probe = (
        "import sys, numpy as np\n"
        "from retrowalk.core.recording import Recording\n"
        "from retrowalk.pipeline import AnalysisOptions, analyze\n"
        "t = np.arange(3000) / 100.0\n"
        "acc = np.column_stack([np.sin(2 * np.pi * 2 * t), 0 * t, 9.81 + np.sin(4 * np.pi * t)])\n"
        "analyze(Recording(acc, None, 100.0), AnalysisOptions(placement='lower_back'))\n"
        "print(sorted(m for m in ('scipy.signal', 'scipy.ndimage', 'scipy.stats')"
        " if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=300
    )
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout + out.stderr


def test_one_long_channel_filtered_as_two_halves_is_scipys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A channel left alone goes as its two halves side by side (the second from a guessed
    state, taken from where the two runs agree): scipy's numbers bit for bit, also where
    that way cannot give them (no agreement, a zero, a non-finite value: the plain way)."""
    from retrowalk.dsp import filters

    used: list[bool] = []
    halves = filters._filtered_halves

    def spy(*args):  # type: ignore[no-untyped-def]
        row = halves(*args)
        used.append(row is not None)
        return row

    monkeypatch.setattr(filters, "_filtered_halves", spy)
    rng = np.random.default_rng(5)
    n0 = filters.HALVES_SAMPLES
    sizes = [(n0, 90, 0.06), (n0 - 180, 90, 0.06), (n0 - 181, 90, 0.5), (40_000, 0, 0.025),
             (100_001, 90, 0.24), (50_000, 3, 0.9), (20_000, 19_999, 0.01)]  # fmt: skip
    for n, pad, wn in sizes:
        x = np.cumsum(rng.normal(size=n)) + 9.81
        cases = [x, np.full(n, 9.81), np.sin(np.arange(n) * 0.01)]
        for spoil in (0.0, -0.0, np.nan, np.inf):
            y = x.copy()
            y[n // 2 - 50 : n // 2 + 50] = spoil  # where the halves meet
            cases.append(y)
            y = x.copy()
            y[:10] = spoil
            cases.append(y)
        cases.append(np.zeros(n))
        sos, zi = butter_lowpass_sos(2, wn)
        expected_sos = signal.butter(2, wn, output="sos")
        taken = []
        for case in cases:
            used.clear()
            expected = signal.sosfiltfilt(expected_sos, case, padlen=pad)
            got = sosfiltfilt_cached(sos, zi, case, pad)
            assert got.tobytes() == expected.tobytes() or (
                np.isnan(expected).any() and np.array_equal(got, expected, equal_nan=True)
            )
            assert len(used) == (n + 2 * pad >= n0)
            taken += used
        if n + 2 * pad >= n0:  # the random walk as halves, the zeros not (a constant
            # may settle on two outputs a rounding apart, then it goes the plain way)
            assert taken[0] and not taken[-1]
    # three channels: a pair, and the third as halves
    x = np.cumsum(rng.normal(size=(60_000, 3)), axis=0)
    sos, zi = butter_lowpass_sos(2, 0.03)
    used.clear()
    expected = signal.sosfiltfilt(signal.butter(2, 0.03, output="sos"), x, axis=0, padlen=90)
    assert sosfiltfilt_cached(sos, zi, x, 90).tobytes() == expected.tobytes()
    assert used == [True]
    # more sections: the plain way
    sos, zi = butter_lowpass_sos(4, 0.1)
    used.clear()
    expected = signal.sosfiltfilt(signal.butter(4, 0.1, output="sos"), x[:, 0], padlen=90)
    assert sosfiltfilt_cached(sos, zi, x[:, 0], 90).tobytes() == expected.tobytes()
    assert used == []


@pytest.mark.parametrize("refuse", [(0,), (1,), (0, 1)])
def test_halves_that_do_not_agree_run_on_as_the_first_half(
    monkeypatch: pytest.MonkeyPatch, refuse: tuple[int, ...]
) -> None:
    """Where the two halves' runs of a pass do not agree, the first half's run goes on
    over the rest of the signal: scipy's numbers bit for bit either way."""
    from retrowalk.dsp import filters

    agreeing = filters._agreeing
    calls: list[int] = []

    def refusing(*args):  # type: ignore[no-untyped-def]
        calls.append(len(calls) % 2)
        return -1 if calls[-1] in refuse else agreeing(*args)

    monkeypatch.setattr(filters, "_agreeing", refusing)
    rng = np.random.default_rng(9)
    for n, pad, wn in [(30_000, 90, 0.06), (20_001, 0, 0.01), (70_000, 5000, 0.3)]:
        x = np.cumsum(rng.normal(size=n))
        sos, zi = butter_lowpass_sos(2, wn)
        calls.clear()
        expected = signal.sosfiltfilt(signal.butter(2, wn, output="sos"), x, padlen=pad)
        assert sosfiltfilt_cached(sos, zi, x, pad).tobytes() == expected.tobytes()
        assert calls == [0, 1]
