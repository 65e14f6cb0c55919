"""The column-by-column forms give numpy's own numbers (the analysis may not change).

Each fast form in ``dsp.rows``, ``dsp.memory``, ``dsp.filters``, ``dsp.frame``
and the stride phase correlation is compared with the plain numpy expression
it replaces, bit for bit where the operations are the same ones in the same
order. The einsum of the body frame adds the products of a row in an order
numpy chooses per machine, and the horizontal acceleration is worked out
without the basis, so those arrays are compared to the last bits only.
Block means are one matrix product: compared to rounding. The gravity
low-pass works on 20 Hz block means: compared with the full-rate filter
within its interpolation. The stride phase correlation is worked from its
few Fourier coefficients in the frame's horizontal axes, so it is compared
within tolerances: a small one on a steady posture, a larger one on a
tilting device.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from retrowalk.dsp import rows
from retrowalk.dsp.filters import (
    lowpass,
    lowpass_channels,
    slow_lowpass_at,
    slow_lowpass_channels,
    slow_lowpass_sampler,
)
from retrowalk.dsp.frame import BLOCK, _row_dot, body_frame, horizontal_basis, horizontal_basis_rows
from retrowalk.dsp.memory import block_means
from retrowalk.dsp.rows import (
    column_means,
    column_sums,
    cross,
    diff_after,
    median,
    median_direction,
    percentile,
    percentiles,
    row_dot,
    row_norm,
    segment_medians,
    sliding_rows,
    small_median,
    split_at,
    true_runs,
    unit_vector,
)
from retrowalk.gait.contacts import _jerk_norm, _median_rows
from retrowalk.gait.direction import lever
from retrowalk.gait.direction.classifier import _distinct_positions
from retrowalk.gait.direction.features import (
    DEFAULT_LAGS,
    MAX_HARMONIC,
    STRIDE_POINTS,
    _dft_rows,
    horizontal_device,
    odd_even_parts,
    phase_correlation,
    phase_odd_even,
    resample_windows,
    step_windows,
)
from retrowalk.gait.direction.lever import _fit
from retrowalk.gait.spatial import _nan_to_num


def _signals(n: int = 6000, seed: int = 0, tilt_rad: float = 0.3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.arange(n) / 100.0
    tilt = tilt_rad * np.sin(2 * np.pi * 0.05 * t)
    acc = np.column_stack(
        [
            9.81 * np.sin(tilt) + 0.8 * np.sin(2 * np.pi * 1.8 * t),
            0.4 * np.sin(2 * np.pi * 0.9 * t + 0.3) + 0.1 * rng.normal(size=n),
            9.81 * np.cos(tilt) + 1.5 * np.sin(2 * np.pi * 1.8 * t + 1.0),
        ]
    )
    gyro = 0.5 * rng.normal(size=(n, 3))
    return acc, gyro


@pytest.mark.parametrize("k", [1, 2, 3])
def test_row_norm_is_numpys_norm_bit_for_bit(k):
    x = np.random.default_rng(k).normal(size=(5001, k)) * 7.0
    assert np.array_equal(row_norm(x), np.linalg.norm(x, axis=1))


def test_row_dot_is_numpys_einsum_bit_for_bit():
    rng = np.random.default_rng(11)
    for n in (1, 63, 64, 5001):
        for _ in range(20):
            a = rng.normal(size=(n, 3)) * 10.0 ** rng.integers(-6, 6, size=(n, 3))
            b = rng.normal(size=(n, 3)) * 10.0 ** rng.integers(-6, 6, size=(n, 3))
            for x in (a, b):  # zeros of either sign, whole rows of them too
                x[rng.random((n, 3)) < 0.2] = 0.0
                x[rng.random((n, 3)) < 0.2] = -0.0
            want = np.einsum("ij,ij->i", a, b)
            got = row_dot(a, b)
            assert np.array_equal(got, want) and np.array_equal(np.signbit(got), np.signbit(want))
    a, b = rng.normal(size=(200, 3)), rng.normal(size=(200, 3))
    out = np.empty(200)
    assert row_dot(a, b, out=out) is out
    assert np.array_equal(out, np.einsum("ij,ij->i", a, b))
    assert np.array_equal(row_dot(a[:, :2], b[:, :2]), np.einsum("ij,ij->i", a[:, :2], b[:, :2]))


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_jerk_norm_is_the_row_norm_of_the_differences_bit_for_bit(k):
    x = np.random.default_rng(k).normal(size=(5001, k)) * 7.0
    x[100, 0] = np.nan
    plain = row_norm(np.diff(x, axis=0, prepend=x[:1]))
    assert np.array_equal(_jerk_norm(np.ascontiguousarray(x.T)), plain, equal_nan=True)


@pytest.mark.parametrize("n", [2, 3, 17, 4096, 100_003])
def test_column_sums_and_means_are_numpys_bit_for_bit(n):
    x = np.random.default_rng(n).normal(size=(n, 3)) * 1e3 + 5.0
    assert np.array_equal(column_sums(x), x.sum(axis=0))
    assert np.array_equal(column_means(x), x.mean(axis=0))
    part = x[n // 3 :]  # a row slice of a C-ordered array is C-ordered too
    assert np.array_equal(column_means(part), part.mean(axis=0))


def test_sliding_rows_are_numpys_sliding_window_view():
    x = np.arange(12.0) ** 1.5
    for arr in (x, x[3:], x[::2], x.astype(np.int64)):
        for width in (1, 3, arr.size):
            rows = sliding_rows(arr, width)
            np.testing.assert_array_equal(
                rows, np.lib.stride_tricks.sliding_window_view(arr, width)
            )
            assert not rows.flags.writeable
    with pytest.raises(ValueError):
        sliding_rows(x, x.size + 1)


def test_small_median_is_numpys_median():
    rng = np.random.default_rng(3)
    for _ in range(2000):
        n = int(rng.integers(1, 14))
        floats = rng.normal(size=n) * 10.0 ** int(rng.integers(-4, 4))
        ints = rng.integers(-400, 400, size=n)
        assert small_median(floats) == float(np.median(floats))
        assert small_median(ints) == float(np.median(ints))
    assert np.isnan(small_median(np.array([1.0, np.nan, 3.0])))
    for n in (999, 1000, 1001, 1002):  # either side of the hand-over to numpy
        floats = rng.normal(size=n)
        assert small_median(floats) == float(np.median(floats))


def _bits(values: np.ndarray | list[float]) -> bytes:
    return np.asarray(values, dtype=np.float64).tobytes()


@pytest.mark.parametrize("few", [True, False])
def test_segment_medians_are_each_parts_small_median_bit_for_bit(few, monkeypatch):
    """Parts of 0 to 2,500 values (either side of small_median's hand-over to median),
    overlapping, cut at the end and empty, of floats with ties, signed zeros, NaN and
    infinities, and of integers: each part's small_median to the bit (the sign of a
    zero too); a part with NaN, or none, is NaN. Both with few parts taken one at a
    time and with every part set gathered into one sort."""
    if not few:
        monkeypatch.setattr(rows, "FEW_PARTS", -1)
    rng = np.random.default_rng(21)
    for trial in range(400):
        n = int(rng.integers(0, 3000))
        if trial % 5 == 0:
            x = rng.integers(-3, 4, size=n)
        elif trial % 5 == 1:
            x = rng.integers(-2, 3, size=n) * 0.0  # only signed zeros
        elif trial % 5 == 2:
            x = np.round(rng.normal(size=n), 1)  # ties, and 0.0 beside -0.0
            x[rng.integers(0, max(n, 1), size=min(n, 3))] = np.nan
        elif trial % 5 == 3:
            x = rng.normal(size=n) * 1e300
            x[rng.integers(0, max(n, 1), size=min(n, 4))] = np.inf
            x[rng.integers(0, max(n, 1), size=min(n, 4))] = -np.inf
        else:
            x = rng.normal(size=n)
        parts = int(rng.integers(0, 12))
        long = trial % 7 == 0
        starts = rng.integers(0, n + 1, size=parts)
        stops = starts + rng.integers(-2, 2500 if long else 40, size=parts)
        got = segment_medians(x, starts, stops)
        expected = []
        for a, b in zip(starts.tolist(), stops.tolist(), strict=True):
            part = x[a:b] if b > a else x[:0]
            expected.append(small_median(part) if part.size else math.nan)
        assert got.shape == (parts,)
        nan = np.isnan(np.asarray(expected))
        assert np.array_equal(np.isnan(got), nan)
        assert _bits(got[~nan]) == _bits(np.asarray(expected)[~nan])
    assert segment_medians(np.zeros(0), np.zeros(0, int), np.zeros(0, int)).shape == (0,)
    # more parts than a 16-bit part number holds (their sort goes another way)
    x = np.round(rng.normal(size=1000), 1)
    starts = rng.integers(0, 1000, size=33000)
    stops = starts + rng.integers(0, 4, size=starts.size)
    got = segment_medians(x, starts, stops)
    expected = np.array(
        [small_median(x[a:b]) if b > a else math.nan for a, b in zip(starts, stops, strict=True)]
    )
    assert np.array_equal(np.isnan(got), np.isnan(expected))
    assert _bits(got[~np.isnan(got)]) == _bits(expected[~np.isnan(expected)])


def test_median_is_numpys_median_bit_for_bit():
    rng = np.random.default_rng(6)
    for trial in range(3000):
        n = int(rng.integers(1, 4000))
        x = rng.normal(size=n) * 10.0 ** rng.uniform(-3, 3)
        if trial % 4 == 1:
            x = np.round(x, 1)  # ties, and 0.0 beside -0.0
        if trial % 4 == 2:
            x = rng.integers(-2, 3, size=n) * 0.0  # only signed zeros
        if trial % 4 == 3:
            x[rng.integers(0, n, size=max(n // 50, 1))] = [np.inf, -np.inf][trial % 2]
        expected = np.float64(np.median(x))
        got = np.float64(median(x))
        assert got.tobytes() == expected.tobytes(), (trial, n)
        assert median(x[::3]) == float(np.median(x[::3])) or np.isnan(median(x[::3]))
    for x in ([-0.0], [-0.0, -0.0], [np.inf, -np.inf], [1.0, np.nan, 3.0], [np.nan, 0.0]):
        arr = np.array(x)
        assert np.float64(median(arr)).tobytes() == np.float64(np.median(arr)).tobytes()
    for other in (np.arange(7), np.zeros(0), np.ones((3, 2)), np.ones(5, dtype=np.float32)):
        assert np.array_equal(median(other), np.median(other), equal_nan=True)


def test_percentile_is_numpys_percentile_bit_for_bit():
    rng = np.random.default_rng(4)
    for trial in range(3000):
        n = int(rng.integers(1, 2500))
        x = rng.normal(size=n) * 10.0 ** rng.uniform(-3, 3)
        if trial % 3 == 1:
            x = np.round(x, 1)  # ties, and 0.0 beside -0.0
        if trial % 3 == 2:
            x = rng.integers(-2, 3, size=n) * 0.0  # only signed zeros
        for q in (0, 1, 5, 25, 50, 95, 99, 99.5, 100):
            expected = np.float64(np.percentile(x, q))
            got = np.float64(percentile(x, q))
            assert got == expected and np.signbit(got) == np.signbit(expected), (n, q)
    assert np.isnan(percentile(np.array([1.0, np.nan, 3.0]), 99))
    with np.errstate(invalid="ignore"):  # inf - inf, in numpy's arithmetic as in ours
        assert np.isnan(np.percentile([1.0, np.inf], 99))
        assert np.isnan(percentile(np.array([1.0, np.inf]), 99))


@pytest.mark.parametrize("block", [1, 4, 5])
def test_block_means_are_the_reshaped_means(block):
    x = np.random.default_rng(block).normal(size=(10_007, 3))
    n_blocks = x.shape[0] // block
    expected = x[: n_blocks * block].reshape(n_blocks, block, 3).mean(axis=1)
    assert np.allclose(block_means(x, block, n_blocks), expected, rtol=0.0, atol=1e-15)


@pytest.mark.parametrize("n", [503, 6000, 2 * BLOCK + 123])
def test_slow_lowpass_is_the_full_rate_lowpass_within_its_interpolation(n):
    acc, gyro = _signals(n, seed=3)
    want = lowpass_channels(acc, 0.25, 100.0)
    got = slow_lowpass_channels(acc, 0.25, 100.0)
    assert got.shape == want.shape == (3, n)
    diff = np.abs(got - want)
    assert diff[:, 200:-200].max() < 0.005  # m/s^2, of a gravity of 9.81
    assert diff.max() < 0.06  # the ends: the odd reflection averaged in blocks
    turning = slow_lowpass_channels(gyro[:, 2], 0.5, 100.0)
    assert turning.shape == (1, n)
    assert np.abs(turning[0] - lowpass(gyro[:, 2], 0.5, 100.0)).max() < 0.03


def test_slow_lowpass_of_short_or_slow_signals_is_the_full_rate_lowpass():
    acc, _ = _signals()
    assert np.array_equal(
        slow_lowpass_channels(acc[:39], 0.25, 100.0), lowpass_channels(acc[:39], 0.25, 100.0)
    )
    assert np.array_equal(slow_lowpass_channels(acc, 0.25, 25.0), lowpass_channels(acc, 0.25, 25.0))


@pytest.mark.parametrize("n", [39, 503, 6000, 2 * BLOCK + 123])
def test_slow_lowpass_at_some_samples_is_the_slow_lowpass_there(n):
    acc, gyro = _signals(n, seed=5)
    at = np.random.default_rng(n).choice(n, min(n, 400), replace=False)
    for x, cutoff in ((acc, 0.25), (gyro[:, 2], 0.5)):
        assert np.array_equal(
            slow_lowpass_at(x, cutoff, 100.0, at), slow_lowpass_channels(x, cutoff, 100.0)[:, at]
        )


@pytest.mark.parametrize("block", [2, 5, 8])
def test_samples_drawn_back_a_part_at_a_time_are_the_whole_products(
    block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The slow filter's samples between block centres, drawn back a part of the block
    pairs at a time, are the one matrix product of all pairs bit for bit: parts of a
    pair or two (none of one: a lone row is multiplied another way), of a few, of the
    usual size, a last part of one pair, with zeros, NaN and infinities among the rows."""
    from retrowalk.dsp import filters

    rng = np.random.default_rng(block)
    for k, m in [(1, 2), (3, 2), (3, 3), (2, 4), (3, 40), (3, 1000), (2, 70_001), (1, 3002)]:
        rows = rng.normal(size=(k, m)) * 10.0 ** rng.integers(-3, 4, size=(k, m))
        rows[:, ::97] = 0.0
        if m > 50:
            rows[0, 7], rows[-1, 33] = np.nan, -np.inf
        ends = np.empty((k, m - 1, 2))
        ends[..., 0], ends[..., 1] = rows[:, :-1], rows[:, 1:]
        whole = (ends.reshape(-1, 2) @ filters._block_weights(block)).reshape(k, -1)
        for part in (1, 2, 3, 1000, 3000, filters.DRAWN_BACK_PAIRS):
            monkeypatch.setattr(filters, "DRAWN_BACK_PAIRS", part)
            got = filters._drawn_back(rows, block)
            assert got.shape == whole.shape
            assert got.tobytes() == whole.tobytes()


