"""Fast reading of the numeric columns of a delimited text table.

A table on disk of plain numbers (digits, points, signs, short exponents, the
delimiter and line breaks; no number of more than 15 digits) is read, while
pandas is not loaded (:func:`_arrow_first`), by pyarrow's CSV reader straight
to float64 (a whole-number time column to int64, as pandas infers it), without
importing pandas (:func:`_arrow_columns`: pandas' numbers bit for bit;
importing pandas was a third of the start-up of ``retrowalk analyze``). Any
other table, and every table once pandas is loaded, is read by one pass of pandas' C parser
that converts only the columns needed, straight to float64. Tables larger
than :data:`CHUNK_BYTES` are parsed by pandas in chunks of
:data:`~retrowalk.io.chunked.CHUNK_ROWS` rows written straight into preallocated
arrays (one ``(n, 3)`` array per group of columns that is stacked later), so
that memory stays near the size of the result instead of several times the
file. Anything odd (a cell that is not a number, a row
with too few fields) triggers a slow line-by-line diagnosis
whose only job is to name the line and field in a one-line error, or to confirm
that the fault is a truncated last line, which is dropped with a note.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from retrowalk.core.errors import InputError
from retrowalk.dsp.memory import release, row_chunks
from retrowalk.io import longarrays
from retrowalk.io.chunked import _chunks, _estimated_rows, _Filler, csv_options
from retrowalk.io.layout import _CLOCK_PATTERN, TextLayout
from retrowalk.io.longarrays import is_file_backed, to_int64
from retrowalk.io.source import Source
from retrowalk.io.table_diagnosis import (
    _diagnose,
    _is_truncated_note,
    _last_line_start,
    _truncated_note,
)

if TYPE_CHECKING:
    import pandas as pd

# pandas' C reader, which read_csv runs (see _c_floats), and its missing-value
# words: loaded with pandas on first use (:func:`_c_reader`).
_TextReader: Any = None
_NA_WORDS: set[str] | None = None

# Tables larger than this are parsed in chunks into preallocated arrays.
CHUNK_BYTES = 32 * 1024**2
#: Tables of all-number columns up to this size are tokenised by pandas in one pass.
ONE_PASS_BYTES = 4 * 1024**2


@dataclass
class Table:
    """Columns read from a text table.

    Attributes
    ----------
    arrays
        The numeric columns as read (float64), without the time column.
    n_rows
        Rows read.
    time
        The time column: float64 or int64 numbers, or int64 nanoseconds since the
        epoch for date-time text (``time_is_datetime``).
    first_data_line
        1-based line of the first data row (row 0).
    notes
        What was dropped while reading.
    stacks
        Groups of columns read in chunks straight into one ``(n, k)`` array each.
    """

    arrays: dict[str, np.ndarray]
    n_rows: int
    time: np.ndarray | None = None
    time_is_datetime: bool = False
    first_data_line: int = 2
    notes: list[str] = field(default_factory=list)
    stacks: dict[tuple[str, ...], np.ndarray] = field(default_factory=dict)

    def line_of_row(self, row: int) -> int:
        """1-based file line of a 0-based data row (exact unless the file has blank lines)."""
        return self.first_data_line + int(row)

    def column(self, name: str) -> np.ndarray:
        """One numeric column as float64 (nulls as NaN)."""
        return self.arrays[name]

    def stack(self, names: tuple[str, ...] | list[str]) -> np.ndarray:
        """``(n, len(names))`` C-ordered float64 array of the named columns, in one copy.

        A group read in chunks is handed over without a copy; its columns are no
        longer available from this table afterwards.
        """
        key = tuple(names)
        if key in self.stacks:
            buffer = self.stacks.pop(key)
            for name in key:
                self.arrays.pop(name, None)
            return buffer
        out = np.empty((self.n_rows, len(names)), dtype=np.float64)
        for j, name in enumerate(names):
            out[:, j] = self.column(name)
        return out

    def keep_rows(self, n_keep: int) -> None:
        """Drop the rows after the first ``n_keep``."""
        self.n_rows = n_keep
        self.arrays = {k: v[:n_keep] for k, v in self.arrays.items()}
        self.stacks = {k: v[:n_keep] for k, v in self.stacks.items()}
        if self.time is not None:
            self.time = self.time[:n_keep]


def _unique_names(layout: TextLayout) -> list[str]:
    names: list[str] = []
    seen: dict[str, int] = {}
    for c in layout.columns:
        if c in seen:
            seen[c] += 1
            names.append(f"{c}__{seen[c]}")
        else:
            seen[c] = 0
            names.append(c)
    names += [f"__extra{i}" for i in range(layout.extra_fields)]
    return names


def read_table(
    source: Source,
    layout: TextLayout,
    numeric: list[str],
    time_col: str | None = None,
    groups: Sequence[Sequence[str]] = (),
) -> Table:
    """Read ``time_col`` and the ``numeric`` columns of a table.

    Parameters
    ----------
    source, layout
        The bytes and how they are laid out (see :func:`retrowalk.io.sniff.text_layout`).
    numeric
        Columns to convert to float64.
    time_col
        The time column (numbers or ISO-8601 date-times), if any.
    groups
        Columns that will be stacked together (e.g. the x, y, z of one sensor):
        a large table reads each group straight into one ``(n, k)`` array.

    Raises
    ------
    InputError
        Naming the line and field of the first cell that is not a number, or of a
        row with the wrong number of fields (other than a truncated last line).
    """
    names = _unique_names(layout)
    wanted = ([time_col] if time_col else []) + [c for c in numeric if c != time_col]
    counts = None
    if len(wanted) < len(names):  # a table read in part: its rows' fields are counted
        counts = _fields_and_lines(source, layout)
        if counts[0] > (len(names) - 1) * counts[1]:
            _refuse_surplus_row(source, layout, names)
    if source.size() > CHUNK_BYTES:
        return _read_chunked(source, layout, names, wanted, numeric, time_col, groups, counts)
    table, notes = _read_frame(source, layout, names, wanted, numeric, None, time_col)
    if isinstance(table, dict):  # float64 columns by number, as read (no frame)
        by_name = {names[j]: column for j, column in table.items()}
        n_rows = next(iter(table.values())).shape[0]
        out = Table(
            arrays={c: by_name[c] for c in numeric if c != time_col}, n_rows=n_rows,
            time=None if time_col is None else by_name[time_col],
            first_data_line=layout.first_data_line, notes=notes,
        )  # fmt: skip
        _check_rows(source, layout, names, wanted, numeric, out, counts)
        return out
    if len(table) == 0:
        raise InputError(
            source.display,
            f"has a header (line {layout.header_index + 1}) but no data rows",
            line=layout.header_index + 1,
        )
    time = None
    is_dt = False
    arrays: dict[str, np.ndarray]
    # only the float64 parse numbers its columns (_numbered): every one is float64
    if table.columns.dtype.kind == "i" or all(dtype == np.float64 for dtype in table.dtypes):
        # all numbers (the usual table): its columns are those of one array, no
        # Series made per column (their making costs more than the copy)
        values = table.to_numpy()
        position = {_named(names, label): j for j, label in enumerate(table.columns)}
        if time_col is not None:
            time = values[:, position[time_col]]
        arrays = {c: values[:, position[c]] for c in numeric if c != time_col}
    else:
        # each column taken out of the frame once (no copy of the frame without
        # its time), by position: looking names up builds an index engine per table
        columns = {_named(names, label): column for label, column in table.items()}
        if time_col is not None:
            time, is_dt = _time_values(columns[time_col])
        arrays = {c: columns[c].to_numpy(dtype=np.float64) for c in numeric if c != time_col}
    out = Table(
        arrays=arrays, n_rows=len(table), time=time, time_is_datetime=is_dt,
        first_data_line=layout.first_data_line, notes=notes,
    )  # fmt: skip
    _check_rows(source, layout, names, wanted, numeric, out, counts)
    return out


def _read_frame(
    source: Source,
    layout: TextLayout,
    names: list[str],
    wanted: list[str],
    numeric: list[str],
    end: int | None,
    time_col: str | None = None,
) -> tuple[pd.DataFrame | Floats, list[str]]:
    """The table as pandas reads it, or its columns by number (:data:`Floats`) when
    pyarrow's CSV reader (:func:`_arrow_columns`) or pandas' C reader
    (:func:`_c_floats`) gave them straight, and notes."""
    options = csv_options(layout, names, wanted, numeric)
    try:
        offset = _data_offset(source, layout) if end is None else None
        if offset is not None:  # the parser starts at the first data line
            options["skiprows"] = None
            decimal_time = time_col is not None and _decimal_cell(
                source, layout, offset, names, time_col
            )
            # the time column is read as read_csv reads it: float64 with a decimal
            # first cell (below), else whole numbers (int64) when every cell is one
            whole = None
            if time_col is not None and not decimal_time and time_col not in numeric:
                whole = names.index(time_col)
            if _arrow_first():
                columns = _arrow_columns(source, offset, options, names, whole)
                if columns is not None:
                    return columns, []
            if decimal_time:
                # every column read is then float64: one dtype for all of them
                # costs pandas less than the same dtype named column by column,
                # and a small table is tokenised in one pass instead of chunks
                # (chunks matter only to what pandas infers, and nothing is inferred)
                as_float = {**options, "dtype": np.float64, **_numbered(names, options["usecols"])}
                if source.size() <= ONE_PASS_BYTES:
                    as_float["low_memory"] = False
                    columns = _c_floats(source, offset, as_float)
                    if columns is not None:
                        return columns, []
                try:
                    return _read_at(source, offset, as_float), []
                except ValueError:
                    pass  # a cell that is no number: the column as pandas infers it
            return _read_at(source, offset, options), []
        if end is not None:
            with source.open() as fh:
                stream: Any = io.BytesIO(fh.read(end))
        elif source.data is not None:  # a zip member's, or a file's read beforehand
            stream = io.BytesIO(source.data)
        else:
            stream = str(source.path)
        import pandas as pd  # start-up time: only for tables the fast readers leave

        frame = pd.read_csv(stream, **options)
    # (pandas' ParserError and EmptyDataError are ValueErrors)
    except (ValueError, TypeError, UnicodeError, OverflowError):
        problem = _diagnose(source, layout, names, wanted, numeric)
        if problem is not None and problem.is_last and end is None:
            frame, notes = _read_frame(
                source, layout, names, wanted, numeric, _last_line_start(source)
            )
            return frame, [_truncated_note(problem.line), *notes]
        if problem is None:
            raise InputError(source.display, "the table cannot be parsed") from None
        raise InputError(
            source.display, problem.reason, line=problem.line, field=problem.field
        ) from None
    return frame, []


def _numbered(names: list[str], usecols: list[str] | None) -> dict[str, Any]:
    """``read_csv``'s ``names`` and ``usecols`` with the columns numbered, not named.

    The parser reads the same fields into the same columns; the frame's labels
    are then the columns' positions in ``names`` (see :func:`_named`), whose
    index pandas builds for a fraction of the cost of an index of strings.
    """
    return {
        "names": list(range(len(names))),
        "usecols": None if usecols is None else [names.index(c) for c in usecols],
    }


def _named(names: list[str], label: Any) -> str:
    """The name of a column of a frame read with :func:`_numbered` labels (or its name)."""
    return names[label] if isinstance(label, (int, np.integer)) else label


#: Columns of the float64 parse by number (their positions in the table's names).
Floats = dict[int, np.ndarray]


def _c_floats(source: Source, offset: int, options: dict[str, Any]) -> Floats | None:
    """The columns of a one-pass float64 parse (``options``: numbered, one float64
    dtype, ``low_memory`` off) by number, straight from pandas' C reader, or ``None``.

    ``read_csv`` hands the same options (:func:`_c_reader_options`) to the same
    reader (``pandas._libs.parsers.TextReader``) and then makes a DataFrame of
    the columns it returns; with numbered columns and no leading index column
    it only labels each column by its number, so the columns are the same
    arrays. Making the DataFrame, and read_csv's checks of its many options,
    took a fifth of the time of reading a 36-s file (recognising the table and
    the unit checks included). The reader is also told not to look each cell
    up among pandas' missing-value words (a tenth of the C parse): every one
    of them, the empty cell included, is no number to the parser, so a table
    holding one fails here and is read by ``read_csv``, which makes it NaN as
    before. Any exception, a column missing or an extra one, no rows, or the
    reader not taking these options (another pandas) gives ``None``: the
    table is then read by ``read_csv``, which raises or reads as before.
    """
    text_reader, _ = _c_reader()
    if text_reader is None:
        return None
    usecols = options["usecols"]
    expected = list(range(len(options["names"]))) if usecols is None else sorted(set(usecols))
    kwargs = {**_c_reader_options(options), **_NO_MISSING_WORDS}
    try:
        with source.open() as fh:
            fh.seek(offset)
            reader = text_reader(fh, **kwargs)
            try:
                columns: Floats = reader.read()
                leading = reader.leading_cols
            finally:
                reader.close()
    except Exception:  # read_csv's read says what it is (or reads it)
        return None
    if leading or sorted(columns) != expected:
        return None
    if any(c.dtype != np.float64 or c.ndim != 1 for c in columns.values()):
        return None
    lengths = {c.shape[0] for c in columns.values()}
    if len(lengths) != 1 or 0 in lengths:
        return None
    return columns


def _arrow_first() -> bool:
    """Whether a plain table goes to pyarrow's reader first: while pandas is not
    loaded. Both give the same numbers; pyarrow's spares importing pandas (a
    third of a cold ``retrowalk analyze``), while pandas' C reader, once pandas is
    loaded (batch workers, the web app), reads a short table in about half the
    time (1.4 against 2.6 ms for 36 s at 100 Hz) and an hour's as fast."""
    return "pandas" not in sys.modules


