"""Real recordings damaged the way files get damaged: each is refused in one line
naming the file and line (and field), or read with a note, never read wrong in silence.

Every mutant is built from a real file in ``tmp_path``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from realdata import device_export, ipol_file, phone_steps_recordings, require
from retrowalk.cli.main import app
from retrowalk.core.errors import InputError
from retrowalk.io import read_recording


def _refused(path: Path) -> InputError:
    with pytest.raises(InputError) as info:
        read_recording(path)
    message = str(info.value)
    assert "\n" not in message
    assert str(path) in message
    return info.value


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().split(b"\n")


def _copy_with(src: Path, dst: Path, line: int, edit: object) -> Path:
    """``src`` copied to ``dst`` with its 1-based ``line`` changed by ``edit``."""
    lines = _lines(src)
    lines[line - 1] = edit(lines[line - 1])  # type: ignore[operator]
    dst.write_bytes(b"\n".join(lines))
    return dst


def _decimal_comma(line: bytes) -> bytes:
    return line.replace(b".", b",", 1)


@pytest.mark.parametrize(
    ("which", "line"),
    [("phyphox", 1243), ("phone", 13753), ("sensor-logger", 21798)],
)
def test_a_cell_split_in_two_is_refused(tmp_path: Path, which: str, line: int) -> None:
    """A decimal comma in one cell of a comma-separated table splits it in two: the
    cells after it would be read into the wrong columns (the time of a phyphox row
    became 1 s and its x acceleration 1.8e9 m/s^2, sorted into place with a note
    that said only 'timestamps went backwards'). The tables read only some of their
    columns (phyphox's absolute acceleration, the phone's accuracy flag, Sensor
    Logger's seconds_elapsed are left out), so their parser let the row through."""
    if which == "phyphox":
        src = device_export("phyphox", "phyphox390_walking_hand_sophia.csv")
    elif which == "phone":
        src = phone_steps_recordings()[0][1]
    else:
        src = device_export("sensor-logger", "ronin_shopping_mall_eight", "TotalAcceleration.csv")
    read_recording(src)  # the file as it is reads
    err = _refused(_copy_with(src, tmp_path / src.name, line, _decimal_comma))
    assert err.line == line
    assert "found" in err.reason and "fields" in err.reason


def test_a_garbage_row_of_many_fields_is_refused(tmp_path: Path) -> None:
    """A damaged row of thousands of fields in a headerless phone table was read as a
    row timed at 1 ns, which stretched the time axis over ten days (2.5 GiB asked for)."""
    src = phone_steps_recordings()[0][1]
    path = _copy_with(src, tmp_path / "accelerometer.csv", 2877, lambda _: b"1," * 35_000)
    err = _refused(path)
    assert err.line == 2877
    assert "expected 5 fields, found 35001" in err.reason


def test_trailing_separators_are_still_read(tmp_path: Path) -> None:
    src = device_export("phyphox", "phyphox390_walking_hand_sophia.csv")
    path = _copy_with(src, tmp_path / src.name, 100, lambda b: b + b",,")
    assert read_recording(path).n_samples == read_recording(src).n_samples


def _cell(column: int, value: bytes, sep: bytes = b",") -> object:
    def edit(line: bytes) -> bytes:
        cells = line.split(sep)
        cells[column] = value
        return sep.join(cells)

    return edit


@pytest.mark.parametrize(
    ("which", "line", "column", "value", "field"),
    [
        ("ipol", 2354, 1, b"1e308", "Acc_X"),
        ("mobgap", 972, 4, b"-9e15", "gyr_x"),
        ("axivity-csv", 90, 3, b"1.7976931348623157e308", "acc_z"),
    ],
)
def test_a_value_no_sensor_gives_is_refused(
    tmp_path: Path, which: str, line: int, column: int, value: bytes, field: str
) -> None:
    """A damaged cell that is still a number (1e308) was read as a sample, without a
    note: 1e308 m/s^2 overflowed in the analysis, and the largest float in g became
    inf m/s^2 in the recording (in a file that is otherwise refused, its acceleration
    having no gravity: the damaged value gave it some)."""
    sep = b","
    if which == "ipol":
        src, sep = ipol_file("5-4_lb"), b"\t"
    elif which == "mobgap":
        src = require("mobgap-lab", "MS_001_Test5_Trial2.csv")
    else:
        src = device_export("generic-csv", "GGIR_ax6_testfile_formatted_timestamps.csv")
    err = _refused(_copy_with(src, tmp_path / src.name, line, _cell(column, value, sep)))
    assert (err.line, err.field) == (line, field)
    assert "no sensor reading" in err.reason


def _time_shifted(src: Path, dst: Path, from_line: int, seconds: float) -> Path:
    """A mobgap-lab CSV whose time (first column, seconds) jumps by ``seconds`` at
    ``from_line`` (1-based) and runs on from there."""
    lines = _lines(src)
    for k in range(from_line - 1, len(lines)):
        cells = lines[k].split(b",")
        if len(cells) > 1:
            cells[0] = repr(float(cells[0]) + seconds).encode()
            lines[k] = b",".join(cells)
    dst.write_bytes(b"\n".join(lines))
    return dst


def test_a_time_jump_of_days_is_refused(tmp_path: Path) -> None:
    """A clock set 11.6 days ahead in the middle of 2.7 min of samples was filled by
    holding values: 100 million samples (7.7 GB) for a 16 000-row file."""
    src = require("mobgap-lab", "HA_002_Test11_Trial1.csv")
    err = _refused(_time_shifted(src, tmp_path / src.name, 11600, 1e6))
    assert (err.line, err.field) == (11600, "time_s")
    assert "jumps forward by 11.6 days" in err.reason


def test_one_damaged_timestamp_is_refused(tmp_path: Path) -> None:
    """One digit of a nanosecond clock changed (1718... -> 1738...) put one row 231 days ahead;
    sorted to the end, it asked for 15 GiB of time axis."""
    src = device_export("sensor-logger", "ronin_shopping_mall_eight", "TotalAcceleration.csv")
    err = _refused(_copy_with(src, tmp_path / src.name, 3498, lambda b: b[:2] + b"3" + b[3:]))
    assert (err.line, err.field) == (3498, "time")
    assert "jumps forward by 231 days" in err.reason


def test_an_hour_without_samples_is_still_a_gap(tmp_path: Path) -> None:
    src = require("mobgap-lab", "HA_002_Test11_Trial1.csv")
    rec = read_recording(_time_shifted(src, tmp_path / src.name, 11600, 3600.0))
    assert len(rec.gaps) == 1 and rec.gaps[0].duration_s == pytest.approx(3600.0, abs=0.1)
    assert any("gap" in note for note in rec.notes)


def _ax6_blocks() -> bytearray:
    pytest.importorskip("actipy")
    return bytearray(device_export("cwa", "skdh_ax6_sample.cwa").read_bytes())


def test_a_repeated_cwa_block_is_noted_and_the_json_stays_clean(tmp_path: Path) -> None:
    """A data block written twice: the Axivity reader drops the samples whose time
    does not advance, and printed that on stdout, into the JSON of
    ``retrowalk analyze --json -``; the recording said nothing of it (and one sample
    was not the original's)."""
    raw = _ax6_blocks()
    block = 114
    raw[(block + 1) * 512 : (block + 1) * 512] = raw[block * 512 : (block + 1) * 512]
    path = tmp_path / "skdh_ax6_sample.cwa"
    path.write_bytes(bytes(raw))
    rec = read_recording(path)
    assert any("time did not advance" in note for note in rec.notes)
    result = CliRunner().invoke(app, ["analyze", str(path), "--json", "-"])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert any("time did not advance" in note for note in doc["recording"]["notes"])


def test_a_cwa_file_cut_inside_a_block_is_noted(tmp_path: Path) -> None:
    """A download cut off inside a block: the samples read end there, and the
    recording said nothing of it."""
    raw = _ax6_blocks()
    path = tmp_path / "skdh_ax6_sample.cwa"
    path.write_bytes(bytes(raw[: 200 * 512 + 300]))
    rec = read_recording(path)
    assert any("cut off" in note for note in rec.notes)
    whole = read_recording(device_export("cwa", "skdh_ax6_sample.cwa"))
    assert not any("cut off" in note for note in whole.notes)


def _gt3x_with(src: Path, dst: Path, member: str, edit: object) -> Path:
    """``src`` (a .gt3x archive) written to ``dst`` with ``member`` changed by ``edit``."""
    with zipfile.ZipFile(src) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    members[member] = edit(members[member])  # type: ignore[operator]
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return dst


def test_a_gt3x_log_cut_short_is_noted(tmp_path: Path) -> None:
    """The ActiGraph reader stops at the first record of log.bin it cannot read: a
    5-min file cut off read as 47 s of samples, without a word. info.txt states when
    the last sample was taken."""
    pytest.importorskip("pygt3x")
    src = device_export("gt3x", "pygt3x_ISM_Disabled.gt3x")
    assert not any("cut off" in note for note in read_recording(src).notes)
    rec = read_recording(_gt3x_with(src, tmp_path / src.name, "log.bin", lambda b: b[:10_100]))
    assert rec.n_samples == 1410
    assert any("before the time info.txt states for the last one" in note for note in rec.notes)


def test_a_table_on_another_clock_is_ignored_with_a_note(tmp_path: Path) -> None:
    """Damaged bytes in the header of a Sensor Logger export's Gyroscope.csv: its
    nanosecond 'time' column is no longer recognised and its seconds_elapsed is
    read, 1.7e9 s before the acceleration's clock. The whole recording's angular
    rate was one held value, with a note that the gyro 'covers -1718030736.9 s less
    at the start'."""
    folder = tmp_path / "ronin_shopping_mall_eight"
    shutil.copytree(device_export("sensor-logger", "ronin_shopping_mall_eight"), folder)
    gyro = folder / "Gyroscope.csv"
    gyro.chmod(0o644)
    _copy_with(gyro, gyro, 1, lambda b: b[:1] + b"\x80\x81\x82" + b[1:])
    rec = read_recording(folder)
    assert rec.gyro_rads is None
    assert any(
        note.startswith("Gyroscope.csv: its times") and "gyro ignored" in note for note in rec.notes
    )
    whole = read_recording(device_export("sensor-logger", "ronin_shopping_mall_eight"))
    assert rec.n_samples == whole.n_samples
    assert (rec.acc_mps2 == whole.acc_mps2).all()


def test_a_legacy_gt3x_cut_short_is_noted(tmp_path: Path) -> None:
    """The legacy (NEO) layout's activity.bin cut off at a whole sample: 524 s of the
    600 s its info.txt spans from start to stop date, read without a word."""
    pytest.importorskip("pygt3x")
    src = device_export("gt3x", "pygt3x_neo.gt3x")
    assert not any("cut off" in note for note in read_recording(src).notes)
    rec = read_recording(_gt3x_with(src, tmp_path / src.name, "activity.bin", lambda b: b[:70_848]))
    assert rec.n_samples == 15_744
    assert any("before the time info.txt states for the last one" in n for n in rec.notes)


# Reads a file in a child whose address space is limited (so that a reader that
# grows without end fails there), and prints the error and its peak memory (VmHWM).
_CHILD = (
    "import json, sys; from retrowalk.io import read_recording; "
    "error = None\n"
    "try: read_recording(sys.argv[1])\n"
    "except Exception as exc: error = str(exc)\n"
    "hwm = [int(line.split()[1]) for line in open('/proc/self/status') "
    "if line.startswith('VmHWM')][0]; "
    "print(json.dumps({'error': error, 'peak_mb': hwm / 1024}))"
)


def _limited_child() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (3 * 1024**3, resource.RLIM_INFINITY))


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_a_row_of_millions_of_fields_is_refused_in_little_memory(tmp_path: Path) -> None:
    """A damaged row of 2.5 million fields in a real 300 KB Xsens file (its
    magnetometer columns are not read): pandas' parser, told to read only some
    columns, grew to 19 GB on it before the system killed the command."""
    src = ipol_file("3-1_rf")
    path = _copy_with(src, tmp_path / src.name, 1536, lambda _: b"1\t" * 2_500_000)
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_limited_child,
    )
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["error"] is not None and "\n" not in got["error"]
    assert f"{path}, line 1536: expected 10 fields, found 2500001" in got["error"]
    assert got["peak_mb"] < 600, f"peak {got['peak_mb']:.0f} MB"


