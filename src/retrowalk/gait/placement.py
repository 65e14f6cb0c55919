"""Where the sensor is worn: lower back, trouser pocket (thigh), foot, or a place
that cannot be told apart ("unsupported").

Each decision rests on a rotation-invariant mark of the body part, taken only
while the person walks:

- **Foot** (needs a gyroscope). The foot swings fast and then rests flat once
  per stride: angular rate peaks of 5-10 rad/s and impacts above 2.5 g (Skog et
  al. 2010, "Zero-velocity detection - an algorithm evaluation", IEEE Trans
  Biomed Eng 57:2657; Rampp et al. 2015, "Inertial sensor-based stride parameter
  calculation from gait sequences in geriatric patients", IEEE Trans Biomed Eng
  62:1089).
- **Thigh (pocket).** The thigh pitches by 40-60 degrees once per *stride*
  (Perry & Burnfield 2010, Gait Analysis: Normal and Pathological Function,
  ch. 4). With a gyroscope: a tilting angular rate of 3-4 rad/s (95th
  percentile) where the pelvis stays under 1.8 rad/s. Without one: the
  acceleration norm repeats once per stride, not once per step (left and right
  steps look different from one thigh: step regularity well under stride
  regularity, Moe-Nilssen & Helbostad 2004, "Estimation of gait cycle
  characteristics by trunk accelerometry", J Biomech 37:121), the gravity
  direction in device axes swings by 8 degrees (RMS) or more, and the heel
  strikes reach the phone: the thigh carries the impact of each contact (and
  the centripetal pull of its swing), which the wrist, elbow and shoulder damp
  before it reaches a phone in the hand (shock attenuation up the body:
  Kavanagh & Menz 2008, "Accelerometry: a technique for quantifying movement
  patterns during walking", Gait Posture 28:1). Real pockets peaked at 1.8 g
  or more (99th percentile of the norm), phones in the hand at 1.2-1.9 g: the
  impact alone separates nothing, it only vetoes a pocket.
- **Lower back** (needs a gyroscope). Everything else worn with a gyroscope
  whose tilting rate stays low. The pelvis rotates by a few degrees only
  (Saunders et al. 1953, "The major determinants in normal and pathological
  gait", J Bone Joint Surg 35A:543), so the direction of gravity in the
  sensor's axes stays put while the walk goes on (real lower backs: 3.5
  degrees at most between two overlapping 5 s windows of walking, U-turns
  included). A phone held in the hand is tilted towards the face and away
  again while its owner walks on (21 degrees in one real recording); that is
  reported as unsupported, not as a lower back.

Where it fails, measured on 48 real phone recordings (forward walking, three
people, no gyroscope; ``benchmarks/direction.py --placement``): by acceleration
alone a phone in the hand, in an arm band, in a neck pouch or in a bag moves
like a lower-back sensor (left and right steps alike, small tilt swing), so
without a gyroscope anything that is not a thigh is reported as
``"unsupported"``: steps are counted, no walking direction is given. One phone
in the hand (phyphox export) walked with uneven left and right steps and a
pocket-like tilt swing; only its soft impacts (1.4 g) tell it from a pocket. With a
gyroscope a phone held in the hand moves like a lower back too (steps alike,
slow tilting, soft impacts; one real recording, Sensor Logger): only its
change of grip while walking on gave it away. A phone held steadily in the
hand with a gyroscope would still be taken for a lower back; a stated
placement avoids that guess.
"""

from __future__ import annotations

import math

import numpy as np

from retrowalk.core.algorithm import Algorithm
from retrowalk.core.recording import Recording
from retrowalk.dsp.filters import lowpass
from retrowalk.dsp.rows import (
    percentile,
    row_dot,
    row_norm,
    sliding_rows,
    small_median,
    unit_vector,
)

#: The placement name of a recording whose placement cannot be told (steps, no direction).
UNSUPPORTED_PLACEMENT = "unsupported"

#: Working rate of the placement statistics.
_RATE_HZ = 25.0


