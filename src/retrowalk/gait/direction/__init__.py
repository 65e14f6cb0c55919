"""Walking direction (forward or backward) from a device worn in any orientation.

The code is split by concern: :mod:`.features` (stride windows, phase
correlation, :class:`StepEvidence`), :mod:`.grouping` (mounting stretches, the
mounting cue, the change-point split), :mod:`.model` (the shipped
:class:`DirectionModel`, transfer to a new person) and :mod:`.classifier`
(:class:`WalkingDirectionClassifier`). Everything public is re-exported here.

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

from retrowalk.gait.direction.anchor import (
    ANCHOR_RELIABILITY,
    BodyAnchor,
    BodyAnchorEstimator,
)
from retrowalk.gait.direction.classifier import (
    BACKWARD,
    FORWARD,
    MAX_RELATIVE_LOGIT,
    NORMAL_TO_LOGIT,
    UNCERTAIN,
    DirectionResult,
    WalkingDirectionClassifier,
    body_anchors,
    classify_bouts,
)
from retrowalk.gait.direction.features import (
    DEFAULT_LAGS,
    MAX_HARMONIC,
    MAX_STRIDE_S,
    MAX_TURN_RATE_RADS,
    MIN_STRIDE_S,
    STRIDE_POINTS,
    StepEvidence,
    StepWindows,
    arrow_features,
    assign_steps,
    bout_ups,
    horizontal_device,
    odd_even_parts,
    phase_correlation,
    resample_windows,
    step_evidence,
    step_windows,
)
from retrowalk.gait.direction.grouping import (
    find_direction_changes,
    mounting_axis,
    mounting_stretches,
    robust_scale,
    stretches_from_ups,
)
from retrowalk.gait.direction.model import (
    DirectionModel,
    StepFeatures,
    default_model,
    step_features,
    transfer_logit,
)
from retrowalk.gait.direction.travel import (
    TravelTemplate,
    default_travel_template,
    fit_travel_template,
    travel_vectors,
)

__all__ = [
    "ANCHOR_RELIABILITY",
    "BACKWARD",
    "DEFAULT_LAGS",
    "FORWARD",
    "MAX_HARMONIC",
    "MAX_RELATIVE_LOGIT",
    "MAX_STRIDE_S",
    "MAX_TURN_RATE_RADS",
    "MIN_STRIDE_S",
    "NORMAL_TO_LOGIT",
    "STRIDE_POINTS",
    "UNCERTAIN",
    "BodyAnchor",
    "BodyAnchorEstimator",
    "DirectionModel",
    "DirectionResult",
    "StepEvidence",
    "StepFeatures",
    "StepWindows",
    "TravelTemplate",
    "WalkingDirectionClassifier",
    "arrow_features",
    "assign_steps",
    "body_anchors",
    "bout_ups",
    "classify_bouts",
    "default_model",
    "default_travel_template",
    "find_direction_changes",
    "fit_travel_template",
    "horizontal_device",
    "mounting_axis",
    "mounting_stretches",
    "odd_even_parts",
    "phase_correlation",
    "resample_windows",
    "robust_scale",
    "step_evidence",
    "step_features",
    "step_windows",
    "stretches_from_ups",
    "transfer_logit",
    "travel_vectors",
]
