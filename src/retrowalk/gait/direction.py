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
axis of the body (``c`` is computed in device axes, so these are 3-vectors in the
horizontal plane that turn with the device), with a sign that depends on how the
device is worn; their dot product ``o . e`` does not depend on the device, and
flips with time direction.

Deciding a recording, not a step
--------------------------------
``o_k`` alone is a *mounting-dependent* cue: it follows the travel direction
relative to the device and separates directions almost perfectly once the
mounting is known, but cannot tell a reversed device from reversed walking.
Within one recording a device keeps its place on the body (a jump of the gravity
direction in device axes starts a new *stretch*), so per stretch:

1. the principal axis ``u`` of all non-turning steps' ``o_k`` (forward and
   backward steps give opposite vectors on the same axis) and each step's
   ``o_k . u`` in noise units tell *which bouts share a direction*; bouts are
   split where this cue changes sign for good (interval training);
2. the time-arrow score - ``o_k . e_bar`` with ``e_bar`` the stretch mean of
   ``e`` - pooled over all steps of the stretch, each bout aligned by its
   share-sign, sets the *one remaining sign*. A linear model *without
   intercept* combines the lags (fitted leave-subject-out on ipol-gait, lower
   back, 12 subjects; ``benchmarks/direction.py --fit``,
   ``retrowalk/data/direction_model.json``); every feature is exactly odd under
   time reversal, so a time-reversed walk maps score ``s`` to ``-s``;
3. a daily-life prior (a recording with several bouts is dominantly forward)
   may only withhold a weakly supported backward call ("uncertain"), never make
   a call; see :class:`WalkingDirectionClassifier`.

Transfer to a new person
------------------------
Step 2 is the only place where a person-dependent cue decides, and it is the
weak link: on ipol-gait (leave-subject-out) the mean stride score of a subject
is 2.2-7.4 (SD 1.6 between subjects, all positive), but on other people and
devices it can be a tenth of that and of either sign (mobgap-lab, never fitted
on: straight forward walks of one person scored -0.37 and +0.35 on two trials).
Pooling many steps then makes a *consistently wrong* sign look certain: the
logistic ``gain * mean * sqrt(n)`` only knows the step-to-step noise, not the
person-to-person spread. Two measures, both set on ipol leave-subject-out:

- *tempered confidence* (:func:`transfer_logit`): with probability
  ``epsilon`` the cue carries no information for this person and the pooled
  answer is a coin toss. ``epsilon`` is the rule of succession on the
  leave-subject-out outcome (0 of 12 subjects wrong: 1/14), so without a
  calibration no call is surer than about 0.96. A Gaussian spread of the
  per-subject means was considered and not used: it puts the chance of a sign
  flip at ``Phi(-4.7 / 1.6) ~ 0.002``, a tail estimate from 12 people that
  assumes the cue's scale carries over to other people and devices, which it
  visibly does not;
- *asymmetric decision* (``min_backward_confidence``, 0.9): without a
  calibration a bout is called backward only at probability 0.9 with and
  without the daily-life prior, forward at ``min_confidence`` (0.8). A false
  "backward" on everyday forward walking is the costlier error (most walking
  is forward), and weaker backward evidence is reported as "uncertain" with a
  note, never as forward. The margin is bounded by the weakest time-reversed
  ipol bout: leave-subject-out (all rotations, also slowed to 60 % and 60 %
  physical) its tempered probability of backward is 0.955, against a cap of
  0.96 (``benchmarks/direction.py`` prints it), so every reversed ipol leg
  still comes out backward. A margin above that cap would make every
  uncalibrated backward call impossible.

Together they take a daily-life recording whose pooled score leans backward by
a few log-odds (log-odds -5 over 45 aligned steps, a per-step mean of -0.26:
inside the range ipol never produces for forward walking but small against the
between-subject spread) to "uncertain" once the daily-life prior applies. A
*single* forward walk of a person for whom the cue is inverted as strongly as
for the weakest ipol subject is reversed is indistinguishable from a
time-reversed walk and is still called backward (one such mobgap-lab walk,
at 0.957, more than the weakest reversed ipol bout); only a calibration helps
there.

Detected bouts in daily life are long and include turns (about half of their
stride windows exceed :data:`MAX_TURN_RATE_RADS` and are dropped), and the
mounting cue of a bout with few straight steps is weak (``|z|`` of 1-2 where
bouts with many straight steps give 7 or more); such a bout's share-sign is uncertain, which
the pooled sign weights by ``|tanh(rho / 2)|``.