class PlacementDetector(Algorithm):
    """Classify the sensor placement of a recording.

    Parameters
    ----------
    moving_threshold_mps2
        Moving samples: 1 s standard deviation of the acceleration norm above this.
    foot_gyro_rads, foot_impact_mps2
        A foot: 95th percentile of the tilting angular rate (about horizontal
        axes) while moving, and 99th percentile of the acceleration norm, both
        above these. On ipol-gait (70 trials) feet gave >= 5.6 rad/s and
        >= 24.9 m/s^2, lower backs <= 5.1 rad/s and <= 23.8 m/s^2.
    thigh_gyro_rads
        With a gyroscope, a thigh: 95th percentile of the tilting angular rate
        at or above this (motion-capture thighs 2.8-5.0 rad/s, lower backs of
        ipol-gait, mobgap-lab and motion capture <= 1.8 rad/s except one
        ipol-gait walker at 2.4-5.1 rad/s) and, where walking windows were
        found, the step symmetry of a thigh (below).
    thigh_symmetry, thigh_swing_deg
        Without a gyroscope, a thigh: median over walking windows of step
        regularity / stride regularity of the acceleration norm at or below
        ``thigh_symmetry`` (one leg: left and right steps differ), and RMS swing
        of the gravity direction at or above ``thigh_swing_deg``. Chosen on the
        real phones, each person left out in turn (see the benchmark).
    thigh_impact_mps2
        Without a gyroscope, a thigh also needs the 99th percentile of the
        acceleration norm at or above this (heel strikes felt at the thigh,
        damped by the arm in the hand). Chosen with the two above, each
        person left out in turn: 15.5-17.0 m/s^2 over the folds, 16.5 on all
        (real pockets >= 17.6, the walking phone in the hand 13.7). A pocket
        call's confidence rises from 0 at this threshold to 1 at 5 m/s^2 above
        it: phones carried elsewhere reached up to 21.0 m/s^2 (18.2 in the hand).
    lower_back_reorient_deg
        With a gyroscope, what would be a lower back is unsupported when the
        gravity direction in device axes moves by this much or more between two
        overlapping walking windows in a row (``reorient_deg``): a sensor worn
        at the lower back cannot turn against gravity while the walk goes on,
        a phone held in the hand is tilted to and from the face. Chosen each
        person left out in turn (see the benchmark): real lower backs moved by
        3.5 degrees at most, the phone in the hand by 21.
    window_s
        Length of the walking windows (shorter recordings: one window).
    walking_regularity
        A window is walking when the autocorrelation of the acceleration norm
        at one stride (0.7-2.4 s) reaches this (in a recording shorter than one
        window, scaled to the bias of a whole window).

    Attributes
    ----------
    placement_
        ``"lower_back"``, ``"pocket"``, ``"foot"`` or :data:`UNSUPPORTED_PLACEMENT`.
    confidence_
        0..1: how far the deciding statistics lie from the class boundary, the
        nearest one counting (0 for an unsupported placement).
    reason_
        Why the placement is unsupported (empty otherwise).
    features_
        The statistics, for reporting.
    """

    def __init__(
        self,
        *,
        moving_threshold_mps2: float = 0.8,
        foot_gyro_rads: float = 5.3,
        foot_impact_mps2: float = 24.0,
        thigh_gyro_rads: float = 2.4,
        thigh_symmetry: float = 0.7,
        thigh_swing_deg: float = 7.6,
        thigh_impact_mps2: float = 16.5,
        lower_back_reorient_deg: float = 12.4,
        window_s: float = 5.0,
        walking_regularity: float = 0.4,
    ) -> None:
        self.moving_threshold_mps2 = moving_threshold_mps2
        self.foot_gyro_rads = foot_gyro_rads
        self.foot_impact_mps2 = foot_impact_mps2
        self.thigh_gyro_rads = thigh_gyro_rads
        self.thigh_symmetry = thigh_symmetry
        self.thigh_swing_deg = thigh_swing_deg
        self.thigh_impact_mps2 = thigh_impact_mps2
        self.lower_back_reorient_deg = lower_back_reorient_deg
        self.window_s = window_s
        self.walking_regularity = walking_regularity

    def detect(
        self, acc_mps2: np.ndarray, gyro_rads: np.ndarray | None, sampling_rate_hz: float
    ) -> PlacementDetector:
        """Classify.

        Parameters
        ----------
        acc_mps2
            ``(n, 3)`` acceleration with gravity.
        gyro_rads
            ``(n, 3)`` angular rate or ``None``.
        sampling_rate_hz
            Sampling rate.
        """
        self.features_: dict[str, float] = placement_features(
            acc_mps2,
            gyro_rads,
            sampling_rate_hz,
            moving_threshold_mps2=self.moving_threshold_mps2,
            window_s=self.window_s,
            walking_regularity=self.walking_regularity,
        )
        self.reason_ = ""
        self.placement_, self.confidence_ = self._decide(self.features_)
        return self

    def _decide(self, feats: dict[str, float]) -> tuple[str, float]:
        if feats["moving_s"] < 2.0:
            self.reason_ = "too little movement to tell where the sensor was worn"
            return UNSUPPORTED_PLACEMENT, 0.0
        impact = feats["acc_p99_mps2"]
        if "gyro_p95_rads" in feats:
            g = feats["gyro_p95_rads"]
            if g >= self.foot_gyro_rads and impact >= self.foot_impact_mps2:
                foot = min(
                    _margin(g, self.foot_gyro_rads, 1.5),
                    _margin(impact, self.foot_impact_mps2, 10.0),
                )
                return "foot", max(foot, 0.5)
            # a thigh tilts fast *and* tells left from right steps apart (a lower
            # back that tilts fast, as in one ipol-gait walker, keeps its steps alike)
            one_leg = feats.get("symmetry", 0.0) <= self.thigh_symmetry
            if g >= self.thigh_gyro_rads and one_leg:
                return "pocket", _margin(g, self.thigh_gyro_rads, 1.0)
            turn = feats.get("reorient_deg", 0.0)
            if turn >= self.lower_back_reorient_deg:
                self.reason_ = (
                    f"the sensor tilted by {turn:.0f} degrees against gravity while walking on "
                    f"(a lower-back sensor stays within {self.lower_back_reorient_deg:.0f}): a "
                    "phone held in the hand cannot be told from a lower-back sensor; "
                    "state the placement if it was worn at the lower back"
                )
                return UNSUPPORTED_PLACEMENT, 0.0
            return "lower_back", _margin(self.thigh_gyro_rads, g, 1.0)
        if "symmetry" not in feats:
            self.reason_ = "no regular walking long enough to tell where the sensor was worn"
            return UNSUPPORTED_PLACEMENT, 0.0
        sym, swing = feats["symmetry"], feats["swing_deg"]
        if sym <= self.thigh_symmetry and swing >= self.thigh_swing_deg:
            if impact >= self.thigh_impact_mps2:
                # the jolt counts too: within 5 m/s^2 above the threshold lie phones
                # carried elsewhere (in the hand up to 18.2, in a bag up to 21.0 m/s^2)
                conf = min(
                    _margin(self.thigh_symmetry, sym, 0.3),
                    _margin(swing, self.thigh_swing_deg, 3.0),
                    _margin(impact, self.thigh_impact_mps2, 5.0),
                )
                return "pocket", conf
            self.reason_ = (
                f"the steps are too soft for a trouser pocket (99th percentile of the "
                f"acceleration norm {impact:.1f} m/s^2, a thigh reaches "
                f"{self.thigh_impact_mps2:.1f}): a phone held in the hand or carried in a bag "
                "cannot be told from a lower-back sensor without a gyroscope"
            )
            return UNSUPPORTED_PLACEMENT, 0.0
        self.reason_ = (
            "without a gyroscope only a trouser pocket can be recognised: a lower-back sensor "
            "moves like a phone in the hand, an arm band, a neck pouch or a bag"
        )
        return UNSUPPORTED_PLACEMENT, 0.0


