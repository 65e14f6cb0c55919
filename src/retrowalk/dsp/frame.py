"""Gravity, a vertical/horizontal frame, and rotation-invariant signals.

A device can sit in any orientation, so everything downstream works on signals
that do not depend on it: the acceleration along gravity (vertical), the
horizontal acceleration in a basis that turns with the device only about the
vertical, and the angular rate split the same way.

Gravity is the low-frequency part of the measured specific force: a zero-phase
Butterworth low-pass (default 0.25 Hz) of the acceleration, normalised (worked
on 20 Hz block means, :func:`~retrowalk.dsp.filters.slow_lowpass_channels`). Within a
stride the dynamic accelerations average out, so the low-pass tracks posture
changes (sit, stand, phone moved) while leaving step-scale motion in the
dynamic part (Mathie et al. 2004, Physiol Meas 25:R1; Moe-Nilssen 1998, Clin
Biomech 13:320 for the tilt correction of trunk accelerometry).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from retrowalk.dsp.filters import slow_lowpass_and_means

__all__ = ["BodyFrame", "body_frame", "horizontal_basis", "horizontal_basis_rows"]


@dataclass(frozen=True)
class BodyFrame:
    """Rotation-invariant views of one recording (all arrays length n).

    Attributes
    ----------
    sampling_rate_hz
        Rate of every array.
    up_unit
        ``(n, 3)`` unit vector pointing up (against gravity) in device axes.
    acc_vertical_mps2
        Dynamic acceleration along ``up_unit`` (gravity removed), up positive.
    acc_horizontal_mps2
        ``(n, 2)`` acceleration in a horizontal basis; the basis is fixed to the
        device up to a rotation about the vertical, so only yaw-invariant
        quantities (norms, principal axes, phases) should be taken from it.
    gyro_vertical_rads
        Angular rate about the vertical (turning), or ``None`` without gyroscope.
    reference_axis
        The device axis least aligned with the mean ``up`` (0, 1 or 2), which
        fixes the horizontal basis (:func:`horizontal_basis`).
    gyro_horizontal_rads
        ``(n, 2)`` angular rate in the same horizontal basis, or ``None``
        (``gyro_horizontal``: the array, or a function that makes it).
    acc_block_means
        ``(block, means)``: the acceleration's means over whole blocks of
        ``block`` samples from the start (``(n // block, 3)``), as the gravity
        filter took them, or ``None`` (the filter ran at the full rate).
    """

    sampling_rate_hz: float
    up_unit: np.ndarray
    acc_vertical_mps2: np.ndarray
    acc_horizontal_mps2: np.ndarray
    gyro_vertical_rads: np.ndarray | None
    reference_axis: int
    gyro_horizontal: np.ndarray | Callable[[], np.ndarray] | None = field(
        default=None, repr=False, compare=False
    )
    acc_block_means: tuple[int, np.ndarray] | None = field(default=None, repr=False, compare=False)

    @property
    def n_samples(self) -> int:
        return int(self.acc_vertical_mps2.shape[0])

    def horizontal_basis_at(self, samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The horizontal basis at ``samples`` only: two ``(3, k)`` arrays.

        The numbers of :func:`horizontal_basis_rows` at those samples, without
        working out the basis of every sample.
        """
        u = np.ascontiguousarray(self.up_unit[samples].T)
        e, f = np.empty_like(u), np.empty_like(u)
        _basis_block(u, self.reference_axis, e, f, np.empty(u.shape[1]))
        return e, f

    @property
    def gyro_horizontal_rads(self) -> np.ndarray | None:
        """``(n, 2)`` angular rate in the horizontal basis, or ``None`` (worked out when asked).

        The trunk path never needs it, so :func:`body_frame` hands a recipe
        (``gyro_horizontal``) that runs on first use.
        """
        value = self.gyro_horizontal
        if callable(value):
            value = value()
            object.__setattr__(self, "gyro_horizontal", value)
        return value


def horizontal_basis(up: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two unit vectors per sample orthogonal to ``up`` and to each other.

    The reference device axis is the one least aligned with the mean ``up``, so
    the basis is continuous as long as the device does not tumble.

    The basis of a read-only ``up`` (a :class:`BodyFrame`'s ``up_unit``) is kept
    while that array lives, so the stages that need the basis again get it for
    free.
    """
    e_rows, f_rows = horizontal_basis_rows(up)
    cached = _BASIS_CACHE.get(id(up))
    if cached is not None and cached[0]() is up:
        if cached[3] is None:
            stacked = (np.ascontiguousarray(e_rows.T), np.ascontiguousarray(f_rows.T))
            _BASIS_CACHE[id(up)] = (cached[0], cached[1], cached[2], stacked)
            return stacked
        return cached[3]
    return np.ascontiguousarray(e_rows.T), np.ascontiguousarray(f_rows.T)


def horizontal_basis_rows(up: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`horizontal_basis` channel-major: two ``(3, n)`` arrays (the same numbers)."""
    cached = _BASIS_CACHE.get(id(up))
    if cached is not None and cached[0]() is up:
        return cached[1], cached[2]
    rows = np.ascontiguousarray(up.T)
    e_rows, f_rows = _basis_rows(rows, _reference_axis(rows))
    if not up.flags.writeable:
        _remember_basis(up, e_rows, f_rows)
    return e_rows, f_rows


def _remember_basis(up: np.ndarray, e_rows: np.ndarray, f_rows: np.ndarray) -> None:
    key = id(up)
    ref = weakref.ref(up, lambda _: _BASIS_CACHE.pop(key, None))
    _BASIS_CACHE[key] = (ref, e_rows, f_rows, None)


def _reference_axis(u: np.ndarray) -> int:
    """The device axis least aligned with the mean up, from ``(3, n)`` rows of ``up``.

    The rows' sums (each row contiguous, so every caller gets the same sums)
    stand for the mean.
    """
    return int(np.abs(u.sum(axis=1)).argmin())


def _basis_rows(u: np.ndarray, j: int) -> tuple[np.ndarray, np.ndarray]:
    """The basis of :func:`horizontal_basis` from the ``(3, n)`` rows of ``up``.

    Written out component by component (``ref - (up . ref) up`` with ``ref``
    the unit vector of the reference axis ``j``, then ``up x e1``): the same
    numbers as on whole rows, without numpy's loops over rows of three.
    Worked a block of samples at a time (:func:`_basis_block`), so the
    temporaries stay in the processor's cache.
    """
    n = u[0].shape[0]
    e = np.empty((3, n))
    f = np.empty((3, n))
    scratch = np.empty(min(n, BLOCK))
    for b0 in range(0, n, BLOCK):
        b1 = min(b0 + BLOCK, n)
        _basis_block([c[b0:b1] for c in u], j, e[:, b0:b1], f[:, b0:b1], scratch[: b1 - b0])
    return e, f


#: Samples worked at once by the body frame's per-sample arithmetic (every
#: operation there is per sample, so the block size does not change a number).
BLOCK = 16384


def _basis_block(
    u: list[np.ndarray] | np.ndarray, j: int, e: np.ndarray, f: np.ndarray, scratch: np.ndarray
) -> None:
    """:func:`_basis_rows` of one block of samples, written into ``e`` and ``f`` (``(3, m)``)."""
    np.negative(u[j], out=scratch)
    for k in range(3):
        np.multiply(u[k], scratch, out=e[k])
    e[j] += 1.0
    norm = e[0] * e[0]
    for k in (1, 2):
        norm += np.multiply(e[k], e[k], out=scratch)
    np.sqrt(norm, out=norm)
    e /= np.maximum(norm, 1e-12, out=norm)  # norm.clip(1e-12)'s numbers, without its wrapper
    for k, (a, b) in enumerate(((1, 2), (2, 0), (0, 1))):  # up x e1
        np.multiply(u[a], e[b], out=f[k])
        f[k] -= np.multiply(u[b], e[a], out=scratch)


def _row_dot(
    a: np.ndarray | list[np.ndarray],
    b: np.ndarray | list[np.ndarray],
    out: np.ndarray | None = None,
    scratch: np.ndarray | None = None,
) -> np.ndarray:
    """Per-sample dot product of two channel-major 3-vectors.

    The products are added as ``np.einsum("ij,ij->i")`` adds them on rows of
    three (first and third, then the second), so the numbers are those of the
    einsum on sample-major arrays. ``out`` and ``scratch`` (length ``n``) may
    be given to save allocations.
    """
    out = np.multiply(a[0], b[0], out=out)
    scratch = np.multiply(a[2], b[2], out=scratch)
    out += scratch
    out += np.multiply(a[1], b[1], out=scratch)
    return out


#: Horizontal bases of the read-only ``up`` arrays alive, by array id: the
#: weak reference, the channel-major basis and, once asked for, the sample-major one.
_BASIS_CACHE: dict[
    int,
    tuple[weakref.ref[np.ndarray], np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray] | None],
] = {}


def body_frame(
    acc_mps2: np.ndarray,
    gyro_rads: np.ndarray | None,
    sampling_rate_hz: float,
    *,
    gravity_cutoff_hz: float = 0.25,
) -> BodyFrame:
    """Split acceleration and angular rate into vertical and horizontal parts.

    Parameters
    ----------
    acc_mps2
        ``(n, 3)`` acceleration including gravity, any device orientation.
    gyro_rads
        ``(n, 3)`` angular rate on the same axes, or ``None``.
    sampling_rate_hz
        Sampling rate of both.
    gravity_cutoff_hz
        Low-pass cut-off that separates posture (gravity) from movement.

    Notes
    -----
    Worked out channel by channel (the filter gives channel-major rows), which
    gives the same numbers as the row-wise formulas and avoids numpy's slow
    loops over rows of three; the arrays handed out are sample-major.
    """
    acc = np.asarray(acc_mps2, dtype=np.float64)
    n = acc.shape[0]
    gyro = None if gyro_rads is None else np.asarray(gyro_rads, dtype=np.float64)
    # (3, n): gravity, then up
    u, acc_block_means = slow_lowpass_and_means(acc, gravity_cutoff_hz, sampling_rate_hz)
    # Every step below is per sample, worked a block of samples at a time so
    # the temporaries stay in cache; the numbers are those of whole arrays.
    # First up, in place: gravity / |gravity| (clipped), whose rows' sums give
    # the reference axis; then, in one pass over the blocks, everything taken
    # from the acceleration, whose block is copied channel-major once (its
    # columns read with a stride once, not twice).
    magnitude = np.empty(n)  # of the gravity estimate
    m = max(min(n, BLOCK), 1)
    scratch = np.empty(m)
    for b0 in range(0, n, BLOCK):
        b1 = min(b0 + BLOCK, n)
        ub, s = u[:, b0:b1], scratch[: b1 - b0]
        norm = np.multiply(ub[0], ub[0], out=magnitude[b0:b1])  # np.linalg.norm's order
        norm += np.multiply(ub[1], ub[1], out=s)
        norm += np.multiply(ub[2], ub[2], out=s)
        np.sqrt(norm, out=norm)
        ub /= np.maximum(norm, 1e-9, out=s)
    j = _reference_axis(u)
    # The horizontal components in the basis e = (x_j - u_j u) / |...|, f = u x e
    # (:func:`horizontal_basis`) without working the basis out: for a unit u,
    # acc . e = (acc_j - u_j (acc . u)) / s and acc . f = (acc x u)_j / s, with
    # s = sqrt(1 - u_j^2). Channel-major underneath: (n, 2) whose columns are
    # contiguous.
    j1, j2 = (j + 1) % 3, (j + 2) % 3
    vertical = np.empty(n)
    up = np.empty((n, 3))
    gyro_v = None if gyro is None else np.empty(n)
    horizontal_rows = np.empty((2, n))
    acc_rows = np.empty((3, m))
    for b0 in range(0, n, BLOCK):
        b1 = min(b0 + BLOCK, n)
        ub, s = u[:, b0:b1], scratch[: b1 - b0]
        a = acc_rows[:, : b1 - b0]
        np.copyto(a, acc[b0:b1].T)
        norm = magnitude[b0:b1]
        # Subtract the sensor's own gravity magnitude, not the standard value, so a
        # small calibration offset does not show up as a vertical acceleration.
        v = _row_dot(a, ub, vertical[b0:b1], s)
        v -= norm
        for k in range(3):  # a column at a time: faster than one transposed copy
            up[b0:b1, k] = ub[k]
        if gyro is not None and gyro_v is not None:
            w = gyro[b0:b1]
            _row_dot([w[:, 0], w[:, 1], w[:, 2]], ub, gyro_v[b0:b1], s)
        uj = ub[j]
        h1, h2 = horizontal_rows[0, b0:b1], horizontal_rows[1, b0:b1]
        np.add(v, norm, out=h1)  # acc . u
        h1 *= uj
        np.subtract(a[j], h1, out=h1)
        np.multiply(a[j1], ub[j2], out=h2)
        h2 -= np.multiply(a[j2], ub[j1], out=s)
        np.multiply(uj, uj, out=s)
        np.subtract(1.0, s, out=s)
        np.sqrt(np.maximum(s, 1e-24, out=s), out=s)  # |x_j - u_j u|, floored as the basis is
        h1 /= s
        h2 /= s
    up.flags.writeable = False  # shared: its horizontal basis is cached
    del scratch, magnitude, acc_rows
    horizontal = horizontal_rows.T
    gyro_h: Callable[[], np.ndarray] | None = None
    if gyro is not None:

        def gyro_h() -> np.ndarray:
            assert gyro is not None
            e, f = horizontal_basis_rows(up)
            w = [gyro[:, 0], gyro[:, 1], gyro[:, 2]]
            return np.stack([_row_dot(w, e), _row_dot(w, f)], axis=1)

    return BodyFrame(
        sampling_rate_hz=float(sampling_rate_hz),
        up_unit=up,
        acc_vertical_mps2=vertical,
        acc_horizontal_mps2=horizontal,
        gyro_vertical_rads=gyro_v,
        reference_axis=j,
        gyro_horizontal=gyro_h,
        acc_block_means=acc_block_means,
    )