def _arrow_columns(
    source: Source,
    offset: int,
    options: dict[str, Any],
    names: list[str],
    whole: int | None = None,
) -> Floats | None:
    """The columns ``read_csv`` with ``options`` reads from byte ``offset`` on, by
    number (their positions in ``names``), read by pyarrow's CSV reader when the
    table holds plain numbers only (:func:`_plain_numbers`), or ``None``.

    Every column read is float64 but column ``whole`` (the time column whose first
    cell is a whole number), which is int64, as pandas infers it when all its
    cells are whole numbers. Plain numbers (:func:`_plain_numbers`) are those
    both parsers read alike: a decimal number of at most 15 digits is the
    correctly rounded float64 for pyarrow, and pandas' parser divides it,
    exactly held, by an exact power of ten, which rounds correctly too
    (``tests/io/test_io_arrow.py`` checks this bit for bit); with an exponent,
    the values must be of a size that keeps that power at most 22
    (:func:`_exact_scale`). A table with anything else (a missing-value word
    or an empty cell, a quote, a space, a longer number, a decimal comma), a
    row with too many or too few fields, no rows, or a cell of the whole
    column with a decimal point gives ``None``: pandas then reads it, or says
    what is wrong with it, as before. Importing pyarrow's CSV reader costs a third
    of importing pandas, and reading is as fast.
    """
    delimiter = options["sep"]
    if options["decimal"] != "." or delimiter not in _ARROW_DELIMITERS:
        return None
    try:
        with source.open() as fh:
            fh.seek(offset)
            data = fh.read()
    except OSError:
        return None
    if not data:
        return None
    plain, exponents = _plain_numbers(data, delimiter)
    if not plain:
        return None
    try:
        import pyarrow as pa
        from pyarrow import csv as pa_csv
    except ImportError:  # pragma: no cover - a dependency; pandas reads it then
        return None
    labels = [str(j) for j in range(len(names))]
    usecols = options["usecols"]
    numbers = range(len(names)) if usecols is None else sorted({names.index(c) for c in usecols})
    wanted = [labels[j] for j in numbers]
    types = {label: pa.float64() for label in wanted}
    if whole is not None:
        types[labels[whole]] = pa.int64()
    try:
        table = pa_csv.read_csv(
            pa.py_buffer(data),
            read_options=pa_csv.ReadOptions(
                column_names=labels, use_threads=False, block_size=len(data) + 1
            ),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter, quote_char=False, double_quote=False, escape_char=False
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=types,
                include_columns=wanted,
                null_values=[],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except Exception:  # a row of another length, a cell that is no number: pandas says
        return None
    columns: Floats = {}
    for j, label in zip(numbers, wanted, strict=True):
        column = table.column(label)
        if column.num_chunks != 1 or column.null_count:
            return None
        chunk = column.chunk(0)
        dtype = np.dtype(np.int64 if j == whole else np.float64)
        if len(chunk) == 0 or chunk.type.bit_width != 64:
            return None
        # the values as read (no copy: numpy's view of pyarrow's buffer, read-only)
        values = np.frombuffer(
            chunk.buffers()[1], dtype=dtype, count=len(chunk), offset=chunk.offset * 8
        )
        if exponents and j != whole and not _exact_scale(values):
            return None
        columns[j] = values
    return columns


def _exact_scale(values: np.ndarray) -> bool:
    """Whether every value but 0 lies between 1e-7 and 1e22 in size.

    Then a number of at most 15 digits written with an exponent is its digits
    times or over a power of ten of at most 22, which is exact: pandas' parser
    (one multiplication or division) rounds it correctly too.
    """
    size = np.abs(values)
    size[size == 0.0] = 1.0
    return bool(((size >= _SMALLEST) & (size < _LARGEST)).all())


#: Bounds of :func:`_exact_scale` (a value of at most 15 digits, 1 <= m < 1e15, of
#: this size is m times 10**e with -22 <= e <= 21).
_SMALLEST, _LARGEST = 1e-7, 1e22


#: Delimiters of the tables :func:`_arrow_columns` reads.
_ARROW_DELIMITERS = (",", ";", "\t", "|")


def _plain_numbers(data: bytes, delimiter: str) -> tuple[bool, bool]:
    """Whether ``data`` holds plain numbers only, and whether any has an exponent.

    Plain: digits, decimal points, signs, exponent marks (``e``, ``E``),
    ``delimiter`` and line breaks, no number of more than 15 digits (no run of
    16 digits, nor of 17 digits and points: a number with more than one point
    is none) and no exponent of more than two digits. Looked at a block of
    bytes at a time with numpy's byte comparisons (a few milliseconds per
    10 MB); a run of 16 is found by and-ing the block's marks with themselves
    shifted by 1, 2, 4 and 8 bytes.
    """
    raw = np.frombuffer(data, dtype=np.uint8)
    sep = ord(delimiter)
    exponents = False
    for start in range(0, raw.shape[0], _CHECK_BYTES):
        block = raw[start : start + _CHECK_BYTES + _MAX_DIGITS + 1]
        digit = (block - np.uint8(ord("0"))) < 10
        point = block == ord(".")
        sign = block == ord("-")
        sign |= block == ord("+")
        mark = block == ord("e")
        mark |= block == ord("E")
        known = block == ord("\n")
        known |= block == ord("\r")
        known |= block == sep
        known |= digit
        known |= point
        known |= sign
        known |= mark
        if not known.all() or _run_of_16(digit).any():
            return False, False
        runs = _run_of_16(digit | point)
        if (runs[:-1] & runs[1:]).any():  # 17 in a row
            return False, False
        at = np.flatnonzero(mark[: min(_CHECK_BYTES, block.shape[0])])
        if at.size:  # an exponent's digits: after the mark and a sign, at most two
            exponents = True
            first = at + 1
            first += np.take(sign, first, mode="clip")
            three = np.take(digit, first, mode="clip")
            three &= np.take(digit, first + 1, mode="clip")
            three &= np.take(digit, first + 2, mode="clip")
            if three.any():
                return False, False
    return True, exponents


def _run_of_16(marks: np.ndarray) -> np.ndarray:
    """Where 16 marked bytes in a row start (``marks`` shortened by 15)."""
    run = marks[:-1] & marks[1:]
    run = run[:-2] & run[2:]
    run = run[:-4] & run[4:]
    return run[:-8] & run[8:]


#: Bytes looked at a time by :func:`_plain_numbers` (its blocks overlap by
#: :data:`_MAX_DIGITS` and one, so a run across two blocks is seen).
_CHECK_BYTES = 1 << 18
#: Digits of the longest number :func:`_arrow_columns` reads.
_MAX_DIGITS = 15


#: :func:`_c_floats`' reader takes every cell as a number (a missing-value word fails).
_NO_MISSING_WORDS: dict[str, Any] = {
    "na_filter": False,
    "na_values": set(),
    "keep_default_na": False,
}


def _c_reader_options(options: dict[str, Any]) -> dict[str, Any]:
    """What ``read_csv`` with the float64 parse's ``options`` hands pandas' C reader."""
    usecols = options["usecols"]
    return {
        "delimiter": options["sep"],
        "decimal": options["decimal"],
        "quotechar": options["quotechar"],
        "header": None,
        "names": options["names"],
        "usecols": None if usecols is None else set(usecols),
        "skiprows": set(),
        "dtype": np.dtype(np.float64),
        "dtype_backend": "numpy",
        "skip_blank_lines": options["skip_blank_lines"],
        "keep_default_na": options["keep_default_na"],
        "na_filter": True,
        "na_values": set(_c_reader()[1]) if options["keep_default_na"] else set(),
        "na_fvalues": set(),
        "encoding_errors": options["encoding_errors"],
        **_C_READER_DEFAULTS,
    }


#: The rest of what ``read_csv`` hands pandas' C reader for :func:`_c_floats`'s tables
#: (``tests/io/test_io_decimal_time.py`` checks they are read_csv's own).
_C_READER_DEFAULTS: dict[str, Any] = {
    "allow_leading_cols": True,
    "comment": None,
    "converters": {},
    "doublequote": True,
    "escapechar": None,
    "false_values": None,
    "float_precision": None,
    "index_col": None,
    "lineterminator": None,
    "on_bad_lines": 0,
    "quoting": 0,
    "skipinitialspace": False,
    "thousands": None,
    "true_values": None,
}


def load_table_libraries() -> None:
    """Import now what the table readers otherwise import on first use (pandas).

    For a server, before its threads read files. The first import of a package in
    several threads at once is not safe in CPython 3.11: when one thread's import
    fails, another can be handed the half-imported module (python/cpython#143650),
    and a file read then fails with an error that is not the file's (``module
    'pandas' has no attribute 'read_csv'``). Loaded once on one thread, later
    imports only look the module up.
    """
    _c_reader()


def _c_reader() -> tuple[Any, set[str]]:
    """pandas' C reader and its missing-value words, loaded with pandas on first use
    (``(None, set())`` with a pandas that has them not)."""
    global _TextReader, _NA_WORDS
    if _NA_WORDS is None:
        # pandas first: a submodule imported before its package takes the module
        # locks in the other order than an ``import pandas`` in another thread (an
        # upload read while the worker reads a file), and the two threads can get
        # each other's pandas half-imported (an ImportError, or the process crashes)
        import pandas  # noqa: F401

        try:
            from pandas._libs.parsers import STR_NA_VALUES, TextReader
        except ImportError:  # pragma: no cover - a pandas without them: read_csv
            TextReader, STR_NA_VALUES = None, set()
        if _TextReader is None:  # (one set in its place is kept)
            _TextReader = TextReader
        _NA_WORDS = set(STR_NA_VALUES)
    return _TextReader, _NA_WORDS


def _read_at(source: Source, offset: int, options: dict[str, Any]) -> pd.DataFrame:
    """``pd.read_csv`` of a table on disk from byte ``offset`` on."""
    import pandas as pd  # start-up time: only for tables the fast readers leave

    with source.open() as fh:
        fh.seek(offset)
        return pd.read_csv(fh, **options)


def _decimal_cell(
    source: Source, layout: TextLayout, offset: int, names: list[str], column: str
) -> bool:
    """Whether ``column``'s cell in the first data line (at byte ``offset``) is a
    number with the table's decimal mark, such as ``0.010000``.

    Then pandas cannot read the column as whole numbers, and reads it as
    float64 when every cell is a number (else as text): giving it float64
    reads the same numbers, and a cell that is no number fails the read, which
    is then made again as before.
    """
    line = source.head(offset + _FIRST_LINE_BYTES)[offset:].split(b"\n", 1)[0]
    if b'"' in line:
        return False
    cells = line.split(layout.delimiter.encode())
    where = names.index(column)
    if where >= len(cells):
        return False
    cell = cells[where].strip()
    whole, mark, fraction = cell.partition(layout.decimal.encode())
    if not mark:
        return False
    whole = whole[1:] if whole[:1] in (b"-", b"+") else whole
    return (whole + fraction).isdigit()


#: Bytes of the first data line looked at for its time cell.
_FIRST_LINE_BYTES = 256


def _data_offset(source: Source, layout: TextLayout) -> int | None:
    """Where the parser may start reading a table on disk, or ``None``: skip lines instead.

    The first data line's byte offset, when the lines before it are plain ASCII
    (after a byte-order mark), hold no quote and end in exactly the line
    breaks the parser would count: then starting there parses the rows that
    ``skiprows`` reaches, and pandas' per-line skipping (about a fifth of the
    parse of a short file) is left out.
    """
    offset = layout.data_offset
    if source.path is None or layout.header_index < 0 or not 0 < offset <= _OFFSET_HEAD:
        return None
    prefix = source.head(offset)
    bom = 3 if prefix.startswith(b"\xef\xbb\xbf") else 0
    text = prefix[bom:]
    if len(prefix) != offset or not text.isascii() or b'"' in text or not text.endswith(b"\n"):
        return None
    breaks = text.count(b"\n") + text.count(b"\r") - text.count(b"\r\n")
    return offset if breaks == layout.lines_before_data else None


#: Longest preamble and header read to check them before starting at the data.
_OFFSET_HEAD = 64 * 1024


def _read_chunked(
    source: Source,
    layout: TextLayout,
    names: list[str],
    wanted: list[str],
    numeric: list[str],
    time_col: str | None,
    groups: Sequence[Sequence[str]],
    counts: tuple[int, int] | None = None,
    end: int | None = None,
) -> Table:
    """:func:`read_table` for a large table, in chunks (see the module docstring)."""
    numeric = [c for c in numeric if c != time_col]
    filler = _Filler(_estimated_rows(source, layout), numeric, groups)
    is_dt: bool | None = None
    try:
        for frame in _chunks(source, layout, names, wanted, numeric, end):
            if time_col is not None:
                values, chunk_dt = _time_values(frame[time_col], is_dt)
                is_dt = chunk_dt if is_dt is None else is_dt
                filler.add_time(values)
            filler.add(frame)
    # (pandas' ParserError and EmptyDataError are ValueErrors)
    except (ValueError, TypeError, UnicodeError, OverflowError):
        filler.buffers = []
        problem = _diagnose(source, layout, names, wanted, numeric)
        if problem is not None and problem.is_last and end is None:
            out = _read_chunked(
                source, layout, names, wanted, numeric, time_col, groups, counts,
                end=_last_line_start(source),
            )  # fmt: skip
            out.notes.insert(0, _truncated_note(problem.line))
            return out
        if problem is None:
            raise InputError(source.display, "the table cannot be parsed") from None
        raise InputError(
            source.display, problem.reason, line=problem.line, field=problem.field
        ) from None
    if filler.n == 0:
        raise InputError(
            source.display,
            f"has a header (line {layout.header_index + 1}) but no data rows",
            line=layout.header_index + 1,
        )
    time = None
    if time_col is not None:
        time = filler.time()
    arrays, stacks = filler.finish()
    n = len(time) if time is not None else next(iter(arrays.values())).shape[0]
    out = Table(
        arrays=arrays, n_rows=n, time=time, time_is_datetime=bool(is_dt),
        first_data_line=layout.first_data_line, stacks=stacks,
    )  # fmt: skip
    _check_rows(source, layout, names, wanted, numeric, out, counts)
    return out


def _time_values(col: pd.Series, as_datetime: bool | None = None) -> tuple[np.ndarray, bool]:
    """The time column as numbers, or as nanoseconds for date-time text.

    ``as_datetime`` fixes the choice for text (the first chunk of a large table
    decides for the rest); ``None`` decides from the values.
    """
    import pandas as pd  # the column is pandas' already

    kind = col.dtype.kind
    if kind in "iu":
        return col.to_numpy(dtype=np.int64), False
    if kind == "f":
        return col.to_numpy(dtype=np.float64), False
    if kind == "M":
        stamps = pd.to_datetime(col, utc=True)
        ns = stamps.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(np.float64)
        ns[stamps.isna().to_numpy()] = np.nan
        return ns, True
    texts = col.astype(object)
    nums = pd.to_numeric(texts, errors="coerce").to_numpy(dtype=np.float64)
    if as_datetime is False or (as_datetime is None and np.isfinite(nums).mean() > 0.5):
        return nums, False
    stamps = pd.to_datetime(texts, format="ISO8601", utc=True, errors="coerce")
    ns = stamps.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(np.float64)
    ns[stamps.isna().to_numpy()] = np.nan
    if np.isnan(ns).mean() > 0.5:  # not ISO 8601: a clock time or a named month
        ns = _other_time_text(texts, ns)
    return ns, True


#: Dates that are not ISO 8601: with a month's name, as MATLAB writes a timetable's
#: times ("01-Dec-2026 10:00:00.006"), or with slashes, as Shimmer's Consensys writes
#: its formatted Unix time ("2023/11/14 22:13:20.006").
_OTHER_DATE_FORMATS = (
    "%d-%b-%Y %H:%M:%S.%f",
    "%d-%b-%Y %H:%M:%S",
    "%Y/%m/%d %H:%M:%S.%f",
    "%Y/%m/%d %H:%M:%S",
)

_DAY_NS = 86_400 * 10**9


def _other_time_text(texts: pd.Series, iso_ns: np.ndarray) -> np.ndarray:
    """Nanoseconds of time text that is not ISO 8601 (NaN where it is none of these):
    a time of day without a date (``"23:43:56:095"``, as Physics Toolbox Sensor Suite
    writes it on Android, or ``"23:43:56.095"``), counted from 1970-01-01 and carried
    over midnight (a step back of more than 12 hours is the next day), or a date with
    the month's name or with slashes (:data:`_OTHER_DATE_FORMATS`). ``iso_ns``: the ISO reading,
    returned when neither reads more of the column. A long table read in chunks is
    carried over midnight within each chunk only."""
    import pandas as pd

    parts = texts.astype(str).str.extract(_CLOCK_PATTERN)
    if parts[0].notna().mean() > 0.5:
        hms = parts[[0, 1, 2]].astype(float).to_numpy()
        digits = parts[3].fillna("")
        width = digits.str.len().to_numpy(dtype=np.float64)
        fraction = pd.to_numeric(digits.where(digits != "", "0")).to_numpy(dtype=np.float64)
        seconds = hms @ np.array([3600.0, 60.0, 1.0]) + fraction / 10.0**width
        ns = seconds * 1e9
        back = np.zeros(ns.shape[0])
        steps = np.diff(ns)
        back[1:] = np.cumsum(np.where(steps < -_DAY_NS / 2, _DAY_NS, 0.0))
        return ns + back
    for fmt in _OTHER_DATE_FORMATS:
        stamps = pd.to_datetime(texts, format=fmt, utc=True, errors="coerce")
        if stamps.notna().mean() > 0.5:
            ns = stamps.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(np.float64)
            ns[stamps.isna().to_numpy()] = np.nan
            return ns
    return iso_ns


def _bad_rows(columns: list[np.ndarray], n: int) -> np.ndarray:
    """Sorted rows where any of ``columns`` is not a finite number.

    A long table's columns (in temporary files) are checked a chunk of rows at
    a time, so no mask of the table's length is made.
    """
    if not any(is_file_backed(c) for c in columns):
        bad: np.ndarray | None = None
        for c in columns:
            cur = ~np.isfinite(c)
            if cur.any():
                bad = cur if bad is None else (bad | cur)
        return np.zeros(0, dtype=np.intp) if bad is None else np.flatnonzero(bad)
    parts = []
    for start, stop in row_chunks(n, longarrays.CHUNK_ROWS):
        bad = np.zeros(stop - start, dtype=bool)
        for c in columns:
            bad |= ~np.isfinite(c[start:stop])
            release(c, start, stop)
        if bad.any():
            parts.append(np.flatnonzero(bad) + start)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.intp)


