"""Which way the body faces, in device axes: body-fixed anchors from anatomy.

The travel-following cue (:mod:`retrowalk.gait.direction.travel`) says where
the body goes in device axes. Which way the body *faces* must come from a
property of the body that is the same in forward and backward walking. Kinematically,
backward walking is close to forward walking played backwards in time: joint
angle waveforms are nearly time-reversed copies (Thorstensson 1986, Acta
Physiol Scand 127:211; Vilensky et al. 1987, J Mot Behav 19:225; Grasso et
al. 1998, J Neurophysiol 80:1868; Lee et al. 2013, Gait Posture 38:674). A
*time-even* property of the body's posture - a mean posture, the extremes of an
angle - is unchanged by time reversal, so it is the same whichever way the
person walks, while the travel cue turns round. Two such anchors are used,
each only where its signal shows it applies; a third was rejected on real
backward walking (below):

Thigh swing (trouser pocket)
    Hip flexion reaches much further than hip extension: the thigh swings about
    25-30 deg in front of the vertical and only 10-15 deg behind it, in forward
    walking (Perry & Burnfield 2010, Gait Analysis, ch. 4) and in backward
    walking (Grasso et al. 1998 report similar hip ranges backwards). Relative
    to the median of the thigh's pitch during walking, the flexed extreme lies
    further out than the extended one, so the longer side of the pitch range
    points to the front of the thigh. Measured: motion-captured thighs of three
    people (forward) and of one person walking backward (same sign as that
    person's forward walking: +11.6 vs +12.1 deg), and six front-pocket phones of
    three people (forward, asymmetry 19-33 deg): the anchor agreed with the
    direction of travel every time. It fails where the device is not on the
    thigh: one back-pocket phone (on the buttock) gave a 27 deg asymmetry on
    the wrong side, so a back pocket must not be analysed as a thigh.
    Applies when the pitch swings by at least ``min_thigh_range_deg``.

Trunk flexion (lower back)
    The trunk bends far forward and hardly backward: lumbar and hip flexion
    reach several times the range of extension, and every rise from a chair
    starts with a forward lean of the trunk (the flexion-momentum phase,
    Schenkman et al. 1990, Whole-body movements during rising to standing from
    sitting, Phys Ther 70:638), as do sitting down, bending and picking
    something up - many times a day. Kong et al. (2016, Anatomical calibration
    through post-processing of standard motion tests data, Sensors 16:2011)
    align sensors to the body from sit-to-stand for the same reason. Flexing
    moves "up", seen from the device, towards the back of the body, so brief
    large tilts away from the walking posture mark the back. Only brief
    excursions count (at least ``min_flexion_deg`` away from the walking
    posture, back within ``max_flexion_s``, closed inside the stretch, all on
    one side): a *held* posture - sitting, reclining, lying on the back -
    tilts either way (one mobgap-lab person sat tilted 41 deg forward for a
    minute, another sat 5 deg backward) and is never used. Measured on the
    three mobgap-lab daily-life recordings (Test11, 3 people): every brief
    excursion of 35 deg or more (5 of them, 40-63 deg) leaned towards the
    back, and the anchor lay 7-11 deg from the known forward axis; at 25-30
    deg three excursions of one person (standing 22-25 deg off their walking
    posture, so a small movement crossed the threshold) leaned the other way.
    ipol-gait (stand, walk, turn, stop) has none of 35 deg, so it adds
    nothing there.

    One bend or two. A device handled for a few seconds (taken off, tilted by
    hand, put back) tilts anywhere, so an unchecked excursion anchors only
    with a second one on the same side (``min_flexions``). Where the stretch
    has a walking travel axis, each excursion is instead checked to be a
    bend of the trunk, and one checked bend anchors (``min_checked_flexions``):
    a bend rotates the trunk about the body's left-right axis, so its tilt
    lies along the travel axis (``max_flexion_travel_deg``), it starts from
    the walking posture (``max_flexion_start_deg``), the device is in the same
    posture before and after it (``max_flexion_resettle_deg``; both taken
    around the part of the bend above half its peak, which must itself be
    brief and closed inside the stretch), and with a gyroscope the rotation
    about horizontal axes is about the one across the travel
    (``min_flexion_pitch_share``). Excursions that fail are not bends and are
    ignored. mobgap-lab's bends of 35 deg or more: 5-23 deg from the travel
    axis, starting 3-7 deg from the walking posture, resettled within 3-8 deg,
    pitch share 0.93-0.98 (MS_001's one bend, which alone anchors its daily
    life: 20 deg, 5 deg, 7 deg, 0.94); the three that leaned the wrong way at
    25-30 deg are not brief at half their peak. Handled devices: real phones
    walking forward (phone-steps, phyphox, Sensor Logger with a gyroscope)
    analysed as if at the lower back. Every excursion of theirs that leaned
    against the walk lay 47-80 deg from the travel axis or was not brief at
    half its peak; the Sensor Logger's (along the travel, peaks of 25-29 deg)
    also rotated about other axes (pitch share 0.60-0.69). A phone in a purse
    tilted twice, 51-64 deg across its travel: unchecked, those two anchored
    it backwards (43 of its 378 steps called backward); checked, there is no
    anchor. One checked bend has no second bend to agree with: it anchors at
    ``single_flexion_reliability`` (0.8), below :data:`ANCHOR_RELIABILITY`;
    that is a margin, not a measurement (5 of 5 bends measured were right).
    Where it fails: a person who often leans back briefly (reaching overhead)
    along their walking direction would mislead it; a device put back turned
    half round about the vertical, otherwise in the same posture, passes the
    checks. Never checked on a real backward-walking recording (the one
    backward walker here never bends).

Turn lever arm (lower back, with a gyroscope)
    A device on the lower back sits behind the axis the body turns about, so
    in every turn it feels a centripetal acceleration towards the front of the
    body, whichever way the body turns and whichever way it walks
    (:mod:`.lever`, where the measurements are). Each turn of 45 deg or more
    gives a lever arm; it counts when it is no longer than a trunk is wide
    (``max_lever_m``; also ``max_lever_travel_deg`` and ``min_lever_se_ratio``,
    switched off as chosen leave-one-person-out), and names the end of the
    stretch's walking travel axis it points to as the back; more than half
    (``min_lever_agreement``) of the counted turns, each weighed by its
    clarity (lever arm over standard error), must name the same end. One
    counted turn anchors at ``single_turn_reliability`` (0.8), two or more at
    :data:`ANCHOR_RELIABILITY`. Where bends and turns both anchor they must
    agree, else neither is used. This is the anchor a plain walk has: every
    ipol-gait walk (stand, walk, U-turn, walk back, stop) turns, none bends.
    On the one real backward walker (take 09_12) its three turns anchor the
    lower back without a calibration, and the take's forward and backward
    parts are called right. Where it fails: a device worn at the front of the
    waist names the back as the front (where it also bends, the two disagree
    and nothing is called); a walk without a turn of 45 deg stays uncertain.

    A device at the side of the waist (a clip on the hip) sits beside the
    turning axis, so its lever arm lies across the walking travel and only
    its small, unsteady front-back part would decide. Where a stretch has
    ``min_side_turns`` (3) or more turns whose median lever arm lies more
    than ``side_lever_travel_deg`` (60 deg) from the travel axis, the turns
    do not anchor it. Real back-worn devices stay inside: every stretch with
    three or more turns here has a median of 12-42 deg (ipol-gait's 4 such
    walks and each person's walks joined into one recording, mobgap-lab's
    daily life, the motion-capture backward walker); no real recording's
    result changed. The 60 deg and the three turns are not fitted (no real
    side-worn recording is here): a lever arm nearer across the travel than
    along it, several times over. Checked on
    the ipol-gait lower backs moved 17 cm to the right hip by rigid-body
    mechanics (the acceleration of that point of the pelvis from the
    recorded angular rate, the device turned to face outwards), a stand-in
    for the mechanics, not for accuracy: each person's walks joined (6-8
    turns) had 0.7 % of their bout time called backward with the device on
    the turning axis and 15.7 % with it 3 cm in front of the axis, now 0 %
    (uncertain instead); the median angle there is 47-88 deg per person. A
    single walk with one or two turns is not checked: moved to the hip, 18 %
    (on the axis) and 34 % (3 cm in front) of its bout time is still called
    backward at 0.8-0.85, as the front of the waist is (90 %). Worn at the
    front or the side of the waist, a device needs a calibration.

Thresholds: the smallest trunk flexion, the checks of one bend, the turn
lever arm's checks and the thigh-swing asymmetry and range are chosen
leave-one-person-out (ipol-gait and mobgap-lab lower backs, 15 people; the
handled phones analysed as a lower back, 7 people, where an anchor can only
be wrong; front- and back-pocket phones, 3 people; fewest people anchored
wrong first, then most walking time anchored; the turns' checks with the
bends' at their shipped values, ``benchmarks/_anchor_loso.py``). Every
person left out got the shipped bend checks (35 deg, 30 deg from the travel,
20 deg resettled, 15 deg from the walking posture, pitch share 0.7, one
checked bend) and thigh thresholds (12 deg asymmetry, 30 deg range), and
the shipped turn checks (a lever arm of at most 0.5 m, any angle to the
travel axis, any standard error, more than half the counted turns' weight
agreeing). Weighing each turn's vote by its clarity (lever arm over its
standard error) does without a threshold what a smallest clarity
(``min_lever_se_ratio``) did: with a plain majority, two
ipol-gait people left out chose 2 and 3 standard errors, which left their
own walks unanchored (87.9 % of ipol-gait's forward walking time anchored
right, LOSO); weighed, 97.6 % is, and none wrong. With the turns, 98 % of
ipol-gait's forward walking time is anchored and 88 % of mobgap-lab's (its
three daily-life recordings; the short straight walks have no bend and no
turn); the rest is uncertain, never wrong; no handled phone is anchored
wrong.

Rejected: the standing posture (lower back)
    The premise was that walking tilts the pelvis and trunk slightly forward
    of their quiet standing posture, so the up direction of quiet standing
    would lie towards the front of the walking one. On forward walking it
    held: 70 ipol-gait trials (12 people) and mobgap-lab (3 people), where
    standing differed from walking by 3-12 deg, pointed the right way 41 times
    of 41. On the one real backward walker (motion capture, subject 9 of the
    CMU database, take 09_12; orientation from the gyroscope) it fails: the
    pelvis leans into the travel. Its sagittal tilt of gravity was -0.5 deg
    walking forward (0.5-4 s), +4.4 deg walking backward (11.3-16 s) and
    +2.7 deg in the 0.3-s stop between them; forward and backward walking
    postures differ by 5.6 deg. Standing at the forward-walking posture for
    6 s before the backward part of that take (7.7-16 s, 14 steps) made this
    anchor call the backward walk "forward" at 0.85 (its cap); standing at the
    stop's posture, 2.2 deg from backward walking, left it below its 3-deg
    threshold. For the anchor to be right on a backward walk, this person
    would have had to stand about 8 deg or more behind their forward-walking
    posture. So the tilt between standing and walking measures the travel,
    not the body: a backward walk would be called forward whenever the person
    stands roughly as they walk forward. It is not used at all, neither alone
    nor to confirm or veto the trunk flexion (as a veto it never fired on the
    real recordings, and on a backward walk it would reject a right flexion
    anchor). Without it ipol-gait's plain walks (stand, walk, turn, stop),
    34 % of whose forward walking time it anchored, and mobgap-lab's walks
    without a bend are "uncertain" unless calibrated.

Tried and not used (time-even statistics of the pelvis along the known
forward axis of 70 ipol-gait walks): the asymmetry of the pelvic pitch angle
(gyroscope) and of the accelerometer tilt, and the skewness of the
antero-posterior acceleration. Their sign agreed with the forward axis in
17-100 % of a person's walks depending on the person: no anchor.

Without any anchor the direction is unknown (``"uncertain"`` with a reason),
however consistent the travel cue is. A calibration replaces the anchors.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from retrowalk.dsp.filters import lowpass, lowpass_channels, lowpass_into
from retrowalk.dsp.memory import block_means, empty_samples, is_file_backed, release
from retrowalk.dsp.rows import column_sums, cross, percentiles, row_norm, small_median
from retrowalk.gait.direction.lever import Turn, find_turns

ANCHOR_RELIABILITY = 0.85
"""Probability that an anchor points the right way, used to cap confidence.

