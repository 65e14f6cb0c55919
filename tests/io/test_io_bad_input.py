"""Bad, odd and hostile input: always an InputError with a one-line message, or a note."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np
import pytest
from io_helpers import G, Motion, make_motion, write_table

from retrowalk.core.errors import InputError, UnsupportedFormatError
from retrowalk.io import read_recording

HEADER = ["time", "acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"]


def _csv(tmp_path: Path, m: Motion, name: str = "r.csv") -> Path:
    return write_table(tmp_path / name, HEADER, [m.t, *m.acc.T, *m.gyro.T])


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines()


def _err(path: Path, **kwargs: object) -> InputError:
    with pytest.raises(InputError) as info:
        read_recording(path, **kwargs)  # type: ignore[arg-type]
    msg = str(info.value)
    assert "\n" not in msg
    assert str(path) in msg or path.name in msg
    return info.value


def test_missing_path(tmp_path: Path) -> None:
    err = _err(tmp_path / "nope.csv")
    assert "no such file" in err.reason


def test_empty_and_blank_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert "empty" in _err(empty).reason
    blank = tmp_path / "blank.csv"
    blank.write_text("\n\n   \n")
    assert "empty" in _err(blank).reason


def test_header_only(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text(",".join(HEADER) + "\n")
    err = _err(path)
    assert "no data rows" in err.reason
    assert err.line == 1


@pytest.mark.parametrize(
    "tail",
    ["12.3,9.8", "12.3,9.81,0.1,0.2,0.3,0.4,", "12.3,9.81,0.1,0.2,0.3,0.4,1e", "12.3,9.8\n"],
)
def test_truncated_last_line_is_dropped(tmp_path: Path, tail: str) -> None:
    m = make_motion(seconds=5)
    path = _csv(tmp_path, m)
    with path.open("a") as fh:
        fh.write(tail)
    rec = read_recording(path)
    assert rec.n_samples == m.acc.shape[0]
    assert any("cut off" in n for n in rec.notes)


def test_binary_content(tmp_path: Path) -> None:
    rnd = tmp_path / "noise.csv"
    rnd.write_bytes(np.random.default_rng(0).bytes(5000))
    assert "binary" in _err(rnd).reason
    png = tmp_path / "walk.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    err = _err(png)
    assert isinstance(err, UnsupportedFormatError)
    assert "PNG" in err.reason


def test_office_documents_and_json_say_what_they_are(tmp_path: Path) -> None:
    """An Excel workbook (a zip of XML), a Word document and a JSON export are named
    as such, with what to do, where they read as "zip archive holds no supported
    export" and "no table with a header line was found"; a table with an INI-style
    preamble line ("[Device]") is still a table."""
    book = tmp_path / "walk.xlsx"
    with zipfile.ZipFile(book, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(UnsupportedFormatError, match=r"an Excel workbook.*save the sheet as CSV"):
        read_recording(book)
    doc = tmp_path / "notes.docx"
    with zipfile.ZipFile(doc, "w") as zf:
        zf.writestr("word/document.xml", "<document/>")
    with pytest.raises(UnsupportedFormatError, match="a Word document"):
        read_recording(doc)
    for text in ('{"acc": [[0, 0, 9.8]]}', '\ufeff [\n  {"t": 0, "x": 0}]', "[[0, 0, 9.8]]"):
        path = tmp_path / "walk.json"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(UnsupportedFormatError, match="JSON, not a table"):
            read_recording(path)
    table = tmp_path / "device.csv"
    rows = "\n".join(f"{k / 100:.2f},0,0,9.81" for k in range(300))
    table.write_text(f"[Device]\nname=x\ntime,ax,ay,az\n{rows}\n", encoding="utf-8")
    assert read_recording(table).n_samples == 300


def test_non_numeric_cell_names_line_and_field(tmp_path: Path) -> None:
    m = make_motion(seconds=5)
    path = _csv(tmp_path, m)
    lines = _lines(path)
    cells = lines[4].split(",")
    cells[2] = "abc"
    lines[4] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    err = _err(path)
    assert err.line == 5
    assert err.field == "acc_y"
    assert "abc" in err.reason
    assert "line 5" in str(err) and "acc_y" in str(err)


def test_empty_cell_in_the_middle(tmp_path: Path) -> None:
    m = make_motion(seconds=5)
    path = _csv(tmp_path, m)
    lines = _lines(path)
    cells = lines[100].split(",")
    cells[5] = ""
    lines[100] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    err = _err(path)
    assert (err.line, err.field) == (101, "gyr_y")


def test_bad_time_cell(tmp_path: Path) -> None:
    m = make_motion(seconds=5)
    path = _csv(tmp_path, m)
    lines = _lines(path)
    lines[10] = "noon" + lines[10][lines[10].index(",") :]
    path.write_text("\n".join(lines) + "\n")
    err = _err(path)
    assert (err.line, err.field) == (11, "time")


def test_missing_fields_in_the_middle(tmp_path: Path) -> None:
    m = make_motion(seconds=5)
    path = _csv(tmp_path, m)
    lines = _lines(path)
    lines[20] = ",".join(lines[20].split(",")[:3])
    path.write_text("\n".join(lines) + "\n")
    err = _err(path)
    assert err.line == 21
    assert "fields" in err.reason


def test_extra_fields_in_the_middle(tmp_path: Path) -> None:
    m = make_motion(seconds=5)
    path = _csv(tmp_path, m)
    lines = _lines(path)
    lines[20] += ",1,2"
    path.write_text("\n".join(lines) + "\n")
    err = _err(path)
    assert err.line == 21
    assert "expected 7 fields, found 9" in err.reason


def test_extra_fields_of_a_wide_table(tmp_path: Path) -> None:
    """Of a wide table only the needed columns are parsed, so a row with surplus cells
    is read without them: surplus values are refused as in a table read whole (a
    split cell puts the cells after it into the wrong columns); trailing empty
    cells (separators at the end of a row) are ignored."""
    m = make_motion(seconds=5)
    extra = ["temperature"]
    cols = [m.t, *m.acc.T, *m.gyro.T, *(np.zeros_like(m.t) for _ in extra)]
    path = write_table(tmp_path / "wide.csv", HEADER + extra, cols)
    lines = _lines(path)
    row = lines[20]
    lines[20] = row + ",,"
    path.write_text("\n".join(lines) + "\n")
    rec = read_recording(path)
    np.testing.assert_allclose(rec.acc_mps2, m.acc, atol=1e-5)
    lines[20] = row + ",1,2"
    path.write_text("\n".join(lines) + "\n")
    err = _err(path)
    assert err.line == 21
    assert "expected 8 fields, found 10" in err.reason


def test_duplicate_timestamps_are_dropped(tmp_path: Path) -> None:
    m = make_motion(seconds=5)
    path = _csv(tmp_path, m)
    lines = _lines(path)
    lines.insert(30, lines[29])  # row repeated (same time)
    path.write_text("\n".join(lines) + "\n")
    rec = read_recording(path)
    assert rec.n_samples == m.acc.shape[0]
    assert any("repeating the previous timestamp" in n for n in rec.notes)
    np.testing.assert_allclose(rec.acc_mps2, m.acc, atol=1e-5)


def test_a_few_rows_out_of_order_are_sorted(tmp_path: Path) -> None:
    m = make_motion(seconds=5)
    path = _csv(tmp_path, m)
    lines = _lines(path)
    lines[50], lines[51] = lines[51], lines[50]
    path.write_text("\n".join(lines) + "\n")
    rec = read_recording(path)
    assert any("went backwards" in n and "sorted" in n for n in rec.notes)
    np.testing.assert_allclose(rec.acc_mps2, m.acc, atol=1e-5)


def test_mostly_out_of_order_is_refused(tmp_path: Path) -> None:
    m = make_motion(seconds=5)
    order = np.random.default_rng(0).permutation(m.t.shape[0])
    path = write_table(
        tmp_path / "shuffled.csv", HEADER, [m.t[order], *m.acc[order].T, *m.gyro[order].T]
    )
    err = _err(path)
    assert "out of time order" in err.reason
    assert err.field == "time"
    assert err.line is not None


def test_time_that_never_advances(tmp_path: Path) -> None:
    m = make_motion(seconds=1)
    path = write_table(tmp_path / "c.csv", HEADER, [np.zeros_like(m.t), *m.acc.T, *m.gyro.T])
    assert "does not advance" in _err(path).reason


def test_gap_is_recorded_and_held(tmp_path: Path) -> None:
    m = make_motion(seconds=10)
    keep = (m.t < 4.0) | (m.t >= 6.0)
    path = write_table(tmp_path / "gap.csv", HEADER, [m.t[keep], *m.acc[keep].T, *m.gyro[keep].T])
    rec = read_recording(path)
    assert rec.n_samples == m.t.shape[0]
    assert len(rec.gaps) == 1
    assert rec.gaps[0].start_s == pytest.approx(3.99)
    assert rec.gaps[0].end_s == pytest.approx(6.0)
    inside = rec.acc_mps2[400:600]
    assert np.all(inside == rec.acc_mps2[399])
    assert any("gap" in n for n in rec.notes)
    short = read_recording(path, gap_threshold_s=5.0)
    assert not short.gaps
    assert any("bridged" in n for n in short.notes)


def test_sparse_huge_file_fails_fast(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as fh:
        fh.truncate(2 * 1024**3 + 1)  # sparse: costs no disk
    # With a limit, refused on its size alone, before any byte is parsed ...
    err = _err(path, max_bytes=2 * 1024**3)
    assert "larger than" in err.reason and "max_bytes" in err.reason
    # ... and without one (text tables are read in chunks, whatever their size)
    # on its first bytes (zeros are binary).
    err = _err(path)
    assert "binary" in err.reason


def test_max_bytes_parameter(tmp_path: Path) -> None:
    path = _csv(tmp_path, make_motion(seconds=2))
    assert "larger than" in _err(path, max_bytes=1000).reason


def test_unknown_layouts(tmp_path: Path) -> None:
    foo = tmp_path / "foo.csv"
    foo.write_text("foo,bar,baz\n1,2,3\n4,5,6\n")
    err = _err(foo)
    assert isinstance(err, UnsupportedFormatError)
    assert err.line == 1
    no_time = tmp_path / "nt.csv"
    no_time.write_text("acc_x,acc_y,acc_z\n0,0,9.8\n0,0,9.8\n")
    assert "no time column" in _err(no_time).reason
    numbers = tmp_path / "n.csv"
    numbers.write_text("1,2,3\n4,5,6\n")
    assert "header" in _err(numbers).reason
    text = tmp_path / "t.txt"
    text.write_text("Dear diary,\nwalked backwards today.\n")
    assert isinstance(_err(text), UnsupportedFormatError)


def test_unsupported_folder_and_zip(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "notes.txt").write_text("hello")
    assert isinstance(_err(folder), UnsupportedFormatError)
    z = tmp_path / "x.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("readme.txt", "hi")
    assert "zip archive holds no supported export" in _err(z).reason
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x03\x04" + bytes(50))
    assert "zip" in _err(bad).reason


def test_units_g_file_detected_and_user_override_noted(tmp_path: Path) -> None:
    m = make_motion(seconds=5)
    path = write_table(tmp_path / "g.csv", HEADER, [m.t, *(m.acc / G).T, *m.gyro.T])
    rec = read_recording(path)
    assert rec.units["acc"].unit == "g" and "near 1 g" in rec.units["acc"].evidence
    forced = read_recording(path, acc_unit="mps2")
    assert forced.units["acc"].decided_by == "user"
    assert any("look like g" in n for n in forced.notes)
    np.testing.assert_allclose(forced.acc_mps2, m.acc / G, atol=1e-5)


def test_units_gyro_override_noted(tmp_path: Path) -> None:
    m = make_motion(seconds=10)
    path = write_table(
        tmp_path / "d.csv", HEADER, [m.t, *m.acc.T, *np.rad2deg(m.gyro).T], fmt="{:.7f}"
    )
    assert read_recording(path).units["gyro"].unit == "dps"
    forced = read_recording(path, gyro_unit="rads")
    assert forced.units["gyro"].decided_by == "user"
    assert any("look like deg/s" in n for n in forced.notes)


def test_acceleration_without_gravity(tmp_path: Path) -> None:
    m = make_motion(seconds=10)
    lin = m.acc - m.acc.mean(axis=0)
    path = write_table(tmp_path / "lin.csv", HEADER, [m.t, *lin.T, *m.gyro.T])
    err = _err(path)
    assert "does not include gravity" in err.reason


def test_implausible_magnitude(tmp_path: Path) -> None:
    m = make_motion(seconds=5)
    path = write_table(tmp_path / "mg.csv", HEADER, [m.t, *(m.acc / G * 1000).T, *m.gyro.T])
    assert "cannot tell the acceleration unit" in _err(path).reason
    rec = read_recording(path, acc_unit="mps2")  # the user can still insist
    assert rec.units["acc"].decided_by == "user"


def test_bad_options(tmp_path: Path) -> None:
    path = _csv(tmp_path, make_motion(seconds=2))
    assert "acc_unit" in _err(path, acc_unit="furlongs").reason
    assert "gyro_unit" in _err(path, gyro_unit="rpm").reason
    assert "placement" in _err(path, placement="hat").reason
    assert "target rate" in _err(path, target_rate_hz=-5).reason


def test_single_sample(tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    path.write_text(",".join(HEADER) + "\n0,0,0,9.8,0,0,0\n")
    assert "only 1 data row" in _err(path).reason


def test_latin1_header_is_read(tmp_path: Path) -> None:
    m = make_motion(seconds=2)
    path = _csv(tmp_path, m)
    raw = path.read_bytes().replace(b"acc_x", b"acc_x\xb0", 1)
    path.write_bytes(raw)
    assert read_recording(path).n_samples == m.t.shape[0]


def test_latin1_byte_in_data_is_input_error(tmp_path: Path) -> None:
    m = make_motion(seconds=2)
    path = _csv(tmp_path, m)
    lines = path.read_bytes().split(b"\n")
    lines[7] = lines[7].replace(b".", b"\xb7", 1)
    path.write_bytes(b"\n".join(lines))
    err = _err(path)
    assert err.line == 8


def test_directory_permission_like_errors_are_input_errors(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads everything")
    path = _csv(tmp_path, make_motion(seconds=2))
    path.chmod(0)
    _err(path)


def _faulty(path: Path, fault: str) -> None:
    """Spoil one line of the table at ``path`` (see the tests above)."""
    lines = _lines(path)
    cells = lines[20].split(",")
    if fault == "cell":
        cells[2] = "abc"
    elif fault == "empty":
        cells[5] = ""
    elif fault == "time":
        cells[0] = "noon"
    elif fault == "fields":
        cells = cells[:3]
    else:
        cells += ["1", "2"]
    lines[20] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("fault", ["cell", "empty", "time", "fields", "extra"])
def test_bytes_read_beforehand_give_the_same_error(tmp_path: Path, fault: str) -> None:
    """A file's bytes handed over (batch work reads them once, to hash them) are
    read as the file is: the same one-line error, naming the same line and field."""
    path = _csv(tmp_path, make_motion(seconds=5))
    _faulty(path, fault)
    from_file = _err(path)
    from_bytes = _err(path, content=path.read_bytes())
    assert str(from_bytes) == str(from_file)
    assert (from_bytes.line, from_bytes.field) == (from_file.line, from_file.field)
    assert from_file.line == 21


def test_bytes_read_beforehand_are_what_is_read(tmp_path: Path) -> None:
    """The bytes handed over are read, not the file again (the file may have
    changed since they were hashed); messages and notes still name the file."""
    first, second = make_motion(seconds=5), make_motion(seconds=6, rate=50)
    path = _csv(tmp_path, first)
    other = _csv(tmp_path, second, "other.csv")
    with path.open("a") as fh:
        fh.write("12.3,9.8")  # a cut-off last line: dropped with a note
    content = other.read_bytes() + b"12.3,9.8"
    rec = read_recording(path, content=content)
    want = read_recording(other)
    assert rec.path == str(path) and rec.sampling_rate_hz == want.sampling_rate_hz == 50
    assert np.array_equal(rec.acc_mps2, want.acc_mps2)
    assert np.array_equal(rec.gyro_rads, want.gyro_rads)
    assert any("cut off" in n for n in rec.notes)
    named = tmp_path / "named.csv"
    named.write_bytes(b"")
    headerless = b"".join(_lines(other)[1:][i].encode() + b"\n" for i in range(100))
    rec = read_recording(named, columns="time_s,acc_x,acc_y,acc_z,_,_,_", content=headerless)
    assert rec.n_samples == 100 and rec.path == str(named)