@pytest.mark.parametrize("n", [39, 6000])
def test_a_slow_lowpass_sampler_gives_each_set_what_slow_lowpass_at_gives(n):
    _, gyro = _signals(n, seed=6)
    rng = np.random.default_rng(n)
    sampler = slow_lowpass_sampler(gyro[:, 2], 0.5, 100.0)
    for size in (min(n, 300), 0, min(n, 40)):
        at = rng.choice(n, size, replace=False)
        assert np.array_equal(sampler(at), slow_lowpass_at(gyro[:, 2], 0.5, 100.0, at))


def test_lowpass_channels_are_the_rows_of_lowpass():
    acc, _ = _signals()
    assert np.array_equal(lowpass_channels(acc, 0.25, 100.0), lowpass(acc, 0.25, 100.0).T)
    assert np.array_equal(lowpass_channels(acc[:3], 3.0, 100.0), lowpass(acc[:3], 3.0, 100.0).T)


def _row_wise_frame(acc: np.ndarray, gyro: np.ndarray) -> dict[str, np.ndarray]:
    """The body frame written with the row-wise numpy expressions it had before."""
    gravity = slow_lowpass_channels(acc, 0.25, 100.0).T
    norm = np.linalg.norm(gravity, axis=1, keepdims=True)
    up = gravity / norm.clip(1e-9)
    j = int(np.argmin(np.abs(up.mean(axis=0))))
    e1 = up * -up[:, j : j + 1]
    e1[:, j] += 1.0
    e1 /= np.linalg.norm(e1, axis=1).clip(1e-12)[:, None]
    e2 = np.cross(up, e1)
    return {
        "up": up,
        "e1": e1,
        "e2": e2,
        "vertical": np.einsum("ij,ij->i", acc, up) - norm[:, 0],
        "horizontal": np.column_stack(
            [np.einsum("ij,ij->i", acc, e1), np.einsum("ij,ij->i", acc, e2)]
        ),
        "gyro_v": np.einsum("ij,ij->i", gyro, up),
        "gyro_h": np.column_stack(
            [np.einsum("ij,ij->i", gyro, e1), np.einsum("ij,ij->i", gyro, e2)]
        ),
    }


