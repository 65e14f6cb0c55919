"""The trunk path (lower back, pocket): contacts, bouts, direction, step length.

``body frame -> contacts (chunked) -> bouts -> direction per bout -> step
length, speed, distance``. Every algorithm is a parameter of
:class:`TrunkPipeline`, so a study can swap one (a tuned contact detector, a
different step-length model) without touching the rest.

Longer than 400 lines on purpose: one class whose methods are the steps of the
trunk path in order (scan, closing contacts, direction per bout, measures),
kept together so the flow reads top to bottom.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import repeat
from typing import Any, Self

import numpy as np

from retrowalk.core.algorithm import Algorithm, clone, get_params
from retrowalk.core.recording import Recording
from retrowalk.core.results import Analysis, Bout, Step
from retrowalk.core.types import Direction, Placement, Side
from retrowalk.dsp.frame import BodyFrame, body_frame
from retrowalk.dsp.memory import empty_samples, is_file_backed, keep_freed_heap, release
from retrowalk.dsp.rows import diff_after, segment_medians
from retrowalk.gait.bouts import (
    BentTrunkFilter,
    BoutDetector,
    BoutEdgeFilter,
    BoutSpan,
    GaitInitiationFilter,
    StationaryBoutFilter,
    WeakEdgeFilter,
    bout_cadence_spm,
)
from retrowalk.gait.calibration import DirectionProfile
from retrowalk.gait.contacts import (
    ClosingContactDetector,
    LateralityEstimator,
    MidStepContactFilter,
    RhythmContactFilter,
    TrunkContactDetector,
)
from retrowalk.gait.direction import (
    StepEvidence,
    WalkingDirectionClassifier,
    body_anchors,
    step_evidence,
)
from retrowalk.gait.not_walking import WalkingCheck
from retrowalk.gait.placement import UNSUPPORTED_PLACEMENT
from retrowalk.gait.spatial import (
    LEG_LENGTH_FRACTION,
    TrunkStepLength,
    height_based_step_length_m,
    step_excursion_m,
    step_turn_rad,
)
from retrowalk.pipeline.options import (
    NO_STEPS_FOR_PROFILE,
    NO_WALKING_FOR_PROFILE,
    AnalysisOptions,
    note_profile_use,
    resolve_assumptions,
    resolve_direction_profile,
)
from retrowalk.pipeline.registry import PlacementDecision

__all__ = ["MIN_CONTACT_SEPARATION_S", "STEP_MAX_S", "TrunkPipeline"]

#: Two contacts closer than this are one (two coarse peaks refined onto one impact).
MIN_CONTACT_SEPARATION_S = 0.15

#: Longest interval between two contacts still counted as a step (longer: a pause).
STEP_MAX_S = 1.5

#: Signal around a bout given to the direction classifier (its filters need context).
DIRECTION_CONTEXT_S = 5.0

#: Samples from which an in-memory recording's analysis keeps freed heap mapped between
#: its stages (:func:`retrowalk.dsp.memory.keep_freed_heap`; about 11 min at 100 Hz).
KEEP_HEAP_SAMPLES = 1 << 16

#: Samples of bouts whose walking checks are worked together (their spectra of one
#: length in one call): about 44 min at 100 Hz, so a long recording's are a part at a time.
CHECK_SAMPLES = 1 << 18

#: ``direction_reason`` of every bout of a recording whose placement could not be told.
UNSUPPORTED_REASON = (
    "unsupported placement: where the sensor was worn could not be told (see the notes), "
    "so steps are counted but no walking direction is given"
)


@dataclass
class _ContactTable:
    """Per-contact results of the scan (parallel arrays)."""

    sample: np.ndarray
    prominence: np.ndarray
    excursion_m: np.ndarray  # vertical excursion of the step that starts at this contact
    turn_rad: np.ndarray  # heading change over that step (nan: no gyroscope)

    @classmethod
    def concat(cls, parts: list[_ContactTable]) -> _ContactTable:
        if not parts:
            empty = np.zeros(0)
            return cls(np.zeros(0, dtype=np.int64), empty, empty, empty)
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in _CONTACT_FIELDS))

    def take(self, keep: np.ndarray) -> _ContactTable:
        return _ContactTable(*(getattr(self, f)[keep] for f in _CONTACT_FIELDS))

    def step_excursions(self, fs: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Contact times (s), each step's time (s) and its excursion (m; NaN for a pause).

        An interval longer than :data:`STEP_MAX_S` is a pause, not a step: every
        stage that asks which intervals are steps asks here, on the same times.
        """
        times = self.sample / fs
        step_s = times[1:] - times[:-1]
        return times, step_s, np.where(step_s <= STEP_MAX_S, self.excursion_m[:-1], np.nan)


_CONTACT_FIELDS = ("sample", "prominence", "excursion_m", "turn_rad")


def _release(recording: Recording, lo: int, hi: int) -> None:
    """Hand samples ``lo:hi`` of a file-backed recording back to the system (see dsp.memory)."""
    release(recording.acc_mps2, lo, hi)
    if recording.gyro_rads is not None:
        release(recording.gyro_rads, lo, hi)


def _members(ic: np.ndarray, span: BoutSpan) -> np.ndarray:
    return ic[span.first : span.last + 1]


def _kept(
    ic: np.ndarray,
    prom: np.ndarray,
    bouts: list[BoutSpan],
    keep: np.ndarray,
    detector: BoutDetector,
    fs: float,
    gap_mask: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, list[BoutSpan]]:
    """The contacts ``keep`` leaves, their prominences and their bouts.

    ``bouts`` are the bouts of all of ``ic``: when every contact is kept they
    are the bouts of the contacts left (the detector's answer for the same
    contacts), so they are detected again only when some went.
    """
    if keep.all():
        return ic, prom, bouts
    ic = ic[keep]
    return ic, prom[keep], detector.detect(ic, fs, gap_mask).bouts_


