"""Recognising a recording's format from its content.

Only the first few kilobytes are read (of a zip member too: it is decompressed
as a stream and only its head is taken). Binary files are told apart by their magic
bytes; text tables by their preamble and header; folders and zip archives by the
names and headers of the files inside.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from retrowalk.core.errors import InputError, UnsupportedFormatError
from retrowalk.io.source import Source

MOBGAP_HEADER = ["time_s", "acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"]

_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"\x1f\x8b": "a gzip archive",
    b"BZh": "a bzip2 archive",
    b"7z\xbc\xaf": "a 7-zip archive",
    b"Rar!": "a RAR archive",
    b"\x7fELF": "an executable",
    b"SQLite format 3": "an SQLite database",
    b"PAR1": "a Parquet file",
    b"\x93NUMPY": "a NumPy array file",
}

_NUM = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$|^[+-]?(nan|NaN|inf|Infinity)$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+([eE][+-]?\d+)?$")


@dataclass
class TextLayout:
    """How a delimited text table is laid out.

    Attributes
    ----------
    delimiter, decimal
        Field separator and decimal mark.
    header_index
        0-based index of the header line.
    columns
        Header names, unquoted and stripped.
    preamble
        Lines before the header.
    extra_fields
        How many more fields the data rows have than the header (trailing separators).
    data_offset
        Byte offset of the first line after the header.
    """

    delimiter: str
    decimal: str
    header_index: int
    columns: list[str]
    preamble: list[str] = field(default_factory=list)
    extra_fields: int = 0
    data_offset: int = 0
    quoted_header: bool = False

    @property
    def first_data_line(self) -> int:
        """1-based line number of the first line after the header."""
        return self.header_index + 2


def describe_binary(head: bytes) -> str | None:
    """A plain name for known binary content, or ``None`` when the head looks like text."""
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            return what
    if b"\x00" in head[:8192]:
        return "binary data"
    try:
        head[:8192].decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < min(len(head), 8192) - 4:
            try:
                head[:8192].decode("cp1252")
            except UnicodeDecodeError:
                return "binary data"
            text = head[:8192].decode("latin-1")
            printable = sum(c.isprintable() or c in "\r\n\t" for c in text)
            if printable < 0.95 * len(text):
                return "binary data"
    return None


def is_cwa(head: bytes) -> bool:
    """Axivity CWA: a 1024-byte header block starting with ``MD`` and length 0xFFFC."""
    return len(head) >= 4 and head[:2] == b"MD" and head[2:4] in (b"\xfc\xff", b"\xfc\x03")


def decode_head(head: bytes) -> str:
    """Decode the head of a text file, tolerating a multi-byte character cut at the end."""
    try:
        return head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 4:
            return head[: exc.start].decode("utf-8-sig")
        return head.decode("cp1252", errors="replace")


def _split(line: str, delimiter: str) -> list[str]:
    parts = line.split(delimiter)
    return [p.strip().strip('"').strip("'").strip() for p in parts]


def _is_value(cell: str) -> bool:
    return bool(cell) and (_NUM.match(cell) is not None or _ISO.match(cell) is not None)


def _numeric_share(cells: list[str]) -> float:
    cells = [c for c in cells if c != ""]
    if not cells:
        return 0.0
    return sum(_is_value(c) for c in cells) / len(cells)


def text_layout(source: Source, head: bytes | None = None) -> TextLayout:
    """Find the header, delimiter and decimal mark of a delimited text table.

    Raises
    ------
    InputError
        For an empty file, a file without data rows, or one whose header cannot be found.
    """
    if head is None:
        head = source.head()
    if not head.strip():
        raise InputError(source.display, "the file is empty")
    text = decode_head(head)
    complete = len(head) < 64 * 1024
    lines = text.splitlines(keepends=True)
    if not complete and lines and not lines[-1].endswith(("\n", "\r")):
        lines = lines[:-1]
    stripped = [ln.rstrip("\r\n") for ln in lines]
    bom = 3 if head.startswith(b"\xef\xbb\xbf") else 0

    for i, line in enumerate(stripped):
        s = line.strip()
        if not s or s.startswith(("//", "#", ";")):
            continue
        delim = _pick_delimiter(s)
        if delim is None:
            if _is_value(s):
                raise UnsupportedFormatError(
                    source.display, "no header line naming the columns", line=i + 1
                )
            continue  # a free-text preamble line such as "Acquisition frequency: 100 Hz"
        cols = _split(s, delim)
        if _numeric_share(cols) > 0.5:
            raise UnsupportedFormatError(
                source.display,
                "no header line naming the columns (first row is numbers)",
                line=i + 1,
            )
        first = next((ln for ln in stripped[i + 1 :] if ln.strip()), None)
        if first is None:
            raise InputError(
                source.display,
                f"has a header (line {i + 1}) but no data rows",
                line=i + 1,
            )
        cells = first.split(delim)
        extra = 0
        if len(cells) > len(cols) and all(not c.strip() for c in cells[len(cols) :]):
            extra = len(cells) - len(cols)
        decimal = "."
        if delim != ",":
            values = [c.strip().strip('"') for c in cells]
            if any(_DECIMAL_COMMA.match(v) for v in values):
                decimal = ","
        return TextLayout(
            delimiter=delim,
            decimal=decimal,
            header_index=i,
            columns=cols,
            preamble=[ln.strip() for ln in stripped[:i]],
            extra_fields=extra,
            data_offset=bom + sum(len(ln.encode("utf-8")) for ln in lines[: i + 1]),
            quoted_header=s.startswith('"'),
        )
    raise UnsupportedFormatError(source.display, "no table with a header line was found")


def _pick_delimiter(line: str) -> str | None:
    for delim in ("\t", ";", ","):
        if line.count(delim) >= 1:
            return delim
    return None


_SENSOR_FILES = ("accelerometer.csv", "totalacceleration.csv", "gravity.csv", "gyroscope.csv")


@dataclass
class Detected:
    """The result of sniffing: a format id and what the reader needs."""

    format: str
    layout: TextLayout | None = None
    members: dict[str, Source] | None = None
    #: A recognised headerless layout: (column names, note, file units).
    headerless: tuple[list[str], str, dict[str, tuple[str, str]]] | None = None


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
    from retrowalk.io import headerless as hl

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


def sniff(path: Path) -> Detected:
    """Detect the format of ``path`` (a file, an export folder or a zip archive).

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
    source = Source.file(path)
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
            raise UnsupportedFormatError(
                path, f"zip archive holds no supported export (files: {shown or 'none'})"
            )
        if fmt == "actigraph-gt3x":
            return Detected(fmt)
        return Detected(fmt, members=members)
    if is_cwa(head):
        return Detected("axivity-cwa")
    what = describe_binary(head)
    if what is not None:
        raise UnsupportedFormatError(path, f"binary content ({what}), not a supported recording")
    return sniff_text(source, head)
