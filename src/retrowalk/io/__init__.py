"""Readers for phone and wearable recordings.

>>> from retrowalk.io import read_recording
>>> rec = read_recording("walk.csv")  # doctest: +SKIP

The format is recognised from the content (see :mod:`retrowalk.io.sniff`):

========================  ===========================================================
``xsens-txt``             Xsens MT Manager / MTw text export (``*_lb.txt`` ...)
``mobgap-csv``            ``time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z`` lab CSV
``generic-csv``           any delimited table with a time column and acc/gyro columns
``headerless-csv``        a table without a header line: columns named by the user
                          (``columns=``), or a recognised layout (phone logger:
                          ns timestamp, flag, x, y, z in m/s^2; Axivity CSV: unix
                          seconds or date-time, x, y, z in g [, gyro in deg/s]),
                          also as the one acceleration table of a folder or zip
``actilife-csv``          ActiLife raw CSV export (banner with rate and start time,
                          ``Accelerometer X,Y,Z`` in g, no time column)
``phyphox``               phyphox CSV export: one table, or the zip / folder export
``sensor-logger``         Sensor Logger CSV export: zip, folder or one of its files
``axivity-cwa``           Axivity AX3/AX6 ``.cwa`` (needs the ``wearables`` extra)
``actigraph-gt3x``        ActiGraph ``.gt3x``: current (``log.bin``) and legacy NEO /
                          GT3X+ (``activity.bin``) files (needs the ``wearables`` extra)
========================  ===========================================================

ActiLife epoch-count CSVs (activity counts, not raw acceleration) are refused.

Other kinds of recording register a reader of their own
(:mod:`retrowalk.io.registry`): importing :mod:`retrowalk.video` adds ``video``
(mp4 / mov / avi / webm, needs the ``video`` extra).

Every problem with the input raises :class:`~retrowalk.core.errors.InputError` (or its
subclass :class:`~retrowalk.core.errors.UnsupportedFormatError`) with a one-line
message naming the file and, where it applies, the line and field.
"""

from __future__ import annotations

import csv
import os
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path

from retrowalk.core.errors import InputError, RetrowalkError
from retrowalk.core.recording import Recording
from retrowalk.core.types import PLACEMENTS
from retrowalk.io.assemble import Parsed
from retrowalk.io.assemble import assemble as _assemble
from retrowalk.io.registry import SourceReader, register_source, registered_sources
from retrowalk.io.resample import DEFAULT_GAP_S
from retrowalk.io.sniff import sniff
from retrowalk.io.source import Source
from retrowalk.io.table import load_table_libraries

__all__ = [
    "DEFAULT_MAX_BYTES",
    "FORMATS",
    "STREAMED_FORMATS",
    "SourceReader",
    "load_table_libraries",
    "read_recording",
    "register_source",
    "registered_sources",
]

FORMATS = (
    "xsens-txt",
    "mobgap-csv",
    "generic-csv",
    "headerless-csv",
    "actilife-csv",
    "phyphox",
    "sensor-logger",
    "axivity-cwa",
    "actigraph-gt3x",
)
# Files of the formats read whole (archives, export folders, binary wearable
# files, registered sources) larger than this are refused before anything is
# read. Text tables are parsed in chunks into temporary files (see
# :mod:`retrowalk.io.chunked`), so their memory does not grow with length and
# they have no limit unless one is given.
DEFAULT_MAX_BYTES = 2 * 1024**3

#: Formats read a chunk of rows at a time, whatever their size.
STREAMED_FORMATS = frozenset({"mobgap-csv", "generic-csv", "headerless-csv", "xsens-txt"})

# (pandas' ParserError and EmptyDataError are ValueErrors: pandas is not imported
# to name them, for start-up time)
_CONVERTED = (
    ValueError,
    UnicodeError,
    OSError,
    EOFError,
    MemoryError,
    OverflowError,
    IndexError,
    KeyError,
    csv.Error,
    zipfile.BadZipFile,
    zlib.error,
)