def test_body_frame_gives_the_row_wise_numbers():
    acc, gyro = _signals()
    frame = body_frame(acc, gyro, 100.0)
    ref = _row_wise_frame(acc, gyro)
    assert np.array_equal(frame.up_unit, ref["up"])
    e1, e2 = horizontal_basis(frame.up_unit)
    assert np.array_equal(e1, ref["e1"])
    assert np.allclose(e2, ref["e2"], rtol=0.0, atol=1e-15)
    for got, name in (
        (frame.acc_vertical_mps2, "vertical"),
        (frame.acc_horizontal_mps2, "horizontal"),
        (frame.gyro_vertical_rads, "gyro_v"),
        (frame.gyro_horizontal_rads, "gyro_h"),
    ):
        assert got is not None
        assert np.allclose(got, ref[name], rtol=0.0, atol=1e-13), name
    assert body_frame(acc, None, 100.0).gyro_horizontal_rads is None


def test_row_dot_into_given_arrays_is_the_plain_sum():
    acc, gyro = _signals()
    a, b = list(acc.T), list(gyro.T)
    plain = a[0] * b[0] + a[2] * b[2] + a[1] * b[1]
    out, scratch = np.empty(acc.shape[0]), np.empty(acc.shape[0])
    got = _row_dot(a, b, out, scratch)
    assert got is out
    assert np.array_equal(got, plain)
    assert np.array_equal(_row_dot(a, b), plain)


