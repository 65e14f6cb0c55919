"""The building blocks: column names, unit decisions, timestamp repair, resampling."""

from __future__ import annotations

import numpy as np
import pytest
from io_helpers import G, make_motion

from retrowalk.core.errors import InputError
from retrowalk.io import resample as rs
from retrowalk.io.columns import map_columns, time_unit_from_label
from retrowalk.io.units import (
    acc_stats,
    classify_gyro,
    decide_acc_unit,
    decide_gyro_unit,
    gyro_scale_ratio,
    unit_from_label,
)


@pytest.mark.parametrize(
    ("label", "unit"),
    [
        ("Acceleration x (m/s^2)", "mps2"),
        ("acc_x [m/s²]", "mps2"),
        ("Gyroscope x (rad/s)", "rads"),
        ("gyr_x (deg/s)", "dps"),
        ("gx_dps", "dps"),
        ("accelerometerAccelerationX(G)", "g"),
        ("acc_x", None),
    ],
)
def test_unit_from_label(label: str, unit: str | None) -> None:
    assert unit_from_label(label) == unit


@pytest.mark.parametrize(
    ("label", "unit"),
    [("time_s", "s"), ("Time (s)", "s"), ("timestamp_ms", "ms"), ("t [ns]", "ns"),
     ("time", None), ("seconds_elapsed", "s"), ("time_us", "us")],
)  # fmt: skip
def test_time_unit_from_label(label: str, unit: str | None) -> None:
    assert time_unit_from_label(label) == unit


def test_map_columns_variants() -> None:
    cm = map_columns(["timestamp", "ax", "ay", "az", "gx", "gy", "gz", "temp"])
    assert cm.time == "timestamp"
    assert cm.streams["acc"] == ("ax", "ay", "az")
    assert cm.streams["gyro"] == ("gx", "gy", "gz")
    cm = map_columns(["Time (s)", "Linear Acceleration x (m/s^2)", "Linear Acceleration y (m/s^2)",
                      "Linear Acceleration z (m/s^2)"])  # fmt: skip
    assert "linacc" in cm.streams and "acc" not in cm.streams
    assert cm.units["linacc"] == "mps2"
    cm = map_columns(["time", "x", "y", "z"])
    assert cm.streams["acc"] == ("x", "y", "z")
    cm = map_columns(["time", "acc_x", "acc_y"])  # incomplete triplet
    assert "acc" not in cm.streams


def test_acc_unit_decisions() -> None:
    m = make_motion(seconds=10)
    s_mps2 = acc_stats(m.acc, 100)
    s_g = acc_stats(m.acc / G, 100)
    assert s_mps2.has_gravity and s_g.has_gravity
    assert decide_acc_unit(s_mps2, "auto", None)[0].unit == "mps2"
    assert decide_acc_unit(s_g, "auto", None)[0].unit == "g"
    d, notes = decide_acc_unit(s_g, "auto", "mps2", "header")
    assert d.decided_by == "file" and notes  # kept, but flagged
    lin = acc_stats(m.acc - m.acc.mean(axis=0), 100)
    assert not lin.has_gravity


def test_gyro_unit_decisions() -> None:
    m = make_motion(seconds=20, sway_rad=0.05, bounce=0.3)
    assert classify_gyro(m.gyro, m.acc, 100)[0] == "rads"
    assert classify_gyro(np.rad2deg(m.gyro), m.acc, 100)[0] == "dps"
    big = make_motion(seconds=10, sway_rad=0.5)
    unit, evidence = classify_gyro(np.rad2deg(big.gyro), None, 100)
    assert unit == "dps" and "too fast" in evidence
    still = np.zeros((500, 3))
    unit, evidence = classify_gyro(still, None, 100)
    assert unit == "rads" and "assumed" in evidence
    d, notes = decide_gyro_unit(np.rad2deg(m.gyro), m.acc, 100, "rads", None)
    assert d.decided_by == "user" and notes


