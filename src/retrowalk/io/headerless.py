"""Delimited tables without a header line, and the ActiLife CSV exports.

A headerless table is read when the user names its columns
(``time_ns,_,acc_x,acc_y,acc_z``; ``_`` ignores a column) or when its content
makes the layout unambiguous:

* the phone-logger layout (e.g. the Oxford Step Counter app): five columns,
  integer nanosecond timestamps, a small integer accuracy flag and three
  acceleration columns in m/s^2 (median magnitude near 9.81);
* the Axivity CSV (``cwa-convert`` style): unix seconds or
  ``YYYY-mm-dd HH:MM:SS.fff`` time, then 3 acceleration columns in g, or
  3 acceleration (g) and 3 angular-rate (deg/s) columns.

ActiLife's raw CSV export (a 10-line banner stating the rate and start time,
then ``Accelerometer X,Accelerometer Y,Accelerometer Z`` in g, no time column) is
read with a time base built from the banner; ActiLife's epoch-count CSV holds
activity counts and is refused.

References
----------
ActiGraph. ActiLife 6 User's Manual, chapter on data export (raw and epoch CSV files).
Open Movement (Newcastle University). cwa-convert, the AX3/AX6 CSV converter.
Oxford Step Counter project. "Data set used to tune the algorithm and validate it".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import numpy as np

from retrowalk.core.errors import InputError
from retrowalk.io.assemble import Block, Parsed
from retrowalk.io.layout import TextLayout, decode_head, leading_lines
from retrowalk.io.source import Source
from retrowalk.io.table import read_table

#: Column names the user may give for a headerless table (``_`` ignores a column).
COLUMN_NAMES = (
    "time_s", "time_ms", "time_us", "time_ns", "time_iso",
    "acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z", "_",
)  # fmt: skip
_TIME_NAMES = ("time_s", "time_ms", "time_us", "time_ns", "time_iso")

_EPOCH_S = (1e8, 4.2e9)
_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_ISO_FULL = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?$")


def _all_cells(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """A pattern matching cells joined by line breaks when ``pattern`` matches each
    of them (cells hold no line break, and the cell patterns match none)."""
    # its groups made non-capturing (nothing is taken from them): the same matches, sooner
    cell = pattern.pattern.removeprefix("^").removesuffix("$").replace("(", "(?:")
    return re.compile(f"(?:{cell})(?:\n(?:{cell}))*")


# one match over a column's cells joined by line breaks instead of a match per cell
_ALL_INT = _all_cells(_INT)
_ALL_FLOAT = _all_cells(_FLOAT)
_ALL_ISO_FULL = _all_cells(_ISO_FULL)


def _all_match(every: re.Pattern[str], col: Sequence[str]) -> bool:
    return every.fullmatch("\n".join(col)) is not None


_RATE = re.compile(r"\bat\s+(\d+(?:\.\d+)?)\s*Hz", re.IGNORECASE)
_ACTILIFE_RAW = ["accelerometer x", "accelerometer y", "accelerometer z"]


def parse_columns(spec: str | Sequence[str], display: str | Path) -> list[str]:
    """Validate user column names (a comma-separated string or a list).

    Returns
    -------
    list of str
        The names, with each ``_`` made unique (``_1``, ``_2`` ...) so that a table
        can carry them.

    Raises
    ------
    InputError
        For an unknown name, a repeated name, no time column or no acceleration.
    """
    raw = [c.strip() for c in (spec.split(",") if isinstance(spec, str) else spec)]
    names: list[str] = []
    ignored = 0
    for c in raw:
        if c not in COLUMN_NAMES:
            raise InputError(
                display,
                f"unknown column name {c!r} in columns (use {', '.join(COLUMN_NAMES)})",
            )
        if c == "_":
            ignored += 1
            names.append(f"_{ignored}")
            continue
        if c in names:
            raise InputError(display, f"column {c!r} is named twice in columns")
        names.append(c)
    times = [c for c in names if c in _TIME_NAMES]
    if len(times) != 1:
        raise InputError(display, "columns must name exactly one time column (time_s ... time_iso)")
    if not {"acc_x", "acc_y", "acc_z"} <= set(names):
        raise InputError(display, "columns must name acc_x, acc_y and acc_z")
    gyr = {"gyr_x", "gyr_y", "gyr_z"} & set(names)
    if gyr and len(gyr) != 3:
        raise InputError(display, "columns must name all of gyr_x, gyr_y, gyr_z or none")
    return names


def shown_columns(names: Sequence[str]) -> str:
    """The names as the user writes them (``_1`` -> ``_``)."""
    return ",".join("_" if re.fullmatch(r"_\d+", n) else n for n in names)


def _data_lines(head: bytes, limit: int = 400) -> list[str]:
    text = decode_head(head)
    lines = leading_lines(text, limit) or text.splitlines(keepends=True)
    if len(head) >= 64 * 1024 and lines and not lines[-1].endswith(("\n", "\r")):
        lines = lines[:-1]
    return [ln.strip() for ln in lines[:limit] if ln.strip()]


def _delimiter(line: str) -> str:
    for d in ("\t", ";", ","):
        if d in line:
            return d
    return ","


def headerless_layout(source: Source, names: list[str], head: bytes | None = None) -> TextLayout:
    """The layout of a headerless table whose columns are ``names``.

    Raises
    ------
    InputError
        When the first row does not have as many fields as there are names.
    """
    head = source.head() if head is None else head
    lines = _data_lines(head, 1)
    if not lines:
        raise InputError(source.display, "the file is empty")
    delim = _delimiter(lines[0])
    cells = lines[0].split(delim)
    if len(cells) != len(names):
        raise InputError(
            source.display,
            f"columns names {len(names)} columns ({shown_columns(names)}) "
            f"but the row has {len(cells)} fields",
            line=1,
        )
    return TextLayout(
        delimiter=delim, decimal=".", header_index=-1, columns=list(names),
        preamble=[], data_offset=3 if head.startswith(b"\xef\xbb\xbf") else 0,
    )  # fmt: skip


def recognise_headerless(head: bytes) -> tuple[list[str], str, dict[str, tuple[str, str]]] | None:
    """Column names, a note and the file units of a headerless table whose layout is
    unambiguous, or ``None``.
    """
    lines = _data_lines(head)
    if len(lines) < 20:
        return None
    delim = _delimiter(lines[0])
    block = "\n".join(lines)
    if '"' not in block and len(block.split()) == len(lines):
        # no quote, and no space inside a line (the lines are stripped, not empty):
        # no cell has anything to strip
        rows = [ln.split(delim) for ln in lines]
    else:
        rows = [[c.strip().strip('"') for c in ln.split(delim)] for ln in lines]
    width = len(rows[0])
    if any(len(r) != width for r in rows):
        return None
    cols = list(zip(*rows, strict=True))

    def floats(col: Sequence[str]) -> np.ndarray | None:
        if not _all_match(_ALL_FLOAT, col):
            return None
        return np.array(list(map(float, col)))

    # Phone-logger layout: integer ns timestamps, a small integer flag, acc in m/s^2.
    if width == 5 and _all_match(_ALL_INT, cols[0]) and _all_match(_ALL_INT, cols[1]):
        t = np.array(list(map(int, cols[0])), dtype=np.int64)
        flag = np.array(list(map(int, cols[1])))
        parts = [floats(c) for c in cols[2:]]
        acc = None
        if all(p is not None for p in parts):
            acc = np.column_stack([p for p in parts if p is not None])
        steps = np.diff(t)
        if (
            acc is not None
            and np.all(steps > 0)
            and 1e6 <= float(np.median(steps)) <= 1e8  # 10 .. 1000 Hz in ns
            and np.all((flag >= 0) & (flag <= 3))
            and 8.0 <= float(np.median(np.linalg.norm(acc, axis=1))) <= 11.8
        ):
            note = (
                "no header line: recognised the phone-logger layout "
                "(timestamp in ns, accuracy flag, x, y, z acceleration in m/s^2); "
                "give the columns to read it otherwise"
            )
            units = {"acc": ("mps2", "headerless phone-logger layout: |acc| about 9.8, m/s^2")}
            return ["time_ns", "_1", "acc_x", "acc_y", "acc_z"], note, units
    # Axivity CSV: unix seconds or date-time text, then 3 acc (g) or 3 acc + 3 gyro.
    if width in (4, 7) and all(floats(c) is not None for c in cols[1:]):
        t0 = floats(cols[0])
        if t0 is not None:
            ok = bool(np.all(np.diff(t0) >= 0)) and _EPOCH_S[0] <= t0[0] <= _EPOCH_S[1]
            ok = ok and 0.001 <= float(np.median(np.diff(t0))) <= 0.1
            time_name, time_word = "time_s", "unix time in seconds"
        else:
            ok = _all_match(_ALL_ISO_FULL, cols[0])
            time_name, time_word = "time_iso", "date-time text"
        if ok:
            names = [time_name, "acc_x", "acc_y", "acc_z"]
            units = {"acc": ("g", "headerless Axivity CSV: acceleration in g")}
            what = "x, y, z acceleration in g"
            if width == 7:
                names += ["gyr_x", "gyr_y", "gyr_z"]
                units["gyro"] = ("dps", "headerless Axivity CSV: angular rate in deg/s")
                what += ", x, y, z angular rate in deg/s"
            note = (
                f"no header line: recognised the Axivity CSV layout ({time_word}, {what}); "
                "give the columns to read it otherwise"
            )
            return names, note, units
    return None


def damaged_line(head: bytes) -> tuple[int, str] | None:
    """The first line near the top of a headerless table that holds something other
    than numbers and times, when the table's layout is recognised without it: its
    1-based number and what it holds (``"byte 0xe9"`` or the cell), else ``None``.

    One damaged byte near the top of a real headerless table kept its layout from
    being recognised, and the message named line 1 and asked for the columns.
    """
    lines = head.split(b"\n")[:400]
    for i, line in enumerate(lines):
        text = line.strip()
        if not text:
            continue
        byte = next((b for b in text if b > 0x7E or (b < 0x20 and b != 0x09)), None)
        if byte is not None:
            what = f"byte 0x{byte:02x}"
        else:
            cells = [c.strip().strip('"') for c in re.split(r"[\t;,]", text.decode("ascii"))]
            cell = next((c for c in cells if not (_FLOAT.match(c) or _ISO_FULL.match(c))), None)
            if cell is None:
                continue
            what = repr(cell[:20])
        if recognise_headerless(b"\n".join(lines[:i] + lines[i + 1 :])) is None:
            return None
        return i + 1, what
    return None


def is_epoch_counts(head: bytes) -> bool:
    """ActiLife's epoch-count CSV (activity counts per epoch, not raw samples)."""
    text = decode_head(head[:8192]).lower()
    if "actilife" not in text and "actigraph" not in text:
        return False
    m = re.search(r"epoch period \(hh:mm:ss\)\s*(\d\d:\d\d:\d\d)", text)
    if m and m.group(1) != "00:00:00":
        return True
    return bool(re.search(r"(^|[\n,])\s*axis1\s*,", text))


