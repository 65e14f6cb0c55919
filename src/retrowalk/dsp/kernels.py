"""The few compiled scipy kernels the analysis needs, without importing ``scipy.signal``.

Importing ``scipy.signal`` (or ``scipy.ndimage``) loads most of scipy — stats,
interpolate, optimize, sparse — which costs more than a second of a cold
``retrowalk analyze``, while the analysis uses three of its compiled kernels:
the second-order-section filter, the local-maximum / prominence / distance
steps of ``find_peaks``, and nothing else. This module loads those extension
modules by file (their parent package's ``__init__`` does not run) and
implements, with the same numpy operations as scipy 1.x, the two thin Python
layers above them: the Butterworth low-pass design with its step-response
state (``butter``/``sosfilt_zi``), and ``find_peaks`` restricted to
``distance`` and ``prominence``. The numbers are those of scipy itself; if the
files are not where this scipy keeps them, the public scipy functions are used.

References
----------
Virtanen P, Gommers R, Oliphant TE, et al. (2020). SciPy 1.0: fundamental
algorithms for scientific computing in Python. Nature Methods 17, 261-272
(``scipy.signal.butter``, ``zpk2sos``, ``sosfilt_zi``, ``find_peaks``; BSD
licence).
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["butter_lowpass_design", "find_peaks", "sosfilt_kernel", "window_peaks"]

FloatArray = NDArray[np.float64]


def _load_extension(package: str, name: str) -> ModuleType | None:
    """Load ``scipy.<package>.<name>`` (a compiled module) without its package ``__init__``."""
    full = f"scipy.{package}.{name}"
    if full in sys.modules:
        return sys.modules[full]
    if f"scipy.{package}" in sys.modules:  # already paid for: the ordinary import
        return importlib.import_module(full)
    try:
        import scipy

        base = Path(scipy.__file__).parent / package
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = base / f"{name}{suffix}"
            if path.is_file():
                loader = importlib.machinery.ExtensionFileLoader(full, str(path))
                spec = importlib.util.spec_from_file_location(full, path, loader=loader)
                if spec is None:
                    return None
                module = importlib.util.module_from_spec(spec)
                loader.exec_module(module)
                sys.modules[full] = module  # a later ``import scipy.<package>`` reuses it
                return module
    except Exception:  # pragma: no cover - another scipy layout: the public functions
        return None
    return None  # pragma: no cover


@cache
def sosfilt_kernel() -> Any:
    """scipy's compiled ``_sosfilt(sos, x, zi)`` (in place, along the last axis), or ``None``."""
    module = _load_extension("signal", "_sosfilt")
    return None if module is None else getattr(module, "_sosfilt", None)


@cache
def _peak_kernels() -> ModuleType | None:
    module = _load_extension("signal", "_peak_finding_utils")
    needed = ("_local_maxima_1d", "_select_by_peak_distance", "_peak_prominences")
    if module is None or not all(hasattr(module, n) for n in needed):
        return None  # pragma: no cover
    return module


# ---------------------------------------------------------------- filter design


def butter_lowpass_design(
    order: int, wn: float, fs: float | None = None
) -> tuple[FloatArray, FloatArray]:
    """``scipy.signal.butter(order, wn, output="sos", fs=fs)`` and ``sosfilt_zi`` of it.

    The same steps as scipy (analog prototype, pre-warped low-pass, bilinear
    transform, nearest pole-zero pairing into sections, then the step-response
    state of each section), so the coefficients are scipy's.
    """
    wn_arr = np.asarray(wn, dtype=np.float64)
    if fs is not None:
        wn_arr = wn_arr / (fs / 2)
    if np.any(wn_arr <= 0) or np.any(wn_arr >= 1):
        raise ValueError("Digital filter critical frequencies must be 0 < Wn < 1")
    if abs(int(order)) != order:
        raise ValueError("Filter order must be a nonnegative integer")
    # buttap
    z: NDArray[Any] = np.asarray([], dtype=np.float64)
    m = np.arange(-order + 1, order, 2, dtype=np.float64)
    p: NDArray[Any] = -np.exp(1j * np.pi * m / (2 * order))
    k: Any = 1.0
    # pre-warp (fs = 2) and lp2lp_zpk
    two = 2.0
    warped = 2 * two * np.tan(np.pi * wn_arr / two)
    wo = float(warped)
    degree = p.shape[0] - z.shape[0]
    z = wo * z
    p = wo * p
    k = k * wo**degree
    # bilinear_zpk
    fs2 = 2.0 * two
    z_z = (fs2 + z) / (fs2 - z)
    p_z = (fs2 + p) / (fs2 - p)
    z_z = np.concatenate((z_z, -np.ones(degree)))
    k_z = k * np.real(np.prod(fs2 - z) / np.prod(fs2 - p))
    sos = _zpk2sos(z_z, p_z, k_z)
    return sos, _sosfilt_zi(sos)


