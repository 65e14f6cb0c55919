"""Chunked parsing of large text tables into preallocated arrays.

A table larger than :data:`retrowalk.io.table.CHUNK_BYTES` is parsed in frames
of :data:`CHUNK_ROWS` rows (the same pandas parser options as the one-pass
read) that are written straight into preallocated arrays, one ``(n, k)`` array
per group of columns stacked later, so that memory stays near the size of the
result instead of several times the file. Arrays of a long recording go into
a temporary file instead (:mod:`retrowalk.dsp.memory`), each parsed frame's rows
released from memory once written, so reading a day costs no more memory than
reading an hour.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np

from retrowalk.dsp.memory import FILE_BACKED_BYTES, empty_samples, release, row_chunks
from retrowalk.io.layout import TextLayout
from retrowalk.io.longarrays import long_like
from retrowalk.io.source import Source

if TYPE_CHECKING:
    import pandas as pd

CHUNK_ROWS = 200_000


class _Limited(io.RawIOBase):
    """The first ``limit`` bytes of a stream."""

    def __init__(self, stream: BinaryIO, limit: int) -> None:
        super().__init__()
        self._stream = stream
        self._left = limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = min(len(buffer), self._left)
        if n <= 0:
            return 0
        data = self._stream.read(n)
        buffer[: len(data)] = data
        self._left -= len(data)
        return len(data)


def csv_options(
    layout: TextLayout, names: list[str], wanted: list[str], numeric: list[str]
) -> dict[str, Any]:
    """The ``pandas.read_csv`` options of a text table, for one pass or in chunks."""
    return {
        "sep": layout.delimiter,
        "decimal": layout.decimal,
        "header": None,
        "names": names,
        # selecting columns costs some parse time but saves much memory
        "usecols": wanted if len(wanted) < len(names) else None,
        "skiprows": layout.lines_before_data,
        "dtype": {c: np.float64 for c in numeric},
        # pandas' default missing-value words ("", NaN, nan, NA, N/A, null, None…)
        # are enough; a custom list costs ~20 % of the parse time.
        "keep_default_na": True,
        "skip_blank_lines": True,
        "quotechar": '"',
        "engine": "c",
        "encoding": "utf-8",
        "encoding_errors": "strict",
    }


def _chunks(
    source: Source,
    layout: TextLayout,
    names: list[str],
    wanted: list[str],
    numeric: list[str],
    end: int | None,
) -> Iterator[pd.DataFrame]:
    """The wanted columns in frames of :data:`CHUNK_ROWS` rows (same parser options)."""
    import pandas as pd  # start-up time: loaded only when a table is read in chunks

    with source.open() as raw:
        stream: Any = raw if end is None else io.BufferedReader(_Limited(raw, end), 1 << 20)
        reader = pd.read_csv(
            stream, **csv_options(layout, names, wanted, numeric), chunksize=CHUNK_ROWS
        )
        with reader:
            yield from reader


def _estimated_rows(source: Source, layout: TextLayout) -> int:
    """Data rows of a large table, from the length of its first lines (a little over)."""
    head = source.head()[layout.data_offset :]
    lines = head.count(b"\n")
    per_line = len(head) / lines if lines else 64.0
    return int((source.size() - layout.data_offset) / per_line * 1.02) + CHUNK_ROWS


def _as_float(buffer: np.ndarray, n: int) -> np.ndarray:
    """An int64 file-backed buffer's first ``n`` values as float64, in the same file."""
    out = buffer.view(np.float64)
    for start, stop in row_chunks(n):
        out[start:stop] = buffer[start:stop].astype(np.float64)
        release(out, start, stop)
    return out


class _Filler:
    """Preallocated arrays filled chunk by chunk; grown (rarely) when the estimate is low."""

    def __init__(self, n_est: int, numeric: list[str], groups: Sequence[Sequence[str]]) -> None:
        self.groups: list[tuple[str, ...]] = []
        grouped: set[str] = set()
        for g in groups:
            g = tuple(g)
            if g and set(g) <= set(numeric) and not (set(g) & grouped):
                self.groups.append(g)
                grouped |= set(g)
        self.groups += [(c,) for c in numeric if c not in grouped]
        # one decision for all groups: a long recording keeps every stream in files
        self.file_backed = n_est * max(len(g) for g in self.groups or [()]) * 8 > FILE_BACKED_BYTES
        self.buffers = [self._empty(n_est, len(g)) for g in self.groups]
        self.n = 0
        self.times: list[np.ndarray] = []
        self._time: np.ndarray | None = None  # a long table's time column, in a file

    def add_time(self, values: np.ndarray) -> None:
        """The time values of the next frame (call before :meth:`add` of that frame).

        Short tables keep the frames' values in a list; a long one writes them
        into a temporary file, so the time column of a week is not held in
        memory. The result is :meth:`time`: what ``np.concatenate`` of the
        frames' values gives.
        """
        if not self.file_backed:
            self.times.append(values)
            return
        kind = np.int64 if values.dtype.kind in "iu" else np.float64
        m = values.shape[0]
        need = self.n + m
        buffer = self._time
        if buffer is None:
            buffer = self._time = long_like(
                max(self.buffers[0].shape[0] if self.buffers else 0, need), kind
            )
        if buffer.dtype != np.float64 and kind is np.float64:
            buffer = self._time = _as_float(buffer, self.n)  # as concatenate would promote
        if need > buffer.shape[0]:
            grown = long_like(max(need, int(buffer.shape[0] * 1.25)), buffer.dtype.type)
            grown[: self.n] = buffer[: self.n]
            release(grown, 0, self.n)
            buffer = self._time = grown
        buffer[self.n : need] = values
        release(buffer, self.n, need)

    def time(self) -> np.ndarray:
        """The time column of all frames added (see :meth:`add_time`)."""
        if self._time is not None:
            out = self._time[: self.n]
            self._time = None
            return out
        out = np.concatenate(self.times) if len(self.times) > 1 else self.times[0]
        self.times = []
        return out

    def _empty(self, rows: int, cols: int) -> np.ndarray:
        return empty_samples((rows, cols), file_backed=self.file_backed)

    def add(self, frame: pd.DataFrame) -> None:
        m = len(frame)
        need = self.n + m
        for i, buffer in enumerate(self.buffers):
            if need > buffer.shape[0]:
                rows = max(need, int(buffer.shape[0] * 1.25))
                if self.file_backed:
                    grown = self._empty(rows, buffer.shape[1])
                    grown[: self.n] = buffer[: self.n]
                    release(grown, 0, self.n)
                    buffer = self.buffers[i] = grown
                else:
                    buffer.resize((rows, buffer.shape[1]), refcheck=False)
            for j, name in enumerate(self.groups[i]):
                buffer[self.n : need, j] = frame[name].to_numpy(dtype=np.float64)
            release(buffer, self.n, need)
        self.n = need

    def finish(self) -> tuple[dict[str, np.ndarray], dict[tuple[str, ...], np.ndarray]]:
        stacks: dict[tuple[str, ...], np.ndarray] = {}
        arrays: dict[str, np.ndarray] = {}
        for group, full in zip(self.groups, self.buffers, strict=True):
            if self.file_backed:
                buffer = full[: self.n]
            else:
                buffer = full
                buffer.resize((self.n, buffer.shape[1]), refcheck=False)  # shrink, same memory
            stacks[group] = buffer
            for j, name in enumerate(group):
                arrays[name] = buffer[:, j]
        self.buffers = []
        return arrays, stacks