A single odd bout therefore flips only when its own mounting cue says clearly
that it travels opposite to the rest. Steps with a mean yaw rate above
:data:`MAX_TURN_RATE_RADS` (turns) are ignored by both cues.

What the time-arrow cue detects: a caveat for real backward walking
--------------------------------------------------------------------
A rotation-invariant cue that flips under time reversal detects the *arrow of
time*. In real backward walking time still runs forward: foot contacts are
still collisions whose braking opposes the travel, whichever way the body
faces, and the inverted-pendulum vault follows the travel too. Both are
*travel-fixed*: in device axes they flip with the travel, exactly as if the
device had been turned round. Only body-fixed kinematics - leg segment angle
waveforms, which reverse in backward walking (Grasso et al. 1998) - behave like
time reversal. If ``e`` (and the part of ``o`` the weights use) is dominated by
the collision rather than by body-fixed kinematics, then in real backward
walking ``o`` and ``e`` *both* flip relative to the device, ``o . e`` does not,
and the time-arrow cue would call real backward walking "forward" while
passing every time-reversal benchmark. A pure inverted pendulum has vertical
and antero-posterior acceleration 90 deg apart at the step frequency, where
the cue vanishes; the cue lives in the deviations from it, which is consistent
with it being weak and person-dependent (mobgap-lab). No labelled real
backward lower-back recording is available to settle this.

The design is robust to both possibilities where it can be:

- which bouts share a direction (step 1) uses ``o`` alone, which follows the
  *travel* under both hypotheses, and so do the splits at direction changes;
- the recording-level sign (step 2) pools the time-arrow cue over aligned
  bouts: if the cue detects body kinematics every bout votes the right way; if
  it detects the arrow of time, real backward bouts vote against their group,
  and the sign still comes out right while forward walking dominates the
  recording (daily life), but not for an evenly mixed interval session;
- a calibration (:mod:`retrowalk.gait.calibration`) learns the device-frame
  body-forward axis from ``o`` on a labelled walk; later bouts are then
  classified by their travel sign along that axis, which is valid for real
  backward walking under either hypothesis. With a profile the time-arrow cue
  is not used.

Single classic cues are weak: the skewness of the vertical jerk separates
forward from time-reversed 10 m walks in ~83 % and zero-lag acceleration /
angular-rate correlations in 55-64 % (measured on ipol-gait, see the domain
notes). Gyroscope-based analogues of the phase cue (vertical acceleration vs
horizontal angular rate, yaw rate vs horizontal acceleration) did not improve
cross-validated accuracy, so the model needs only an accelerometer (the
gyroscope only marks turning steps).