def _cplxreal(z: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]]:
    z = np.atleast_1d(z)
    if z.size == 0:
        return z, z
    tol = 100 * np.finfo((1.0 * z).dtype).eps
    z = z[np.lexsort((abs(z.imag), z.real))]
    real_indices = abs(z.imag) <= tol * abs(z)
    zr = z[real_indices].real
    if len(zr) == len(z):
        return np.array([]), zr
    z = z[~real_indices]
    zp = z[z.imag > 0]
    zn = z[z.imag < 0]
    if len(zp) != len(zn):
        raise ValueError("Array contains complex value with no matching conjugate.")
    same_real = np.diff(zp.real) <= tol * abs(zp[:-1])
    diffs = np.diff(np.concatenate(([0], same_real, [0])))
    run_starts = np.nonzero(diffs > 0)[0]
    run_stops = np.nonzero(diffs < 0)[0]
    for i in range(len(run_starts)):
        start = run_starts[i]
        stop = run_stops[i] + 1
        for chunk in (zp[start:stop], zn[start:stop]):
            chunk[...] = chunk[np.lexsort([abs(chunk.imag)])]
    if any(abs(zp - zn.conj()) > tol * abs(zn)):
        raise ValueError("Array contains complex value with no matching conjugate.")
    zc = (zp + zn.conj()) / 2
    return zc, zr


def _nearest_real_complex_idx(fro: NDArray[Any], to: Any, which: str) -> Any:
    order = np.argsort(np.abs(fro - to))
    if which == "any":
        return order[0]
    mask = np.isreal(fro[order])
    if which == "complex":
        mask = ~mask
    return order[np.nonzero(mask)[0][0]]


def _poly(seq_of_zeros: Any) -> NDArray[Any]:
    seq = np.atleast_1d(np.asarray(seq_of_zeros))
    if seq.shape[0] == 0:
        return np.asarray(1.0, dtype=np.real(seq).dtype)
    a = np.ones((1,), dtype=seq.dtype)
    one = np.ones_like(seq[0])
    for zero in seq:
        a = np.convolve(a, np.stack((one, -zero)), mode="full")
    if np.iscomplexobj(a):
        roots = np.asarray(seq, dtype=np.complex128)
        if np.all(np.sort(np.imag(roots)) == np.sort(np.imag(np.conj(roots)))):
            a = np.asarray(np.real(a), copy=True)
    return a


def _single_zpksos(z: Any, p: Any, k: float) -> FloatArray:
    sos = np.zeros(6)
    z_arr = np.atleast_1d(np.asarray(z))
    p_arr = np.asarray(p)
    k_arr = np.asarray(k, dtype=np.result_type(np.real(z_arr), np.real(p_arr), k))
    if np.issubdtype(k_arr.dtype, np.integer):
        k_arr = k_arr.astype(np.float64)
    b = np.multiply(np.atleast_1d(k_arr), _poly(z_arr))
    a = np.atleast_1d(np.asarray(_poly(p_arr)))
    sos[3 - len(b) : 3] = b
    sos[6 - len(a) : 6] = a
    return sos


