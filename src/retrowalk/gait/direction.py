"""Walking direction (forward or backward) from a device worn in any orientation.

Why this is hard
----------------
Lower-back gait tools (scikit-digital-health, gaitmap, mobgap) fix the sensor's
forward axis by *assuming* forward walking. A sensor worn back to front and a
person walking backwards then look identical. retrowalk must tell them apart
without knowing how the device sits, so every cue below is invariant to any
proper rotation of the device and flips sign when time runs backwards.

Physics of the cue
------------------
Backward walking is close to forward walking played backwards in time: leg
segment angle waveforms backwards are near time-reversed forward waveforms
(Grasso et al. 1998, J Neurophysiol 80:1868), cadence is about unchanged while
steps are shorter and slower (Laufer 2005, J Gerontol A 60:627). The trunk moves
like an inverted pendulum over the stance foot (Zijlstra & Hof 2003, Gait Posture
18:1): after each contact the vertical acceleration peaks while the trunk is
braked, then propelled. The *order* of these events - how the horizontal
acceleration lags or leads the vertical one within a stride - is what time
reversal flips.

Take the circular cross-correlation over one stride (window from the contact
before to the contact after a step, resampled to :data:`STRIDE_POINTS` points)
between the vertical dynamic acceleration ``v(t)`` and the horizontal
acceleration vector ``h(t)``::

    c(tau) = < v(t) h(t + tau) > / (std v * rms |h|)        (a 2-vector)

``c`` turns with the device about the vertical; ``v`` does not depend on the
device at all (:func:`retrowalk.frame.body_frame`). Under time reversal
``c(tau) -> c(-tau)``, so ``o(tau) = c(tau) - c(-tau)`` flips sign and
``e(tau) = c(tau) + c(-tau)`` does not. Both point along the antero-posterior
axis of the body, with a sign that depends on how the device is worn; their dot
product ``o . e`` does not depend on the device, and flips with time direction.

Within one recording a device keeps its place on the body, so the time-even part
``e`` - a fingerprint of the mounting and the person's gait that does not depend
on walking direction - is averaged over all steps of a *stretch of constant
mounting* (``e_bar``). Each step then gives ``o_k(tau) . e_bar(tau)``: the
mounting-dependent cue ``o_k`` (which on its own separates directions perfectly
when the mounting is known, but cannot tell a reversed sensor from reversed
walking) is read against a reference taken from the whole recording. A linear
model *without intercept* combines the lags; because every feature is exactly
odd under time reversal, a time-reversed walk maps score ``s`` to ``-s`` by
construction. The lag weights were fitted leave-subject-out on ipol-gait
(lower back, 12 subjects); the fit is reproduced by ``benchmarks/direction.py
--fit`` and described in ``retrowalk/data/direction_model.json``.

Single classic cues are weak: the skewness of the vertical jerk separates
forward from time-reversed 10 m walks in ~83 % and zero-lag acceleration /
angular-rate correlations in 55-64 % (measured on ipol-gait, see the domain
notes). The phase cue above reaches ~98 % per stride and ~99 % per 10 m bout
under leave-subject-out cross-validation. Gyroscope-based analogues were tried
(vertical acceleration vs horizontal angular rate, yaw rate vs horizontal
acceleration, horizontal acceleration x angular rate) and did not improve
cross-validated accuracy, so the model needs only an accelerometer.

What it cannot promise
----------------------
Validated only on time-reversed forward walking. Real backward walking has
toe-first contact and shorter, slower steps; the method avoids exact mirror
symmetry where it can (features are per stride fraction, so speed and cadence
changes do not move them; no template of forward walking is matched) but a
labelled recording of the person (:mod:`retrowalk.gait.calibration`) is the way
to adapt to a real gait.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from retrowalk.frame import BodyFrame

STRIDE_POINTS = 64
"""Samples per resampled stride window; lags are in units of 1/64 stride."""

MAX_HARMONIC = 6
"""Highest harmonic of the stride frequency kept in the phase features."""

MIN_STRIDE_S = 0.4
MAX_STRIDE_S = 4.0
"""Plausible stride durations (2 steps). Slow backward walking has ~60 steps/min
(stride 2 s); windows outside this range are not used."""

FORWARD = "forward"
BACKWARD = "backward"
UNCERTAIN = "uncertain"


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class DirectionModel:
    """Fitted coefficients of the rotation-invariant direction score.

    Attributes
    ----------
    lags
        Lags (in 1/:data:`STRIDE_POINTS` of a stride) of the phase features.
    weights
        One weight per lag, applied to ``feature / feature_scale``.
    feature_scale
        RMS of each feature over the training steps (a fixed unit, not a centring:
        centring would break the exact time-reversal symmetry).
    logit_gain
        Bout log-odds = ``logit_gain * mean_step_score * sqrt(n_steps)``; fitted on
        cross-validated scores of sub-bouts of 4-20 steps.
    info
        How and on what the model was fitted (free-form, for reports).
    """

    lags: np.ndarray
    weights: np.ndarray
    feature_scale: np.ndarray
    logit_gain: float
    info: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "stride_points": STRIDE_POINTS,
            "lags": [int(x) for x in self.lags],
            "weights": [float(x) for x in self.weights],
            "feature_scale": [float(x) for x in self.feature_scale],
            "logit_gain": float(self.logit_gain),
            "info": self.info,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DirectionModel:
        if int(data.get("stride_points", STRIDE_POINTS)) != STRIDE_POINTS:
            raise ValueError("direction model was fitted with a different stride resolution")
        return cls(
            lags=np.asarray(data["lags"], dtype=np.int64),
            weights=np.asarray(data["weights"], dtype=np.float64),
            feature_scale=np.asarray(data["feature_scale"], dtype=np.float64),
            logit_gain=float(data["logit_gain"]),
            info=dict(data.get("info", {})),
        )


DEFAULT_LAGS = np.arange(1, STRIDE_POINTS // 2, 2)


@lru_cache(maxsize=1)
def default_model() -> DirectionModel:
    """The model shipped in ``retrowalk/data/direction_model.json``."""
    text = resources.files("retrowalk").joinpath("data/direction_model.json").read_text()
    return DirectionModel.from_dict(json.loads(text))


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
    ic = np.unique(np.asarray(ic_samples, dtype=np.int64))
    owner = np.full(ic.shape, -1, dtype=np.int64)
    for b, (start, end) in enumerate(bouts):
        owner[(ic >= start) & (ic <= end)] = b
    return ic, owner


def step_windows(
    ic: np.ndarray, owner: np.ndarray, sampling_rate_hz: float, n_samples: int
) -> StepWindows:
    """Stride windows ``[ic[k-1], ic[k+1]]`` for every step of every bout.

    The first and last step of a bout use the nearest complete window inside the
    bout. Windows with an implausible duration (:data:`MIN_STRIDE_S`,
    :data:`MAX_STRIDE_S`), e.g. across a missed contact, are dropped.
    """
    idx = np.arange(ic.size)
    if ic.size < 3:
        empty = np.zeros(0, dtype=np.int64)
        return StepWindows(empty, empty, empty, empty)
    # Position of each step within its bout and the bout's number of steps.
    change = np.r_[True, owner[1:] != owner[:-1]]
    run_id = np.cumsum(change) - 1
    run_start = idx[change]
    run_len = np.diff(np.r_[run_start, ic.size])
    pos = idx - run_start[run_id]
    n_in = run_len[run_id]
    ok = (owner >= 0) & (n_in >= 3)
    centre = np.clip(pos, 1, n_in - 2) + run_start[run_id]
    lo = np.clip(centre - 1, 0, ic.size - 1)
    hi = np.clip(centre + 1, 0, ic.size - 1)
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


def phase_correlation(frame: BodyFrame, windows: StepWindows) -> np.ndarray:
    """Normalised circular cross-correlation ``c(tau)`` of ``v`` and ``h`` per window.

    Returns
    -------
    ``(k, STRIDE_POINTS, 2)`` array; ``c[k, tau] = <v(t) h(t + tau)>`` over the
    window, divided by ``std(v) * rms|h|`` so it is dimensionless (amplitudes
    change with speed, person and placement; the phase relation much less).
    """
    x = np.column_stack([frame.acc_vertical_mps2, frame.acc_horizontal_mps2])
    seg = resample_windows(x, windows.start, windows.end)
    seg = seg - seg.mean(axis=1, keepdims=True)
    spec = np.fft.rfft(seg, axis=1)
    spec[:, MAX_HARMONIC + 1 :] = 0.0
    seg = np.fft.irfft(spec, n=STRIDE_POINTS, axis=1)
    cross = np.conj(spec[..., :1]) * spec[..., 1:]
    c = np.fft.irfft(cross, n=STRIDE_POINTS, axis=1) / STRIDE_POINTS
    sv = np.sqrt((seg[..., 0] ** 2).mean(axis=1))
    sh = np.sqrt((seg[..., 1:] ** 2).sum(axis=2).mean(axis=1))
    return c / np.maximum(sv * sh, 1e-12)[:, None, None]


def odd_even_parts(c: np.ndarray, lags: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Time-odd ``c(tau) - c(-tau)`` and time-even ``c(tau) + c(-tau)`` at ``lags``."""
    plus = c[:, lags]
    minus = c[:, (STRIDE_POINTS - lags) % STRIDE_POINTS]
    return plus - minus, plus + minus


