"""The foot-sensor gait analyser: strides, contacts, toe axis and per-stride direction.

See :mod:`retrowalk.gait.foot` for the method and its sources.

Slightly longer than 400 lines on purpose: one algorithm class, the steps of
one strapdown pass (stance, integration, toe axis, per-stride direction) that
share the same per-sample state; the numerical helpers already live in
``_math``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from retrowalk.core.errors import AnalysisError
from retrowalk.gait.foot._math import _lowpass, _quat_rotate, _strapdown, _unit
from retrowalk.gait.foot.bouts import direction_runs
from retrowalk.gait.foot.stance import Segment, StanceSegmentation

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


class FootGaitAnalyzer(StanceSegmentation):
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
        Smallest pitch rotation of the swing lobe for a stride's direction to
        count without further checks (shuffles and weight shifts rotate the
        foot much less; a forward swing turns it by 80-100 degrees).
    min_clear_stride_m
        A stride whose swing turns the foot less than ``min_swing_rotation_deg``
        still gets a direction when it travels at least this far without
        turning: careful backward strides swing the foot through a small pitch
        range (a kinematic model with 14-19 degrees of swing rotation and
        0.5-0.6 m strides). On ipol-gait forward walking, the 15 such strides
        longer than 0.3 m were 13 forward, none backward.
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
    min_movement_rotation_deg
        A movement between two rests without a swing lobe still counts as a
        stride (a pivot in a turn, a short first or last step) when the foot
        rotates by at least this much in total.
    min_lobe_rotation_deg
        Such a movement's contact is put at the end of its swing lobe when
        that lobe turns the foot by at least this much, else at the middle of
        the movement.
    sideways_min_angle_deg
        Strides travelling between this angle and its supplement from the toe
        axis, without turning, are ``"sideways"`` (a side-step: never called
        forward or backward).
    max_pause_s
        Longest pause between strides inside one walking bout (the contract's
        "pauses < 2 s").
    min_bout_strides
        Fewest strides of this foot in a bout (2 strides + the inferred contact
        of the other foot = 3 steps).
    swing_lowpass_hz
        Low-pass cut-off of the ML angular rate used to find the swing lobe.
    max_rest_speed_ratio
        A rest (detected, or a cut inside a long movement) must have a foot
        speed, integrated from the rests around it, below this share of the
        movement's peak speed; a quiet moment in mid-swing is not a rest.
    still_window_s, max_still_rotation_share
        A walking foot stands still on the ground for part of every stride: in
        each bout, the quietest ``still_window_s`` (at least two samples) must
        turn at under ``max_still_rotation_share`` of the bout's swing rate (the
        90th percentile of its rotation rate), else the bout is sensor noise.
        Real feet here (ipol-gait, as recorded and resampled to 20-50 Hz, forward
        and turned round): at most 0.096; white noise at 20-50 Hz: 0.199 or more
        (``benchmarks/not_walking.py``, section 6).

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
        toe), ``direction`` (``"forward"``, ``"backward"``, ``"sideways"`` or
        ``"uncertain"``),
        ``direction_confidence`` (0..1, confidence in that label; 0 for
        ``"uncertain"``), ``heading_change_deg`` (signed rotation of the foot
        about the vertical during the stride), ``turning`` (bool),
        ``swing_rotation_deg`` and ``bout`` (index into ``walking_bouts_``, -1
        outside bouts).
    walking_bouts_ : list of tuple of int
        ``(start_sample, end_sample)`` of each stretch of at least
        ``min_bout_strides`` strides with pauses shorter than ``max_pause_s``,
        cut where the stride direction changes (see
        :func:`~retrowalk.gait.foot.bouts.direction_runs`), whose foot stands
        still (``still_window_s``, ``max_still_rotation_share``).
    refused_bouts_ : list of tuple
        ``(start_sample, end_sample, reason)`` of each such stretch refused because
        the foot never stands still in it (sensor noise, not strides); its strides
        keep ``bout`` -1.
    still_shares_ : list of float
        Each walking bout's quietest ``still_window_s`` over its swing rate (see
        ``max_still_rotation_share``), in the order of ``walking_bouts_``.
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
        sideways_min_angle_deg: float = 65.0,
        max_rest_speed_ratio: float = 0.25,
        min_clear_stride_m: float = 0.3,
        still_window_s: float = 0.15,
        max_still_rotation_share: float = 0.13,
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
        self.sideways_min_angle_deg = sideways_min_angle_deg
        self.max_rest_speed_ratio = max_rest_speed_ratio
        self.min_clear_stride_m = min_clear_stride_m
        self.still_window_s = still_window_s
        self.max_still_rotation_share = max_still_rotation_share

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

        still, _ = self._zero_velocity(acc, gyro, fs)
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
        segments = self._stride_segments(acc, gyro, pitch_rate, still, fs)
        if not segments:
            return self

        raw: list[dict[str, float | int | np.ndarray]] = []
        for segment in segments:
            stride = self._integrate(acc, gyro, ml, segment, fs)
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
        self.ml_axis_: np.ndarray | None = ml
        ups = np.array([s["up"] for s in raw])
        self.toe_axis_: np.ndarray | None = toe_sign * _unit(np.cross(ml, _unit(ups.mean(axis=0))))

        self._classify(raw, toe_sign, fs, np.sqrt(np.einsum("ij,ij->i", gyro, gyro)))
        return self

    # ------------------------------------------------------------------ #
    def _reset(self, n: int) -> None:
        self.initial_contacts_ = np.zeros(0, dtype=np.int64)
        self.other_foot_contacts_ = np.zeros(0, dtype=np.int64)
        self.strides_ = pd.DataFrame({c: [] for c in STRIDE_COLUMNS})
        self.walking_bouts_: list[tuple[int, int]] = []
        self.refused_bouts_: list[tuple[int, int, str]] = []
        self.still_shares_: list[float] = []
        self.toe_axis_ = None
        self.ml_axis_ = None
        self.toe_axis_confidence_ = 0.5
        self.stationary_ = np.zeros(n, dtype=bool)

    def _integrate(
        self,
        acc: np.ndarray,
        gyro: np.ndarray,
        ml: np.ndarray,
        segment: Segment,
        fs: float,
    ) -> dict[str, float | int | np.ndarray] | None:
        """Strapdown integration and pitch evidence of one stride (rest to rest).

        The orientation at the starting rest comes from the gravity measured
        during that rest alone (or, for a cut inside a movement, carried to
        the cut by the integration), never from samples of the movement
        before it.
        """
        dt = 1.0 / fs
        i0, i1 = segment.start, segment.end
        ic = min(segment.lobe_end + round(self.contact_delay_s * fs), i1)
        rotation_deg = segment.rotation_deg
        f0 = segment.gravity
        up = _unit(f0)
        # Strapdown: q_k rotates device axes at sample k into device axes at i0.
        q, vel = _strapdown(acc, gyro, i0, i1, f0, fs)
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
        self,
        raw: list[dict[str, float | int | np.ndarray]],
        toe_sign: float,
        fs: float,
        turning: np.ndarray,
    ) -> None:
        """The stride table, and bouts of strides whose foot stands still
        (:meth:`_still_share`; ``turning``: the rotation rate's magnitude, rad/s, each
        sample)."""
        rows = []
        for s in raw:
            toe = _unit(toe_sign * (np.asarray(s["c"]) + np.asarray(s["c_end"])))
            horizontal = np.asarray(s["horizontal"])
            cos_a = float(horizontal @ toe) / max(float(s["length"]), 1e-12)
            angle = float(np.degrees(np.arccos(np.clip(cos_a, -1.0, 1.0))))
            direction, confidence = self._label(angle)
            if direction == "sideways" and abs(float(s["heading"])) > self.turning_threshold_deg:
                direction = "uncertain"  # a pivot in a turn, not a side-step
            rotation = float(s["rotation"])
            travels = (
                float(s["length"]) >= self.min_clear_stride_m
                and abs(float(s["heading"])) <= self.turning_threshold_deg
                and rotation >= self.min_lobe_rotation_deg
            )
            if rotation < self.min_swing_rotation_deg and not travels:
                # A pivot or shuffle without a clear swing: its small displacement
                # says little about the walking direction. A stride that turns the
                # foot little but travels straight is kept: backward strides
                # swing the foot through a smaller pitch range than forward ones.
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
        breaks = np.flatnonzero(starts[1:] - ends[:-1] >= max_gap) + 1
        labels = strides["direction"].tolist()
        # A change of direction starts a new bout, with or without a pause.
        groups = [
            group[run]
            for group in np.split(np.arange(len(strides)), breaks)
            for run in direction_runs([labels[i] for i in group], self.min_bout_strides)
        ]
        bouts: list[tuple[int, int]] = []
        bout_col = np.full(len(strides), -1, dtype=np.int64)
        other: list[np.ndarray] = []
        ics = strides["ic_sample"].to_numpy(dtype=np.int64)
        width = max(round(self.still_window_s * fs), 2)  # samples of the quietest moment
        for group in groups:
            if len(group) < self.min_bout_strides:
                continue
            share = self._still_share(int(starts[group[0]]), int(ends[group[-1]]), turning, width)
            if share > self.max_still_rotation_share:
                why = (
                    f"the sensor never stands still (its quietest {width / fs:.2f} s turns at "
                    f"{100 * share:.0f} % of its swing rate; a walking foot rests on the "
                    "ground in every stride): sensor noise, or a sensor not on a foot"
                )
                self.refused_bouts_.append((int(starts[group[0]]), int(ends[group[-1]]), why))
                continue
            self.still_shares_.append(share)
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

    @staticmethod
    def _still_share(start: int, end: int, turning: np.ndarray, width: int) -> float:
        """How fast the foot turns in its quietest moment of the bout ``[start, end]``:
        the smallest mean rotation rate over ``width`` samples (``still_window_s``, at
        least two) over the bout's 90th-percentile rate; 0 for a bout too short to judge.

        A walking foot is flat on the ground, still, for part of every stride
        (about a third of it at an ordinary pace; Perry & Burnfield 2010, Gait
        Analysis, ch. 4), and turns fast in the swing; sensor noise turns about
        as fast at every moment. The zero-velocity detector alone cannot tell:
        at 30 Hz or less its window is one or two samples and it takes noise's
        chance dips for rests (white noise gave 118 steps a minute at 20 Hz).
        Measured in ``benchmarks/not_walking.py``, section 6. Where it fails: a
        foot that shuffles without ever resting, or a sensor strapped so loose
        that it rattles at rest, would be refused too (no such real recording
        here).
        """
        rate = turning[start : end + 1]
        if rate.size < width:
            return 0.0
        swing = float(np.percentile(rate, 90))
        if not swing > 0:
            return 0.0
        return float(np.convolve(rate, np.full(width, 1.0 / width), "valid").min()) / swing

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
        if self.sideways_min_angle_deg <= angle_deg <= 180.0 - self.sideways_min_angle_deg:
            return "sideways", 0.0
        return "uncertain", 0.0