def _whole_array_frame(acc: np.ndarray, gyro: np.ndarray) -> dict[str, np.ndarray]:
    """The body frame's per-sample arithmetic on whole arrays, one operation at a time."""
    u = slow_lowpass_channels(acc, 0.25, 100.0)
    norm = u[0] * u[0]
    norm += u[1] * u[1]
    norm += u[2] * u[2]
    np.sqrt(norm, out=norm)
    u /= norm.clip(1e-9)
    a, w = np.ascontiguousarray(acc.T), np.ascontiguousarray(gyro.T)
    vertical = a[0] * u[0] + a[2] * u[2] + a[1] * u[1] - norm
    up = np.ascontiguousarray(u.T)
    j = int(np.argmin(np.abs(column_means(up))))
    e = u * -u[j]
    e[j] += 1.0
    e_norm = e[0] * e[0] + e[1] * e[1] + e[2] * e[2]
    e /= np.sqrt(e_norm).clip(1e-12)
    f = np.empty_like(e)
    for k, (p, q) in enumerate(((1, 2), (2, 0), (0, 1))):
        f[k] = u[p] * e[q] - u[q] * e[p]
    across = np.sqrt(np.maximum(1.0 - u[j] * u[j], 1e-24))
    return {
        "up": up,
        "e": e,
        "f": f,
        "vertical": vertical,
        "horizontal": np.column_stack([a[0] * b[0] + a[2] * b[2] + a[1] * b[1] for b in (e, f)]),
        "gyro_v": w[0] * u[0] + w[2] * u[2] + w[1] * u[1],
        # acc . e and acc . f without the basis, as the frame works them out
        "horizontal_direct": np.column_stack(
            [
                (a[j] - (vertical + norm) * u[j]) / across,
                (a[(j + 1) % 3] * u[(j + 2) % 3] - a[(j + 2) % 3] * u[(j + 1) % 3]) / across,
            ]
        ),
    }