def test_a_line_of_a_million_digits_names_its_line(tmp_path: Path) -> None:
    """The line-by-line diagnosis stopped at csv's limit on a cell's length, and the
    message named no line ('field larger than field limit (131072)')."""
    src = require("mobgap-lab", "MS_001_Test5_Trial2.csv")
    err = _refused(_copy_with(src, tmp_path / src.name, 495, lambda _: b"1" * 1_000_000))
    assert err.line == 495


def _time_scaled(src: Path, dst: Path, from_line: int, factor: float) -> Path:
    """A table whose first column (its time) is multiplied by ``factor`` from
    ``from_line`` (1-based) on."""
    lines = _lines(src)
    for k in range(from_line - 1, len(lines)):
        cells = lines[k].split(b",")
        if len(cells) > 1:
            cells[0] = repr(float(cells[0]) * factor).encode()
            lines[k] = b",".join(cells)
    dst.write_bytes(b"\n".join(lines))
    return dst


def test_time_in_other_units_from_some_row_on_is_refused(tmp_path: Path) -> None:
    """A real phyphox walk whose time column is in ms from line 1183 on (a writer
    that changed units) went back once, so the sort that repairs a few rows out of
    order moved every row: 5999 samples became 1.2 million on a 1000 times denser
    clock, with notes that said only that rows were sorted and holes bridged."""
    src = device_export("phyphox", "phyphox390_walking_front_pocket_brant.csv")
    err = _refused(_time_scaled(src, tmp_path / src.name, 1183, 0.001))
    assert (err.line, err.field) == (1183, "Time (s)")
    assert "goes back by 11.8 s" in err.reason and "out of time order" in err.reason


