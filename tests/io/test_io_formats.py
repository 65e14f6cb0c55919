"""Each supported layout, written in its real shape from a synthetic motion."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from io_helpers import G, Motion, make_motion, write_cwa, write_gt3x, write_table

from retrowalk.core.errors import InputError, UnsupportedFormatError
from retrowalk.io import read_recording

EPOCH_NS = 1_700_000_000_000_000_000  # 2023-11-14T22:13:20Z


def _assert_close(rec, motion: Motion, *, acc_tol: float = 1e-5, gyro_tol: float = 1e-5) -> None:
    n = min(rec.n_samples, motion.acc.shape[0])
    np.testing.assert_allclose(rec.acc_mps2[:n], motion.acc[:n], atol=acc_tol)
    if rec.gyro_rads is not None:
        np.testing.assert_allclose(rec.gyro_rads[:n], motion.gyro[:n], atol=gyro_tol)


# --- generic delimited tables ------------------------------------------------------------


def test_generic_csv_seconds(tmp_path: Path, motion: Motion) -> None:
    path = write_table(
        tmp_path / "walk.csv",
        ["time", "acc_x", "acc_y", "acc_z", "gyro_x", "gyro_y", "gyro_z"],
        [motion.t, *motion.acc.T, *motion.gyro.T],
        fmt="{:.9f}",
    )
    rec = read_recording(path)
    assert rec.format == "generic-csv"
    assert rec.sampling_rate_hz == 100
    assert rec.n_samples == motion.acc.shape[0]
    assert rec.units["acc"].to_dict()["decided_by"] == "auto"
    assert rec.units["acc"].unit == "mps2"
    assert rec.units["gyro"].unit == "rads"
    _assert_close(rec, motion)


def test_generic_tsv_milliseconds_g_and_dps(tmp_path: Path, motion: Motion) -> None:
    path = write_table(
        tmp_path / "walk.tsv",
        ["timestamp_ms", "ax", "ay", "az", "gx", "gy", "gz"],
        [motion.t * 1000, *(motion.acc / G).T, *np.rad2deg(motion.gyro).T],
        sep="\t",
        fmt="{:.7f}",
    )
    rec = read_recording(path)
    assert rec.units["acc"].unit == "g" and rec.units["acc"].decided_by == "auto"
    assert rec.units["gyro"].unit == "dps" and rec.units["gyro"].decided_by == "auto"
    _assert_close(rec, motion, acc_tol=1e-5, gyro_tol=1e-6)


def test_generic_semicolon_decimal_comma(tmp_path: Path, motion: Motion) -> None:
    path = write_table(
        tmp_path / "walk.csv",
        ["Time (s)", "Acceleration x (m/s^2)", "Acceleration y (m/s^2)", "Acceleration z (m/s^2)"],
        [motion.t, *motion.acc.T],
        sep=";",
        decimal=",",
    )
    rec = read_recording(path)
    assert rec.units["acc"].decided_by == "file"
    assert rec.units["acc"].unit == "mps2"
    assert rec.gyro_rads is None
    _assert_close(rec, motion)


def test_generic_nanosecond_epoch_start_time(tmp_path: Path, motion: Motion) -> None:
    ns = EPOCH_NS + np.round(motion.t * 1e9).astype(np.int64)
    path = write_table(
        tmp_path / "walk.csv",
        ["timestamp", "accelerometerAccelerationX", "accelerometerAccelerationY",
         "accelerometerAccelerationZ", "rotationRateX", "rotationRateY", "rotationRateZ"],
        [ns, *motion.acc.T, *motion.gyro.T],
    )  # fmt: skip
    rec = read_recording(path)
    assert rec.start_time == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert rec.sampling_rate_hz == 100
    _assert_close(rec, motion)


def test_generic_iso_timestamps(tmp_path: Path) -> None:
    m = make_motion(seconds=5, rate=50)
    stamps = np.array(
        [
            (
                np.datetime64("2024-03-01T10:00:00.000") + np.timedelta64(round(s * 1e6), "us")
            ).astype(str)
            for s in m.t
        ],
        dtype=object,
    )
    path = write_table(tmp_path / "walk.csv", ["datetime", "x", "y", "z"], [stamps, *m.acc.T])
    rec = read_recording(path)
    assert rec.sampling_rate_hz == 50
    assert rec.start_time == datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
    _assert_close(rec, m)


def _clock(seconds_of_day: np.ndarray, sep: str) -> np.ndarray:
    """``HH:MM:SS<sep>mmm`` text of times of day (carried past midnight into the next)."""
    ms = np.round(seconds_of_day * 1000).astype(np.int64) % (86_400 * 1000)
    return np.array(
        [f"{m // 3_600_000:02d}:{m // 60_000 % 60:02d}:{m // 1000 % 60:02d}{sep}{m % 1000:03d}"
         for m in ms.tolist()],
        dtype=object,
    )  # fmt: skip


@pytest.mark.parametrize("sep", [":", "."])
def test_physics_toolbox_android_g_force_and_time_of_day(
    tmp_path: Path, motion: Motion, sep: str
) -> None:
    """Physics Toolbox Sensor Suite (Android): g-force in g (gFx, gFy, gFz; TgF their
    total), the gyroscope as wx, wy, wz, and the time as a time of day without a date
    (23:59:50:000, milliseconds after a colon): read over midnight without a jump."""
    start = 23 * 3600 + 59 * 60 + 50.0  # 10 s before midnight, 20 s recorded
    path = write_table(
        tmp_path / "Physics_Toolbox.csv",
        ["time", "gFx", "gFy", "gFz", "wx", "wy", "wz", "TgF"],
        [_clock(start + motion.t, sep), *(motion.acc / G).T, *motion.gyro.T,
         np.linalg.norm(motion.acc / G, axis=1)],
        fmt="{:.6f}",
    )  # fmt: skip
    rec = read_recording(path)
    assert rec.format == "generic-csv"
    assert rec.units["acc"].unit == "g" and rec.units["gyro"].unit == "rads"
    assert rec.sampling_rate_hz == 100 and rec.n_samples == motion.acc.shape[0]
    assert rec.duration_s == pytest.approx(motion.t[-1] + 0.01)
    _assert_close(rec, motion, acc_tol=1e-5)


def test_physics_toolbox_ios_g_force(tmp_path: Path, motion: Motion) -> None:
    """Physics Toolbox on iOS: the time as a date and time with four decimals."""
    stamps = np.array(
        [(np.datetime64("2018-10-03T17:23:55.000") + np.timedelta64(round(s * 1e4) * 100, "us"))
         .astype(str).replace("T", " ")[:-2] for s in motion.t],
        dtype=object,
    )  # fmt: skip
    path = write_table(
        tmp_path / "sensor.csv",
        ["time", "gFx", "gFy", "gFz", "gFTotal"],
        [stamps, *(motion.acc / G).T, np.linalg.norm(motion.acc / G, axis=1)],
    )
    rec = read_recording(path)
    assert rec.units["acc"].unit == "g"
    assert rec.start_time == datetime(2018, 10, 3, 17, 23, 55, tzinfo=UTC)
    assert rec.sampling_rate_hz == 100
    _assert_close(rec, motion)


def test_time_with_the_month_s_name(tmp_path: Path) -> None:
    """A MATLAB timetable written as CSV: 01-Dec-2026 10:00:00.006."""
    m = make_motion(seconds=5, rate=50)
    stamps = np.array([f"01-Dec-2026 10:00:{s:06.3f}" for s in m.t], dtype=object)
    path = write_table(tmp_path / "walk.csv", ["Timestamp", "X", "Y", "Z"], [stamps, *m.acc.T])
    rec = read_recording(path)
    assert rec.sampling_rate_hz == 50
    assert rec.start_time == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    _assert_close(rec, m)


def test_a_bad_time_of_day_is_named_by_its_line(tmp_path: Path, motion: Motion) -> None:
    """A broken cell among times of day is named by its line and field, not the first
    time of day (which reads)."""
    times = _clock(8 * 3600 + motion.t, ":")
    times[100] = "08:00:01:xx"
    path = write_table(
        tmp_path / "walk.csv", ["time", "gFx", "gFy", "gFz"], [times, *(motion.acc / G).T]
    )
    with pytest.raises(InputError) as error:
        read_recording(path)
    assert "line 102" in str(error.value) and "'time'" in str(error.value)


def test_metawear_axes_named_as_axes(tmp_path: Path, motion: Motion) -> None:
    """MetaWear (MbientLab) exports: "x-axis (g)" beside "epoc (ms)" (so spelt), a local
    time and "elapsed (s)"; its gyroscope's file ("x-axis (deg/s)") holds no
    acceleration and is refused as such, not read as acceleration."""
    epoch_ms = 1_700_000_000_000 + np.round(motion.t * 1000).astype(np.int64)
    local = np.array(["2023-11-14T17.13.20.000"] * motion.t.size, dtype=object)
    path = write_table(
        tmp_path / "MetaWear_Accelerometer.csv",
        ["epoc (ms)", "timestamp (-05:00)", "elapsed (s)", "x-axis (g)", "y-axis (g)",
         "z-axis (g)"],
        [epoch_ms, local, motion.t, *(motion.acc / G).T],
        fmt="{:.6f}",
    )  # fmt: skip
    rec = read_recording(path)
    assert rec.units["acc"].unit == "g" and rec.units["acc"].decided_by == "file"
    assert rec.start_time == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert rec.sampling_rate_hz == 100
    _assert_close(rec, motion)
    gyro = write_table(
        tmp_path / "MetaWear_Gyroscope.csv",
        ["epoc (ms)", "elapsed (s)", "x-axis (deg/s)", "y-axis (deg/s)", "z-axis (deg/s)"],
        [epoch_ms, motion.t, *np.rad2deg(motion.gyro).T],
    )
    with pytest.raises(InputError, match="angular rate but no acceleration"):
        read_recording(gyro)


def _write_shimmer(
    path: Path, motion: Motion, sep: str, *, ln: bool = True, gyro: bool = True
) -> Path:
    """A Shimmer3 export as Consensys writes it: Excel's ``"sep=,"`` line, the device's
    columns (``Shimmer_8D12_..._CAL`` calibrated, ``_RAW`` in ADC counts), a units
    row, and a delimiter after every cell of a line. The formatted Unix time comes
    first and the raw counts before the calibrated values, so a reader taking the
    first match would take them; the wide-range accelerometer holds other values
    than the low-noise one (half of them), the one read."""
    ms = 1_700_000_000_006 + np.round(motion.t * 1000).astype(np.int64)
    stamps = [
        datetime.fromtimestamp(m / 1000, tz=UTC).strftime("%Y/%m/%d %H:%M:%S.%f")[:-3]
        for m in ms.tolist()
    ]
    counts = np.round(2047 + motion.acc / G * 830).astype(np.int64)
    columns: list[tuple[str, str, list[str]]] = [
        ("Timestamp_FormattedUnix_CAL", "no_units", stamps),
        ("Timestamp_Unix_CAL", "ms", [f"{m:.3f}" for m in ms.tolist()]),
    ]
    for i, axis in enumerate("XYZ"):
        columns.append((f"Accel_WR_{axis}_RAW", "no_units", [str(c) for c in counts[:, i]]))
    for i, axis in enumerate("XYZ"):
        columns.append(
            (f"Accel_WR_{axis}_CAL", "m/(s^2)", [f"{v:.4f}" for v in motion.acc[:, i] / 2])
        )
    if ln:
        for i, axis in enumerate("XYZ"):
            columns.append((f"Accel_LN_{axis}_RAW", "no_units", [str(c) for c in counts[:, i]]))
            columns.append(
                (f"Accel_LN_{axis}_CAL", "m/(s^2)", [f"{v:.6f}" for v in motion.acc[:, i]])
            )
    if gyro:
        for i, axis in enumerate("XYZ"):
            dps = np.rad2deg(motion.gyro[:, i])
            columns.append((f"Gyro_{axis}_CAL", "deg/s", [f"{v:.6f}" for v in dps]))
    columns.append(("Mag_X_CAL", "local_flux", ["0.25"] * len(ms)))
    lines = ['"sep=\t"' if sep == "\t" else f"sep={sep}"]
    lines.append("".join(f"Shimmer_8D12_{name}{sep}" for name, _, _ in columns))
    lines.append("".join(f"{unit}{sep}" for _, unit, _ in columns))
    for row in zip(*(cells for _, _, cells in columns), strict=True):
        lines.append("".join(f"{cell}{sep}" for cell in row))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


@pytest.mark.parametrize("sep", [",", "\t"])
def test_shimmer_consensys_export(tmp_path: Path, motion: Motion, sep: str) -> None:
    """A Shimmer3 CSV exported by Consensys: the calibrated low-noise accelerometer in
    m/(s^2) and the gyroscope in deg/s, as the units row says, timed by the numeric
    Unix time in ms (not the formatted one beside it); the raw counts and the
    wide-range accelerometer are left."""
    path = _write_shimmer(tmp_path / "Shimmer_8D12_Calibrated_PC.csv", motion, sep)
    rec = read_recording(path)
    assert rec.units["acc"].to_dict() == {
        "unit": "mps2", "decided_by": "file", "evidence": "units row says m/s^2"
    }  # fmt: skip
    assert rec.units["gyro"].to_dict() == {
        "unit": "dps", "decided_by": "file", "evidence": "units row says deg/s"
    }  # fmt: skip
    assert rec.sampling_rate_hz == 100 and rec.n_samples == motion.acc.shape[0]
    assert rec.start_time == datetime(2023, 11, 14, 22, 13, 20, 6000, tzinfo=UTC)
    assert any("'Shimmer_8D12_Timestamp_Unix_CAL' read as milliseconds (from the units row)"
               in note for note in rec.notes)  # fmt: skip
    _assert_close(rec, motion, acc_tol=1e-5, gyro_tol=1e-7)


def test_shimmer_raw_counts_are_never_acceleration(tmp_path: Path, motion: Motion) -> None:
    """Raw ADC counts (``_RAW``) are no acceleration: without the low-noise calibrated
    columns the wide-range ones are read (not the counts listed before them), and a
    file whose accelerometers are raw counts only holds no acceleration."""
    rec = read_recording(_write_shimmer(tmp_path / "wide.csv", motion, ",", ln=False))
    _assert_close(rec, Motion(motion.t, motion.acc / 2, motion.gyro, motion.rate), acc_tol=1e-4)
    path = tmp_path / "raw.csv"
    lines = ["sep=,", "Shimmer_8D12_Timestamp_Unix_CAL,Shimmer_8D12_Accel_LN_X_RAW,"
             "Shimmer_8D12_Accel_LN_Y_RAW,Shimmer_8D12_Accel_LN_Z_RAW,Shimmer_8D12_Gyro_X_CAL,"
             "Shimmer_8D12_Gyro_Y_CAL,Shimmer_8D12_Gyro_Z_CAL,", "ms,no_units,no_units,no_units,"
             "deg/s,deg/s,deg/s,"]  # fmt: skip
    lines += [f"{1_700_000_000_000 + 10 * i}.000,2047,2047,2877,1.5,-2.0,0.5," for i in range(500)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="angular rate but no acceleration"):
        read_recording(path)


@pytest.mark.parametrize("preamble", [[], ['"sep=;"']])
def test_generic_table_with_a_units_row(
    tmp_path: Path, motion: Motion, preamble: list[str]
) -> None:
    """Any table may have a units row under its header (and Excel's "sep=;" line above
    it): the units row's units are the columns' units, the time's included."""
    path = write_table(
        tmp_path / "walk.csv",
        ["t", "acc_x", "acc_y", "acc_z"],
        [motion.t, *(motion.acc / G).T],
        sep=";",
        decimal=",",
        fmt="{:.8f}",
        preamble=preamble,
    )
    text = path.read_text(encoding="utf-8").split("\n")
    text.insert(len(preamble) + 1, "s;g;g;g")
    path.write_text("\n".join(text), encoding="utf-8")
    rec = read_recording(path)
    assert rec.units["acc"].to_dict() == {
        "unit": "g", "decided_by": "file", "evidence": "units row says g"
    }  # fmt: skip
    assert "time column 't' read as seconds (from the units row)" in rec.notes
    assert rec.sampling_rate_hz == 100 and rec.n_samples == motion.acc.shape[0]
    _assert_close(rec, motion, acc_tol=1e-6)