@pytest.mark.parametrize("n", [5, BLOCK - 1, 2 * BLOCK + 123])
def test_body_frame_in_blocks_gives_the_whole_array_numbers(n):
    acc, gyro = _signals(n, seed=3)
    frame = body_frame(acc, gyro, 100.0)
    ref = _whole_array_frame(acc, gyro)
    assert np.array_equal(frame.up_unit, ref["up"])
    assert np.array_equal(frame.acc_vertical_mps2, ref["vertical"])
    # the horizontal components without the basis (acc . e, acc . f worked out): to rounding
    assert np.allclose(frame.acc_horizontal_mps2, ref["horizontal"], rtol=0.0, atol=1e-13)
    assert frame.acc_horizontal_mps2.tobytes() == ref["horizontal_direct"].tobytes()
    assert np.array_equal(frame.gyro_vertical_rads, ref["gyro_v"])
    e, f = horizontal_basis_rows(frame.up_unit)
    assert np.array_equal(e, ref["e"]) and np.array_equal(f, ref["f"])
    some = np.arange(0, n, 3)
    e_at, f_at = frame.horizontal_basis_at(some)
    assert np.array_equal(e_at, e[:, some]) and np.array_equal(f_at, f[:, some])
    # a writable up (not the frame's) is worked out afresh, in blocks too
    e, f = horizontal_basis_rows(frame.up_unit.copy())
    assert np.array_equal(e, ref["e"]) and np.array_equal(f, ref["f"])


def test_dft_rows_are_the_ffts_kept_harmonics():
    rng = np.random.default_rng(7)
    seg = rng.standard_normal((500, STRIDE_POINTS)) * rng.uniform(1e-3, 1e3, (500, 1))
    seg[0] = 0.0
    seg[1] = np.cos(2 * np.pi * 3 * np.arange(STRIDE_POINTS) / STRIDE_POINTS)  # one pure harmonic
    spec = np.fft.rfft(seg, axis=1)[:, 1 : MAX_HARMONIC + 1]
    got = seg @ _dft_rows()
    scale = np.abs(seg).sum(axis=1, keepdims=True)  # the rounding grows with the window's sum
    assert np.all(np.abs(got[:, :MAX_HARMONIC] - spec.real) <= 1e-15 * scale)
    assert np.all(np.abs(got[:, MAX_HARMONIC:] - spec.imag) <= 1e-15 * scale)
    assert np.array_equal(got[0], np.zeros(2 * MAX_HARMONIC))
    assert abs(got[1, 2] - STRIDE_POINTS / 2) < 1e-12 and np.all(np.abs(got[1, 3:]) < 1e-12)
    assert not _dft_rows().flags.writeable