def _last_good(bad_rows: np.ndarray, n: int) -> int:
    """The last row of ``n`` that is not in the sorted ``bad_rows`` (-1: none)."""
    if bad_rows.size == 0 or bad_rows[-1] != n - 1:
        return n - 1
    breaks = np.flatnonzero(np.diff(bad_rows) != 1)
    tail_start = int(bad_rows[breaks[-1] + 1]) if breaks.size else int(bad_rows[0])
    return tail_start - 1


def _check_rows(
    source: Source,
    layout: TextLayout,
    names: list[str],
    wanted: list[str],
    numeric: list[str],
    out: Table,
    counts: tuple[int, int] | None = None,
) -> None:
    """Refuse rows the parser took but should not have, and drop a cut-off end (noted).

    A row with more fields than the header, of a table whose columns are not
    all read, is parsed without its surplus cells: when a cell was split in
    two (a decimal comma in a comma-separated table) or a row is garbage, the
    cells after the split were read into the wrong columns. Such a row is
    refused, naming its line, as it is in a table read whole: ``counts`` (the
    delimiters and lines of such a table, :func:`_fields_and_lines`) holding
    more delimiters than the rows read have fields (and a cut-off last line,
    dropped, fewer) means one. A value no sensor gives (beyond
    :data:`SENSOR_LIMIT` in size, e.g. ``1e308``, a damaged cell) is refused
    too, naming its line and field. Each column's range is taken once: one
    within that limit holds finite numbers only, so the rows of the others alone
    (mostly none) are searched for empty cells and damaged values.
    """
    if counts is not None:
        per_row = len(names) - 1
        cut_off = any(_is_truncated_note(note) for note in out.notes)
        if counts[0] > per_row * out.n_rows + (per_row - 1 if cut_off else 0):
            _refuse_surplus_row(source, layout, names)
    searched = [name for name in numeric if not _within_limit(out, name)]
    _drop_incomplete(source, layout, names, wanted, numeric, out, searched)
    _refuse_out_of_range(layout, names, searched, out, source)


