"""Text layout of a table file: delimiter, header, preamble, decimal mark, and the
first bytes that tell binary formats apart.

Shared by the sniffer and the readers of each format family.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from retrowalk.core.errors import InputError, UnsupportedFormatError
from retrowalk.io.columns import time_unit_from_label
from retrowalk.io.source import Source
from retrowalk.io.units import unit_from_label

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
#: A time of day without a date (hours, minutes, seconds and a fraction after a
#: point, comma or colon: ``"23:43:56:095"``); the groups are the four numbers.
_CLOCK_PATTERN = r"^\s*(\d{1,2}):(\d{2}):(\d{2})(?:[:.,](\d{1,9}))?\s*$"
#: A time cell: an ISO 8601 date (and time), a time of day, a date with a month's
#: name (``"01-Dec-2026 10:00:00.006"``), or a date and time written with slashes
#: (``"2023/11/14 22:13:20.006"``, Shimmer's formatted Unix time).
_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?"
    r"|" + _CLOCK_PATTERN + r"|^\d{1,2}-[A-Za-z]{3}-\d{4} \d{2}:\d{2}:\d{2}(\.\d+)?$"
    r"|^\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$"
)
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
        Byte offset of the first data line (after the header, and after its units row).
    units
        The cells of a units row right under the header (``"ms"``, ``"m/(s^2)"``, as a
        Shimmer export writes them), one per column, or empty when there is none.
    """

    delimiter: str
    decimal: str
    header_index: int
    columns: list[str]
    preamble: list[str] = field(default_factory=list)
    extra_fields: int = 0
    data_offset: int = 0
    quoted_header: bool = False
    units: list[str] = field(default_factory=list)

    @property
    def first_data_line(self) -> int:
        """1-based line number of the first data line (after the header and units row)."""
        return self.header_index + 2 + bool(self.units)

    @property
    def lines_before_data(self) -> int:
        """Lines before the first data line (the preamble, header and units row)."""
        return self.first_data_line - 1


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


def is_utf16_text(head: bytes) -> bool:
    """UTF-16 text (a byte-order mark, or a zero byte beside every ASCII character)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    sample = head[:4096]
    if len(sample) < 16:
        return False
    even, odd = sample[0::2], sample[1::2]
    for zeros, chars in ((even, odd), (odd, even)):
        if zeros.count(0) > 0.9 * len(zeros) and chars.count(0) < 0.1 * len(chars):
            text = chars.decode("latin-1")
            return sum(c.isprintable() or c in "\r\n\t" for c in text) > 0.95 * len(text)
    return False


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


def leading_lines(text: str, count: int) -> list[str] | None:
    """The first lines of ``text.splitlines(keepends=True)``, more than ``count`` of
    them, split from a part of ``text`` only; ``None`` when no such part is found
    before the end of ``text`` (the caller then splits it whole).

    Each part tried ends just after a line feed, which ends a line wherever it
    stands (a carriage return before it joins its line, none after it), so its
    lines are those of the whole text, all complete; splitting a 64 KiB head
    whole to look at its first lines costs more than the look. A part is split
    only once it holds more than ``count`` line feeds (so more than ``count``
    lines); one with too few is followed by one sized from its lines' length.
    """
    size = 48 * (count + 1)
    while size < len(text):
        cut = text.find("\n", size) + 1
        if cut <= 0:
            return None
        feeds = text.count("\n", 0, cut)
        if feeds > count:
            return text[:cut].splitlines(keepends=True)
        size = max(cut * (count + 1) // max(feeds, 1) * 5 // 4, 2 * size)
    return None


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
    bom = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    first_lines = leading_lines(text, _FIRST_LINES)
    if first_lines is not None:  # the header and first row are near the top
        layout = _layout_of_lines(source, first_lines, bom, partial=True)
        if layout is not None:
            return layout
    complete = len(head) < 64 * 1024
    lines = text.splitlines(keepends=True)
    if not complete and lines and not lines[-1].endswith(("\n", "\r")):
        lines = lines[:-1]
    layout = _layout_of_lines(source, lines, bom, partial=False)
    assert layout is not None
    return layout


#: Lines of a table's head split first to find its header and first row.
_FIRST_LINES = 64


def _layout_of_lines(
    source: Source, lines: list[str], bom: int, *, partial: bool
) -> TextLayout | None:
    """:func:`text_layout` of the head's ``lines``; ``None`` when they are the
    first lines only (``partial``) and the header or first row is not among them."""
    hinted: str | None = None  # the delimiter a "sep=," line names
    for i, raw in enumerate(lines):  # lines are stripped as reached: the header is near the top
        s = raw.rstrip("\r\n").strip()
        if not s or s.startswith(("//", "#", ";")):
            continue
        hint = _SEP_HINT.match(raw.rstrip("\r\n"))
        if hint is not None and hinted is None:
            hinted = hint.group(1)
            continue
        delim = hinted if hinted is not None and hinted in s else _pick_delimiter(s)
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
        units = _units_row(lines[i + 1] if i + 1 < len(lines) else "", delim, cols)
        after = i + 2 if units else i + 1
        rest = (ln.rstrip("\r\n") for ln in itertools.islice(lines, after, None))
        first = next((ln for ln in rest if ln.strip()), None)
        if first is None and partial:
            return None
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
            preamble=[ln.rstrip("\r\n").strip() for ln in lines[:i]],
            extra_fields=extra,
            data_offset=bom + sum(len(ln.encode("utf-8")) for ln in lines[:after]),
            quoted_header=s.startswith('"'),
            units=units,
        )
    if partial:
        return None
    raise UnsupportedFormatError(source.display, "no table with a header line was found")


#: The line Excel reads as the table's delimiter (``sep=,``, ``"sep=\t"``), which
#: Shimmer's Consensys and other Windows programs write above the header.
_SEP_HINT = re.compile(r'^\s*"?sep=([\t,;|])"?\s*$', re.IGNORECASE)


def _units_row(line: str, delimiter: str, columns: list[str]) -> list[str]:
    """The cells of ``line`` when it is a units row under the header ``columns``
    (``ms,m/(s^2),m/(s^2),...``), else an empty list.

    A units row has no more cells than the header (but for empty ones at the
    end), none a number, a time or a date,
    nor longer than a unit is, and at least one a unit the reader knows (of
    time, acceleration or angular rate); a second copy of the header is none.
    """
    text = line.rstrip("\r\n")
    if not text.strip():
        return []
    cells = _split(text, delimiter)
    while len(cells) > len(columns) and not cells[-1]:
        cells.pop()
    named = [c for c in cells if c]
    if not any(unit_from_label(f"({c})") or time_unit_from_label(c) for c in named):
        return []
    if (
        len(cells) > len(columns)
        or not named
        or cells == columns[: len(cells)]
        or any(_is_value(c) or len(c) > _LONGEST_UNIT or not _UNIT_CELL.match(c) for c in named)
    ):
        return []
    return cells + [""] * (len(columns) - len(cells))


#: Longest cell of a units row (``yyyy/mm/dd hh:mm:ss.000`` is 23 characters).
_LONGEST_UNIT = 32
#: What a unit's name is written with: letters, digits, and ``/ ^ ( ) [ ] * . - _ % °
#: µ ²`` and spaces, starting with a letter, a ``%``, a ``°`` or a bracket.
_UNIT_CELL = re.compile(r"^[A-Za-z%°µ(\[][\w/^()\[\]*.\-%°µ² :]*$")


def _pick_delimiter(line: str) -> str | None:
    for delim in ("\t", ";", ","):
        if line.count(delim) >= 1:
            return delim
    return None