def test_a_broken_cell_below_a_units_row_is_named_by_its_line(
    tmp_path: Path, motion: Motion
) -> None:
    """The sep line and the units row count as lines: the 101st data row is line 104."""
    path = _write_shimmer(tmp_path / "shimmer.csv", motion, ",")
    lines = path.read_bytes().decode("utf-8").split("\r\n")
    cells = lines[103].split(",")
    cells[9] = "1.2.3"  # Shimmer_8D12_Accel_LN_X_CAL
    lines[103] = ",".join(cells)
    path.write_bytes("\r\n".join(lines).encode("utf-8"))
    with pytest.raises(InputError) as error:
        read_recording(path)
    message = str(error.value)
    assert "line 104" in message and "Shimmer_8D12_Accel_LN_X_CAL" in message
    assert "1.2.3" in message and "\n" not in message


def test_science_journal_relative_time(tmp_path: Path, motion: Motion) -> None:
    path = write_table(
        tmp_path / "walk.csv",
        ["relative_time", "AccX", "AccY", "AccZ"],
        [np.round(motion.t * 1000).astype(np.int64), *motion.acc.T],
    )
    rec = read_recording(path)
    assert rec.sampling_rate_hz == 100 and rec.n_samples == motion.acc.shape[0]
    _assert_close(rec, motion)


