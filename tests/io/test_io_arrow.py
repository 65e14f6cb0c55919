"""Plain tables are read by pyarrow's CSV reader, without pandas, to the same numbers.

:func:`retrowalk.io.table._arrow_columns` reads a table of plain numbers (no
number of more than 15 digits); every other table is left to pandas. Each
table here must read to the same arrays (bit for bit), notes and errors with
it as without it, and the plain ones must be read by it. pyarrow's reader goes
first only while pandas is not loaded (a fresh ``retrowalk analyze``: see
``tests/cli/test_cli_startup.py``); here, where pandas is loaded, it is made to.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from io_helpers import spy_on_reader

from retrowalk.io import read_recording, table

HEADER = "time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z"


@pytest.fixture(autouse=True)
def _arrow_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """pyarrow's reader goes first, as in a process that has not loaded pandas."""
    monkeypatch.setattr(table, "_arrow_first", lambda: True)


def test_pyarrow_goes_first_only_while_pandas_is_not_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once pandas is loaded, its C reader (faster on a short table) reads a plain one."""
    monkeypatch.undo()
    import pandas  # noqa: F401  (loaded, as in a batch worker)

    path = tmp_path / "t.csv"
    path.write_text("\n".join(_rows()) + "\n", encoding="utf-8")
    taken = spy_on_reader(monkeypatch, table, "_arrow_columns")
    read_recording(path)
    assert taken == []


def _rows(n: int = 600, seed: int = 3, time_fmt: str = "{:.6f}", sep: str = ",") -> list[str]:
    rng = np.random.default_rng(seed)
    acc = rng.normal(size=(n, 3)) * 2.0 + [0.0, 0.0, 9.81]
    gyro = rng.normal(size=(n, 3)) * 40.0
    rows = [HEADER.replace(",", sep)]
    for i in range(n):
        cells = [time_fmt.format(i / 100), *(f"{x:.6f}" for x in acc[i])]
        cells += [f"{x:.4f}" for x in gyro[i]]
        rows.append(sep.join(cells))
    return rows


def _cell(lines: list[str], row: int, column: int, text: str) -> list[str]:
    """``lines`` with the cell of data row ``row`` and ``column`` made ``text``."""
    cells = lines[row + 1].split(",")
    cells[column] = text
    return [*lines[: row + 1], ",".join(cells), *lines[row + 2 :]]


def _exponents(lines: list[str], first: int = 1) -> list[str]:
    """``lines`` with the cells from column ``first`` on written with an exponent."""
    rows = [r.split(",") for r in lines[1:]]
    return [lines[0], *(",".join(r[:first] + [f"{float(c):.8e}" for c in r[first:]]) for r in rows)]


def _cases() -> dict[str, tuple[list[str], bool]]:
    """Name -> (lines, whether pyarrow's reader reads it)."""
    plain = _rows()
    ms_rows = (",".join([str(i * 10), *r.split(",")[1:]]) for i, r in enumerate(plain[1:]))
    ms = [HEADER.replace("time_s", "time_ms"), *ms_rows]
    quoted = [plain[0], *(f'"{r}"' if i == 7 else r for i, r in enumerate(plain[1:]))]
    wide = [plain[0] + ",temp", *(r + f",{i % 9}.5" for i, r in enumerate(plain[1:]))]
    labelled = [plain[0] + ",label", *(r + ",a" for r in plain[1:])]
    return {
        "plain": (plain, True),
        "tabs": ([r.replace(",", "\t") for r in plain], True),
        "semicolons": ([r.replace(",", ";") for r in plain], True),
        "decimal commas": ([r.replace(",", ";").replace(".", ",") for r in plain], False),
        "whole ms time": (ms, True),
        "whole ms time, one with a point": ([*ms[:300], "2990.5" + ms[300][4:], *ms[301:]], False),
        "negative start": ([plain[0], "-0.010000" + plain[1][8:], *plain[1:]], True),
        "whole first time": ([plain[0], "0" + plain[1][8:], *plain[2:]], False),
        "minus zero": (_cell(plain, 50, 4, "-0.000000"), True),
        "repeated time": ([*plain[:30], plain[29], *plain[30:]], True),
        "unused number column": (wide, True),
        "unused text column": (labelled, False),
        "crlf": ([r + "\r" for r in plain], True),
        "bom": (["\ufeff" + plain[0], *plain[1:]], True),
        "blank lines": ([*plain[:100], "", *plain[100:200], "", "", *plain[200:]], True),
        "quoted numbers": (quoted, False),
        "quoted header": (['"' + plain[0].replace(",", '","') + '"', *plain[1:]], False),
        "comment line": ([*plain[:100], "# a comment", *plain[100:]], False),
        "cut last line": ([*plain[:-1], plain[-1][:25]], False),
        "cut last number": ([*plain[:-1], plain[-1][:-2]], True),
        "extra field": ([*plain[:40], plain[40] + ",7", *plain[41:]], False),
        "trailing delimiter": ([plain[0], *(r + "," for r in plain[1:])], True),
        "empty cell": (_cell(plain, 40, 2, ""), False),
        "empty last row cells": ([*plain, "6.000000,,,,,,"], False),
        "text cell": (_cell(plain, 40, 6, "abc"), False),
        "nan cell": (_cell(plain, 40, 6, "nan"), False),
        "NaN at the end": ([*plain, "6.000000,NaN,NaN,NaN,NaN,NaN,NaN"], False),
        "NA cell": (_cell(plain, 40, 6, "NA"), False),
        "inf cell": (_cell(plain, 40, 6, "inf"), False),
        "exponent": (_cell(plain, 40, 6, "1.5e-3"), True),
        "exponents everywhere": (_exponents(plain), True),
        "time with an exponent": (_exponents(plain, 0), False),
        "upper exponent": (_cell(plain, 40, 6, "-2.5E+02"), True),
        "small exponent": (_cell(plain, 40, 6, "1e-08"), False),
        "large exponent": (_cell(plain, 40, 6, "1e22"), False),
        "three-digit exponent": (_cell(plain, 40, 6, "1e-100"), False),
        "zero with an exponent": (_cell(plain, 40, 6, "0e-05"), True),
        "exponent without digits": (_cell(plain, 40, 6, "1e"), False),
        "plus sign": (_cell(plain, 40, 6, "+1.5"), True),
        "space": (_cell(plain, 40, 6, " 1.5"), False),
        "15 digits": (_cell(plain, 40, 6, "12345.6789012345"), True),
        "16 digits": (_cell(plain, 40, 6, "0.1000000000000001"), False),
        "16 whole digits": (_cell(plain, 40, 6, "1000000000000001"), False),
        "15 digits, points": (_cell(plain, 40, 6, "12345.6789.12345"), False),
        "17 digits": (_cell(plain, 40, 6, "0.30000000000000004"), False),
        "leading zeros": (_cell(plain, 40, 6, "0000000000000000.5"), False),
        "double minus": (_cell(plain, 40, 6, "--1.5"), False),
        "two points": (_cell(plain, 40, 6, "1.2.3"), False),
        "header only": ([plain[0]], False),
        "one row": (plain[:2], True),
    }


def _read(path: Path) -> tuple[str, ...]:
    try:
        rec = read_recording(path)
    except Exception as exc:
        return (type(exc).__name__, str(exc))
    gyro = b"" if rec.gyro_rads is None else rec.gyro_rads.tobytes()
    return (
        rec.acc_mps2.tobytes().hex(), gyro.hex(), repr(rec.sampling_rate_hz), repr(rec.gaps),
        repr(rec.start_time), *rec.notes,
    )  # fmt: skip


@pytest.mark.parametrize("name", list(_cases()))
def test_plain_tables_read_as_pandas_reads_them(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines, plain = _cases()[name]
    path = tmp_path / "t.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    taken = spy_on_reader(monkeypatch, table, "_arrow_columns")
    fast = _read(path)
    assert any(taken) is plain, (taken, fast[:2])
    monkeypatch.setattr(table, "_arrow_columns", lambda *args: None)
    assert fast == _read(path)


def test_many_plain_numbers_are_pandas_numbers_bit_for_bit(tmp_path: Path) -> None:
    """Numbers of 1 to 15 digits with 0 to 15 decimals, both signs: pyarrow's
    correctly rounded values are pandas' (its parser divides the digits, held
    exactly, by an exact power of ten)."""
    import pandas as pd

    rng = np.random.default_rng(11)
    n = 200_000
    digits = rng.integers(1, 16, n)
    whole = rng.integers(0, 10 ** digits.astype(np.int64), dtype=np.int64)
    decimals = np.minimum(rng.integers(0, 16, n), digits)
    cells = []
    signs = (rng.random(n) < 0.3).tolist()
    for m, k, negative in zip(whole.tolist(), decimals.tolist(), signs, strict=True):
        text = str(m).rjust(k + 1, "0") if k else str(m)
        if k:
            text = text[:-k] + "." + text[-k:]
        if len(text.replace(".", "")) <= 15:
            cells.append(("-" if negative else "") + text)
    cells = cells[: len(cells) // 4 * 4]
    rows = [",".join(cells[i : i + 4]) for i in range(0, len(cells), 4)]
    path = tmp_path / "numbers.csv"
    path.write_text("a,b,c,d\n" + "\n".join(rows) + "\n", encoding="utf-8")
    data = path.read_bytes()[8:]
    assert table._plain_numbers(data, ",") == (True, False)
    from retrowalk.io.source import Source

    options = {"sep": ",", "decimal": ".", "usecols": None}
    columns = table._arrow_columns(Source.file(path), 8, options, ["a", "b", "c", "d"])
    assert columns is not None
    frame = pd.read_csv(path, dtype=np.float64)
    for j, name in enumerate("abcd"):
        assert columns[j].tobytes() == frame[name].to_numpy().tobytes(), name


@pytest.mark.parametrize("block", [16, 64, 1000])
def test_a_long_number_is_seen_wherever_it_lies(
    block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run of 16 digits (or 17 digits and points), or an exponent of three digits,
    is found across the blocks the bytes are looked at in."""
    monkeypatch.setattr(table, "_CHECK_BYTES", block)
    base = b"1.5,-2.25\n" * 300
    assert table._plain_numbers(base, ",") == (True, False)
    for at in range(0, 200, 7):
        for cell in (b"1234567890.123456", b"1234567890123456", b"0.000000000000001",
                     b"1e100", b"2.5E+123", b"1e-0001"):  # fmt: skip
            data = base[:at] + b"," + cell + b"," + base[at:]
            assert table._plain_numbers(data, ",")[0] is False, (at, cell)
        for cell, exponent in ((b"1234567890.12345", False), (b"123456789012345", False),
                               (b".123456789012345", False), (b"1.5e-05", True),
                               (b"+2E+12", True), (b"123456789012345e-99", True)):  # fmt: skip
            data = base[:at] + b"," + cell + b"," + base[at:]
            assert table._plain_numbers(data, ",") == (True, exponent), (at, cell)
    for byte in b'x+e "#\x00\xc3':
        plain = table._plain_numbers(base[:100] + bytes([byte]) + base[100:], ",")[0]
        assert plain is (byte in b"+e"), bytes([byte])
    assert table._plain_numbers(base.replace(b",", b";"), ";") == (True, False)
    assert table._plain_numbers(base.replace(b",", b";"), ",") == (False, False)