def read_recording(
    path: str | os.PathLike[str],
    *,
    acc_unit: str = "auto",
    gyro_unit: str = "auto",
    placement: str = "auto",
    target_rate_hz: float | None = None,
    gap_threshold_s: float = DEFAULT_GAP_S,
    max_bytes: int | None = None,
    columns: str | Sequence[str] | None = None,
    content: bytes | None = None,
) -> Recording:
    """Read a recording file (or export folder / zip) into a :class:`Recording`.

    Parameters
    ----------
    path
        The file, export folder or zip archive.
    acc_unit
        ``"auto"`` (decide from the file or the size of gravity), ``"g"``, ``"mg"``
        (milli-g) or ``"mps2"``.
    gyro_unit
        ``"auto"`` (decide from the file or the data), ``"dps"`` or ``"rads"``.
    placement
        Where the device was worn; ``"auto"`` keeps the format's hint (e.g. an Xsens
        ``_lb`` file name means ``lower_back``) or leaves it ``"auto"``.
    target_rate_hz
        Output sampling rate; ``None`` keeps the source rate (rounded sensibly).
    gap_threshold_s
        Holes in the timestamps longer than this are recorded as gaps and filled by
        holding the last value; shorter ones are bridged by linear interpolation.
    max_bytes
        Files larger than this are refused at once. ``None``: text tables read in
        chunks (:data:`STREAMED_FORMATS`) have no limit, and other formats, which
        are read whole, :data:`DEFAULT_MAX_BYTES`.
    columns
        The columns of a table without a header line, in order, as a comma-separated
        string or a list: ``time_s``, ``time_ms``, ``time_us``, ``time_ns`` or
        ``time_iso``; ``acc_x``, ``acc_y``, ``acc_z``; optionally ``gyr_x``,
        ``gyr_y``, ``gyr_z``; ``_`` ignores a column. E.g. ``"time_ns,_,acc_x,acc_y,acc_z"``.
    content
        The file's bytes, when the caller has read them already (batch work
        hashes them): a text table is then read from them, and a registered
        source that looks at bytes (:class:`SourceReader`) recognises the file
        by them, without opening it again. Other formats read the file.

    Returns
    -------
    Recording
        Uniformly sampled acceleration (m/s^2, with gravity) and angular rate (rad/s),
        starting at time 0, with the unit decisions, gaps and notes.

    Raises
    ------
    InputError
        For every problem with the input, with a one-line message.
    """
    p = Path(path)
    if acc_unit not in ("auto", "g", "mg", "mps2"):
        raise InputError(p, f"acc_unit must be auto, g, mg or mps2, not {acc_unit!r}")
    if gyro_unit not in ("auto", "dps", "rads"):
        raise InputError(p, f"gyro_unit must be auto, dps or rads, not {gyro_unit!r}")
    if placement not in PLACEMENTS:
        raise InputError(p, f"placement must be one of {', '.join(PLACEMENTS)}, not {placement!r}")
    if not gap_threshold_s > 0:
        raise InputError(p, f"gap threshold must be positive, not {gap_threshold_s!r}")
    try:
        for source in registered_sources():
            if source.reads(p, content):
                _check_size(p, DEFAULT_MAX_BYTES if max_bytes is None else max_bytes)
                return source.read(p)
        parsed = _parse(p, max_bytes, columns, content)
        try:
            return _assemble(
                parsed,
                acc_unit=acc_unit,
                gyro_unit=gyro_unit,
                placement=placement,
                target_rate_hz=target_rate_hz,
                gap_s=gap_threshold_s,
            )
        except InputError as exc:
            if parsed.format != "headerless-csv" or not parsed.notes:
                raise
            assumed = parsed.notes[0].removeprefix("no header line: ")
            raise type(exc)(
                exc.path,
                f"{exc.reason} (no header line; {assumed})",
                line=exc.line,
                field=exc.field,
            ) from None
    except RetrowalkError:
        raise
    except _CONVERTED as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise InputError(p, f"cannot be read: {reason}") from None


def _parse(
    path: Path,
    max_bytes: int | None,
    columns: str | Sequence[str] | None = None,
    content: bytes | None = None,
) -> Parsed:
    if not path.exists():
        raise InputError(path, "no such file or folder")
    is_file = path.is_file()
    if is_file and max_bytes is not None:
        _check_size(path, max_bytes)
    elif not is_file and not path.is_dir():
        raise InputError(path, "not a regular file or folder")
    if columns is not None and columns != "":
        return _parse_named(path, columns, content)
    detected = sniff(path, content)  # reads the first bytes only
    fmt = detected.format
    if is_file and max_bytes is None and fmt not in STREAMED_FORMATS:
        _check_size(path, DEFAULT_MAX_BYTES)
    if fmt == "headerless-csv":
        assert detected.layout is not None and detected.headerless is not None
        from retrowalk.io.headerless import read_headerless

        _names, note, units = detected.headerless
        source = detected.source or Source.file(path)
        return read_headerless(path, source, detected.layout, note, units)
    if fmt == "actilife-csv":
        from retrowalk.io.headerless import read_actilife_raw

        assert detected.layout is not None
        return read_actilife_raw(path, detected.source or Source.file(path), detected.layout)
    if fmt == "xsens-txt":
        from retrowalk.io.xsens import read_xsens

        assert detected.layout is not None
        return read_xsens(path, detected.layout, detected.source)
    if fmt in ("mobgap-csv", "generic-csv"):
        from retrowalk.io.delimited import read_delimited

        assert detected.layout is not None
        return read_delimited(path, detected.layout, fmt, detected.source)
    if fmt == "phyphox":
        from retrowalk.io.phyphox import read_phyphox_file, read_phyphox_members

        if detected.members is not None:
            return read_phyphox_members(path, detected.members)
        assert detected.layout is not None
        return read_phyphox_file(path, detected.layout)
    if fmt == "sensor-logger":
        from retrowalk.io.sensor_logger import read_sensor_logger_file, read_sensor_logger_members

        if detected.members is not None:
            return read_sensor_logger_members(path, detected.members)
        assert detected.layout is not None
        return read_sensor_logger_file(path, detected.layout)
    if fmt == "axivity-cwa":
        from retrowalk.io.wearables import read_cwa

        return read_cwa(path)
    if fmt == "actigraph-gt3x":
        from retrowalk.io.wearables import read_gt3x

        return read_gt3x(path)
    raise InputError(path, f"no reader for format {fmt}")  # pragma: no cover


def _parse_named(path: Path, columns: str | Sequence[str], content: bytes | None = None) -> Parsed:
    """A headerless table read with the user's column names."""
    from retrowalk.io.headerless import (
        headerless_layout,
        parse_columns,
        read_headerless,
        shown_columns,
    )

    if path.is_dir():
        raise InputError(path, "columns apply to one headerless table, not a folder")
    names = parse_columns(columns, path)
    source = Source.file(path, content)
    head = source.head()
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"MD")):
        raise InputError(path, "columns apply to a headerless text table, not to this file")
    layout = headerless_layout(source, names, head)
    note = f"no header line: columns given as {shown_columns(names)}"
    return read_headerless(path, source, layout, note, {})


def _check_size(path: Path, max_bytes: int) -> None:
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(
            path,
            f"the file is {_size(size)}, larger than the {_size(max_bytes)} limit "
            "(raise max_bytes to read it)",
        )


def _size(n: int) -> str:
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= factor:
            return f"{n / factor:.1f} {unit}"
    return f"{n} bytes"