def _gyro_scale_ratio_two_filters(
    acc: np.ndarray, gyro: np.ndarray, rate_hz: float
) -> tuple[float | None, float]:
    """:func:`gyro_scale_ratio` as it was, its acceleration and angular rate
    filtered by two calls."""
    from retrowalk.dsp.filters import lowpass
    from retrowalk.dsp.rows import row_norm
    from retrowalk.io.units import _cross

    n = acc.shape[0]
    if n < max(int(4 * rate_hz), 30) or rate_hz < 5:
        return None, 0.0
    step = max(int(rate_hz // 25), 1)
    if n // step > 20_000:
        mid, half = n // 2, 20_000 * step // 2
        acc, gyro = acc[mid - half : mid + half], gyro[mid - half : mid + half]
    fs = rate_hz / step
    cutoff_hz = min(1.5, 0.4 * fs / 2)
    a = lowpass(acc[::step], cutoff_hz, fs, pad_samples=9)
    w = lowpass(gyro[::step], cutoff_hz, fs, pad_samples=9)
    norm = row_norm(a)[:, None]
    if np.any(norm <= 0):
        return None, 0.0
    g = a / norm
    num = float(row_norm(np.gradient(g, 1.0 / fs, axis=0)).mean())
    den = float(row_norm(_cross(w, g)).mean())
    if num < 0.05 or den <= 0:
        return None, num
    return num / den, num


@pytest.mark.parametrize("rate_hz", [100.0, 60.0, 25.0, 12.5])
@pytest.mark.parametrize("unit", ["rads", "dps", "float32", "still", "long"])
def test_gyro_scale_ratio_filters_both_in_one_call(rate_hz: float, unit: str) -> None:
    """The same ratio and turn rate, bit for bit, as with a filter call each."""
    rng = np.random.default_rng(int(rate_hz))
    n = int((1500 if unit == "long" else 40) * rate_hz)
    t = np.arange(n) / rate_hz
    angle = 0.4 * np.sin(2 * np.pi * 0.9 * t) + 0.05 * rng.standard_normal(n).cumsum() / 30
    rate = np.gradient(angle, t)
    acc = np.column_stack([G * np.sin(angle), 0.3 * rng.standard_normal(n), G * np.cos(angle)])
    gyro = np.column_stack([0.02 * rng.standard_normal(n), rate, 0.02 * rng.standard_normal(n)])
    if unit == "dps":
        gyro = np.degrees(gyro)
    elif unit == "float32":
        acc, gyro = acc.astype(np.float32), gyro.astype(np.float32)
    elif unit == "still":
        acc = np.tile([0.1, 0.2, G], (n, 1)) + 1e-4 * rng.standard_normal((n, 3))
    got = gyro_scale_ratio(acc, gyro, rate_hz)
    want = _gyro_scale_ratio_two_filters(acc, gyro, rate_hz)
    assert got == want  # float equality: the same numbers to the last bit
    assert (got[0] is None) == (unit == "still")


def test_nominal_rate() -> None:
    assert rs.nominal_rate(99.7) == 100
    assert rs.nominal_rate(104.17) == 104
    assert rs.nominal_rate(12.5) == 12.5
    assert rs.nominal_rate(51.2) == 51.0  # resampled unless the timestamps are exact


def test_exact_non_integer_rate_is_kept(tmp_path) -> None:
    from io_helpers import write_table

    from retrowalk.io import read_recording

    m = make_motion(seconds=10, rate=51.2)
    path = write_table(tmp_path / "r.csv", ["time", "ax", "ay", "az"], [m.t, *m.acc.T])
    rec = read_recording(path)
    assert rec.sampling_rate_hz == 51.2
    assert not any("resampled" in n or "uniform" in n for n in rec.notes)


def test_clean_timestamps() -> None:
    t = np.array([0.0, 0.01, 0.01, 0.02, 0.04, 0.03, 0.05])
    data = {"acc": np.arange(21, dtype=float).reshape(7, 3)}
    c = rs.clean_timestamps(t, data, path="f", time_field="t", line_of_row=lambda i: i + 2)
    np.testing.assert_array_equal(c.t, [0.0, 0.01, 0.02, 0.03, 0.04, 0.05])
    assert len(c.notes) == 2
    assert c.data["acc"][3, 0] == 15.0  # the row of t=0.03 moved before t=0.04
    shuffled = np.random.default_rng(0).permutation(100) / 100
    with pytest.raises(InputError, match="out of time order"):
        rs.clean_timestamps(
            shuffled, {"acc": np.zeros((100, 3))}, path="f", time_field="t",
            line_of_row=lambda i: i + 2,
        )  # fmt: skip


def test_resample_onto_same_rate_grid_is_exact() -> None:
    t = np.array([0, 1, 2, 5, 6, 7], dtype=float) / 100
    x = np.column_stack([t * 100, -t, t])
    grid = rs.uniform_grid(0, 0.07, 100)
    out = rs.resample_onto(t, x, grid, src_rate=100, out_rate=100, gap_s=0.5)
    np.testing.assert_allclose(out[:, 0], np.arange(8))
    held = rs.resample_onto(t, x, grid, src_rate=100, out_rate=100, gap_s=0.02)
    np.testing.assert_allclose(held[:, 0], [0, 1, 2, 2, 2, 5, 6, 7])


def test_is_uniform() -> None:
    t = np.arange(1000) / 100
    assert rs.is_uniform(t, 100)
    assert not rs.is_uniform(t * 1.004, 100)  # drifts by 4 samples
    gap = np.delete(t, np.arange(100, 110))
    assert not rs.is_uniform(gap, 100)


def test_unit_check_helpers_are_numpys_bit_for_bit() -> None:
    """The unit checks' column-at-a-time forms give numpy's own numbers: window
    means (rows added one after another), row squares (einsum's), the gradient
    and the mean."""
    from retrowalk.io.units import _gradient_rows, _mean, _row_squares, _window_means

    rng = np.random.default_rng(3)
    for n, win in ((3600, 100), (6000, 50), (101, 100), (7, 2), (2000, 1)):
        x = rng.normal(size=(n, 3)) * 10.0 ** rng.integers(-3, 4, size=(n, 3)) + [0.0, 0.0, 9.8]
        x[rng.random((n, 3)) < 0.05] = 0.0
        x[rng.random((n, 3)) < 0.05] = -0.0
        n_win = n // win
        for every in (1, 3):
            windows = x[: n_win * win].reshape(n_win, win, 3)[::every]
            assert np.array_equal(_window_means(windows), windows.mean(axis=1))
            stack = np.ascontiguousarray(windows)
            assert np.array_equal(_window_means(stack), stack.mean(axis=1))
        for rows in (x, x[::3], x[5:], np.asfortranarray(x), x[:, [2, 0, 1]]):
            want = np.einsum("ij,ij->i", rows, rows)
            got = _row_squares(rows)
            assert np.array_equal(got, want) and np.array_equal(np.signbit(got), np.signbit(want))
        for dx in (0.04, 1.0 / 25.0, 0.01, 1.0):
            assert np.array_equal(_gradient_rows(x, dx), np.gradient(x, dx, axis=0))
        for column in (x[:, 0], x[:, 2], np.abs(x[:, 1])):
            assert _mean(np.ascontiguousarray(column)) == float(column.mean())
