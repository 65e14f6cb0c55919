"""A time column whose first cell has a decimal mark is parsed as float64 at once.

:func:`retrowalk.io.table.read_table` then gives pandas one dtype for every
column instead of letting it infer the time column's (and a small table is
tokenised in one pass); a cell that is no number fails that parse and the
table is read again as before. Each table here must read to the same arrays
(bit for bit), notes and errors as when the time column is left to pandas'
inference. pyarrow's reader of plain tables, which comes first, is left out
here (these are pandas' paths; ``test_io_arrow.py`` compares it with them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from io_helpers import spy_on_reader

from retrowalk.io import read_recording, table


@pytest.fixture(autouse=True)
def _pandas_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every table here is read by pandas (pyarrow's reader declines it)."""
    monkeypatch.setattr(table, "_arrow_columns", lambda *args: None)


def _rows(decimal: str = ".", sep: str = ",") -> list[str]:
    rng = np.random.default_rng(5)
    values = rng.normal(size=(400, 3)) + [0.0, 0.0, 9.81]
    rows = [sep.join(["time_s", "acc_x", "acc_y", "acc_z"])]
    for i, v in enumerate(values):
        cells = [f"{i / 100:.6f}", *(f"{x:.5f}" for x in v)]
        rows.append(sep.join(c.replace(".", decimal) for c in cells))
    return rows


def _cases() -> dict[str, list[str]]:
    plain = _rows()
    cases = {"plain": plain, "comma": _rows(",", ";")}
    cases["text cell"] = [*plain[:200], "abc,1,2,9.8", *plain[201:]]
    cases["empty cell"] = [*plain[:200], ",1,2,9.8", *plain[201:]]
    cases["empty last"] = [*plain[:-1], ",1,2,9.8"]
    cases["cut off"] = [*plain[:-1], "3.99,1,2"]
    cases["exponent"] = [*plain[:100], "0.99e0,1,2,9.8", *plain[101:]]
    cases["negative start"] = [plain[0], "-0.010000,1,2,9.8", *plain[1:]]
    cases["whole first"] = [plain[0], "0,1,2,9.8", *plain[2:]]
    cases["nan cell"] = [*plain[:300], "nan,1,2,9.8", *plain[301:]]
    return cases


def _read(path: Path) -> tuple[str, ...]:
    try:
        rec = read_recording(path)
    except Exception as exc:
        return (type(exc).__name__, str(exc))
    return (rec.acc_mps2.tobytes().hex(), repr(rec.sampling_rate_hz), *rec.notes)


