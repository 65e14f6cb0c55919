"""Per-stride phase correlation of vertical and horizontal acceleration: the step evidence.

Stride windows around each initial contact, the circular cross-correlation
``c(tau)`` of ``v`` and ``h`` per window, its time-odd / time-even parts, and
the time-arrow features ``o . e_bar``. See :mod:`retrowalk.gait.direction`.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, replace

import numpy as np

from retrowalk.dsp.frame import BodyFrame
from retrowalk.dsp.frame import horizontal_basis as _horizontal_basis
from retrowalk.dsp.memory import empty_samples, release
from retrowalk.dsp.rows import row_norm

STRIDE_POINTS = 64
"""Samples per resampled stride window; lags are in units of 1/64 stride."""

MAX_HARMONIC = 6
"""Highest harmonic of the stride frequency kept in the phase features."""

MIN_STRIDE_S = 0.4
MAX_STRIDE_S = 4.0
"""Plausible stride durations (2 steps). Slow backward walking has ~60 steps/min
(stride 2 s); windows outside this range are not used."""

MAX_TURN_RATE_RADS = 0.35
"""Steps turning faster than this on average (20 deg/s; a U-turn runs at 1-2 rad/s,
straight walking averages ~0 over a stride) are not used as direction evidence."""

DEFAULT_LAGS = np.arange(1, STRIDE_POINTS // 2, 2)


# ------------------------------------------------------------------ step windows


@dataclass(frozen=True)
class StepWindows:
    """One stride window per initial contact that has enough neighbours.

    Attributes
    ----------
    step_index
        Index into the sorted initial contacts of each window's step.
    bout_index
        Index of the bout (in the list passed in) each window belongs to.
    start, end
        Window limits in samples: from the contact before to the contact after
        the step (shifted inwards at the ends of a bout).
    """

    step_index: np.ndarray
    bout_index: np.ndarray
    start: np.ndarray
    end: np.ndarray


def assign_steps(
    bouts: list[tuple[int, int]], ic_samples: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Sorted contacts and the bout each lies in (``-1`` outside all bouts).

    A contact belongs to bout ``[start, end]`` when ``start <= ic <= end``; with
    touching bouts the later one wins.
    """
    ic = np.asarray(ic_samples, dtype=np.int64).ravel()
    # sorted without repeats already (as usual): np.unique's array, without its sort
    ic = ic.copy() if ic.size > 1 and bool((ic[1:] > ic[:-1]).all()) else np.unique(ic)
    owner = np.full(ic.shape, -1, dtype=np.int64)
    if not bouts:
        return ic, owner
    # ic is sorted: each bout's contacts are a run, found for all bouts in two searches
    ends = np.asarray(bouts).reshape(-1, 2)
    first = ic.searchsorted(ends[:, 0], "left").tolist()
    after = ic.searchsorted(ends[:, 1], "right").tolist()
    for b, (lo, hi) in enumerate(zip(first, after, strict=True)):
        owner[lo:hi] = b
    return ic, owner


def members_of(owner: np.ndarray, n: int) -> list[np.ndarray]:
    """``np.flatnonzero(owner == b)`` for every ``b`` in ``range(n)``, in one sort.

    A stable sort keeps each bout's steps in order, so the arrays are the same;
    the time is that of the sort, not of ``n`` passes over all steps.
    """
    order = owner.argsort(kind="stable")
    edges = owner[order].searchsorted(np.arange(n + 1), "left")
    return [order[edges[b] : edges[b + 1]] for b in range(n)]


