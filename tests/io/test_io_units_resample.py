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