def mounting_stretches(
    frame: BodyFrame, bouts: list[tuple[int, int]], max_tilt_change_deg: float = 30.0
) -> np.ndarray:
    """Label consecutive bouts that share one mounting of the device.

    A device moved on the body (phone taken out and put back) shows as a jump of
    the gravity direction in device axes between bouts. Consecutive bouts whose
    mean ``up`` differs by less than ``max_tilt_change_deg`` share a stretch.
    A turn of the device about the vertical alone is not visible to gravity; it
    only weakens the reference (less confident answers), it does not flip it.
    """
    labels = np.zeros(len(bouts), dtype=np.int64)
    if not bouts:
        return labels
    ups = []
    for start, end in bouts:
        seg = frame.up_unit[max(start, 0) : max(end, start + 1)]
        mean = seg.mean(axis=0) if seg.size else np.array([0.0, 0.0, 1.0])
        ups.append(mean / max(np.linalg.norm(mean), 1e-12))
    cos_max = np.cos(np.deg2rad(max_tilt_change_deg))
    for b in range(1, len(bouts)):
        jump = float(ups[b] @ ups[b - 1]) < cos_max
        labels[b] = labels[b - 1] + int(jump)
    return labels


@dataclass(frozen=True)
class StepFeatures:
    """Rotation-invariant, time-odd features of every usable step.

    Attributes
    ----------
    windows
        The stride windows the features come from.
    features
        ``(k, n_lags)``: ``o_k(tau) . e_bar(tau)`` per step and lag.
    stretch
        Mounting stretch of each bout.
    """

    windows: StepWindows
    features: np.ndarray
    stretch: np.ndarray


