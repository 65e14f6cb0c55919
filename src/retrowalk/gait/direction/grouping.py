"""Constant-mounting stretches, the mounting cue and the change-point split.

Bouts are grouped into stretches of one device mounting (gravity direction in
device axes); within a stretch the principal axis of the steps' odd vectors
tells which bouts travel the same way, and a CUSUM split finds direction
changes inside a bout. See :mod:`retrowalk.gait.direction`.
"""

from __future__ import annotations

import numpy as np

from retrowalk.dsp.frame import BodyFrame
from retrowalk.dsp.rows import small_median
from retrowalk.gait.direction.features import bout_ups

# ------------------------------------------------------------------ stretches


def stretches_from_ups(ups: np.ndarray, max_tilt_change_deg: float = 30.0) -> np.ndarray:
    """Label consecutive bouts (mean ``up`` per bout) that share one mounting."""
    labels = np.zeros(len(ups), dtype=np.int64)
    cos_max = np.cos(np.deg2rad(max_tilt_change_deg))
    for b in range(1, len(ups)):
        labels[b] = labels[b - 1] + int(float(ups[b] @ ups[b - 1]) < cos_max)
    return labels


def mounting_stretches(
    frame: BodyFrame, bouts: list[tuple[int, int]], max_tilt_change_deg: float = 30.0
) -> np.ndarray:
    """Label consecutive bouts that share one mounting of the device.

    A device moved on the body (phone taken out and put back) shows as a jump of
    the gravity direction in device axes between bouts. Consecutive bouts whose
    mean ``up`` differs by less than ``max_tilt_change_deg`` share a stretch.
    A turn of the device about the vertical alone is not visible to gravity.
    """
    return stretches_from_ups(bout_ups(frame, bouts), max_tilt_change_deg)


def mounting_axis(odd: np.ndarray) -> np.ndarray:
    """Unit ``(n_lags, 3)`` principal direction of the steps' odd vectors.

    ``o_k`` of every step points (lag by lag) along the body's antero-posterior
    axis with the sign of the travel direction; forward and backward steps give
    opposite vectors, so the principal axis of ``sum o_k o_k^T`` is the same for
    both. Its overall sign is arbitrary (made positive on the majority of steps).
    """
    flat = odd.reshape(odd.shape[0], -1)
    if flat.shape[0] == 0:
        return np.zeros(odd.shape[1:])
    _, vecs = np.linalg.eigh(flat.T @ flat)
    axis = vecs[:, -1]
    if np.sum(np.sign(flat @ axis)) < 0:
        axis = -axis
    return axis.reshape(odd.shape[1:])


NOISE_FLOOR_FRACTION = 0.1
"""Smallest noise level :func:`robust_scale` returns, as a fraction of the RMS."""


def robust_scale(x: np.ndarray) -> float:
    """Noise level of a step sequence from successive differences (ignores level changes).

    A repeated stride window (the edge steps of a bout share their
    neighbour's) adds a zero difference and pulls the median down, so the
    result is kept at least :data:`NOISE_FLOOR_FRACTION` of the sequence's
    RMS: a few near-identical windows cannot make the noise collapse (it came
    out 1e-12 for a pocket run of 4 distinct windows, and its scores 1e12); one
    window is then at most about 10 noise units from zero. The classifier
    still passes the repeats (giving each window once raised the noise enough
    to lose a measured split). Where it fails: a stretch of a handful of
    windows estimates its noise poorly either way; the classifier bounds such
    bouts' confidence by their number of windows
    (:func:`~retrowalk.gait.direction.classifier.window_ceiling`).
    """
    x = x[np.isfinite(x)]
    if x.size == 0:
        return 1.0
    rms = float(np.sqrt(np.mean(x**2)))
    if x.size < 3:
        return rms if rms > 0 else 1.0
    scale = small_median(np.abs(x[1:] - x[:-1])) / 0.954
    return max(scale, NOISE_FLOOR_FRACTION * rms, 1e-12)


# ------------------------------------------------------------------- splitting


