"""Fast reading of the numeric columns of a delimited text table.

The happy path is one pass of pandas' C parser that converts only the columns
needed, straight to float64 (on two cores it is as fast as pyarrow's multi-threaded
reader and needs half the memory). Anything odd (a cell that is not a number, a row
with too few fields) triggers a slow line-by-line diagnosis
whose only job is to name the line and field in a one-line error, or to confirm
that the fault is a truncated last line, which is dropped with a note.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from retrowalk.errors import InputError
from retrowalk.io.sniff import _ISO, TextLayout
from retrowalk.io.source import Source


@dataclass
class Table:
    """Columns read from a text table.

    Attributes
    ----------
    frame
        The numeric columns as read (float64), without the time column.
    time
        The time column: float64 or int64 numbers, or int64 nanoseconds since the
        epoch for date-time text (``time_is_datetime``).
    first_data_line
        1-based line of the first data row (row 0).
    notes
        What was dropped while reading.
    """

    frame: pd.DataFrame
    time: np.ndarray | None = None
    time_is_datetime: bool = False
    first_data_line: int = 2
    notes: list[str] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        return len(self.frame)

    def line_of_row(self, row: int) -> int:
        """1-based file line of a 0-based data row (exact unless the file has blank lines)."""
        return self.first_data_line + int(row)

    def column(self, name: str) -> np.ndarray:
        """One numeric column as float64 (nulls as NaN)."""
        return self.frame[name].to_numpy(dtype=np.float64)

    def stack(self, names: tuple[str, ...] | list[str]) -> np.ndarray:
        """``(n, len(names))`` C-ordered float64 array of the named columns, in one copy."""
        out = np.empty((self.n_rows, len(names)), dtype=np.float64)
        for j, name in enumerate(names):
            out[:, j] = self.frame[name].to_numpy(dtype=np.float64)
        return out


@dataclass
class _Problem:
    line: int
    field: str | None
    reason: str
    is_last: bool


def _unique_names(layout: TextLayout) -> list[str]:
    names: list[str] = []
    seen: dict[str, int] = {}
    for c in layout.columns:
        if c in seen:
            seen[c] += 1
            names.append(f"{c}__{seen[c]}")
        else:
            seen[c] = 0
            names.append(c)
    names += [f"__extra{i}" for i in range(layout.extra_fields)]
    return names


def read_table(
    source: Source,
    layout: TextLayout,
    numeric: list[str],
    time_col: str | None = None,
) -> Table:
    """Read ``time_col`` and the ``numeric`` columns of a table.

    Parameters
    ----------
    source, layout
        The bytes and how they are laid out (see :func:`retrowalk.io.sniff.text_layout`).
    numeric
        Columns to convert to float64.
    time_col
        The time column (numbers or ISO-8601 date-times), if any.

    Raises
    ------
    InputError
        Naming the line and field of the first cell that is not a number, or of a
        row with the wrong number of fields (other than a truncated last line).
    """
    names = _unique_names(layout)
    wanted = ([time_col] if time_col else []) + [c for c in numeric if c != time_col]
    table, notes = _read_frame(source, layout, names, wanted, numeric, None)
    if len(table) == 0:
        raise InputError(
            source.display,
            f"has a header (line {layout.header_index + 1}) but no data rows",
            line=layout.header_index + 1,
        )
    time = None
    is_dt = False
    if time_col is not None:
        time, is_dt = _time_values(table[time_col])
        table = table.drop(columns=[time_col])
    out = Table(
        frame=table, time=time, time_is_datetime=is_dt,
        first_data_line=layout.first_data_line, notes=notes,
    )  # fmt: skip
    _drop_incomplete(source, layout, names, wanted, numeric, out)
    return out


def _read_frame(
    source: Source,
    layout: TextLayout,
    names: list[str],
    wanted: list[str],
    numeric: list[str],
    end: int | None,
) -> tuple[pd.DataFrame, list[str]]:
    try:
        if end is not None:
            with source.open() as fh:
                stream: object = io.BytesIO(fh.read(end))
        elif source.path is not None:
            stream = str(source.path)
        else:
            stream = io.BytesIO(source.data)  # type: ignore[arg-type]
        frame = pd.read_csv(
            stream,  # type: ignore[arg-type]
            sep=layout.delimiter,
            decimal=layout.decimal,
            header=None,
            names=names,
            # selecting columns costs some parse time but saves much memory
            usecols=wanted if len(wanted) < len(names) else None,
            skiprows=layout.header_index + 1,
            dtype={c: np.float64 for c in numeric},
            # pandas' default missing-value words ("", NaN, nan, NA, N/A, null, None…)
            # are enough; a custom list costs ~20 % of the parse time.
            keep_default_na=True,
            skip_blank_lines=True,
            quotechar='"',
            engine="c",
            encoding="utf-8",
            encoding_errors="strict",
        )
    except (ValueError, TypeError, UnicodeError, pd.errors.ParserError, OverflowError):
        problem = _diagnose(source, layout, names, wanted, numeric)
        if problem is not None and problem.is_last and end is None:
            frame, notes = _read_frame(
                source, layout, names, wanted, numeric, _last_line_start(source)
            )
            return frame, [_truncated_note(problem.line), *notes]
        if problem is None:
            raise InputError(source.display, "the table cannot be parsed") from None
        raise InputError(
            source.display, problem.reason, line=problem.line, field=problem.field
        ) from None
    except pd.errors.EmptyDataError:
        return pd.DataFrame(columns=wanted), []
    return frame, []


def _truncated_note(line: int) -> str:
    return f"the last line (line {line}) is incomplete, probably cut off, and was dropped"


def _time_values(col: pd.Series) -> tuple[np.ndarray, bool]:
    kind = col.dtype.kind
    if kind in "iu":
        return col.to_numpy(dtype=np.int64), False
    if kind == "f":
        return col.to_numpy(dtype=np.float64), False
    if kind == "M":
        stamps = pd.to_datetime(col, utc=True)
        ns = stamps.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(np.float64)
        ns[stamps.isna().to_numpy()] = np.nan
        return ns, True
    texts = col.astype(object)
    nums = pd.to_numeric(texts, errors="coerce").to_numpy(dtype=np.float64)
    if np.isfinite(nums).mean() > 0.5:
        return nums, False
    stamps = pd.to_datetime(texts, format="ISO8601", utc=True, errors="coerce")
    ns = stamps.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(np.float64)
    ns[stamps.isna().to_numpy()] = np.nan
    return ns, True


def _drop_incomplete(
    source: Source,
    layout: TextLayout,
    names: list[str],
    wanted: list[str],
    numeric: list[str],
    out: Table,
) -> None:
    """Drop empty cells at the end of the table (noted); raise for empty cells inside it."""
    n = out.n_rows
    bad: np.ndarray | None = None
    for c in numeric:
        cur = ~np.isfinite(out.frame[c].to_numpy())
        if cur.any():
            bad = cur if bad is None else (bad | cur)
    if out.time is not None and out.time.dtype.kind == "f":
        cur = ~np.isfinite(out.time)
        if cur.any():
            bad = cur if bad is None else (bad | cur)
    if bad is None or not bad.any():
        if out.time is not None and out.time_is_datetime:
            out.time = out.time.astype(np.int64)
        return
    good_rows = np.flatnonzero(~bad)
    last_good = int(good_rows[-1]) if good_rows.size else -1
    if last_good < 0 or bad[: last_good + 1].any():
        problem = _diagnose(source, layout, names, wanted, numeric)
        if problem is not None:
            raise InputError(source.display, problem.reason, line=problem.line, field=problem.field)
        row = int(np.flatnonzero(bad)[0])
        raise InputError(source.display, "empty or invalid value", line=out.line_of_row(row))
    n_keep = last_good + 1
    out.frame = out.frame.iloc[:n_keep]
    if out.time is not None:
        out.time = out.time[:n_keep]
        if out.time_is_datetime:
            out.time = out.time.astype(np.int64)
    if n - n_keep == 1:
        out.notes.append(
            f"the last data row (line {out.line_of_row(n_keep)}) has empty cells, "
            "probably cut off, and was dropped"
        )
    else:
        out.notes.append(f"dropped {n - n_keep} rows with empty cells at the end of the table")


def _last_line_start(source: Source) -> int:
    size = source.size()
    tail = source.tail(1 << 16)
    body = tail.rstrip(b"\r\n")
    idx = body.rfind(b"\n")
    return size - len(tail) + idx + 1


def _parse_number(cell: str, decimal: str) -> float | None:
    s = cell.strip().strip('"').strip()
    if decimal != ".":
        s = s.replace(decimal, ".")
    try:
        v = float(s)
    except ValueError:
        return None
    return v


def _diagnose(
    source: Source,
    layout: TextLayout,
    names: list[str],
    wanted: list[str],
    numeric: list[str],
) -> _Problem | None:
    """Find the first bad row (slow; only used when something is wrong)."""
    idx = {name: i for i, name in enumerate(names)}
    checks = [
        (idx[c], layout.columns[idx[c]] if idx[c] < len(layout.columns) else c) for c in wanted
    ]
    numeric_set = set(numeric)
    found: _Problem | None = None
    last_line = 0
    for line_no, text in source.lines(layout.data_offset):
        if not text.strip():
            continue
        last_line = line_no
        if found is not None:
            continue
        cells = next(csv.reader([text], delimiter=layout.delimiter, quotechar='"'), [])
        if len(cells) != len(names):
            found = _Problem(
                line_no, None, f"expected {len(names)} fields, found {len(cells)}", False
            )
            continue
        for (i, label), name in zip(checks, wanted, strict=True):
            cell = cells[i].strip()
            if name in numeric_set:
                v = _parse_number(cell, layout.decimal)
                if v is None or not np.isfinite(v):
                    what = "empty cell" if not cell else f"not a number: {cell[:40]!r}"
                    found = _Problem(line_no, label, what, False)
                    break
            else:
                v = _parse_number(cell, layout.decimal)
                if (v is None or not np.isfinite(v)) and not _ISO.match(cell.strip('"')):
                    what = "empty time" if not cell else f"not a time: {cell[:40]!r}"
                    found = _Problem(line_no, label, what, False)
                    break
    if found is not None and found.line == last_line:
        found.is_last = True
    return found