What it cannot promise
----------------------
Validated only on time-reversed forward walking (ipol-gait: every bout right,
leave-subject-out; mobgap-lab, never fitted on, reference bouts: ~74 % of
forward bouts right, 5 % wrong: the one straight walk whose cue is inverted;
no daily-life forward bout called backward). Real
backward walking has toe-first contact and shorter, slower steps, and the
caveat above. A labelled recording of the person (calibration) is the way to
results that hold for real backward walking.
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from retrowalk.frame import BodyFrame, _horizontal_basis

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
    transfer_failures, transfer_subjects
        Of ``transfer_subjects`` training subjects, how many got the wrong pooled
        sign when left out of the fit (leave-subject-out). They set
        :attr:`transfer_epsilon`.
    """

    lags: np.ndarray
    weights: np.ndarray
    feature_scale: np.ndarray
    logit_gain: float
    info: dict[str, Any] = field(default_factory=dict)
    transfer_failures: int = 0
    transfer_subjects: int = 0

    @property
    def transfer_epsilon(self) -> float:
        """Chance that the time-arrow cue carries no information for a new person.

        Rule of succession on the leave-subject-out outcome,
        ``(failures + 1) / (subjects + 2)`` (``0`` when unknown): with 0 failures
        in 12 subjects, 1/14. See :func:`transfer_logit`.
        """
        if self.transfer_subjects <= 0:
            return 0.0
        return (self.transfer_failures + 1.0) / (self.transfer_subjects + 2.0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "stride_points": STRIDE_POINTS,
            "lags": [int(x) for x in self.lags],
            "weights": [float(x) for x in self.weights],
            "feature_scale": [float(x) for x in self.feature_scale],
            "logit_gain": float(self.logit_gain),
            "transfer_failures": int(self.transfer_failures),
            "transfer_subjects": int(self.transfer_subjects),
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
            transfer_failures=int(data.get("transfer_failures", 0)),
            transfer_subjects=int(data.get("transfer_subjects", 0)),
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


def horizontal_device(frame: BodyFrame) -> np.ndarray:
    """``(n, 3)`` horizontal acceleration in device axes (``acc`` minus its vertical part).

    The 2-D horizontal signal of :class:`~retrowalk.frame.BodyFrame` is embedded
    back into device axes with the same basis :func:`retrowalk.frame.body_frame`
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
    """
    x = np.column_stack([frame.acc_vertical_mps2, horizontal_device(frame)])
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


def _unit_ups(ups: np.ndarray) -> np.ndarray:
    return ups / np.linalg.norm(ups, axis=1, keepdims=True).clip(1e-12)


def bout_ups(frame: BodyFrame, bouts: list[tuple[int, int]]) -> np.ndarray:
    """``(n_bouts, 3)`` mean ``up`` direction in device axes of each bout."""
    ups = np.tile([0.0, 0.0, 1.0], (len(bouts), 1))
    for b, (start, end) in enumerate(bouts):
        seg = frame.up_unit[max(start, 0) : max(end, start + 1)]
        if seg.size:
            ups[b] = seg.mean(axis=0)
    return _unit_ups(ups)


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
    """

    ic: np.ndarray
    owner: np.ndarray
    windows: StepWindows
    odd: np.ndarray
    even: np.ndarray
    turning: np.ndarray
    bout_up: np.ndarray

    @classmethod
    def concat(cls, parts: list[StepEvidence]) -> StepEvidence:
        """Evidence of disjoint, time-ordered bout sets as one (bout indices renumbered)."""
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
            for name in ("odd", "even", "turning", "bout_up"):
                fields[name].append(getattr(p, name))
            n_ic += p.ic.size
            n_bouts += p.bout_up.shape[0]
        if not parts:
            return _empty_evidence(0, np.zeros(0, dtype=np.int64), DEFAULT_LAGS.size)
        cat = {k: np.concatenate(v) for k, v in fields.items()}
        windows = StepWindows(cat["step"], cat["bout"], cat["start"], cat["end"])
        return cls(
            cat["ic"], cat["owner"], windows, cat["odd"], cat["even"], cat["turning"],
            cat["bout_up"],
        )  # fmt: skip

    def shifted(self, offset: int) -> StepEvidence:
        """The same evidence with every sample index moved by ``offset``."""
        w = self.windows
        moved = StepWindows(w.step_index, w.bout_index, w.start + offset, w.end + offset)
        return StepEvidence(
            self.ic + offset, self.owner, moved, self.odd, self.even, self.turning, self.bout_up
        )


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
        return StepEvidence(ic, owner, ev.windows, ev.odd, ev.even, ev.turning, ups)
    c = phase_correlation(frame, windows)
    odd, even = odd_even_parts(c, lags)
    turning = np.zeros(windows.start.size, dtype=bool)
    if frame.gyro_vertical_rads is not None and max_turn_rate_rads is not None:
        cum = np.concatenate([[0.0], np.cumsum(frame.gyro_vertical_rads)])
        rate = (cum[windows.end] - cum[windows.start]) / (windows.end - windows.start)
        turning = np.abs(rate) > max_turn_rate_rads
    return StepEvidence(ic, owner, windows, odd, even, turning, ups)


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


def robust_scale(x: np.ndarray) -> float:
    """Noise level of a step sequence from successive differences (ignores level changes)."""
    x = x[np.isfinite(x)]
    if x.size < 3:
        return float(np.sqrt(np.mean(x**2))) if x.size else 1.0
    return max(float(np.median(np.abs(np.diff(x)))) / 0.954, 1e-12)


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
    """Per-step time-arrow features for all bouts at once (for fitting the model).

    All steps are used (also turning ones), as when the model was fitted.
    """
    ev = step_evidence(frame, bouts, ic_samples, lags, max_turn_rate_rads=None)
    stretch = stretches_from_ups(ev.bout_up, max_tilt_change_deg)
    return ev.ic, ev.owner, StepFeatures(ev.windows, arrow_features(ev, stretch), stretch)


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


def _logit(p: float) -> float:
    p = min(max(p, 1e-12), 1.0 - 1e-12)
    return float(np.log(p / (1.0 - p)))


