"""Forward / backward / uncertain per bout and per step: the classifier.

Per stretch of constant mounting, each step's travel vector
(:mod:`.travel`) is projected on the body's forward axis, which comes from a
calibration profile or from a body-fixed anchor (:mod:`.anchor`). Without
either, bouts are still grouped and split by their travel, but their direction
is ``"uncertain"`` with the reason. See :mod:`retrowalk.gait.direction`.

Longer than 400 lines on purpose: one algorithm class whose private methods are
the successive decisions of one call (grouping by mounting, splitting, anchoring,
calibrated sign, reasons); split apart they would pass the same dozen arrays
back and forth.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from retrowalk.core.algorithm import get_params
from retrowalk.dsp.frame import BodyFrame
from retrowalk.dsp.rows import cross, median_direction, small_median, unit_vector
from retrowalk.gait.direction.anchor import NO_ANCHOR_REASON, BodyAnchor, BodyAnchorEstimator
from retrowalk.gait.direction.features import (
    MAX_TURN_RATE_RADS,
    StepEvidence,
    assign_steps,
    members_of,
    step_evidence,
)
from retrowalk.gait.direction.grouping import (
    find_direction_changes_many,
    robust_scale,
    stretches_from_ups,
)
from retrowalk.gait.direction.model import _logit, _sigmoid
from retrowalk.gait.direction.travel import TravelTemplate, projected, travel_vectors

FORWARD = "forward"
BACKWARD = "backward"
UNCERTAIN = "uncertain"


NORMAL_TO_LOGIT = 1.6
"""A mean ``z`` noise units from zero has its sign right with probability about
``Phi(z) ~ sigmoid(1.6 z)`` (logistic approximation of the normal distribution)."""

MAX_RELATIVE_LOGIT = 30.0
"""Cap on the travel-cue log-odds of one bout."""

SIDEWAYS_REASON = "travel mostly across the body's forward axis (sideways or turning)"


def distinct_windows(score: np.ndarray, window: np.ndarray) -> np.ndarray:
    """Each usable stride window's score once, in time order.

    ``score`` is per contact (``nan`` where unusable) and ``window`` the start
    of its stride window (``-1`` where unusable). A bout's first and last
    contacts reuse their neighbour's window: the same evidence, counted once.
    """
    return score[_distinct_positions(score, window)]


def _distinct_positions(score: np.ndarray, window: np.ndarray) -> np.ndarray:
    """Where each usable stride window first appears among the contacts, in window order.

    A bout's contacts come in time order, so their windows' starts seldom
    decrease: then the first of each run of equal starts is where
    ``np.unique(..., return_index=True)`` puts it (its stable sort leaves a
    sorted array in place), found without the sort.
    """
    ok = (np.isfinite(score) & (window >= 0)).nonzero()[0]
    starts = window[ok]
    if starts.size < 2:
        return ok
    later = starts[1:] != starts[:-1]
    if not (starts[1:] >= starts[:-1]).all():
        _, first = np.unique(starts, return_index=True)
        return ok[first]
    first = np.empty(starts.size, dtype=bool)
    first[0] = True
    first[1:] = later
    return ok[first]


def agreeing_windows(travel: np.ndarray) -> float:
    """How many of a bout's counted windows travel the called way, weighed by evidence.

    ``travel`` is each counted window's travel with the called way positive.
    The count is ``n`` times the share of the windows' Walsh averages (the mean
    of every pair of windows, each window with itself included) that travel the
    called way, ties half: the rank-sum of Wilcoxon's signed-rank test, scaled
    to ``n`` windows. When every window agrees it is ``n``, the plain count; a
    window against that is weaker than most windows for the call is outvoted in
    its pairs and counts less than one whole window against, one stronger than
    most counts more. Measured (``benchmarks/direction.py``, calibrated): a
    right mobgap-lab Test11 bout (MS_001 at 97 s: +1.1 to +2.5 against one
    -1.1) gets 4.67 of 5 (ceiling 0.81, called) where the plain count, 4 of 5,
    left it uncertain (0.71); the HA_001 turn at 111 s (-1.3, -2.5, -2.6
    against +4.1) gets 2.4 of 4 backward (0.57) and stays uncertain. Where it
    fails: it cannot tell a short stretch of real backward steps inside a
    forward bout from a wrong one when those are strong.
    """
    v = np.asarray(travel, dtype=np.float64)
    n = v.size
    if n == 0:
        return 0.0
    # Every ordered pair (v_i + v_j is v_j + v_i to the bit): each pair of two
    # windows counted twice, each window with itself once; halved after adding
    # the diagonal once more, the counts over the pairs i <= j.
    pairs = v[:, None] + v[None, :]
    same = pairs.diagonal()
    above = (np.count_nonzero(pairs > 0) + np.count_nonzero(same > 0)) // 2
    tied = (np.count_nonzero(pairs == 0) + np.count_nonzero(same == 0)) // 2
    share = (above + 0.5 * tied) / (n * (n + 1) // 2)
    return float(n * share)


def window_ceiling(n_agree: float, n_windows: int) -> float:
    """Highest confidence a call can claim when ``n_agree`` of its ``n_windows``
    distinct stride windows travel the called way.

    Laplace's rule of succession (Feller, An Introduction to Probability Theory
    and Its Applications, vol. 1, ch. V): with a uniform prior on how often a
    stride of the bout travels the called way, after ``n_agree`` of
    ``n_windows`` did, the probability that a further stride does is
    ``(n_agree + 1) / (n_windows + 2)``. Every step of a bout carries the
    bout's label and confidence, so that is what the call can claim: all
    windows agreeing, 2 give 0.75, 4 give 0.83, 8 give 0.9, 18 give 0.95 and
    98 give 0.99; one window against in 5 gives 0.71, below any call. The
    noise-unit confidence instead assumes a noise level known exactly, which a
    handful of windows cannot establish (a pocket run of 4 distinct windows gave
    scores of 1e12 and 0.99+). Where it fails: it ignores how far each window
    is from zero, so it is conservative for long clean bouts; it treats
    neighbouring strides as independent, which they are not quite; and it says
    nothing of a bout whose windows agree but whose calibration is wrong.
    """
    return (n_agree + 1.0) / (n_windows + 2.0)


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
    bout_reason: list[str] = field(default_factory=list)


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
        Split bouts where the travel direction changes (interval training).
    split_min_steps, split_penalty
        See :func:`find_direction_changes`, applied to each step's travel along
        the stretch's axis in noise units (clipped to +-2, halved); a change
        needs ``split_min_steps`` consistent steps on each side.
    split_confidence
        Each part of a split bout must on its own give this probability of
        travelling opposite to its neighbours.
    max_tilt_change_deg
        See :func:`mounting_stretches`.
    max_turn_rate_rads
        Steps with a larger mean yaw rate (turning) are not used as evidence
        (needs a gyroscope; ``None`` uses all steps).
    max_sideways_ratio
        A bout whose mean travel vector has a component across the body's
        forward axis larger than this times its component along it travels
        sideways (or diagonally): ``"uncertain"``, never forward. Checked only
        with an anchor (a calibration template is not a single axis). When its
        clear stride windows travel both ways along the axis, the reason says
        so: the mean then runs across the axis because they cancel, not
        because the body steps sideways (mobgap-lab HA_002 Test11 at 17.9 s, a
        21-s shuffle with turns: 1 clear window forward, 2 backward).
    max_posture_change_deg
        Steps whose stride-window gravity direction differs more than this from
        the stretch's usual posture (device being put in place or moved) are
        not used as evidence.
    min_usable_steps
        A bout needs this many usable (straight, device in place) steps for a
        call; the last steps of a walk, turns and shuffles carry little.
        Measured: 4 or 5 would decide the one real backward run of 3 s or more
        at the lower back (5 usable steps) and more daily life, but with the
        person's calibration 5 puts a turn of mobgap-lab Test11 (MS_001,
        28.5-32.3 s) backward at 0.86 (earlier contact detection also put
        ipol-gait shuffles after the walk backward at 0.97-1.0); shorter bouts
        are called by ``short_run_strides`` instead.
        With the true forward axis as anchor, 5 or 4 put 1 or 3 ipol-gait bouts
        backward, and chosen leave-one-person-out, 5 gives the person left out
        a backward bout (``benchmarks/direction.py --travel``).
    short_run_strides
        A calibrated bout with fewer than ``min_usable_steps`` usable steps is
        still called when at least this many distinct usable stride windows all
        travel the same way along the calibrated axis, each by at least
        ``short_run_min_score`` noise units. Its confidence is then the rule of
        succession over those strides, ``(n + 1) / (n + 2)`` (2 strides: 0.75,
        3: 0.8), never the noise-unit confidence, which a handful of overlapping
        stride windows cannot support. The edge steps of a bout share their
        neighbour's stride window, so a 5-step run has 3 distinct windows, and a
        window counts once. ``None`` switches the rule off; without a
        calibration it applies only with ``short_run_anchored``. Chosen
        leave-one-person-out on every calibrated real analysis
        (``benchmarks/direction.py --short``): with any choice no bout came out
        opposite; it calls the 5-step forward runs and the one real backward run
        at the lower back (uncertain before only for their number of steps).
        Lowering ``min_usable_steps`` to 5 instead put a daily-life turn of
        mobgap-lab Test11 backward (0.86): its 3 distinct windows disagree in
        sign and the edge window counted twice.
    short_run_min_score
        See ``short_run_strides``. Also the smallest travel (noise units) for a
        distinct stride window to count for or against any call in
        :func:`window_ceiling`, the limit on every bout's confidence: ``(a +
        1) / (n + 2)`` where ``a`` of the bout's ``n`` counted windows travel
        the called way. Measured (``benchmarks/direction.py``, calibrated):
        without the limit, the mean over distinct windows called a mobgap-lab
        Test11 turn (HA_001 at 111 s: 4 of 5 windows backward, 3 of them
        clearly) backward at 0.86; counting every window, however weak, also
        left uncertain right Test11 calls whose only windows against were
        -0.2 to -0.5 (forward bout time 71.3 -> 47.8 %; with this threshold
        57.6 %: 3 MS_001 bouts with 2-3 clearly backward windows of 7-15 are
        uncertain, right before at 0.94-0.96). The agreeing windows are weighed
        by their evidence (:func:`agreeing_windows`), which calls one of them
        again (a single weak window against). 1 noise unit, where 0.5 was
        used before: chosen leave-one-person-out for every person
        (``benchmarks/direction.py --short``), and with the turn anchor at
        0.5 an ipol-gait lower back's shuffle after its walk (2 windows, one
        of them under 1 noise unit) was called backward at 0.75; at 1 it is uncertain
        (mobgap-lab Test11 bout time forward: calibrated 67.5 -> 72.4 %,
        uncalibrated 68.8 -> 67.8 %).
    weak_change_uncertain
        Where the split search finds the travel turning round but one side
        falls short of ``split_confidence`` (and the other does not, the two
        alternate in sign, each with ``min_steps_for_decision`` usable steps),
        the bout is split there all the same and the weak side is
        ``"uncertain"`` with the reason, instead of the whole bout being called
        from its mean travel. Measured: the real backward walker's whole take
        at the lower back, calibrated, was one bout whose forward start (6
        usable steps, 0.989) fell just short of the split, and the whole bout,
        its 14 forward steps included, was called backward at 0.998; now it
        splits 0 steps from the labelled change, forward part uncertain.
    short_run_anchored
        The ``short_run_strides`` rule also for a stretch whose forward axis
        comes from a body anchor, at the anchor's reliability (0.85) held to
        :func:`window_ceiling` (4 windows: 0.83, 2: 0.75). The rule asks the
        same of the travel whatever gave the axis; the anchor's own doubt is its
        cap, as for longer bouts, and one travelling across the anchor's axis
        (``max_sideways_ratio``) stays uncertain. Measured
        (``benchmarks/direction.py``): mobgap-lab Test11 uncalibrated, three
        short HA_001 bouts (93.8, 119.9 and 131.2 s: 4, 4 and 2 windows, all
        +6.6 to +9.9 noise units) called forward at 0.75-0.83 (bout time forward
        21.5 -> 30.2 %); nothing else moved, no call opposite. With the true
        forward axis as the anchor it calls 2 more ipol-gait and 3 more
        mobgap-lab Test11 bouts, all right, and it is chosen
        leave-one-person-out for every person (``benchmarks/direction.py
        --short``). Where it fails: it is as wrong as the anchor.
    short_run_weak_ignored
        The ``short_run_strides`` rule with a run's weak windows (under
        ``short_run_min_score``) left out instead of refusing the call: the
        clear ones, at least ``short_run_strides``, must all travel one way,
        and the confidence is theirs (:func:`window_ceiling` counts only the
        clear windows anyway). Measured (``benchmarks/direction.py --short``):
        on every real analysis it calls one more bout, mobgap-lab HA_001 Test11
        at 28.0-34.5 s (inside the reference system's walking bout, 28.6-33.2
        s; clear windows +3.1 and +1.1 noise units, weak ones +0.2 and +0.0),
        forward at 0.75, anchored and calibrated, and changes nothing else (no
        call opposite anywhere); with the true forward axis as the anchor it
        calls nothing more. Chosen leave-one-person-out it is not taken for
        HA_001 (on the others it changes nothing, and the stricter rule wins
        a tie), so it is off: one person's bout does not choose a rule.
    min_end_run_windows
        A part left ``"uncertain"`` whose last (or first) clear distinct
        windows, this many or more, all travel against the clear window before
        them (a turn, or steps back before sitting down) is split there: the
        rest is called on its own evidence, under every rule above, when it is
        called the other way, and the whole part's clear windows, weighed by
        their evidence (:func:`agreeing_windows`), lean that way too: the end
        run must be the exception, since cutting it off removes evidence against
        the rest (with the true forward axis and looser rules, 4 usable steps
        and turns up to 0.5 rad/s, ipol-gait 8-5's walk back had 3 clear windows
        each way, and its rest was called backward at 0.8 without this check).
        The end run stays ``"uncertain"`` with the reason, never called.
        ``None`` switches it off. Measured: mobgap-lab HA_001 Test11 at
        37.8-53.4 s (6 clear forward windows, then 4 clearly backward in its
        last 2.5 s) was uncertain whole ("sideways" uncalibrated, 6 of 10
        windows calibrated); now (uncalibrated) 37.8-48.6 s is forward
        (0.83) and 49.1-53.4 s, its last 4 clear windows, uncertain: the end
        run begins 1.8 s before the reference system's (INDIP) walking bout
        ends (50.85 s; at ``short_run_min_score`` 0.5 it began there). With
        the true forward axis as the anchor it
        also calls MS_001's bout at 45.4 s forward (its last 2 clear windows, at
        57.9 and 58.9 s, clearly backward and after its reference walking bout,
        left uncertain). Chosen leave-one-person-out with those true-axis
        analyses (``benchmarks/direction.py --short``): 2 for every person but
        MS_001, who gets 4 (the only end run of the others, HA_001's, has 4
        windows); no call opposite.
    max_anchored_backward_share
        Without a calibration, a stretch whose thigh-swing anchor puts more
        than this share of its steps backward is left undecided
        (``"uncertain"`` with the reason). It guards against a misread anchor
        (a waist-worn device taken for a thigh put bouts of a day-long forward
        recording backward); it never makes a call. Backward-walking sessions
        with a phone in the pocket need a calibration. The lower-back anchor
        (trunk flexion) is not guarded this way: it was right on every forward
        walk it anchored, and it is the one that can call a backward walk
        uncalibrated; its guard is on each bend instead (:mod:`.anchor`: a
        bend along the walking travel, about the left-right axis, the device
        not moved).
    travel_template
        The lag pattern of :mod:`.travel`; the shipped one when ``None``.
    anchor_estimator
        The :class:`~retrowalk.gait.direction.anchor.BodyAnchorEstimator` whose
        thresholds :func:`body_anchors` uses (its ``placement`` is replaced by
        the recording's); the defaults when ``None``.

    Attributes
    ----------
    split_bouts_ : list of (int, int)
        Bouts after splitting at direction changes; the bout outputs refer to these.
    source_bout_ : list of int
        For each split bout, the index of the input bout it came from.
    bout_direction_, bout_confidence_, bout_score_ : list
        Per split bout: label, probability of the label being right (0.5-1; the
        probability of the more likely direction for ``"uncertain"``, 0.5 when
        the facing is unknown), and log-odds of forward. The travel along the
        forward axis is averaged over the bout's distinct stride windows, each
        once, and the confidence never exceeds what their number supports
        (:func:`window_ceiling`: 8 agreeing windows for 0.9, 98 for 0.99).
    bout_reason_ : list of str
        Per split bout: what decided the direction, or why it is uncertain.
    bout_calibrated_ : list of bool
        Per split bout: decided by a calibration profile.
    profile_refusals_ : list of str
        Why the calibration profile was not used for a stretch of the recording
        (the device worn differently from the calibration), each reason once.
    step_samples_ : ndarray
        The contacts as given (the step outputs follow their order).
    step_direction_, step_confidence_ : ndarray
        Per contact: its own direction and confidence. A step whose own
        stride's travel agrees with its split bout's label carries that label;
        one whose travel points the other way is ``"uncertain"`` (0.5); one
        without usable evidence of its own (turning, device being moved)
        carries its bout's label; ``"uncertain"``/0.5 outside all bouts.
    step_score_ : ndarray
        Per contact: travel along the body's forward axis in noise units
        (positive = forward; ``nan`` where the facing is unknown or the stride
        window is unusable).
    step_mounting_ : ndarray
        Per contact: travel along the stretch's axis in noise units (the
        forward axis where known, else the principal travel axis, sign
        arbitrary).
    notes_ : list of str
        What was assumed (profile used or refused, anchors).
    """

    def __init__(
        self,
        min_steps_for_decision: int = 4,
        *,
        min_confidence: float = 0.75,
        split: bool = True,
        split_min_steps: int = 4,
        split_penalty: float = 10.0,
        split_confidence: float = 0.99,
        max_tilt_change_deg: float = 30.0,
        max_turn_rate_rads: float | None = MAX_TURN_RATE_RADS,
        max_sideways_ratio: float = 1.0,
        max_posture_change_deg: float = 15.0,
        min_usable_steps: int = 6,
        short_run_strides: int | None = 2,
        short_run_min_score: float = 1.0,
        weak_change_uncertain: bool = True,
        short_run_anchored: bool = True,
        short_run_weak_ignored: bool = False,
        min_end_run_windows: int | None = 2,
        max_anchored_backward_share: float = 0.5,
        travel_template: TravelTemplate | None = None,
        anchor_estimator: BodyAnchorEstimator | None = None,
    ) -> None:
        self.min_steps_for_decision = min_steps_for_decision
        self.min_confidence = min_confidence
        self.split = split
        self.split_min_steps = split_min_steps
        self.split_penalty = split_penalty
        self.split_confidence = split_confidence
        self.max_tilt_change_deg = max_tilt_change_deg
        self.max_turn_rate_rads = max_turn_rate_rads
        self.max_sideways_ratio = max_sideways_ratio
        self.max_posture_change_deg = max_posture_change_deg
        self.min_usable_steps = min_usable_steps
        self.short_run_strides = short_run_strides
        self.short_run_min_score = short_run_min_score
        self.weak_change_uncertain = weak_change_uncertain
        self.short_run_anchored = short_run_anchored
        self.short_run_weak_ignored = short_run_weak_ignored
        self.min_end_run_windows = min_end_run_windows
        self.max_anchored_backward_share = max_anchored_backward_share
        self.travel_template = travel_template
        self.anchor_estimator = anchor_estimator

    # The profile type lives in calibration.py, which imports this module.
    def classify(
        self,
        frame: BodyFrame,
        bouts: list[tuple[int, int]],
        ic_samples: np.ndarray,
        *,
        profile: Any = None,
        anchors: list[BodyAnchor] | None = None,
    ) -> WalkingDirectionClassifier:
        """Classify every bout and every contact.

        Parameters
        ----------
        frame
            :func:`retrowalk.dsp.frame.body_frame` of the recording.
        bouts
            ``(start, end)`` sample indices of walking bouts.
        ic_samples
            Initial contacts (sample indices) of both feet.
        profile
            Optional :class:`retrowalk.gait.calibration.DirectionProfile`: where
            the recording's mounting matches it, bouts are labelled by their
            travel along the calibrated body-forward axis.
        anchors
            Optional body-fixed anchor per stretch (see :func:`body_anchors`).
        """
        bouts = [(int(a), int(b)) for a, b in bouts]
        ev = step_evidence(frame, bouts, ic_samples, max_turn_rate_rads=self.max_turn_rate_rads)
        return self.classify_evidence(ev, bouts, ic_samples, profile=profile, anchors=anchors)

    def stretches(self, ev: StepEvidence) -> np.ndarray:
        """Stretch label of each bout of ``ev`` (what :func:`body_anchors` needs)."""
        return self._cues(ev)[0]

    def _cues(self, ev: StepEvidence) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(stretch, use, travel)`` of ``ev``: each bout's stretch, the steps used
        (settled, not turning) and each step's travel vector.

        :func:`body_anchors` and :meth:`classify_evidence` both ask for them of
        the same evidence, so they are worked out once per evidence and
        settings (the last asked are kept, read-only: the same arrays, not
        copies, for both).
        """
        settings = (self.max_tilt_change_deg, self.max_posture_change_deg)
        kept = self._kept_cues
        if (
            kept is not None
            and kept[0] is ev
            and kept[1] == settings
            and kept[2] is self.travel_template
        ):
            return kept[3]
        stretch = stretches_from_ups(ev.bout_up, self.max_tilt_change_deg)
        use = ~ev.turning & self._settled(ev, stretch)
        travel = travel_vectors(ev.odd, self.travel_template)
        for a in (stretch, use, travel):
            a.flags.writeable = False
        self._kept_cues = (ev, settings, self.travel_template, (stretch, use, travel))
        return stretch, use, travel

    _kept_cues: (
        tuple[
            StepEvidence,
            tuple[float, float],
            TravelTemplate | None,
            tuple[np.ndarray, np.ndarray, np.ndarray],
        ]
        | None
    ) = None

    def classify_evidence(
        self,
        ev: StepEvidence,
        bouts: list[tuple[int, int]],
        ic_samples: np.ndarray,
        *,
        profile: Any = None,
        anchors: list[BodyAnchor] | None = None,
    ) -> WalkingDirectionClassifier:
        """Classify from precomputed :class:`StepEvidence` (e.g. of many bout pieces)."""
        bouts = [(int(a), int(b)) for a, b in bouts]
        ic, owner = ev.ic, ev.owner
        stretch, use, travel = self._cues(ev)
        mounting, facing, notes, refusals = self._travel_cue(
            ev, stretch, use, travel, profile, anchors
        )
        # Each usable contact's stride window (edge contacts share their neighbour's).
        window_of = np.full(ic.size, -1, dtype=np.int64)
        window_of[ev.windows.step_index[use]] = ev.windows.start[use]

        split_bouts: list[tuple[int, int]] = []
        source: list[int] = []
        of_bout = members_of(owner, len(bouts))
        weak_part: list[bool] = []  # per split bout: the weak side of an unconfirmed change
        scaled = np.minimum(np.maximum(mounting, -2.0), 2.0) / 2.0  # np.clip's, once for all bouts
        # each bout's usable steps, and the direction changes of all bouts searched together
        usable = [np.isfinite(mounting[members]).nonzero()[0] for members in of_bout]
        changes = (
            find_direction_changes_many(
                [scaled[members[valid]] for members, valid in zip(of_bout, usable, strict=True)],
                min_steps=self.split_min_steps,
                penalty=self.split_penalty,
            )
            if self.split
            else []
        )
        for b, (start, end) in enumerate(bouts):
            members = of_bout[b]
            cuts: list[int] = []
            if self.split and members.size:
                r = mounting[members]
                valid = usable[b]
                proposed = [int(valid[c]) for c in changes[b]]
                cuts = self._confirmed_cuts(r, proposed)
                weak = self._weak_parts(r, proposed) if not cuts else None
                if self.weak_change_uncertain and weak is not None:
                    cuts = proposed
                    weak_part.extend(weak)
                else:
                    weak_part.extend([False] * (len(cuts) + 1))
            else:
                weak_part.append(False)
            edges = [start]
            for c in cuts:
                k = members[c]
                edges.append(int((ic[k - 1] + ic[k]) // 2) if k > 0 else int(ic[k]))
            edges.append(end)
            for a, z in itertools.pairwise(edges):
                split_bouts.append((a, z))
                source.append(b)

        _, split_owner = assign_steps(split_bouts, ic)
        split_stretch = stretch[np.asarray(source, dtype=np.int64)] if source else np.zeros(0)
        step_dir = np.full(ic.size, UNCERTAIN, dtype=object)
        step_conf = np.full(ic.size, 0.5)
        directions: list[str] = []
        confidences: list[float] = []
        logits: list[float] = []
        reasons: list[str] = []
        calibrated: list[bool] = []
        of_split = members_of(split_owner, len(split_bouts))
        final_bouts: list[tuple[int, int]] = []
        final_source: list[int] = []
        own_parts: list[np.ndarray] = []  # each final part's contacts, for their own labels
        for j in range(len(split_bouts)):
            members = of_split[j]
            s = int(split_stretch[j])
            kind = facing[s][0]
            label, p, reason = self._call(members, facing[s], mounting, window_of)
            if weak_part[j] and label in (FORWARD, BACKWARD):
                label = UNCERTAIN
                reason = (
                    "the travel turns round between this part and the next, but too weakly "
                    "here to call this part: not decided"
                )
            parts = [(split_bouts[j], members, label, p, reason)]
            if label == UNCERTAIN and not weak_part[j] and self.split:
                # a turn or steps back at an end: the rest called, the end run not
                ends = self._end_run(split_bouts[j], members, ic, facing[s], mounting, window_of)
                parts = ends or parts
            for bounds, part, label, p, reason in parts:
                final_bouts.append(bounds)
                final_source.append(source[j])
                directions.append(label)
                confidences.append(max(p, 1.0 - p))
                logits.append(_logit(p))
                reasons.append(reason)
                calibrated.append(kind == "calibration")
                own_parts.append(part)
        if own_parts:  # each step's own label, for the steps of all final parts at once
            sizes = [part.size for part in own_parts]
            every = np.concatenate(own_parts)
            own = np.array(directions, dtype=object).repeat(sizes)
            own_conf = np.array(confidences, dtype=np.float64).repeat(sizes)
            self._steps_own_labels(mounting[every], own, own_conf)
            step_dir[every] = own
            step_conf[every] = own_conf
        split_bouts, source = final_bouts, final_source

        requested = np.asarray(ic_samples, dtype=np.int64).ravel()
        back = ic.searchsorted(requested) if ic.size else np.zeros(0, dtype=np.int64)
        back = np.minimum(np.maximum(back, 0), max(ic.size - 1, 0))  # np.clip's
        known = np.array([f[0] != "relative" for f in facing], dtype=bool)
        absolute = np.zeros(ic.size, dtype=bool)
        inside = owner >= 0
        if known.size and inside.any():
            absolute[inside] = known[stretch[owner[inside]]]
        score = np.where(absolute, mounting, np.nan) if ic.size else np.zeros(0)
        self.split_bouts_ = split_bouts
        self.source_bout_ = source
        self.bout_direction_ = directions
        self.bout_confidence_ = confidences
        self.bout_score_ = logits
        self.bout_reason_ = reasons
        self.bout_calibrated_ = calibrated
        self.step_samples_ = requested
        self.step_direction_ = step_dir[back].astype(str) if ic.size else np.zeros(0, dtype=str)
        self.step_confidence_ = step_conf[back] if ic.size else np.zeros(0)
        self.step_score_ = score[back] if ic.size else np.zeros(0)
        self.step_mounting_ = mounting[back] if ic.size else np.zeros(0)
        self.notes_ = notes
        self.profile_refusals_ = refusals
        return self

    def _call(
        self,
        members: np.ndarray,
        facing: tuple[str, float, str, np.ndarray, np.ndarray],
        mounting: np.ndarray,
        window_of: np.ndarray,
    ) -> tuple[str, float, str]:
        """Label, probability of forward and reason of the contacts ``members`` (one part)."""
        kind, reliability, why, along, across = facing
        r = mounting[members]
        r = r[np.isfinite(r)]
        distinct = distinct_windows(mounting[members], window_of[members])
        rho = 0.0
        if distinct.size:
            # np.mean's sum and division and np.sqrt's root, without their per-call cost
            z = float(np.add.reduce(distinct)) / distinct.size * math.sqrt(distinct.size)
            # np.clip's numbers, without its per-call cost on one value
            rho = float(min(max(NORMAL_TO_LOGIT * z, -MAX_RELATIVE_LOGIT), MAX_RELATIVE_LOGIT))
        along_m, across_m = along[members], across[members]
        ok = np.isfinite(along_m) & np.isfinite(across_m)
        ratio = 0.0
        if ok.any():
            # np.mean's sums and divisions, without its per-call cost
            across_k, along_k = across_m[ok], along_m[ok]
            across_mean = np.add.reduce(across_k) / across_k.size
            ratio = abs(across_mean) / max(abs(np.add.reduce(along_k) / along_k.size), 1e-12)
        short = None
        few = r.size < self.min_usable_steps and members.size >= self.min_steps_for_decision
        if few:
            short = self._short_run(kind, reliability, why, mounting[members], window_of[members])
        if short is not None and ratio > self.max_sideways_ratio:  # an anchor's axis only
            short = (UNCERTAIN, short[1], SIDEWAYS_REASON)
        if short is not None:
            label, p, reason = short
        elif few:
            label, p = UNCERTAIN, 0.5
            reason = (
                f"too few straight steps with the device in place ({r.size}) to tell the direction"
            )
        else:
            label, p, reason = self._decide(kind, reliability, why, rho, members.size, ratio)
        if reason == SIDEWAYS_REASON:
            reason = self._across_reason(distinct)
        return self._bounded(label, p, reason, distinct)

    def _across_reason(self, windows: np.ndarray) -> str:
        """Why a bout whose mean travel runs across the forward axis is uncertain.

        ``windows`` is its travel along the axis per distinct stride window
        (noise units). When its clear windows (``short_run_min_score``) travel
        both ways along the axis, the mean runs across it because the two
        cancel, not because the body steps sideways: the reason says so.
        """
        clear = windows[np.abs(windows) >= self.short_run_min_score]
        ahead, back = int(np.count_nonzero(clear > 0)), int(np.count_nonzero(clear < 0))
        if not (ahead and back):
            return SIDEWAYS_REASON
        return (
            f"its clear straight strides travel both ways along the body's forward axis "
            f"({ahead} forward, {back} backward), so on the whole more across it than along: "
            "turning or stepping about, not decided"
        )

    def _end_run(
        self,
        bounds: tuple[int, int],
        members: np.ndarray,
        ic: np.ndarray,
        facing: tuple[str, float, str, np.ndarray, np.ndarray],
        mounting: np.ndarray,
        window_of: np.ndarray,
    ) -> list[tuple[tuple[int, int], np.ndarray, str, float, str]] | None:
        """An undecided part split into a called rest and an undecided end run, or ``None``.

        The end run is the last (or first) ``min_end_run_windows`` or more
        clear distinct stride windows of the part, all travelling one way, with
        the clear window before (after) it travelling the other way; the rest
        must then be called, on its own evidence and every usual rule, the
        other way, and the part's clear windows weighed by their evidence must
        lean that way. The run (and any weak windows between it and the rest),
        ``split_min_steps`` contacts at least, is ``"uncertain"``: it is never
        called.
        """
        need = self.min_end_run_windows
        if need is None or facing[0] == "relative" or members.size == 0:
            return None
        score, window = mounting[members], window_of[members]
        at = np.sort(_distinct_positions(score, window))  # each distinct window's, in time order
        if at.size == 0:
            return None
        values = score[at]
        clear = np.flatnonzero(np.abs(values) >= self.short_run_min_score)
        signs = np.sign(values[clear])
        if signs.size == 0:
            return None
        for trailing in (True, False):
            order = signs[::-1] if trailing else signs
            run = int((order != order[0]).argmax()) if (order != order[0]).any() else 0
            if run < need:
                continue
            if trailing:  # the rest ends with the last clear window against the run
                last = int(at[clear[-run - 1]])
                rest, tail = members[: last + 1], members[last + 1 :]
            else:  # the rest begins with the first clear window against the run
                first_rest = int(at[clear[run]])
                rest, tail = members[first_rest:], members[:first_rest]
            if tail.size < self.split_min_steps:
                continue  # as a change of direction needs: a part the pipeline keeps apart
            label, p, reason = self._call(rest, facing, mounting, window_of)
            if label not in (FORWARD, BACKWARD) or (p >= 0.5) == (order[0] > 0):
                continue
            # The end run must be the exception: the whole part's clear windows,
            # weighed by their evidence, lean the way the rest is called.
            votes = values[clear] * (1.0 if p >= 0.5 else -1.0)
            if agreeing_windows(votes) <= 0.5 * votes.size:
                continue
            which = "last" if trailing else "first"
            end_reason = (
                f"the {which} {run} clear strides of the walk travel the other way from "
                "the rest (a turn, or a few steps back): not decided"
            )
            if trailing:
                edge = int((ic[rest[-1]] + ic[tail[0]]) // 2)
                return [
                    ((bounds[0], edge), rest, label, p, reason),
                    ((edge, bounds[1]), tail, UNCERTAIN, 0.5, end_reason),
                ]
            edge = int((ic[tail[-1]] + ic[rest[0]]) // 2)
            return [
                ((bounds[0], edge), tail, UNCERTAIN, 0.5, end_reason),
                ((edge, bounds[1]), rest, label, p, reason),
            ]
        return None

    @staticmethod
    def _own_labels(
        score: np.ndarray, label: str, confidence: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each step's own direction within a split bout labelled ``label``.

        ``score`` is each step's own travel along the body's forward axis (noise
        units; ``nan`` where its stride gave no usable evidence). A step whose
        own travel agrees with its bout keeps the bout's label and confidence; a
        step whose own travel points the other way is ``"uncertain"`` (one
        stride against its neighbours is not enough to call it, and it is not
        forced into its bout's direction either); a step without evidence of its
        own (turning, device moving) carries its bout's label.
        """
        out = np.full(score.shape, label, dtype=object)
        conf = np.full(score.shape, confidence)
        return WalkingDirectionClassifier._steps_own_labels(score, out, conf)

    @staticmethod
    def _steps_own_labels(
        score: np.ndarray, labels: np.ndarray, confidences: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`_own_labels` of the steps of many split bouts at once.

        ``labels`` (object) and ``confidences`` are each step's bout's, and are
        changed in place (and returned): a step of a called bout whose own
        travel points the other way becomes ``"uncertain"`` at 0.5.
        """
        forward = labels == FORWARD
        called = forward | (labels == BACKWARD)
        sign = np.where(forward, 1.0, -1.0)
        against = called & np.isfinite(score) & (sign * score < 0)
        labels[against] = UNCERTAIN
        confidences[against] = 0.5
        return labels, confidences

    def _bounded(
        self, label: str, p: float, reason: str, windows: np.ndarray
    ) -> tuple[str, float, str]:
        """``label``, ``p`` and ``reason`` with the confidence held to :func:`window_ceiling`.

        ``windows`` is the bout's travel per distinct stride window (noise
        units); a window counts when it travels at least ``short_run_min_score``
        either way (a weaker one says little about the direction, and is not
        counted for or against); the agreeing ones are counted by their
        evidence among the bout's counted windows (:func:`agreeing_windows`:
        all agreeing, the plain count). The one limit on every bout's confidence: the
        short-run rule's calls, whose windows all count and agree, reach it
        exactly. A call the limit takes below ``min_confidence`` becomes
        ``"uncertain"``.
        """
        votes = windows[np.abs(windows) >= self.short_run_min_score]
        n = int(votes.size)
        agree = np.count_nonzero(votes > 0) if p >= 0.5 else np.count_nonzero(votes < 0)
        ceiling = window_ceiling(agreeing_windows(votes if p >= 0.5 else -votes), n)
        if max(p, 1.0 - p) <= ceiling:
            return label, p, reason
        p = max(ceiling, 0.5) if p >= 0.5 else min(1.0 - ceiling, 0.5)
        called = label in (FORWARD, BACKWARD)
        if called and max(p, 1.0 - p) < self.min_confidence:
            reason = (
                f"only {agree} of the {n} clear distinct straight strides travel the same "
                "way: too few to call the direction"
            )
            return UNCERTAIN, p, reason
        if called and "limited by their number" not in reason:
            reason = (
                f"{reason}; confidence limited by its {n} clear distinct straight strides "
                f"({agree} travel this way)"
            )
        return label, p, reason

    def _short_run(
        self, kind: str, reliability: float, why: str, score: np.ndarray, window: np.ndarray
    ) -> tuple[str, float, str] | None:
        """Label, probability of forward and reason of a short bout, or ``None``.

        ``score`` is each contact's travel along the calibrated (or anchored:
        ``short_run_anchored``) axis (noise units, ``nan`` where unusable) and
        ``window`` the start of its stride window: contacts sharing a window
        count once. The probability returned is 1 or 0 with a calibration, the
        anchor's ``reliability`` (or 1 minus it) with an anchor: the caller
        holds it to :func:`window_ceiling`, which for a calibrated run whose
        windows all agree is the whole of its confidence.
        """
        if self.short_run_strides is None or kind == "relative":
            return None
        if kind == "anchor" and not self.short_run_anchored:
            return None
        values = distinct_windows(score, window)
        weak = 0
        if self.short_run_weak_ignored:
            clear = np.abs(values) >= self.short_run_min_score
            weak = int(values.size) - int(np.count_nonzero(clear))
            values = values[clear]
        n = int(values.size)
        if n < self.short_run_strides:
            return None
        if (values >= self.short_run_min_score).all():
            label = FORWARD
        elif (values <= -self.short_run_min_score).all():
            label = BACKWARD
        else:
            return None
        if window_ceiling(n, n) < self.min_confidence:
            return None
        strides = f"{n} clear straight strides" if weak else f"{n} straight strides"
        tail = f" ({weak} too weak to count)" if weak else ""
        if kind == "calibration":
            reason = (
                f"calibration, from only {strides} that all travel the same way{tail}: "
                "confidence limited by their number"
            )
            return label, 1.0 if label == FORWARD else 0.0, reason
        reason = (
            f"{why}; from only {strides} that all travel the same way{tail}: "
            "confidence limited by their number"
        )
        return label, reliability if label == FORWARD else 1.0 - reliability, reason

    def _settled(self, ev: StepEvidence, stretch: np.ndarray) -> np.ndarray:
        """Steps taken with the device in its stretch's usual posture (not being moved)."""
        ok = np.ones(ev.windows.start.size, dtype=bool)
        if ok.size == 0:
            return ok
        step_stretch = stretch[ev.windows.bout_index]
        cos_max = np.cos(np.deg2rad(self.max_posture_change_deg))
        for s in sorted(set(step_stretch.tolist())):  # np.unique's stretches
            k = np.flatnonzero(step_stretch == s)
            ok[k] = ev.window_up[k] @ median_direction(ev.window_up[k]) >= cos_max
        return ok

    def _decide(
        self,
        kind: str,
        reliability: float,
        why: str,
        rho: float,
        n_steps: int,
        sideways_ratio: float,
    ) -> tuple[str, float, str]:
        """Label, probability of forward and reason of one split bout."""
        if n_steps < self.min_steps_for_decision:
            return UNCERTAIN, 0.5, f"too few steps ({n_steps}) to tell the direction"
        if kind == "relative":
            return UNCERTAIN, 0.5, why
        p_travel = float(_sigmoid(rho))
        p = reliability * p_travel + (1.0 - reliability) * (1.0 - p_travel)
        conf = max(p, 1.0 - p)
        if sideways_ratio > self.max_sideways_ratio:
            return UNCERTAIN, p, SIDEWAYS_REASON
        if conf < self.min_confidence:
            return UNCERTAIN, p, f"travel along the body's forward axis too weak ({why})"
        return (FORWARD if p >= 0.5 else BACKWARD), p, why

    def _travel_cue(
        self,
        ev: StepEvidence,
        stretch: np.ndarray,
        use: np.ndarray,
        travel: np.ndarray,
        profile: Any,
        anchors: list[BodyAnchor] | None,
    ) -> tuple[
        np.ndarray, list[tuple[str, float, str, np.ndarray, np.ndarray]], list[str], list[str]
    ]:
        """Per-contact travel in noise units, how each stretch's facing is known, the
        notes, and why a calibration profile was not used for a stretch (each once).

        Returns the per-contact score (sign = travel along the body's forward
        axis where known, else along the stretch's principal travel axis), and
        per stretch ``(kind, reliability, reason, along, across)``: kind
        ``"calibration"``, ``"anchor"`` or ``"relative"``; ``along`` and
        ``across`` are the per-contact travel vector's components along the
        anchor's forward axis and across it (``nan`` without an anchor).
        """
        ic, w = ev.ic, ev.windows
        n_stretch = int(stretch.max()) + 1 if stretch.size else 0
        mounting = np.full(ic.size, np.nan)
        notes: list[str] = []
        refusals: list[str] = []
        facing: list[tuple[str, float, str, np.ndarray, np.ndarray]] = []
        step_stretch = stretch[w.bout_index]
        for s in range(n_stretch):
            along = np.full(ic.size, np.nan)
            across = np.full(ic.size, np.nan)
            k = np.flatnonzero((step_stretch == s) & use)
            kind, reliability, reason = "relative", 0.5, NO_ANCHOR_REASON
            proj = np.zeros(0)
            up = ev.bout_up[stretch == s].mean(axis=0)
            if profile is not None:
                ok, message = profile.check_mounting(up, ev.odd.shape[1])
                notes.append(message)
                if not ok:
                    refusals.append(message)
                if ok and k.size:
                    proj = projected(ev.odd, k, profile.axis())
                    kind, reliability = "calibration", 1.0
                    reason = "calibration: the person's labelled walk with this device mounting"
            anchor = anchors[s] if anchors is not None and s < len(anchors) else None
            if kind == "relative" and anchor is not None:
                reason = anchor.reason
                if anchor.forward_unit is not None and k.size:
                    fwd = np.asarray(anchor.forward_unit, dtype=np.float64)
                    proj = travel[k] @ fwd
                    # np.cross and np.linalg.norm: the same products and sums
                    side = cross(unit_vector(up), fwd)
                    along[w.step_index[k]] = proj
                    across[w.step_index[k]] = travel[k] @ side
                    kind, reliability = "anchor", anchor.reliability
                    backward_share = float(np.mean(proj < 0))
                    guarded = anchor.cue == "thigh swing"
                    if guarded and backward_share > self.max_anchored_backward_share:
                        # A guard, never a decider: everyday walking is mostly
                        # forward, so an anchor that puts most of a stretch
                        # backward is more likely misread than right.
                        kind, reliability = "relative", 0.5
                        along[:] = np.nan
                        across[:] = np.nan
                        reason = (
                            f"{anchor.cue} would put {100 * backward_share:.0f} % of this "
                            "stretch's steps backward; without a calibration that is more "
                            "likely a misread anchor (device not where it seems) than a "
                            "backward walk, so the direction is not decided: calibrate"
                        )
            if kind == "relative" and k.size:
                # Which bouts share a travel direction: the principal travel axis.
                t = travel[k]
                _, vecs = np.linalg.eigh(t.T @ t)
                axis = vecs[:, -1]
                proj = t @ axis
                if np.sum(np.sign(proj)) < 0:
                    proj = -proj
            if k.size:
                # The stretch's noise level keeps the edge contacts' repeated
                # windows: counted once, the noise rises (their zero differences
                # go), and the split of a forward-then-backward take at the lower
                # back was lost (``benchmarks/direction.py``, mocap 09_12 whole).
                order = w.step_index[k].argsort()
                mounting[w.step_index[k]] = proj / robust_scale(proj[order])
            facing.append((kind, reliability, reason, along, across))
        return mounting, facing, list(dict.fromkeys(notes)), list(dict.fromkeys(refusals))

    def _weak_parts(self, score: np.ndarray, cuts: list[int]) -> list[bool] | None:
        """A direction change the split search found but :meth:`_confirmed_cuts` did not
        confirm: per part, whether it falls short of ``split_confidence``.

        ``None`` unless every part has ``min_steps_for_decision`` usable steps,
        the parts alternate in sign and at least one is confident: then the
        bout is split there anyway and the weak parts are left undecided,
        instead of the whole bout being called from its mean travel.
        """
        if not cuts:
            return None
        need = _logit(self.split_confidence)
        logits = []
        for part in np.split(score, cuts):
            part = part[np.isfinite(part)]
            if part.size < self.min_steps_for_decision:
                return None
            logits.append(NORMAL_TO_LOGIT * float(part.mean()) * np.sqrt(part.size))
        if not all(a * b < 0 for a, b in itertools.pairwise(logits)):
            return None
        weak = [abs(x) < need for x in logits]
        return None if all(weak) else weak

    def _confirmed_cuts(self, score: np.ndarray, cuts: list[int]) -> list[int]:
        """Keep the cuts only if every part is confidently opposite to its neighbours.

        A change of direction is reported only when the travel cue on both
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
            bout_reason=self.bout_reason_,
        )


def body_anchors(
    acc_mps2: np.ndarray,
    sampling_rate_hz: float,
    bouts: list[tuple[int, int]],
    ev: StepEvidence,
    classifier: WalkingDirectionClassifier | None = None,
    placement: str = "auto",
    acc_block_means: tuple[int, np.ndarray] | None = None,
    gyro_rads: np.ndarray | None = None,
) -> list[BodyAnchor]:
    """Body-fixed anchor of every stretch of ``ev``'s bouts (see :mod:`.anchor`).

    ``acc_block_means``: the block means of ``acc_mps2`` if already taken
    (:meth:`.BodyAnchorEstimator.estimate`). A trunk flexion is checked against
    each stretch's walking travel axis (:func:`stretch_travel_axes`) and the
    gyroscope ``gyro_rads``, if measured.
    """
    clf = classifier or WalkingDirectionClassifier()
    stretch = clf.stretches(ev)
    inside = ev.owner >= 0
    gaps = (ev.ic[1:] - ev.ic[:-1])[(inside[1:] & (ev.owner[1:] == ev.owner[:-1]))]
    step_s = small_median(gaps) / sampling_rate_hz if gaps.size else 0.55
    base = clf.anchor_estimator or BodyAnchorEstimator()
    params = {k: v for k, v in get_params(base).items() if k != "placement"}
    estimator = BodyAnchorEstimator(placement, **params)
    return estimator.estimate(
        acc_mps2,
        sampling_rate_hz,
        bouts,
        stretch,
        step_s,
        acc_block_means,
        travel_axes=stretch_travel_axes(ev, clf),
        gyro_rads=gyro_rads,
    ).anchors_


def stretch_travel_axes(
    ev: StepEvidence, classifier: WalkingDirectionClassifier | None = None
) -> list[np.ndarray | None]:
    """Per stretch, the principal axis of its usable steps' travel vectors (or ``None``).

    The axis the classifier projects a stretch's steps on when it has no
    anchor (straight, settled steps; either sign): where the body walks, front
    to back or back to front.
    """
    clf = classifier or WalkingDirectionClassifier()
    stretch, use, travel = clf._cues(ev)
    n_stretch = int(stretch.max()) + 1 if stretch.size else 0
    if ev.windows.start.size == 0:
        return [None] * n_stretch
    step_stretch = stretch[ev.windows.bout_index]
    axes: list[np.ndarray | None] = []
    for s in range(n_stretch):
        t = travel[(step_stretch == s) & use]
        if t.shape[0] == 0:
            axes.append(None)
            continue
        _, vecs = np.linalg.eigh(t.T @ t)
        axes.append(vecs[:, -1])
    return axes


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
    from retrowalk.dsp.frame import body_frame

    if ic_samples is None or len(bouts) == 0:
        return [(UNCERTAIN, 0.5) for _ in bouts]
    fs = recording.sampling_rate_hz
    frame = body_frame(recording.acc_mps2, recording.gyro_rads, fs)
    clf = WalkingDirectionClassifier(split=False)
    bouts = [(int(a), int(b)) for a, b in bouts]
    ev = step_evidence(frame, bouts, np.asarray(ic_samples), max_turn_rate_rads=MAX_TURN_RATE_RADS)
    anchors = body_anchors(recording.acc_mps2, fs, bouts, ev, clf, gyro_rads=recording.gyro_rads)
    clf.classify_evidence(ev, bouts, np.asarray(ic_samples), profile=profile, anchors=anchors)
    return list(zip(clf.bout_direction_, clf.bout_confidence_, strict=True))
