"""Line-by-line diagnosis of a text table the fast parser refused.

Slow, and used only when something is wrong: it names the line and field of the
first bad cell or row for a one-line error, or confirms that the fault is a
truncated last line (dropped with a note).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

import numpy as np

from retrowalk.io.layout import _ISO, TextLayout
from retrowalk.io.source import Source


@dataclass
class _Problem:
    line: int
    field: str | None
    reason: str
    is_last: bool


def _truncated_note(line: int) -> str:
    return f"{_TRUNCATED_START}{line}) is incomplete, probably cut off, and was dropped"


def _is_truncated_note(note: str) -> bool:
    """Whether ``note`` says the last line was cut off and dropped (:func:`_truncated_note`)."""
    return note.startswith(_TRUNCATED_START) and note.endswith("was dropped")


_TRUNCATED_START = "the last line (line "


def _last_line_start(source: Source) -> int:
    size = source.size()
    tail = source.tail(1 << 16)
    body = tail.rstrip(b"\r\n")
    idx = body.rfind(b"\n")
    return size - len(tail) + idx + 1


def _parse_number(cell: str, decimal: str) -> float | None:
    s = cell.strip().strip('"').strip()
    if decimal != ".":
        if "." in s:  # the parser reads no decimal point where the mark is a comma
            return None
        s = s.replace(decimal, ".")
    try:
        v = float(s)
    except ValueError:
        return None
    return v


def _point_hint(cell: str, decimal: str) -> str:
    """Why a cell with a decimal point is no number in a table of decimal commas."""
    if decimal != "." and "." in cell:
        return " (a decimal point, where the first data row has decimal commas)"
    return ""


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
        try:
            cells = next(csv.reader([text], delimiter=layout.delimiter, quotechar='"'), [])
        except csv.Error as exc:  # a cell longer than csv's limit
            found = _Problem(line_no, None, f"cannot be split into fields ({exc})", False)
            continue
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
                    what += _point_hint(cell, layout.decimal)
                    found = _Problem(line_no, label, what, False)
                    break
            else:
                v = _parse_number(cell, layout.decimal)
                if (v is None or not np.isfinite(v)) and not _ISO.match(cell.strip('"')):
                    what = "empty time" if not cell else f"not a time: {cell[:40]!r}"
                    what += _point_hint(cell, layout.decimal)
                    found = _Problem(line_no, label, what, False)
                    break
    if found is not None and found.line == last_line:
        found.is_last = True
    return found
