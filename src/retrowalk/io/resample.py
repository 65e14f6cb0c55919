"""Timestamp repair and resampling onto a uniform time base.

Phones and radio-linked sensors deliver samples with jitter, duplicates, the odd
sample out of order and dropped stretches. This module turns such a stream into
uniformly spaced arrays and says, in plain words, what it did.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from retrowalk.core.errors import InputError
from retrowalk.core.recording import Gap
from retrowalk.dsp.filters import lowpass
from retrowalk.dsp.rows import median
from retrowalk.io import longarrays as la

DEFAULT_GAP_S = 0.5
# At most this share of backward steps is repaired by sorting; more is an error.
MAX_BACKWARD_SHARE = 0.01

LineOfRow = Callable[[int], int]


@dataclass
class Cleaned:
    """A stream whose timestamps are strictly increasing.

    Attributes
    ----------
    t
        Seconds (any origin), strictly increasing.
    data
        Stream kind -> ``(n, 3)`` samples.
    notes
        What was repaired.
    """

    t: np.ndarray
    data: dict[str, np.ndarray]
    notes: list[str] = field(default_factory=list)
    dt: np.ndarray | None = None

    def steps(self) -> np.ndarray:
        """``np.diff(t)``, computed once."""
        if self.dt is None or self.dt.shape[0] != max(self.t.shape[0] - 1, 0):
            self.dt = la.diff(self.t)
        return self.dt


def clean_timestamps(
    t: np.ndarray,
    data: dict[str, np.ndarray],
    *,
    path: str,
    time_field: str | None,
    line_of_row: LineOfRow,
    what: str = "samples",
) -> Cleaned:
    """Make timestamps strictly increasing.

    A few backward steps (at most 1 % of the rows, the sort moving at most 2 % of
    them) are repaired by a stable sort; more means the rows are out of order and
    raises (one step back by many rows, a clock set back or a time column in
    other units from some row on, moves them all). Rows repeating the previous
    timestamp are dropped (the first one is kept). Every repair is noted.

    Parameters
    ----------
    t
        Timestamps in seconds.
    data
        Stream kind -> ``(n, 3)`` samples, one row per timestamp.
    path, time_field
        For error messages.
    line_of_row
        Maps a 0-based row index to the 1-based line in the file.
    what
        Name of the stream in notes, e.g. ``"gyroscope samples"``.

    Raises
    ------
    InputError
        When the timestamps are mostly out of order or not finite.
    """
    notes: list[str] = []
    n = t.shape[0]
    if n == 0:
        return Cleaned(t, data, notes)
    if la.not_finite_any(t):
        row = int(np.flatnonzero(~np.isfinite(t))[0])
        raise InputError(path, "timestamp is not a number", line=line_of_row(row), field=time_field)
    dt = la.diff(t)  # a long recording's (in a file) in chunks; so are the searches below
    _refuse_time_jump(t, dt, path=path, time_field=time_field, line_of_row=line_of_row)
    back = la.flat_where(dt, "<", 0)
    if back.size:
        if back.size > max(1, MAX_BACKWARD_SHARE * n):
            raise InputError(
                path,
                f"timestamps go backwards at {back.size} of {n} rows (first here); "
                "the rows are out of time order and cannot be repaired safely",
                line=line_of_row(int(back[0]) + 1),
                field=time_field,
            )
        order = np.argsort(t, kind="stable")
        moved = int(np.count_nonzero(order != np.arange(n)))
        if moved > 2 * max(1, MAX_BACKWARD_SHARE * n):  # a swapped pair moves two rows
            worst = int(back[np.argmin(dt[back])])
            raise InputError(
                path,
                f"the time goes back by {_span(float(t[worst] - t[worst + 1]))} here; "
                f"sorting would move {moved} of {n} rows: the rows are out of time order "
                "and cannot be repaired safely",
                line=line_of_row(worst + 1),
                field=time_field,
            )
        t = t[order]
        data = {k: v[order] for k, v in data.items()}
        notes.append(
            f"{what}: timestamps went backwards at {back.size} row(s) (first at line "
            f"{line_of_row(int(back[0]) + 1)}); the rows were sorted by time"
        )
        dt = np.diff(t)
    dup = la.flat_where(dt, "==", 0)
    if dup.size:
        keep = np.ones(n, dtype=bool)
        keep[dup + 1] = False
        t = t[keep]
        data = {k: v[keep] for k, v in data.items()}
        notes.append(
            f"{what}: dropped {dup.size} row(s) repeating the previous timestamp (first at "
            f"line {line_of_row(int(dup[0]) + 1)})"
        )
        dt = np.diff(t)
    return Cleaned(t, data, notes, dt)


#: Filler samples (a day at 100 Hz) beyond which a time axis mostly made of one
#: jump (:func:`_refuse_time_jump`) is refused.
MAX_FILLER_SAMPLES = 8_640_000
#: ... when its span is more than this many times the time its samples cover.
MAX_FILLER_RATIO = 10.0


def _refuse_time_jump(
    t: np.ndarray, dt: np.ndarray, *, path: str, time_field: str | None, line_of_row: LineOfRow
) -> None:
    """Refuse timestamps that jump so far that the time axis would be mostly filler.

    A damaged time value (one digit of a clock in nanoseconds changed) or a clock
    set weeks ahead in the middle of a recording stretches its time axis, which
    is filled by holding values, to days or months: gigabytes for a few minutes
    of samples. Refused when the span is more than :data:`MAX_FILLER_RATIO`
    times the time the samples cover (their number times the typical step, the
    median of at most about 1000 steps) and the filler more than
    :data:`MAX_FILLER_SAMPLES` samples; the line named is the one after the
    largest step. Long recordings with long gaps (a device that slept) are far
    from both.
    """
    n = t.shape[0]
    if n < 3:
        return
    lo, hi = la.min_max(t)
    step = median(la.strided(dt, max(dt.shape[0] // 1000, 1)))
    if not step > 0:
        return
    covered = n * step
    span = hi - lo
    if span <= MAX_FILLER_RATIO * covered or (span - covered) / step <= MAX_FILLER_SAMPLES:
        return
    row = int(np.argmax(np.abs(dt)))
    jump = float(dt[row])
    raise InputError(
        path,
        f"the time jumps {'forward' if jump > 0 else 'back'} by {_span(abs(jump))} here, "
        f"in a recording of {_span(covered)} of samples: a damaged time value or a clock "
        "change (the time axis would be mostly filler; split the file here to read its parts)",
        line=line_of_row(row + 1),
        field=time_field,
    )


def _span(seconds: float) -> str:
    """``seconds`` in words: ``"3.2 min"``, ``"11.6 days"``."""
    for unit, size in (("days", 86_400.0), ("h", 3_600.0), ("min", 60.0)):
        if seconds >= size:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds:.3g} s"


def source_rate(t: np.ndarray, dt: np.ndarray | None = None) -> float:
    """Median sampling rate of strictly increasing timestamps (Hz).

    The median is taken over at most about 100 000 steps spread over the recording.
    """
    if t.shape[0] < 2:
        return float("nan")
    if dt is None:
        dt = np.diff(t)
    step = max(dt.shape[0] // 100_000, 1)
    return float(1.0 / median(la.strided(dt, step)))


def nominal_rate(rate: float) -> float:
    """Round a measured rate sensibly: 99.7 -> 100, 104.2 -> 104, 12.5 -> 12.5."""
    r = round(rate)
    if r > 0 and abs(rate - r) <= 0.01 * rate:
        return float(r)
    return float(round(rate, 1))


def is_uniform(t: np.ndarray, rate: float, dt: np.ndarray | None = None) -> bool:
    """Whether ``t`` is already on a uniform grid at ``rate`` (no drift, small jitter)."""
    n = t.shape[0]
    if n < 2:
        return True
    span = (t[-1] - t[0]) * rate
    if abs(span - (n - 1)) >= 0.5:
        return False
    if dt is None:
        dt = np.diff(t)
    lo, hi = la.min_max(dt)
    return abs(lo * rate - 1.0) < 0.25 and abs(hi * rate - 1.0) < 0.25


def find_gaps(t: np.ndarray, gap_s: float, dt: np.ndarray | None = None) -> np.ndarray:
    """Indices ``i`` where ``t[i + 1] - t[i] > gap_s``."""
    return la.flat_where(np.diff(t) if dt is None else dt, ">", gap_s)


def _interp_columns(grid: np.ndarray, t: np.ndarray, x: np.ndarray) -> np.ndarray:
    out = np.empty((grid.shape[0], x.shape[1]), dtype=np.float64)
    for j in range(x.shape[1]):
        out[:, j] = np.interp(grid, t, x[:, j])
    return out


def resample_onto(
    t: np.ndarray,
    x: np.ndarray,
    grid: np.ndarray,
    *,
    src_rate: float,
    out_rate: float,
    gap_s: float,
) -> np.ndarray:
    """Values of a stream on a uniform ``grid``.

    Upsampling and same-rate repair use linear interpolation; downsampling first
    puts the stream on a uniform grid at its own rate, low-passes it (4th-order
    Butterworth at 0.4 x the output rate, zero phase) and then interpolates.
    Inside gaps longer than ``gap_s`` the last value before the gap is held.
    Outside the stream's time span its first or last value is held.
    """
    x = np.asarray(x, dtype=np.float64)
    on_grid = _grid_positions(t, grid, out_rate) if abs(src_rate - out_rate) < 1e-9 else None
    if on_grid is not None:
        out = _fill_on_grid(on_grid, t, x, grid)
        _hold_gaps(out, t, x, grid, gap_s)
        return out
    ts, xs = t, x
    if out_rate < 0.95 * src_rate and t.shape[0] > 60:
        n_u = int(np.floor((t[-1] - t[0]) * src_rate + 1e-9)) + 1
        tu = t[0] + np.arange(n_u) / src_rate
        xu = _interp_columns(tu, t, x)
        if n_u > 60:  # scipy's default edge padding (3 x taps = 15 samples for order 4)
            xu = lowpass(xu, 0.4 * out_rate, src_rate, order=4, pad_samples=15)
        ts, xs = tu, xu
    out = _interp_columns(grid, ts, xs)
    _hold_gaps(out, t, x, grid, gap_s)
    return out


def _hold_gaps(
    out: np.ndarray, t: np.ndarray, x: np.ndarray, grid: np.ndarray, gap_s: float
) -> None:
    for i in find_gaps(t, gap_s):
        i0 = int(np.searchsorted(grid, t[i], side="right"))
        i1 = int(np.searchsorted(grid, t[i + 1], side="left"))
        if i1 > i0:
            out[i0:i1] = x[i]


def _grid_positions(t: np.ndarray, grid: np.ndarray, rate: float) -> np.ndarray | None:
    """Grid indices of the samples when every sample sits on the grid (else None)."""
    if grid.shape[0] == 0:
        return None
    k = (t - grid[0]) * rate
    ki = np.rint(k)
    if np.max(np.abs(k - ki)) > 1e-6 or ki[0] < 0 or ki[-1] >= grid.shape[0]:
        return None
    return ki.astype(np.int64)


def _fill_on_grid(pos: np.ndarray, t: np.ndarray, x: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Samples placed at their grid positions; the missing ones interpolated linearly."""
    out = np.empty((grid.shape[0], x.shape[1]), dtype=np.float64)
    out[pos] = x
    missing = np.ones(grid.shape[0], dtype=bool)
    missing[pos] = False
    idx = np.flatnonzero(missing)
    if idx.size:
        for j in range(x.shape[1]):
            out[idx, j] = np.interp(grid[idx], t, x[:, j])
    return out