def step_windows(
    ic: np.ndarray, owner: np.ndarray, sampling_rate_hz: float, n_samples: int
) -> StepWindows:
    """Stride windows ``[ic[k-1], ic[k+1]]`` for every step of every bout.

    The first and last step of a bout use the nearest complete window inside the
    bout. Windows with an implausible duration (:data:`MIN_STRIDE_S`,
    :data:`MAX_STRIDE_S`), e.g. across a missed contact, are dropped. Other
    spans (a robust local stride centred on the step, two strides) and windows
    averaged with their neighbours were measured against a contact that is off
    and rejected: :mod:`retrowalk.gait.direction.travel`.
    """
    idx = np.arange(ic.size)
    if ic.size < 3:
        empty = np.zeros(0, dtype=np.int64)
        return StepWindows(empty, empty, empty, empty)
    # Position of each step within its bout and the bout's number of steps.
    change = np.empty(owner.size, dtype=bool)
    change[:1] = True
    np.not_equal(owner[1:], owner[:-1], out=change[1:])
    run_id = change.cumsum() - 1
    run_start = idx[change]
    run_end = np.concatenate((run_start, [ic.size]))  # np.append's
    run_len = run_end[1:] - run_end[:-1]
    pos = idx - run_start[run_id]
    n_in = run_len[run_id]
    ok = (owner >= 0) & (n_in >= 3)
    # np.clip's integers, as np.minimum(np.maximum(...)) without its per-call cost
    centre = np.minimum(np.maximum(pos, 1), n_in - 2) + run_start[run_id]
    lo = np.minimum(np.maximum(centre - 1, 0), ic.size - 1)
    hi = np.minimum(np.maximum(centre + 1, 0), ic.size - 1)
    start, end = ic[lo], ic[hi]
    dur = (end - start) / sampling_rate_hz
    ok &= (dur >= MIN_STRIDE_S) & (dur <= MAX_STRIDE_S) & (start >= 0) & (end < n_samples)
    return StepWindows(idx[ok], owner[ok], start[ok], end[ok])


