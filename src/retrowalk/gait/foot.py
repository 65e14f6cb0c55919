"""Gait from one foot-worn inertial sensor, in any mounting orientation.

A sensor strapped to the foot rests on the ground once per stride. Those rests
anchor everything here:

1. **Zero-velocity phases** with the stance hypothesis optimal detector (SHOE) of
   Skog et al. (2010, IEEE Trans Biomed Eng 57:2657): the foot is still where the
   windowed deviation of the specific force from gravity and the windowed angular
   rate are both small.
2. **Swing and initial contact.** Between two rests the foot rotates mainly about
   its medio-lateral (ML) axis, found as the principal axis of the angular rate
   during movement. The swing is the longest same-sign lobe of the ML angular
   rate; it starts at the foot's extreme plantarflexion just after toe-off and
   ends at its extreme pitch just before the foot meets the ground. The initial
   contact (first ground contact of the stride, heel or toe) is taken
   ``contact_delay_s`` after the end of that lobe. On ipol-gait (Voisard et al.
   2023, IPOL 13:1) the reference heel strikes follow the end of the raw-rate
   lobe by a median of 40 ms, and the reference toe-offs precede its start by a
   median of 37 ms, so the rule is nearly symmetric in time: it finds the first
   contact of forward and of time-reversed (backward) strides alike. With the
   8 Hz low-pass used here, 30 ms balances the two (mean error +2 ms forward,
   -6 ms time-reversed). This is the ML-gyro event logic of Rampp et al. (2015,
   IEEE Trans Biomed Eng 62:1089) without the assumption that the contact is a
   heel strike. Movements without a clear swing lobe (pivots in a turn, short
   first and last steps) still count as strides (see
   :meth:`FootGaitAnalyzer._stride_segments`) but get direction ``"uncertain"``.
3. **Stride displacement** by strapdown integration from one rest to the next
   with a linear drift removal of the velocity between the two zero-velocity
   phases (Mariani et al. 2010, J Biomech 43:2999; Rampp et al. 2015). Each
   stride is integrated in the sensor frame of the rest it starts from, so no
   heading has to be tracked across strides and the result does not depend on
   how the sensor is mounted.
4. **The foot's long axis, and which end is the toe.** The long axis is
   horizontal at rest and perpendicular to the ML axis: ``c = ML x up``. Its sign
   cannot come from the direction of travel, since travel along the axis is
   exactly what tells forward from backward walking. It must come from a cue that
   is the same for forward and backward strides, i.e. one that does not change
   when a stride is played backwards in time (the stand-in for backward walking,
   Grasso et al. 1998, J Neurophysiol 80:1868). The foot's pitch *angle*
   history is such a cue: time reversal traverses the same angles in the
   opposite order, so the extremes of the angle are unchanged. The human ankle
   plantarflexes (toe down, heel up) much further than it dorsiflexes: in forward
   walking the foot leaves the ground at about 60-70 degrees toe-down and meets
   it at about 15-25 degrees toe-up (Perry & Burnfield 2010, Gait Analysis,
   ch. 4; the foot segment angle in Winter 2009, Biomechanics and Motor Control
   of Human Movement, app. A). In backward walking the foot lands on the toe with
   the heel raised and leaves heel-first (Winter et al. 1989, J Biomech 22:519;
   Grasso et al. 1998), so the large excursion is again toe-down. Hence: the end
   of the long axis that dips furthest below the horizontal during swing is the
   toe. The vote is pooled over all strides of the recording (a foot sensor keeps
   its place on the foot).
5. **Direction.** The angle between a stride's horizontal displacement and the
   toe direction (averaged over the two rests) is near 0 for forward and near
   180 degrees for backward strides. On ipol-gait, real forward strides stay
   within about 22 degrees and time-reversed ones beyond about 150 degrees
   (``shared/docs/domain.md``); angles in between come from turning, side-steps
   or shuffles and are reported as ``"uncertain"``.

Limitations: a sensor that is moved on the foot during a recording, walking
on stairs or slopes (the vertical axis is taken from gravity at each rest),
and gait without a flat-foot phase (running, toe-walking) are not handled.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import signal

from retrowalk.errors import AnalysisError

__all__ = ["STRIDE_COLUMNS", "FootGaitAnalyzer"]

#: Columns of :attr:`FootGaitAnalyzer.strides_`, in order.
STRIDE_COLUMNS = (
    "start_sample",
    "end_sample",
    "ic_sample",
    "duration_s",
    "stride_length_m",
    "displacement_vertical_m",
    "direction_angle_deg",
    "direction",
    "direction_confidence",
    "heading_change_deg",
    "turning",
    "swing_rotation_deg",
    "bout",
)


# --------------------------------------------------------------------------- #
# Quaternion helpers (scalar first, vectorised over the leading axis)
# --------------------------------------------------------------------------- #
def _quat_multiply(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    pw, px, py, pz = p[..., 0], p[..., 1], p[..., 2], p[..., 3]
    qw, qx, qy, qz = q[..., 0], q[..., 1], q[..., 2], q[..., 3]
    return np.stack(
        [
            pw * qw - px * qx - py * qy - pz * qz,
            pw * qx + px * qw + py * qz - pz * qy,
            pw * qy - px * qz + py * qw + pz * qx,
            pw * qz + px * qy - py * qx + pz * qw,
        ],
        axis=-1,
    )


def _quat_from_rotvec(rotvec: np.ndarray) -> np.ndarray:
    angle = np.linalg.norm(rotvec, axis=-1, keepdims=True)
    half = 0.5 * angle
    # sin(x/2)/x, with its limit 1/2 at x = 0.
    scale = np.where(angle > 1e-12, np.sin(half) / np.where(angle > 1e-12, angle, 1.0), 0.5)
    return np.concatenate([np.cos(half), rotvec * scale], axis=-1)


def _quat_cumprod(q: np.ndarray) -> np.ndarray:
    """Running product ``q[0] * q[1] * ... * q[k]`` for every k (log-depth scan)."""
    out = q.copy()
    offset = 1
    n = out.shape[0]
    while offset < n:
        out[offset:] = _quat_multiply(out[:-offset], out[offset:])
        offset *= 2
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def _quat_rotate(q: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Rotate vectors ``v`` (n, 3) by unit quaternions ``q`` (n, 4)."""
    w = q[:, :1]
    u = q[:, 1:]
    t = 2.0 * np.cross(u, v)
    return v + w * t + np.cross(u, t)