def _row_wise_phase_correlation(frame, windows) -> np.ndarray:
    """The stride phase correlation on sample-major stacked signals, as it was written."""
    x = np.column_stack([frame.acc_vertical_mps2, horizontal_device(frame)])
    seg = resample_windows(x, windows.start, windows.end)
    seg = seg - seg.mean(axis=1, keepdims=True)
    spec = np.fft.rfft(seg, axis=1)
    spec[:, MAX_HARMONIC + 1 :] = 0.0
    seg = np.fft.irfft(spec, n=STRIDE_POINTS, axis=1)
    cross = np.conj(spec[..., :1]) * spec[..., 1:]
    c = np.fft.irfft(cross, n=STRIDE_POINTS, axis=1) / STRIDE_POINTS
    sv = np.sqrt((seg[..., 0] ** 2).mean(axis=1))
    sh = np.sqrt((seg[..., 1:] ** 2).sum(axis=2).mean(axis=1))
    return c / np.maximum(sv * sh, 1e-12)[:, None, None]


@pytest.mark.parametrize(("n", "tilt_rad", "tolerance"), [
    (6000, 0.0, 1e-3),  # a steady posture (the gravity estimate still ripples a little)
    (2 * BLOCK + 500, 0.0, 1e-3),
    (6000, 0.3, 0.02),  # the device tilting by up to 6 degrees within a stride
])  # fmt: skip
def test_phase_correlation_is_the_sample_major_formula(n, tilt_rad, tolerance):
    acc, gyro = _signals(n, tilt_rad=tilt_rad)
    frame = body_frame(acc, gyro, 100.0)
    ic = np.arange(150, n - 200, 55)
    ic = ic + np.random.default_rng(4).integers(-3, 4, size=ic.size)
    owner = np.zeros(ic.size, dtype=np.int64)
    windows = step_windows(ic, owner, 100.0, frame.n_samples)
    got = phase_correlation(frame, windows)
    assert got.shape == (windows.start.size, STRIDE_POINTS, 3)
    want = _row_wise_phase_correlation(frame, windows)
    assert np.abs(want).max() > 0.5  # a real correlation to compare
    assert np.abs(got - want).max() <= tolerance


@pytest.mark.parametrize("lags", [DEFAULT_LAGS, np.arange(STRIDE_POINTS)])
def test_odd_even_parts_straight_from_the_harmonics(lags):
    acc, gyro = _signals(6000, tilt_rad=0.3)
    frame = body_frame(acc, gyro, 100.0)
    ic = np.arange(150, 5800, 55) + np.random.default_rng(4).integers(-3, 4, size=103)
    windows = step_windows(ic, np.zeros(ic.size, dtype=np.int64), 100.0, frame.n_samples)
    odd, even = phase_odd_even(frame, windows, lags)
    want_odd, want_even = odd_even_parts(phase_correlation(frame, windows), lags)
    assert odd.shape == want_odd.shape == (windows.start.size, lags.size, 3)
    assert np.abs(want_odd).max() > 0.1 and np.abs(want_even).max() > 0.1
    assert np.allclose(odd, want_odd, rtol=0.0, atol=1e-12)
    assert np.allclose(even, want_even, rtol=0.0, atol=1e-12)


def test_true_runs_are_the_runs_of_true_values():
    """Each run of True from its first index to one past its last, every length, ends included."""
    rng = np.random.default_rng(6)
    for _ in range(200):
        mask = rng.random(int(rng.integers(0, 30))) < rng.random()
        starts, ends = true_runs(mask)
        want = [(k, k + len(list(group))) for k, group in _groups(mask.tolist()) if mask[k]]
        assert list(zip(starts.tolist(), ends.tolist(), strict=True)) == want
    assert [a.tolist() for a in true_runs(np.ones(3, dtype=bool))] == [[0], [3]]
    assert [a.size for a in true_runs(np.zeros(0, dtype=bool))] == [0, 0]


def _groups(values: list[bool]) -> list[tuple[int, list[bool]]]:
    """Runs of equal values with the index each starts at."""
    out: list[tuple[int, list[bool]]] = []
    for k, v in enumerate(values):
        if out and out[-1][1][-1] == v:
            out[-1][1].append(v)
        else:
            out.append((k, [v]))
    return out