def step_features(
    frame: BodyFrame,
    bouts: list[tuple[int, int]],
    ic_samples: np.ndarray,
    lags: np.ndarray = DEFAULT_LAGS,
    max_tilt_change_deg: float = 30.0,
) -> tuple[np.ndarray, np.ndarray, StepFeatures]:
    """Per-step phase features for all bouts at once (vectorised).

    Returns
    -------
    ic, owner
        Sorted contacts and their bout (see :func:`assign_steps`).
    features
        :class:`StepFeatures` for the steps with a valid stride window.
    """
    ic, owner = assign_steps(bouts, ic_samples)
    windows = step_windows(ic, owner, frame.sampling_rate_hz, frame.n_samples)
    stretch = mounting_stretches(frame, bouts, max_tilt_change_deg)
    if windows.step_index.size == 0:
        return ic, owner, StepFeatures(windows, np.zeros((0, lags.size)), stretch)
    c = phase_correlation(frame, windows)
    odd, even = odd_even_parts(c, lags)
    step_stretch = stretch[windows.bout_index]
    n_stretch = int(stretch.max()) + 1 if stretch.size else 0
    ref = np.zeros((n_stretch, lags.size, 2))
    np.add.at(ref, step_stretch, even)
    counts = np.bincount(step_stretch, minlength=n_stretch).clip(1)
    ref /= counts[:, None, None]
    feats = np.einsum("kli,kli->kl", odd, ref[step_stretch])
    return ic, owner, StepFeatures(windows, feats, stretch)


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
    u = np.clip(np.asarray(score, dtype=np.float64), -clip, clip)
    cuts: list[int] = []

    def search(lo: int, hi: int) -> None:
        n = hi - lo
        if n < 2 * min_steps:
            return
        seg = u[lo:hi]
        j = np.arange(1, n)
        left = np.cumsum(seg)[:-1]
        # CUSUM: departure of the partial sums from a constant-mean line; twice it
        # equals the sign-disagreement gain for two opposite halves and also finds
        # the first change of a forward-backward-forward sequence.
        gain = 2.0 * np.abs(left - j * seg.sum() / n)
        gain[(j < min_steps) | (n - j < min_steps)] = 0.0
        best = int(np.argmax(gain))
        if gain[best] < penalty:
            return
        cut = lo + best + 1
        cuts.append(cut)
        search(lo, cut)
        search(cut, hi)

    search(0, u.size)
    return sorted(cuts)


