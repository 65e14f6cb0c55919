"""Xsens MT Manager / MTw text exports.

A free-text or ``//`` preamble (``Acquisition frequency: 100 Hz``, ``// Update Rate:
100.0Hz``), then a tab-separated header such as ``PacketCounter Acc_X Acc_Y Acc_Z
Gyr_X Gyr_Y Gyr_Z Mag_X Mag_Y Mag_Z``. Acceleration is in m/s^2 including
gravity, angular rate in rad/s.

Time comes from ``PacketCounter`` (16-bit, wraps at 65536; missing packets are
holes in the count), else from ``SampleTimeFine`` (10 kHz ticks, 32-bit), else
from the row number at the stated rate.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from retrowalk.core.errors import InputError
from retrowalk.io.assemble import Block, Parsed
from retrowalk.io.layout import TextLayout
from retrowalk.io.source import Source
from retrowalk.io.table import read_table

_RATE = re.compile(
    r"(acquisition frequency|update rate|sample ?rate|sampling rate|output rate)\s*[:=]?\s*"
    r"([0-9]+(?:[.,][0-9]+)?)\s*hz",
    re.IGNORECASE,
)
_PLACEMENT = {"lb": "lower_back", "lf": "foot", "rf": "foot"}


def stated_rate(preamble: list[str]) -> float | None:
    """The sampling rate a preamble states, in Hz."""
    for line in preamble:
        m = _RATE.search(line)
        if m:
            return float(m.group(2).replace(",", "."))
    return None


def placement_hint(path: Path) -> str | None:
    """``lower_back`` for ``*_lb.txt``, ``foot`` for ``*_lf.txt`` / ``*_rf.txt``."""
    m = re.search(r"[_\-](lb|lf|rf)$", path.stem, re.IGNORECASE)
    return _PLACEMENT[m.group(1).lower()] if m else None


def _unwrap(counter: np.ndarray, modulus: int) -> np.ndarray:
    """Undo wrap-around of an unsigned counter (int64 result)."""
    c = counter.astype(np.int64)
    d = np.diff(c)
    wraps = np.zeros(c.shape[0], dtype=np.int64)
    wraps[1:] = np.cumsum(np.where(d < -modulus // 2, modulus, 0))
    return c + wraps


def read_xsens(path: Path, layout: TextLayout, source: Source | None = None) -> Parsed:
    """Parse an Xsens text export.

    Raises
    ------
    InputError
        When acceleration columns are missing or the sampling rate is unknown.
    """
    source = source or Source.file(path)
    cols = layout.columns
    low = {c.lower(): c for c in cols}
    acc = [low.get(f"acc_{a}") for a in "xyz"]
    if None in acc:
        raise InputError(
            source.display,
            "Xsens export without Acc_X, Acc_Y, Acc_Z columns",
            line=layout.header_index + 1,
        )
    gyr = [low.get(f"gyr_{a}") for a in "xyz"]
    has_gyro = None not in gyr
    numeric = [c for c in acc if c] + ([c for c in gyr if c] if has_gyro else [])
    rate = stated_rate(layout.preamble)
    time_col = low.get("packetcounter") or low.get("sampletimefine")
    table = read_table(source, layout, numeric, time_col)
    notes = list(table.notes)
    n = table.n_rows
    if time_col is not None and time_col.lower() == "packetcounter":
        if rate is None:
            raise InputError(
                source.display,
                "the file does not state the sampling rate (no 'Acquisition frequency' or "
                "'Update Rate' line), so PacketCounter cannot be turned into time",
                line=1,
            )
        assert table.time is not None
        counter = _unwrap(np.asarray(table.time), 1 << 16)
        t = (counter - counter[0]) / rate
        drops = int(np.sum(np.diff(counter) > 1))
        if drops:
            notes.append(
                f"PacketCounter skips at {drops} place(s): {int(counter[-1] - counter[0] + 1 - n)} "
                "packet(s) missing in the export"
            )
    elif time_col is not None:
        assert table.time is not None
        ticks = _unwrap(np.asarray(table.time), 1 << 32)
        t = (ticks - ticks[0]) / 10_000.0
    else:
        if rate is None:
            raise InputError(
                source.display,
                "no PacketCounter or SampleTimeFine column and no stated rate",
                line=1,
            )
        t = np.arange(n) / rate
        notes.append(f"no time column; rows taken as consecutive samples at {rate:g} Hz")
    streams = {"acc": table.stack(acc)}  # type: ignore[arg-type]
    if has_gyro:
        streams["gyro"] = table.stack(gyr)  # type: ignore[arg-type]
    block = Block(
        t=t.astype(np.float64), streams=streams, display=source.display,
        time_field=time_col, first_line=layout.first_data_line, rate_hz=rate,
    )  # fmt: skip
    return Parsed(
        path=str(path),
        format="xsens-txt",
        blocks=[block],
        file_units={
            "acc": ("mps2", "Xsens export: Acc_* in m/s^2"),
            "gyro": ("rads", "Xsens export: Gyr_* in rad/s"),
        },
        placement_hint=placement_hint(path),
        notes=notes,
    )