def test_polar_sensor_logger_milli_g(tmp_path: Path, motion: Motion) -> None:
    """Polar Sensor Logger's ACC file: semicolons, acceleration in milli-g as its
    header says ("X [mg]"); without that word, a gravity of about 1000 is not taken
    for milli-g (raw counts of many sensors read near 1000 too): the one-line error
    says so, and --acc-unit mg reads it."""
    stamps = np.array(
        [(np.datetime64("2023-11-14T22:13:20.000") + np.timedelta64(round(s * 1e3), "ms"))
         .astype(str) for s in motion.t],
        dtype=object,
    )  # fmt: skip
    sensor_ns = 599_000_000_000_000_000 + np.round(motion.t * 1e9).astype(np.int64)
    header = ["Phone timestamp", "sensor timestamp [ns]", "X [mg]", "Y [mg]", "Z [mg]"]
    columns = [stamps, sensor_ns, *(1000 * motion.acc / G).T]
    rec = read_recording(write_table(tmp_path / "ACC.txt", header, columns, sep=";"))
    assert rec.units["acc"].unit == "mg" and rec.units["acc"].decided_by == "file"
    assert rec.sampling_rate_hz == 100
    _assert_close(rec, motion, acc_tol=1e-5)
    plain = write_table(
        tmp_path / "plain.txt", [h.replace(" [mg]", "") for h in header], columns, sep=";"
    )
    with pytest.raises(InputError, match=r"about 1000: milli-g\? or raw counts.*g, mg or mps2"):
        read_recording(plain)
    rec = read_recording(plain, acc_unit="mg")
    assert rec.units["acc"].unit == "mg" and rec.units["acc"].decided_by == "user"
    _assert_close(rec, motion, acc_tol=1e-5)


