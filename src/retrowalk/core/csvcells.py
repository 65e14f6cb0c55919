"""The one CSV writer of retrowalk: cells a spreadsheet would run as a formula are neutralised.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
is read as a formula by Excel, LibreOffice and Google Sheets ("CSV injection",
OWASP). Such text cells get a leading apostrophe, which spreadsheets show as
text; numbers (``-3.5``) are left as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

__all__ = ["FORMULA_STARTS", "csv_text", "safe_cell", "safe_frame"]


def safe_cell(value: Any) -> Any:
    """``value`` unchanged unless it is text a spreadsheet would evaluate."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def csv_text(rows: Sequence[dict[str, Any]], fieldnames: Iterable[str] | None = None) -> str:
    """Rows of dicts as CSV text with a header (the union of keys unless given).

    Every cell, header included, goes through :func:`safe_cell`.
    """
    if not rows and fieldnames is None:
        return ""
    fields: list[str] = list(fieldnames) if fieldnames is not None else []
    if fieldnames is None:
        for row in rows:
            fields += [k for k in row if k not in fields]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(f) for f in fields])
    for row in rows:
        writer.writerow([safe_cell(row.get(f, "")) for f in fields])
    return buffer.getvalue()


def _table_cell(value: Any) -> Any:
    """:func:`safe_cell`, with a text cell's carriage returns written as line feeds.

    ``DataFrame.to_csv`` ends rows with a line feed and quotes only cells that
    hold one (or a comma or a quote): a bare carriage return inside a cell is
    written unquoted, and CSV readers (pandas, spreadsheets) end the row there.
    As a line feed the cell is quoted and its row stays whole.
    """
    value = safe_cell(value)
    if isinstance(value, str) and "\r" in value:
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def _unchanged_text(series: Any) -> bool:
    """Whether every distinct value of a pandas Series is text that :func:`_table_cell`
    leaves as it is (a column of a few ids and words repeated down many rows is
    checked once per word, not once per cell)."""
    try:
        distinct = series.unique()
    except TypeError:  # unhashable cells (lists, dicts): each goes through _table_cell
        return False
    return all(isinstance(v, str) and _table_cell(v) is v for v in distinct)


def safe_frame(frame: Any) -> Any:
    """A copy of a pandas DataFrame whose text cells went through :func:`safe_cell`
    (for tables written with ``DataFrame.to_csv``; a carriage return in a cell is
    written as a line feed, see :func:`_table_cell`); numeric columns are unchanged,
    and so is a column of text none of whose cells would change."""
    from pandas.api.types import is_bool_dtype, is_datetime64_any_dtype, is_numeric_dtype

    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if not (
            is_numeric_dtype(series)
            or is_bool_dtype(series)
            or is_datetime64_any_dtype(series)
            or _unchanged_text(series)
        ):
            out[column] = series.map(_table_cell)
    out.columns = [_table_cell(c) for c in out.columns]
    return out
