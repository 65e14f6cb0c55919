"""phyphox CSV exports.

A single-table export (``"Time (s)","Acceleration x (m/s^2)",...``), or the full
export as a zip archive or unpacked folder: one CSV per export set
(``Accelerometer.csv``, ``Gyroscope.csv``, ...) plus ``meta/device.csv`` and
``meta/time.csv``. Separators may be comma, tab or semicolon, the decimal mark a
point or a comma. All tables share the experiment clock, so they are merged by
time onto the accelerometer's time base.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from retrowalk.core.errors import InputError, UnsupportedFormatError
from retrowalk.io.assemble import Block, Parsed
from retrowalk.io.columns import ColumnMap, map_columns
from retrowalk.io.delimited import read_block
from retrowalk.io.headerless import headerless_layout, read_headerless, recognise_headerless
from retrowalk.io.layout import TextLayout, decode_head, text_layout
from retrowalk.io.source import Source

_KIND_ORDER = ("acc", "gyro", "linacc", "gravity")


def read_phyphox_file(path: Path, layout: TextLayout) -> Parsed:
    """Parse a single phyphox CSV table, or its whole unpacked export when it is in one."""
    if (path.parent / "meta").is_dir():
        from retrowalk.io.source import folder_members

        parsed = read_phyphox_members(path.parent, folder_members(path.parent))
        parsed.notes.insert(0, f"read the whole phyphox export folder {path.parent.name}")
        parsed.path = str(path)
        return parsed
    source = Source.file(path)
    block, units, start, notes = read_block(source, layout)
    return Parsed(str(path), "phyphox", [block], units, start, None, notes)


def read_phyphox_members(path: Path, members: dict[str, Source], fmt: str = "phyphox") -> Parsed:
    """Parse a phyphox export (zip archive or folder).

    Raises
    ------
    UnsupportedFormatError
        When no table holds acceleration.
    """
    notes: list[str] = []
    plans: list[tuple[str, Source, TextLayout, ColumnMap]] = []
    headerless: list[tuple[str, Source, tuple[list[str], str, dict[str, tuple[str, str]]]]] = []
    for name in sorted(members):
        low = name.lower()
        if not low.endswith((".csv", ".tsv", ".txt")) or "meta/" in low:
            continue
        src = members[name]
        try:
            layout = text_layout(src)
        except InputError as exc:
            found = _headerless_acceleration(src) if "no header line" in exc.reason else None
            if found is None:
                notes.append(f"{name}: skipped ({exc.reason})")
            else:
                headerless.append((name, src, found))
            continue
        cmap = map_columns(layout.columns, layout.units)
        if cmap.time is None or not cmap.streams:
            continue
        plans.append((name, src, layout, cmap))

    chosen: dict[str, int] = {}
    for kind in _KIND_ORDER:
        for i, (_, _, _, cmap) in enumerate(plans):
            if kind in cmap.streams:
                chosen.setdefault(kind, i)
                break
    if "acc" in chosen:
        chosen.pop("linacc", None)
    if "acc" not in chosen and "linacc" not in chosen:
        if len(headerless) == 1:
            return _read_headerless_member(path, *headerless[0], notes)
        if headerless:
            shown = ", ".join(n for n, _, _ in headerless)
            raise UnsupportedFormatError(
                path,
                f"the export holds {len(headerless)} acceleration tables without a header "
                f"line ({shown}): give the one to read",
            )
        names = ", ".join(n for n in members if not n.lower().startswith("meta")) or "none"
        raise UnsupportedFormatError(
            path, f"the export holds no acceleration table (files: {names})"
        )

    blocks: list[Block] = []
    file_units: dict[str, tuple[str, str]] = {}
    start = None
    for i in sorted(set(chosen.values()), key=lambda j: 0 if j == chosen.get("acc") else 1):
        name, src, layout, cmap = plans[i]
        kinds = {k: v for k, v in cmap.streams.items() if chosen.get(k) == i}
        sub = replace(
            cmap, streams=kinds, units={k: u for k, u in cmap.units.items() if k in kinds}
        )
        block, units, block_start, block_notes = read_block(src, layout, sub, require_acc=False)
        notes.extend(f"{name}: {n}" for n in block_notes if not n.startswith("time column"))
        for k, v in units.items():
            file_units.setdefault(k, v)
        blocks.append(block)
        start = start or block_start
    master = blocks[0]
    meta_time = next((s for n, s in members.items() if n.lower().endswith("meta/time.csv")), None)
    if start is None and meta_time is not None:
        start = _start_time(meta_time, master.origin_s)
    return Parsed(str(path), fmt, blocks, file_units, start, None, notes)


def _headerless_acceleration(
    source: Source,
) -> tuple[list[str], str, dict[str, tuple[str, str]]] | None:
    """The recognised layout of a table without a header line (a phone logger's
    ``accelerometer.csv``, an Axivity CSV), or ``None``."""
    try:
        return recognise_headerless(source.head())
    except InputError:
        return None


def _read_headerless_member(
    path: Path,
    name: str,
    source: Source,
    found: tuple[list[str], str, dict[str, tuple[str, str]]],
    notes: list[str],
) -> Parsed:
    """A folder or zip whose only acceleration table has no header line but a
    recognised layout: that table, read as if it had been given on its own."""
    columns, note, units = found
    layout = headerless_layout(source, columns, source.head())
    parsed = read_headerless(path, source, layout, f"{name}: {note}", units)
    parsed.notes[1:1] = notes  # what else the export held, after how the table was read
    return parsed


def _start_time(source: Source, first_sample_s: float) -> datetime | None:
    """Wall-clock time of the first sample from ``meta/time.csv`` (START event)."""
    try:
        text = decode_head(source.head())
    except InputError:
        return None
    for line in text.splitlines()[1:]:
        cells = [c.strip().strip('"') for c in re.split(r"[,;\t]", line)]
        if not cells or cells[0].upper() != "START":
            continue
        nums = _numbers(line)
        if len(nums) >= 2:
            experiment_time, system_time = nums[0], nums[1]
            try:
                return datetime.fromtimestamp(
                    system_time + (first_sample_s - experiment_time), tz=UTC
                )
            except (OverflowError, OSError, ValueError):
                return None
    return None


def _numbers(line: str) -> list[float]:
    """Numbers of a meta/time.csv row, for either decimal mark."""
    sep = ";" if ";" in line else ("\t" if "\t" in line else ",")
    out = []
    for cell in line.split(sep):
        c = cell.strip().strip('"')
        if sep != ",":
            c = c.replace(",", ".")
        try:
            out.append(float(c))
        except ValueError:
            continue
    return out
