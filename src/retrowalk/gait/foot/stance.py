"""Zero-velocity phases and stride segmentation of the foot analysis.

See :mod:`retrowalk.gait.foot` (steps 1-2) for the method and its sources. The
methods read the detector parameters of :class:`~retrowalk.gait.foot.FootGaitAnalyzer`.

Nothing here assumes a heel-first contact or a sign of the foot's rotation:
a rest is a moment when the foot is still (small angular rate and specific
force close to gravity) *and* not travelling (its velocity, integrated from
the rests around it, is close to zero); the swing is the part of a movement
where the foot travels fastest, whichever way it turns while doing so. Forward
strides (heel strike, roll onto the forefoot, push-off from the toe) and
backward strides (toe first, roll down onto the heel, leave from the heel)
are segmented by the same rules.
"""

from __future__ import annotations

from itertools import pairwise
from typing import NamedTuple

import numpy as np

from retrowalk.dsp.rows import true_runs
from retrowalk.gait.foot._math import (
    _moving_mean,
    _quat_conjugate,
    _quat_rotate,
    _strapdown,
    _unit,
)

#: Share of a movement's peak speed above which the foot counts as in the air
#: (the swing). In forward walking on ipol-gait the foot speed at toe-off and at
#: heel strike is a third or less of its mid-swing peak.
SWING_SPEED_SHARE = 0.5

#: Longest detected rest that may be a glide in the air rather than a rest:
#: a foot cannot travel at constant velocity without turning for longer.
MAX_GLIDE_S = 0.12

#: A short rest whose speed, integrated across it from the rests around it,
#: stays above this share of that movement's peak speed is a glide, not a rest.
GLIDE_SPEED_SHARE = 0.5

#: Longest stretch of rest samples used for the gravity estimate at a rest.
GRAVITY_REST_S = 0.2


class Segment(NamedTuple):
    """One stride found between two rests (sample indices)."""

    start: int
    end: int
    lobe_end: int
    rotation_deg: float
    gravity: np.ndarray