def _within_limit(out: Table, name: str) -> bool:
    """Whether every value of the sensor column ``name`` is a finite number no larger
    than :data:`SENSOR_LIMIT` in size (``False`` for the time column read as numbers)."""
    if name not in out.arrays:
        return False
    column = out.column(name)
    if column.shape[0] == 0:
        return True  # no value to search
    lo, hi = longarrays.min_max(column)
    return lo >= -SENSOR_LIMIT and hi <= SENSOR_LIMIT


def _fields_and_lines(source: Source, layout: TextLayout) -> tuple[int, int]:
    """The delimiters and the lines after the header, counted a block of bytes at a
    time (about 1 ms per MB).

    More delimiters than the lines have fields means a row with surplus fields
    (or a quoted cell holding a delimiter). A table read in part is checked so
    before it is parsed: pandas' parser, told to read only some columns, takes
    a row of millions of fields and grows its memory without end (19 GB for a
    row of 2.5 million in a 300 KB file).
    """
    mark = layout.delimiter.encode()
    delimiters = lines = 0
    last = b""
    for brk in (b"\n", b"\r"):  # line feeds end the lines, else carriage returns
        with source.open() as fh:
            fh.seek(layout.data_offset)
            while block := fh.read(1 << 24):
                if brk == b"\n":
                    delimiters += block.count(mark)
                lines += block.count(brk)
                last = block[-1:]
        if lines:
            break
    if last not in (b"", b"\n", b"\r"):
        lines += 1  # the last line has no line break
    return delimiters, lines