def test_a_clock_set_back_is_refused_and_a_late_row_is_still_sorted(tmp_path: Path) -> None:
    """A clock set back by 1 s interleaved two seconds of walking when sorted."""
    src = require("mobgap-lab", "MS_001_Test5_Trial2.csv")
    err = _refused(_time_shifted(src, tmp_path / src.name, 308, -1.0))
    assert (err.line, err.field) == (308, "time_s")
    late = _lines(src)
    late[400], late[401] = late[401], late[400]
    path = tmp_path / "late.csv"
    path.write_bytes(b"\n".join(late))
    rec = read_recording(path)
    assert any("went backwards at 1 row(s)" in note for note in rec.notes)


def test_an_acceleration_table_cut_short_in_an_export_is_noted(tmp_path: Path) -> None:
    """A Sensor Logger export whose TotalAcceleration.csv holds only its first 2000
    rows (of 22 505): the recording is those 20 s, and the 204 s more of angular
    rate were dropped without a word."""
    folder = tmp_path / "ronin_shopping_mall_eight"
    shutil.copytree(device_export("sensor-logger", "ronin_shopping_mall_eight"), folder)
    acc = folder / "TotalAcceleration.csv"
    acc.chmod(0o644)
    acc.write_bytes(b"\n".join(_lines(acc)[:2001]) + b"\n")
    rec = read_recording(folder)
    assert rec.n_samples < 2100
    assert any("longer at the end than the acceleration" in note for note in rec.notes)
    whole = read_recording(device_export("sensor-logger", "ronin_shopping_mall_eight"))
    assert not any("longer at" in note for note in whole.notes)


