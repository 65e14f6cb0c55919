"""The single-foot-sensor path: strides of one foot, the other foot's contacts inferred."""

from __future__ import annotations

from typing import Any, Self

import numpy as np

from retrowalk.core.algorithm import Algorithm, clone
from retrowalk.core.recording import Recording
from retrowalk.core.results import Analysis, Bout, Step
from retrowalk.core.types import KNOWN_DIRECTIONS, Direction
from retrowalk.gait.bouts import bout_cadence_spm
from retrowalk.gait.foot import FootGaitAnalyzer
from retrowalk.pipeline.options import (
    FOOT_NEEDS_NO_PROFILE,
    AnalysisOptions,
    note_profile_use,
    resolve_assumptions,
    resolve_direction_profile,
)
from retrowalk.pipeline.registry import PlacementDecision
from retrowalk.pipeline.trunk import TrunkPipeline

__all__ = ["FootPipeline", "direction_reason", "vote_direction"]


class FootPipeline(Algorithm):
    """Recording from a sensor on one foot in, bouts and steps out.

    Strides come from zero-velocity integration of the foot
    (:class:`~retrowalk.gait.foot.FootGaitAnalyzer`); the other foot's contacts
    are inferred between them. Without a gyroscope the foot cannot be
    integrated, and the recording goes the trunk way.

    Parameters
    ----------
    foot_analyzer
        The stride analysis (default :class:`~retrowalk.gait.foot.FootGaitAnalyzer`).
    trunk
        The path used without a gyroscope (default :class:`TrunkPipeline`).

    Attributes
    ----------
    analysis_
        The :class:`~retrowalk.core.results.Analysis` (energy not yet filled in).
    bouts_, steps_, notes_
        What was found, and the notes on what was assumed.

    References
    ----------
    Skog I et al. (2010). Zero-velocity detection - an algorithm evaluation.
    IEEE Trans Biomed Eng 57:2657-2666.
    """

    action_method = "analyze"

    def __init__(
        self,
        *,
        foot_analyzer: FootGaitAnalyzer | None = None,
        trunk: TrunkPipeline | None = None,
    ) -> None:
        self.foot_analyzer = foot_analyzer
        self.trunk = trunk

    def analyze(
        self,
        recording: Recording,
        options: AnalysisOptions,
        placement: PlacementDecision,
    ) -> Self:
        """Analyse one recording worn on a foot.

        Parameters
        ----------
        recording
            The recording.
        options
            What the user said (body measures, direction calibration).
        placement
            The placement to analyse with (given or detected).
        """
        assumptions = resolve_assumptions(options)
        # Noted in the assumptions, as not used: the foot path needs no direction profile.
        offered = resolve_direction_profile(
            options.direction_profile, placement.placement, assumptions
        )
        if offered is not None:
            note_profile_use(assumptions["direction_profile"], False, FOOT_NEEDS_NO_PROFILE)
        if recording.gyro_rads is None:
            trunk = clone(self.trunk) if self.trunk else TrunkPipeline()
            bouts, steps, more = trunk.bouts_and_steps(
                recording, placement.placement, assumptions,
                direction_veto=placement.direction_veto,
            )  # fmt: skip
            notes = ["foot placement without gyroscope: analysed with the trunk method", *more]
        else:
            bouts, steps, notes = self._strides(recording, placement.direction_veto)
        self.bouts_, self.steps_ = bouts, steps
        self.notes_ = [*placement.notes, *notes]
        self.analysis_ = Analysis(
            recording=recording,
            placement=placement.placement,
            placement_confidence=placement.confidence,
            assumptions=assumptions,
            bouts=bouts,
            steps=steps,
            notes=self.notes_,
        )
        return self

    def _strides(
        self, recording: Recording, veto: str = ""
    ) -> tuple[list[Bout], list[Step], list[str]]:
        """Bouts and steps from the foot's strides; with a ``veto`` (the stated foot
        plainly contradicted by the signal) every bout is ``"uncertain"`` with it as
        the reason."""
        assert recording.gyro_rads is not None
        fs = recording.sampling_rate_hz
        analyzer = clone(self.foot_analyzer) if self.foot_analyzer else FootGaitAnalyzer()
        foot = analyzer.analyze(recording.acc_mps2, recording.gyro_rads, fs)
        strides = foot.strides_
        own = np.asarray(foot.initial_contacts_, dtype=np.int64)
        other = np.asarray(foot.other_foot_contacts_, dtype=np.int64)
        gap = recording.gap_mask()
        bouts: list[Bout] = []
        steps: list[Step] = []
        for k, (start, end) in enumerate(foot.walking_bouts_):
            rows = strides[strides["bout"] == k]
            mine = own[(own >= start) & (own <= end)]
            theirs = other[(other >= start) & (other <= end)]
            if gap[start : end + 1].any() or mine.size + theirs.size < 3:
                continue
            if veto:
                direction, confidence, reason = Direction.UNCERTAIN, 0.0, veto
            else:
                direction, confidence = vote_direction(rows)
                reason = direction_reason(rows, direction)
            contacts = np.sort(np.concatenate([mine, theirs]))
            times = contacts / fs
            duration = float(times[-1] - times[0])
            step_s = np.diff(times)
            cadence = bout_cadence_spm(step_s)
            length = float(np.nansum(rows["stride_length_m"])) if len(rows) else 0.0
            n_strides = max(len(rows), 1)
            bouts.append(
                Bout(
                    start_s=float(times[0]),
                    end_s=float(times[-1]),
                    direction=direction,
                    direction_confidence=confidence,
                    n_steps=int(contacts.size),
                    cadence_spm=cadence,
                    speed_mps=length / duration if duration > 0 else None,
                    distance_m=length,
                    step_length_m=length / (2.0 * n_strides),
                    extra={"direction_reason": reason},
                )
            )
            index = len(bouts) - 1
            inferred = set(theirs.tolist())
            own_labels = own_step_directions(rows, contacts, direction)
            steps.extend(
                Step(
                    time_s=float(c / fs),
                    bout=index,
                    direction=label,
                    inferred=int(c) in inferred,
                )
                for c, label in zip(contacts, own_labels, strict=True)
            )
        notes = ["foot: strides from zero-velocity integration; other foot inferred"]
        if foot.refused_bouts_:
            n = len(foot.refused_bouts_)
            notes.append(
                f"foot: {n} stretch{'es' if n > 1 else ''} of strides not walking, "
                f"{foot.refused_bouts_[0][2]}"
            )
        return bouts, steps, notes