@pytest.mark.parametrize("one_pass", [True, False])
@pytest.mark.parametrize("name", list(_cases()))
def test_decimal_time_reads_as_inferred(
    name: str, one_pass: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not one_pass:  # tokenised in pandas' chunks, as a table over ONE_PASS_BYTES
        monkeypatch.setattr(table, "ONE_PASS_BYTES", 0)
    path = tmp_path / f"{name.replace(' ', '_')}.csv"
    path.write_text("\n".join(_cases()[name]) + "\n", encoding="utf-8")
    told: list[bool] = []
    decimal_cell = table._decimal_cell

    def spy(*args: object) -> bool:
        told.append(decimal_cell(*args))
        return told[-1]

    monkeypatch.setattr(table, "_decimal_cell", spy)
    fast = _read(path)
    assert told == [name != "whole first"]  # the others take the float64 parse first
    monkeypatch.setattr(table, "_decimal_cell", lambda *args: False)
    assert fast == _read(path)


def test_decimal_cell_is_a_number_with_the_decimal_mark(tmp_path: Path) -> None:
    from retrowalk.io.sniff import sniff
    from retrowalk.io.source import Source

    seen = {}
    for first, expected in [
        ("0.010000", True), ("-1.5", True), ("+.5", True), ("12", False),
        ("1e3", False), ("abc", False), ("", False), ('"0.5"', False),
    ]:  # fmt: skip
        path = tmp_path / "t.csv"
        path.write_text(f"time_s,acc_x,acc_y,acc_z\n{first},1,2,3\n0.02,1,2,3\n", encoding="utf-8")
        layout = sniff(path).layout
        assert layout is not None
        names = table._unique_names(layout)
        seen[first] = table._decimal_cell(
            Source.file(path), layout, layout.data_offset, names, "time_s"
        )
        assert seen[first] is expected, first


def _wide_cases() -> dict[str, list[str]]:
    plain = _rows()
    wide = [
        row + (",note,acc_x,7" if i == 0 else f",w{i},{i % 7}.25,{i}")
        for i, row in enumerate(plain)
    ]
    return {
        "every column": plain,
        "unused and repeated columns": wide,
        "cut off": [*wide[:-1], "3.99,1,2"],
        "text cell": [*wide[:150], "0.5,1,x,9.8,a,1,2", *wide[151:]],
    }


@pytest.mark.parametrize("name", list(_wide_cases()))
def test_numbered_columns_read_as_named(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Columns numbered for the float64 parse read the same arrays, notes and errors
    as named ones (bit for bit), with columns left out and repeated names."""
    path = tmp_path / f"{name.replace(' ', '_')}.csv"
    path.write_text("\n".join(_wide_cases()[name]) + "\n", encoding="utf-8")
    numbered: list[dict[str, object]] = []
    numbering = table._numbered

    def spy(names: list[str], usecols: list[str] | None) -> dict[str, object]:
        numbered.append(numbering(names, usecols))
        return numbered[-1]

    monkeypatch.setattr(table, "_numbered", spy)
    fast = _read(path)
    every = name == "every column"
    assert len(numbered) == 1 and numbered[0]["names"] == list(range(4 if every else 7))
    assert numbered[0]["usecols"] == (None if every else [0, 1, 2, 3])
    monkeypatch.setattr(table, "_numbered", lambda names, usecols: {})
    assert fast == _read(path)
    if every:
        assert fast[0] != "InputError"


@pytest.mark.parametrize("size", [0, 10, 5000, 64 * 1024, 64 * 1024 + 1, 200_000])
def test_source_head_cut_from_the_bytes_read_first(tmp_path: Path, size: int) -> None:
    """A file's heads come from its first read (the sniffer's) and are its first bytes."""
    from retrowalk.io.source import HEAD_BYTES, Source

    data = np.random.default_rng(size).integers(0, 256, size, dtype=np.uint8).tobytes()
    path = tmp_path / "t.bin"
    path.write_bytes(data)
    for first in (HEAD_BYTES, 7, HEAD_BYTES + 1000):
        source = Source.file(path)
        for n in (first, 0, 1, 100, HEAD_BYTES - 1, HEAD_BYTES, HEAD_BYTES + 5, 150_000, size):
            assert source.head(n) == data[:n], (first, n)
        assert source.head() == data[:HEAD_BYTES]


def test_reader_takes_the_sniffed_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The file's first bytes are read once, by the sniffer; the reader cuts its looks
    from them and reads the same numbers as from a source of its own."""
    import retrowalk.io as rio
    from retrowalk.io import delimited

    path = tmp_path / "t.csv"
    path.write_text("\n".join(_rows()) + "\n", encoding="utf-8")
    opened: list[Path] = []
    open_path = Path.open

    def spy(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if self == path:
            opened.append(self)
        return open_path(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", spy)
    # Formats registered by other parts (a video container's own sniff of its
    # first 16 bytes, once the video reader is imported) are not this reader's.
    monkeypatch.setattr(rio, "registered_sources", lambda: ())
    shared = _read(path)
    assert len(opened) == 2  # the sniffer's head and the parse
    reader = delimited.read_delimited
    monkeypatch.setattr(
        delimited, "read_delimited", lambda p, layout, fmt, source=None: reader(p, layout, fmt)
    )
    opened.clear()
    assert _read(path) == shared
    assert len(opened) == 3  # with a source of its own, the reader reads the head again


def _c_reader_cases() -> dict[str, list[str]]:
    cases = {f"narrow {name}": lines for name, lines in _cases().items()}
    cases.update({f"wide {name}": lines for name, lines in _wide_cases().items()})
    plain = _rows()
    for word in ("NA", "null", "-1.#IND", "1.#QNAN", "inf", "-Infinity", " 1.5", "1.5 "):
        cases[f"narrow word {word}"] = [*plain[:-1], f"3.99,1,{word},9.8"]
    cases["narrow line ends crlf"] = [f"{line}\r" for line in plain]
    cases["narrow blank lines"] = [*plain[:100], "", *plain[100:200], "", "", *plain[200:]]
    return cases


#: Cases read by read_csv: a cell that is no number, or a missing-value word (NaN).
_READ_CSV_CASES = ("text cell", "empty cell", "empty last", "cut off", "nan cell", "NA", "null",
                   "#IND", "#QNAN")  # fmt: skip


@pytest.mark.parametrize("name", list(_c_reader_cases()))
def test_c_reader_columns_read_as_read_csv(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The float64 parse's columns taken straight from pandas' C reader read the same
    arrays, notes and errors as read_csv's frame of them (bit for bit)."""
    path = tmp_path / f"{name.replace(' ', '_')}.csv"
    path.write_text("\n".join(_c_reader_cases()[name]) + "\n", encoding="utf-8")
    taken = spy_on_reader(monkeypatch, table, "_c_floats")
    fast = _read(path)
    # every table but those with a text cell or a missing-value word (and the whole
    # first time, not read as float64 at once)
    direct = not any(case in name for case in _READ_CSV_CASES)
    assert taken == ([] if "whole first" in name else [direct])
    monkeypatch.setattr(table, "_c_floats", lambda *args: None)
    assert fast == _read(path)


@pytest.mark.parametrize(
    "name", ["narrow plain", "narrow comma", "wide unused and repeated columns"]
)
def test_c_reader_given_what_read_csv_gives_it(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """_c_floats hands pandas' C reader the options read_csv hands it for the same read,
    but for the missing-value words it does not look for."""
    from pandas.io.parsers import c_parser_wrapper

    from retrowalk.io.chunked import csv_options
    from retrowalk.io.sniff import sniff
    from retrowalk.io.source import Source

    path = tmp_path / "t.csv"
    path.write_text("\n".join(_c_reader_cases()[name]) + "\n", encoding="utf-8")
    layout = sniff(path).layout
    assert layout is not None
    names = table._unique_names(layout)
    wanted = ["time_s", "acc_x", "acc_y", "acc_z"]
    options = csv_options(layout, names, wanted, wanted)
    options.update(dtype=np.float64, skiprows=None, low_memory=False)
    options.update(table._numbered(names, options["usecols"]))
    given: list[dict[str, Any]] = []
    reader = c_parser_wrapper.parsers.TextReader

    def spy(source: Any, **kwargs: Any) -> Any:
        given.append(kwargs)
        return reader(source, **kwargs)

    monkeypatch.setattr(c_parser_wrapper.parsers, "TextReader", spy)
    frame = table._read_at(Source.file(path), layout.data_offset, options)
    monkeypatch.setattr(table, "_TextReader", spy)
    columns = table._c_floats(Source.file(path), layout.data_offset, options)
    assert columns is not None and len(given) == 2
    assert given[0] == table._c_reader_options(options)
    assert given[1] == {**given[0], **table._NO_MISSING_WORDS}
    assert sorted(columns) == list(frame.columns)
    for label in frame.columns:
        assert columns[label].tobytes() == frame[label].to_numpy().tobytes()
