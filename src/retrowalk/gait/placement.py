"""Where the sensor is worn: lower back, trouser pocket (thigh) or foot.

Each placement leaves a clear mark in rotation-invariant statistics of the
movement, all taken while the person moves (so standing or sitting does not
dilute them):

- **Foot.** The foot swings fast and then rests flat on the ground once per
  stride: angular rate peaks of 5-10 rad/s, impacts above 3 g, and rests with
  near-zero rate in every stride (Skog et al. 2010, IEEE Trans Biomed Eng
  57:2657; Rampp et al. 2015, IEEE Trans Biomed Eng 62:1089).
- **Thigh (pocket).** The thigh pitches by 40-60 degrees each stride
  (Perry & Burnfield 2010, Gait Analysis, ch. 4): angular rate of 2-4 rad/s and a
  gravity direction in device axes that swings strongly with the stride.
- **Lower back.** The pelvis rotates by a few degrees only (Saunders et al.
  1953): angular rate well under 1.5 rad/s and a nearly fixed gravity direction.

Without a gyroscope only the gravity swing and the impacts are used.
"""

from __future__ import annotations

import numpy as np

from retrowalk.core.algorithm import Algorithm
from retrowalk.core.recording import Recording
from retrowalk.dsp.filters import lowpass


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
    foot_tilt_deg
        Without gyroscope a foot also needs this 75th percentile of the swing of
        the gravity direction (feet >= 14 deg, lower backs <= 15.4 deg in daily life).
    thigh_tilt_deg
        75th percentile of the swing of the gravity direction (device axes) around
        its slow average above which the sensor is on a thigh (a thigh pitches by
        +/- 20-30 deg each stride). No real thigh recording was available to check
        it; the confidence of a pocket decision is capped accordingly.

    Attributes
    ----------
    placement_
        ``"lower_back"``, ``"pocket"`` or ``"foot"``.
    confidence_
        0..1: how far the deciding statistic lies from the class boundary.
    features_
        The statistics, for reporting.
    """

    def __init__(
        self,
        *,
        moving_threshold_mps2: float = 0.8,
        foot_gyro_rads: float = 5.3,
        foot_impact_mps2: float = 24.0,
        foot_tilt_deg: float = 13.0,
        thigh_tilt_deg: float = 18.0,
    ) -> None:
        self.moving_threshold_mps2 = moving_threshold_mps2
        self.foot_gyro_rads = foot_gyro_rads
        self.foot_impact_mps2 = foot_impact_mps2
        self.foot_tilt_deg = foot_tilt_deg
        self.thigh_tilt_deg = thigh_tilt_deg

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
        fs = float(sampling_rate_hz)
        step = max(int(fs // 20), 1)  # 20 Hz is plenty for these statistics
        acc = np.asarray(acc_mps2, dtype=np.float64)[::step]
        gyro = None if gyro_rads is None else np.asarray(gyro_rads, dtype=np.float64)[::step]
        fs_d = fs / step
        norm = np.linalg.norm(acc, axis=1)
        win = max(int(fs_d), 2)
        kernel = np.ones(win) / win
        mean = np.convolve(norm, kernel, mode="same")
        std = np.sqrt(np.maximum(np.convolve(norm**2, kernel, mode="same") - mean**2, 0.0))
        moving = std > self.moving_threshold_mps2
        self.features_: dict[str, float] = {"moving_s": float(moving.sum() / fs_d)}
        if moving.sum() < 2 * fs_d:
            self.placement_, self.confidence_ = "lower_back", 0.0
            return self
        fast = lowpass(acc, 2.0, fs_d)
        slow = lowpass(acc, 0.2, fs_d)
        cosang = np.einsum("ij,ij->i", fast, slow) / (
            np.linalg.norm(fast, axis=1) * np.linalg.norm(slow, axis=1)
        ).clip(1e-9)
        tilt = np.degrees(np.arccos(np.clip(cosang, -1.0, 1.0)))[moving]
        full_norm = np.linalg.norm(np.asarray(acc_mps2)[:: max(step // 4, 1)], axis=1)
        feats = self.features_
        feats["tilt_p95_deg"] = float(np.percentile(tilt, 95))
        feats["tilt_p75_deg"] = float(np.percentile(tilt, 75))
        feats["acc_p99_mps2"] = float(np.percentile(full_norm, 99))
        if gyro is not None:
            # rotation about horizontal axes only: turning the whole body is no clue
            up = slow / np.linalg.norm(slow, axis=1, keepdims=True).clip(1e-9)
            tilt_rate = gyro - np.einsum("ij,ij->i", gyro, up)[:, None] * up
            feats["gyro_p95_rads"] = float(
                np.percentile(np.linalg.norm(tilt_rate, axis=1)[moving], 95)
            )
        self.placement_, self.confidence_ = self._decide(feats)
        return self

    def _decide(self, feats: dict[str, float]) -> tuple[str, float]:
        tilt, impact = feats["tilt_p75_deg"], feats["acc_p99_mps2"]
        foot_impact = _margin(impact, self.foot_impact_mps2, 10.0)
        if "gyro_p95_rads" in feats:
            g = feats["gyro_p95_rads"]
            if g >= self.foot_gyro_rads and impact >= self.foot_impact_mps2:
                return "foot", max(min(_margin(g, self.foot_gyro_rads, 1.5), foot_impact), 0.5)
            if tilt >= self.thigh_tilt_deg:
                return "pocket", 0.6 * _margin(tilt, self.thigh_tilt_deg, 8.0)
            back = min(
                max(
                    _margin(self.foot_gyro_rads, g, 2.0),
                    _margin(self.foot_impact_mps2, impact, 6.0),
                ),
                _margin(self.thigh_tilt_deg, tilt, 6.0),
            )
            return "lower_back", back
        if impact >= self.foot_impact_mps2 and tilt >= self.foot_tilt_deg:
            return "foot", 0.5 * foot_impact
        if tilt >= self.thigh_tilt_deg:
            return "pocket", 0.5 * _margin(tilt, self.thigh_tilt_deg, 8.0)
        return "lower_back", 0.7 * _margin(self.thigh_tilt_deg, tilt, 6.0)


def _margin(value: float, boundary: float, scale: float) -> float:
    """0 at the boundary, rising to 1 at ``scale`` beyond it."""
    return float(np.clip((value - boundary) / scale, 0.0, 1.0))


def resolve_placement(recording: Recording, requested: str) -> tuple[str, float, list[str]]:
    """The placement to analyse with, its confidence and a note.

    A placement given by the user (or the file) wins with confidence 1;
    ``"auto"`` runs :class:`PlacementDetector` on at most the first hour.
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
    note = f"placement detected as {det.placement_} (confidence {det.confidence_:.2f}; {feats})"
    return det.placement_, det.confidence_, [note]