#: Below this net vote a foot bout is "uncertain" (a few turning or shuffling
#: strides at the end of a walk gave 0.14 for "backward" in forward walking).
MIN_BOUT_CONFIDENCE = 0.3


def vote_direction(rows: Any) -> tuple[Direction, float]:
    """Bout direction from the strides' own labels, weighted by their confidence.

    ``rows`` is the stride table of one bout (a DataFrame with ``direction``
    and ``direction_confidence`` columns).
    """
    if len(rows) == 0:
        return Direction.UNCERTAIN, 0.0
    weights = {d: 0.0 for d in KNOWN_DIRECTIONS}
    for label, conf in zip(rows["direction"], rows["direction_confidence"], strict=True):
        if label in weights:
            weights[Direction(label)] += float(conf)
    total = float(len(rows))
    best = max(weights, key=lambda key: weights[key])
    confidence = (weights[best] - min(weights.values())) / total
    if confidence < MIN_BOUT_CONFIDENCE:
        return Direction.UNCERTAIN, 0.0
    return best, float(min(confidence, 1.0))


def own_step_directions(
    rows: Any, contacts: np.ndarray, bout_direction: Direction
) -> list[Direction]:
    """Each contact's own direction: the label of the stride it belongs to.

    A contact belongs to the stride of this foot that ends at it or is in the
    air over it (an inferred contact of the other foot falls inside one). It
    keeps its bout's label where that stride agrees; a stride labelled
    otherwise (uncertain, sideways, or a stray stride against its bout) makes
    the step ``"uncertain"``: never forced into its bout's direction, never
    called the other way on one stride.
    """
    if len(rows) == 0:
        return [Direction.UNCERTAIN] * len(contacts)
    order = np.argsort(rows["ic_sample"].to_numpy(dtype=np.int64))
    ics = rows["ic_sample"].to_numpy(dtype=np.int64)[order]
    labels = [str(x) for x in np.asarray(rows["direction"], dtype=object)[order]]
    which = np.clip(np.searchsorted(ics, np.asarray(contacts, dtype=np.int64)), 0, ics.size - 1)
    return [bout_direction if labels[k] == bout_direction else Direction.UNCERTAIN for k in which]


def direction_reason(rows: Any, direction: Direction) -> str:
    """What decided a foot bout's direction (its strides' own labels), or why not."""
    labels = list(rows["direction"]) if len(rows) else []
    n = len(labels)
    if direction == Direction.UNCERTAIN:
        sideways = labels.count("sideways")
        if sideways * 2 > n:
            return f"foot: {sideways} of {n} strides step sideways (never forward)"
        return f"foot: no direction held by the strides ({n} strides, turning or shuffling)"
    agree = labels.count(str(direction))
    way = "towards" if direction == Direction.FORWARD else "away from"
    return (
        f"foot: {agree} of {n} strides travel {way} the toe; the toe is the end of the "
        "foot that dips furthest (plantarflexion range)"
    )