class TrunkPipeline(Algorithm):
    """Recording from a lower-back or pocket sensor in, bouts and steps out.

    Works without a gyroscope and with any sensor orientation. Long recordings
    are scanned for contacts in overlapping chunks, so time and memory grow
    linearly with length.

    Parameters
    ----------
    contact_detector
        Initial contacts (default :class:`~retrowalk.gait.contacts.TrunkContactDetector`).
    closing_detector
        The soft last contact of a walk (default
        :class:`~retrowalk.gait.contacts.ClosingContactDetector`).
    mid_step_filter
        Drops the contacts found in mid-step where the lower back's vertical
        acceleration peaks twice per step (default
        :class:`~retrowalk.gait.contacts.MidStepContactFilter`; lower back only).
    rhythm_filter
        Drops the weak contacts that the walk's rhythm does not need (default
        :class:`~retrowalk.gait.contacts.RhythmContactFilter`; lower back only).
    bout_detector
        Bouts from contacts (default :class:`~retrowalk.gait.bouts.BoutDetector`).
    initiation_filter
        Drops the weight shift before a first step (default
        :class:`~retrowalk.gait.bouts.GaitInitiationFilter`).
    edge_filter
        Drops contacts cut off from a walk's ends by a hesitation (default
        :class:`~retrowalk.gait.bouts.BoutEdgeFilter`).
    weak_edge_filter
        Drops contacts at a walk's ends far weaker than the steps around them
        (handling the phone), before the closing contacts are searched
        (default :class:`~retrowalk.gait.bouts.WeakEdgeFilter`).
    stationary_filter
        Drops lower-back bouts whose steps hardly travel (stepping in place,
        shuffling; default :class:`~retrowalk.gait.bouts.StationaryBoutFilter`).
    bent_trunk_filter
        Trims lower-back bouts' ends where the trunk is far from its walking
        posture (bending, sitting down, standing up; default
        :class:`~retrowalk.gait.bouts.BentTrunkFilter`), after the direction.
    walking_check
        Refuses bouts that are not walking: flight phases, too little movement
        or rotation at the step rhythm, one pure oscillation, a machine's exact
        repetition (default :class:`~retrowalk.gait.not_walking.WalkingCheck`).
    direction_classifier
        Forward / backward per bout (default
        :class:`~retrowalk.gait.direction.WalkingDirectionClassifier`).
    laterality_estimator
        Left / right per contact (default
        :class:`~retrowalk.gait.contacts.LateralityEstimator`).
    step_length
        Step length from the pelvis's rise and fall (default
        :class:`~retrowalk.gait.spatial.TrunkStepLength`); a pocket uses body
        height and cadence instead.
    chunk_s, chunk_overlap_s
        Long recordings are scanned in chunks of ``chunk_s``, each extended on
        both sides by ``chunk_overlap_s`` so detections near a chunk edge see
        the same signal as in one pass (filters settle within a few seconds
        and a bout end is decided within 2 s).

    Attributes
    ----------
    analysis_
        The :class:`~retrowalk.core.results.Analysis` (energy not yet filled in).
    bouts_, steps_, notes_
        What was found, and the notes on what was assumed.

    References
    ----------
    McCamley J et al. (2012). An enhanced estimate of initial contact and final
    contact instants of time using lower trunk inertial sensor data. Gait
    Posture 36:316-318.
    Zijlstra W, Hof AL (2003). Assessment of spatio-temporal gait parameters
    from trunk accelerations during human walking. Gait Posture 18:1-10.
    """

    action_method = "analyze"

    def __init__(
        self,
        *,
        contact_detector: TrunkContactDetector | None = None,
        closing_detector: ClosingContactDetector | None = None,
        mid_step_filter: MidStepContactFilter | None = None,
        rhythm_filter: RhythmContactFilter | None = None,
        bout_detector: BoutDetector | None = None,
        initiation_filter: GaitInitiationFilter | None = None,
        edge_filter: BoutEdgeFilter | None = None,
        weak_edge_filter: WeakEdgeFilter | None = None,
        stationary_filter: StationaryBoutFilter | None = None,
        bent_trunk_filter: BentTrunkFilter | None = None,
        walking_check: WalkingCheck | None = None,
        direction_classifier: WalkingDirectionClassifier | None = None,
        laterality_estimator: LateralityEstimator | None = None,
        step_length: TrunkStepLength | None = None,
        chunk_s: float = 3600.0,
        chunk_overlap_s: float = 30.0,
    ) -> None:
        self.contact_detector = contact_detector
        self.closing_detector = closing_detector
        self.mid_step_filter = mid_step_filter
        self.rhythm_filter = rhythm_filter
        self.bout_detector = bout_detector
        self.initiation_filter = initiation_filter
        self.edge_filter = edge_filter
        self.weak_edge_filter = weak_edge_filter
        self.stationary_filter = stationary_filter
        self.bent_trunk_filter = bent_trunk_filter
        self.walking_check = walking_check
        self.direction_classifier = direction_classifier
        self.laterality_estimator = laterality_estimator
        self.step_length = step_length
        self.chunk_s = chunk_s
        self.chunk_overlap_s = chunk_overlap_s

    # -- the algorithms, fresh for each use (a given instance is never changed)
    def _contacts(self) -> TrunkContactDetector:
        return clone(self.contact_detector) if self.contact_detector else TrunkContactDetector()

    def _closing(self) -> ClosingContactDetector:
        return clone(self.closing_detector) if self.closing_detector else ClosingContactDetector()

    def _mid_step(self) -> MidStepContactFilter:
        return clone(self.mid_step_filter) if self.mid_step_filter else MidStepContactFilter()

    def _rhythm(self) -> RhythmContactFilter:
        return clone(self.rhythm_filter) if self.rhythm_filter else RhythmContactFilter()

    def _bouts(self) -> BoutDetector:
        return clone(self.bout_detector) if self.bout_detector else BoutDetector()

    def _initiation(self) -> GaitInitiationFilter:
        return clone(self.initiation_filter) if self.initiation_filter else GaitInitiationFilter()

    def _edges(self) -> BoutEdgeFilter:
        return clone(self.edge_filter) if self.edge_filter else BoutEdgeFilter()

    def _weak_edges(self) -> WeakEdgeFilter:
        return clone(self.weak_edge_filter) if self.weak_edge_filter else WeakEdgeFilter()

    def _stationary(self) -> StationaryBoutFilter:
        return clone(self.stationary_filter) if self.stationary_filter else StationaryBoutFilter()

    def _bent(self) -> BentTrunkFilter:
        return clone(self.bent_trunk_filter) if self.bent_trunk_filter else BentTrunkFilter()

    def _walking_check(self, placement: str = Placement.AUTO) -> WalkingCheck:
        check = clone(self.walking_check) if self.walking_check else WalkingCheck()
        if placement == Placement.FOOT and isinstance(check, WalkingCheck):
            # A foot lands with an impact at every contact: much of its movement is
            # fast (real feet here: up to 63 % at 15 Hz and above), so the pace of
            # a walking body is not asked of it (its spread is: noise is refused there too).
            check.max_fast_share = math.inf
        return check

    def _direction(self, **changes: Any) -> WalkingDirectionClassifier:
        base = self.direction_classifier or WalkingDirectionClassifier()
        return type(base)(**{**get_params(base), **changes})

    def _laterality(self) -> LateralityEstimator:
        return (
            clone(self.laterality_estimator) if self.laterality_estimator else LateralityEstimator()
        )

    def _step_length(self) -> TrunkStepLength:
        return clone(self.step_length) if self.step_length else TrunkStepLength()

    # -- the action
    def analyze(
        self,
        recording: Recording,
        options: AnalysisOptions,
        placement: PlacementDecision,
    ) -> Self:
        """Analyse one recording worn on the trunk (or a foot without gyroscope).

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
        profile = resolve_direction_profile(
            options.direction_profile, placement.placement, assumptions
        )
        self.bouts_, self.steps_, notes = self.bouts_and_steps(
            recording, placement.placement, assumptions, profile,
            direction_veto=placement.direction_veto,
        )  # fmt: skip
        self.notes_ = [*placement.notes, *notes]
        sections: dict[str, Any] = {}
        if placement.placement == UNSUPPORTED_PLACEMENT:
            sections["placement_support"] = {
                "supported": False,
                "reason": next(
                    (n for n in placement.notes if n.startswith("unsupported placement")),
                    UNSUPPORTED_REASON,
                ),
            }
        self.analysis_ = Analysis(
            recording=recording,
            placement=placement.placement,
            placement_confidence=placement.confidence,
            assumptions=assumptions,
            bouts=self.bouts_,
            steps=self.steps_,
            notes=self.notes_,
            sections=sections,
        )
        return self

    def bouts_and_steps(
        self,
        recording: Recording,
        placement: str,
        assumptions: dict[str, Any],
        direction_profile: DirectionProfile | None = None,
        *,
        direction_veto: str = "",
    ) -> tuple[list[Bout], list[Step], list[str]]:
        """Bouts, steps and notes of a recording (the work of :meth:`analyze`).

        ``direction_veto``: why the stated placement's direction method does not
        apply (:attr:`~retrowalk.pipeline.registry.PlacementDecision.direction_veto`);
        without a calibration profile every bout is then ``"uncertain"`` with it
        as the reason. A profile learned its own forward axis from the signal, not
        from the anatomy of the stated placement, and is still used.
        """
        fs = recording.sampling_rate_hz
        if recording.n_samples >= KEEP_HEAP_SAMPLES and not is_file_backed(recording.acc_mps2):
            keep_freed_heap()  # an hour's arrays, freed between stages, stay mapped
        table, frame, spans = self._scan(recording, placement)
        if spans is None:
            spans = self._bouts().detect(table.sample, fs, recording.gap_mask()).bouts_
        notes: list[str] = []
        leg_length = LEG_LENGTH_FRACTION * float(assumptions["height_m"])
        # each bout's step lengths by its contacts (first, last): the travelling
        # check's are the measures' of a bout the later stages leave as it was
        lengths_of: dict[tuple[int, int], np.ndarray] = {}
        if placement == Placement.LOWER_BACK:
            spans = self._travelling(spans, table, fs, leg_length, notes, lengths_of)
        labelled = self._directional_spans(
            recording, spans, table.sample, profile=direction_profile, notes=notes,
            placement=placement, frame=frame,
            veto="" if direction_profile is not None else direction_veto,
            profile_use=assumptions["direction_profile"] if direction_profile is not None else None,
        )  # fmt: skip
        if placement == Placement.LOWER_BACK:
            labelled = self._upright(recording, labelled, table.sample, fs, notes)
        by_height = placement in (Placement.POCKET, UNSUPPORTED_PLACEMENT)
        if placement == Placement.POCKET:
            notes.append(
                "pocket: step length from body height and cadence (no pendulum model); backward "
                "bouts use backward-walking step lengths (0.54 x forward), uncertain ones forward"
            )
        bouts: list[Bout] = []
        steps: list[Step] = []
        # each bout's steps are a slice of these; pauses inside a bout are not steps
        all_times, all_step_s, _ = table.step_excursions(fs)
        measured: list[np.ndarray] = []
        if not by_height:  # from the pelvis's rise and fall, so short backward steps show
            measured = self._step_lengths(
                [span for span, *_ in labelled], table, fs, leg_length, lengths_of
            )
        for k, (span, direction, confidence, sides, reason, own) in enumerate(labelled):
            ic = table.sample[span.first : span.last + 1]
            times = all_times[span.first : span.last + 1]
            step_s = all_step_s[span.first : span.last]
            walking = step_s <= STEP_MAX_S  # pauses inside the bout are not steps
            cadence = bout_cadence_spm(step_s, STEP_MAX_S)
            if by_height:
                assumed = height_based_step_length_m(assumptions["height_m"], cadence, direction)
                lengths = np.full(step_s.size, assumed)
            else:
                lengths = measured[k]
            lengths = np.where(walking, lengths, np.nan)
            valid = walking & np.isfinite(lengths)
            step_length: float | None
            speed: float | None
            distance: float | None
            if valid.any():
                measured_k = lengths[valid]
                total_m = np.add.reduce(measured_k)  # np.mean's and np.sum's sum of the same steps
                step_length = float(total_m / measured_k.size)
                speed = float(total_m / np.add.reduce(step_s[valid]))
                distance = step_length * int(np.count_nonzero(walking))
            else:
                step_length = speed = distance = None
            bouts.append(
                Bout(
                    start_s=float(times[0]),
                    end_s=float(times[-1]),
                    direction=direction,
                    direction_confidence=confidence,
                    n_steps=int(ic.size),
                    cadence_spm=cadence,
                    speed_mps=speed,
                    distance_m=distance,
                    step_length_m=step_length,
                    extra={"direction_reason": reason},
                )
            )
            ends = [None, *[x if math.isfinite(x) else None for x in lengths.tolist()]]
            if not times.size == len(sides) == len(ends) == len(own):
                raise ValueError(
                    "a bout's contacts, sides, step lengths and labels differ in number"
                )
            # positional, in Step's field order (time_s, bout, direction, inferred, side,
            # length_m): under half the cost of keywords over thousands of steps
            steps.extend(map(Step, times.tolist(), repeat(k), own, repeat(False), sides, ends))
        return bouts, steps, notes

    def _upright(
        self,
        recording: Recording,
        labelled: list[_Labelled],
        ic: np.ndarray,
        fs: float,
        notes: list[str],
    ) -> list[_Labelled]:
        """The bouts trimmed at their ends where the trunk is bent
        (:class:`~retrowalk.gait.bouts.BentTrunkFilter`), after their direction.

        What is left of a bout keeps the direction, confidence and reason the
        whole bout was given, and its contacts their own sides and
        directions: the rule takes time that is not walking out of a bout,
        it never changes a call. Each bout trimmed (or dropped) is named in
        the notes.
        """
        rule = self._bent()
        if not labelled or rule.max_bend_deg is None:
            return labelled
        spans = [item[0] for item in labelled]
        rule.filter(recording.acc_mps2, ic, spans, fs)
        kept = np.zeros(ic.size, dtype=bool)
        for part in rule.bouts_:
            kept[part.first : part.last + 1] = True
        for span in spans:
            out = ~kept[span.first : span.last + 1]
            if out.any():
                bend = float(np.max(rule.bend_deg_[span.first : span.last + 1][out]))
                what = "left out: no bout" if out.all() else "left out of the bout"
                notes.append(
                    f"{span.start_sample / fs:.1f}-{span.end_sample / fs:.1f} s: "
                    f"{int(np.count_nonzero(out))} contact(s) at its ends with the trunk up to "
                    f"{bend:.0f} deg from its walking posture (bending, sitting down, standing "
                    f"up) {what}"
                )
        parts: list[_Labelled] = []
        for part, k in zip(rule.bouts_, rule.source_, strict=True):
            span, direction, confidence, sides, reason, own = labelled[k]
            a, z = part.first - span.first, part.last - span.first + 1
            parts.append((part, direction, confidence, sides[a:z], reason, own[a:z]))
        return parts

    def _travelling(
        self,
        spans: list[BoutSpan],
        table: _ContactTable,
        fs: float,
        leg_length_m: float,
        notes: list[str],
        lengths_of: dict[tuple[int, int], np.ndarray],
    ) -> list[BoutSpan]:
        """The bouts whose steps travel (:class:`~retrowalk.gait.bouts.StationaryBoutFilter`).

        Step lengths as the bout's measures take them (:meth:`_step_lengths`,
        which keeps them in ``lengths_of``); a bout dropped is named in the notes.
        """
        if not spans:
            return spans
        check = self._stationary().filter(
            self._step_lengths(spans, table, fs, leg_length_m, lengths_of)
        )
        for span, keep, median in zip(spans, check.keep_, check.median_step_m_, strict=True):
            if not keep:
                notes.append(
                    f"{span.start_sample / fs:.1f}-{span.end_sample / fs:.1f} s: not walking: "
                    f"the steps hardly travel (median step {median:.2f} m: stepping in place "
                    "or shuffling); no bout"
                )
        return [span for span, keep in zip(spans, check.keep_, strict=True) if keep]

    def _step_lengths(
        self,
        spans: list[BoutSpan],
        table: _ContactTable,
        fs: float,
        leg_length_m: float,
        lengths_of: dict[tuple[int, int], np.ndarray],
    ) -> list[np.ndarray]:
        """Each bout's step lengths, m: the pendulum on each step's excursion (NaN for
        a pause inside the bout), :meth:`~retrowalk.gait.spatial.TrunkStepLength.estimate_bouts`.

        A bout's lengths are its own steps' alone (their excursions and turns,
        and its own running median), so a bout of the same contacts has the
        same lengths: those in ``lengths_of`` (by the bout's first and last
        contact) are taken from there, the others estimated together and
        added to it.
        """
        todo = [s for s in spans if (s.first, s.last) not in lengths_of]
        if todo:
            h = table.step_excursions(fs)[2]
            found = self._step_length().estimate_bouts(
                [h[s.first : s.last] for s in todo],
                leg_length_m,
                [table.turn_rad[s.first : s.last] for s in todo],
            )
            for s, lengths in zip(todo, found, strict=True):
                lengths_of[(s.first, s.last)] = lengths
        return [lengths_of[(s.first, s.last)] for s in spans]

    # -- contacts
    def _scan_contacts(
        self, recording: Recording, placement: str = Placement.AUTO
    ) -> _ContactTable:
        """Contacts of the whole recording, chunk by chunk (``placement``: as analysed)."""
        return self._scan(recording, placement)[0]

    def _scan(
        self, recording: Recording, placement: str = Placement.AUTO
    ) -> tuple[_ContactTable, BodyFrame | None, list[BoutSpan] | None]:
        """:meth:`_scan_contacts`, the body frame and the bouts of the whole recording.

        The frame and the bouts of the contacts (:class:`~retrowalk.gait.bouts.BoutDetector`
        on the whole recording's contacts and gaps) are returned when the
        recording was scanned in one piece (the direction stage then reuses the
        frame), else ``None``.
        """
        fs = recording.sampling_rate_hz
        n = recording.n_samples
        gap_mask = recording.gap_mask()
        chunk = int(self.chunk_s * fs)
        pad = int(self.chunk_overlap_s * fs)
        parts = []
        whole: BodyFrame | None = None
        spans: list[BoutSpan] | None = None
        for core0 in range(0, max(n, 1), chunk):
            core1 = min(core0 + chunk, n)
            lo, hi = max(core0 - pad, 0), min(core1 + pad, n)
            gyro = None if recording.gyro_rads is None else recording.gyro_rads[lo:hi]
            frame = body_frame(recording.acc_mps2[lo:hi], gyro, fs)
            table, spans = self._scan_chunk(frame, fs, gap_mask[lo:hi], placement)
            table.sample += lo
            parts.append(table.take((table.sample >= core0) & (table.sample < core1)))
            whole = frame if (lo, hi) == (0, n) else None
            _release(recording, lo, hi)
        if whole is None:
            spans = None  # a chunk's bouts, not the recording's
        return _ContactTable.concat(parts), whole, spans

    def _scan_chunk(
        self, frame: BodyFrame, fs: float, gap_mask: np.ndarray, placement: str = Placement.AUTO
    ) -> tuple[_ContactTable, list[BoutSpan]]:
        """The contacts of one chunk's ``frame``, and their bouts.

        The contacts' bouts are asked for after each filter that goes by them;
        a filter that keeps every contact leaves the bouts as they were, so
        they are detected again only when contacts went.
        """
        det = self._contacts().detect(
            frame.acc_vertical_mps2, frame.acc_horizontal_mps2, fs, frame.gyro_vertical_rads
        )
        ic, prom = det.ic_samples_, det.prominence_mps2_
        keep = ~gap_mask[ic] if ic.size else np.zeros(0, dtype=bool)
        ic, prom = ic[keep], prom[keep]
        # a pocket's steps alternate strong and weak; under a second of signal: no contacts
        if placement == Placement.LOWER_BACK and ic.size:
            strength, turning = det.relative_strength_[keep], det.turning_[keep]
            keep = self._mid_step().filter(ic, prom, det.signals_.coarse, fs).keep_
            ic, prom, strength, turning = ic[keep], prom[keep], strength[keep], turning[keep]
            keep = self._rhythm().filter(ic, strength, fs, turning).keep_
            ic, prom = ic[keep], prom[keep]
        detector = self._bouts()
        spans = detector.detect(ic, fs, gap_mask).bouts_
        keep = self._weak_edges().filter(prom, spans, fs).keep_
        ic, prom, spans = _kept(ic, prom, spans, keep, detector, fs, gap_mask)
        ic, prom = self._add_closing_contacts(det, ic, prom, fs, gap_mask, spans)
        distinct = diff_after(ic, np.int64(-(10**9))) >= MIN_CONTACT_SEPARATION_S * fs
        ic, prom = ic[distinct], prom[distinct]
        opening = detector.detect(ic, fs, gap_mask).bouts_
        keep = self._initiation().filter(ic, prom, opening).keep_
        ic, prom, edges = _kept(ic, prom, opening, keep, detector, fs, gap_mask)
        keep = self._edges().filter(ic, edges).keep_
        ic, prom, spans = _kept(ic, prom, edges, keep, detector, fs, gap_mask)
        excursion = np.full(ic.size, np.nan)
        turn = np.full(ic.size, np.nan)
        if ic.size >= 2:
            excursion[:-1] = step_excursion_m(frame.acc_vertical_mps2, ic, fs)
            if frame.gyro_vertical_rads is not None:
                turn[:-1] = step_turn_rad(frame.gyro_vertical_rads, ic, fs)
        return _ContactTable(ic.astype(np.int64), prom, excursion, turn), spans

    def _add_closing_contacts(
        self,
        det: TrunkContactDetector,
        ic: np.ndarray,
        prom: np.ndarray,
        fs: float,
        gap_mask: np.ndarray,
        bouts: list[BoutSpan],
    ) -> tuple[np.ndarray, np.ndarray]:
        """Append the soft last contact of every bout (see ClosingContactDetector).

        ``bouts``: the bouts of ``ic`` (:class:`~retrowalk.gait.bouts.BoutDetector`).
        """
        if not bouts:
            return ic, prom
        n = gap_mask.shape[0]
        gap_starts = np.flatnonzero(gap_mask & ~np.concatenate([[False], gap_mask[:-1]]))
        firsts = np.array([b.first for b in bouts], dtype=np.int64)
        lasts = np.array([b.last for b in bouts], dtype=np.int64)
        last = ic[lasts]
        gaps = ic[1:] - ic[:-1]  # gaps[i] = ic[i + 1] - ic[i], taken once for all bouts
        # each bout's small_median of its last four gaps and of its prominences
        step = segment_medians(gaps, np.maximum(lasts - 4, firsts), lasts)
        step = step / fs
        bout_prom = segment_medians(prom, firsts, lasts + 1)
        limit = np.append(ic, n)[lasts + 1]  # the next contact, or the end
        if gap_starts.size:
            nxt = np.minimum(gap_starts.searchsorted(last), gap_starts.size - 1)
            after = gap_starts[nxt] > last
            limit = np.where(after, np.minimum(limit, gap_starts[nxt]), limit)
        closing = self._closing().detect(det, last, step, bout_prom, limit).closing_samples_
        found = []
        for column in closing.T:  # each closing contact comes after the one before
            ok = (column > last + 0.25 * step * fs) & (column < limit)
            found.append(column[ok])
            last = np.where(ok, column, limit)  # none found: nothing after it counts
        extra = np.concatenate(found)
        if not extra.size:
            return ic, prom
        ic = np.concatenate([ic, extra])
        prom = np.concatenate([prom, np.zeros(extra.size)])
        order = ic.argsort(kind="stable")
        return ic[order], prom[order]

    # -- direction
    def _direction_frames(
        self,
        recording: Recording,
        spans: list[BoutSpan],
        ic: np.ndarray,
        frame: BodyFrame | None,
    ) -> Iterator[tuple[BodyFrame, int, list[int]]]:
        """Body frames for the direction stage: ``(frame, first sample, bouts in it)``.

        The scan's whole-recording frame when there is one; else one frame per
        scan chunk, covering the bouts that start in it with
        :data:`DIRECTION_CONTEXT_S` of context (its filters need it), so no bout
        gets a frame of its own; one frame at a time, so memory stays at one
        chunk's frame.
        """
        if frame is not None:
            yield frame, 0, list(range(len(spans)))
            return
        fs = recording.sampling_rate_hz
        n = recording.n_samples
        pad = int(DIRECTION_CONTEXT_S * fs)
        chunk = max(int(self.chunk_s * fs), 1)
        groups: dict[int, list[int]] = {}
        for k, span in enumerate(spans):
            groups.setdefault(int(ic[span.first]) // chunk, []).append(k)
        for group in groups.values():
            lo = max(int(ic[spans[group[0]].first]) - pad, 0)
            hi = min(max(int(ic[spans[k].last]) for k in group) + pad, n)
            gyro = None if recording.gyro_rads is None else recording.gyro_rads[lo:hi]
            yield body_frame(recording.acc_mps2[lo:hi], gyro, fs), lo, group
            _release(recording, lo, hi)

    def _checked(
        self,
        recording: Recording,
        spans: list[BoutSpan],
        ic: np.ndarray,
        placement: str = Placement.AUTO,
    ) -> Iterator[tuple[BoutSpan, WalkingCheck, int, int]]:
        """Each bout with its walking check and its samples ``lo:hi``, in order.

        The bouts are checked a group of up to :data:`CHECK_SAMPLES` samples at a
        time (:meth:`~retrowalk.gait.not_walking.WalkingCheck.check_bouts`: the
        spectra of a group's bouts of one transform length in one call), each
        group's samples handed back after it (a long recording's, see
        dsp.memory); a walking check of another kind is asked bout by bout.
        """
        fs = recording.sampling_rate_hz
        checker = self._walking_check(placement)
        group: list[tuple[BoutSpan, int, int, np.ndarray]] = []
        size = 0
        for k, span in enumerate(spans):
            members = _members(ic, span)
            lo, hi = int(members[0]), int(members[-1]) + 1
            group.append((span, lo, hi, members - lo))
            size += hi - lo
            if size < CHECK_SAMPLES and k + 1 < len(spans):
                continue
            if type(checker).check is WalkingCheck.check:
                bouts = [(lo, hi, contacts) for _, lo, hi, contacts in group]
                checks = checker.check_bouts(recording.acc_mps2, fs, bouts, recording.gyro_rads)
            else:
                checks = [
                    clone(checker).check(
                        recording.acc_mps2[lo:hi], fs, contacts,
                        None if recording.gyro_rads is None else recording.gyro_rads[lo:hi],
                    )
                    for _, lo, hi, contacts in group
                ]  # fmt: skip
            for (span, lo, hi, _), check in zip(group, checks, strict=True):
                _release(recording, lo, hi)
                yield span, check, lo, hi
            group, size = [], 0

    def _directional_spans(
        self,
        recording: Recording,
        spans: list[BoutSpan],
        ic: np.ndarray,
        *,
        profile: DirectionProfile | None = None,
        notes: list[str] | None = None,
        placement: str = Placement.AUTO,
        frame: BodyFrame | None = None,
        veto: str = "",
        profile_use: dict[str, Any] | None = None,
    ) -> list[tuple[BoutSpan, Direction, float, list[Side], str, list[Direction]]]:
        """Walking direction of each bout: the one place the direction classifier is called.

        First, bouts that are not walking (flight phases, too little movement
        or rotation at the step rhythm, one pure oscillation, a machine's exact
        repetition; :class:`~retrowalk.gait.not_walking.WalkingCheck`) are
        dropped with a note. The step evidence of the remaining bouts is
        computed on the recording's body ``frame`` (the contact scan's, when given;
        else one frame per scan chunk, :meth:`_direction_frames`), then
        :meth:`~retrowalk.gait.direction.WalkingDirectionClassifier.classify_evidence`
        decides all bouts of the recording together: bouts worn the same way share
        one body-forward axis, from the calibration ``profile`` or from a
        body-fixed anchor (:func:`~retrowalk.gait.direction.body_anchors`: the
        thigh's swing in a pocket, trunk flexions at the lower back), and
        each step's travel along it decides. Without either the direction is
        ``"uncertain"``. Only the bout's own contacts feed it, and turning steps
        are ignored. A bout is split where the travel changes (the contract: a
        change of direction starts a new bout); pieces shorter than a bout are
        not split off. Each output carries the ``direction_reason`` and the
        direction of each of its own steps (the classifier's ``step_direction_``:
        a step whose own stride travels against its bout is ``"uncertain"``).

        ``profile_use`` (the analysis's ``assumptions["direction_profile"]``, when a
        calibration ``profile`` was offered) is given ``used`` (whether it decided
        any bout) and, where it decided none, ``not_used_reason``.
        """
        if profile_use is not None:
            note_profile_use(profile_use, False, NO_WALKING_FOR_PROFILE)
        if not spans:
            return []
        fs = recording.sampling_rate_hz
        walking: list[BoutSpan] = []
        for span, check, lo, hi in self._checked(recording, spans, ic, placement):
            if check.walking_:
                walking.append(span)
            elif notes is not None:
                notes.append(f"{lo / fs:.1f}-{hi / fs:.1f} s: {check.reason_}; no bout")
        spans = walking
        if not spans:
            return []
        if placement == UNSUPPORTED_PLACEMENT or veto:
            reason = veto or UNSUPPORTED_REASON
            if profile_use is not None:
                note_profile_use(profile_use, False, reason)
            return [
                (span, Direction.UNCERTAIN, 0.0, [None] * (span.last - span.first + 1),
                 reason, [Direction.UNCERTAIN] * (span.last - span.first + 1))
                for span in spans
            ]  # fmt: skip
        min_steps = self._bouts().min_steps
        # Keep only what is needed later (the yaw rate around each bout, for
        # left/right), not whole frames, so memory stays at one chunk's frame.
        pad = int(DIRECTION_CONTEXT_S * fs)
        yaw_rates: list[tuple[np.ndarray | None, int]] = [(None, 0)] * len(spans)
        # The yaw rates are kept one after another in one array, which for a
        # long recording (in a temporary file) is a temporary file too, each
        # bout's rows handed back once written and once used. The scan's
        # whole-recording frame stays alive anyway: its yaw rates are used
        # where they lie, not copied.
        room = 0
        if frame is None:
            room = sum(int(ic[s.last]) - int(ic[s.first]) + 2 * pad + 1 for s in spans)
        long = is_file_backed(recording.acc_mps2)
        yaw_store = empty_samples((room,), file_backed=long)
        used = 0
        parts = []
        for part_frame, lo, group in self._direction_frames(recording, spans, ic, frame):
            members = np.concatenate([_members(ic, spans[k]) for k in group]) - lo
            group_bounds = [
                (int(ic[spans[k].first]) - lo, int(ic[spans[k].last]) - lo) for k in group
            ]
            part = step_evidence(part_frame, group_bounds, members).shifted(lo)
            parts.append(part.in_files() if long else part)
            yaw = part_frame.gyro_vertical_rads
            for k in group:  # the bout with context, as the laterality estimate expects
                b_lo = max(int(ic[spans[k].first]) - pad, lo)
                b_hi = min(int(ic[spans[k].last]) + pad, lo + part_frame.n_samples)
                if yaw is None or frame is not None:
                    yaw_rates[k] = (None if yaw is None else yaw[b_lo - lo : b_hi - lo], b_lo)
                    continue
                kept = yaw_store[used : used + b_hi - b_lo]
                kept[:] = yaw[b_lo - lo : b_hi - lo]
                release(kept)
                yaw_rates[k] = (kept, b_lo)
                used += b_hi - b_lo
            del part_frame, yaw  # one chunk's frame alive at a time
        bounds = [(int(ic[s.first]), int(ic[s.last])) for s in spans]
        members_all = np.concatenate([_members(ic, s) for s in spans])
        evidence = StepEvidence.concat(parts, file_backed=long)
        del parts  # memory: the pieces are in the evidence now
        clf = self._direction()
        anchors = body_anchors(
            recording.acc_mps2, fs, bounds, evidence, clf, str(placement),
            None if frame is None else frame.acc_block_means, recording.gyro_rads,
        )  # fmt: skip
        clf.classify_evidence(evidence, bounds, members_all, profile=profile, anchors=anchors)
        if notes is not None:
            notes.extend(clf.notes_)
        if profile_use is not None:
            refused = clf.profile_refusals_[0] if clf.profile_refusals_ else NO_STEPS_FOR_PROFILE
            note_profile_use(profile_use, any(clf.bout_calibrated_), refused)
        # each contact's own direction, in the order of members_all (the contacts
        # the classifier was given, bout after bout): a bout's are a slice
        own_all = _own_directions(clf)
        at = np.cumsum([0, *(s.last - s.first + 1 for s in spans)]).tolist()
        by_source: dict[int, list[tuple[np.ndarray, Direction, float, str]]] = {}
        for (a, z), src, label, conf, reason in zip(
            clf.split_bouts_,
            clf.source_bout_,
            clf.bout_direction_,
            clf.bout_confidence_,
            clf.bout_reason_,
            strict=True,
        ):
            members = _members(ic, spans[src])
            inside = ((members >= a) & (members <= z)).nonzero()[0]
            by_source.setdefault(src, []).append((inside, Direction(label), float(conf), reason))
        out: list[tuple[BoutSpan, Direction, float, list[Side], str, list[Direction]]] = []
        sides = _Sides(self._laterality())  # each row's, filled in by the estimate
        for k, span in enumerate(spans):
            yaw, lo = yaw_rates[k]
            pieces = by_source.get(k, [])
            if len(pieces) > 1 and all(p[0].size >= min_steps for p in pieces):
                taken = -1
                for inside, label, conf, reason in pieces:
                    inside = inside[inside > taken]  # a contact on a shared edge goes to one piece
                    first, last = span.first + int(inside[0]), span.first + int(inside[-1])
                    taken = int(inside[-1])
                    piece = BoutSpan(first, last, int(ic[first]), int(ic[last]))
                    contacts = _members(ic, piece)
                    own = own_all[at[k] + first - span.first : at[k] + last - span.first + 1]
                    out.append(
                        (piece, label, conf, sides.ask(yaw, contacts - lo, label), reason, own)
                    )
                sides.done_with(yaw)
                continue
            if len(pieces) == 1:
                label, conf, reason = pieces[0][1], pieces[0][2], pieces[0][3]
            else:  # pieces too short to stand alone: decide the bout whole
                whole = self._direction(split=False).classify_evidence(
                    evidence, bounds, members_all, profile=profile, anchors=anchors
                )
                label = Direction(whole.bout_direction_[k])
                conf = float(whole.bout_confidence_[k])
                reason = whole.bout_reason_[k]
                own_all[at[k] : at[k + 1]] = _own_directions(whole)[at[k] : at[k + 1]]
            contacts = _members(ic, span)
            own = own_all[at[k] : at[k + 1]]
            out.append((span, label, conf, sides.ask(yaw, contacts - lo, label), reason, own))
            sides.done_with(yaw)
        sides.settle()
        return out


_Labelled = tuple[BoutSpan, Direction, float, list[Side], str, list[Direction]]
"""A bout with its direction, confidence, contacts' sides, reason and contacts' directions."""


class _Sides:
    """Left/right of each contact of the bouts asked, worked out many bouts at a time.

    Unknown (``None``) without a gyroscope or for a backward bout (the
    pelvic-yaw cue is checked on forward walking only); else the laterality
    estimate of the bout's yaw rate (which covers the bout with context; the
    contacts are relative to its start). :meth:`ask` hands back the bout's
    list of sides, filled in when the bouts asked are estimated together
    (:meth:`LateralityEstimator.estimate_bouts`, the same sides as one
    estimate per bout): once the yaw rates held add up to
    :data:`SIDES_AT_ONCE` samples, and at :meth:`settle`. Then the yaw rates
    are handed back (a long recording's, in a temporary file), so memory
    stays bounded.
    """

    def __init__(self, estimator: LateralityEstimator) -> None:
        self.estimator = estimator
        self.asked: list[tuple[list[Side], np.ndarray, np.ndarray]] = []
        self.held: list[np.ndarray] = []
        self.samples = 0

    def ask(self, yaw: np.ndarray | None, ic: np.ndarray, direction: str) -> list[Side]:
        """The list (filled in later) of the sides of contacts ``ic`` of a bout."""
        sides: list[Side] = [None] * ic.size
        if yaw is not None and direction != Direction.BACKWARD:
            self.asked.append((sides, yaw, ic))
        return sides

    def done_with(self, yaw: np.ndarray | None) -> None:
        """A bout's yaw rate is no longer asked about: hand it back once its sides are known."""
        if yaw is None:
            return
        self.held.append(yaw)
        self.samples += yaw.shape[0]
        if self.samples >= SIDES_AT_ONCE:
            self.settle()

    def settle(self) -> None:
        """Fill in the sides of the bouts asked so far and hand their yaw rates back."""
        if self.asked:
            found = self.estimator.estimate_bouts(
                [a[1] for a in self.asked], [a[2] for a in self.asked]
            )
            for (sides, _, _), labels in zip(self.asked, found, strict=True):
                sides[:] = [
                    None if s is None else ("left" if s == "left" else "right") for s in labels
                ]
        self.asked = []
        for yaw in self.held:
            release(yaw)
        self.held, self.samples = [], 0


#: Samples of yaw rate whose bouts' sides are worked out at once (4 MB).
SIDES_AT_ONCE = 1 << 19


def _own_directions(clf: WalkingDirectionClassifier) -> list[Direction]:
    """Each contact's own direction as the classifier gave it, in the order it was given them."""
    return [_DIRECTIONS[d] for d in clf.step_direction_.tolist()]


#: Each direction by its value (the classifier's labels are plain strings).
_DIRECTIONS: dict[str, Direction] = {d.value: d for d in Direction}