def test_generic_with_units_in_names(tmp_path: Path, motion: Motion) -> None:
    path = write_table(
        tmp_path / "walk.csv",
        ["t_s", "acc_x_g", "acc_y_g", "acc_z_g", "gyr_x_dps", "gyr_y_dps", "gyr_z_dps"],
        [motion.t, *(motion.acc / G).T, *np.rad2deg(motion.gyro).T],
        fmt="{:.8f}",
    )
    rec = read_recording(path)
    assert rec.units["acc"].to_dict() == {
        "unit": "g", "decided_by": "file", "evidence": "column header says g"
    }  # fmt: skip
    assert rec.units["gyro"].unit == "dps" and rec.units["gyro"].decided_by == "file"
    _assert_close(rec, motion, acc_tol=1e-6, gyro_tol=1e-6)


def test_quiet_deg_per_s_told_by_gravity_rotation(tmp_path: Path) -> None:
    """Small angular rates in deg/s are recognised from how gravity turns."""
    m = make_motion(seconds=30, sway_rad=0.05, sway_hz=1.0, bounce=0.3)
    dps = np.rad2deg(m.gyro)
    assert np.percentile(np.linalg.norm(dps, axis=1), 99) < 20
    path = write_table(
        tmp_path / "quiet.csv",
        ["time", "acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"],
        [m.t, *m.acc.T, *dps.T],
        fmt="{:.8f}",
    )
    rec = read_recording(path)
    assert rec.units["gyro"].unit == "dps", rec.units["gyro"].evidence