def _refuse_surplus_row(source: Source, layout: TextLayout, names: list[str]) -> None:
    """Raise for the first row with more fields than ``names`` whose surplus cells are
    not all empty (trailing delimiters are harmless), naming its line."""
    import csv

    for line_no, text in source.lines(layout.data_offset):
        if text.count(layout.delimiter) < len(names):
            continue
        try:
            cells = next(csv.reader([text], delimiter=layout.delimiter, quotechar='"'), [])
        except csv.Error as exc:  # a cell longer than csv's limit
            raise InputError(
                source.display, f"cannot be split into fields ({exc})", line=line_no
            ) from None
        if len(cells) > len(names) and any(c.strip() for c in cells[len(names) :]):
            raise InputError(
                source.display,
                f"expected {len(names)} fields, found {len(cells)} (a cell split in two, "
                "such as a decimal comma, or a damaged row)",
                line=line_no,
            )


#: Largest size of a sensor value read from a table, in any unit (raw counts, mg,
#: deg/s): far beyond what any accelerometer or gyroscope gives. A larger value
#: is a damaged cell (``1e308``), never a reading.
SENSOR_LIMIT = 1e12


def _refuse_out_of_range(
    layout: TextLayout, names: list[str], numeric: list[str], out: Table, source: Source
) -> None:
    """Raise for the first sensor value beyond :data:`SENSOR_LIMIT` (its line and field)."""
    first: tuple[int, str] | None = None
    for name in numeric:
        if name not in out.arrays:
            continue  # the time column, read as numbers
        rows = longarrays.beyond(out.column(name), SENSOR_LIMIT)
        if not rows.size:
            continue
        row = int(rows[0])
        if first is None or row < first[0]:
            first = (row, name)
    if first is None:
        return
    row, name = first
    j = names.index(name)
    label = layout.columns[j] if j < len(layout.columns) else name
    value = float(out.column(name)[row])
    raise InputError(
        source.display,
        f"{value:.3g} is no sensor reading (a damaged value)",
        line=out.line_of_row(row),
        field=label,
    )