def transfer_logit(logit: float, epsilon: float) -> float:
    """Log-odds of forward for a new person, given the model's pooled log-odds.

    The time-arrow cue was fitted on a dozen people; for a new person it may
    carry no information at all (its sign and size vary between people). With
    probability ``epsilon`` (:attr:`DirectionModel.transfer_epsilon`) the answer
    is a coin toss, otherwise the model's::

        p = (1 - epsilon) * sigmoid(logit) + epsilon / 2

    so no amount of the person's own steps gives more than ``1 - epsilon / 2``
    (about 0.96 for 1/14): strong calls need evidence that the cue works for
    *this* person, which only a calibration gives.
    """
    p = (1.0 - epsilon) * float(_sigmoid(logit)) + 0.5 * epsilon
    return _logit(p)


NORMAL_TO_LOGIT = 1.6
"""A mean ``z`` noise units from zero has its sign right with probability about
``Phi(z) ~ sigmoid(1.6 z)`` (logistic approximation of the normal distribution)."""

MAX_RELATIVE_LOGIT = 30.0
"""Cap on the mounting-cue log-odds of one bout."""


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
    notes: list[str] = field(default_factory=list)


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
        See :func:`find_direction_changes`, applied to the mounting cue of each
        step in noise units (clipped to +-2, halved); a change needs
        ``split_min_steps`` consistent steps on each side.
    split_confidence
        Each part of a split bout must on its own give this probability of
        travelling opposite to its neighbours.
    max_tilt_change_deg
        See :func:`mounting_stretches`.
    max_turn_rate_rads
        Steps with a larger mean yaw rate (turning) are not used as evidence
        (needs a gyroscope; ``None`` uses all steps).
    min_backward_confidence
        Without a calibration profile, a bout is called ``"backward"`` only with
        at least this probability (``"forward"`` needs ``min_confidence``): the
        recording-level sign then comes from a cue that does not hold for every
        person, and a false "backward" on everyday forward walking is the
        costlier error. Weaker backward evidence gives ``"uncertain"`` with a note.
    forward_prior_logit, prior_min_bouts
        Log-odds that the larger of the two travel groups of a stretch is
        forward, used only for stretches with at least ``prior_min_bouts``
        decided-size bouts (daily-life recordings are dominantly forward walking;
        a single test walk carries no such prior). The prior never makes a call:
        a bout is called backward only if it is backward with and without the
        prior, so the prior only turns weakly supported backward calls into
        ``"uncertain"``. ``0`` disables it.
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
    bout_calibrated_ : list of bool
        Per split bout: decided by a calibration profile.
    step_samples_ : ndarray
        The contacts as given (the step outputs follow their order).
    step_direction_, step_confidence_ : ndarray
        Per contact: the direction and confidence of its split bout
        (``"uncertain"``/0.5 outside all bouts).
    step_score_ : ndarray
        Per contact: the raw time-arrow stride score (positive = forward, ``nan``
        without a usable, non-turning stride window).
    step_mounting_ : ndarray
        Per contact: the mounting cue in noise units (sign = travel along the
        stretch's reference axis, or along body-forward with a profile).
    notes_ : list of str
        What was assumed (prior, profile used or refused).
    """

    def __init__(
        self,
        min_steps_for_decision: int = 4,
        *,
        min_confidence: float = 0.8,
        split: bool = True,
        split_min_steps: int = 4,
        split_penalty: float = 10.0,
        split_confidence: float = 0.99,
        max_tilt_change_deg: float = 30.0,
        max_turn_rate_rads: float | None = MAX_TURN_RATE_RADS,
        min_backward_confidence: float = 0.9,
        forward_prior_logit: float = 3.0,
        prior_min_bouts: int = 3,
        model: DirectionModel | None = None,
    ) -> None:
        self.min_steps_for_decision = min_steps_for_decision
        self.min_confidence = min_confidence
        self.split = split
        self.split_min_steps = split_min_steps
        self.split_penalty = split_penalty
        self.split_confidence = split_confidence
        self.max_tilt_change_deg = max_tilt_change_deg
        self.max_turn_rate_rads = max_turn_rate_rads
        self.min_backward_confidence = min_backward_confidence
        self.forward_prior_logit = forward_prior_logit
        self.prior_min_bouts = prior_min_bouts
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
            Optional :class:`retrowalk.gait.calibration.DirectionProfile`: where
            the recording's mounting matches it, bouts are labelled by their
            travel along the calibrated body-forward axis.
        """
        model = self.model or default_model()
        bouts = [(int(a), int(b)) for a, b in bouts]
        ev = step_evidence(frame, bouts, ic_samples, model.lags, self.max_turn_rate_rads)
        return self.classify_evidence(ev, bouts, ic_samples, profile=profile)

    def classify_evidence(
        self,
        ev: StepEvidence,
        bouts: list[tuple[int, int]],
        ic_samples: np.ndarray,
        *,
        profile: Any = None,
    ) -> WalkingDirectionClassifier:
        """Classify from precomputed :class:`StepEvidence` (e.g. of many bout pieces)."""
        model = self.model or default_model()
        bouts = [(int(a), int(b)) for a, b in bouts]
        ic, owner, w = ev.ic, ev.owner, ev.windows
        stretch = stretches_from_ups(ev.bout_up, self.max_tilt_change_deg)
        use = ~ev.turning
        arrow = np.full(ic.size, np.nan)
        if use.any():
            feats = arrow_features(ev, stretch)
            arrow[w.step_index[use]] = (feats[use] / model.feature_scale) @ model.weights
        mounting, absolute, notes = self._mounting_cue(ev, stretch, use, profile)

        split_bouts: list[tuple[int, int]] = []
        source: list[int] = []
        for b, (start, end) in enumerate(bouts):
            members = np.flatnonzero(owner == b)
            cuts: list[int] = []
            if self.split and members.size:
                r = mounting[members]
                valid = np.flatnonzero(np.isfinite(r))
                local = find_direction_changes(
                    np.clip(r[valid], -2.0, 2.0) / 2.0,
                    min_steps=self.split_min_steps,
                    penalty=self.split_penalty,
                )
                cuts = self._confirmed_cuts(r, [int(valid[c]) for c in local])
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
        n_split = len(split_bouts)
        rho = np.zeros(n_split)
        arrow_sum = np.zeros(n_split)
        n_arrow = np.zeros(n_split)
        n_members = np.zeros(n_split, dtype=np.int64)
        for j in range(n_split):
            members = np.flatnonzero(split_owner == j)
            n_members[j] = members.size
            r = mounting[members]
            r = r[np.isfinite(r)]
            if r.size:
                z = r.mean() * np.sqrt(r.size)
                rho[j] = np.clip(NORMAL_TO_LOGIT * z, -MAX_RELATIVE_LOGIT, MAX_RELATIVE_LOGIT)
            s = arrow[members]
            s = s[np.isfinite(s)]
            arrow_sum[j], n_arrow[j] = s.sum(), s.size

        split_stretch = stretch[np.asarray(source, dtype=np.int64)] if n_split else np.zeros(0)
        p_forward = np.full(n_split, 0.5)  # from the evidence alone
        p_with_prior = np.full(n_split, 0.5)  # with the daily-life prior
        prior_used = False
        for s in np.unique(split_stretch):
            idx = np.flatnonzero(split_stretch == s)
            share = np.tanh(0.5 * rho[idx])
            big = n_members[idx] >= self.min_steps_for_decision
            prior = 0.0
            if self.forward_prior_logit and big.sum() >= self.prior_min_bouts:
                majority = np.sign(float(share[big] @ n_members[idx][big]))
                prior = self.forward_prior_logit * majority
                prior_used = prior_used or majority != 0
            if absolute[s]:
                # Calibrated: the mounting cue's sign is the travel direction.
                p_forward[idx] = _sigmoid(rho[idx])
                p_with_prior[idx] = _sigmoid(rho[idx] + prior)
                continue
            # Which bouts share a direction (mounting cue) x which one that is
            # (time-arrow cue pooled over all aligned steps of the stretch).
            weight = np.abs(share) * n_arrow[idx]
            g = 0.0
            if weight.sum() > 0:
                g = model.logit_gain * float(share @ arrow_sum[idx]) / np.sqrt(weight.sum())
                g = transfer_logit(g, model.transfer_epsilon)
            ps = _sigmoid(rho[idx])
            for out, gs in ((p_forward, g), (p_with_prior, g + prior)):
                pg = float(_sigmoid(gs))
                out[idx] = ps * pg + (1.0 - ps) * (1.0 - pg)
        if prior_used:
            notes.append(
                "direction: recordings with several bouts assume the larger group of bouts "
                "sharing one travel direction is forward (prior odds "
                f"{np.exp(self.forward_prior_logit):.0f}:1); "
                "it never makes a call, it only turns a weakly supported backward call "
                "into uncertain"
            )

        step_dir = np.full(ic.size, UNCERTAIN, dtype=object)
        step_conf = np.full(ic.size, 0.5)
        directions: list[str] = []
        confidences: list[float] = []
        logits: list[float] = []
        withheld = 0
        for j in range(n_split):
            members = np.flatnonzero(split_owner == j)
            p = float(p_forward[j])
            conf = max(p, 1.0 - p)
            need = self.min_confidence
            if not absolute[split_stretch[j]]:
                need = max(need, self.min_backward_confidence)
            backward_ok = max(p, float(p_with_prior[j])) <= 1.0 - need
            if members.size < self.min_steps_for_decision or conf < self.min_confidence:
                label = UNCERTAIN
            elif p >= 0.5:
                label = FORWARD
            else:
                label = BACKWARD if backward_ok else UNCERTAIN
                withheld += label == UNCERTAIN
            directions.append(label)
            confidences.append(conf)
            logits.append(_logit(p))
            step_dir[members] = label
            step_conf[members] = conf

        if withheld:
            notes.append(
                f"direction: {withheld} bout(s) leaned backward, but without a calibration "
                "that evidence comes from a cue that differs between people; a backward "
                f"call needs probability {self.min_backward_confidence:.2f} with and without "
                "the daily-life prior, so they are reported as uncertain (a calibration "
                "walk decides them)"
            )

        # One output per input contact, in the input order (duplicates share one).
        requested = np.asarray(ic_samples, dtype=np.int64).ravel()
        back = np.searchsorted(ic, requested) if ic.size else np.zeros(0, dtype=np.int64)
        back = np.clip(back, 0, max(ic.size - 1, 0))
        self.split_bouts_ = split_bouts
        self.source_bout_ = source
        self.bout_direction_ = directions
        self.bout_confidence_ = confidences
        self.bout_score_ = logits
        self.bout_calibrated_ = [bool(absolute[s]) for s in split_stretch]
        self.step_samples_ = requested
        self.step_direction_ = step_dir[back].astype(str) if ic.size else np.zeros(0, dtype=str)
        self.step_confidence_ = step_conf[back] if ic.size else np.zeros(0)
        self.step_score_ = arrow[back] if ic.size else np.zeros(0)
        self.step_mounting_ = mounting[back] if ic.size else np.zeros(0)
        self.notes_ = notes
        return self

    def _mounting_cue(
        self, ev: StepEvidence, stretch: np.ndarray, use: np.ndarray, profile: Any
    ) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """Per-contact mounting cue in noise units, and which stretches are absolute.

        Without a (matching) profile the reference axis is the stretch's own
        principal odd vector (sign arbitrary, relative); with one it is the
        calibrated body-forward template (sign = forward, absolute).
        """
        ic, w = ev.ic, ev.windows
        n_stretch = int(stretch.max()) + 1 if stretch.size else 0
        mounting = np.full(ic.size, np.nan)
        absolute = np.zeros(n_stretch, dtype=bool)
        notes: list[str] = []
        step_stretch = stretch[w.bout_index]
        for s in range(n_stretch):
            k = np.flatnonzero((step_stretch == s) & use)
            if k.size == 0:
                continue
            axis = None
            if profile is not None:
                up = ev.bout_up[stretch == s].mean(axis=0)
                ok, message = profile.check_mounting(up, ev.odd.shape[1])
                notes.append(message)
                if ok:
                    axis, absolute[s] = profile.axis(), True
            if axis is None:
                axis = mounting_axis(ev.odd[k])
            proj = np.einsum("kli,li->k", ev.odd[k], axis)
            order = np.argsort(w.step_index[k])
            mounting[w.step_index[k]] = proj / robust_scale(proj[order])
        return mounting, absolute, list(dict.fromkeys(notes))

    def _confirmed_cuts(self, score: np.ndarray, cuts: list[int]) -> list[int]:
        """Keep the cuts only if every part is confidently opposite to its neighbours.

        A change of direction is reported only when the mounting cue on both
        sides of it would on its own give confident, opposite answers; otherwise
        the bout stays whole (a run of poor strides is not a direction change).
        """
        if not cuts:
            return cuts
        need = _logit(self.split_confidence)
        signs = []
        for part in np.split(score, cuts):
            part = part[np.isfinite(part)]
            if part.size < self.min_steps_for_decision:
                return []
            z = part.mean() * np.sqrt(part.size)
            if abs(NORMAL_TO_LOGIT * z) < need:
                return []
            signs.append(z > 0)
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
            notes=self.notes_,
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
