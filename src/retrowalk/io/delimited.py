"""Generic delimited tables (CSV, TSV, semicolon) and the mobgap lab CSV.

The table needs a time column (seconds, milliseconds, microseconds, nanoseconds or
ISO-8601 date-times) and x/y/z acceleration columns under a common name; angular
rate is optional. The mobgap export (``time_s,acc_x,...,gyr_z``) is this layout
recognised by its exact header.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from retrowalk.core.errors import InputError, UnsupportedFormatError
from retrowalk.io.assemble import Block, Parsed
from retrowalk.io.columns import ColumnMap, map_columns, time_unit_from_label
from retrowalk.io.layout import TextLayout
from retrowalk.io.longarrays import is_file_backed, shift_scale, to_int64
from retrowalk.io.source import Source
from retrowalk.io.table import Table, read_table

_TIME_FACTORS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}
_TIME_WORDS = {"s": "seconds", "ms": "milliseconds", "us": "microseconds", "ns": "nanoseconds"}
# Plausible epoch range in seconds: 1973 .. 2100.
_EPOCH_RANGE = (1e8, 4.2e9)

_UNIT_WORDS = {"mps2": "m/s^2", "g": "g", "mg": "milli-g", "dps": "deg/s", "rads": "rad/s"}


def time_in_seconds(
    table: Table, label: str, display: str, unit_cell: str | None = None
) -> tuple[np.ndarray, float, datetime | None, str]:
    """Seconds from the first sample, the first time value in seconds, the wall-clock
    start if known, and a note.

    The unit of a numeric time column comes from its cell of the table's units row
    (``unit_cell``, such as ``ms``), else from its name (``time_ms``, ``Time (s)``)
    or else from the median step: up to 0.5 means seconds, up to 500 milliseconds,
    up to 5e5 microseconds, above that nanoseconds.

    Raises
    ------
    InputError
        When the time column does not advance.
    """
    raw = table.time
    assert raw is not None
    if raw.shape[0] < 2:
        raise InputError(display, f"only {raw.shape[0]} data row(s); a recording needs more")
    # a long table's time column is in a temporary file: worked on in place, in chunks
    if table.time_is_datetime:
        ns = raw if raw.dtype == np.int64 else to_int64(raw)
        ns0 = ns[0]
        t = shift_scale(ns, ns0, divisor=1e9)
        first = datetime.fromtimestamp(ns0 / 1e9, tz=UTC)
        return t, ns0 / 1e9, first, f"time column '{label}' read as date-times"
    raw0 = raw[0]
    rel = shift_scale(raw, raw0)
    head = rel[: min(rel.shape[0], 200_001)]
    steps = head[1:] - head[:-1]  # np.diff's
    advancing = steps > 0
    if not advancing.any():
        raise InputError(display, "the time column does not advance", field=label)
    unit = time_unit_from_label(unit_cell) if unit_cell else None
    how = "from the units row"
    if unit is None:
        unit = time_unit_from_label(label)
        how = "from its name"
    if unit is None:  # the median step only when the name does not say
        med = float(np.median(steps[advancing]))
        how = f"from its median step of {med:.4g}"
        if med <= 0.5:
            unit = "s"
        elif med <= 500:
            unit = "ms"
        elif med <= 5e5:
            unit = "us"
        else:
            unit = "ns"
    factor = _TIME_FACTORS[unit]
    if factor == 1.0:
        t = rel
    else:  # a long table's in place (x - 0.0 is x)
        t = shift_scale(rel, 0.0, factor) if is_file_backed(rel) else rel * factor
    first_s = float(raw0) * factor
    start: datetime | None = None
    if _EPOCH_RANGE[0] <= first_s <= _EPOCH_RANGE[1]:
        start = datetime.fromtimestamp(first_s, tz=UTC)
    return t, first_s, start, f"time column '{label}' read as {_TIME_WORDS[unit]} ({how})"


def column_plan(cmap: ColumnMap) -> dict[str, tuple[str, str, str]]:
    """Stream kind -> its x, y, z columns (``linacc`` only when there is no ``acc``)."""
    order = ["acc", "gyro", "gravity"] if "acc" in cmap.streams else ["linacc", "gyro", "gravity"]
    return {k: cmap.streams[k] for k in order if k in cmap.streams}


def read_delimited(
    path: Path,
    layout: TextLayout,
    fmt: str = "generic-csv",
    source: Source | None = None,
) -> Parsed:
    """Parse a generic delimited table (or the mobgap CSV).

    Raises
    ------
    UnsupportedFormatError
        When no time column or no acceleration columns can be recognised.
    InputError
        For bad cells (naming line and field) and other unreadable content.
    """
    source = source or Source.file(path)
    block, file_units, start, notes = read_block(source, layout)
    return Parsed(
        path=str(path),
        format=fmt,
        blocks=[block],
        file_units=file_units,
        start_time=start,
        notes=notes,
    )


def read_block(
    source: Source,
    layout: TextLayout,
    cmap: ColumnMap | None = None,
    *,
    require_acc: bool = True,
) -> tuple[Block, dict[str, tuple[str, str]], datetime | None, list[str]]:
    """Read one table into a :class:`Block` (shared by the phyphox and Sensor Logger readers).

    ``require_acc=False`` lets a table of an export hold only angular rate or gravity.
    """
    cmap = cmap or map_columns(layout.columns, layout.units)
    header_line = layout.header_index + 1
    shown = ", ".join(layout.columns[:12]) + (" ..." if len(layout.columns) > 12 else "")
    if cmap.time is None:
        raise UnsupportedFormatError(
            source.display, f"no time column recognised (columns: {shown})", line=header_line
        )
    if require_acc and "acc" not in cmap.streams and "linacc" not in cmap.streams:
        if "gyro" in cmap.streams:
            raise UnsupportedFormatError(
                source.display,
                "holds angular rate but no acceleration; acceleration is required",
                line=header_line,
            )
        raise UnsupportedFormatError(
            source.display,
            f"no acceleration columns (x, y, z) recognised (columns: {shown})",
            line=header_line,
        )
    plan = column_plan(cmap)
    numeric = [c for cols in plan.values() for c in cols]
    table = read_table(source, layout, numeric, cmap.time, groups=list(plan.values()))
    t, origin, start, time_note = time_in_seconds(table, cmap.time, source.display, cmap.time_unit)
    notes = [*table.notes, time_note]
    file_units: dict[str, tuple[str, str]] = {}
    for kind, unit in cmap.units.items():
        key = "acc" if kind in ("acc", "linacc") else kind
        if key in ("acc", "gyro") and kind in plan:
            said = "units row" if kind in cmap.from_units_row else "column header"
            file_units[key] = (unit, f"{said} says {_UNIT_WORDS.get(unit, unit)}")
    block = Block(
        t=t, streams={k: table.stack(cols) for k, cols in plan.items()}, display=source.display,
        time_field=cmap.time, first_line=layout.first_data_line, origin_s=origin,
    )  # fmt: skip
    return block, file_units, start, notes