def _zpk2sos(z: NDArray[Any], p: NDArray[Any], k: Any) -> FloatArray:
    """scipy's ``zpk2sos`` for a digital filter with ``pairing="nearest"``."""
    z, p = map(np.asarray, (z, p))
    k = np.asarray(k)
    if len(z) == len(p) == 0:
        return np.asarray([[k, 0.0, 0.0, 1.0, 0.0, 0.0]])
    p = np.concatenate((p, np.zeros(max(len(z) - len(p), 0))))
    z = np.concatenate((z, np.zeros(max(len(p) - len(z), 0))))
    n_sections = (max(len(p), len(z)) + 1) // 2
    if len(p) % 2 == 1:
        p = np.concatenate((p, [0.0]))
        z = np.concatenate((z, [0.0]))
    z = np.concatenate(_cplxreal(z))
    p = np.concatenate(_cplxreal(p))
    if not np.isreal(k):
        raise ValueError("k must be real")
    k = k.real

    def idx_worst(p: NDArray[Any]) -> Any:
        return np.argmin(np.abs(1 - np.abs(p)))

    sos = np.zeros((n_sections, 6))
    for si in range(n_sections - 1, -1, -1):
        p1_idx = idx_worst(p)
        p1 = p[p1_idx]
        p = np.delete(p, p1_idx)
        if np.isreal(p1) and np.isreal(p).sum() == 0:
            z1_idx = _nearest_real_complex_idx(z, p1, "real")
            z1 = z[z1_idx]
            z = np.delete(z, z1_idx)
            sos[si] = _single_zpksos([z1, 0], [p1, 0], 1)
        elif (
            len(p) + 1 == len(z)
            and not np.isreal(p1)
            and np.isreal(p).sum() == 1
            and np.isreal(z).sum() == 1
        ):
            z1_idx = _nearest_real_complex_idx(z, p1, "complex")
            z1 = z[z1_idx]
            z = np.delete(z, z1_idx)
            sos[si] = _single_zpksos([z1, z1.conj()], [p1, p1.conj()], 1)
        else:
            if np.isreal(p1):
                prealidx = np.flatnonzero(np.isreal(p))
                p2_idx = prealidx[idx_worst(p[prealidx])]
                p2 = p[p2_idx]
                p = np.delete(p, p2_idx)
            else:
                p2 = p1.conj()
            if len(z) > 0:
                z1_idx = _nearest_real_complex_idx(z, p1, "any")
                z1 = z[z1_idx]
                z = np.delete(z, z1_idx)
                if not np.isreal(z1):
                    sos[si] = _single_zpksos([z1, z1.conj()], [p1, p2], 1)
                elif len(z) > 0:
                    z2_idx = _nearest_real_complex_idx(z, p1, "real")
                    z2 = z[z2_idx]
                    z = np.delete(z, z2_idx)
                    sos[si] = _single_zpksos([z1, z2], [p1, p2], 1)
                else:
                    sos[si] = _single_zpksos([z1], [p1, p2], 1)
            else:
                sos[si] = _single_zpksos([], [p1, p2], 1)
    sos[0][:3] *= k
    return sos


def _lfilter_zi(b: FloatArray, a: FloatArray) -> FloatArray:
    b = np.atleast_1d(np.asarray(b))
    a = np.atleast_1d(np.asarray(a))
    while a.shape[0] > 1 and a[0] == 0.0:
        a = a[1:]
    if a[0] != 1.0:
        b = b / a[0]
        a = a / a[0]
    n = max(a.shape[0], b.shape[0])
    if a.shape[0] < n:
        a = np.concatenate((a, np.zeros(n - a.shape[0], dtype=a.dtype)))
    elif b.shape[0] < n:
        b = np.concatenate((b, np.zeros(n - b.shape[0], dtype=b.dtype)))
    dt = np.result_type(a, b)
    companion = np.zeros((n - 1, n - 1), dtype=np.result_type(a, 1.0))
    companion[0, :] = -a[1:] / (1.0 * a[0:1])
    companion[np.arange(1, n - 1), np.arange(0, n - 2)] = 1
    i_minus_a = np.asarray(np.eye(n - 1) - companion.T, dtype=dt)
    rhs = b[1:] - a[1:] * b[0]
    return np.asarray(np.linalg.solve(i_minus_a, rhs))


def _sosfilt_zi(sos: FloatArray) -> FloatArray:
    n_sections = sos.shape[0]
    zi = np.empty((n_sections, 2), dtype=sos.dtype)
    scale = 1.0
    for section in range(n_sections):
        b = sos[section, :3]
        a = sos[section, 3:]
        zi[section, ...] = scale * _lfilter_zi(b, a)
        scale *= np.sum(b) / np.sum(a)
    return zi


# ---------------------------------------------------------------- peaks