def test_a_decimal_comma_in_the_first_row_of_a_tab_table_names_the_line(tmp_path: Path) -> None:
    """One cell of a real Xsens file's first data row written with a decimal comma
    makes the table's decimal mark a comma: every other cell is then no number,
    which the line-by-line diagnosis (reading a point as a point) did not see, so
    the message named no line ('the table cannot be parsed')."""
    src = ipol_file("5-4_lb")
    err = _refused(_copy_with(src, tmp_path / src.name, 3, _cell(5, b"1,5", b"\t")))
    assert err.line == 3
    assert "where the first data row has decimal commas" in err.reason


def test_a_gt3x_scale_of_zero_is_named(tmp_path: Path) -> None:
    """info.txt's Acceleration Scale damaged to 0: every sample became NaN, refused
    as acceleration 'without gravity (median |acc| = nan)'."""
    pytest.importorskip("pygt3x")
    src = device_export("gt3x", "pygt3x_ISM_Disabled.gt3x")
    path = _gt3x_with(
        src,
        tmp_path / src.name,
        "info.txt",
        lambda b: b.replace(b"Acceleration Scale: 256.0", b"Acceleration Scale: 0"),
    )
    err = _refused(path)
    assert err.field == "Acceleration Scale"
    assert "scale of 0" in err.reason