def _drop_incomplete(
    source: Source,
    layout: TextLayout,
    names: list[str],
    wanted: list[str],
    numeric: list[str],
    out: Table,
    searched: list[str],
) -> None:
    """Drop empty cells at the end of the table (noted); raise for empty cells inside it.

    ``searched``: the ``numeric`` columns that may hold a cell that is no finite number
    (the time column, read as numbers, is searched too).
    """
    n = out.n_rows
    columns = [out.column(c) for c in searched]
    if out.time is not None and out.time.dtype.kind == "f":
        columns.append(out.time)
    bad_rows = _bad_rows(columns, n)
    if bad_rows.size == 0:
        if out.time is not None and out.time_is_datetime:
            out.time = to_int64(out.time)
        return
    last_good = _last_good(bad_rows, n)
    if last_good < 0 or bad_rows[0] <= last_good:
        problem = _diagnose(source, layout, names, wanted, numeric)
        if problem is not None:
            raise InputError(source.display, problem.reason, line=problem.line, field=problem.field)
        row = int(bad_rows[0])
        raise InputError(source.display, "empty or invalid value", line=out.line_of_row(row))
    n_keep = last_good + 1
    out.keep_rows(n_keep)
    if out.time is not None and out.time_is_datetime:
        out.time = to_int64(out.time)
    if n - n_keep == 1:
        out.notes.append(
            f"the last data row (line {out.line_of_row(n_keep)}) has empty cells, "
            "probably cut off, and was dropped"
        )
    else:
        out.notes.append(f"dropped {n - n_keep} rows with empty cells at the end of the table")
