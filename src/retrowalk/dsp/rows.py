"""Row norms and column sums of ``(n, 3)`` sample arrays, column by column.

numpy reduces a C-ordered ``(n, k)`` array over its few columns (``norm(x,
axis=1)``) or over its many rows (``x.mean(axis=0)``) one short row at a time:
for a long recording that is hundreds of thousands of inner loops of three
elements, and costs ten times a pass over a column. The functions here give
the same numbers from whole columns:

- a row norm adds the squares left to right, as numpy's reduction over three
  or fewer elements does;
- a column sum of a C-ordered array is accumulated row after row (sequential,
  not pairwise: numpy adds each row into the running sums), which is the last
  value of the column's cumulative sum.

Both were checked equal to numpy's own results bit for bit
(``tests/test_rows.py``).
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

__all__ = [
    "column_means",
    "column_sums",
    "cross",
    "diff_after",
    "median",
    "median_direction",
    "percentile",
    "percentiles",
    "row_dot",
    "row_norm",
    "segment_medians",
    "sliding_rows",
    "small_median",
    "split_at",
    "true_runs",
    "unit_vector",
]


def row_norm(x: np.ndarray) -> np.ndarray:
    """``np.linalg.norm(x, axis=1)`` of an ``(n, k)`` float array with ``k <= 3``."""
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] > 3:
        return np.asarray(np.linalg.norm(arr, axis=1))
    if arr.shape[1] == 0:
        return np.zeros(arr.shape[0])
    c = arr[:, 0]
    total = c * c
    for j in range(1, arr.shape[1]):
        c = arr[:, j]
        total += c * c
    return np.sqrt(total, out=total)


#: Rows from which :func:`row_dot` works by columns (shorter ones go to ``np.einsum``).
ROW_DOT_COLUMNS_FROM = 64


def row_dot(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``np.einsum("ij,ij->i", a, b)`` of two ``(n, 3)`` float64 arrays, by columns.

    numpy's einsum takes each row's three products in a loop of its own (an
    hour at 20 Hz: 72,000 of them); here the products are whole columns and
    are added as einsum adds them: the first and the third, then the second,
    then to einsum's zero output (so a sum of negative zeros comes out
    positive). Other shapes and types, and short arrays, go to einsum.
    """
    if (
        a.ndim != 2
        or a.shape != b.shape
        or a.shape[1] != 3
        or a.shape[0] < ROW_DOT_COLUMNS_FROM
        or a.dtype != np.float64
        or b.dtype != np.float64
    ):
        return np.einsum("ij,ij->i", a, b, out=out)
    total = np.multiply(a[:, 0], b[:, 0], out=out)
    scratch = np.multiply(a[:, 2], b[:, 2])
    total += scratch
    total += np.multiply(a[:, 1], b[:, 1], out=scratch)
    total += 0.0
    return total


def column_sums(x: np.ndarray) -> np.ndarray:
    """``x.sum(axis=0)`` of a C-ordered ``(n, k)`` float array (row after row, as numpy)."""
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 2 or not arr.flags.c_contiguous or arr.shape[0] < 2:
        return np.asarray(arr.sum(axis=0))
    return np.array([arr[:, j].cumsum()[-1] for j in range(arr.shape[1])])


def column_means(x: np.ndarray) -> np.ndarray:
    """``x.mean(axis=0)`` of a C-ordered ``(n, k)`` float array (the same numbers)."""
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 2 or not arr.flags.c_contiguous or arr.shape[0] < 2:
        return np.asarray(arr.mean(axis=0))
    return column_sums(arr) / arr.shape[0]


def cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.cross(a, b)`` of two 3-vectors or two ``(t, 3)`` arrays of them: the same
    products and differences, without its broadcasting and axis moves (which cost
    more than the work on a few vectors)."""
    out = np.empty(np.broadcast_shapes(a.shape, b.shape))
    out[..., 0] = a[..., 1] * b[..., 2] - a[..., 2] * b[..., 1]
    out[..., 1] = a[..., 2] * b[..., 0] - a[..., 0] * b[..., 2]
    out[..., 2] = a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    return out


def percentile(x: np.ndarray, q: float) -> float:
    """``float(np.percentile(x, q))`` of a 1-D array, without numpy's per-call overhead.

    numpy's default (linear) method with its arithmetic: the two order
    statistics around ``(n - 1) * q / 100`` taken by one partition, and
    ``a + (b - a) * t`` (``b - (b - a) * (1 - t)`` from ``t = 0.5``); an empty
    array or one holding NaN goes to numpy.
    """
    return percentiles(x, (q,))[0]


def percentiles(x: np.ndarray, qs: tuple[float, ...]) -> list[float]:
    """``np.percentile(x, qs)`` of a 1-D array, as floats: :func:`percentile` of each ``q``.

    numpy's one partition for all of them (at the ends and both neighbours of
    each ``(n - 1) * q / 100``) and its linear interpolation, so that of equal
    values the same ones are taken; an empty array or one holding NaN goes to
    numpy.
    """
    arr = np.asarray(x, dtype=np.float64).ravel()
    n = arr.size
    if n == 0 or np.isnan(arr).any():
        return [float(v) for v in np.percentile(arr, qs)]
    picks = []
    for q in qs:
        virtual = (n - 1) * (float(q) / 100.0)
        below = math.floor(virtual)
        if virtual >= n - 1:  # numpy takes the last value and counts t from index -1
            below = -1
        picks.append((virtual, below))
    kth = [0, -1, *(b for _, b in picks), *(b + 1 if b >= 0 else -1 for _, b in picks)]
    ordered = np.partition(arr, np.array(sorted(set(kth)), dtype=np.intp))  # np.unique's
    out = []
    for virtual, below in picks:
        a = float(ordered[below])
        b = float(ordered[below + 1 if below >= 0 else -1])
        t = virtual - below
        diff = b - a
        out.append(b - diff * (1.0 - t) if t >= 0.5 else a + diff * t)
    return out


def median(x: np.ndarray) -> float:
    """``float(np.median(x))`` of a 1-D float64 array, without numpy's per-call set-up.

    numpy's own partition (at the middle value or two, and at the end, where a
    NaN would go) and its mean of the middle: numpy's sum starts from zero
    (so a negative zero comes out positive), and is divided by the count. NaN
    when the array holds one; an empty array, or another type or shape, goes
    to numpy.
    """
    arr = np.asarray(x)
    n = arr.size
    if n == 0 or arr.ndim != 1 or arr.dtype != np.float64:
        return float(np.median(arr))
    half = n // 2
    if n % 2:
        part = np.partition(arr, [half, -1])
        middle = 0.0 + float(part[half])
    else:
        part = np.partition(arr, [half - 1, half, -1])
        middle = (0.0 + float(part[half - 1]) + float(part[half])) / 2.0
    return float("nan") if math.isnan(part[-1]) else middle


SMALL_MEDIAN_SIZE = 1000
"""Longest array :func:`small_median` sorts itself."""


def small_median(x: np.ndarray) -> float:
    """``float(np.median(x))`` of a short 1-D array, without numpy's per-call overhead.

    The middle value, or the mean of the two middle values (``(a + b) / 2``,
    as numpy computes it); an array longer than :data:`SMALL_MEDIAN_SIZE` goes
    to :func:`median`, one holding NaN to numpy.
    """
    arr = np.asarray(x)
    if arr.size > SMALL_MEDIAN_SIZE:  # numpy's partition beats sorting a list
        return median(arr)
    values = arr.ravel().tolist()
    kind = arr.dtype.kind
    if kind in "iub":  # whole numbers: no NaN to look for
        nan = False
    elif kind == "f":
        nan = any(map(math.isnan, values))
    else:
        nan = any(v != v for v in values)
    if not values or nan:  # empty, or NaN
        return float(np.median(arr))
    ordered = sorted(values)
    m = len(ordered)
    middle = ordered[m // 2]
    if m % 2:
        return float(middle)
    return (float(ordered[m // 2 - 1]) + float(middle)) / 2.0


FEW_PARTS = 8
"""Most parts :func:`segment_medians` takes one at a time (with :data:`FEW_VALUES`)."""

FEW_VALUES = 256
"""Most values in all of :data:`FEW_PARTS` parts taken one at a time."""


def segment_medians(x: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """``[small_median(x[a:b]) for a, b in zip(starts, stops)]`` of a 1-D float64 or
    integer array, as one array, from one sort of all the parts.

    The parts' values (``0 <= a``; ``b`` past the end is cut, as in a slice;
    parts may overlap) are gathered and put in order within each part (one
    sort of all the values, then a stable one of their parts), and each
    part's middle value or the mean of its two middle values taken as
    :func:`small_median` takes them: ``(a + b) / 2`` in float64, and for a
    float part longer than :data:`SMALL_MEDIAN_SIZE` :func:`median`'s sum
    from zero (whose answer is the same whichever of equal values its
    partition picks). Equal values differ only as ``0.0`` and ``-0.0``: a
    short part whose answer is a zero of either sign (its middle value, or
    both middle values, zero) is given :func:`small_median` itself, whose
    sort keeps the zeros in their order. A part holding NaN, or none, is NaN
    (np.median's answer). Other types go part by part, and so do up to
    :data:`FEW_PARTS` parts of up to :data:`FEW_VALUES` values in all (a short
    recording's bouts), whose own sorts cost less than the set-up of one sort
    of all.
    """
    arr = np.asarray(x)
    a = np.asarray(starts, dtype=np.intp)
    sizes = np.maximum(np.minimum(np.asarray(stops, dtype=np.intp), arr.shape[0]) - a, 0)
    if arr.ndim != 1 or not (arr.dtype == np.float64 or arr.dtype.kind in "iu"):
        return np.array([small_median(arr[p : p + m]) for p, m in zip(a, sizes, strict=True)])
    if a.size <= FEW_PARTS:
        parts = list(zip(a.tolist(), sizes.tolist(), strict=True))
        if sum(m for _, m in parts) <= FEW_VALUES:
            few = [small_median(arr[p : p + m]) if m else math.nan for p, m in parts]
            # a NaN as the sort of all gives it (np.median's may carry a sign)
            return np.array([v if v == v else math.nan for v in few], dtype=np.float64)
    out = np.full(a.size, np.nan)  # a part of no values: NaN
    before = sizes.cumsum() - sizes  # values of the parts before each
    total = int(sizes.sum())
    if total == 0:
        return out
    values = arr[np.arange(total) + (a - before).repeat(sizes)]
    order = values.argsort()  # then by part, keeping that order within each
    owner = np.arange(a.size, dtype=np.int16 if a.size < 1 << 15 else np.int64).repeat(sizes)
    order = order[owner[order].argsort(kind="stable")]
    ordered = values[order].astype(np.float64)
    some = sizes > 0
    half = before[some] + sizes[some] // 2  # the middle value, or the second of the two
    upper = ordered[half]
    lower = ordered[np.maximum(half - 1, 0)]
    odd = sizes[some] % 2 == 1
    with np.errstate(invalid="ignore", over="ignore"):  # Python floats do not warn
        middle = np.where(odd, upper, (lower + upper) / 2.0)
        if arr.dtype == np.float64:
            big = sizes[some] > SMALL_MEDIAN_SIZE  # median()'s sums, from zero
            middle[big] = np.where(
                odd[big], 0.0 + upper[big], (0.0 + lower[big] + upper[big]) / 2.0
            )
    out[some] = middle
    if arr.dtype == np.float64:
        nans = np.zeros(total + 1, dtype=np.intp)  # NaN counted before each value
        np.isnan(values).cumsum(out=nans[1:])
        out[some & (nans[before + sizes] > nans[before])] = np.nan
        zero = (upper == 0.0) & (odd | (lower == 0.0)) & ~big
        for k in np.flatnonzero(some)[zero].tolist():  # which zero: the sorted list's
            out[k] = small_median(arr[a[k] : a[k] + sizes[k]])
    return out


def median_direction(rows: np.ndarray) -> np.ndarray:
    """The unit vector of the column medians of ``(n, 3)`` rows of directions: a
    typical direction that brief excursions do not move (``np.median(rows,
    axis=0)`` by :func:`small_median`, divided by ``np.linalg.norm``'s own root of
    its dot product with itself, at least ``1e-12``)."""
    return unit_vector(np.array([small_median(col) for col in rows.T]))


def unit_vector(v: np.ndarray) -> np.ndarray:
    """``v`` over its length, at least ``1e-12``: one vector's ``v / np.linalg.norm(v)``
    with numpy's own sum of squares (``v @ v``), without its set-up (a new array)."""
    return v / max(math.sqrt(v @ v), 1e-12)


def diff_after(x: np.ndarray, before: Any) -> np.ndarray:
    """``np.diff(x, prepend=before)`` of a 1-D array: numpy's own steps (``before``
    joined in front, then each value less the one before), without its set-up."""
    joined = np.concatenate((np.asarray(before).reshape(1), x))
    return joined[1:] - joined[:-1]


def split_at(x: np.ndarray, cuts: np.ndarray) -> list[np.ndarray]:
    """``np.split(x, cuts)`` of a 1-D array at sorted indices: the same views, as slices.

    numpy's split works each part through its general axis handling, which
    costs more than the parts of a short recording.
    """
    bounds = [0, *np.asarray(cuts).tolist(), x.shape[0]]
    return [x[a:b] for a, b in itertools.pairwise(bounds)]


def sliding_rows(x: np.ndarray, width: int) -> np.ndarray:
    """``np.lib.stride_tricks.sliding_window_view(x, width)`` of a 1-D array, read-only.

    The same windows; a contiguous array's view is made directly, without
    the checks and wrapping that cost more than the work on short arrays.
    """
    if x.ndim != 1 or not x.flags.c_contiguous or not 0 < width <= x.shape[0]:
        return np.lib.stride_tricks.sliding_window_view(x, width)
    step = x.strides[0]
    out: np.ndarray = np.ndarray(
        (x.shape[0] - width + 1, width), dtype=x.dtype, buffer=x, strides=(step, step)
    )
    out.flags.writeable = False
    return out


def true_runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start (inclusive) and end (exclusive) indices of the runs of True in a 1-D mask."""
    padded = np.zeros(mask.shape[0] + 2, dtype=np.int8)
    padded[1:-1] = mask
    edges = (padded[1:] != padded[:-1]).nonzero()[0]
    return edges[0::2], edges[1::2]