def resample_windows(x: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """``(k, STRIDE_POINTS, c)``: ``x`` linearly interpolated on each window.

    The grid covers ``[start, end)`` without its end point, so the window is
    treated as one period of the stride cycle.
    """
    frac = np.arange(STRIDE_POINTS) / STRIDE_POINTS
    pos = start[:, None] + (end - start)[:, None] * frac[None, :]
    i0 = np.clip(np.floor(pos).astype(np.int64), 0, x.shape[0] - 2)
    f = (pos - i0)[..., None]
    return x[i0] * (1.0 - f) + x[i0 + 1] * f


def horizontal_device(frame: BodyFrame) -> np.ndarray:
    """``(n, 3)`` horizontal acceleration in device axes (``acc`` minus its vertical part).

    The 2-D horizontal signal of :class:`~retrowalk.dsp.frame.BodyFrame` is embedded
    back into device axes with the same basis :func:`retrowalk.dsp.frame.body_frame`
    used, so vectors taken from it are comparable across bouts and recordings
    (a dot product of two of them does not depend on any basis choice).
    """
    e1, e2 = _horizontal_basis(frame.up_unit)
    h = frame.acc_horizontal_mps2
    return h[:, :1] * e1 + h[:, 1:2] * e2


def phase_correlation(frame: BodyFrame, windows: StepWindows) -> np.ndarray:
    """Normalised circular cross-correlation ``c(tau)`` of ``v`` and ``h`` per window.

    Returns
    -------
    ``(k, STRIDE_POINTS, 3)`` array in device axes; ``c[k, tau] = <v(t) h(t + tau)>``
    over the window, divided by ``std(v) * rms|h|`` so it is dimensionless
    (amplitudes change with speed, person and placement; the phase relation much
    less). ``c`` lies in the horizontal plane and turns with the device.

    Notes
    -----
    Only harmonics 1 to :data:`MAX_HARMONIC` of the stride are kept (the mean,
    harmonic 0, is left out), so ``c`` and both amplitudes are worked out from
    those few Fourier coefficients: ``c`` as a sum of cosines and sines (one
    matrix product, :func:`_harmonic_waves`), the amplitudes by Parseval's
    theorem. The horizontal acceleration is correlated in the frame's two
    horizontal axes and turned into device axes with the basis at the middle
    of the window (the basis follows gravity, which hardly turns within one
    stride). The array returned is a view of ``(k, 3, STRIDE_POINTS)`` rows.
    """
    device = _phase_harmonics(frame, windows)
    corr = device.reshape(-1, device.shape[-1]) @ _harmonic_waves()
    return corr.reshape(windows.start.size, 3, STRIDE_POINTS).transpose(0, 2, 1)


def _phase_harmonics(frame: BodyFrame, windows: StepWindows) -> np.ndarray:
    """``(k, 3, 2 MAX_HARMONIC)``: the kept harmonics of :func:`phase_correlation`'s ``c``.

    Per window and device axis, the real parts of the normalised cross
    spectrum at harmonics 1 to :data:`MAX_HARMONIC`, then the imaginary parts
    (the coefficients :func:`_harmonic_waves` turns into ``c(tau)``).
    """
    start, end = windows.start, windows.end
    n = frame.n_samples
    k = start.size
    frac = np.arange(STRIDE_POINTS) / STRIDE_POINTS
    inside = k == 0 or (
        min(int(start.min()), int(end.min())) >= 0
        and int(start.max()) <= n - 2
        and int(end.max()) <= n - 1
    )
    h = frame.acc_horizontal_mps2
    signals = (frame.acc_vertical_mps2, h[:, 0], h[:, 1])
    seg = np.empty((3, k, STRIDE_POINTS))
    # Every step below is per grid point, worked :data:`GRID_WINDOWS` windows at
    # a time so the temporaries stay in the processor's cache (the numbers of
    # whole arrays); the FFT then takes all windows at once, as before.
    rows = max(min(GRID_WINDOWS, k), 1)
    pos_buf = np.empty((rows, STRIDE_POINTS))
    g_buf = np.empty_like(pos_buf)
    taken_buf = np.empty_like(pos_buf)
    i0_buf = np.empty((rows, STRIDE_POINTS), dtype=np.int64)
    span = end - start
    for b0 in range(0, k, rows):
        b1 = min(b0 + rows, k)
        m = b1 - b0
        # start + (end - start) frac
        pos = np.multiply(span[b0:b1, None], frac[None, :], out=pos_buf[:m])
        pos += start[b0:b1, None]
        # truncated, then clipped at 0: the floor's indices (they differ below 0 only)
        i0 = i0_buf[:m]
        np.copyto(i0, pos, casting="unsafe")  # pos.astype(np.int64)'s integers
        if not inside:
            np.maximum(i0, 0, out=i0)  # np.clip(i0, 0, n - 2)'s integers
            np.minimum(i0, n - 2, out=i0)
        # else nothing to clip: each window's grid lies between its start and
        # end (whole numbers plus multiples of 1/64, exact) short of the end, so
        # i0 stays within [0, n - 2]
        f = np.subtract(pos, i0, out=pos)
        g = np.subtract(1.0, f, out=g_buf[:m])
        # one buffer for every gather (the indices lie inside already: "clip"
        # gathers straight into it, where "raise" would gather into a copy first)
        taken = taken_buf[:m]
        for c, x in enumerate(signals):
            out = seg[c, b0:b1]
            np.multiply(x.take(i0, out=taken, mode="clip"), g, out=out)
            x[1:].take(i0, out=taken, mode="clip")  # the samples after: x[i0 + 1]
            taken *= f
            out += taken
    # the kept harmonics only, as one matrix product (the real parts, then the
    # imaginary): (3, k, 2 harmonics)
    spec = (seg.reshape(-1, STRIDE_POINTS) @ _dft_rows()).reshape(3, k, 2 * MAX_HARMONIC)
    re, im = spec[..., :MAX_HARMONIC], spec[..., MAX_HARMONIC:]
    # Parseval: a window's mean square is 2 sum |X_h|^2 / N^2 over the harmonics kept
    power = re**2 + im**2
    sv = np.sqrt(2.0 * power[0].sum(axis=-1)) / STRIDE_POINTS
    sh = np.sqrt(2.0 * (power[1] + power[2]).sum(axis=-1)) / STRIDE_POINTS
    # conj(X_v) X_h over the amplitudes, as numpy's complex arithmetic works it
    # (a complex quotient by a real number is a product with its reciprocal)
    scale = (1.0 / np.maximum(sv * sh, 1e-12))[None, :, None]
    coef = np.empty((2, k, 2 * MAX_HARMONIC))  # (2, k, 2 harmonics)
    np.multiply(re[:1] * re[1:] + im[:1] * im[1:], scale, out=coef[..., :MAX_HARMONIC])
    np.multiply(re[:1] * im[1:] - im[:1] * re[1:], scale, out=coef[..., MAX_HARMONIC:])
    e_mid, f_mid = frame.horizontal_basis_at((start + end) // 2)
    device = coef[0][:, None, :] * e_mid.T[:, :, None]
    device += coef[1][:, None, :] * f_mid.T[:, :, None]  # (k, 3, 2 harmonics)
    return device


#: Stride windows resampled at once by :func:`_phase_harmonics` (its temporaries:
#: 64 KB each).
GRID_WINDOWS = 128


@functools.cache
def _dft_rows() -> np.ndarray:
    """``(STRIDE_POINTS, 2 MAX_HARMONIC)``: a window times it is its DFT at harmonics 1 to
    :data:`MAX_HARMONIC`, the real parts (cosines), then the imaginary (minus the sines).

    ``np.fft.rfft(x)[1 : MAX_HARMONIC + 1]`` of each window to rounding (the
    transform's other bins are never used; one matrix product of all windows
    costs about a third of the FFT).
    """
    harmonic = np.arange(1, MAX_HARMONIC + 1)[None, :]
    # h t mod N: the angle reduced exactly before the cosine, as the FFT's twiddles are
    turns = (harmonic * np.arange(STRIDE_POINTS)[:, None]) % STRIDE_POINTS
    angle = 2.0 * np.pi * turns / STRIDE_POINTS
    rows = np.concatenate([np.cos(angle), -np.sin(angle)], axis=1)
    rows.flags.writeable = False  # shared
    return rows


@functools.cache
def _harmonic_waves() -> np.ndarray:
    """``(2 MAX_HARMONIC, STRIDE_POINTS)``: turns the kept harmonics of ``c`` into ``c(tau)``.

    The inverse FFT of coefficients ``Y_1 .. Y_H`` (all others zero) at ``tau``
    is ``2 / N sum_h (Re Y_h cos(2 pi h tau / N) - Im Y_h sin(2 pi h tau / N))``;
    one more ``1 / N`` makes the cross spectrum a mean over the window. The
    rows are the cosines (for the real parts), then the sines (the imaginary).
    """
    harmonic = np.arange(1, MAX_HARMONIC + 1)[:, None]
    angle = 2.0 * np.pi * harmonic * np.arange(STRIDE_POINTS)[None, :] / STRIDE_POINTS
    waves = 2.0 / STRIDE_POINTS**2 * np.concatenate([np.cos(angle), -np.sin(angle)])
    waves.flags.writeable = False  # shared
    return waves


def odd_even_parts(c: np.ndarray, lags: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Time-odd ``c(tau) - c(-tau)`` and time-even ``c(tau) + c(-tau)`` at ``lags``."""
    plus = c[:, lags]
    minus = c[:, (STRIDE_POINTS - lags) % STRIDE_POINTS]
    return plus - minus, plus + minus


def phase_odd_even(
    frame: BodyFrame, windows: StepWindows, lags: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`odd_even_parts` of :func:`phase_correlation`, straight from its harmonics.

    A cosine is even in ``tau`` and a sine odd, so the time-odd part is twice
    the sine terms of ``c`` and the time-even part twice the cosine terms
    (:func:`_harmonic_waves`): ``c`` is never drawn at every lag. Returns
    ``(k, n_lags, 3)`` arrays.
    """
    device = _phase_harmonics(frame, windows).reshape(-1, 2 * MAX_HARMONIC)
    waves = 2.0 * _harmonic_waves()[:, lags]
    shape = (windows.start.size, 3, lags.size)
    odd = (device[:, MAX_HARMONIC:] @ waves[MAX_HARMONIC:]).reshape(shape)  # sines
    even = (device[:, :MAX_HARMONIC] @ waves[:MAX_HARMONIC]).reshape(shape)  # cosines
    return (
        np.ascontiguousarray(odd.transpose(0, 2, 1)),
        np.ascontiguousarray(even.transpose(0, 2, 1)),
    )


def _unit_ups(ups: np.ndarray) -> np.ndarray:
    # np.linalg.norm(ups, axis=1, keepdims=True)'s numbers
    return ups / np.maximum(row_norm(ups)[:, None], 1e-12)


def bout_ups(frame: BodyFrame, bouts: list[tuple[int, int]]) -> np.ndarray:
    """``(n_bouts, 3)`` mean ``up`` direction in device axes of each bout."""
    ups = np.zeros((len(bouts), 3))  # np.tile([0.0, 0.0, 1.0], (len(bouts), 1))'s rows
    ups[:, 2] = 1.0
    segments = [frame.up_unit[max(start, 0) : max(end, start + 1)] for start, end in bouts]
    # one vector of ones for all bouts, its start taken for each (the same product)
    ones = np.ones(max((seg.shape[0] for seg in segments), default=0))
    for b, seg in enumerate(segments):
        if seg.size:
            ups[b] = ones[: seg.shape[0]] @ seg  # the sum: only its direction is kept
    return _unit_ups(ups)


# ----------------------------------------------------------------- step evidence


@dataclass(frozen=True)
class StepEvidence:
    """Everything the classifier needs about the steps of a set of bouts.

    Sample indices are absolute, so evidence computed on separate pieces of a
    long recording (each with its own :class:`BodyFrame`) can be concatenated
    with :meth:`concat` and decided jointly.

    Attributes
    ----------
    ic, owner
        Sorted contacts and the bout of each (``-1``: outside all bouts).
    windows
        Stride windows of the usable steps.
    odd, even
        ``(k, n_lags, 3)`` time-odd and time-even parts of ``c(tau)`` in device axes.
    turning
        ``(k,)`` steps taken while turning (mean yaw rate above the limit); they
        are not used as evidence.
    bout_up
        ``(n_bouts, 3)`` mean up direction of each bout in device axes.
    window_up
        ``(k, 3)`` up direction at the middle of each stride window (a device
        being put in place or moved shows as a window far from its bout's
        posture; the up direction is a 0.25 Hz low-pass, so its middle stands
        for the whole window).
    """

    ic: np.ndarray
    owner: np.ndarray
    windows: StepWindows
    odd: np.ndarray
    even: np.ndarray
    turning: np.ndarray
    bout_up: np.ndarray
    window_up: np.ndarray

    @classmethod
    def concat(cls, parts: list[StepEvidence], *, file_backed: bool = False) -> StepEvidence:
        """Evidence of disjoint, time-ordered bout sets as one (bout indices renumbered).

        With ``file_backed`` (a long recording) the per-step phase vectors, most
        of the evidence, are put in temporary files and handed back to the
        system as written (:mod:`retrowalk.dsp.memory`), so they take no memory
        while the body anchors are estimated, only once they are read again.
        """
        if len(parts) == 1 and not file_backed:
            return parts[0]  # numbered from 0 already: the same arrays, not copies of them
        n_ic = n_bouts = 0
        fields: dict[str, list[np.ndarray]] = defaultdict(list)
        for p in parts:
            fields["ic"].append(p.ic)
            fields["owner"].append(np.where(p.owner >= 0, p.owner + n_bouts, -1))
            w = p.windows
            fields["step"].append(w.step_index + n_ic)
            fields["bout"].append(w.bout_index + n_bouts)
            fields["start"].append(w.start)
            fields["end"].append(w.end)
            for name in ("odd", "even", "turning", "bout_up", "window_up"):
                fields[name].append(getattr(p, name))
            n_ic += p.ic.size
            n_bouts += p.bout_up.shape[0]
        if not parts:
            return _empty_evidence(0, np.zeros(0, dtype=np.int64), DEFAULT_LAGS.size)
        cat = {
            k: _joined(v) if file_backed and k in ("odd", "even") else np.concatenate(v)
            for k, v in fields.items()
        }
        windows = StepWindows(cat["step"], cat["bout"], cat["start"], cat["end"])
        return cls(
            cat["ic"], cat["owner"], windows, cat["odd"], cat["even"], cat["turning"],
            cat["bout_up"], cat["window_up"],
        )  # fmt: skip

    def in_files(self) -> StepEvidence:
        """The same evidence with its phase vectors in temporary files (see :meth:`concat`).

        A long recording's pieces are kept so while the rest of it is scanned.
        """
        return replace(self, odd=_joined([self.odd]), even=_joined([self.even]))

    def shifted(self, offset: int) -> StepEvidence:
        """The same evidence with every sample index moved by ``offset``."""
        w = self.windows
        moved = StepWindows(w.step_index, w.bout_index, w.start + offset, w.end + offset)
        return StepEvidence(
            self.ic + offset, self.owner, moved, self.odd, self.even, self.turning,
            self.bout_up, self.window_up,
        )  # fmt: skip


def _joined(pieces: list[np.ndarray]) -> np.ndarray:
    """``np.concatenate(pieces)`` of float64 arrays, into a temporary file, released as written."""
    out = empty_samples((sum(p.shape[0] for p in pieces), *pieces[0].shape[1:]), file_backed=True)
    at = 0
    for p in pieces:
        out[at : at + p.shape[0]] = p
        release(out, at, at + p.shape[0])
        release(p)  # a piece in a file: its pages read for the copy go back too
        at += p.shape[0]
    return out


def _empty_evidence(n_bouts: int, ic: np.ndarray, n_lags: int) -> StepEvidence:
    empty = np.zeros(0, dtype=np.int64)
    return StepEvidence(
        ic,
        np.full(ic.shape, -1, dtype=np.int64),
        StepWindows(empty, empty, empty, empty),
        np.zeros((0, n_lags, 3)),
        np.zeros((0, n_lags, 3)),
        np.zeros(0, dtype=bool),
        np.tile([0.0, 0.0, 1.0], (n_bouts, 1)),
        np.zeros((0, 3)),
    )


def step_evidence(
    frame: BodyFrame,
    bouts: list[tuple[int, int]],
    ic_samples: np.ndarray,
    lags: np.ndarray = DEFAULT_LAGS,
    max_turn_rate_rads: float | None = MAX_TURN_RATE_RADS,
) -> StepEvidence:
    """Per-step odd/even phase vectors for all bouts of one frame (vectorised)."""
    ic, owner = assign_steps(bouts, ic_samples)
    windows = step_windows(ic, owner, frame.sampling_rate_hz, frame.n_samples)
    ups = bout_ups(frame, bouts)
    if windows.step_index.size == 0:
        ev = _empty_evidence(len(bouts), ic, lags.size)
        return StepEvidence(ic, owner, ev.windows, ev.odd, ev.even, ev.turning, ups, ev.window_up)
    odd, even = phase_odd_even(frame, windows, lags)
    turning = np.zeros(windows.start.size, dtype=bool)
    if frame.gyro_vertical_rads is not None and max_turn_rate_rads is not None:
        cum = np.empty(frame.n_samples + 1)  # running sum, a leading zero
        cum[0] = 0.0
        frame.gyro_vertical_rads.cumsum(out=cum[1:])
        rate = (cum[windows.end] - cum[windows.start]) / (windows.end - windows.start)
        turning = np.abs(rate) > max_turn_rate_rads
    window_up = frame.up_unit[(windows.start + windows.end) // 2]
    return StepEvidence(ic, owner, windows, odd, even, turning, ups, window_up)


def _stretch_reference(values: np.ndarray, stretch: np.ndarray, use: np.ndarray) -> np.ndarray:
    """Mean of ``values`` over the used steps of each stretch, one row per step."""
    n = int(stretch.max()) + 1 if stretch.size else 0
    ref = np.zeros((n, *values.shape[1:]))
    np.add.at(ref, stretch[use], values[use])
    counts = np.bincount(stretch[use], minlength=n).clip(1)
    ref /= counts.reshape(-1, *([1] * (values.ndim - 1)))
    return ref[stretch]


def arrow_features(ev: StepEvidence, stretch_of_bout: np.ndarray) -> np.ndarray:
    """``(k, n_lags)``: ``o_k(tau) . e_bar(tau)``, the time-arrow features of each step."""
    if ev.odd.shape[0] == 0:
        return np.zeros((0, ev.odd.shape[1]))
    step_stretch = stretch_of_bout[ev.windows.bout_index]
    ref = _stretch_reference(ev.even, step_stretch, ~ev.turning)
    return np.einsum("kli,kli->kl", ev.odd, ref)
