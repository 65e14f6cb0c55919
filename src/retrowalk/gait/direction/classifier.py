"""Forward / backward / uncertain per bout and per step: the classifier.

Combines the mounting cue (which bouts share a travel direction) with the
time-arrow cue of the shipped model (which direction that is), or with a
calibration profile. See :mod:`retrowalk.gait.direction`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from retrowalk.frame import BodyFrame
from retrowalk.gait.direction.features import (
    MAX_TURN_RATE_RADS,
    StepEvidence,
    arrow_features,
    assign_steps,
    step_evidence,
)
from retrowalk.gait.direction.grouping import (
    find_direction_changes,
    mounting_axis,
    robust_scale,
    stretches_from_ups,
)
from retrowalk.gait.direction.model import (
    DirectionModel,
    _logit,
    _sigmoid,
    default_model,
    transfer_logit,
)

FORWARD = "forward"
BACKWARD = "backward"
UNCERTAIN = "uncertain"


# ------------------------------------------------------------------ classifier


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