def is_actilife_raw(layout: TextLayout) -> bool:
    """ActiLife's raw CSV export: a banner, then only the three accelerometer columns."""
    pre = " ".join(layout.preamble).lower()
    low = [c.lower() for c in layout.columns if c]
    return "actilife" in pre and low == _ACTILIFE_RAW


def read_headerless(
    path: str | Path,
    source: Source,
    layout: TextLayout,
    note: str,
    units: dict[str, tuple[str, str]],
) -> Parsed:
    """A table without a header line read whole, its columns as ``layout`` names them;
    ``note`` (how the columns were known) comes first in its notes."""
    from retrowalk.io.delimited import read_block

    block, _, start, notes = read_block(source, layout)
    return Parsed(
        path=str(path), format="headerless-csv", blocks=[block], file_units=dict(units),
        start_time=start, notes=[note, *notes],
    )  # fmt: skip


def read_actilife_raw(path: str | Path, source: Source, layout: TextLayout) -> Parsed:
    """Parse ActiLife's raw CSV export: rate and start time from its banner.

    Raises
    ------
    InputError
        When the banner states no sampling rate.
    """
    banner = " ".join(layout.preamble)
    m = _RATE.search(banner)
    if m is None:
        raise InputError(
            source.display, "ActiLife CSV banner states no sampling rate ('at N Hz')", line=1
        )
    rate = float(m.group(1))
    names = layout.columns[:3]
    table = read_table(source, layout, list(names), None, groups=[names])
    acc = table.stack(names)
    if acc.shape[0] < 2:
        raise InputError(source.display, "the file holds no acceleration samples")
    start = _banner_start(banner)
    block = Block(
        t=np.arange(acc.shape[0], dtype=np.float64) / rate, streams={"acc": acc},
        display=source.display, time_field=None, first_line=layout.first_data_line, rate_hz=rate,
    )  # fmt: skip
    notes = [
        *table.notes,
        f"ActiLife raw CSV: no time column; samples timed at the banner's {rate:g} Hz",
    ]
    if start is None:
        notes.append("the banner's start time could not be read")
    else:
        notes.append("start time from the banner (device clock, local time, no time zone)")
    return Parsed(
        str(path), "actilife-csv", [block],
        {"acc": ("g", "ActiLife raw CSV: acceleration in g")}, start, None, notes,
    )  # fmt: skip


def _banner_start(banner: str) -> datetime | None:
    tm = re.search(r"Start Time\s+(\d{1,2}:\d{2}:\d{2})", banner)
    dm = re.search(r"Start Date\s+(\d{1,2})[/-](\d{1,2})[/-](\d{4})", banner)
    if tm is None or dm is None:
        return None
    day_first = re.search(r"date format\s+d", banner, re.IGNORECASE) is not None
    a, b, year = int(dm.group(1)), int(dm.group(2)), int(dm.group(3))
    month, day = (b, a) if day_first else (a, b)
    try:
        hh, mm, ss = (int(x) for x in tm.group(1).split(":"))
        return datetime(year, month, day, hh, mm, ss)
    except ValueError:
        return None


__all__ = [
    "COLUMN_NAMES",
    "headerless_layout",
    "is_actilife_raw",
    "is_epoch_counts",
    "parse_columns",
    "read_actilife_raw",
    "recognise_headerless",
    "shown_columns",
]