def find_direction_changes(
    score: np.ndarray, *, min_steps: int = 4, penalty: float = 10.0, clip: float = 1.0
) -> list[int]:
    """Indices where the sign of a step-score sequence changes for good.

    Binary segmentation with a CUSUM statistic: in a segment of ``n`` scores
    ``u`` (clipped to ``+-clip``), the split ``j`` maximising
    ``2 * |sum(u[:j]) - j / n * sum(u)|`` is accepted when that exceeds
    ``penalty`` and both parts have ``min_steps`` steps; then both parts are
    searched again. Clipping keeps one wild stride from creating a split; the
    penalty asks for several consistent steps on each side.
    """
    # np.clip's numbers, without its per-call cost
    u = np.minimum(np.maximum(np.asarray(score, dtype=np.float64), -clip), clip)
    cuts: list[int] = []

    def search(lo: int, hi: int) -> None:
        n = hi - lo
        if n < 2 * min_steps:
            return
        seg = u[lo:hi]
        j = np.arange(1, n)
        left = seg.cumsum()[:-1]  # np.cumsum's, without its dispatch
        # CUSUM: departure of the partial sums from a constant-mean line; twice it
        # equals the sign-disagreement gain for two opposite halves and also finds
        # the first change of a forward-backward-forward sequence.
        gain = 2.0 * np.abs(left - j * np.add.reduce(seg) / n)
        gain[(j < min_steps) | (n - j < min_steps)] = 0.0
        best = int(gain.argmax())
        if gain[best] < penalty:
            return
        cut = lo + best + 1
        cuts.append(cut)
        search(lo, cut)
        search(cut, hi)

    search(0, u.size)
    return sorted(cuts)


def find_direction_changes_many(
    scores: list[np.ndarray], *, min_steps: int = 4, penalty: float = 10.0, clip: float = 1.0
) -> list[list[int]]:
    """:func:`find_direction_changes` of each of many step-score sequences (one a bout).

    The first split search of every sequence is worked for all at once: the
    clipped scores as the rows of one array (zeros after each row's end),
    whose running sums along the rows are each row's own (a running sum
    along a row starts from its first value, as along the row alone), each
    row's total its own ``np.add.reduce`` of its scores, and the gains, with
    their first largest, a row's. A sequence whose first search splits it is
    searched again on its own, from the start, as are all when ``min_steps``
    is under 1 (a search of fewer than two scores: numpy's error).
    """
    sizes = np.array([np.asarray(s).size for s in scores], dtype=np.int64)
    out: list[list[int]] = [[] for _ in scores]
    if min_steps < 1:
        return [
            find_direction_changes(s, min_steps=min_steps, penalty=penalty, clip=clip)
            for s in scores
        ]
    rows = (sizes >= 2 * min_steps).nonzero()[0]
    if rows.size == 0:
        return out
    n = sizes[rows]
    width = int(n.max())
    u = np.zeros((rows.size, width))
    row_of = np.arange(rows.size).repeat(n)
    column = np.arange(row_of.size) - (n.cumsum() - n).repeat(n)
    u[row_of, column] = np.concatenate([np.asarray(scores[k], dtype=np.float64) for k in rows])
    np.minimum(np.maximum(u, -clip), clip, out=u)  # np.clip's numbers, as there
    total = np.array([np.add.reduce(row[:m]) for row, m in zip(u, n.tolist(), strict=True)])
    j = np.arange(1, width)
    left = u.cumsum(axis=1)[:, :-1]
    gain = 2.0 * np.abs(left - j * total[:, None] / n[:, None])
    gain[(j < min_steps) | (n[:, None] - j < min_steps)] = 0.0
    gain[j >= n[:, None]] = -1.0  # past a row's own scores: never the largest
    best = gain.argmax(axis=1)
    split = ~(gain[np.arange(rows.size), best] < penalty)
    for k in rows[split].tolist():
        out[k] = find_direction_changes(scores[k], min_steps=min_steps, penalty=penalty, clip=clip)
    return out