# --------------------------------------------------------------------------- #
# Small signal helpers
# --------------------------------------------------------------------------- #
def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start (inclusive) and end (exclusive) indices of the True runs of ``mask``."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


def _moving_mean(x: np.ndarray, width: int) -> np.ndarray:
    """Centred moving mean along axis 0 (edges use the available samples)."""
    if width <= 1:
        return x.astype(np.float64, copy=True)
    kernel = np.ones(width)
    if x.ndim == 1:
        num = np.convolve(x, kernel, mode="same")
        den = np.convolve(np.ones_like(x), kernel, mode="same")
        return num / den
    den = np.convolve(np.ones(x.shape[0]), kernel, mode="same")
    cols = [np.convolve(x[:, i], kernel, mode="same") / den for i in range(x.shape[1])]
    return np.column_stack(cols)


def _lowpass(x: np.ndarray, cutoff_hz: float, sampling_rate_hz: float) -> np.ndarray:
    if x.shape[0] < 16:
        return x.astype(np.float64, copy=True)
    wn = min(cutoff_hz / (sampling_rate_hz / 2.0), 0.99)
    sos = signal.butter(2, wn, btype="low", output="sos")
    return signal.sosfiltfilt(sos, x, axis=0, padlen=min(15, x.shape[0] - 1))