def test_split_at_is_numpys_split():
    rng = np.random.default_rng(5)
    for _ in range(200):
        x = rng.normal(size=int(rng.integers(0, 30)))
        cuts = np.sort(rng.integers(0, x.size + 1, size=int(rng.integers(0, 5))))
        got, want = split_at(x, cuts), np.split(x, cuts)
        assert len(got) == len(want)
        assert all(
            np.array_equal(a, b) and a.base is b.base for a, b in zip(got, want, strict=True)
        )


def _stacked_lever_fit(
    slow: np.ndarray, up: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The lever-arm fit as written with np.stack, np.cross and np.linalg.norm before."""
    rows = np.concatenate([np.arange(a, b) for a, b in zip(lo, hi, strict=True)])
    starts = np.concatenate(([0], np.cumsum(hi - lo)[:-1]))
    a_h, w2, alpha = slow[:3, rows].T, slow[3, rows], slow[4, rows]
    columns = np.column_stack(
        [
            np.ones(rows.size), w2, alpha, w2 * w2, alpha * alpha,
            a_h, w2[:, None] * a_h, alpha[:, None] * a_h,
            a_h[:, [0, 0, 0, 1, 1, 2]] * a_h[:, [0, 1, 2, 1, 2, 2]],
        ]
    )  # fmt: skip
    sums = np.add.reduceat(columns, starts, axis=0)
    k, sw, sa, sww, saa = sums[:, :5].T
    s_a, s_wa, s_aa = sums[:, 5:8], sums[:, 8:11], sums[:, 11:14]
    i, j = np.triu_indices(3)
    second = np.empty((sums.shape[0], 3, 3))
    second[:, i, j] = sums[:, 14:20]
    second[:, j, i] = sums[:, 14:20]
    u = np.add.reduceat(up[rows], starts, axis=0)
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    ref = np.eye(3)[np.argmin(np.abs(u), axis=1)]
    e = ref - np.sum(ref * u, axis=1, keepdims=True) * u
    e /= np.linalg.norm(e, axis=1, keepdims=True)
    f = np.cross(u, e)
    ae, af = np.einsum("ij,ij->i", s_a, e), np.einsum("ij,ij->i", s_a, f)
    wae, waf = np.einsum("ij,ij->i", s_wa, e), np.einsum("ij,ij->i", s_wa, f)
    aae, aaf = np.einsum("ij,ij->i", s_aa, e), np.einsum("ij,ij->i", s_aa, f)
    yy = np.einsum("ti,tij,tj->t", e, second, e) + np.einsum("ti,tij,tj->t", f, second, f)
    zero = np.zeros_like(k)
    normal = np.stack(
        [
            np.stack([k, zero, -sw, -sa], axis=1),
            np.stack([zero, k, sa, -sw], axis=1),
            np.stack([-sw, sa, sww + saa, zero], axis=1),
            np.stack([-sa, -sw, zero, sww + saa], axis=1),
        ],
        axis=1,
    )
    rhs = np.stack([ae, af, -wae + aaf, -aae - waf], axis=1)
    levers = np.zeros((k.size, 3))
    se = np.full(k.size, np.inf)
    ok = np.abs(np.linalg.det(normal)) > 1e-12
    if ok.any():
        inverse = np.linalg.inv(normal[ok])
        x = np.einsum("tij,tj->ti", inverse, rhs[ok])
        rss = np.maximum(yy[ok] - np.sum(x * rhs[ok], axis=1), 0.0)
        dof = np.maximum(2.0 * k[ok] - 4.0, 1.0)
        variance = rss / dof * np.mean(np.diagonal(inverse, axis1=1, axis2=2)[:, 2:], axis=1)
        se[ok] = np.sqrt(np.maximum(variance, 0.0))
        levers[ok] = x[:, 2:3] * e[ok] + x[:, 3:4] * f[ok]
    return levers, se


def test_lever_fit_gives_the_stacked_formulas_numbers_bit_for_bit():
    rng = np.random.default_rng(9)
    for turns in (1, 2, 5):
        n = 600
        slow = rng.normal(size=(6, n))
        up = rng.normal(size=(n, 3)) * 0.05 + np.array([0.1, 0.2, 1.0])
        lo = np.sort(rng.integers(0, n - 60, size=turns))
        hi = lo + rng.integers(20, 60, size=turns)
        got = _fit(slow, up.copy(), lo, hi)
        want = _stacked_lever_fit(slow, up.copy(), lo, hi)
        assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
    a, b = rng.normal(size=(7, 3)), rng.normal(size=(7, 3))
    assert np.array_equal(cross(a, b), np.cross(a, b))
    assert np.array_equal(cross(a[0], b[0]), np.cross(a[0], b[0]))


def test_lever_turning_rate_gradient_is_numpys_gradient():
    rng = np.random.default_rng(2)
    acc, up, gyro = rng.normal(size=(400, 3)), rng.normal(size=(400, 3)), rng.normal(size=(400, 3))
    up[:, 2] += 5.0
    captured = {}

    def keep(slow, up, lo, hi):
        captured["slow"] = slow
        return np.zeros((lo.size, 3)), np.zeros(lo.size)

    rate_v = np.einsum("ij,ij->i", gyro, up / np.maximum(row_norm(up), 1e-9)[:, None])
    want = lowpass_channels(np.gradient(rate_v) * 20.0, lever.TURN_CUTOFF_HZ, 20.0)[0]
    original = lever._fit
    lever._fit = keep
    try:
        lever._turns_in(acc, up.copy(), gyro, 20.0, 0.0, 0.0)
    finally:
        lever._fit = original
    assert np.array_equal(captured["slow"][4], want)


def test_percentiles_are_numpys_percentiles_bit_for_bit():
    rng = np.random.default_rng(4)
    qs = (5, 50, 95)
    for _ in range(2000):
        n = int(rng.integers(1, 60))
        x = rng.normal(size=n) * 10.0 ** int(rng.integers(-3, 3))
        if rng.random() < 0.3:  # ties, zeros of either sign
            x = np.round(x) * rng.choice([-0.0, 1.0], size=n)
        got = percentiles(x, qs)
        want = np.percentile(x, qs)
        assert all(
            a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
            for a, b in zip(got, want, strict=True)
        )
    assert all(np.isnan(percentiles(np.array([1.0, np.nan]), qs)))


def test_median_rows_and_nan_to_num_are_numpys():
    rng = np.random.default_rng(6)
    for width in (1, 2, 5, 6):
        rows = rng.integers(-50, 400, size=(40, width))
        assert np.array_equal(_median_rows(rows), np.median(rows, axis=1))
    x = rng.normal(size=50)
    x[[3, 7, 9]] = [np.nan, np.inf, -np.inf]
    assert np.array_equal(_nan_to_num(x), np.nan_to_num(x))


def test_diff_after_is_numpys_diff_with_a_value_before():
    rng = np.random.default_rng(8)
    ints = np.sort(rng.integers(0, 5000, size=40))
    floats = ints.astype(np.float64)
    for x in (ints, floats, ints[:1], ints[:0]):
        got, want = diff_after(x, np.int64(-(10**9))), np.diff(x, prepend=np.int64(-(10**9)))
        assert got.dtype == want.dtype and np.array_equal(got, want)


def test_distinct_positions_are_numpys_unique_first_indices():
    rng = np.random.default_rng(12)
    for _ in range(50):
        window = rng.integers(-1, 30, size=60)
        score = rng.normal(size=60)
        score[rng.random(60) < 0.1] = np.nan
        ok = np.flatnonzero(np.isfinite(score) & (window >= 0))
        _, first = np.unique(window[ok], return_index=True)
        assert np.array_equal(_distinct_positions(score, window), ok[first])


def test_math_degrees_is_numpys_degrees_bit_for_bit():
    """The turns' rotation is taken in Python floats (lever._turns_in)."""
    rng = np.random.default_rng(12)
    x = rng.normal(size=20000) * 10.0 ** rng.integers(-8, 8, size=20000)
    assert np.array_equal(np.array([math.degrees(v) for v in x.tolist()]), np.degrees(x))


def test_median_direction_is_the_unit_column_median():
    rng = np.random.default_rng(11)
    for n in (1, 2, 3, 10, 999, 1001, 1500):
        rows = rng.normal(size=(n, 3))
        ref = np.median(rows, axis=0)
        expected = ref / max(float(np.linalg.norm(ref)), 1e-12)
        assert median_direction(rows).tobytes() == expected.tobytes(), n
    assert np.array_equal(median_direction(np.zeros((4, 3))), np.zeros(3))


def test_unit_vector_is_numpy_s_division_by_the_norm_bit_for_bit() -> None:
    rng = np.random.default_rng(12)
    cases = [rng.normal(size=3) * s for s in (1e-9, 1e-3, 1.0, 9.81, 1e6) for _ in range(40)]
    cases += [np.array([0.0, -0.0, 3.0]), np.array([-1.0, 0.0, 0.0]), np.zeros(3)]
    for v in cases:
        want = v / max(float(np.linalg.norm(v)), 1e-12)
        got = unit_vector(v)
        assert got.tobytes() == want.tobytes()
        assert got is not v and v.tobytes() == np.array(v).tobytes()  # a new array