def placement_features(
    acc_mps2: np.ndarray,
    gyro_rads: np.ndarray | None,
    sampling_rate_hz: float,
    *,
    moving_threshold_mps2: float = 0.8,
    window_s: float = 5.0,
    walking_regularity: float = 0.4,
    walking_windows: bool = True,
) -> dict[str, float]:
    """The statistics :class:`PlacementDetector` decides on.

    ``moving_s`` (seconds moving), ``acc_p99_mps2`` (99th percentile of the
    acceleration norm), ``gyro_p95_rads`` (95th percentile of the tilting
    angular rate while moving; with a gyroscope), and over walking windows:
    ``walking_windows``, ``symmetry`` (median step / stride regularity of the
    norm), ``swing_deg`` (median RMS swing of the gravity direction) and
    ``reorient_deg`` (with a gyroscope, where there are two walking windows in
    a row: the largest turn of the mean gravity direction between two
    overlapping walking windows in a row). ``walking_windows=False`` stops
    before the walking windows (the first three only).
    """
    fs = float(sampling_rate_hz)
    step = max(int(fs // _RATE_HZ), 1)
    acc_full = np.asarray(acc_mps2, dtype=np.float64)
    fs_d = fs / step
    acc = lowpass(acc_full, min(10.0, 0.4 * fs_d), fs)[::step] if step > 1 else acc_full
    gyro = None if gyro_rads is None else np.asarray(gyro_rads, dtype=np.float64)[::step]
    norm = row_norm(acc)
    win = max(int(fs_d), 2)
    kernel = np.ones(win) / win
    mean = np.convolve(norm, kernel, mode="same")
    std = np.sqrt(np.maximum(np.convolve(norm**2, kernel, mode="same") - mean**2, 0.0))
    moving = std > moving_threshold_mps2
    n_moving = int(np.count_nonzero(moving))
    feats: dict[str, float] = {"moving_s": n_moving / fs_d}
    full_norm = row_norm(acc_full[:: max(step // 4, 1)])
    feats["acc_p99_mps2"] = percentile(full_norm, 99) if full_norm.size else 0.0
    if n_moving < 2 * fs_d:
        return feats
    slow = lowpass(acc, 0.3, fs_d)
    up = slow / np.maximum(row_norm(slow)[:, None], 1e-9)
    if gyro is not None:
        # rotation about horizontal axes only: turning the whole body is no clue
        tilt_rate = gyro - _row_dot(gyro, up)[:, None] * up
        feats["gyro_p95_rads"] = percentile(row_norm(tilt_rate)[moving], 95)
    if not walking_windows:
        return feats
    fast = lowpass(acc, 3.0, fs_d)
    fast_up = fast / np.maximum(row_norm(fast)[:, None], 1e-9)
    swing = fast_up - _row_dot(fast_up, up)[:, None] * up
    sym, sw, turn = _walking_windows(
        norm, swing, up, fs_d, window_s, moving_threshold_mps2, walking_regularity
    )
    feats["walking_windows"] = float(len(sym))
    if sym:
        feats["symmetry"] = small_median(np.asarray(sym))
        feats["swing_deg"] = small_median(np.asarray(sw))
    if gyro is not None and turn:
        feats["reorient_deg"] = float(max(turn))
    return feats


def _walking_windows(
    norm: np.ndarray,
    swing: np.ndarray,
    up: np.ndarray,
    fs: float,
    window_s: float,
    moving_threshold: float,
    regularity: float,
) -> tuple[list[float], list[float], list[float]]:
    """Per walking window: step/stride regularity ratio and gravity swing (deg RMS);
    and between each two overlapping walking windows in a row, the angle (deg)
    between their mean gravity directions."""
    w = min(int(window_s * fs), norm.size)
    lo, hi = int(0.7 * fs), min(int(2.4 * fs), int(0.8 * w))
    if w < int(2.0 * fs) or hi <= lo + 2:
        return [], [], []
    # A recording shorter than one window is held to the regularity a whole
    # window would show: over n samples the autocorrelation at lag k is biased
    # low by (n - k) / n, more in a short window than in a whole one.
    lags = np.arange(hi + 1)
    whole = max(int(window_s * fs), w)
    to_whole = (1.0 - lags / whole) / (1.0 - lags / w)
    sym: list[float] = []
    sw: list[float] = []
    turn: list[float] = []
    hop = max(w // 2, 1)
    starts = range(0, norm.size - w + 1, hop)
    # every window's spread and autocorrelation at once: the same reductions
    # and transforms, row by row, as one window at a time
    windows = sliding_rows(norm, w)[::hop]
    moving = _row_std(windows) >= moving_threshold
    acs = np.zeros((len(starts), hi + 1))
    strides = np.zeros(len(starts), dtype=np.intp)
    if moving.any():
        acs[moving] = _autocorrelations(windows[moving], hi)
        strides = lo + acs[:, lo:hi].argmax(axis=1)
    irregular = acs[np.arange(len(starts)), strides] * to_whole[strides] < regularity
    walking = moving & ~irregular
    # every walking window's swing and mean gravity direction at once, its
    # samples gathered as rows (w, windows, 3): the sums over a window's
    # samples go row after row as in a window's own (w, 3) mean, the mean
    # square over its samples along a contiguous row as in its own
    chosen = np.asarray(starts)[walking]
    rows = chosen[None, :] + np.arange(w)[:, None]
    d = swing[rows]
    d -= d.sum(axis=0) / w  # each window's swing less its mean
    d **= 2
    spread = np.ascontiguousarray(np.sum(d, axis=2).T)  # (windows, w)
    swings = np.degrees(np.sqrt(np.add.reduce(spread, axis=1) / w)).tolist()
    means = up[rows].sum(axis=0) / w  # (windows, 3)
    before: np.ndarray | None = None
    at = 0
    for ac, stride, walks in zip(acs, strides.tolist(), walking, strict=True):
        if not walks:
            before = None
            continue
        half, tol = stride // 2, max(int(0.1 * fs), 1)
        step = max(half - tol, 1) + int(ac[max(half - tol, 1) : half + tol + 1].argmax())
        sym.append(float(ac[step] / ac[stride]))
        sw.append(swings[at])
        here = unit_vector(means[at])
        at += 1
        if before is not None:
            cos = min(max(here @ before, -1.0), 1.0)  # np.clip's, on one value
            turn.append(math.degrees(float(np.arccos(cos))))  # np.degrees's one product
        before = here
    return sym, sw, turn


def _autocorrelations(windows: np.ndarray, max_lag: int) -> np.ndarray:
    """Each row's autocorrelation up to ``max_lag``, 1 at lag 0."""
    x = windows - np.add.reduce(windows, axis=1, keepdims=True) / windows.shape[1]  # mean's
    f = np.fft.rfft(x, 2 * x.shape[1], axis=1)
    a = np.fft.irfft(f * np.conj(f), axis=1)[:, : max_lag + 1]
    return a / np.maximum(a[:, :1], 1e-12)


def _row_dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.einsum("ij,ij->i", a, b)`` of ``(n, 3)`` rows: by whole columns
    (:func:`~retrowalk.dsp.rows.row_dot`) when each row's values lie side by side
    in both, as einsum's own sum takes them, else einsum itself."""
    if a.strides[1] == a.itemsize and b.strides[1] == b.itemsize:
        return row_dot(a, b)
    return np.einsum("ij,ij->i", a, b)


def _row_std(windows: np.ndarray) -> np.ndarray:
    """``windows.std(axis=1)`` of ``(m, w)`` float64 rows: numpy's steps (each row's
    sum over ``w``, the squared deviations' sum over ``w``, the root) without its
    per-call set-up."""
    mean = np.add.reduce(windows, axis=1, keepdims=True)
    mean /= windows.shape[1]
    x = np.subtract(windows, mean)
    np.square(x, out=x)
    out = np.add.reduce(x, axis=1)
    out /= windows.shape[1]
    return np.sqrt(out, out=out)


def _margin(value: float, boundary: float, scale: float) -> float:
    """0 at the boundary, rising to 1 at ``scale`` beyond it."""
    return float(np.clip((value - boundary) / scale, 0.0, 1.0))


def stated_placement_conflict(recording: Recording, stated: str) -> str:
    """Why the signal contradicts a stated placement so plainly that no walking
    direction may be told from that placement's method ("" when it does not).

    A placement given by the user or by the file is used as given; but each
    direction method reads the anatomy of its own body part (a thigh's swing,
    the trunk's bends and turns, the toe of a foot), and on another body part
    it can call a walk the wrong way with full confidence. Two contradictions
    are plain enough, both with a gyroscope, both from
    :class:`PlacementDetector`'s statistics (at most the first hour):

    - **A foot stated as a lower back or a pocket.** The detector's own foot
      test (tilting rate and impacts, ``foot_gyro_rads`` and
      ``foot_impact_mps2``). Measured: every foot of ipol-gait (140 files, 12
      people: 5.37-10.8 rad/s, impacts 24.9-82 m/s^2) passes it and no lower
      back, thigh or phone does (ipol-gait, mobgap-lab and motion-capture lower
      backs, motion-capture thighs, an AX6 in a pocket, a phone in the hand:
      129 files, at most 5.09 rad/s, impacts of the ipol-gait lower backs at
      most 23.8 m/s^2: thin margins, so a new lower back may be taken for a
      foot here, which leaves its direction uncertain, never wrong). A foot
      analysed as a pocket had its
      swing read as a thigh's: on ipol-gait 1 of 45 called bouts came out
      backward at 0.85 (trial 2-4, right foot).
    - **A lower back or a thigh stated as a foot.** The device tilts more
      slowly than the detector's thigh threshold (``thigh_gyro_rads``): no
      foot does (the slowest of the 140 ipol-gait feet, 5.37 rad/s, is more
      than twice that; left out one person at a time, the other 11 people's
      slowest foot lies at 5.37-5.85 rad/s, and every left-out person's own
      slowest foot, 5.37-7.96, clears the threshold). The foot method on a lower back found a few
      strides and called some backward (ipol-gait 4-5 at 0.33; mobgap-lab
      MS_001 Test5, its acceleration read with the wrong unit, at 1.0).

    Everything else is left to the stated placement: without a gyroscope a
    lower back, a phone in the hand or a wrist cannot be told apart.
    """
    if recording.gyro_rads is None or stated not in ("lower_back", "pocket", "foot"):
        return ""
    fs = recording.sampling_rate_hz
    n = min(recording.n_samples, int(3600 * fs))
    det = PlacementDetector()
    feats = placement_features(
        recording.acc_mps2[:n], recording.gyro_rads[:n], fs,
        moving_threshold_mps2=det.moving_threshold_mps2, walking_windows=False,
    )  # fmt: skip
    if "gyro_p95_rads" not in feats or feats["moving_s"] < 2.0:
        return ""
    tilt, impact = feats["gyro_p95_rads"], feats["acc_p99_mps2"]
    # the detector's own foot test (its first, with a gyroscope)
    foot = tilt >= det.foot_gyro_rads and impact >= det.foot_impact_mps2
    if stated != "foot" and foot:
        where = "lower back" if stated == "lower_back" else "trouser pocket"
        return (
            f"placement {stated} given, but the device moves like a foot (it tilts at "
            f"{tilt:.1f} rad/s and its impacts reach {impact:.0f} m/s^2; a foot "
            f"{det.foot_gyro_rads:g} and {det.foot_impact_mps2:g} or more, a {where} less): "
            f"the {where}'s marks of the body's front do not apply, so no walking "
            "direction is given; state where the device was worn"
        )
    if stated == "foot" and tilt < det.thigh_gyro_rads:
        return (
            f"placement foot given, but the device tilts at {tilt:.1f} rad/s, more slowly "
            f"than a thigh swings ({det.thigh_gyro_rads:g}) and far more slowly than a "
            f"foot ({det.foot_gyro_rads:g} or more): the toe of a foot cannot be found on "
            "it, so no walking direction is given; state where the device was worn"
        )
    return ""


def resolve_placement(recording: Recording, requested: str) -> tuple[str, float, list[str]]:
    """The placement to analyse with, its confidence and a note.

    A placement given by the user (or the file) wins with confidence 1;
    ``"auto"`` runs :class:`PlacementDetector` on at most the first hour. An
    undecidable placement comes back as :data:`UNSUPPORTED_PLACEMENT` with the
    reason in the note.
    """
    if requested != "auto":
        return requested, 1.0, []
    if recording.placement != "auto":
        return recording.placement, 1.0, [f"placement '{recording.placement}' stated by the file"]
    fs = recording.sampling_rate_hz
    n = min(recording.n_samples, int(3600 * fs))
    gyro = None if recording.gyro_rads is None else recording.gyro_rads[:n]
    det = PlacementDetector().detect(recording.acc_mps2[:n], gyro, fs)
    feats = ", ".join(f"{k}={v:.2f}" for k, v in det.features_.items())
    if det.placement_ == UNSUPPORTED_PLACEMENT:
        note = f"unsupported placement: {det.reason_} ({feats}); steps counted, no direction"
    else:
        note = f"placement detected as {det.placement_} (confidence {det.confidence_:.2f}; {feats})"
    return det.placement_, det.confidence_, [note]