# ------------------------------------------------------------------ classifier


def _sigmoid(x: np.ndarray | float) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=np.float64)))


@dataclass(frozen=True)
class DirectionResult:
    """Direction of each bout (after splitting) and of each step.

    Mirrors the fitted attributes of :class:`WalkingDirectionClassifier`.
    """

    split_bouts: list[tuple[int, int]]
    bout_direction: list[str]
    bout_confidence: list[float]
    bout_score: list[float]
    step_samples: np.ndarray
    step_direction: np.ndarray
    step_confidence: np.ndarray
    step_score: np.ndarray
    source_bout: list[int]


class WalkingDirectionClassifier:
    """Forward / backward / uncertain per bout and per step, any device orientation.

    Parameters
    ----------
    min_steps_for_decision
        Bouts (after splitting) with fewer contacts are ``"uncertain"``.
    min_confidence
        Below this probability of the more likely direction a bout is
        ``"uncertain"``: the method says so rather than guessing.
    split
        Split bouts where the direction changes (interval training).
    split_min_steps, split_penalty
        See :func:`find_direction_changes` (applied to per-step log-odds,
        ``logit_gain * step score``); a change needs ``split_min_steps``
        consistent steps on each side.
    max_tilt_change_deg
        See :func:`mounting_stretches`.
    model
        Coefficients; the shipped :func:`default_model` when ``None``.

    Attributes
    ----------
    split_bouts_ : list of (int, int)
        Bouts after splitting at direction changes; the bout outputs refer to these.
    source_bout_ : list of int
        For each split bout, the index of the input bout it came from.
    bout_direction_, bout_confidence_, bout_score_ : list
        Per split bout: label, probability of the label being right (0.5-1; the
        probability of the more likely direction for ``"uncertain"``, 0.5 when
        there is no evidence), and log-odds of forward.
    step_samples_ : ndarray
        The contacts as given (the step outputs follow their order).
    step_direction_, step_confidence_ : ndarray
        Per contact: the direction and confidence of its split bout
        (``"uncertain"``/0.5 outside all bouts); single strides carry too little
        evidence to be trusted on their own (~98 % correct).
    step_score_ : ndarray
        Per contact: the raw stride score (positive = forward, ``nan`` without a
        usable stride window).
    """

    def __init__(
        self,
        min_steps_for_decision: int = 4,
        *,
        min_confidence: float = 0.8,
        split: bool = True,
        split_min_steps: int = 4,
        split_penalty: float = 10.0,
        max_tilt_change_deg: float = 30.0,
        model: DirectionModel | None = None,
    ) -> None:
        self.min_steps_for_decision = min_steps_for_decision
        self.min_confidence = min_confidence
        self.split = split
        self.split_min_steps = split_min_steps
        self.split_penalty = split_penalty
        self.max_tilt_change_deg = max_tilt_change_deg
        self.model = model

    # The profile type lives in calibration.py, which imports this module.
    def classify(
        self,
        frame: BodyFrame,
        bouts: list[tuple[int, int]],
        ic_samples: np.ndarray,
        *,
        profile: Any = None,
    ) -> WalkingDirectionClassifier:
        """Classify every bout and every contact.

        Parameters
        ----------
        frame
            :func:`retrowalk.frame.body_frame` of the recording.
        bouts
            ``(start, end)`` sample indices of walking bouts.
        ic_samples
            Initial contacts (sample indices) of both feet.
        profile
            Optional :class:`retrowalk.gait.calibration.DirectionProfile`: its
            person-adapted weights, offset and gain replace the model's.
        """
        model = self.model or default_model()
        weights, offset, gain = model.weights, 0.0, model.logit_gain
        if profile is not None:
            weights = np.asarray(profile.weights, dtype=np.float64)
            offset = float(profile.offset)
            gain = float(profile.logit_gain)
        bouts = [(int(a), int(b)) for a, b in bouts]
        ic, owner, sf = step_features(
            frame, bouts, ic_samples, model.lags, self.max_tilt_change_deg
        )
        score = np.full(ic.size, np.nan)
        if sf.features.size:
            score[sf.windows.step_index] = (sf.features / model.feature_scale) @ weights - offset

        split_bouts: list[tuple[int, int]] = []
        source: list[int] = []
        for b, (start, end) in enumerate(bouts):
            members = np.flatnonzero(owner == b)
            cuts: list[int] = []
            if self.split and members.size:
                s = score[members]
                valid = np.isfinite(s)
                local = find_direction_changes(
                    gain * s[valid], min_steps=self.split_min_steps, penalty=self.split_penalty
                )
                cuts = [int(np.flatnonzero(valid)[c]) for c in local]
                cuts = self._confirmed_cuts(s, cuts, gain)
            edges = [start]
            for c in cuts:
                k = members[c]
                edges.append(int((ic[k - 1] + ic[k]) // 2) if k > 0 else int(ic[k]))
            edges.append(end)
            for a, z in itertools.pairwise(edges):
                split_bouts.append((a, z))
                source.append(b)

        # Contacts -> split bouts (later bout wins on a shared edge, as in assign_steps).
        _, split_owner = assign_steps(split_bouts, ic)
        step_dir = np.full(ic.size, UNCERTAIN, dtype=object)
        step_conf = np.full(ic.size, 0.5)
        directions: list[str] = []
        confidences: list[float] = []
        logits: list[float] = []
        for j in range(len(split_bouts)):
            members = np.flatnonzero(split_owner == j)
            s = score[members]
            s = s[np.isfinite(s)]
            logit = float(gain * s.mean() * np.sqrt(s.size)) if s.size else 0.0
            p = float(_sigmoid(logit))
            conf = max(p, 1.0 - p)
            if members.size < self.min_steps_for_decision or conf < self.min_confidence:
                label = UNCERTAIN
            else:
                label = FORWARD if p >= 0.5 else BACKWARD
            directions.append(label)
            confidences.append(conf)
            logits.append(logit)
            step_dir[members] = label
            step_conf[members] = conf

        # One output per input contact, in the input order (duplicates share one).
        requested = np.asarray(ic_samples, dtype=np.int64).ravel()
        back = np.searchsorted(ic, requested) if ic.size else np.zeros(0, dtype=np.int64)
        self.split_bouts_ = split_bouts
        self.source_bout_ = source
        self.bout_direction_ = directions
        self.bout_confidence_ = confidences
        self.bout_score_ = logits
        self.step_samples_ = requested
        self.step_direction_ = step_dir[back].astype(str)
        self.step_confidence_ = step_conf[back]
        self.step_score_ = score[back]
        return self

    def _confirmed_cuts(self, score: np.ndarray, cuts: list[int], gain: float) -> list[int]:
        """Keep the cuts only if every part is confidently opposite to its neighbours.

        A change of direction is reported only when the evidence on both sides of
        it would on its own give confident, opposite answers; otherwise the bout
        stays whole (a run of poor strides is not a direction change).
        """
        if not cuts:
            return cuts
        signs = []
        for part in np.split(score, cuts):
            part = part[np.isfinite(part)]
            if part.size < self.min_steps_for_decision:
                return []
            p = float(_sigmoid(gain * part.mean() * np.sqrt(part.size)))
            if max(p, 1.0 - p) < self.min_confidence:
                return []
            signs.append(p >= 0.5)
        if any(a == b for a, b in itertools.pairwise(signs)):
            return []
        return cuts

    @property
    def result_(self) -> DirectionResult:
        """The fitted attributes as one immutable object."""
        return DirectionResult(
            split_bouts=self.split_bouts_,
            bout_direction=self.bout_direction_,
            bout_confidence=self.bout_confidence_,
            bout_score=self.bout_score_,
            step_samples=self.step_samples_,
            step_direction=self.step_direction_,
            step_confidence=self.step_confidence_,
            step_score=self.step_score_,
            source_bout=self.source_bout_,
        )


def classify_bouts(
    recording: Any,
    bouts: list[tuple[int, int]],
    ic_samples: np.ndarray | None = None,
    *,
    profile: Any = None,
) -> list[tuple[str, float]]:
    """One ``(direction, confidence)`` per input bout, without splitting.

    Convenience for pipelines that keep their own bouts. ``ic_samples`` are
    needed (stride windows come from them); without them every bout is
    ``"uncertain"``. Prefer :class:`WalkingDirectionClassifier`, which also
    splits bouts at direction changes.
    """
    from retrowalk.frame import body_frame

    if ic_samples is None or len(bouts) == 0:
        return [(UNCERTAIN, 0.5) for _ in bouts]
    frame = body_frame(recording.acc_mps2, recording.gyro_rads, recording.sampling_rate_hz)
    clf = WalkingDirectionClassifier(split=False).classify(
        frame, bouts, np.asarray(ic_samples), profile=profile
    )
    return list(zip(clf.bout_direction_, clf.bout_confidence_, strict=True))
