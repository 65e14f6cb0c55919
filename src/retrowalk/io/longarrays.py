"""Whole-array steps of the readers done a chunk of rows at a time for long recordings.

A long recording's columns, its time column included, are read into temporary
files mapped into memory (:mod:`retrowalk.dsp.memory`). A whole-array numpy
expression over such an array (``np.diff(t)``, ``t - t[0]``, ``x[::step]``)
would either make a new array of the recording's length in memory or touch
every page of the file, which then counts as resident memory until released.
The functions here compute the same numbers a chunk of rows at a time, writing
long results into temporary files too and releasing each chunk once used, so
reading a week costs no more memory than reading a day. For arrays held in
ordinary memory every function is the plain numpy expression.
"""

from __future__ import annotations

import numpy as np

from retrowalk.dsp.memory import RELEASE_ROWS, empty_samples, is_file_backed, release, row_chunks

#: Rows handled at a time (about 1.4 h at 100 Hz).
CHUNK_ROWS = RELEASE_ROWS

__all__ = [
    "diff",
    "flat_where",
    "is_file_backed",
    "long_like",
    "min_max",
    "not_finite_any",
    "shift_scale",
    "strided",
    "to_int64",
]


def long_like(n: int, dtype: type[np.generic] = np.float64) -> np.ndarray:
    """An uninitialised ``(n,)`` array in a temporary file (``float64`` or ``int64``)."""
    out = empty_samples((n,), file_backed=True)
    return out if dtype is np.float64 else out.view(dtype)


def diff(t: np.ndarray) -> np.ndarray:
    """``np.diff(t)``; a file-backed ``t`` gives a file-backed result, made in chunks."""
    if not is_file_backed(t) or t.shape[0] < 2:
        return np.diff(t)
    n = t.shape[0] - 1
    out = long_like(n, np.float64 if t.dtype.kind == "f" else np.int64)
    for start, stop in row_chunks(n, CHUNK_ROWS):
        out[start:stop] = np.diff(t[start : stop + 1])
        release(out, start, stop)
        release(t, start, stop)
    release(t)
    return out


def shift_scale(
    raw: np.ndarray, origin: float | int | np.generic, factor: float = 1.0, divisor: float = 1.0
) -> np.ndarray:
    """``(raw - origin).astype(float64)``, times ``factor`` and over ``divisor`` unless 1.

    The same numbers as that expression; a file-backed ``raw`` is overwritten
    in place a chunk at a time (its memory reused for the float64 result) and
    must not be used afterwards.
    """

    def scaled(part: np.ndarray) -> np.ndarray:
        part = part.astype(np.float64, copy=False)
        if factor != 1.0:
            part = part * factor
        if divisor != 1.0:
            part = part / divisor
        return part

    if not is_file_backed(raw):
        return scaled(raw - origin)
    out = raw if raw.dtype == np.float64 else raw.view(np.float64)
    for start, stop in row_chunks(raw.shape[0], CHUNK_ROWS):
        out[start:stop] = scaled(raw[start:stop] - origin)
        release(out, start, stop)
    return out


def to_int64(x: np.ndarray) -> np.ndarray:
    """``x.astype(np.int64)``; a file-backed float64 ``x`` is converted in place."""
    if not is_file_backed(x) or x.dtype != np.float64:
        return x.astype(np.int64)
    out = x.view(np.int64)
    for start, stop in row_chunks(x.shape[0], CHUNK_ROWS):
        out[start:stop] = x[start:stop].astype(np.int64)
        release(out, start, stop)
    return out


def min_max(x: np.ndarray) -> tuple[float, float]:
    """``(x.min(), x.max())`` of a non-empty array."""
    if not is_file_backed(x):
        return float(x.min()), float(x.max())
    lo, hi = np.inf, -np.inf
    for start, stop in row_chunks(x.shape[0], CHUNK_ROWS):
        part = x[start:stop]
        # numpy's minimum and maximum: a NaN in any chunk is the result, as in x.min()
        lo, hi = float(np.minimum(lo, part.min())), float(np.maximum(hi, part.max()))
        release(x, start, stop)
    return lo, hi


def strided(x: np.ndarray, step: int) -> np.ndarray:
    """``x[::step]`` (a copy for a file-backed ``x``, read a chunk at a time)."""
    if not is_file_backed(x) or step <= 1:
        return x[::step]
    rows = max(CHUNK_ROWS // step, 1) * step  # chunk starts stay on the stride
    parts = []
    for start in range(0, x.shape[0], rows):
        stop = min(start + rows, x.shape[0])
        parts.append(np.array(x[start:stop:step]))
        release(x, start, stop)
    return np.concatenate(parts) if parts else x[:0:step].copy()


def flat_where(x: np.ndarray, op: str, value: float) -> np.ndarray:
    """``np.flatnonzero(x <op> value)`` for ``op`` in ``<``, ``==``, ``>``."""
    ops = {"<": np.less, "==": np.equal, ">": np.greater}
    compare = ops[op]
    if not is_file_backed(x):
        return np.flatnonzero(compare(x, value))
    parts = []
    for start, stop in row_chunks(x.shape[0], CHUNK_ROWS):
        hit = np.flatnonzero(compare(x[start:stop], value))
        if hit.size:
            parts.append(hit + start)
        release(x, start, stop)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.intp)


def beyond(x: np.ndarray, limit: float) -> np.ndarray:
    """The rows of a 1-D ``x`` whose value is beyond ``limit`` in size, sorted (none
    searched for when its range lies within)."""
    lo, hi = min_max(x) if x.shape[0] else (0.0, 0.0)
    if -limit <= lo and hi <= limit:
        return np.zeros(0, dtype=np.intp)
    return np.union1d(flat_where(x, ">", limit), flat_where(x, "<", -limit))


def not_finite_any(x: np.ndarray) -> bool:
    """``not np.isfinite(x).all()``."""
    if not is_file_backed(x):
        return not bool(np.isfinite(x).all())
    found = False
    for start, stop in row_chunks(x.shape[0], CHUNK_ROWS):
        found = found or not bool(np.isfinite(x[start:stop]).all())
        release(x, start, stop)
        if found:
            break
    return found
