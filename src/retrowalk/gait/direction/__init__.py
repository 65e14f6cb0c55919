"""Walking direction (forward or backward) from a device worn in any orientation.

The code is split by concern: :mod:`.features` (stride windows, the per-stride
vertical x horizontal cross-correlation, :class:`StepEvidence`), :mod:`.travel`
(where the body travels, in device axes), :mod:`.anchor` (which way the body
faces, from anatomy), :mod:`.grouping` (mounting stretches, the change-point
split), :mod:`.classifier` (:class:`WalkingDirectionClassifier`) and
:mod:`.model` (the earlier time-arrow model, kept for comparison only: it
decides nothing). Everything public is re-exported here.

Direction is a product of two things
------------------------------------
Lower-back gait tools (scikit-digital-health, gaitmap, mobgap) fix the sensor's
forward axis by *assuming* forward walking; a device worn back to front and a
person walking backwards then look identical. Walking direction is the sign of
a product of two vectors in device axes:

1. **where the body travels** - :func:`travel_vectors`: the time-odd part of
   each stride's vertical x horizontal cross-correlation weighted by one lag
   pattern fitted once on forward walking of 15 people with known sensor axes
   (ipol-gait, mobgap-lab). It comes from the inverted-pendulum vault and the
   braking at each contact (Zijlstra & Hof 2003, Gait Posture 18:1), which
   follow the travel in backward walking too, because time still runs forward.
   Measured on real backward walking (motion capture): it turns round with the
   travel (93 % of backward steps, lower back and thigh);
2. **which way the body faces** - a body-fixed anchor (:class:`BodyAnchorEstimator`),
   from a *time-even* property of posture, which is the same in forward and
   backward walking because backward walking is kinematically close to forward
   walking played backwards (Thorstensson 1986, Acta Physiol Scand 127:211;
   Vilensky et al. 1987, J Mot Behav 19:225; Grasso et al. 1998, J Neurophysiol
   80:1868; Lee et al. 2013, Gait Posture 38:674): the thigh swings further in
   front than behind (pocket); the trunk flexes far forward and hardly
   backward when bending, sitting down or standing up (lower back); and,
   with a gyroscope, a lower-back device swings round behind the body's
   turning axis in every turn, its centripetal acceleration pointing to the
   front whichever way the person walks (:mod:`.lever`). Or a
   calibration: the person's own labelled walk (:mod:`retrowalk.gait.calibration`).
   The trunk's tilt while walking against quiet standing was dropped: on the
   one real backward walker the pelvis leans into the travel (about 5 deg
   further back walking backward than forward), so it follows the travel,
   not the body (:mod:`.anchor`).

Within one stretch of constant mounting (gravity direction in device axes,
:func:`mounting_stretches`) each step's travel along the forward axis, in noise
units, is its direction evidence; a bout is split where it changes sign for
good (:func:`find_direction_changes`), and each part is called from its own
steps.

What was tried and dropped: the time-arrow cue
----------------------------------------------
The first engine took the sign from ``o . e``, the time-odd part of the
cross-correlation dotted with its time-even part. That flips under time
reversal, so it was nearly perfect on forward walks played backwards; on real
backward walking it was at chance (the even part follows the travel as well),
and it called plain forward walking backward on phones in a bag or a neck
pouch. It detects the arrow of *time*, not the walking direction. Nothing here
uses it any more.

Never confidently wrong
-----------------------
- Without an anchor or a calibration the direction is ``"uncertain"``, with
  the reason in ``bout_reason_`` (the contract's ``direction_reason``), however
  consistent the travel is. Bouts are still split where the travel changes.
- An anchor's probability of pointing the right way is capped at
  :data:`ANCHOR_RELIABILITY` (0.85): the anchors held on every forward walk
  they were measured on, but only one person's real backward walking was
  available, so calls at 0.9 or more need a calibration.
- Steps taken while turning, while the device is being moved (its gravity
  direction off the stretch's usual posture) and bouts with fewer than
  ``min_usable_steps`` such steps carry no evidence; a bout whose mean travel
  runs across the forward axis (sideways, diagonal) is ``"uncertain"``, never
  forward. With a calibration, a shorter bout is called only when every
  distinct stride window travels the same way, at a confidence limited by
  their number (3 strides: 0.8); where the travel turns round inside a bout
  but one side is too weak to confirm the split, the bout is split there and
  the weak side is ``"uncertain"``, never called from the whole bout's mean.
  A short bout of an anchored stretch is called the same way, at most at the
  anchor's cap. A bout left uncertain because its last (or first) clear
  strides, two or more, travel against the rest (a turn, steps back before
  sitting) is split there: the rest is called on its own evidence, the end
  run stays ``"uncertain"``.
- A thigh-swing anchor that would put most of its stretch backward is left
  undecided: a waist-worn device taken for a pocket did exactly that.
- A bout's evidence counts each distinct stride window once (its edge steps
  reuse their neighbour's window), and no call is more confident than its
  windows support: :func:`window_ceiling`, Laplace's rule of succession over
  the clearly travelling windows, ``(agreeing + 1) / (counted + 2)`` (8
  agreeing windows for 0.9, 98 for 0.99); a window against counts by its
  evidence among the bout's windows (:func:`agreeing_windows`, Wilcoxon's
  signed ranks), so a weak one against strong ones costs less than a whole
  window and a strong one more. The short-run rule's calls are
  bounded by the same limit. The stretch's noise level cannot collapse
  (:func:`robust_scale` keeps a floor).

What it cannot promise
----------------------
Accuracy rests on few real recordings: forward walking of 15 people at the
lower back, 3 with motion-captured thighs, 48 phone recordings; backward
walking of one person (8 s). The lower-back anchor needs brief trunk flexions
(35 deg or more) in the stretch: one, when it is checked to be a bend of the
trunk (along the walking travel, from and back to the walking posture, about
the body's left-right axis; at most 0.8), else two; or, with a gyroscope, a
turn of 45 deg or more (its lever arm names the back end of the walking
travel axis; one turn: at most 0.8). A straight walk without a bend or a turn stays
``"uncertain"`` without a calibration, and a device worn at the front of the
waist would be read the wrong way round by its turns.
``benchmarks/direction.py`` prints every figure beside its target.
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
    agreeing_windows,
    body_anchors,
    classify_bouts,
    distinct_windows,
    stretch_travel_axes,
    window_ceiling,
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
    phase_odd_even,
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
    "agreeing_windows",
    "arrow_features",
    "assign_steps",
    "body_anchors",
    "bout_ups",
    "classify_bouts",
    "default_model",
    "default_travel_template",
    "distinct_windows",
    "find_direction_changes",
    "fit_travel_template",
    "horizontal_device",
    "mounting_axis",
    "mounting_stretches",
    "odd_even_parts",
    "phase_correlation",
    "phase_odd_even",
    "resample_windows",
    "robust_scale",
    "step_evidence",
    "step_features",
    "step_windows",
    "stretch_travel_axes",
    "stretches_from_ups",
    "transfer_logit",
    "travel_vectors",
    "window_ceiling",
]
