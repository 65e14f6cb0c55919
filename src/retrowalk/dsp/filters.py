"""The one zero-phase low-pass filter of retrowalk.

A Butterworth low-pass run forwards and backwards (``filtfilt``), so it adds no
delay: events keep their times (Winter 2009, Biomechanics and Motor Control of
Human Movement, 4th ed., ch. 3 on digital filtering of movement data). The
signal is extended at both ends by its odd reflection before filtering, as
``scipy.signal.sosfiltfilt`` does, so the ends do not jump.

Every caller uses :func:`lowpass`; they differ only in the parameters they
state (order, and how much edge padding their signal needs).
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from retrowalk.dsp.kernels import butter_lowpass_design, sosfilt_kernel
from retrowalk.dsp.memory import RELEASE_ROWS, block_means, empty_samples, release

__all__ = [
    "butter_lowpass_sos",
    "lowpass",
    "lowpass_channels",
    "lowpass_into",
    "slow_lowpass_and_means",
    "slow_lowpass_at",
    "slow_lowpass_channels",
    "slow_lowpass_sampler",
    "sosfiltfilt_cached",
]

FloatArray = NDArray[np.float64]

#: Default edge padding, in multiples of scipy's own default (3 x filter taps).
#: Slow filters (the 0.25 Hz gravity estimate) need the longer run-in.
LONG_PAD_FACTOR = 10

#: Samples filtered in one block (all channels of a short signal, one channel of a long one).
GROUP_SAMPLES = 1 << 18

#: Rate, Hz, at which :func:`slow_lowpass_channels` filters (block means of the signal).
SLOW_RATE_HZ = 20.0

#: Fewest block means :func:`slow_lowpass_channels` filters; shorter signals go at full rate.
MIN_SLOW_BLOCKS = 8


def lowpass(
    x: NDArray[np.floating] | FloatArray,
    cutoff_hz: float,
    sampling_rate_hz: float,
    *,
    order: int = 2,
    pad_samples: int | None = None,
    min_samples: int = 4,
) -> FloatArray:
    """Zero-phase Butterworth low-pass along axis 0.

    Parameters
    ----------
    x
        ``(n,)`` or ``(n, k)`` signal.
    cutoff_hz
        -3 dB frequency of one pass, Hz (clipped just below Nyquist).
    sampling_rate_hz
        Sampling rate of ``x``.
    order
        Butterworth order of one pass (the forward-backward run doubles it).
    pad_samples
        Odd-reflection padding at each end, samples; ``None`` pads
        ``LONG_PAD_FACTOR`` times scipy's default (``3 * taps``). Always
        clipped to ``n - 1``.
    min_samples
        Shorter signals are returned unfiltered (a copy).

    Returns
    -------
    numpy.ndarray
        The filtered signal, float64, same shape as ``x``.
    """
    arr = np.asarray(x, dtype=np.float64)
    n = arr.shape[0]
    if n < min_samples:
        return arr.copy()
    sos, zi, padlen = _design(cutoff_hz, sampling_rate_hz, order, pad_samples, n)
    return sosfiltfilt_cached(sos, zi, arr, padlen)


def lowpass_into(
    x: NDArray[np.floating],
    out: NDArray[np.floating],
    cutoff_hz: float,
    sampling_rate_hz: float,
    *,
    order: int = 2,
    rows: int | None = None,
) -> None:
    """:func:`lowpass` of one long channel ``x`` into ``out``, ``rows`` samples at a time.

    The same numbers as ``out[:] = lowpass(x, ...)``: both passes of the
    zero-phase filter are recursions run sample after sample, so they are run
    a part at a time with the filter's state carried from one part to the
    next. The forward pass goes into a temporary file and the backward pass
    reads it from the end; with ``x`` and ``out`` in temporary files too
    (:mod:`retrowalk.dsp.memory`), each part's pages handed back as done, the
    memory needed is a part's, not the channel's (a week at 20 Hz: four
    channel-long arrays, 390 MB, in :func:`lowpass`). ``rows``: the part's
    length, :data:`~retrowalk.dsp.memory.RELEASE_ROWS` when ``None``.
    """
    rows = RELEASE_ROWS if rows is None else rows
    n = x.shape[0]
    kernel = sosfilt_kernel()
    if kernel is None or n <= rows:
        out[:] = lowpass(x, cutoff_hz, sampling_rate_hz, order=order)
        return
    sos, zi, padlen = _design(cutoff_hz, sampling_rate_hz, order, None, n)
    sos = np.array(sos)  # scipy's compiled filter needs a writable array
    left = _odd_ends(np.asarray(x[: padlen + 1], dtype=np.float64), padlen)[0]
    right = _odd_ends(np.asarray(x[n - padlen - 2 :], dtype=np.float64), padlen)[1]
    total = n + 2 * padlen
    forward = empty_samples((total,), file_backed=True)
    state = _initial_state(zi, left[0:1])
    at = 0
    pieces = [left, *(x[a : a + rows] for a in range(0, n, rows)), right]
    for piece in pieces:
        part = np.array(piece, dtype=np.float64, ndmin=2)
        release(piece)
        kernel(sos, part, state)
        forward[at : at + part.shape[1]] = part[0]
        release(forward, at, at + part.shape[1])
        at += part.shape[1]
    state = _initial_state(zi, forward[total - 1 :])
    for stop in range(total, 0, -rows):
        start = max(stop - rows, 0)
        part = np.array(forward[start:stop][::-1], ndmin=2)
        kernel(sos, part, state)
        a, b = max(start, padlen), min(stop, padlen + n)
        if b > a:
            out[a - padlen : b - padlen] = part[0, ::-1][a - start : b - start]
            release(out, a - padlen, b - padlen)
        release(forward, start, stop)


def _design(
    cutoff_hz: float, sampling_rate_hz: float, order: int, pad_samples: int | None, n: int
) -> tuple[FloatArray, FloatArray, int]:
    """The sections, their initial state and the padding of :func:`lowpass` for ``n`` samples."""
    sos, zi = butter_lowpass_sos(order, min(cutoff_hz / (sampling_rate_hz / 2.0), 0.99))
    if pad_samples is None:
        pad_samples = LONG_PAD_FACTOR * 3 * (2 * len(sos) + 1)
    return sos, zi, min(pad_samples, n - 1)


@lru_cache(maxsize=64)
def butter_lowpass_sos(
    order: int, wn: float, fs: float | None = None
) -> tuple[FloatArray, FloatArray]:
    """Butterworth low-pass sections and their step-response state (``sosfilt_zi``).

    Arguments are passed to ``scipy.signal.butter`` as given (``wn`` relative to
    Nyquist, or in Hz when ``fs`` is set). Designing the filter and solving for
    its initial state costs far more than filtering a short recording, and the
    same few filters are used over and over, so both are cached. The arrays are
    read-only because they are shared.
    """
    sos, zi = butter_lowpass_design(order, wn, fs)  # scipy's design, without scipy.signal
    sos = np.asarray(sos, dtype=np.float64)
    zi = np.asarray(zi, dtype=np.float64)
    sos.flags.writeable = False
    zi.flags.writeable = False
    return sos, zi


def sosfiltfilt_cached(
    sos: FloatArray, zi: FloatArray, x: NDArray[np.floating], padlen: int | None = None
) -> FloatArray:
    """``scipy.signal.sosfiltfilt(sos, x, axis=0, padlen=padlen)`` with ``zi`` precomputed.

    The same steps as scipy's (odd extension, forward and backward pass started
    from the step-response state), so the result is identical; only the
    ``sosfilt_zi(sos)`` solve is taken from ``zi``. ``padlen=None`` is scipy's
    default of three times the number of filter taps. Both passes run scipy's
    compiled second-order-section kernel directly on channel-major rows,
    without ``scipy.signal.sosfilt``'s per-call checks and axis moves, which
    cost more than the filtering itself on short recordings; a long signal
    goes one channel at a time, so it is not copied whole.
    """
    x64: FloatArray = np.asarray(x, dtype=np.float64)
    sos = _writable(sos)  # scipy's compiled filter needs a writable array
    if padlen is None:
        ntaps = 2 * sos.shape[0] + 1
        ntaps -= min(int((sos[:, 2] == 0).sum()), int((sos[:, 5] == 0).sum()))
        padlen = 3 * ntaps
    n = x64.shape[0]
    if padlen >= n:
        raise ValueError(f"the input must be longer than padlen ({padlen}), got {n} samples")
    kernel = sosfilt_kernel()
    if kernel is None or x64.ndim > 2:
        return _sosfiltfilt_public(sos, zi, _odd_ext(x64, padlen), padlen)
    # Channel-major rows, as the kernel filters along the last axis; a long
    # signal goes a channel at a time, so the temporaries are a channel long.
    cols = x64.reshape(n, -1)
    out = np.empty(cols.shape, dtype=np.float64)
    for c0, rows in _filtered_rows(kernel, sos, zi, cols, padlen):
        for i, row in enumerate(rows):  # a column at a time, not numpy's copy row by row
            out[:, c0 + i] = row
    return out.reshape(x64.shape)


def lowpass_channels(
    x: NDArray[np.floating] | FloatArray,
    cutoff_hz: float,
    sampling_rate_hz: float,
    *,
    order: int = 2,
    pad_samples: int | None = None,
) -> FloatArray:
    """:func:`lowpass` of an ``(n, k)`` signal, returned channel-major: ``(k, n)``.

    The same numbers as ``lowpass(x, ...).T``, without turning the filtered
    rows back into sample-major order; for callers that go on column by column.
    """
    arr = np.asarray(x, dtype=np.float64)
    n = arr.shape[0]
    cols = arr.reshape(n, -1)
    kernel = sosfilt_kernel()
    if n < 4 or kernel is None:
        return np.ascontiguousarray(
            lowpass(arr, cutoff_hz, sampling_rate_hz, order=order, pad_samples=pad_samples)
            .reshape(n, -1)
            .T
        )
    sos, zi, padlen = _design(cutoff_hz, sampling_rate_hz, order, pad_samples, n)
    out = np.empty((cols.shape[1], n), dtype=np.float64)
    for c0, rows in _filtered_rows(kernel, _writable(sos), zi, cols, padlen):
        out[c0 : c0 + rows.shape[0]] = rows
    return out


def slow_lowpass_channels(
    x: NDArray[np.floating] | FloatArray,
    cutoff_hz: float,
    sampling_rate_hz: float,
    *,
    order: int = 2,
) -> FloatArray:
    """:func:`lowpass_channels` of a cut-off far below the sampling rate, worked at about 20 Hz.

    The signal is extended at both ends by its odd reflection, as
    :func:`lowpass` extends it at the full rate (the same samples, rounded up
    to whole blocks), averaged over blocks of ``round(fs / SLOW_RATE_HZ)``
    samples, the block means filtered forwards and backwards, and drawn back
    to every sample by linear interpolation between the blocks' centres. A
    block mean is a moving average whose zeros lie on the block rate and its
    multiples, so nothing folds into a pass band of a few tenths of a hertz;
    the result differs from the full-rate filter by the interpolation between
    blocks, a small fraction of the signal's change over one block. For the
    0.25 Hz gravity estimate of an hour this costs about half the full-rate
    filter.

    Parameters
    ----------
    x
        ``(n,)`` or ``(n, k)`` signal.
    cutoff_hz
        -3 dB frequency of one pass, Hz, well below ``SLOW_RATE_HZ / 2``.
    sampling_rate_hz
        Sampling rate of ``x``.
    order
        Butterworth order of one pass.

    Returns
    -------
    numpy.ndarray
        ``(k, n)``, channel-major (``k = 1`` for a 1-D ``x``); each row is
        contiguous (the array may be a view of longer rows).
    """
    return slow_lowpass_and_means(x, cutoff_hz, sampling_rate_hz, order=order)[0]


def slow_lowpass_and_means(
    x: NDArray[np.floating] | FloatArray,
    cutoff_hz: float,
    sampling_rate_hz: float,
    *,
    order: int = 2,
) -> tuple[FloatArray, tuple[int, FloatArray] | None]:
    """:func:`slow_lowpass_channels`, and the block means it took of ``x``.

    The second item is ``(block, means)``: ``block_means(x, block, n // block)``
    (:func:`retrowalk.dsp.memory.block_means`, ``(n // block, k)``), for callers
    that need those means too; ``None`` when the filter ran at the full rate.
    """
    slow = _slow_blocks(x, cutoff_hz, sampling_rate_hz, order)
    if slow is None:
        return lowpass_channels(x, cutoff_hz, sampling_rate_hz, order=order), None
    rows, block, start, n, middle = slow
    return _drawn_back(rows, block)[:, start : start + n], (block, middle)


#: Block pairs drawn back at once by :func:`_drawn_back` (their samples: 1.3 MB at 20 Hz
#: from 100 Hz).
DRAWN_BACK_PAIRS = 1 << 15


def _drawn_back(rows: FloatArray, block: int) -> FloatArray:
    """Every sample between the block centres of ``rows`` (``(k, blocks)``), ``(k, (blocks - 1)
    block)``: ``(ends.reshape(-1, 2) @ _block_weights(block)).reshape(k, -1)`` of the
    ``(k, blocks - 1, 2)`` pairs ``ends`` of each block and the next.

    The same matrix product a part of about :data:`DRAWN_BACK_PAIRS` pairs at a
    time, straight into its rows of the result: each sample is the product of
    its own pair's row with the weights, the numbers of the whole product
    (checked bit for bit), and the part's pairs and samples stay in the
    processor's cache, where the whole product first zeroes an hour's 8.6 MB
    of samples and then writes them (an hour's three channels: 1.7-2.1 ->
    0.7 ms). No part is a single pair: numpy multiplies a lone row another way
    (as a vector), whose sums can differ in the last bit; a channel of one
    pair goes with the whole product.
    """
    k, m = rows.shape
    weights = _block_weights(block)
    if m < 3:
        ends = np.empty((k, max(m - 1, 0), 2))
        ends[..., 0], ends[..., 1] = rows[:, :-1], rows[:, 1:]  # np.stack's copies
        return (ends.reshape(-1, 2) @ weights).reshape(k, -1)
    size = max(DRAWN_BACK_PAIRS, 2)
    bounds = [*range(0, m - 1, size), m - 1]
    if len(bounds) > 2 and bounds[-1] - bounds[-2] < 2:
        del bounds[-2]  # the last pair joins the part before
    out = np.empty((k, (m - 1) * block))
    flat = out.reshape(-1, block)  # a row per pair: pair j of channel c is row c (m - 1) + j
    ends = np.empty((min(size + 1, m - 1), 2))
    for c in range(k):
        for a, b in itertools.pairwise(bounds):
            pairs = ends[: b - a]
            pairs[:, 0], pairs[:, 1] = rows[c, a:b], rows[c, a + 1 : b + 1]
            np.matmul(pairs, weights, out=flat[c * (m - 1) + a : c * (m - 1) + b])
    return out


def slow_lowpass_at(
    x: NDArray[np.floating] | FloatArray,
    cutoff_hz: float,
    sampling_rate_hz: float,
    samples: NDArray[np.integer],
    *,
    order: int = 2,
) -> FloatArray:
    """``slow_lowpass_channels(x, ...)[:, samples]``, drawn back to those samples only.

    The block means are filtered as there, and each sample asked for is the
    same weighting of its two blocks (the same matrix product, on the rows of
    those blocks only: the numbers of the whole signal's, checked bit for bit
    on an hour and on random signals), not every sample of the signal.
    """
    return slow_lowpass_sampler(x, cutoff_hz, sampling_rate_hz, order=order)(samples)


def slow_lowpass_sampler(
    x: NDArray[np.floating] | FloatArray,
    cutoff_hz: float,
    sampling_rate_hz: float,
    *,
    order: int = 2,
) -> Callable[[NDArray[np.integer]], FloatArray]:
    """:func:`slow_lowpass_at` of ``x`` for sample sets asked one after another.

    The block means are taken and filtered once, on the first set asked (not
    at all when none is), and each set is drawn back from them: the numbers
    of :func:`slow_lowpass_at` for each set.
    """
    filtered: list[tuple[FloatArray, int, int, int, FloatArray] | None] = []
    full: list[FloatArray] = []

    def at_samples(samples: NDArray[np.integer]) -> FloatArray:
        if not filtered:
            filtered.append(_slow_blocks(x, cutoff_hz, sampling_rate_hz, order))
        slow = filtered[0]
        at = np.asarray(samples, dtype=np.int64)
        if slow is None:
            if not full:
                full.append(lowpass_channels(x, cutoff_hz, sampling_rate_hz, order=order))
            return full[0][:, at]
        rows, block, start, _, _ = slow
        b, j = np.divmod(at + start, block)  # sample i is extended sample pad + i
        ends = np.empty((rows.shape[0], b.size, 2))  # (k, samples, 2)
        ends[..., 0], ends[..., 1] = rows[:, b], rows[:, b + 1]  # np.stack's copies
        weights = _block_weights(block)
        filled = (ends.reshape(-1, 2) @ weights).reshape(rows.shape[0], at.size, block)
        return filled[:, np.arange(at.size), j]

    return at_samples


def _slow_blocks(
    x: NDArray[np.floating] | FloatArray, cutoff_hz: float, sampling_rate_hz: float, order: int
) -> tuple[FloatArray, int, int, int, FloatArray] | None:
    """The filtered block means of :func:`slow_lowpass_and_means` (``None``: at the full rate).

    Returns ``(rows, block, start, n, middle)``: the ``(k, blocks)`` filtered
    block means of the odd-extended signal, the block length, where sample 0
    of ``x`` falls in the drawn-back extended signal, the length of ``x`` and
    its own block means.
    """
    arr = np.asarray(x, dtype=np.float64)
    n = arr.shape[0]
    block = round(sampling_rate_hz / SLOW_RATE_HZ)
    pad = _design(cutoff_hz, sampling_rate_hz, order, None, n)[2]
    pad = -(-pad // max(block, 1)) * block  # whole blocks
    if block < 2 or n // block < MIN_SLOW_BLOCKS or not 2 * block <= pad < n:
        return None
    cols = arr.reshape(n, -1)
    left, right = _odd_ends(cols, pad)
    tail = np.concatenate((cols[n - n % block :], right))  # x's last part-block, then its end
    middle = block_means(cols, block, n // block)
    means = np.concatenate(
        [
            block_means(left, block, pad // block),
            middle,
            block_means(tail, block, tail.shape[0] // block),
        ]
    )  # the block means of the extended signal, x not copied
    slow = lowpass_channels(means, cutoff_hz, sampling_rate_hz / block, order=order, pad_samples=0)
    first = math.ceil((block - 1) / 2.0)  # the first sample after block 0's centre
    return slow, block, pad - first, n, middle


@lru_cache(maxsize=16)
def _block_weights(block: int) -> FloatArray:
    """``(2, block)``: the weights of a block's centre and the next one's on each sample between.

    Extended sample ``b * block + first + j`` lies ``(first - centre + j) / block``
    of the way from block ``b``'s centre to the next. Made once per block
    length (read-only: shared).
    """
    centre = (block - 1) / 2.0
    first = math.ceil(centre)
    later = (first - centre + np.arange(block)) / block
    weights = np.stack((1.0 - later, later))
    weights.flags.writeable = False
    return weights


_KERNEL_SECTIONS: dict[int, tuple[FloatArray, FloatArray, NDArray[np.complex128]]] = {}
"""Per designed (read-only, cached) sections: a writable copy and a complex one."""


def _kernel_sections(sos: FloatArray) -> tuple[FloatArray, FloatArray, NDArray[np.complex128]]:
    """``(sos, writable copy, complex copy)``: kept for the read-only sections of
    :func:`butter_lowpass_sos` (the same few, used over and over); others made anew."""
    kept = _KERNEL_SECTIONS.get(id(sos))
    if kept is not None and (kept[0] is sos or kept[1] is sos):
        return kept
    made = (sos, np.array(sos), np.array(sos, dtype=np.complex128))
    if not sos.flags.writeable and len(_KERNEL_SECTIONS) < 128:
        # by the designed sections and by their writable copy; the entry holds
        # both, so neither id is reused while it is kept
        _KERNEL_SECTIONS[id(sos)] = _KERNEL_SECTIONS[id(made[1])] = made
    return made


def _writable(sos: FloatArray) -> FloatArray:
    """``np.array(sos)``: sections scipy's compiled filter takes (it does not write them)."""
    return sos if sos.flags.writeable else _kernel_sections(sos)[1]


def _as_complex(sos: FloatArray) -> NDArray[np.complex128]:
    """``sos.astype(np.complex128)``, kept for the designed sections."""
    return _kernel_sections(sos)[2]


def _filtered_rows(
    kernel: Any, sos: FloatArray, zi: FloatArray, cols: FloatArray, padlen: int
) -> Iterator[tuple[int, FloatArray]]:
    """Forward-backward filtered channels of ``cols`` (``(n, k)``), a group of rows at a time.

    Yields ``(first channel, (channels, n) rows)``; the rows are views of
    buffers kept for the thread, valid until the next group is filtered (in this
    or any later call).
    """
    n = cols.shape[0]
    state = np.asarray(zi, dtype=np.float64)  # (sections, 2)
    first = 0
    samples = cols.shape[1] * (n + 2 * padlen)
    if cols.shape[1] >= 2 and REAL_SAMPLES < samples <= TOGETHER_SAMPLES:
        together = _filtered_together(kernel, sos, state, cols, padlen)
        if together is not None:
            yield from together
            return
    if cols.shape[1] >= 2 and samples > REAL_SAMPLES:  # two at a time, as one complex signal
        paired = _as_complex(sos)
        while first + 2 <= cols.shape[1]:
            rows = _filtered_pair(kernel, paired, state, cols[:, first : first + 2], padlen)
            if rows is None:
                break  # the rest the plain way
            yield first, rows
            first += 2
    if cols.shape[1] - first == 1 and n + 2 * padlen >= HALVES_SAMPLES and sos.shape[0] == 1:
        row = _filtered_halves(kernel, sos, state, cols[:, first], padlen)
        if row is not None:  # else the plain way
            yield first, row
            return
    per = max(min(GROUP_SAMPLES // (n + 2 * padlen), cols.shape[1] - first), 1)
    # Two buffers for all groups and calls: the forward pass, then its reversal
    # for the backward pass (fresh memory each time costs more than the copy).
    fwd, back = _scratch(per, n + 2 * padlen)
    for c0 in range(first, cols.shape[1], per):
        part = cols[:, c0 : c0 + per]
        rows = fwd[: part.shape[1]]
        rows[:, padlen : padlen + n] = part.T
        _fill_odd_ends(rows.T, padlen, n)
        kernel(sos, rows, _initial_state(state, rows[:, 0]))
        np.copyto(back[: part.shape[1]], rows[:, ::-1])
        rows = back[: part.shape[1]]
        kernel(sos, rows, _initial_state(state, rows[:, 0]))
        yield c0, rows[:, ::-1][:, padlen : padlen + n]


#: Samples (channels times extended length) up to which all channels of a signal are
#: filtered together (:func:`_filtered_together`): a few minutes of three channels at 100 Hz.
TOGETHER_SAMPLES = 1 << 16

#: Samples (channels times extended length) up to which all channels go as real rows, in
#: one call of the kernel per pass: on so few the complex pairs' set-up costs more than
#: they save (three channels of 759 samples: 74 -> 61 us a call).
REAL_SAMPLES = 1 << 12


def _filtered_together(
    kernel: Any, sos: FloatArray, state: FloatArray, cols: FloatArray, padlen: int
) -> list[tuple[int, FloatArray]] | None:
    """:func:`_filtered_rows` of all the ``k >= 2`` channels of a short ``cols`` at once.

    The channels are extended in one ``(k, n + 2 padlen)`` array, the pairs
    made complex rows of one array (:func:`_filtered_pair`'s signal, each pair
    filtered as there) and filtered in one call of the kernel per pass, an odd
    last channel on its own as in :func:`_filtered_rows`: the same numbers
    with a third of the calls. ``None`` when a pair's result has a zero or is
    not finite (then they go :func:`_filtered_rows`' way, which tells the
    pairs apart). The rows are views of the thread's buffers, as there.
    """
    n, k = cols.shape
    size = n + 2 * padlen
    pairs = k // 2
    used = k * size + (k * size) % 2  # complex numbers start on an even float
    if used + 2 * pairs * size > SCRATCH_SAMPLES:
        return None
    fwd, back = _scratch(1, SCRATCH_SAMPLES)
    ext = fwd[0, : k * size].reshape(k, size)
    ext[:, padlen : padlen + n] = cols.T
    _fill_odd_ends(ext.T, padlen, n)
    both = back[0, : 2 * pairs * size].reshape(pairs, size, 2)  # real, imaginary
    both[:, :, 0] = ext[0 : 2 * pairs : 2]
    both[:, :, 1] = ext[1 : 2 * pairs : 2]
    signal = both.view(np.complex128).reshape(pairs, size)
    paired = _as_complex(sos)
    kernel(paired, signal, _pairs_state(state, both[:, 0]))
    rev = fwd[0, used : used + 2 * pairs * size].reshape(pairs, size, 2)
    backwards = rev.view(np.complex128).reshape(pairs, size)
    np.copyto(backwards, signal[:, ::-1])
    kernel(paired, backwards, _pairs_state(state, rev[:, 0]))
    if not _exact(rev[:, padlen : padlen + n]):
        return None
    out = [(2 * i, rev[i, ::-1][padlen : padlen + n].T) for i in range(pairs)]
    if k % 2:  # the last channel alone, as a real row
        row = ext[k - 1 :]
        kernel(sos, row, _initial_state(state, row[:, 0]))
        alone = back[0, 2 * pairs * size : 2 * pairs * size + size].reshape(1, size)
        np.copyto(alone, row[:, ::-1])
        kernel(sos, alone, _initial_state(state, alone[:, 0]))
        out.append((k - 1, alone[:, ::-1][:, padlen : padlen + n]))
    return out


def _pairs_state(state: FloatArray, firsts: FloatArray) -> NDArray[np.complex128]:
    """``(pairs, sections, 2)`` complex kernel state of each pair's first values ``(pairs, 2)``."""
    # (pairs, sections, 2, [real, imaginary]) products, read as complex numbers
    products = state[None, :, :, None] * firsts[:, None, None, :]
    return products.view(np.complex128).reshape(firsts.shape[0], *state.shape)


def _filtered_pair(
    kernel: Any, sos: NDArray[np.complex128], state: FloatArray, part: FloatArray, padlen: int
) -> FloatArray | None:
    """:func:`_filtered_rows` of two channels ``part`` (``(n, 2)``) at once, or ``None``.

    The two are filtered as the real and imaginary parts of one complex
    signal, with the sections as complex numbers of zero imaginary part:
    scipy's compiled kernel then runs both channels' recursions side by side,
    for little more than the time of one. Every product and sum of a part is
    then the real filter's own (a product with the other part's zero
    imaginary coefficient only adds a zero) save that a zero may come out
    with the other sign; a zero added to anything else leaves the same sum,
    so a result without zeros (and finite) is the real filter's bit for bit.
    A result that has one is ``None``: those channels go the plain way.
    Returns the ``(2, n)`` rows, views of the pair's buffers.
    """
    n = part.shape[0]
    size = n + 2 * padlen
    fwd, back = _pair_scratch(size)
    both = fwd.view(np.float64).reshape(size, 2)  # sample-major: real, imaginary
    fwd.real[padlen : padlen + n] = part[:, 0]
    fwd.imag[padlen : padlen + n] = part[:, 1]
    _fill_odd_ends(both, padlen, n)
    kernel(sos, fwd[None, :], _pair_state(state, both[0]))
    np.copyto(back, fwd[::-1])
    backwards = back.view(np.float64).reshape(size, 2)
    kernel(sos, back[None, :], _pair_state(state, backwards[0]))
    if not _exact(backwards[padlen : padlen + n]):
        return None
    return backwards[::-1][padlen : padlen + n].T


#: Samples (extended length) from which one channel left alone, of a one-section filter, is
#: filtered as two halves side by side (:func:`_filtered_halves`).
HALVES_SAMPLES = 1 << 14


def _filtered_halves(
    kernel: Any, sos: FloatArray, state: FloatArray, x: FloatArray, padlen: int
) -> FloatArray | None:
    """:func:`_filtered_rows` of one long channel ``x`` as its two halves side by side, or ``None``.

    Each pass of the zero-phase filter runs the first half of its signal and
    the second half, with a stretch of both (:func:`_halves_overlap`), as one
    complex signal (:func:`_filtered_pair`'s: a complex pass over half the
    samples costs about 60 % of a real pass over all; a channel of an hour at
    100 Hz 4.95 -> 3.91 ms). The first half starts from the filter's own state; the
    second from the step-response state of its first sample, a guess whose
    error dies away within the stretch they share, where the two are
    compared: a section's state after a sample is worked out from that
    sample's input and output and the output before it (``z1 = b2 x - a2 y``,
    ``z0 = b1 x - a1 y + z1'``, scipy's recursion), so from the first two
    outputs in a row that are equal (and not zero) in both, the second half
    runs on from the first half's own state, and from there on gives the
    one-pass filter's numbers bit for bit: those are taken. Where no two
    agree within the stretch (the two runs of a low cut-off can stay a
    rounding or two apart for many times the time their difference takes to
    decay; NaN), the first half's run goes on over the rest of the signal as
    a real row (:func:`_halves_pass`). Where the result has a zero or is not
    finite (:func:`_exact`, as for a pair), ``None``: the channel goes the
    plain way. One section only (the state of more is not known from the
    outputs). Returns the ``(1, n)`` row.
    """
    n = x.shape[0]
    size = n + 2 * padlen
    half = (size + 1) // 2 + _halves_overlap(sos)
    if half >= size - 2 or half - padlen > n or size - half < padlen:
        return None  # the halves must meet inside the signal itself
    if half > SCRATCH_SAMPLES // 2:
        return None  # longer than the kept buffers: the plain way
    off = size - half  # where the second half starts in the extended signal
    fwd, back = _pair_scratch(half)
    # the odd extension (:func:`_odd_ends`, :func:`_fill_odd_ends`' numbers) in two halves
    left, right = _odd_ends(x, padlen)
    fwd.real[:padlen] = left
    fwd.real[padlen:] = x[: half - padlen]
    fwd.imag[: n + padlen - off] = x[off - padlen :]
    fwd.imag[n + padlen - off :] = right
    paired = _as_complex(sos)

    def tail() -> FloatArray:  # the extended signal after the first half
        return np.concatenate((x[half - padlen :], right))

    forward = _halves_pass(kernel, sos, paired, state, fwd, off, tail)
    # the backward pass: the forward pass reversed, in its two halves
    _reversed_into(back.real, off, size, *forward)
    _reversed_into(back.imag, 0, half, *forward)

    def back_tail() -> FloatArray:  # the forward pass reversed, after the first half
        values = np.empty(off)
        _reversed_into(values, 0, off, *forward)
        return values

    backward = _halves_pass(kernel, sos, paired, state, back, off, back_tail)
    # the kept samples in time order: kept sample t is backward-pass sample size - 1 - padlen - t
    out = np.empty((1, n))
    _reversed_into(out[0], padlen, padlen + n, *backward)
    return out if _exact(out) else None


_Run = tuple[int, FloatArray, FloatArray, int]
"""A pass of :func:`_filtered_halves`: sample ``i`` is ``first[i]`` before ``cut``, else
``second[i - base]``."""


def _halves_pass(
    kernel: Any,
    sos: FloatArray,
    paired: NDArray[np.complex128],
    state: FloatArray,
    run: NDArray[np.complex128],
    off: int,
    tail: Callable[[], FloatArray],
) -> _Run:
    """One pass of :func:`_filtered_halves` over the halves in ``run`` (filtered in place).

    The second half's run is taken from where the two agree (:func:`_agreeing`);
    where they do not, the first half's run goes on as a real row over the rest
    of the signal (``tail()``), from the state the kernel left (the first half's
    own): the plain pass's numbers, for a real pass over half the signal more.
    """
    half = run.shape[0]
    start = _pair_state(state, np.array([run.real[0], run.imag[0]]))
    kernel(paired, run[None, :], start)  # ``start`` becomes the state after the halves
    at = _agreeing(run, off, half)
    if at >= 0:
        return at + 1, run.real, run.imag, off
    rest = tail()
    kernel(sos, rest[None, :], np.ascontiguousarray(start.real))
    return half, run.real, rest, half


def _reversed_into(
    out: FloatArray, lo: int, hi: int, cut: int, first: FloatArray, second: FloatArray, base: int
) -> None:
    """``out[j]`` = sample ``hi - 1 - j`` of a pass (:data:`_Run`), for the samples ``lo:hi``."""
    mid = min(max(cut, lo), hi)
    out[: hi - mid] = second[mid - base : hi - base][::-1]
    out[hi - mid : hi - lo] = first[lo:mid][::-1]


def _halves_overlap(sos: FloatArray) -> int:
    """Samples each half of :func:`_filtered_halves` reaches past the middle.

    Four times the samples over which the section's slowest pole decays by
    1e-17, and 64 more: the stretch the halves share is eight of those
    lengths. The two runs of a pass agree bit for bit after 0.9 to 4.0 of them
    in an analysed tiled ipol-gait hour, both passes of every halved filter
    (the 0.25-Hz gravity at 20 Hz the slowest: 2,815 samples for 705), counted
    to the first sample where they agree twice in a row; the guess's error is
    below rounding after about one, but the two runs of a low cut-off can stay
    a rounding or two apart for a while after that.
    """
    a1, a2 = float(sos[0, 4]), float(sos[0, 5])
    disc = a1 * a1 - 4.0 * a2
    radius = (abs(a1) + math.sqrt(disc)) / 2.0 if disc >= 0 else math.sqrt(a2)
    if radius >= 1.0 or not math.isfinite(radius):
        return 1 << 62  # not a decaying filter: never halved
    if radius <= 1e-3:
        return 64
    return 4 * math.ceil(math.log(1e-17) / math.log(radius)) + 64


def _agreeing(run: NDArray[np.complex128], off: int, half: int) -> int:
    """The first extended sample ``j`` at which the first half's run (the real parts of
    ``run``) and the second's (the imaginary parts, from sample ``off``) give the same
    output, not zero, at ``j - 1`` and ``j``; ``-1`` where none does."""
    first = run.real[off:half]
    second = run.imag[: half - off]
    same = (first == second) & (first != 0)
    twice = np.flatnonzero(same[1:] & same[:-1])
    return off + 1 + int(twice[0]) if twice.size else -1


def _fill_odd_ends(ext: FloatArray, padlen: int, n: int) -> None:
    """Write the odd extension of ``ext[padlen : padlen + n]`` (axis 0) into ``ext``'s
    ``padlen`` samples before and after it, as scipy.signal's odd_ext (:func:`_odd_ends`)."""
    if padlen > 0:
        np.subtract(2 * ext[padlen], ext[2 * padlen : padlen : -1], out=ext[:padlen])
        np.subtract(
            2 * ext[padlen + n - 1], ext[padlen + n - 2 : n - 2 : -1], out=ext[padlen + n :]
        )


def _exact(kept: FloatArray) -> bool:
    """Whether a pair's complex-filtered result is the real filter's bit for bit
    (:func:`_filtered_pair`): no zero (a NaN counts as none, as in ndarray.all)
    and a finite sum.

    The zeros are looked for by counting (less set-up on a short result) or,
    from :data:`ALL_TEST_SAMPLES` on, by ``logical_and.reduce`` (ndarray.all
    without its wrapper: half the time of counting on a long result); both
    say whether any value is zero.
    """
    if kept.size < ALL_TEST_SAMPLES:
        no_zero = np.count_nonzero(kept) == kept.size
    else:
        no_zero = bool(np.logical_and.reduce(kept, axis=None))
    return no_zero and math.isfinite(float(np.add.reduce(kept, None)))


#: Results from which :func:`_exact` looks for zeros with ``logical_and.reduce``.
ALL_TEST_SAMPLES = 4096


def _pair_state(state: FloatArray, first: FloatArray) -> NDArray[np.complex128]:
    """``(1, sections, 2)`` complex kernel state: the step response times each first value."""
    # (sections, 2, [real, imaginary]) products, read as complex numbers
    return (state[:, :, None] * first).view(np.complex128).reshape(1, *state.shape)


def _pair_scratch(size: int) -> tuple[NDArray[np.complex128], NDArray[np.complex128]]:
    """Two complex buffers of ``size`` samples (the kept float buffers when they fit)."""
    if 2 * size > SCRATCH_SAMPLES:
        return np.empty(size, dtype=np.complex128), np.empty(size, dtype=np.complex128)
    fwd, back = _scratch(1, 2 * size)
    return fwd[0].view(np.complex128), back[0].view(np.complex128)


_SCRATCH = threading.local()
#: Samples of each of the two buffers kept per thread (8 MB each, their pages touched only
#: as used): an hour at 100 Hz filtered two channels at once (a complex pair, twice the
#: samples) fits, so its forward and backward passes do not fault in fresh memory each call.
SCRATCH_SAMPLES = 1 << 20  # longer buffers are not kept


def _scratch(rows: int, cols: int) -> tuple[FloatArray, FloatArray]:
    """Two ``(rows, cols)`` buffers, kept per thread between calls when short enough."""
    size = rows * cols
    if size > SCRATCH_SAMPLES:
        return np.empty((rows, cols)), np.empty((rows, cols))
    flat = getattr(_SCRATCH, "flat", None)
    if flat is None:
        flat = _SCRATCH.flat = np.empty((2, SCRATCH_SAMPLES))
    return flat[0, :size].reshape(rows, cols), flat[1, :size].reshape(rows, cols)


def _odd_ext(x: FloatArray, padlen: int) -> FloatArray:
    """``x`` extended by ``padlen`` samples of its odd reflection at each end (axis 0)."""
    if padlen <= 0:
        return x
    left, right = _odd_ends(x, padlen)
    return np.concatenate((left, x, right), axis=0)


def _odd_ends(x: FloatArray, padlen: int) -> tuple[FloatArray, FloatArray]:
    """The ``padlen`` samples of ``x``'s odd reflection before its start and after its end."""
    return 2 * x[0:1] - x[padlen:0:-1], 2 * x[-1:] - x[-2 : -(padlen + 2) : -1]


def _initial_state(state: FloatArray, first: FloatArray) -> FloatArray:
    """``(channels, sections, 2)`` kernel state: the step response times each first value."""
    return np.ascontiguousarray(state[None, :, :] * first[:, None, None])


def _sosfiltfilt_public(
    sos: FloatArray, zi: FloatArray, ext: FloatArray, padlen: int
) -> FloatArray:
    """The forward-backward pass through ``scipy.signal.sosfilt`` (any shape)."""
    from scipy import signal

    state = zi.reshape((sos.shape[0], 2) + (1,) * (ext.ndim - 1))
    y, _ = signal.sosfilt(sos, ext, axis=0, zi=state * ext[0:1])
    y, _ = signal.sosfilt(sos, y[::-1], axis=0, zi=state * y[-1:])
    y = y[::-1]
    if padlen > 0:
        y = y[padlen:-padlen]
    return np.asarray(y, dtype=np.float64)