@pytest.mark.parametrize("missing", ["log.bin", "info.txt"])
def test_a_gt3x_without_its_data_or_info_says_so(tmp_path: Path, missing: str) -> None:
    """A .gt3x archive missing log.bin or info.txt was refused as a 'zip archive' that
    'holds no supported export'."""
    src = device_export("gt3x", "pygt3x_ISM_Enabled.gt3x")
    path = tmp_path / src.name
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w") as zout:
        for name in zin.namelist():
            if name != missing:
                zout.writestr(name, zin.read(name))
    err = _refused(path)
    assert "ActiGraph .gt3x archive holds log.bin (or activity.bin) and info.txt" in err.reason
    assert missing not in err.reason.split("this one holds")[1]


def test_a_gt3x_log_out_of_step_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """100 bytes repeated inside a record of a real log.bin: the records after it are
    read out of step, one timed in 1997 in an idle-sleep stretch the ActiGraph
    reader fills second by second (14 GiB asked for)."""
    pytest.importorskip("pygt3x")
    src = device_export("gt3x", "GGIR_actigraph_testfile.gt3x")
    path = _gt3x_with(src, tmp_path / src.name, "log.bin", lambda b: b[:2682] + b[2582:])
    err = _refused(path)
    assert "log.bin is damaged at byte 2677 of 87832" in err.reason


def test_a_gt3x_rate_no_device_has_is_refused(tmp_path: Path) -> None:
    """info.txt's Sample Rate damaged to 99999999: 194 GiB asked for."""
    pytest.importorskip("pygt3x")
    src = device_export("gt3x", "GGIR_actigraph_testfile.gt3x")
    path = _gt3x_with(
        src,
        tmp_path / src.name,
        "info.txt",
        lambda b: b.replace(b"Sample Rate: 30", b"Sample Rate: 99999999"),
    )
    err = _refused(path)
    assert err.field == "Sample Rate"
    assert "'99999999' Hz" in err.reason


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_a_table_saved_as_utf16_is_named_so(tmp_path: Path, encoding: str) -> None:
    """A real phyphox table saved as UTF-16 text (as Windows tools offer) was refused
    as 'binary content (binary data)'."""
    src = device_export("phyphox", "phyphox390_walking_hand_sophia.csv")
    path = tmp_path / src.name
    path.write_bytes(src.read_text(encoding="utf-8").encode(encoding))
    assert "UTF-16" in _refused(path).reason


