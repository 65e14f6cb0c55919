"""Sensor Logger (Android / iOS app) CSV exports.

An export is a zip archive or folder with one CSV per sensor, each with columns
``time`` (nanoseconds since the epoch), ``seconds_elapsed``, ``z``, ``y``, ``x``,
plus ``Metadata.csv``. ``Accelerometer.csv`` holds acceleration WITHOUT gravity;
``TotalAcceleration.csv`` (Android) holds it with gravity and is preferred;
otherwise ``Gravity.csv`` is added back. Every sensor has its own timestamps;
all are put on the accelerometer's uniform time base.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from retrowalk.core.errors import InputError, UnsupportedFormatError
from retrowalk.io.assemble import Block, Parsed
from retrowalk.io.columns import ColumnMap
from retrowalk.io.delimited import read_block
from retrowalk.io.layout import TextLayout, decode_head, text_layout
from retrowalk.io.source import Source, folder_members

_SIBLINGS = ("metadata.csv", "totalacceleration.csv", "gravity.csv", "gyroscope.csv")
_NOT_ACC = {
    "gyroscope.csv": "angular rate",
    "gravity.csv": "gravity",
    "orientation.csv": "orientation",
    "magnetometer.csv": "magnetic field",
}


def _cmap(layout: TextLayout, kind: str, display: str) -> ColumnMap:
    low = {c.lower(): c for c in layout.columns}
    time = low.get("time") or low.get("seconds_elapsed")
    x, y, z = (low.get(a) for a in "xyz")
    if time is None or x is None or y is None or z is None:
        raise UnsupportedFormatError(
            display,
            "expected Sensor Logger columns time/seconds_elapsed, x, y, z",
            line=layout.header_index + 1,
        )
    return ColumnMap(time=time, streams={kind: (x, y, z)})


def _block(source: Source, kind: str) -> tuple[Block, list[str], object]:
    layout = text_layout(source)
    block, _, start, notes = read_block(
        source, layout, _cmap(layout, kind, source.display), require_acc=False
    )
    return block, [n for n in notes if not n.startswith("time column")], start


def read_sensor_logger_file(path: Path, layout: TextLayout) -> Parsed:
    """Parse one Sensor Logger CSV, or its whole export folder when the siblings are there."""
    folder = path.parent
    names = {p.name.lower() for p in folder.iterdir() if p.is_file()}
    if sum(n in names for n in _SIBLINGS) >= 2:
        parsed = read_sensor_logger_members(folder, folder_members(folder))
        parsed.notes.insert(0, f"read the whole Sensor Logger export folder {folder.name}")
        parsed.path = str(path)
        return parsed
    what = _NOT_ACC.get(path.name.lower())
    if what is not None:
        raise UnsupportedFormatError(
            path, f"this Sensor Logger file holds {what}, not acceleration", line=1
        )
    source = Source.file(path)
    block, notes, start = _block(source, "acc")
    return Parsed(str(path), "sensor-logger", [block], {}, start, None, notes)  # type: ignore[arg-type]


def read_sensor_logger_members(path: Path, members: dict[str, Source]) -> Parsed:
    """Parse a Sensor Logger export (zip archive or folder).

    Raises
    ------
    UnsupportedFormatError
        When the export has no accelerometer file.
    """
    by_name: dict[str, Source] = {}
    for name, src in members.items():
        by_name.setdefault(Path(name).name.lower(), src)
    notes: list[str] = []
    blocks: list[Block] = []
    start = None
    total = by_name.get("totalacceleration.csv")
    acc = by_name.get("accelerometer.csv")
    if total is not None:
        block, n, start = _block(total, "acc")
        blocks.append(block)
        notes += n
        notes.append("acceleration from TotalAcceleration.csv (includes gravity)")
    elif acc is not None:
        block, n, start = _block(acc, "acc")
        blocks.append(block)
        notes += n
        gravity = by_name.get("gravity.csv")
        if gravity is not None:
            gblock, n, _ = _block(gravity, "gravity")
            blocks.append(gblock)
            notes += n
    else:
        raise UnsupportedFormatError(
            path, "the Sensor Logger export has no Accelerometer.csv or TotalAcceleration.csv"
        )
    gyro = by_name.get("gyroscope.csv")
    if gyro is not None:
        gblock, n, _ = _block(gyro, "gyro")
        blocks.append(gblock)
        notes += n
    meta = by_name.get("metadata.csv")
    if meta is not None:
        info = _metadata(meta)
        if info:
            notes.insert(0, f"Sensor Logger export ({info})")
    return Parsed(str(path), "sensor-logger", blocks, {}, start, None, notes)  # type: ignore[arg-type]


def _metadata(source: Source) -> str:
    """A short description from ``Metadata.csv`` (platform, device, app version)."""
    try:
        text = decode_head(source.head())
        rows = list(csv.DictReader(io.StringIO(text)))
    except (InputError, csv.Error):
        return ""
    if not rows:
        return ""
    row = rows[0]
    parts = [
        row.get("platform", ""),
        row.get("device name", ""),
        f"app {row['appVersion']}" if row.get("appVersion") else "",
    ]
    return ", ".join(p for p in parts if p)