The anchors were right on every forward walk they were measured on, but only
one person's real backward walking (and no bend in it) was available: the
chance that an anchor misleads for a new person or device is not small enough
to support calls at 0.9 or more; calls at that level need a calibration."""


@dataclass(frozen=True)
class BodyAnchor:
    """The body's forward axis in device axes for one stretch of constant mounting.

    Attributes
    ----------
    forward_unit
        Unit 3-vector (horizontal for the stretch's walking posture) towards the
        front of the body, or ``None`` when no anchor applies.
    cue
        ``"thigh swing"``, ``"trunk flexion"`` or ``""``.
    strength_deg
        The deciding statistic (pitch asymmetry or median flexion), degrees.
    reliability
        Probability that ``forward_unit`` is right (0.5 without an anchor).
    reason
        What decided it, or why there is no anchor (for ``direction_reason``).
    """

    forward_unit: np.ndarray | None
    cue: str
    strength_deg: float
    reliability: float
    reason: str


NO_ANCHOR_REASON = (
    "which way the body faces is unknown: no brief bends of the trunk and no turns "
    "with a gyroscope (lower back) and no thigh swing (pocket) to anchor it, and no "
    "calibration"
)


FOOT_NO_ANCHOR_REASON = (
    "which way the body faces is unknown: the device is on a foot without a gyroscope, "
    "and the thigh's swing and the trunk's bends and turns that mark the front of the "
    "body elsewhere are not a foot's; no calibration"
)

NO_CALIBRATION = "no calibration"
"""How the reason of every stretch left without a body anchor ends (:func:`_none`):
the signal does not show which way the body faces, and a calibration (a walk the
person labels, :mod:`retrowalk.gait.calibration`) would replace the anchor."""


class BodyAnchorEstimator:
    """Body-fixed forward axis per stretch of constant mounting.

    Parameters
    ----------
    placement
        ``"lower_back"`` uses only the trunk flexion, ``"pocket"`` only the
        thigh swing, ``"foot"`` (a foot without a gyroscope, analysed the trunk
        way) none: a foot swings through more than a thigh's range (ipol-gait
        feet, gyroscope left out: their pitch swing passed for a thigh's and
        its front/back asymmetry called 2 of 38 bouts backward at 0.77);
        anything else decides from the signal.
    rate_hz
        The acceleration is averaged down to about this rate first.
    min_thigh_range_deg
        5th-95th percentile range of the stride-scale pitch (3 Hz tilt against
        the 0.3 Hz posture, so it includes some linear acceleration) from which
        the device is taken to swing like a thigh. Measured: front pockets and
        motion-captured thighs 30-49 deg; lower backs 12-29 deg (too close to
        tell apart reliably: below this the trunk flexion is used, and the
        thigh swing is never used).
    min_thigh_asymmetry_deg
        Smallest flexion/extension asymmetry of the pitch range that anchors
        (front pockets 18-30 deg; thighs of motion capture 7-26 deg).
    min_stride_power_ratio
        A thigh swings once per stride: the pitch's power at the stride
        frequency must be at least this fraction of that at the step frequency
        (thighs 0.46-2.97; bags, pouches and back pockets 0.01-0.28).
    min_window_agreement
        Share of 5-s windows of walking (at least two) whose asymmetry must lie
        on the same side: a thigh keeps its anatomy, while a waist-worn device
        mistaken for a pocket (a day-long ActiGraph recording here) gave
        asymmetries of either side from bout to bout. A stretch with under two
        windows (7.5 s of walking: a last window under half a window is left
        out) is not anchored, and its reason says it is too short: the real
        backward run of the mocap thigh (4.7 s) is one such.
    min_flexion_deg
        Tilt away from the walking posture from which a brief excursion counts
        as a trunk flexion (bending, sitting down, standing up).
    max_flexion_s
        Longest such excursion, seconds: longer ones are postures (sitting,
        lying, reclining), whose side is not fixed by anatomy.
    min_flexions
        Brief excursions needed, in the stretch, all on one side, where they
        cannot be checked to be rotations of the trunk (no travel axis for the
        stretch): two, so that one handling of the device (taken off, tilted by
        hand, put back) cannot anchor on its own.
    min_checked_flexions
        Brief excursions needed where each is checked to be a bend of the trunk
        (the three checks below hold; excursions that fail them are not bends
        and are ignored). One checked bend anchors at
        ``single_flexion_reliability``, two or more at :data:`ANCHOR_RELIABILITY`.
    max_flexion_travel_deg
        A bend tilts the trunk about the body's left-right axis, so its tilt
        lies along the walking travel axis of the same stretch (the principal
        axis of the steps' travel vectors, 0-13 deg from the true front-back
        axis on mobgap-lab): the largest angle between the two (as axes).
        Measured: mobgap-lab's bends 5-22 deg; bends of handled devices
        (a phone in a purse analysed as a lower back) 51-87 deg.
    max_flexion_resettle_deg
        The device is not moved by a bend: the largest angle between the
        gravity direction of the second before the bend and of the second after
        it (mobgap-lab's bends 3-16 deg).
    max_flexion_start_deg
        A bend starts from the walking posture: the largest angle between the
        gravity direction of the second before it and the stretch's walking
        posture. A lean from a held posture far from it (standing 22-25 deg
        off the walking posture, one mobgap-lab person) needs only a small
        movement to pass ``min_flexion_deg`` and leaned either way at 25-33
        deg; mobgap-lab's bends of 35 deg or more start 1-8 deg from it.
    min_flexion_pitch_share
        With a gyroscope: the smallest share of the rotation during the bend
        about the horizontal axis across the travel axis, of the whole rotation
        about horizontal axes (turning while sitting down or standing up, about
        the vertical, is left out). mobgap-lab's bends 0.85-0.98.
    single_flexion_reliability
        Reliability of an anchor from one checked bend (see the module text).
    turn_rate_rads
        Smallest turning rate about the vertical (0.8-Hz low-pass) of a turn
        whose lever arm is measured (:mod:`.lever`).
    min_turn_deg
        Smallest rotation of such a turn.
    max_lever_m
        Longest lever arm that counts: a trunk is not that wide (ipol-gait's
        turns: 10-90 % of 0.06-0.35 m; one mobgap-lab turn of 0.83 m was on
        the wrong side; a car turning gives metres).
    min_lever_se_ratio
        The lever arm must be at least this many standard errors long (0: any;
        chosen leave-one-person-out, see the module text).
    max_lever_travel_deg
        The largest angle between a turn's lever arm and the stretch's walking
        travel axis (as axes). A lower-back device lies behind the turning
        axis, along the body's front-back axis; a device at the side of the
        waist gives a lever arm across it. 90 (no check): chosen
        leave-one-person-out; the turn's side along the travel axis is what
        counts (:meth:`lever_anchor`), and no real side-worn device was here
        to test it on.
    side_lever_travel_deg, min_side_turns
        A stretch with at least ``min_side_turns`` turns (lever arms no longer
        than ``max_lever_m``, each with an angle to the travel axis) whose
        median angle to the walking travel axis exceeds
        ``side_lever_travel_deg`` has no turn anchor: its device sits at the
        side of the waist (see the module text).
    min_lever_agreement
        Share of the counted turns of the stretch, each weighed by its lever
        arm's length over its standard error, that must put the lever arm on
        the same end of the travel axis; more than half in any case (a tie
        anchors nothing).
    single_turn_reliability
        Reliability of an anchor from one counted turn.

    Attributes
    ----------
    anchors_ : list of BodyAnchor
        One per stretch label ``0 .. max(stretch)``.
    flexions_ : list of (list of Flexion) or None
        Per stretch, the brief excursions the trunk-flexion anchor looked at
        (``None`` where it was not looked for).
    turns_ : list of (list of TurnLever) or None
        Per stretch, the turns whose lever arm was measured (``None`` where
        they were not looked for: no gyroscope, or not a trunk).
    """

    def __init__(
        self,
        placement: str = "auto",
        *,
        rate_hz: float = 20.0,
        min_thigh_range_deg: float = 30.0,
        min_thigh_asymmetry_deg: float = 12.0,
        min_stride_power_ratio: float = 0.4,
        min_window_agreement: float = 0.8,
        min_flexion_deg: float = 35.0,
        max_flexion_s: float = 10.0,
        min_flexions: int = 2,
        min_checked_flexions: int = 1,
        max_flexion_travel_deg: float = 30.0,
        max_flexion_resettle_deg: float = 20.0,
        max_flexion_start_deg: float = 15.0,
        min_flexion_pitch_share: float = 0.7,
        single_flexion_reliability: float = 0.8,
        turn_rate_rads: float = 0.8,
        min_turn_deg: float = 45.0,
        max_lever_m: float = 0.5,
        min_lever_se_ratio: float = 0.0,
        max_lever_travel_deg: float = 90.0,
        side_lever_travel_deg: float = 60.0,
        min_side_turns: int = 3,
        min_lever_agreement: float = 0.5,
        single_turn_reliability: float = 0.8,
    ) -> None:
        self.placement = placement
        self.rate_hz = rate_hz
        self.min_stride_power_ratio = min_stride_power_ratio
        self.min_window_agreement = min_window_agreement
        self.min_thigh_range_deg = min_thigh_range_deg
        self.min_thigh_asymmetry_deg = min_thigh_asymmetry_deg
        self.min_flexion_deg = min_flexion_deg
        self.max_flexion_s = max_flexion_s
        self.min_flexions = min_flexions
        self.min_checked_flexions = min_checked_flexions
        self.max_flexion_travel_deg = max_flexion_travel_deg
        self.max_flexion_resettle_deg = max_flexion_resettle_deg
        self.max_flexion_start_deg = max_flexion_start_deg
        self.min_flexion_pitch_share = min_flexion_pitch_share
        self.single_flexion_reliability = single_flexion_reliability
        self.turn_rate_rads = turn_rate_rads
        self.min_turn_deg = min_turn_deg
        self.max_lever_m = max_lever_m
        self.min_lever_se_ratio = min_lever_se_ratio
        self.max_lever_travel_deg = max_lever_travel_deg
        self.side_lever_travel_deg = side_lever_travel_deg
        self.min_side_turns = min_side_turns
        self.min_lever_agreement = min_lever_agreement
        self.single_turn_reliability = single_turn_reliability

    def estimate(
        self,
        acc_mps2: np.ndarray,
        sampling_rate_hz: float,
        bouts: list[tuple[int, int]],
        stretch: np.ndarray,
        step_s: float = 0.55,
        acc_block_means: tuple[int, np.ndarray] | None = None,
        *,
        travel_axes: list[np.ndarray | None] | None = None,
        gyro_rads: np.ndarray | None = None,
    ) -> BodyAnchorEstimator:
        """Anchor every stretch.

        Parameters
        ----------
        acc_mps2
            ``(n, 3)`` acceleration with gravity of the whole recording.
        sampling_rate_hz
            Its rate.
        bouts
            ``(start, end)`` samples of the walking bouts, in time order.
        stretch
            Stretch label of each bout (consecutive bouts of one mounting).
        step_s
            Typical step duration (median contact interval), for the stride
            frequency of the thigh swing.
        acc_block_means
            ``(block, means)``: ``acc_mps2``'s means over whole blocks of
            ``block`` samples, if already taken (:class:`~retrowalk.dsp.frame.BodyFrame`);
            used when they are the blocks needed here.
        travel_axes
            Per stretch, the principal axis of its steps' travel vectors in
            device axes (either sign), or ``None``: what a bend is checked
            against (``None`` for all: no bend can be checked).
        gyro_rads
            ``(n, 3)`` angular rate of the whole recording, if measured.
        """
        fs = float(sampling_rate_hz)
        block = max(round(fs / self.rate_hz), 1)
        n_blocks = acc_mps2.shape[0] // block
        stretch = np.asarray(stretch, dtype=np.int64)
        n_stretch = int(stretch.max()) + 1 if stretch.size else 0
        self.flexions_: list[list[Flexion] | None] = [None] * n_stretch
        self.turns_: list[list[TurnLever] | None] = [None] * n_stretch
        if self.placement == "foot":
            self.anchors_ = [_none(FOOT_NO_ANCHOR_REASON)] * n_stretch
            return self
        if n_blocks < 8 or not bouts:
            self.anchors_ = [_none(NO_ANCHOR_REASON)] * n_stretch
            return self
        spans = [(max(a // block, 0), min(b // block + 1, n_blocks)) for a, b in bouts]
        walking = partial(_stretch_blocks, spans, stretch, n_blocks)  # stretch s's blocks

        regions = []
        for s in range(n_stretch):
            # Time belonging to this stretch: from the previous stretch's last
            # bout to the next stretch's first bout.
            lo = spans[int(np.flatnonzero(stretch == s - 1)[-1])][1] if s > 0 else 0
            later = np.flatnonzero(stretch == s + 1)
            hi = spans[int(later[0])][0] if later.size else n_blocks
            regions.append((lo, hi))
        rate = fs / block
        long = is_file_backed(acc_mps2)
        shared = acc_block_means
        if shared is not None and shared[0] == block and shared[1].shape[0] == n_blocks:
            means = shared[1]  # the same numbers as block_means below
        else:
            means = block_means(acc_mps2, block, n_blocks, file_backed=long)
        up, swing, slow = _gravity_directions(means, rate, in_files=long)
        turns = None
        if gyro_rads is not None and self.placement != "pocket":
            turns = find_turns(
                means, slow, block_means(gyro_rads, block, n_blocks, file_backed=long), rate,
                turn_rate_rads=self.turn_rate_rads, min_turn_deg=self.min_turn_deg,
            )  # fmt: skip
        del means
        # Memory: the stride-scale tilt and the slow gravity direction are used
        # only while walking: one stretch's walking rows are taken at a time,
        # a part at a time in a long recording (whose arrays are in temporary
        # files, :func:`_walking_swing`).
        anchors = []
        for s in range(n_stretch):
            axis = travel_axes[s] if travel_axes is not None and s < len(travel_axes) else None
            lo, hi = regions[s]
            mine = None if turns is None else [t for t in turns if lo <= t.time_s * rate < hi]
            anchor, self.flexions_[s], self.turns_[s] = self._anchor(
                up, swing, slow, walking(s), rate, step_s, regions[s],
                (axis, gyro_rads, block), mine,
            )  # fmt: skip
            anchors.append(anchor)
        self.anchors_ = anchors
        return self

    def _anchor(
        self,
        up: np.ndarray,
        swing: np.ndarray,
        slow: np.ndarray,
        walking: np.ndarray,
        rate: float,
        step_s: float,
        region: tuple[int, int],
        check: tuple[np.ndarray | None, np.ndarray | None, int],
        turns: list[Turn] | None = None,
    ) -> tuple[BodyAnchor, list[Flexion] | None, list[TurnLever] | None]:
        """Anchor of one stretch, the brief excursions and the turns looked at (or ``None``).

        ``check``: the stretch's travel axis, the gyroscope and the samples per
        block (what a bend is checked against). ``turns``: the stretch's turns
        with their lever arms (:func:`.lever.find_turns`), or ``None``.

        ``swing`` and ``slow`` are ``fast - slow`` and ``slow``
        (:func:`_gravity_directions`) of the whole recording; their ``walking``
        rows are used.
        """
        if walking.sum() < 2 * rate:
            return _none(NO_ANCHOR_REASON), None, None
        u_walk = _unit(_walking_mean(up, walking))
        swing_deg, asym, p, stride_power, pitch = _walking_swing(
            swing, slow, walking, rate, step_s, stride_power=self.placement != "lower_back"
        )
        thigh_like = swing_deg >= self.min_thigh_range_deg
        if thigh_like and self.placement != "lower_back":
            thigh = self._thigh_anchor(swing_deg, asym, p, stride_power, pitch, u_walk, rate)
            return thigh, None, None
        if thigh_like or self.placement == "pocket":
            reason = (
                f"the device swings by {swing_deg:.0f} deg, more than a trunk does, without "
                "the swing of a thigh: which way the body faces is unknown; no calibration"
            )
            return _none(reason), None, None
        # a long recording's tilt in a temporary file too, each block handed back
        tilt = empty_samples((up.shape[0],), file_backed=is_file_backed(up))
        for start in range(0, up.shape[0], _UNIT_ROWS):  # each row alone: the same numbers
            part = up[start : start + _UNIT_ROWS]
            tilt[start : start + _UNIT_ROWS] = np.degrees(
                np.arccos(np.minimum(np.maximum(part @ u_walk, -1.0), 1.0))  # np.clip's
            )
            release(part)  # a long recording's: in a temporary file, read again when needed
            release(tilt, start, start + _UNIT_ROWS)
        seen = self._flexions(up, u_walk, tilt, rate, region, check)
        levers = None if turns is None else _levers(turns, u_walk, check[0])
        return self.trunk_anchor(seen, levers), seen, levers

    def _thigh_anchor(
        self,
        swing_deg: float,
        asym: float,
        p: np.ndarray,
        stride_power: float,
        pitch: np.ndarray,
        u_walk: np.ndarray,
        rate: float,
    ) -> BodyAnchor:
        """The thigh-swing anchor of a stretch whose device swings like a thigh.

        ``swing_deg``, ``asym``, ``p``, ``stride_power`` and ``pitch`` are
        :func:`_walking_swing`'s figures; ``u_walk`` the walking posture's up.
        """
        if stride_power < self.min_stride_power_ratio:
            return _none(
                f"the device swings by {swing_deg:.0f} deg, but not once per stride as a "
                "thigh does (a bag, a pouch or a back pocket): which way the body faces "
                "is unknown; no calibration"
            )
        if abs(asym) < self.min_thigh_asymmetry_deg:
            return _none(
                f"the device swings like a thigh ({swing_deg:.0f} deg) but its front/back "
                f"swing asymmetry ({abs(asym):.0f} deg) is too small to tell which way "
                "the body faces; no calibration"
            )
        agree, windows = _window_agreement(pitch, np.sign(asym), rate)
        if windows < 2:
            return _none(
                f"the thigh-like swing is {abs(asym):.0f} deg further to one side, but "
                f"this stretch has only {pitch.size / rate:.1f} s of walking: the side "
                "must hold in two 5-s windows of walking (7.5 s at least) to mark the "
                "front of the body, too short here; which way the body faces is unknown; "
                "no calibration"
            )
        if agree < self.min_window_agreement:
            return _none(
                f"the thigh-like swing is {abs(asym):.0f} deg further to one side overall, "
                f"but only {100 * agree:.0f} % of its {windows} 5-s windows of walking "
                "agree on the side, as a thigh's would: perhaps not on a thigh; which way "
                "the body faces is unknown; no calibration"
            )
        return BodyAnchor(
            _horizontal(np.sign(asym) * p, u_walk),
            "thigh swing",
            abs(asym),
            ANCHOR_RELIABILITY,
            f"thigh swing: the thigh swings {abs(asym):.0f} deg further to one side "
            "(hip flexion exceeds extension), which marks the front of the body",
        )

    def _flexions(
        self,
        up: np.ndarray,
        u_walk: np.ndarray,
        tilt: np.ndarray,
        rate: float,
        region: tuple[int, int],
        check: tuple[np.ndarray | None, np.ndarray | None, int],
    ) -> list[Flexion]:
        """The stretch's brief large tilts (bending, sit-to-stand), with their checks."""
        axis, gyro, block = check
        lo, hi = region
        starts, ends = _runs_above(tilt, lo, hi, self.min_flexion_deg)
        seen: list[Flexion] = []
        travel = None if axis is None else _horizontal(np.asarray(axis, dtype=np.float64), u_walk)
        second = max(round(rate), 1)
        for a, b in zip(starts, ends, strict=True):
            # An excursion must close inside the stretch, and be brief.
            if a <= lo or b >= hi or (b - a) > self.max_flexion_s * rate:
                continue
            k = a + int(tilt[a:b].argmax())
            side = _horizontal(up[k], u_walk)
            # The whole bend: where the tilt exceeds half its peak (the part above
            # min_flexion_deg leaves out a slow bend's rise and return). The
            # postures before and after it; NaN where it is not closed inside
            # the stretch or not brief (fails the checks).
            a0, b0 = _half_height(tilt, k, lo, hi)
            resettle = start = float("nan")
            if a0 > lo and b0 < hi and (b0 - a0) <= self.max_flexion_s * rate:
                before = _unit(np.asarray(up[max(a0 - second, lo) : a0]).mean(axis=0))
                after = _unit(np.asarray(up[b0 : min(b0 + second, hi)]).mean(axis=0))
                resettle = float(np.degrees(np.arccos(min(max(before @ after, -1.0), 1.0))))
                start = float(np.degrees(np.arccos(min(max(before @ u_walk, -1.0), 1.0))))
            along = pitch = float("nan")
            if travel is not None:
                along = float(np.degrees(np.arccos(min(abs(float(side @ travel)), 1.0))))
                if gyro is not None:
                    pitch = _pitch_share(
                        np.asarray(gyro[a0 * block : b0 * block], dtype=np.float64),
                        u_walk,
                        cross(u_walk, travel),
                    )
            seen.append(Flexion(side, float(tilt[k]), along, resettle, start, pitch))
        return seen

    def checked(self, bend: Flexion) -> bool:
        """Whether a brief excursion is a bend of the trunk (the checks hold)."""
        if not np.isfinite(bend.travel_deg):
            return False
        pitch_ok = not np.isfinite(bend.pitch_share) or (
            bend.pitch_share >= self.min_flexion_pitch_share
        )
        return bool(
            bend.travel_deg <= self.max_flexion_travel_deg
            and bend.resettle_deg <= self.max_flexion_resettle_deg
            and bend.start_deg <= self.max_flexion_start_deg
            and pitch_ok
        )

    def flexion_anchor(self, seen: list[Flexion]) -> BodyAnchor:
        """The trunk-flexion anchor of a stretch from its brief excursions.

        Where the stretch has a travel axis (the excursions' ``travel_deg``
        known) only excursions that pass :meth:`checked` count, and
        ``min_checked_flexions`` of them anchor; elsewhere ``min_flexions``
        excursions are needed, unchecked.
        """
        can_check = any(np.isfinite(b.travel_deg) for b in seen)
        bends = [b for b in seen if self.checked(b)] if can_check else list(seen)
        need = self.min_checked_flexions if can_check else self.min_flexions
        if not bends or len(bends) < need:
            if can_check and len(seen) > len(bends):
                return _none(
                    "which way the body faces is unknown: the trunk's brief large tilts "
                    f"({len(seen)}) are not bends of the trunk about its left-right axis "
                    "(across the walking travel, a rotation about another axis, or the "
                    "device moved: handled); no calibration"
                )
            return _none(NO_ANCHOR_REASON)
        v = np.asarray([b.side for b in bends])
        peaks = [b.peak_deg for b in bends]
        mean = _unit(v.sum(axis=0))
        if float(np.mean(v @ mean)) < 0.8 or float(np.min(v @ mean)) < 0.0:
            return _none(
                "which way the body faces is unknown: the trunk's brief large tilts "
                f"({len(bends)}) lean to different sides; no calibration"
            )
        # Flexing moves "up", seen from the device, towards the back of the body.
        forward = _unit(-mean)
        median = small_median(np.asarray(peaks))
        checks = ", each along the walking travel and back to the same posture" if can_check else ""
        if len(bends) >= max(self.min_flexions, 2):
            reliability = ANCHOR_RELIABILITY
            what = (
                f"{len(bends)} brief bends of the trunk (median {median:.0f} deg, bending, "
                f"sitting down or standing up{checks}) all lean one way"
            )
        else:
            reliability = min(self.single_flexion_reliability, ANCHOR_RELIABILITY)
            what = (
                f"one brief bend of the trunk ({median:.0f} deg, bending, sitting down or "
                f"standing up{checks}; one bend: at most {reliability:.2f}) leans one way"
            )
        return BodyAnchor(
            forward,
            "trunk flexion",
            median,
            reliability,
            f"trunk flexion: {what}, which marks the front of the body",
        )

    def checked_turn(self, turn: TurnLever) -> bool:
        """Whether a turn's lever arm counts (along the travel, a trunk's length, clear)."""
        return bool(
            turn.travel_axis is not None
            and np.isfinite(turn.travel_deg)
            and turn.travel_deg <= self.max_lever_travel_deg
            and turn.lever_m <= self.max_lever_m
            and turn.lever_m >= self.min_lever_se_ratio * turn.se_m
        )

    def _across(self, turns: list[TurnLever]) -> float | None:
        """The median angle of the turns' lever arms to the travel axis where they lie
        across it as a side-worn device's do (:attr:`side_lever_travel_deg`), else ``None``."""
        angles = [
            t.travel_deg
            for t in turns
            if np.isfinite(t.travel_deg) and t.lever_m <= self.max_lever_m
        ]
        if len(angles) < self.min_side_turns:
            return None
        median = small_median(np.asarray(angles, dtype=np.float64))
        return median if median > self.side_lever_travel_deg else None

    def lever_anchor(self, turns: list[TurnLever] | None) -> BodyAnchor:
        """The turn lever-arm anchor of a stretch from its turns (:mod:`.lever`).

        A lower-back device sits behind the body's turning axis, so the lever
        arm of the counted turns (:meth:`checked_turn`) points to the back;
        ``min_lever_agreement`` of them must agree on the side. The forward
        axis given is the stretch's walking travel axis, the end away from the
        lever arms.
        """
        if not turns:
            return _none(NO_ANCHOR_REASON)
        across = self._across(turns)
        if across is not None:
            return _none(
                f"which way the body faces is unknown: in {len(turns)} turns the device's "
                f"lever arm lies across the walking direction (median {across:.0f} deg from "
                "it), as at the side of the waist (a clip on the hip), where the turns do not "
                "show the body's front; no calibration"
            )
        counted = [t for t in turns if self.checked_turn(t)]
        if not counted:
            return _none(
                f"which way the body faces is unknown: the device's lever arm in the "
                f"{len(turns)} turn(s) is not that of a trunk-worn device behind the turning "
                "axis (across the walking travel, too long or unclear); no calibration"
            )
        # Each counted turn says which end of the walking travel axis is the
        # back (its lever arm lies within max_lever_travel_deg of it); the axis
        # itself, from the stretch's straight steps, is the better estimate of
        # the body's front-back axis than a turn's lever arm, which a sensor
        # worn off the spine or an uneven turn pulls aside.
        # Each turn's vote is weighed by how clear its lever arm is (length over
        # standard error), so a turn lost in its noise cannot outvote a clear one.
        axis = np.asarray(counted[0].travel_axis, dtype=np.float64)
        signs = np.sign([float(t.side @ axis) for t in counted])
        weight = np.array([t.lever_m / max(t.se_m, 1e-9) for t in counted])
        total = float(weight.sum())
        back = 1.0 if float(signs @ weight) >= 0 else -1.0
        agreeing = signs == back
        agree = int(np.count_nonzero(agreeing))
        share = float(weight[agreeing].sum()) / total if total > 0 else 0.0
        if share <= 0.5 or share < self.min_lever_agreement:
            return _none(
                f"which way the body faces is unknown: in {len(counted)} turns the device's "
                f"lever arm lies on different sides ({agree} agree, {100 * share:.0f} % of "
                "their weight); no calibration"
            )
        levers = [t.lever_m for t, a in zip(counted, agreeing, strict=True) if a]
        median = small_median(np.asarray(levers))
        weighed = "" if agree == len(counted) else f", {100 * share:.0f} % of their weight"
        if agree >= 2:
            reliability = ANCHOR_RELIABILITY
            what = f"{agree} of {len(counted)} turns{weighed}"
        else:
            reliability = min(self.single_turn_reliability, ANCHOR_RELIABILITY)
            what = (
                f"one turn (at most {reliability:.2f})"
                if len(counted) == 1
                else f"1 of {len(counted)} turns{weighed} (at most {reliability:.2f})"
            )
        return BodyAnchor(
            -back * axis,
            "turn lever arm",
            median,
            reliability,
            f"turns: in {what} the device swings round {100 * median:.0f} cm behind the "
            "turning axis, which marks the back of the body (a device worn at the back "
            "of the waist)",
        )

    def trunk_anchor(
        self, bends: list[Flexion], turns: list[TurnLever] | None = None
    ) -> BodyAnchor:
        """The lower-back anchor: trunk flexion and turn lever arm, where they agree.

        Either alone anchors; both agreeing anchor at the higher reliability;
        pointing to opposite fronts, neither is trusted.
        """
        flexion = self.flexion_anchor(bends)
        lever = self.lever_anchor(turns)
        if lever.forward_unit is None:
            if flexion.forward_unit is None and flexion.reason == NO_ANCHOR_REASON:
                return lever  # why the turns did not anchor, if there were any
            return flexion
        if flexion.forward_unit is None:
            return lever
        if float(flexion.forward_unit @ lever.forward_unit) <= 0.0:
            return _none(
                "which way the body faces is unknown: the trunk's bends and the turns put "
                "the front of the body on opposite sides (is the device worn at the front of "
                "the waist?); no calibration"
            )
        return BodyAnchor(
            lever.forward_unit,
            "trunk flexion and turn lever arm",
            flexion.strength_deg,
            max(flexion.reliability, lever.reliability),
            f"{flexion.reason}; {lever.reason}",
        )


@dataclass(frozen=True)
class Flexion:
    """One brief large tilt of the trunk (a candidate bend) and its checks.

    Attributes
    ----------
    side
        Unit horizontal direction of the tilt at its peak (towards the back of
        the body for a bend).
    peak_deg
        Largest tilt away from the walking posture.
    travel_deg
        Angle between ``side`` and the stretch's walking travel axis, as axes
        (0-90; NaN without a travel axis).
    resettle_deg
        Angle between the gravity direction of the second before and after the
        bend (where its tilt exceeds half its peak); NaN where that part is
        not closed inside the stretch or longer than ``max_flexion_s``.
    start_deg
        Angle between the gravity direction of the second before and the
        stretch's walking posture (NaN as ``resettle_deg``).
    pitch_share
        Share of the horizontal rotation (gyroscope) about the axis across the
        travel axis (NaN without a gyroscope or travel axis).
    """

    side: np.ndarray
    peak_deg: float
    travel_deg: float
    resettle_deg: float
    start_deg: float
    pitch_share: float


@dataclass(frozen=True)
class TurnLever:
    """One turn's lever arm seen in a stretch (:class:`.lever.Turn`), with its check.

    Attributes
    ----------
    side
        Unit horizontal direction (the stretch's walking posture) from the
        turning axis to the device: the back of the body for a back-worn one.
    lever_m
        The lever arm's horizontal length, metres.
    se_m
        Its standard error, metres.
    travel_deg
        Angle between ``side`` and the stretch's walking travel axis, as axes
        (0-90; NaN without a travel axis).
    rotation_deg
        How far the body turned.
    travel_axis
        The stretch's walking travel axis (unit, horizontal, either sign), or
        ``None``.
    """

    side: np.ndarray
    lever_m: float
    se_m: float
    travel_deg: float
    rotation_deg: float
    travel_axis: np.ndarray | None = None


def _levers(turns: list[Turn], u_walk: np.ndarray, axis: np.ndarray | None) -> list[TurnLever]:
    """The stretch's turns in its walking posture, with their angle to the travel axis."""
    if not turns:
        return []
    travel = None if axis is None else _horizontal(np.asarray(axis, dtype=np.float64), u_walk)
    lever = np.asarray([t.lever for t in turns], dtype=np.float64)
    flat = lever - np.outer(lever @ u_walk, u_walk)
    length = row_norm(flat)
    side = flat / np.maximum(length, 1e-12)[:, None]
    along = np.full(len(turns), np.nan)
    if travel is not None:
        along = np.degrees(np.arccos(np.minimum(np.abs(side @ travel), 1.0)))
    return [
        TurnLever(side[i], float(length[i]), t.se_m, float(along[i]), t.rotation_deg, travel)
        for i, t in enumerate(turns)
    ]


def _runs_above(tilt: np.ndarray, lo: int, hi: int, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Starts and (exclusive) ends of the runs of ``tilt[lo:hi]`` above ``level``.

    Read a block of rows at a time (a file-backed ``tilt`` released), so no
    array of the stretch's length is made.
    """
    starts: list[np.ndarray] = []
    ends: list[np.ndarray] = []
    before = False  # whether the row before the block was above
    for start in range(lo, hi, _UNIT_ROWS):
        part = tilt[start : min(start + _UNIT_ROWS, hi)]
        above = np.empty(part.size + 1, dtype=np.int8)
        above[0] = before
        np.greater(part, level, out=above[1:])
        change = above[1:] - above[:-1]
        starts.append(start + (change == 1).nonzero()[0])
        ends.append(start + (change == -1).nonzero()[0])
        before = bool(above[-1])
        release(part)
    if before:
        ends.append(np.array([hi]))
    empty = np.zeros(0, dtype=np.int64)
    return np.concatenate([empty, *starts]), np.concatenate([empty, *ends])


_SEARCH_ROWS = 1 << 12
"""Rows looked at a time around a bend for its half height (3.4 min at 20 Hz)."""


def _half_height(tilt: np.ndarray, k: int, lo: int, hi: int) -> tuple[int, int]:
    """``[a, b)`` around ``k`` where ``tilt`` exceeds half ``tilt[k]``, within ``[lo, hi)``.

    Searched outwards from ``k`` a few minutes at a time: a bend is brief.
    """
    half = 0.5 * float(tilt[k])
    a, stop = lo, k
    while stop > lo:
        start = max(stop - _SEARCH_ROWS, lo)
        below = np.flatnonzero(tilt[start:stop] <= half)
        if below.size:
            a = start + int(below[-1]) + 1
            break
        stop = start
    b, start = hi, k
    while start < hi:
        stop = min(start + _SEARCH_ROWS, hi)
        below = np.flatnonzero(tilt[start:stop] <= half)
        if below.size:
            b = start + int(below[0])
            break
        start = stop
    return a, b


def _pitch_share(gyro: np.ndarray, up: np.ndarray, across: np.ndarray) -> float:
    """Share of the rotation about horizontal axes that is about ``across``."""
    if gyro.shape[0] == 0:
        return float("nan")
    across = _unit(across)
    horizontal = gyro - np.outer(gyro @ up, up)
    total = float(np.sum(horizontal * horizontal))
    if total <= 1e-12:
        return float("nan")
    return float(np.sum((horizontal @ across) ** 2)) / total


def _gravity_directions(
    acc: np.ndarray, rate: float, *, in_files: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit gravity directions of ``acc`` (block means): ``up, fast - slow, slow``.

    ``up``, ``slow`` and ``fast`` are ``acc`` low-passed at 0.5, 0.3 and 3 Hz and
    made unit vectors. Each channel is filtered on its own (the same numbers as
    the three together). With ``in_files`` (a long recording: ``acc`` in a
    temporary file too) the three are put in temporary files, each channel
    filtered a part at a time (:func:`~retrowalk.dsp.filters.lowpass_into`,
    the same numbers) and handed back to the system as it goes
    (:mod:`retrowalk.dsp.memory`), so only a part of one channel's filtering
    is in memory at a time.
    """
    if not in_files and acc.ndim == 2 and acc.shape[1] == 3:
        # in memory: the three channels filtered together, three calls not nine,
        # channel-major (lowpass_channels: lowpass's numbers) and made unit
        # vectors along the contiguous rows (:func:`_to_unit`'s numbers)
        up, slow, fast = (
            _unit_rows(lowpass_channels(acc, cutoff, rate)) for cutoff in (0.5, 0.3, 3.0)
        )
        fast -= slow
        return up, fast, slow
    if not in_files:
        up, slow, fast = (lowpass(acc, cutoff, rate) for cutoff in (0.5, 0.3, 3.0))
        for v in (up, slow, fast):
            _to_unit(v)
        fast -= slow
        return up, fast, slow
    up, slow, fast = (empty_samples(acc.shape, file_backed=True) for _ in range(3))
    for j in range(acc.shape[1]):
        for out, cutoff in ((up, 0.5), (slow, 0.3), (fast, 3.0)):
            lowpass_into(acc[:, j], out[:, j], cutoff, rate)
    for v in (up, slow, fast):
        _to_unit(v)
    for start in range(0, fast.shape[0], _UNIT_ROWS):
        part = fast[start : start + _UNIT_ROWS]
        part -= slow[start : start + _UNIT_ROWS]
        release(part)
        release(slow, start, start + _UNIT_ROWS)
    return up, fast, slow


def _pitch_swing(
    fast: np.ndarray, slow: np.ndarray, rate: float, step_s: float, *, stride_power: bool = True
) -> tuple[float, float, np.ndarray, float]:
    """Stride-scale swing of the device's tilt while walking.

    ``fast`` and ``slow`` are the unit gravity directions low-passed at 3 Hz and
    0.3 Hz. Returns the 5th-95th percentile range of the pitch about the main
    swing axis (deg), its asymmetry ``(p95 - p50) - (p50 - p5)`` (deg), the
    swing axis ``p`` (device axes) and the ratio of the pitch's power at the
    stride frequency to that at the step frequency (NaN with ``stride_power``
    False: only a thigh's swing needs it, and its spectrum of a long recording
    is large).
    """
    return _swing_of(fast - slow, slow, rate, step_s, stride_power=stride_power)[:4]


def _swing_of(
    d: np.ndarray, slow: np.ndarray, rate: float, step_s: float, *, stride_power: bool = True
) -> tuple[float, float, np.ndarray, float, np.ndarray]:
    """:func:`_pitch_swing` from ``d = fast - slow`` (changed in place), and the pitch (deg)."""
    _off_vertical(d, slow)
    _, vecs = np.linalg.eigh(d.T @ d)
    p = vecs[:, -1]
    pitch = np.degrees(d @ p)
    del d
    return _pitch_figures(pitch, p, rate, step_s, stride_power=stride_power)


def _off_vertical(d: np.ndarray, slow: np.ndarray) -> None:
    """``d`` without its part along ``slow`` (rows), in place."""
    along = np.einsum("ij,ij->i", d, slow)
    for j in range(d.shape[1]):  # column by column: no second (n, 3) temporary
        d[:, j] -= along * slow[:, j]


_SWING_ROWS = 1 << 19
"""Rows of the body anchors' rate read at a time for the swing (7.3 h at 20 Hz)."""


def _walking_swing(
    swing: np.ndarray,
    slow: np.ndarray,
    walking: np.ndarray,
    rate: float,
    step_s: float,
    *,
    stride_power: bool = True,
) -> tuple[float, float, np.ndarray, float, np.ndarray]:
    """:func:`_swing_of` of the ``walking`` rows of ``swing`` (``fast - slow``) and ``slow``.

    Up to :data:`_SWING_ROWS` rows, the same numbers, gathered at once.
    Longer arrays (a long recording's, in temporary files) are read in parts
    of that many rows, twice: once for the sum of the swing's outer products,
    whose main axis is the swing axis, and once for the pitch about it, so
    only the pitch is held whole; the parts' sums are added in another order
    than one product's, so the numbers agree to rounding.
    """
    n = swing.shape[0]
    if n <= _SWING_ROWS:
        return _swing_of(
            _walking_rows(swing, walking), _walking_rows(slow, walking), rate, step_s,
            stride_power=stride_power,
        )  # fmt: skip
    parts = [(a, min(a + _SWING_ROWS, n)) for a in range(0, n, _SWING_ROWS)]

    def part_of(a: int, b: int) -> np.ndarray:
        d = _walking_rows(swing[a:b], walking[a:b])
        _off_vertical(d, _walking_rows(slow[a:b], walking[a:b]))
        return d

    second = np.zeros((3, 3))
    for a, b in parts:
        d = part_of(a, b)
        second += d.T @ d
    _, vecs = np.linalg.eigh(second)
    p = vecs[:, -1]
    pitch = np.empty(int(np.count_nonzero(walking)))
    at = 0
    for a, b in parts:
        part = np.degrees(part_of(a, b) @ p)
        pitch[at : at + part.size] = part
        at += part.size
    return _pitch_figures(pitch, p, rate, step_s, stride_power=stride_power)


def _pitch_figures(
    pitch: np.ndarray, p: np.ndarray, rate: float, step_s: float, *, stride_power: bool
) -> tuple[float, float, np.ndarray, float, np.ndarray]:
    """The figures of :func:`_swing_of` from the pitch (deg) about the swing axis ``p``."""
    p5, p50, p95 = percentiles(pitch, (5, 50, 95))  # np.percentile's numbers
    if not stride_power:
        return float(p95 - p5), float((p95 - p50) - (p50 - p5)), p, float("nan"), pitch
    power = np.abs(np.fft.rfft(pitch - pitch.mean())) ** 2
    freq = np.fft.rfftfreq(pitch.size, 1.0 / rate)

    def band(f0: float) -> float:
        return float(power[(freq > 0.8 * f0) & (freq < 1.2 * f0)].sum())

    ratio = band(0.5 / step_s) / max(band(1.0 / step_s), 1e-12)
    return float(p95 - p5), float((p95 - p50) - (p50 - p5)), p, ratio, pitch


def _window_agreement(pitch: np.ndarray, sign: float, rate: float) -> tuple[float, int]:
    """Share of 5-s windows of walking whose swing asymmetry lies on ``sign``'s side,
    and how many windows there are.

    ``pitch`` is the swing's pitch while walking (deg, :func:`_swing_of`).
    Windows with an asymmetry under 3 deg count as disagreeing; a last window
    shorter than half a window is left out, so two windows need 7.5 s of
    walking in the stretch. Fewer than two give a share of 0: too little to
    know that the side holds.
    """
    width = max(int(5.0 * rate), 1)
    votes: list[bool] = []
    for start in range(0, pitch.size, width):
        w = pitch[start : start + width]
        if w.size < width // 2 and votes:
            break
        p5, p50, p95 = percentiles(w, (5, 50, 95))  # np.percentile's numbers
        asym = (p95 - p50) - (p50 - p5)
        votes.append(bool(np.sign(asym) == sign and abs(asym) >= 3.0))
    return (float(np.mean(votes)) if len(votes) >= 2 else 0.0), len(votes)


def _walking_rows(x: np.ndarray, walking: np.ndarray) -> np.ndarray:
    """``x[walking]``, gathered a block of rows at a time (a file-backed ``x`` released).

    Each block's rows are taken by their indices straight into the result
    (``np.take``: the same rows, without a boolean mask's slower gather and
    a copy).
    """
    out = np.empty((int(np.count_nonzero(walking)), *x.shape[1:]), dtype=x.dtype)
    at = 0
    for start in range(0, x.shape[0], _UNIT_ROWS):
        part = x[start : start + _UNIT_ROWS]
        rows = np.flatnonzero(walking[start : start + _UNIT_ROWS])
        part.take(rows, axis=0, out=out[at : at + rows.size])
        at += rows.size
        release(part)
    return out


def _walking_mean(x: np.ndarray, walking: np.ndarray) -> np.ndarray:
    """``x[walking].mean(axis=0)``, a block of rows at a time (a file-backed ``x`` released).

    The rows are added one after another in the order of the one-line form,
    which sums down the rows of a ``(n, 3)`` array the same way: the same
    numbers, without the walking rows gathered into one array. Each block's
    rows are gathered behind the sums so far and added down each column
    (:func:`~retrowalk.dsp.rows.column_sums`: numpy's order, row after row),
    not by numpy's reduction, which goes a row of three at a time.
    """
    total = np.zeros(x.shape[1:], dtype=np.float64)
    for start in range(0, x.shape[0], _UNIT_ROWS):
        part = x[start : start + _UNIT_ROWS]
        rows = walking[start : start + _UNIT_ROWS].nonzero()[0]
        block = np.empty((rows.size + 1, *x.shape[1:]))
        block[0] = total
        part.take(rows, axis=0, out=block[1:])
        total = column_sums(block)
        release(part)
    return total / max(int(np.count_nonzero(walking)), 1)


def _none(reason: str) -> BodyAnchor:
    """No anchor, and why: ``reason`` ends with :data:`NO_CALIBRATION`."""
    assert reason.endswith(NO_CALIBRATION), reason
    return BodyAnchor(None, "", 0.0, 0.5, reason)


def _stretch_blocks(
    spans: list[tuple[int, int]], stretch: np.ndarray, n_blocks: int, s: int
) -> np.ndarray:
    """The blocks of stretch ``s``'s bouts, as a mask (made when needed: one at a time)."""
    mask = np.zeros(n_blocks, dtype=bool)
    for b in np.flatnonzero(stretch == s):
        mask[spans[b][0] : spans[b][1]] = True
    return mask


def _unit(v: np.ndarray) -> np.ndarray:
    if v.ndim == 1:  # np.linalg.norm(v, axis=-1, keepdims=True)'s numbers, shape (1,)
        return v / np.maximum(row_norm(v.reshape(1, -1)), 1e-12)
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-12)


def _to_unit(v: np.ndarray) -> np.ndarray:
    """:func:`_unit` of ``(n, 3)`` rows in place, for a long array of the caller's own.

    A block of rows at a time, each row's norm alone and the columns divided one
    by one (the numbers of the row-wise form), so the temporaries are a block
    long, not the array's.
    """
    if v.ndim != 2:
        v /= np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-12)
        return v
    for start in range(0, v.shape[0], _UNIT_ROWS):
        part = v[start : start + _UNIT_ROWS]
        norm = np.maximum(row_norm(part), 1e-12)
        for j in range(part.shape[1]):
            part[:, j] /= norm
        release(part)  # a file-backed array's block goes back to its file
    return v


_UNIT_ROWS = 1 << 16


def _unit_rows(rows: np.ndarray) -> np.ndarray:
    """:func:`_to_unit` of ``rows.T`` (``rows``: ``(3, n)``), sample-major.

    Worked along the contiguous rows (each sample's norm as :func:`row_norm`
    adds its squares), so no column is read with a stride; each row divided
    by the norm is written straight into its column of the sample-major
    result (half the time of ``np.ascontiguousarray(rows.T)``, which copies
    rows of three, and no pass of its own for the division): the same numbers.
    ``rows`` is left as it was.
    """
    norm = rows[0] * rows[0]
    scratch = np.empty_like(norm)
    for row in rows[1:]:
        norm += np.multiply(row, row, out=scratch)
    np.sqrt(norm, out=norm)
    np.maximum(norm, 1e-12, out=norm)
    out = np.empty(rows.shape[::-1])
    for j, row in enumerate(rows):
        np.divide(row, norm, out=out[:, j])
    return out


def _horizontal(v: np.ndarray, up: np.ndarray) -> np.ndarray:
    return _unit(v - float(v @ up) * up)