@pytest.mark.parametrize("offset", [1_000, 38_000])
def test_a_zip_member_that_does_not_decompress_is_named(tmp_path: Path, offset: int) -> None:
    """A byte damaged in the compressed data of the real Sensor Logger zip's
    TotalAcceleration.csv: at 1000 bytes in, the data no longer decompresses and
    zlib's error escaped the reader (a traceback from 'retrowalk analyze'); further
    in, the CRC fails."""
    src = device_export("sensor-logger", "ronin_shopping_mall_eight.zip")
    raw = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as zf:
        info = zf.getinfo("TotalAcceleration.csv")
    raw[info.header_offset + 30 + len(info.filename) + len(info.extra) + offset] ^= 0xFF
    path = tmp_path / src.name
    path.write_bytes(bytes(raw))
    err = _refused(path)
    assert err.path == f"{path}:TotalAcceleration.csv"
    assert "cannot be extracted" in err.reason
    result = CliRunner().invoke(app, ["analyze", str(path), "--json", "-"])
    assert result.exit_code == 2


def test_values_beyond_any_body_worn_sensor_are_noted(tmp_path: Path) -> None:
    """The real ActiLife raw CSV (no time column, acceleration in g) with 1000 g added
    to its x from line 3507 on: read as 1000 g without a word. The values are
    numbers a sensor could in principle give, so they are noted, not refused."""
    src = device_export("gt3x", "pygt3x_neo.csv")
    lines = _lines(src)
    for k in range(3506, len(lines)):
        cells = lines[k].split(b",")
        if len(cells) == 3:
            cells[0] = repr(float(cells[0]) + 1000.0).encode()
            lines[k] = b",".join(cells)
    path = tmp_path / src.name
    path.write_bytes(b"\n".join(lines))
    rec = read_recording(path)
    assert any(
        "14509 acceleration sample(s) beyond 100 g" in note and "116.50 s" in note
        for note in rec.notes
    )
    assert not any("beyond 100 g" in note for note in read_recording(src).notes)


