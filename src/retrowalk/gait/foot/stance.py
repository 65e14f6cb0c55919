"""Zero-velocity phases and stride segmentation of the foot analysis.

See :mod:`retrowalk.gait.foot` (steps 1-2) for the method and its sources. The
methods read the detector parameters of :class:`~retrowalk.gait.foot.FootGaitAnalyzer`.
"""

from __future__ import annotations

import numpy as np

from retrowalk.gait.foot._math import _moving_mean, _runs, _unit


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

    def _stride_segments(
        self, pitch_rate: np.ndarray, still: np.ndarray, stat: np.ndarray, fs: float
    ) -> list[tuple[int, int, int, float]]:
        """Strides as movements between rests, with their swing lobes.

        Returns ``(i0, i1, lobe_end, rotation_deg)`` per stride: the last rest
        sample before and the first rest sample after the movement, the end of its
        swing lobe and the lobe's rotation.

        The rests are the runs of zero-velocity samples. A swing lobe is a
        same-sign lobe of the ML angular rate of the movement's swing sign (see
        :meth:`_local_swing_signs`) with at least ``min_swing_rotation_deg`` of
        rotation.
        A movement holding several swing lobes hides rests the detector missed (a
        loose strap, a brisk walker): it is split at the quietest sample of the
        SHOE statistic between consecutive lobes. A movement without a swing lobe
        but with ``min_movement_rotation_deg`` of total rotation (a pivot during a
        turn, a short first or last step) is still a stride; its contact is put at
        the end of its largest swing-sign lobe if that lobe turns the foot by at
        least ``min_lobe_rotation_deg``, else at the middle of the movement.
        """
        dt = 1.0 / fs
        swing_sign = self._swing_sign(pitch_rate, still, fs)
        if swing_sign == 0.0:
            return []
        min_rest = max(round(self.min_stance_s * fs), 1)
        min_len = round(self.min_stride_duration_s * fs)
        max_len = round(self.max_stride_duration_s * fs)
        r_starts, r_ends = _runs(still)
        keep = (r_ends - r_starts) >= min_rest
        r_starts, r_ends = r_starts[keep], r_ends[keep]

        # Lobes of either sign over the whole recording.
        cums = np.concatenate([[0.0], np.cumsum(np.abs(pitch_rate)) * dt])
        lobes = {}
        for sign in (1.0, -1.0):
            starts, ends = _runs(sign * pitch_rate > 0)
            lobes[sign] = (starts, ends, np.degrees(cums[ends] - cums[starts]))
        local = self._local_swing_signs(pitch_rate, r_starts, r_ends, swing_sign, fs)

        segments: list[tuple[int, int, int, float]] = []
        for k in range(len(r_starts) - 1):
            i0, i1 = int(r_ends[k] - 1), int(r_starts[k + 1])
            if i1 - i0 < min_len:
                continue
            l_starts, l_ends, l_rot = lobes[local[k]]
            inside = (l_starts < i1) & (l_ends > i0 + 1)
            ls, le, lr = l_starts[inside], l_ends[inside], l_rot[inside]
            swings = lr >= self.min_swing_rotation_deg
            if swings.sum() >= 2:
                ls, le, lr = ls[swings], le[swings], lr[swings]
                cuts = [i0]
                for j in range(len(ls) - 1):
                    lo, hi = int(le[j]), int(ls[j + 1])
                    cut = lo + int(np.argmin(stat[lo:hi])) if hi > lo else lo
                    cuts.append(cut)
                cuts.append(i1)
                for j in range(len(ls)):
                    a, b = cuts[j], cuts[j + 1]
                    if min_len <= b - a <= max_len:
                        segments.append((a, b, int(le[j]), float(lr[j])))
                continue
            if i1 - i0 > max_len:
                continue
            if swings.sum() == 1:
                j = int(np.flatnonzero(swings)[0])
                segments.append((i0, i1, int(le[j]), float(lr[j])))
                continue
            total = float(np.degrees(np.sum(np.abs(pitch_rate[i0:i1])) * dt))
            if total < self.min_movement_rotation_deg:
                continue
            if lr.size and lr.max() >= self.min_lobe_rotation_deg:
                j = int(np.argmax(lr))
                segments.append((i0, i1, int(le[j]), float(lr[j])))
            else:
                delay = round(self.contact_delay_s * fs)
                segments.append((i0, i1, (i0 + i1) // 2 - delay, 0.0))
        return segments

    def _local_swing_signs(
        self,
        pitch_rate: np.ndarray,
        r_starts: np.ndarray,
        r_ends: np.ndarray,
        swing_sign: float,
        fs: float,
    ) -> list[float]:
        """Swing sign of each movement between two rests, decided near it.

        The swing is the largest single rotation of a movement. A backward stride
        swings the foot the other way round (its pitch-rate lobes are those of a
        forward stride reversed in time and sign), so one sign for the whole
        recording would, in a walk that turns from forward to backward, take
        the push-off and foot-flat lobes of the minority direction for swings
        and cut each of its strides in two (strides of 0.2-0.5 m instead of
        1.2-1.5 m on ipol-gait walks spliced with their time reversal). Each
        movement therefore takes the sign of the summed largest lobes of itself
        and its two neighbours; without such evidence, the recording's sign.
        """
        dt = 1.0 / fs
        best = np.zeros(max(len(r_starts) - 1, 0))
        for k in range(len(r_starts) - 1):
            i0, i1 = int(r_ends[k]), int(r_starts[k + 1])
            duration = (i1 - i0) / fs
            if not self.min_stride_duration_s <= duration <= 2 * self.max_stride_duration_s:
                continue
            w = pitch_rate[i0:i1]
            pieces = np.split(w, np.flatnonzero(np.diff(np.sign(w)) != 0) + 1)
            areas = np.array([float(np.sum(piece)) * dt for piece in pieces])
            area = float(areas[np.argmax(np.abs(areas))])
            if np.degrees(abs(area)) >= self.min_swing_rotation_deg:
                best[k] = area
        against = (np.sign(best) == -swing_sign).astype(np.int64)
        window = np.ones(3, dtype=np.int64)
        votes = np.convolve(against, window, mode="same") if best.size else against
        return [-swing_sign if v >= 2 else swing_sign for v in votes]

    def _swing_sign(self, pitch_rate: np.ndarray, still: np.ndarray, fs: float) -> float:
        """Sign of the ML rate during swing (+1, -1, or 0 without evidence).

        Between two detected rests the foot's largest single rotation is the
        swing; the push-off and foot-flat rotations are smaller and of the other
        sign. Over a whole stride the rotations cancel, so the rests must split
        them: only movements bounded by detected rests vote, weighted by rotation.
        """
        min_rest = max(round(self.min_stance_s * fs), 1)
        starts, ends = _runs(still)
        keep = (ends - starts) >= min_rest
        starts, ends = starts[keep], ends[keep]
        dt = 1.0 / fs
        vote = 0.0
        for k in range(len(starts) - 1):
            i0, i1 = int(ends[k]), int(starts[k + 1])
            if not (self.min_stride_duration_s <= (i1 - i0) / fs <= self.max_stride_duration_s):
                continue
            w = pitch_rate[i0:i1]
            edges = np.flatnonzero(np.diff(np.sign(w)) != 0) + 1
            pieces = np.split(w, edges)
            areas = np.array([float(np.sum(piece)) * dt for piece in pieces])
            best = float(areas[np.argmax(np.abs(areas))])
            if np.degrees(abs(best)) >= self.min_swing_rotation_deg:
                vote += best
        return float(np.sign(vote))