def uniform_grid(t0: float, t1: float, rate: float) -> np.ndarray:
    """``t0, t0 + 1/rate, ...`` up to and including ``t1`` (within rounding)."""
    n = int(np.floor((t1 - t0) * rate + 1e-6)) + 1
    return t0 + np.arange(max(n, 0)) / rate


def gaps_of(t: np.ndarray, gap_s: float, origin: float, dt: np.ndarray | None = None) -> list[Gap]:
    """Gaps longer than ``gap_s`` as :class:`Gap` relative to ``origin``."""
    return [Gap(float(t[i] - origin), float(t[i + 1] - origin)) for i in find_gaps(t, gap_s, dt)]


def describe_bridging(
    t: np.ndarray, rate: float, gap_s: float, what: str, dt: np.ndarray | None = None
) -> str | None:
    """A note on missing samples bridged by interpolation (gaps up to ``gap_s``)."""
    if dt is None:
        dt = np.diff(t)
    if la.is_file_backed(dt):  # a long recording's: only the short holes, found in chunks
        above = la.flat_where(dt, ">", 1.5 / rate)
        held = np.asarray(dt[above])
        holes = held[held <= gap_s]
    else:
        holes = dt[(dt > 1.5 / rate) & (dt <= gap_s)]
    if not holes.size:
        return None
    missing = int(np.sum(np.round(holes * rate) - 1))
    return (
        f"{what}: {int(holes.size)} short hole(s) (about {missing} missing sample(s), longest "
        f"{float(holes.max()):.3f} s) were bridged by linear interpolation"
    )