def find_peaks(
    x: NDArray[np.floating], *, distance: float | None = None, prominence: float | None = None
) -> tuple[NDArray[np.intp], dict[str, NDArray[Any]]]:
    """``scipy.signal.find_peaks(x, distance=..., prominence=...)``: the same peaks and prominences.

    Parameters
    ----------
    x
        1-D signal.
    distance
        Minimum distance between peaks, samples (the higher peak wins).
    prominence
        Minimum prominence (no upper bound).

    Returns
    -------
    peaks, properties
        Peak indices; with ``prominence``, ``properties`` holds the
        ``prominences`` of the peaks kept.

    Notes
    -----
    scipy measures a peak's prominence by scanning from it to the nearest
    higher sample on each side, which for the highest peaks of a long
    recording means scanning much of it. A signal of at least
    :data:`LONG_PEAK_SIGNAL` samples takes the same numbers from the local
    maxima and the lowest point between each two (:func:`_long_prominences`).
    """
    kernels = _peak_kernels()
    if kernels is None:  # pragma: no cover - another scipy layout
        from scipy import signal

        peaks, props = signal.find_peaks(x, distance=distance, prominence=prominence)
        return peaks, {k: v for k, v in props.items() if k == "prominences"}
    arr = np.asarray(x, order="C", dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError("`x` must be a 1-D array")
    if distance is not None and distance < 1:
        raise ValueError("`distance` must be greater or equal to 1")
    maxima, _, _ = kernels._local_maxima_1d(arr)
    peaks = maxima
    properties: dict[str, NDArray[Any]] = {}
    if distance is not None:
        keep = kernels._select_by_peak_distance(peaks, arr[peaks], distance)
        peaks = peaks[keep]
    if prominence is not None:
        if arr.size >= LONG_PEAK_SIGNAL:
            prominences = _long_prominences(arr, maxima, peaks)
        else:
            prominences = kernels._peak_prominences(arr, peaks, wlen=-1)[0]
        keep = prominence <= prominences
        peaks = peaks[keep]
        properties = {"prominences": prominences[keep]}
    return peaks, properties


#: Signals at least this long get their prominences from :func:`_long_prominences`.
LONG_PEAK_SIGNAL = 1 << 14


def window_peaks(
    x: NDArray[np.floating], starts: NDArray[np.integer], stops: NDArray[np.integer]
) -> tuple[NDArray[np.intp], NDArray[np.intp], FloatArray]:
    """``find_peaks(x[a:b], prominence=0.0)`` of many windows ``a:b`` (``a >= 0``) of a 1-D
    ``x`` at once.

    Returns ``(window, peak, prominence)``: every peak of every window, the
    windows in the order given and each window's peaks in order, as the
    window's index, the peak's index in ``x`` and its prominence.

    The windows are laid one after another in one array, each after a NaN, and
    that array goes through the local-maximum and prominence kernels once:
    what a window's own call does at its ends, a NaN does beside it (no
    comparison with a NaN holds, so no maximum reaches over it and a
    prominence's search stops there), so each window's peaks and prominences
    are those of its own call. Windows of :data:`LONG_PEAK_SIGNAL` samples and
    more (whose prominences :func:`find_peaks` takes another way) go one at a
    time.
    """
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError("`x` must be a 1-D array")
    a = np.asarray(starts, dtype=np.intp)  # 0 <= a: no counting from the end
    lengths = np.maximum(np.minimum(np.asarray(stops, dtype=np.intp), arr.size) - a, 0)
    kernels = _peak_kernels()
    if kernels is None or (lengths.size and int(lengths.max()) >= LONG_PEAK_SIGNAL):
        windows = [np.zeros(0, dtype=np.intp)]
        peaks: list[NDArray[np.intp]] = [np.zeros(0, dtype=np.intp)]
        prominences: list[NDArray[Any]] = [np.zeros(0)]
        for k, (s, m) in enumerate(zip(a.tolist(), lengths.tolist(), strict=True)):
            found, props = find_peaks(arr[s : s + m], prominence=0.0)
            windows.append(np.full(found.size, k, dtype=np.intp))
            peaks.append(found + s)
            prominences.append(props["prominences"])
        return (
            np.concatenate(windows),
            np.concatenate(peaks).astype(np.intp),
            np.concatenate(prominences).astype(np.float64),
        )
    before = lengths.cumsum() - lengths  # samples of the windows before each
    offsets = 1 + before + np.arange(a.size)  # where each window starts in the array
    total = int(lengths.sum())
    laid = np.full(total + a.size + 1, np.nan)
    each = np.arange(total)
    laid[each + (offsets - before).repeat(lengths)] = arr[each + (a - before).repeat(lengths)]
    maxima = kernels._local_maxima_1d(laid)[0]
    prominence = kernels._peak_prominences(laid, maxima, wlen=-1)[0]
    keep = prominence >= 0.0  # find_peaks' test of prominence=0.0 (not NaN)
    maxima, prominence = maxima[keep], prominence[keep]
    window = offsets.searchsorted(maxima, "right") - 1
    return window, maxima - offsets[window] + a[window], np.asarray(prominence, dtype=np.float64)


def _long_prominences(
    x: FloatArray, maxima: NDArray[np.intp], peaks: NDArray[np.intp]
) -> FloatArray:
    """scipy's prominences of ``peaks`` (some of the local ``maxima`` of ``x``), without scanning.

    A peak's prominence is its height above the higher of the two lowest
    points between it and the nearest strictly higher sample on either side
    (or the signal's end). The nearest higher sample lies no nearer than the
    nearest higher local maximum, and everything between the two is higher
    than the peak, so the lowest point is the lowest of the troughs between
    consecutive local maxima from that maximum to the peak. Both searches use
    sparse tables over the maxima and the troughs (``log2`` levels): the
    nearest higher maximum by descending the levels of running maxima, the
    lowest trough by two overlapping power-of-two ranges.
    """
    n = x.shape[0]
    stops = np.concatenate(([0], maxima, [n - 1]))  # the signal's ends stop every search
    heights = x[stops]
    heights[0] = heights[-1] = np.inf
    troughs = np.minimum.reduceat(x, stops[:-1])  # trough j: the lowest of stops[j] .. stops[j + 1]
    at = stops.searchsorted(peaks)
    level = x[peaks]
    highest = _sparse_table(heights, np.maximum)
    left = at.copy()  # move left while every height passed is at most the peak's
    right = at + 1  # move right the same way
    for k, table in reversed(list(enumerate(highest))):
        span = 1 << k
        step_left = left - span
        ok = (step_left >= 0) & (table[np.maximum(step_left, 0)] <= level)
        left = np.where(ok, step_left, left)
        step_right = right + span
        ok = (step_right <= heights.size) & (table[np.minimum(right, table.size - 1)] <= level)
        right = np.where(ok, step_right, right)
    lowest = _stacked(_sparse_table(troughs, np.minimum))
    left_min = _range_min(lowest, left - 1, at)  # troughs from the higher maximum to the peak
    right_min = _range_min(lowest, at, right)
    return np.asarray(level - np.maximum(left_min, right_min), dtype=np.float64)


def _sparse_table(values: FloatArray, combine: Any) -> list[FloatArray]:
    """Level ``k``: ``combine`` over ``values[i : i + 2**k]`` for every ``i`` that fits."""
    levels = [values]
    while 2 << (len(levels) - 1) <= values.size:
        half = 1 << (len(levels) - 1)
        below = levels[-1]
        levels.append(combine(below[:-half], below[half:]))
    return levels


def _stacked(levels: list[FloatArray]) -> FloatArray:
    """The levels of a :func:`_sparse_table` as the rows of one array (each row's end,
    past its level's values, is never read)."""
    table = np.empty((len(levels), levels[0].size))
    for k, level in enumerate(levels):
        table[k, : level.size] = level
    return table


def _range_min(lowest: FloatArray, start: NDArray[np.intp], stop: NDArray[np.intp]) -> FloatArray:
    """``min(values[start:stop])`` per range (``stop > start``) from the :func:`_sparse_table`
    of ``values`` (its levels stacked, :func:`_stacked`): the smaller of the two
    overlapping power-of-two ranges' minima, each range's two taken from its level's
    row at once."""
    size = np.floor(np.log2(stop - start)).astype(np.intp)
    at = size * lowest.shape[1]
    flat = lowest.ravel()
    return np.minimum(flat[at + start], flat[at + stop - np.left_shift(1, size)])