def test_mobgap_header_is_recognised(tmp_path: Path, motion: Motion) -> None:
    path = write_table(
        tmp_path / "x.dat",
        ["time_s", "acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"],
        [motion.t, *motion.acc.T, *np.rad2deg(motion.gyro).T],
    )
    rec = read_recording(path)
    assert rec.format == "mobgap-csv"
    assert rec.units["gyro"].unit == "dps"


def test_downsampling_filters_aliases(tmp_path: Path) -> None:
    rate = 200.0
    t = np.arange(int(10 * rate)) / rate
    slow = np.sin(2 * np.pi * 2 * t)
    fast = 0.5 * np.sin(2 * np.pi * 80 * t)  # would alias to 20 Hz at 100 Hz
    acc = np.column_stack([slow + fast, np.zeros_like(t), np.full_like(t, G)])
    path = write_table(tmp_path / "fast.csv", ["time", "ax", "ay", "az"], [t, *acc.T], fmt="{:.9f}")
    rec = read_recording(path, target_rate_hz=100)
    assert rec.sampling_rate_hz == 100
    x = rec.acc_mps2[50:-50, 0]
    expected = np.sin(2 * np.pi * 2 * rec.time_s[50:-50])
    assert np.max(np.abs(x - expected)) < 0.03
    assert any("resampled" in n for n in rec.notes)