def test_a_gyroscope_table_covering_part_of_the_time_is_left_out(tmp_path: Path) -> None:
    """A Sensor Logger export whose Gyroscope.csv holds only the first 60 % of the
    time: the last 90 s of angular rate were its last value held, a constant
    rotation the analysis took for a turn, and the stated lower-back walk came out
    backward at confidence 0.8 (the whole file: direction uncertain)."""
    folder = tmp_path / "ronin_shopping_mall_eight"
    shutil.copytree(device_export("sensor-logger", "ronin_shopping_mall_eight"), folder)
    gyro = folder / "Gyroscope.csv"
    gyro.chmod(0o644)
    lines = [line for line in _lines(gyro) if line.strip()]
    times = [int(line.split(b",")[0]) for line in lines[1:]]
    cut = times[0] + 0.6 * (times[-1] - times[0])
    gyro.write_bytes(
        b"\n".join(lines[:1] + [b for b, t in zip(lines[1:], times, strict=True) if t <= cut])
    )
    rec = read_recording(folder)
    whole = read_recording(device_export("sensor-logger", "ronin_shopping_mall_eight"))
    assert rec.gyro_rads is None and whole.gyro_rads is not None
    assert (rec.acc_mps2 == whole.acc_mps2).all()
    assert any(
        note.startswith("Gyroscope.csv: the angular rate covers only 134.5 s")
        and "none in the last 89.7 s" in note
        and "analysed without the gyroscope" in note
        for note in rec.notes
    )
    assert not any("angular rate covers only" in note for note in whole.notes)
    args = ["analyze", str(folder), "--json", "-", "--placement", "lower_back", "--no-profile"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert [b["direction"] for b in doc["bouts"]] == ["uncertain"]
    assert sum(b["n_steps"] for b in doc["bouts"]) == 421


def test_a_legacy_gt3x_cut_inside_a_sample_says_so(tmp_path: Path) -> None:
    """activity.bin cut one byte after a whole pair of samples: the ActiGraph reader
    failed with 'cannot reshape array of size 47233 into shape (3)'."""
    pytest.importorskip("pygt3x")
    src = device_export("gt3x", "pygt3x_neo.gt3x")
    err = _refused(_gt3x_with(src, tmp_path / src.name, "activity.bin", lambda b: b[:70_849]))
    assert err.reason.startswith("activity.bin ends inside a sample (70849 bytes")
    assert "cut off or damaged" in err.reason and "reshape" not in err.reason


@pytest.mark.parametrize(
    ("name", "field", "value", "kind"),
    [
        ("pygt3x_ISM_Disabled.gt3x", "Start Date", b"", "a whole number"),
        ("pygt3x_neo.gt3x", "Download Date", b"63775598998467x604", "a whole number"),
        ("pygt3x_ISM_Disabled.gt3x", "Battery Voltage", b"", "a number"),
    ],
)
def test_a_gt3x_info_field_that_is_no_number_is_named(
    tmp_path: Path, name: str, field: str, value: bytes, kind: str
) -> None:
    """An info.txt field the ActiGraph reader reads as a number, damaged: its message
    was Python's ('invalid literal for int() with base 10: ''')."""
    pytest.importorskip("pygt3x")
    src = device_export("gt3x", name)

    def edit(info: bytes) -> bytes:
        lines = info.split(b"\n")
        k = next(i for i, line in enumerate(lines) if line.startswith(field.encode() + b":"))
        lines[k] = field.encode() + b": " + value + (b"\r" if lines[k].endswith(b"\r") else b"")
        return b"\n".join(lines)

    err = _refused(_gt3x_with(src, tmp_path / src.name, "info.txt", edit))
    assert err.field == field
    assert f"info.txt states {field} as {value.decode()!r}, not {kind}" in err.reason
    assert "literal" not in err.reason and "convert" not in err.reason


def test_a_gt3x_info_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    pytest.importorskip("pygt3x")
    src = device_export("gt3x", "pygt3x_ISM_Disabled.gt3x")
    path = _gt3x_with(
        src, tmp_path / src.name, "info.txt", lambda b: b.replace(b"Limb: Wrist", b"Limb: Wr\xe9st")
    )
    assert "info.txt is not UTF-8 text (byte 0xe9 on its line 16)" in _refused(path).reason


def test_a_damaged_cwa_block_is_noted_and_stderr_stays_clean(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """One byte damaged in a block of the real AX6 file: the Axivity reader's Java part
    skips the block and printed 'Skipping malformed CWA block: CWA block checksum
    mismatch' on stderr, while the recording's note said samples were dropped where
    'the time did not advance'."""
    raw = _ax6_blocks()
    raw[114 * 512 + 100] ^= 0xFF
    path = tmp_path / "skdh_ax6_sample.cwa"
    path.write_bytes(bytes(raw))
    capfd.readouterr()
    rec = read_recording(path)
    out, err = capfd.readouterr()
    assert "malformed" not in out + err
    assert any(
        "skipped 1 damaged block(s) of the file (1 CWA block checksum mismatch)" in note
        for note in rec.notes
    )
    assert not any("time did not advance" in note for note in rec.notes)
    whole = read_recording(device_export("cwa", "skdh_ax6_sample.cwa"))
    assert not any("skipped" in note for note in whole.notes)


@pytest.mark.parametrize(
    ("which", "line", "byte", "shown"),
    [("axivity-csv", 3, b"\xe9", "byte 0xe9"), ("phone", 50, b"x", "'2x3239391688353'")],
)
def test_a_damaged_byte_in_a_headerless_table_names_its_line(
    tmp_path: Path, which: str, line: int, byte: bytes, shown: str
) -> None:
    """One byte near the top of a real headerless table changed (a latin-1 'é', a
    letter): its layout was no longer recognised, and the message named line 1 and
    asked for --columns."""
    if which == "phone":
        src = phone_steps_recordings()[0][1]
    else:
        src = device_export("generic-csv", "GGIR_ax3_testfile_unix_timestamps.csv")
    path = _copy_with(src, tmp_path / src.name, line, lambda b: b[:1] + byte + b[2:])
    err = _refused(path)
    assert err.line == line
    assert f"this line holds {shown}, no part of a number or time" in err.reason
    assert "--columns" not in err.reason