class StanceSegmentation:
    """Mixin: SHOE zero-velocity detection and strides as movements between rests."""

    zero_velocity_window_s: float
    zero_velocity_acc_threshold_mps2: float
    zero_velocity_threshold_rads: float
    min_stance_s: float
    min_stride_duration_s: float
    max_stride_duration_s: float
    min_swing_rotation_deg: float
    min_movement_rotation_deg: float
    min_lobe_rotation_deg: float
    contact_delay_s: float
    max_rest_speed_ratio: float

    def _zero_velocity(
        self, acc: np.ndarray, gyro: np.ndarray, fs: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """SHOE detector (Skog et al. 2010) with gamma = 1 after scaling.

        Returns the per-sample decision and the (scaled) test statistic.
        """
        width = max(round(self.zero_velocity_window_s * fs), 1)
        gyro_sq = np.einsum("ij,ij->i", gyro, gyro)
        # Gravity magnitude of this sensor: median |acc| over the quietest fifth.
        quiet = gyro_sq <= np.percentile(gyro_sq, 20)
        g_mag = float(np.median(np.linalg.norm(acc[quiet], axis=1)))
        direction = _unit(_moving_mean(acc, width))
        dev = acc - g_mag * direction
        acc_term = _moving_mean(np.einsum("ij,ij->i", dev, dev), width)
        gyro_term = _moving_mean(gyro_sq, width)
        stat = (
            acc_term / self.zero_velocity_acc_threshold_mps2**2
            + gyro_term / self.zero_velocity_threshold_rads**2
        )
        return stat < 1.0, stat

    # ------------------------------------------------------------------ #
    def _stride_segments(
        self,
        acc: np.ndarray,
        gyro: np.ndarray,
        pitch_rate: np.ndarray,
        still: np.ndarray,
        fs: float,
    ) -> list[Segment]:
        """Strides as movements between rests, with their swing lobes.

        1. Rests are runs of zero-velocity samples of at least ``min_stance_s``;
           a short one during which the integrated velocity stays high is a
           glide in the air, not a rest (:meth:`_true_rests`).
        2. A movement is split where its integrated speed drops close to zero
           between two swings (:meth:`_split_at_rests`): rests the detector
           missed (a loose strap, a brisk walker).
        3. Each piece's swing lobe is found by :meth:`_swing_lobe`. A piece
           without a swing lobe but with ``min_movement_rotation_deg`` of total
           rotation (a pivot during a turn, a short first or last step) is
           still a stride; its contact is put at the end of its swing lobe
           if that lobe turns the foot by at least ``min_lobe_rotation_deg``,
           else at the middle of the movement.
        """
        dt = 1.0 / fs
        min_rest = max(round(self.min_stance_s * fs), 1)
        min_len = round(self.min_stride_duration_s * fs)
        max_len = round(self.max_stride_duration_s * fs)
        r_starts, r_ends = true_runs(still)
        keep = (r_ends - r_starts) >= min_rest
        rests = self._true_rests(
            acc, gyro, list(zip(r_starts[keep].tolist(), r_ends[keep].tolist(), strict=True)), fs
        )
        # Lobes of either sign over the whole recording: start, end, rotation (deg), sign.
        cums = np.concatenate([[0.0], np.cumsum(np.abs(pitch_rate)) * dt])
        parts = []
        for sign in (1.0, -1.0):
            starts, ends = true_runs(sign * pitch_rate > 0)
            rot = np.degrees(cums[ends] - cums[starts])
            parts.append(np.column_stack([starts, ends, rot, np.full(starts.size, sign)]))
        lobes = np.vstack(parts)
        lobes = lobes[np.argsort(lobes[:, 0], kind="stable")]

        segments: list[Segment] = []
        for (s0, e0), (s1, _) in pairwise(rests):
            i0, i1 = e0 - 1, s1
            if i1 - i0 < min_len:
                continue
            f0 = self._rest_gravity(acc, s0, e0, fs)
            for a, b, gravity, speed in self._split_at_rests(acc, gyro, i0, i1, f0, fs, min_len):
                if not min_len <= b - a <= max_len:
                    continue
                lobe_end, rotation = self._swing_lobe(lobes, pitch_rate, a, b, speed)
                if rotation < self.min_swing_rotation_deg:
                    total = float(np.degrees(np.sum(np.abs(pitch_rate[a:b])) * dt))
                    if total < self.min_movement_rotation_deg:
                        continue
                    if rotation < self.min_lobe_rotation_deg:
                        lobe_end = (a + b) // 2 - round(self.contact_delay_s * fs)
                segments.append(Segment(a, b, lobe_end, rotation, gravity))
        return segments

    def _true_rests(
        self, acc: np.ndarray, gyro: np.ndarray, rests: list[tuple[int, int]], fs: float
    ) -> list[tuple[int, int]]:
        """Drop detected rests during which the foot is still travelling.

        The SHOE statistic is small whenever the foot moves at nearly constant
        velocity without turning. In mid-swing that can happen when the foot
        glides with its pitch turning round, which a toe-first (backward)
        swing may do: the foot tips toe-down, back, and toe-down again before
        the toe lands. Taking such a moment for a rest forces the velocity to
        zero in the air and cuts one stride into two short ones.

        A detected rest shorter than :data:`MAX_GLIDE_S` is therefore tested:
        the movement from the rest before it to the rest after it is
        integrated as one (linear drift removal, Mariani et al. 2010), and the
        rest is dropped when the foot's mean speed during it exceeds
        :data:`GLIDE_SPEED_SHARE` of that movement's peak speed. At a true
        rest the integrated speed is close to zero; in a glide it is close to
        the peak. Longer rests are never dropped: a foot does not travel
        without turning for that long, and a long integration would let one
        stride's orientation error decide about the next.
        """
        max_span = round(2 * self.max_stride_duration_s * fs)
        longest = round(MAX_GLIDE_S * fs)
        kept = []
        for k, (c0, c1) in enumerate(rests):
            if k == 0 or k == len(rests) - 1 or c1 - c0 > longest:
                kept.append(rests[k])
                continue
            (p0, p1), (n0, _) = rests[k - 1], rests[k + 1]
            i0, i1 = p1 - 1, n0
            if i1 - i0 > max_span:
                kept.append(rests[k])
                continue
            f0 = self._rest_gravity(acc, p0, p1, fs)
            _, vel = _strapdown(acc, gyro, i0, i1, f0, fs)
            speed = np.linalg.norm(vel, axis=1)
            ratio = float(speed[c0 - i0 : c1 - i0].mean()) / max(float(speed.max()), 1e-9)
            if ratio <= GLIDE_SPEED_SHARE:
                kept.append(rests[k])
        return kept

    @staticmethod
    def _rest_gravity(acc: np.ndarray, r0: int, r1: int, fs: float) -> np.ndarray:
        """Mean specific force over the last ``GRAVITY_REST_S`` of the rest ``[r0, r1)``."""
        return acc[max(r1 - round(GRAVITY_REST_S * fs), r0) : r1].mean(axis=0)

    def _split_at_rests(
        self,
        acc: np.ndarray,
        gyro: np.ndarray,
        i0: int,
        i1: int,
        f0: np.ndarray,
        fs: float,
        min_len: int,
    ) -> list[tuple[int, int, np.ndarray, np.ndarray]]:
        """Pieces ``(start, end, gravity, speed)`` of a movement, cut at missed rests.

        The movement is integrated from rest to rest; where its speed drops
        below ``max_rest_speed_ratio`` of its peak between two stretches above
        :data:`SWING_SPEED_SHARE` of the peak, the foot stood still for a
        moment the detector missed, and the movement is cut at the slowest
        sample (recursively). The gravity at the cut is the starting rest's
        gravity turned into the sensor axes at the cut.
        """
        q, vel = _strapdown(acc, gyro, i0, i1, f0, fs)
        speed = np.linalg.norm(vel, axis=1)
        peak = float(speed.max())
        fast = np.flatnonzero(speed > SWING_SPEED_SHARE * peak) if peak > 0 else np.zeros(0)
        if fast.size >= 2 and i1 - i0 >= 2 * min_len:
            lo, hi = int(fast[0]), int(fast[-1])
            cut = lo + int(np.argmin(speed[lo : hi + 1]))
            if speed[cut] < self.max_rest_speed_ratio * peak and min(cut, i1 - i0 - cut) >= min_len:
                g_cut = _quat_rotate(_quat_conjugate(q[cut : cut + 1]), f0[None, :])[0]
                return [
                    *self._split_at_rests(acc, gyro, i0, i0 + cut, f0, fs, min_len),
                    *self._split_at_rests(acc, gyro, i0 + cut, i1, g_cut, fs, min_len),
                ]
        return [(i0, i1, f0, speed)]

    def _swing_lobe(
        self, lobes: np.ndarray, pitch_rate: np.ndarray, a: int, b: int, speed: np.ndarray
    ) -> tuple[int, float]:
        """End sample and rotation of the swing lobe of the stride ``[a, b]``.

        The swing is where the foot travels fast (speed above
        :data:`SWING_SPEED_SHARE` of the stride's peak). Its sign is the sign
        of the foot's net pitch rotation there, weighted by the speed, so the
        mid-swing rotation decides it whatever its sign: toe-up in a forward
        swing, toe-down in a backward one (the push-off and the roll onto
        the foot happen while the foot is slow). The swing lobe is the
        largest lobe of that sign overlapping the swing; the foot meets the
        ground at the end of the last lobe of that sign in the swing (its
        extreme pitch before landing, heel or toe first), since a swing whose
        pitch turns round in the air has more than one. Returns the middle of
        the stride and 0 when no lobe overlaps the swing.
        """
        peak = float(speed.max()) if speed.size else 0.0
        fast = np.flatnonzero(speed > SWING_SPEED_SHARE * peak) if peak > 0 else np.zeros(0)
        if fast.size == 0:
            return (a + b) // 2, 0.0
        net = float(np.sum(pitch_rate[a + fast] * speed[fast]))
        sign = 1.0 if net >= 0 else -1.0
        lo, hi = a + int(fast[0]), a + int(fast[-1]) + 1
        inside = lobes[(lobes[:, 0] < hi) & (lobes[:, 1] > lo) & (lobes[:, 3] == sign)]
        inside = inside[(inside[:, 0] < b) & (inside[:, 1] > a + 1)]
        if inside.shape[0] == 0:
            return (a + b) // 2, 0.0
        lobe_end = min(int(inside[-1, 1]), b)
        return lobe_end, float(inside[:, 2].max())
