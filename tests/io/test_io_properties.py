"""Property-based tests of the generic delimited reader."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from io_helpers import G, make_motion

from retrowalk.core.errors import InputError
from retrowalk.io import read_recording

NAMES = [
    ("time", ("acc_x", "acc_y", "acc_z"), ("gyr_x", "gyr_y", "gyr_z")),
    ("t", ("ax", "ay", "az"), ("gx", "gy", "gz")),
    ("timestamp", ("accX", "accY", "accZ"), ("gyroX", "gyroY", "gyroZ")),
    ("Time", ("Acc_X", "Acc_Y", "Acc_Z"), ("Gyro_X", "Gyro_Y", "Gyro_Z")),
    (
        "loggingTime",
        ("accelerometerAccelerationX", "accelerometerAccelerationY", "accelerometerAccelerationZ"),
        ("gyroRotationX", "gyroRotationY", "gyroRotationZ"),
    ),
    ("seconds", ("x", "y", "z"), None),
    (
        "elapsed",
        ("accelerationX", "accelerationY", "accelerationZ"),
        ("rotationRateX", "rotationRateY", "rotationRateZ"),
    ),
]
DIALECTS = [(",", "."), ("\t", "."), (";", "."), (";", ","), ("\t", ",")]


def _write(path: Path, header: list[str], cols: list[np.ndarray], sep: str, dec: str) -> None:
    txt = [[f"{v:.7f}" for v in c] for c in cols]
    if dec != ".":
        txt = [[v.replace(".", dec) for v in c] for c in txt]
    rows = [sep.join(c[i] for c in txt) for i in range(len(cols[0]))]
    path.write_text(sep.join(header) + "\n" + "\n".join(rows) + "\n")


@settings(max_examples=40, deadline=None)
@given(
    rate=st.sampled_from([12.5, 25.0, 50.0, 60.0, 100.0, 128.0, 200.0]),
    seconds=st.floats(3.0, 8.0),
    names=st.sampled_from(NAMES),
    acc_in_g=st.booleans(),
    gyro_in_dps=st.booleans(),
    time_in_ms=st.booleans(),
    dialect=st.sampled_from(DIALECTS),
    order_seed=st.integers(0, 2**16),
    sway=st.floats(0.25, 0.6),
)
def test_round_trip(
    rate: float,
    seconds: float,
    names: tuple,
    acc_in_g: bool,
    gyro_in_dps: bool,
    time_in_ms: bool,
    dialect: tuple[str, str],
    order_seed: int,
    sway: float,
) -> None:
    m = make_motion(seconds=seconds, rate=rate, sway_rad=sway, seed=order_seed)
    time_name, acc_names, gyro_names = names
    if time_in_ms and time_name == "seconds":
        time_name = "time_ms"  # a name that states seconds must hold seconds
    acc = m.acc / G if acc_in_g else m.acc
    gyro = np.rad2deg(m.gyro) if gyro_in_dps else m.gyro
    t = m.t * 1000 if time_in_ms else m.t
    header = [time_name, *acc_names]
    cols = [t, *acc.T]
    if gyro_names is not None:
        header += list(gyro_names)
        cols += list(gyro.T)
    order = np.random.default_rng(order_seed).permutation(len(header))
    header = [header[i] for i in order]
    cols = [cols[i] for i in order]
    sep, dec = dialect
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rec.csv"
        _write(path, header, cols, sep, dec)
        rec = read_recording(path)
    assert rec.format == "generic-csv"
    assert rec.sampling_rate_hz == rate
    assert rec.n_samples == m.t.shape[0]
    assert rec.units["acc"].unit == ("g" if acc_in_g else "mps2")
    np.testing.assert_allclose(rec.acc_mps2, m.acc, atol=2e-6 * G)
    if gyro_names is None:
        assert rec.gyro_rads is None
    else:
        assert rec.units["gyro"].unit == ("dps" if gyro_in_dps else "rads")
        np.testing.assert_allclose(rec.gyro_rads, m.gyro, atol=1e-6)


def _read_or_input_error(data: bytes, suffix: str = ".csv") -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"garbage{suffix}"
        path.write_bytes(data)
        try:
            rec = read_recording(path)
        except InputError as exc:
            assert "\n" not in str(exc)
            return
        assert rec.n_samples >= 2


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=3000))
def test_random_bytes_only_input_error(data: bytes) -> None:
    _read_or_input_error(data)


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=2000))
def test_random_text_only_input_error(text: str) -> None:
    _read_or_input_error(text.encode("utf-8", errors="surrogatepass"), ".txt")


CELLS = ["0.01", "1.5", "9.81", "-0.2", "", "abc", "nan", "1e309", "-", "1,5", '"2"', "inf",
         "2024-01-01T00:00:00", "0x10", "1e", " ", "9.8.1"]  # fmt: skip


@settings(max_examples=80, deadline=None)
@given(
    header=st.sampled_from(
        [
            "time,acc_x,acc_y,acc_z",
            "time,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z",
            "time;ax;ay;az",
            "PacketCounter\tAcc_X\tAcc_Y\tAcc_Z",
            '"Time (s)","Acceleration x (m/s^2)","Acceleration y (m/s^2)","Acceleration z (m/s^2)"',
            "time,seconds_elapsed,z,y,x",
        ]
    ),
    rows=st.lists(st.lists(st.sampled_from(CELLS), min_size=0, max_size=9), max_size=30),
    preamble=st.sampled_from(["", "Acquisition frequency: 100 Hz\n", "// Update Rate: 50Hz\n"]),
)
def test_csv_like_garbage_only_input_error(
    header: str, rows: list[list[str]], preamble: str
) -> None:
    sep = "\t" if "\t" in header else (";" if ";" in header else ",")
    body = "\n".join(sep.join(r) for r in rows)
    _read_or_input_error((preamble + header + "\n" + body).encode())


@settings(max_examples=200, deadline=None)
@given(
    pieces=st.lists(
        st.sampled_from(
            ["1.5", "a,b", " ", "x" * 150, "\n", "\r", "\r\n", "\x0b", "\x1c", "\u2028"]
        ),
        max_size=400,
    ),
    count=st.integers(0, 40),
)
def test_leading_lines_are_the_first_lines_of_the_whole_split(
    pieces: list[str], count: int
) -> None:
    from retrowalk.io.layout import leading_lines

    text = "".join(pieces)
    whole = text.splitlines(keepends=True)
    lines = leading_lines(text, count)
    if lines is not None:  # None: the caller splits the whole text
        assert len(lines) > count
        assert lines == whole[: len(lines)]


def test_leading_lines_of_a_table_head_split_a_part() -> None:
    from retrowalk.io.layout import leading_lines

    text = "t,x\r\n" + "".join(f"{i},{i * 0.5}\r\n" for i in range(5000))
    lines = leading_lines(text, 64)
    assert lines is not None and 64 < len(lines) < 1000
    assert lines == text.splitlines(keepends=True)[: len(lines)]
