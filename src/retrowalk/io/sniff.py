"""Recognising a recording's format from its content.

Only the first few kilobytes are read (of a zip member too: it is decompressed
as a stream and only its head is taken). Binary files are told apart by their magic
bytes; text tables by their preamble and header; folders and zip archives by the
names and headers of the files inside.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from retrowalk.core.errors import InputError, UnsupportedFormatError
from retrowalk.io import headerless as hl
from retrowalk.io.layout import (
    MOBGAP_HEADER,
    TextLayout,
    decode_head,
    describe_binary,
    is_cwa,
    is_utf16_text,
    text_layout,
)
from retrowalk.io.source import Source

_SENSOR_FILES = ("accelerometer.csv", "totalacceleration.csv", "gravity.csv", "gyroscope.csv")


@dataclass
class Detected:
    """The result of sniffing: a format id and what the reader needs."""

    format: str
    layout: TextLayout | None = None
    members: dict[str, Source] | None = None
    #: A recognised headerless layout: (column names, note, file units).
    headerless: tuple[list[str], str, dict[str, tuple[str, str]]] | None = None
    #: The text file sniffed, its first bytes kept (:meth:`Source.head`) for its reader.
    source: Source | None = None


#: The start of a JSON document (an object, or an array of values), not of a table
#: (a preamble line such as "[Device]" is a table's).
_JSON_START = re.compile(rb"^(\xef\xbb\xbf)?\s*(\{|\[\s*[\[{\"\d\-\]])")


def _sensor_logger_header(source: Source) -> bool:
    try:
        head = decode_head(source.head(4096))
    except InputError:
        return False
    lines = head.splitlines()
    return bool(lines) and "seconds_elapsed" in lines[0].lower()


def sniff_members(names: list[str], members: dict[str, Source] | None = None) -> str | None:
    """Format of an export folder or zip from its file names (and CSV headers)."""
    base = {Path(n).name.lower() for n in names}
    if ("log.bin" in base or "activity.bin" in base) and "info.txt" in base:
        return "actigraph-gt3x"
    for name, src in (members or {}).items():
        if Path(name).name.lower() in _SENSOR_FILES and _sensor_logger_header(src):
            return "sensor-logger"
    if "metadata.csv" in base and (
        {"accelerometer.csv", "totalacceleration.csv", "gravity.csv"} & base
    ):
        return "sensor-logger"
    if any(n.lower().startswith("meta/") or "/meta/" in n.lower() for n in names):
        return "phyphox"
    if "totalacceleration.csv" in base:
        return "sensor-logger"
    if {"accelerometer.csv", "gyroscope.csv", "linear accelerometer.csv"} & base:
        return "phyphox"
    return None


def sniff_text(source: Source, head: bytes) -> Detected:
    """Format of a delimited text table.

    Raises
    ------
    UnsupportedFormatError
        For ActiLife epoch-count CSVs, and headerless tables of no recognised layout.
    """

    if hl.is_epoch_counts(head):
        raise UnsupportedFormatError(
            source.display,
            "this holds activity counts, not raw acceleration (an ActiLife epoch-count CSV); "
            "export the raw data instead (.gt3x or ActiLife raw CSV)",
        )
    try:
        layout = text_layout(source, head)
    except UnsupportedFormatError as exc:
        if "no header line" not in str(exc):
            raise
        found = hl.recognise_headerless(head)
        damaged = hl.damaged_line(head) if found is None else None
        if damaged is not None:
            raise UnsupportedFormatError(
                source.display,
                f"no header line naming the columns, and this line holds {damaged[1]}, no "
                "part of a number or time (damaged?): the rows around it have a known "
                "headerless layout; mend or delete the line",
                line=damaged[0],
            ) from None
        if found is None:
            raise UnsupportedFormatError(
                source.display,
                "no header line naming the columns and no known headerless layout; "
                "name them with --columns (e.g. time_ns,_,acc_x,acc_y,acc_z)",
                line=1,
            ) from None
        layout = hl.headerless_layout(source, found[0], head)
        return Detected("headerless-csv", layout, headerless=found)
    if hl.is_actilife_raw(layout):
        return Detected("actilife-csv", layout)
    pre = " ".join(layout.preamble).lower()
    cols = layout.columns
    low = [c.lower() for c in cols]
    is_xsens = (
        "acquisition frequency" in pre
        or "update rate" in pre
        or "packetcounter" in low
        or "sampletimefine" in low
        or (any(c.startswith("Acc_") for c in cols) and ("gyr_x" in low or "mag_x" in low))
    )
    if is_xsens:
        return Detected("xsens-txt", layout)
    if cols == MOBGAP_HEADER:
        return Detected("mobgap-csv", layout)
    if "seconds_elapsed" in low and {"x", "y", "z"} <= set(low):
        return Detected("sensor-logger", layout)
    if layout.quoted_header and any(re.match(r"time \((s|ms)\)", c) for c in low):
        return Detected("phyphox", layout)
    return Detected("generic-csv", layout)


def sniff(path: Path, content: bytes | None = None) -> Detected:
    """Detect the format of ``path`` (a file, an export folder or a zip archive).

    ``content``: the file's bytes when already read; the text file's source
    (:attr:`Detected.source`) then reads from them.

    Raises
    ------
    InputError
        For empty, binary or unreadable files.
    UnsupportedFormatError
        When the content matches no supported layout.
    """
    if path.is_dir():
        from retrowalk.io.source import folder_members

        members = folder_members(path)
        fmt = sniff_members(list(members), members)
        if fmt is None:
            raise UnsupportedFormatError(
                path, "folder holds no supported export (phyphox or Sensor Logger CSV files)"
            )
        return Detected(fmt, members=members)
    source = Source.file(path, content)
    head = source.head()
    if not head:
        raise InputError(path, "the file is empty")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        from retrowalk.io.source import check_archive, zip_members

        try:
            with zipfile.ZipFile(path) as zf:
                infos = zf.infolist()
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(path, f"damaged zip archive ({exc})") from None
        check_archive(path, infos)  # a zip bomb is refused before anything is unpacked
        names = [i.filename for i in infos if not i.filename.endswith("/")]

        binary = {"log.bin", "activity.bin"} & {Path(n).name for n in names}
        members = zip_members(path) if not binary else {}
        fmt = sniff_members(names, members)
        if fmt is None:
            shown = ", ".join(names[:6]) + (" ..." if len(names) > 6 else "")
            if path.suffix.lower() == ".gt3x":
                raise UnsupportedFormatError(
                    path,
                    "an ActiGraph .gt3x archive holds log.bin (or activity.bin) and info.txt; "
                    f"this one holds {shown or 'nothing'} (damaged or incomplete)",
                )
            if "xl/workbook.xml" in names or "word/document.xml" in names:
                office = "an Excel workbook" if "xl/workbook.xml" in names else "a Word document"
                raise UnsupportedFormatError(
                    path, f"{office}, not a table of text: save the sheet as CSV and analyse that"
                )
            raise UnsupportedFormatError(
                path, f"zip archive holds no supported export (files: {shown or 'none'})"
            )
        if fmt == "actigraph-gt3x":
            return Detected(fmt)
        return Detected(fmt, members=members)
    if is_cwa(head):
        return Detected("axivity-cwa")
    if is_utf16_text(head):
        raise UnsupportedFormatError(
            path, "text in UTF-16, which is not read: save it as UTF-8 text (CSV UTF-8)"
        )
    what = describe_binary(head)
    if what is not None:
        raise UnsupportedFormatError(path, f"binary content ({what}), not a supported recording")
    if _JSON_START.match(head):
        raise UnsupportedFormatError(
            path,
            "JSON, not a table: export the recording as CSV (a time column and "
            "acceleration columns) and analyse that",
        )
    detected = sniff_text(source, head)
    detected.source = source
    return detected