def test_phone_jitter_and_odd_rate(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    rate = 104.17
    n = 3000
    t = np.cumsum(rng.normal(1 / rate, 0.0006, n))
    t -= t[0]
    acc = np.column_stack([np.sin(2 * np.pi * 1.5 * t), np.zeros(n), np.full(n, G)])
    path = write_table(
        tmp_path / "phone.csv", ["time", "ax", "ay", "az"], [t, *acc.T], fmt="{:.9f}"
    )
    rec = read_recording(path)
    assert rec.sampling_rate_hz == 104.0
    assert rec.source_rate_hz == pytest.approx(rate, rel=0.01)
    np.testing.assert_allclose(rec.acc_mps2[:, 0], np.sin(2 * np.pi * 1.5 * rec.time_s), atol=0.01)


# --- phyphox ----------------------------------------------------------------------------


def _phyphox_table(t: np.ndarray, xyz: np.ndarray, names: list[str], sep: str, dec: str) -> str:
    header = sep.join(f'"{n}"' for n in names)
    rows = []
    for i in range(len(t)):
        vals = [f"{t[i]:.9E}", *(f"{v:.9E}" for v in xyz[i])]
        if dec != ".":
            vals = [v.replace(".", dec) for v in vals]
        rows.append(sep.join(vals))
    return header + "\n" + "\n".join(rows) + "\n"


_PHY_ACC = [
    "Time (s)",
    "Acceleration x (m/s^2)",
    "Acceleration y (m/s^2)",
    "Acceleration z (m/s^2)",
]
_PHY_GYR = ["Time (s)", "Gyroscope x (rad/s)", "Gyroscope y (rad/s)", "Gyroscope z (rad/s)"]


def _phyphox_export(motion: Motion, sep: str = ",", dec: str = ".") -> dict[str, str]:
    # the gyroscope runs on its own clock, a little later and at another rate
    tg = np.arange(0.013, motion.t[-1], 1 / 120.0)
    gyro = np.column_stack([np.interp(tg, motion.t, motion.gyro[:, j]) for j in range(3)])
    time_csv = (
        sep.join(['"event"', '"experiment time"', '"system time"', '"system time text"'])
        + "\n"
        + sep.join(['"START"', "0.000000000E0".replace(".", dec),
                    "1700000000.000".replace(".", dec), '"2023-11-14 22:13:20.000 UTC+00:00"'])
        + "\n"
    )  # fmt: skip
    return {
        "Accelerometer.csv": _phyphox_table(motion.t + 0.004, motion.acc, _PHY_ACC, sep, dec),
        "Gyroscope.csv": _phyphox_table(tg + 0.004, gyro, _PHY_GYR, sep, dec),
        "meta/device.csv": f'"property"{sep}"value"\n"deviceModel"{sep}"Pixel 7"\n',
        "meta/time.csv": time_csv,
    }


@pytest.mark.parametrize(("sep", "dec"), [(",", "."), (";", ","), ("\t", ".")])
def test_phyphox_zip(tmp_path: Path, motion: Motion, sep: str, dec: str) -> None:
    path = tmp_path / "phyphox export.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in _phyphox_export(motion, sep, dec).items():
            zf.writestr(name, text)
    rec = read_recording(path)
    assert rec.format == "phyphox"
    assert rec.sampling_rate_hz == 100
    assert rec.units["acc"].decided_by == "file"
    assert rec.units["gyro"].unit == "rads"
    _assert_close(rec, motion, acc_tol=1e-6, gyro_tol=0.02)
    assert rec.start_time == datetime.fromtimestamp(1_700_000_000.004, tz=UTC)


def test_phyphox_folder(tmp_path: Path, motion: Motion) -> None:
    folder = tmp_path / "export"
    for name, text in _phyphox_export(motion).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    rec = read_recording(folder)
    assert rec.format == "phyphox"
    assert rec.has_gyro
    _assert_close(rec, motion, acc_tol=1e-6, gyro_tol=0.02)
    one = read_recording(folder / "Accelerometer.csv")
    assert one.format == "phyphox" and one.has_gyro


def test_phyphox_single_file(tmp_path: Path, motion: Motion) -> None:
    path = tmp_path / "Raw Data.csv"
    names = [*_PHY_ACC, "Absolute acceleration (m/s^2)"]
    absval = np.linalg.norm(motion.acc, axis=1)[:, None]
    path.write_text(_phyphox_table(motion.t, np.hstack([motion.acc, absval]), names, ",", "."))
    rec = read_recording(path)
    assert rec.format == "phyphox"
    assert rec.gyro_rads is None
    _assert_close(rec, motion, acc_tol=1e-6)


def test_phyphox_gyroscope_only_is_refused(tmp_path: Path, motion: Motion) -> None:
    path = tmp_path / "Gyroscope.csv"
    path.write_text(_phyphox_table(motion.t, motion.gyro, _PHY_GYR, ",", "."))
    with pytest.raises(UnsupportedFormatError, match="no acceleration"):
        read_recording(path)


def test_phyphox_linear_acceleration_needs_gravity(tmp_path: Path, motion: Motion) -> None:
    lin = motion.acc - motion.acc.mean(axis=0)
    names = ["Time (s)", *(f"Linear Acceleration {a} (m/s^2)" for a in "xyz")]
    path = tmp_path / "Linear.csv"
    path.write_text(_phyphox_table(motion.t, lin, names, ",", "."))
    with pytest.raises(InputError, match="does not include gravity"):
        read_recording(path)


# --- Sensor Logger ----------------------------------------------------------------------


def _sensor_logger_csv(t: np.ndarray, xyz: np.ndarray) -> str:
    ns = EPOCH_NS + np.round(t * 1e9).astype(np.int64)
    lines = ["time,seconds_elapsed,z,y,x"]
    for i in range(len(t)):
        x, y, z = xyz[i]
        lines.append(f"{ns[i]},{t[i]:.9f},{float(z)!r},{float(y)!r},{float(x)!r}")
    return "\n".join(lines) + "\n"


def _sensor_logger_export(motion: Motion, platform: str) -> dict[str, str]:
    rng = np.random.default_rng(1)
    n = motion.t.shape[0]
    # each sensor has its own jittered clock
    ta = motion.t + rng.normal(0, 0.0005, n)
    ta[0] = 0.0
    tg = motion.t + 0.003 + rng.normal(0, 0.0005, n)
    # gravity direction in the sensor frame: low-passed acceleration is close enough here
    from scipy.signal import butter, sosfiltfilt

    sos = butter(2, 0.3, fs=motion.rate, output="sos")
    gravity = sosfiltfilt(sos, motion.acc, axis=0)
    gravity *= G / np.linalg.norm(gravity, axis=1, keepdims=True)
    user = motion.acc - gravity
    scale = 1 / G if platform == "ios-g" else 1.0
    files = {
        "Accelerometer.csv": _sensor_logger_csv(ta, user * scale),
        "Gravity.csv": _sensor_logger_csv(ta, gravity * scale),
        "Gyroscope.csv": _sensor_logger_csv(tg, motion.gyro),
        "Metadata.csv": (
            "version,device name,recording epoch time,recording time,recording timezone,"
            "platform,appVersion,device id,sensors,sampleRateMs,standardisation,platform version\n"
            f"3,Test Phone,{EPOCH_NS // 1_000_000},2023-11-14_22-13-20,UTC,"
            f"{'android' if platform == 'android' else 'ios'},1.40,abc,"
            "Accelerometer|Gyroscope|Gravity,10|10|10,false,14\n"
        ),
    }
    if platform == "android":
        files["TotalAcceleration.csv"] = _sensor_logger_csv(ta, motion.acc)
    return files


@pytest.mark.parametrize("platform", ["android", "ios", "ios-g"])
def test_sensor_logger_zip(tmp_path: Path, motion: Motion, platform: str) -> None:
    path = tmp_path / "2023-11-14_22-13-20.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in _sensor_logger_export(motion, platform).items():
            zf.writestr(f"2023-11-14_22-13-20/{name}", text)
    rec = read_recording(path)
    assert rec.format == "sensor-logger"
    assert rec.sampling_rate_hz == 100
    assert rec.start_time == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert rec.units["acc"].unit == ("g" if platform == "ios-g" else "mps2")
    assert rec.units["gyro"].unit == "rads"
    _assert_close(rec, motion, acc_tol=0.05, gyro_tol=0.05)
    if platform != "android":
        assert any("gravity stream was added" in n for n in rec.notes)


def test_sensor_logger_folder_and_single_file(tmp_path: Path, motion: Motion) -> None:
    folder = tmp_path / "rec"
    folder.mkdir()
    for name, text in _sensor_logger_export(motion, "android").items():
        (folder / name).write_text(text)
    rec = read_recording(folder)
    assert rec.format == "sensor-logger" and rec.has_gyro
    one = read_recording(folder / "TotalAcceleration.csv")
    assert one.has_gyro  # the siblings were read too
    assert any("whole Sensor Logger export folder" in n for n in one.notes)


def test_sensor_logger_lonely_files(tmp_path: Path, motion: Motion) -> None:
    total = tmp_path / "TotalAcceleration.csv"
    total.write_text(_sensor_logger_csv(motion.t, motion.acc))
    rec = read_recording(total)
    assert rec.format == "sensor-logger" and not rec.has_gyro
    gyro_dir = tmp_path / "g"
    gyro_dir.mkdir()
    (gyro_dir / "Gyroscope.csv").write_text(_sensor_logger_csv(motion.t, motion.gyro))
    with pytest.raises(UnsupportedFormatError, match="angular rate"):
        read_recording(gyro_dir / "Gyroscope.csv")


def test_sensor_logger_zip_without_metadata(tmp_path: Path, motion: Motion) -> None:
    path = tmp_path / "e.zip"
    files = _sensor_logger_export(motion, "ios")
    del files["Metadata.csv"]
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    rec = read_recording(path)
    assert rec.format == "sensor-logger" and rec.has_gyro


def test_sensor_logger_without_gravity_is_refused(tmp_path: Path, motion: Motion) -> None:
    path = tmp_path / "e.zip"
    files = _sensor_logger_export(motion, "ios")
    del files["Gravity.csv"]
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    with pytest.raises(InputError, match="does not include gravity"):
        read_recording(path)


# --- Xsens variants ---------------------------------------------------------------------


def _xsens(path: Path, header: list[str], rows: list[list[float]], preamble: list[str]) -> Path:
    lines = [*preamble, "\t".join(header)]
    lines += ["\t".join(f"{v}" for v in r) for r in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_xsens_mt_manager_variant(tmp_path: Path, motion: Motion) -> None:
    n = motion.t.shape[0]
    counter = (np.arange(n) + 65_000) % 65_536  # wraps around
    stf = (np.arange(n) * 100 + 4_294_960_000) % (1 << 32)
    rows = [
        [int(counter[i]), int(stf[i]), *motion.acc[i], *motion.gyro[i], ""] for i in range(n)
    ]  # trailing tab, no Mag columns
    path = _xsens(
        tmp_path / "MT_0120067F-000_00B4.txt",
        ["PacketCounter", "SampleTimeFine", "Acc_X", "Acc_Y", "Acc_Z", "Gyr_X", "Gyr_Y", "Gyr_Z"],
        rows,
        ["// Start Time: Unknown", "// Update Rate: 100.0Hz", "// Filter Profile: human (46.1)"],
    )
    rec = read_recording(path)
    assert rec.format == "xsens-txt"
    assert rec.n_samples == n
    assert rec.placement == "auto"
    _assert_close(rec, motion, acc_tol=1e-9, gyro_tol=1e-9)


def test_xsens_sample_time_fine_only(tmp_path: Path, motion: Motion) -> None:
    n = motion.t.shape[0]
    rows = [[int(i * 100), *motion.acc[i], *motion.gyro[i]] for i in range(n)]
    path = _xsens(
        tmp_path / "s_lb.txt",
        ["SampleTimeFine", "Acc_X", "Acc_Y", "Acc_Z", "Gyr_X", "Gyr_Y", "Gyr_Z"],
        rows,
        [],
    )
    rec = read_recording(path)
    assert rec.format == "xsens-txt"
    assert rec.sampling_rate_hz == 100
    assert rec.placement == "lower_back"
    _assert_close(rec, motion, acc_tol=1e-9, gyro_tol=1e-9)


def test_xsens_without_rate_is_refused(tmp_path: Path, motion: Motion) -> None:
    rows = [[i, *motion.acc[i], *motion.gyro[i]] for i in range(50)]
    path = _xsens(
        tmp_path / "x.txt", ["PacketCounter", "Acc_X", "Acc_Y", "Acc_Z", "Gyr_X", "Gyr_Y", "Gyr_Z"],
        rows, [],
    )  # fmt: skip
    with pytest.raises(InputError, match="sampling rate"):
        read_recording(path)


# --- wearables (optional readers) ----------------------------------------------------------


def test_wearable_reader_missing_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    real = importlib.import_module

    def fake(name: str, *args: object) -> object:
        if name.startswith(("actipy", "pygt3x")):
            raise ImportError(name)
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", fake)
    cwa = tmp_path / "rec.cwa"
    cwa.write_bytes(b"MD\xfc\x03" + bytes(1020))
    with pytest.raises(InputError, match=r"pip install 'retrowalk\[wearables\]'"):
        read_recording(cwa)
    gt3x = tmp_path / "rec.gt3x"
    with zipfile.ZipFile(gt3x, "w") as zf:
        zf.writestr("info.txt", "Serial Number: X\nSample Rate: 30\n")
        zf.writestr("log.bin", b"\x1e")
    with pytest.raises(InputError, match="pygt3x"):
        read_recording(gt3x)


def test_damaged_gt3x_is_input_error(tmp_path: Path) -> None:
    pytest.importorskip("pygt3x")
    gt3x = tmp_path / "rec.gt3x"
    with zipfile.ZipFile(gt3x, "w") as zf:
        zf.writestr("info.txt", "Serial Number: X\nSample Rate: 30\n")
        zf.writestr("log.bin", b"\x1e\x00garbage")
    with pytest.raises(InputError):
        read_recording(gt3x)


def test_axivity_cwa_ax6(tmp_path: Path) -> None:
    pytest.importorskip("actipy")
    import shutil

    if shutil.which("java") is None:
        pytest.skip("actipy needs Java")
    m = make_motion(seconds=20)
    path = write_cwa(tmp_path / "rec.cwa", m.acc / G, np.rad2deg(m.gyro), 1_700_000_000)
    rec = read_recording(path)
    assert rec.format == "axivity-cwa"
    assert rec.sampling_rate_hz == 100
    assert rec.n_samples == 2000
    assert rec.units["acc"].unit == "g" and rec.units["gyro"].unit == "dps"
    assert rec.start_time == datetime(2023, 11, 14, 22, 13, 20)
    _assert_close(rec, m, acc_tol=G / 256, gyro_tol=np.deg2rad(1 / 16))


def test_actigraph_gt3x(tmp_path: Path) -> None:
    pytest.importorskip("pygt3x")
    m = make_motion(seconds=20, rate=30)
    path = write_gt3x(tmp_path / "rec.gt3x", m.acc / G, 1_700_000_000)
    rec = read_recording(path)
    assert rec.format == "actigraph-gt3x"
    assert rec.sampling_rate_hz == 30
    assert rec.n_samples == 600
    assert rec.gyro_rads is None
    assert rec.start_time == datetime(2023, 11, 14, 22, 13, 20)
    _assert_close(rec, m, acc_tol=G / 256)


def test_damaged_cwa_is_input_error(tmp_path: Path) -> None:
    pytest.importorskip("actipy")
    path = tmp_path / "bad.cwa"
    path.write_bytes(b"MD\xfc\x03" + bytes(1020) + b"AX" + bytes(510))
    with pytest.raises(InputError):
        read_recording(path)