def _unit(v: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.clip(norm, 1e-12, None)


class FootGaitAnalyzer:
    """Strides, initial contacts and walking direction from one foot sensor.

    The sensor may sit on the foot in any orientation; the method only assumes
    that it stays put during the recording. See the module docstring for the
    method and its sources.

    Parameters
    ----------
    zero_velocity_threshold_rads
        Angular-rate scale of the zero-velocity detector (``sigma_omega`` of
        Skog et al. 2010, with the detector threshold gamma set to 1).
    zero_velocity_acc_threshold_mps2
        Specific-force scale of the same detector (``sigma_a``).
    zero_velocity_window_s
        Window of the detector (Skog et al. used 3-5 samples at 100 Hz).
    min_stance_s
        Shortest rest that separates two strides; shorter still moments inside
        a movement are ignored.
    contact_delay_s
        Time from the end of the swing lobe (the foot's last extreme pitch in the
        air) to the initial contact; 40 ms is the median on ipol-gait (see the
        module docstring).
    min_swing_rotation_deg
        Smallest pitch rotation of the swing lobe for a movement to count as a
        stride (shuffles and weight shifts rotate the foot much less).
    min_stride_length_m
        Smallest horizontal displacement of a stride.
    min_stride_duration_s, max_stride_duration_s
        Plausible durations of the movement between two rests.
    forward_max_angle_deg
        Largest angle between displacement and toe direction still called
        ``"forward"``.
    backward_min_angle_deg
        Smallest angle called ``"backward"``; in between is ``"uncertain"``.
    confident_margin_deg
        Angles within this of the ideal 0 or 180 degrees get the full confidence;
        confidence falls linearly to 0 at the class thresholds.
    turning_threshold_deg
        Heading change within one stride above which the stride is flagged as
        turning.
    max_pause_s
        Longest pause between strides inside one walking bout (the contract's
        "pauses < 2 s").
    min_bout_strides
        Fewest strides of this foot in a bout (2 strides + the inferred contact
        of the other foot = 3 steps).
    swing_lowpass_hz
        Low-pass cut-off of the ML angular rate used to find the swing lobe.

    Attributes
    ----------
    initial_contacts_ : numpy.ndarray of int64
        Sample index of the initial contact of every detected stride of this foot.
    other_foot_contacts_ : numpy.ndarray of int64
        Inferred initial contacts of the other foot: midway between consecutive
        own contacts inside a walking bout (not measured; mark as inferred).
    strides_ : pandas.DataFrame
        One row per stride with the columns of :data:`STRIDE_COLUMNS`:
        ``start_sample`` / ``end_sample`` (last still sample before and first
        still sample after the movement), ``ic_sample`` (its initial contact),
        ``duration_s``, ``stride_length_m`` (horizontal displacement),
        ``displacement_vertical_m``, ``direction_angle_deg`` (0 = towards the
        toe), ``direction`` (``"forward"``, ``"backward"`` or ``"uncertain"``),
        ``direction_confidence`` (0..1, confidence in that label; 0 for
        ``"uncertain"``), ``heading_change_deg`` (signed rotation of the foot
        about the vertical during the stride), ``turning`` (bool),
        ``swing_rotation_deg`` and ``bout`` (index into ``walking_bouts_``, -1
        outside bouts).
    walking_bouts_ : list of tuple of int
        ``(start_sample, end_sample)`` of each stretch of at least
        ``min_bout_strides`` strides with pauses shorter than ``max_pause_s``.
    toe_axis_ : numpy.ndarray or None
        Unit vector of the foot's long axis towards the toe, in device axes
        (horizontal at a typical rest), ``None`` without strides.
    ml_axis_ : numpy.ndarray or None
        Unit vector of the principal rotation (medio-lateral) axis.
    toe_axis_confidence_ : float
        Share of the pooled pitch-excursion evidence that agrees with the chosen
        toe end (0.5 = no evidence, 1 = unanimous).
    stationary_ : numpy.ndarray of bool
        Per-sample zero-velocity decision.
    sampling_rate_hz_ : float
    """

    def __init__(
        self,
        *,
        zero_velocity_threshold_rads: float = 1.0,
        zero_velocity_acc_threshold_mps2: float = 2.0,
        zero_velocity_window_s: float = 0.05,
        min_stance_s: float = 0.05,
        contact_delay_s: float = 0.03,
        min_swing_rotation_deg: float = 20.0,
        min_stride_length_m: float = 0.10,
        min_stride_duration_s: float = 0.2,
        max_stride_duration_s: float = 3.0,
        forward_max_angle_deg: float = 45.0,
        backward_min_angle_deg: float = 135.0,
        confident_margin_deg: float = 22.0,
        turning_threshold_deg: float = 25.0,
        max_pause_s: float = 2.0,
        min_bout_strides: int = 2,
        swing_lowpass_hz: float = 8.0,
        min_movement_rotation_deg: float = 15.0,
        min_lobe_rotation_deg: float = 5.0,
    ) -> None:
        self.zero_velocity_threshold_rads = zero_velocity_threshold_rads
        self.zero_velocity_acc_threshold_mps2 = zero_velocity_acc_threshold_mps2
        self.zero_velocity_window_s = zero_velocity_window_s
        self.min_stance_s = min_stance_s
        self.contact_delay_s = contact_delay_s
        self.min_swing_rotation_deg = min_swing_rotation_deg
        self.min_stride_length_m = min_stride_length_m
        self.min_stride_duration_s = min_stride_duration_s
        self.max_stride_duration_s = max_stride_duration_s
        self.forward_max_angle_deg = forward_max_angle_deg
        self.backward_min_angle_deg = backward_min_angle_deg
        self.confident_margin_deg = confident_margin_deg
        self.turning_threshold_deg = turning_threshold_deg
        self.max_pause_s = max_pause_s
        self.min_bout_strides = min_bout_strides
        self.swing_lowpass_hz = swing_lowpass_hz
        self.min_movement_rotation_deg = min_movement_rotation_deg
        self.min_lobe_rotation_deg = min_lobe_rotation_deg

    # ------------------------------------------------------------------ #
    def analyze(
        self,
        acc_mps2: np.ndarray,
        gyro_rads: np.ndarray | None,
        sampling_rate_hz: float,
    ) -> FootGaitAnalyzer:
        """Detect strides in one foot recording.

        Parameters
        ----------
        acc_mps2
            ``(n, 3)`` acceleration including gravity, device axes, any orientation.
        gyro_rads
            ``(n, 3)`` angular rate on the same axes. Required.
        sampling_rate_hz
            Uniform sampling rate of both.

        Returns
        -------
        FootGaitAnalyzer
            ``self``, with the result attributes set.

        Raises
        ------
        AnalysisError
            Without a gyroscope, or with arrays of the wrong shape.
        """
        if gyro_rads is None:
            raise AnalysisError(
                "foot analysis needs a gyroscope (angular rate); this recording has only "
                "acceleration"
            )
        acc = np.asarray(acc_mps2, dtype=np.float64)
        gyro = np.asarray(gyro_rads, dtype=np.float64)
        if acc.ndim != 2 or acc.shape[1] != 3 or gyro.shape != acc.shape:
            raise AnalysisError(
                f"foot analysis needs (n, 3) acceleration and angular rate of equal shape, "
                f"got {acc.shape} and {gyro.shape}"
            )
        if not sampling_rate_hz > 0:
            raise AnalysisError("sampling rate must be positive")
        if not (np.all(np.isfinite(acc)) and np.all(np.isfinite(gyro))):
            raise AnalysisError("foot analysis needs finite sensor values (found NaN or inf)")
        fs = float(sampling_rate_hz)
        self.sampling_rate_hz_ = fs
        self._reset(acc.shape[0])

        still, stat = self._zero_velocity(acc, gyro, fs)
        self.stationary_ = still
        if acc.shape[0] < int(fs):
            return self

        # Medio-lateral axis: principal axis of the angular rate where the foot turns fast.
        # The low-pass keeps the impacts at ground contact from tilting the axis.
        gyro_lp = _lowpass(gyro, self.swing_lowpass_hz, fs)
        gyro_norm = np.linalg.norm(gyro_lp, axis=1)
        fast = gyro_norm > max(float(np.percentile(gyro_norm, 50)), 0.5)
        if fast.sum() < 3:
            return self
        _, vecs = np.linalg.eigh(gyro_lp[fast].T @ gyro_lp[fast])
        ml = vecs[:, -1]
        pitch_rate = gyro_lp @ ml
        segments = self._stride_segments(pitch_rate, still, stat, fs)
        if not segments:
            return self

        rest_len = max(round(0.2 * fs), 1)
        raw: list[dict[str, float | int | np.ndarray]] = []
        for i0, i1, lobe_end, rotation_deg in segments:
            stride = self._integrate(acc, gyro, ml, i0, i1, lobe_end, rotation_deg, rest_len, fs)
            if stride is not None:
                raw.append(stride)
        if not raw:
            return self

        # Toe end of the long axis: the end that dips furthest below horizontal.
        votes = np.array([float(s["pitch_vote"]) for s in raw])
        total = float(np.sum(np.abs(votes)))
        # pitch_vote = max + min elevation of c = ML x up: negative when c is the toe.
        toe_sign = -1.0 if np.sum(votes) > 0 else 1.0
        agree = float(np.sum(np.abs(votes[np.sign(votes) == -toe_sign]))) if total > 0 else 0.0
        self.toe_axis_confidence_ = agree / total if total > 0 else 0.5
        self.ml_axis_ = ml
        ups = np.array([s["up"] for s in raw])
        self.toe_axis_ = toe_sign * _unit(np.cross(ml, _unit(ups.mean(axis=0))))

        self._classify(raw, toe_sign, fs)
        return self

    # ------------------------------------------------------------------ #
    def _reset(self, n: int) -> None:
        self.initial_contacts_ = np.zeros(0, dtype=np.int64)
        self.other_foot_contacts_ = np.zeros(0, dtype=np.int64)
        self.strides_ = pd.DataFrame({c: [] for c in STRIDE_COLUMNS})
        self.walking_bouts_: list[tuple[int, int]] = []
        self.toe_axis_: np.ndarray | None = None
        self.ml_axis_: np.ndarray | None = None
        self.toe_axis_confidence_ = 0.5
        self.stationary_ = np.zeros(n, dtype=bool)

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
        same-sign lobe of the ML angular rate of the swing sign (see
        :meth:`_swing_sign`) with at least ``min_swing_rotation_deg`` of rotation.
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

        # Swing-sign lobes over the whole recording.
        l_starts, l_ends = _runs(swing_sign * pitch_rate > 0)
        cums = np.concatenate([[0.0], np.cumsum(np.abs(pitch_rate)) * dt])
        l_rot = np.degrees(cums[l_ends] - cums[l_starts])

        segments: list[tuple[int, int, int, float]] = []
        for k in range(len(r_starts) - 1):
            i0, i1 = int(r_ends[k] - 1), int(r_starts[k + 1])
            if i1 - i0 < min_len:
                continue
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

    def _integrate(
        self,
        acc: np.ndarray,
        gyro: np.ndarray,
        ml: np.ndarray,
        i0: int,
        i1: int,
        lobe_end: int,
        rotation_deg: float,
        rest_len: int,
        fs: float,
    ) -> dict[str, float | int | np.ndarray] | None:
        """Strapdown integration and pitch evidence of one stride (rest to rest)."""
        dt = 1.0 / fs
        ic = min(lobe_end + round(self.contact_delay_s * fs), i1)

        # Orientation at the starting rest: gravity from the still samples before it.
        r0 = max(i0 - rest_len + 1, 0)
        f0 = acc[r0 : i0 + 1].mean(axis=0)
        up = _unit(f0)
        # Strapdown: q_k rotates device axes at sample k into device axes at i0.
        dq = _quat_from_rotvec(gyro[i0 + 1 : i1 + 1] * dt)
        q = np.vstack([[1.0, 0.0, 0.0, 0.0], _quat_cumprod(dq)])
        acc_0 = _quat_rotate(q, acc[i0 : i1 + 1])
        lin = acc_0 - f0
        vel = np.vstack([np.zeros(3), np.cumsum(0.5 * (lin[1:] + lin[:-1]) * dt, axis=0)])
        ramp = np.linspace(0.0, 1.0, vel.shape[0])[:, None]
        vel = vel - ramp * vel[-1]
        disp = np.sum(0.5 * (vel[1:] + vel[:-1]) * dt, axis=0)
        vertical = float(disp @ up)
        horizontal = disp - vertical * up
        length = float(np.linalg.norm(horizontal))
        if length < self.min_stride_length_m:
            return None

        # Long-axis candidate c = ML x up (horizontal at rest) and its elevation history.
        c = _unit(np.cross(ml, up))
        c_t = _quat_rotate(q, np.broadcast_to(c, (q.shape[0], 3)))
        elevation = np.arcsin(np.clip(c_t @ up, -1.0, 1.0))
        pitch_vote = float(elevation.max() + elevation.min())
        c_end = c_t[-1] - (c_t[-1] @ up) * up
        heading = float(np.degrees(np.arctan2(np.cross(c, c_end) @ up, c @ c_end)))
        return {
            "start_sample": i0,
            "end_sample": i1,
            "ic_sample": ic,
            "horizontal": horizontal,
            "vertical": vertical,
            "length": length,
            "c": c,
            "c_end": _unit(c_end),
            "up": up,
            "heading": heading,
            "rotation": rotation_deg,
            "pitch_vote": pitch_vote,
        }

    def _classify(
        self, raw: list[dict[str, float | int | np.ndarray]], toe_sign: float, fs: float
    ) -> None:
        rows = []
        for s in raw:
            toe = _unit(toe_sign * (np.asarray(s["c"]) + np.asarray(s["c_end"])))
            horizontal = np.asarray(s["horizontal"])
            cos_a = float(horizontal @ toe) / max(float(s["length"]), 1e-12)
            angle = float(np.degrees(np.arccos(np.clip(cos_a, -1.0, 1.0))))
            direction, confidence = self._label(angle)
            if float(s["rotation"]) < self.min_swing_rotation_deg:
                # A pivot or shuffle without a clear swing: its small displacement
                # says little about the walking direction.
                direction, confidence = "uncertain", 0.0
            confidence *= 2.0 * max(self.toe_axis_confidence_ - 0.5, 0.0)
            rows.append(
                {
                    "start_sample": int(s["start_sample"]),
                    "end_sample": int(s["end_sample"]),
                    "ic_sample": int(s["ic_sample"]),
                    "duration_s": (int(s["end_sample"]) - int(s["start_sample"])) / fs,
                    "stride_length_m": float(s["length"]),
                    "displacement_vertical_m": float(s["vertical"]),
                    "direction_angle_deg": angle,
                    "direction": direction,
                    "direction_confidence": confidence,
                    "heading_change_deg": float(s["heading"]),
                    "turning": abs(float(s["heading"])) > self.turning_threshold_deg,
                    "swing_rotation_deg": float(s["rotation"]),
                    "bout": -1,
                }
            )
        strides = pd.DataFrame(rows, columns=list(STRIDE_COLUMNS))

        # Walking bouts: strides separated by pauses shorter than max_pause_s.
        max_gap = self.max_pause_s * fs
        starts = strides["start_sample"].to_numpy()
        ends = strides["end_sample"].to_numpy()
        breaks = np.flatnonzero(starts[1:] - ends[:-1] > max_gap) + 1
        groups = np.split(np.arange(len(strides)), breaks)
        bouts: list[tuple[int, int]] = []
        bout_col = np.full(len(strides), -1, dtype=np.int64)
        other: list[np.ndarray] = []
        ics = strides["ic_sample"].to_numpy(dtype=np.int64)
        for group in groups:
            if len(group) < self.min_bout_strides:
                continue
            bout_col[group] = len(bouts)
            bouts.append((int(starts[group[0]]), int(ends[group[-1]])))
            own = ics[group]
            other.append((own[:-1] + own[1:]) // 2)
        strides["bout"] = bout_col
        self.strides_ = strides
        self.initial_contacts_ = ics
        self.other_foot_contacts_ = (
            np.concatenate(other).astype(np.int64) if other else np.zeros(0, dtype=np.int64)
        )
        self.walking_bouts_ = bouts

    def _label(self, angle_deg: float) -> tuple[str, float]:
        """Direction label and its confidence from the displacement-to-toe angle."""
        margin = self.confident_margin_deg
        if angle_deg <= self.forward_max_angle_deg:
            span = max(self.forward_max_angle_deg - margin, 1e-9)
            return "forward", float(np.clip((self.forward_max_angle_deg - angle_deg) / span, 0, 1))
        if angle_deg >= self.backward_min_angle_deg:
            span = max((180.0 - margin) - self.backward_min_angle_deg, 1e-9)
            return "backward", float(
                np.clip((angle_deg - self.backward_min_angle_deg) / span, 0, 1)
            )
        return "uncertain", 0.0
