"""The analysis pipeline: one Recording in, one Analysis out.

``read -> standardise -> detect -> measure -> summarise``. The result maps
one-to-one onto the JSON contract of ``retrowalk analyze``
(``shared/docs/analysis-contract.md``); ``Analysis.to_dict`` is that JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from retrowalk import __version__
from retrowalk.energy import fill_bout_energy
from retrowalk.frame import BodyFrame, body_frame
from retrowalk.errors import AnalysisError
from retrowalk.gait.bouts import BoutDetector, BoutSpan, GaitInitiationFilter
from retrowalk.gait.contacts import (
    ClosingContactDetector,
    LateralityEstimator,
    TrunkContactDetector,
)
from retrowalk.gait.calibration import DirectionProfile
from retrowalk.gait.direction import StepEvidence, WalkingDirectionClassifier, step_evidence
from retrowalk.gait.foot import FootGaitAnalyzer
from retrowalk.gait.placement import resolve_placement
from retrowalk.gait.spatial import (
    LEG_LENGTH_FRACTION,
    TrunkStepLength,
    height_based_step_length_m,
    step_excursion_m,
)
from retrowalk.recording import Recording

SCHEMA_VERSION = 1

Direction = Literal["forward", "backward", "uncertain"]
Side = Literal["left", "right"] | None

# Defaults used when the person does not say. Stated in the JSON under
# "assumptions", never silently applied.
# Adult height/weight: roughly the mean of adults worldwide (NCD-RisC 2016,
# eLife 5:e13410 for height; Walpole et al. 2012, BMC Public Health 12:439 for
# body mass), rounded.
DEFAULT_HEIGHT_M = 1.70
DEFAULT_WEIGHT_KG = 70.0


@dataclass(frozen=True)
class AnalysisOptions:
    """What the user told us about the recording and the person."""

    placement: str = "auto"
    height_m: float | None = None
    weight_kg: float | None = None
    age_years: float | None = None
    #: Walking-direction calibration: a ``DirectionProfile``, a mapping
    #: placement -> ``DirectionProfile`` (stored profiles), or None.
    direction_profile: Any = None


@dataclass
class Bout:
    """One period of continuous walking in one direction."""

    start_s: float
    end_s: float
    direction: Direction
    direction_confidence: float
    n_steps: int
    cadence_spm: float
    speed_mps: float | None = None
    distance_m: float | None = None
    step_length_m: float | None = None
    energy_kcal: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    def to_dict(self) -> dict[str, Any]:
        out = {
            "start_s": round(self.start_s, 3),
            "end_s": round(self.end_s, 3),
            "direction": self.direction,
            "direction_confidence": round(float(self.direction_confidence), 3),
            "n_steps": int(self.n_steps),
            "cadence_spm": round(float(self.cadence_spm), 2),
            "speed_mps": _round_or_none(self.speed_mps, 3),
            "distance_m": _round_or_none(self.distance_m, 2),
            "step_length_m": _round_or_none(self.step_length_m, 3),
            "energy_kcal": _round_or_none(self.energy_kcal, 2),
        }
        out.update(self.extra)
        return out


@dataclass
class Step:
    """One initial contact (foot strike) of either foot."""

    time_s: float
    bout: int
    direction: Direction
    inferred: bool = False
    side: Literal["left", "right"] | None = None
    length_m: float | None = None  # the step that ends at this contact (None: first, pause)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "time_s": round(self.time_s, 3),
            "bout": self.bout,
            "direction": self.direction,
        }
        if self.inferred:
            out["inferred"] = True
        if self.side is not None:
            out["side"] = self.side
        if self.length_m is not None:
            out["length_m"] = round(float(self.length_m), 3)
        return out


@dataclass
class Analysis:
    """Everything one analysis found, ready for the JSON contract."""

    recording: Recording
    placement: str
    placement_confidence: float
    assumptions: dict[str, Any]
    bouts: list[Bout]
    steps: list[Step]
    notes: list[str] = field(default_factory=list)

    def direction_totals(self, direction: Direction) -> dict[str, float | int]:
        chosen = [b for b in self.bouts if b.direction == direction]
        return {
            "steps": int(sum(b.n_steps for b in chosen)),
            "duration_s": round(sum(b.duration_s for b in chosen), 2),
            "distance_m": round(sum(b.distance_m or 0.0 for b in chosen), 2),
        }

    @property
    def energy_kcal(self) -> float:
        return round(sum(b.energy_kcal or 0.0 for b in self.bouts), 2)

    def to_dict(self, *, session: bool = True) -> dict[str, Any]:
        """The JSON contract; ``session=False`` leaves out the session summary block."""
        rec = self.recording
        return {
            "schema_version": SCHEMA_VERSION,
            "analysis_version": __version__,
            "recording": {
                "path": rec.path,
                "format": rec.format,
                "n_samples": rec.n_samples,
                "sampling_rate_hz": float(rec.sampling_rate_hz),
                "duration_s": round(rec.duration_s, 3),
                "placement": self.placement,
                "placement_confidence": round(self.placement_confidence, 3),
                "units": {name: unit.to_dict() for name, unit in rec.units.items()},
                "has_gyro": rec.has_gyro,
                "start_time": rec.start_time.isoformat() if rec.start_time else None,
                "gaps": [
                    {"start_s": round(g.start_s, 3), "end_s": round(g.end_s, 3)} for g in rec.gaps
                ],
                "notes": list(rec.notes),
            },
            "assumptions": self.assumptions,
            "bouts": [b.to_dict() for b in self.bouts],
            "steps": [s.to_dict() for s in self.steps],
            "summary": {
                "forward": self.direction_totals("forward"),
                "backward": self.direction_totals("backward"),
                "uncertain": self.direction_totals("uncertain"),
                "energy_kcal": self.energy_kcal,
            },
            **({"session": self.session_summary()} if session else {}),
            "notes": self.notes,
        }

    def session_summary(self) -> dict[str, Any]:
        """Totals, switches, interval pattern and steadiness (:mod:`retrowalk.session`)."""
        from retrowalk.session import summarise

        return summarise(self).to_dict()

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)


def _round_or_none(value: float | None, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


def resolve_assumptions(options: AnalysisOptions) -> dict[str, Any]:
    """Body measures to use, each marked as given or assumed."""
    return {
        "height_m": options.height_m if options.height_m is not None else DEFAULT_HEIGHT_M,
        "height_source": "given" if options.height_m is not None else "default",
        "weight_kg": options.weight_kg if options.weight_kg is not None else DEFAULT_WEIGHT_KG,
        "weight_source": "given" if options.weight_kg is not None else "default",
        "age_years": options.age_years,
    }


def analyze(recording: Recording, options: AnalysisOptions | None = None) -> Analysis:
    """Run the whole pipeline on one recording.

    ``standardise -> placement -> contacts -> bouts -> direction -> spatial``.
    A foot placement goes to :class:`~retrowalk.gait.foot.FootGaitAnalyzer`;
    lower back and pocket share the trunk path of :mod:`retrowalk.gait.trunk`.
    Works without a gyroscope and with any sensor orientation; long
    recordings are processed in overlapping chunks, so time and memory grow
    linearly with length.
    """
    options = options or AnalysisOptions()
    assumptions = resolve_assumptions(options)
    if recording.placement == "video":
        from retrowalk.video.analysis import analyze_video

        result = analyze_video(recording, options)
    else:
        placement, confidence, placement_notes = resolve_placement(recording, options.placement)
        profile = _direction_profile(options.direction_profile, placement, assumptions)
        if placement == "foot":
            bouts, steps, notes = _analyze_foot(recording, assumptions)
        else:
            bouts, steps, notes = _analyze_trunk(recording, placement, assumptions, profile)
        result = Analysis(
            recording=recording,
            placement=placement,
            placement_confidence=confidence,
            assumptions=assumptions,
            bouts=bouts,
            steps=steps,
            notes=[*placement_notes, *notes],
        )
    fill_bout_energy(result.bouts, float(result.assumptions["weight_kg"]))
    return result


# --------------------------------------------------------------------------- #
# Trunk path (lower back, pocket): chunked contact scan, then bouts and measures
# --------------------------------------------------------------------------- #

#: Long recordings are scanned in chunks of this length ...
CHUNK_S = 3600.0
#: ... each extended on both sides by this much, so detections near a chunk edge
#: see the same signal as in one pass (filters settle within a few seconds and a
#: bout end is decided within 2 s).
CHUNK_OVERLAP_S = 30.0


@dataclass
class _ContactTable:
    """Per-contact results of the scan (parallel arrays)."""

    sample: np.ndarray
    prominence: np.ndarray
    excursion_m: np.ndarray  # vertical excursion of the step that starts at this contact
    yaw_rads: np.ndarray  # mean angular rate about the vertical during that step (nan: no gyro)

    @classmethod
    def concat(cls, parts: list[_ContactTable]) -> _ContactTable:
        if not parts:
            empty = np.zeros(0)
            return cls(np.zeros(0, dtype=np.int64), empty, empty, empty)
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in _CONTACT_FIELDS))

    def take(self, keep: np.ndarray) -> _ContactTable:
        return _ContactTable(*(getattr(self, f)[keep] for f in _CONTACT_FIELDS))


_CONTACT_FIELDS = ("sample", "prominence", "excursion_m", "yaw_rads")


def _scan_contacts(recording: Recording) -> _ContactTable:
    """Contacts of the whole recording, chunk by chunk."""
    fs = recording.sampling_rate_hz
    n = recording.n_samples
    gap_mask = recording.gap_mask()
    chunk = int(CHUNK_S * fs)
    pad = int(CHUNK_OVERLAP_S * fs)
    parts = []
    for core0 in range(0, max(n, 1), chunk):
        core1 = min(core0 + chunk, n)
        lo, hi = max(core0 - pad, 0), min(core1 + pad, n)
        gyro = None if recording.gyro_rads is None else recording.gyro_rads[lo:hi]
        table = _scan_chunk(recording.acc_mps2[lo:hi], gyro, fs, gap_mask[lo:hi])
        table.sample += lo
        parts.append(table.take((table.sample >= core0) & (table.sample < core1)))
    return _ContactTable.concat(parts)


def _scan_chunk(
    acc: np.ndarray, gyro: np.ndarray | None, fs: float, gap_mask: np.ndarray
) -> _ContactTable:
    frame = body_frame(acc, gyro, fs)
    det = TrunkContactDetector().detect(
        frame.acc_vertical_mps2, frame.acc_horizontal_mps2, fs, frame.gyro_vertical_rads
    )
    ic, prom = det.ic_samples_, det.prominence_mps2_
    keep = ~gap_mask[ic] if ic.size else np.zeros(0, dtype=bool)
    ic, prom = ic[keep], prom[keep]
    ic, prom = _add_closing_contacts(det, ic, prom, fs, gap_mask)
    distinct = np.diff(ic, prepend=np.int64(-(10**9))) >= MIN_CONTACT_SEPARATION_S * fs
    ic, prom = ic[distinct], prom[distinct]
    opening = BoutDetector().detect(ic, fs, gap_mask).bouts_
    keep = GaitInitiationFilter().filter(ic, prom, opening).keep_
    ic, prom = ic[keep], prom[keep]
    excursion = np.full(ic.size, np.nan)
    yaw = np.full(ic.size, np.nan)
    if ic.size >= 2:
        excursion[:-1] = step_excursion_m(frame.acc_vertical_mps2, ic, fs)
        if frame.gyro_vertical_rads is not None:
            cum = np.concatenate([[0.0], np.cumsum(frame.gyro_vertical_rads)])
            yaw[:-1] = (cum[ic[1:]] - cum[ic[:-1]]) / np.maximum(np.diff(ic), 1)
    return _ContactTable(ic.astype(np.int64), prom, excursion, yaw)


def _add_closing_contacts(
    det: TrunkContactDetector,
    ic: np.ndarray,
    prom: np.ndarray,
    fs: float,
    gap_mask: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Append the soft last contact of every bout (see ClosingContactDetector)."""
    bouts = BoutDetector().detect(ic, fs, gap_mask).bouts_
    if not bouts:
        return ic, prom
    n = gap_mask.shape[0]
    gap_starts = np.flatnonzero(gap_mask & ~np.concatenate([[False], gap_mask[:-1]]))
    last = np.array([ic[b.last] for b in bouts])
    step = np.array([np.median(np.diff(ic[max(b.last - 4, b.first) : b.last + 1])) for b in bouts])
    step = step / fs
    bout_prom = np.array([np.median(prom[b.first : b.last + 1]) for b in bouts])
    limit = np.array([ic[b.last + 1] if b.last + 1 < ic.size else n for b in bouts])
    if gap_starts.size:
        nxt = np.minimum(np.searchsorted(gap_starts, last), gap_starts.size - 1)
        after = gap_starts[nxt] > last
        limit = np.where(after, np.minimum(limit, gap_starts[nxt]), limit)
    closing = ClosingContactDetector().detect(det, last, step, bout_prom, limit).closing_samples_
    ok = (closing > last + 0.25 * step * fs) & (closing < limit)
    if not ok.any():
        return ic, prom
    ic = np.concatenate([ic, closing[ok]])
    prom = np.concatenate([prom, np.zeros(int(ok.sum()))])
    order = np.argsort(ic, kind="stable")
    return ic[order], prom[order]


def _analyze_trunk(
    recording: Recording,
    placement: str,
    assumptions: dict[str, Any],
    direction_profile: Any = None,
) -> tuple[list[Bout], list[Step], list[str]]:
    fs = recording.sampling_rate_hz
    table = _scan_contacts(recording)
    spans = BoutDetector().detect(table.sample, fs, recording.gap_mask()).bouts_
    direction_notes: list[str] = []
    labelled = _directional_spans(
        recording, spans, table.sample, profile=direction_profile, notes=direction_notes
    )
    leg_length = LEG_LENGTH_FRACTION * float(assumptions["height_m"])
    notes: list[str] = list(direction_notes)
    if placement == "pocket":
        notes.append(
            "pocket: step length from body height and cadence (no pendulum model); backward "
            "bouts use backward-walking step lengths (0.54 x forward), uncertain ones forward"
        )
    bouts: list[Bout] = []
    steps: list[Step] = []
    for k, (span, direction, confidence, sides) in enumerate(labelled):
        ic = table.sample[span.first : span.last + 1]
        times = ic / fs
        step_s = np.diff(times)
        walking = step_s <= STEP_MAX_S  # pauses inside the bout are not steps
        cadence = 60.0 / float(np.median(step_s[walking])) if walking.any() else 0.0
        if placement == "pocket":
            assumed = height_based_step_length_m(assumptions["height_m"], cadence, direction)
            lengths = np.full(step_s.size, assumed)
        else:  # measured from the pelvis's rise and fall, so short backward steps show
            h = np.where(walking, table.excursion_m[span.first : span.last], np.nan)
            lengths = TrunkStepLength().estimate(h, leg_length).step_length_m_
        lengths = np.where(walking, lengths, np.nan)
        valid = walking & np.isfinite(lengths)
        if valid.any():
            step_length = float(np.mean(lengths[valid]))
            speed = float(np.sum(lengths[valid]) / np.sum(step_s[valid]))
            distance = step_length * int(walking.sum())
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
            )
        )
        ends = [None, *(float(x) if np.isfinite(x) else None for x in lengths)]
        steps.extend(
            Step(time_s=float(t), bout=k, direction=direction, side=side, length_m=length)
            for t, side, length in zip(times, sides, ends, strict=True)
        )
    return bouts, steps, notes


#: Signal around a bout given to the direction classifier (its filters need context).
DIRECTION_CONTEXT_S = 5.0

#: Two contacts closer than this are one (two coarse peaks refined onto one impact).
MIN_CONTACT_SEPARATION_S = 0.15

#: Longest interval between two contacts still counted as a step (longer: a pause).
STEP_MAX_S = 1.5


def _sides(yaw_rate_rads: np.ndarray | None, ic: np.ndarray, direction: Direction) -> list[Side]:
    """Left/right per contact; unknown without gyroscope or for backward bouts.

    ``yaw_rate_rads`` (angular rate about the vertical) covers the bout and ``ic``
    is relative to its start. The pelvic-yaw cue is checked on forward walking
    only, so backward bouts get no side.
    """
    if yaw_rate_rads is None or direction == "backward":
        return [None] * ic.size
    return LateralityEstimator().estimate(yaw_rate_rads, ic).sides_  # type: ignore[return-value]


def _members(ic: np.ndarray, span: BoutSpan) -> np.ndarray:
    return ic[span.first : span.last + 1]


def _bout_frame(recording: Recording, span: BoutSpan, ic: np.ndarray) -> tuple[BodyFrame, int]:
    """Body frame of one bout with context, and the sample it starts at."""
    fs = recording.sampling_rate_hz
    pad = int(DIRECTION_CONTEXT_S * fs)
    lo = max(int(ic[span.first]) - pad, 0)
    hi = min(int(ic[span.last]) + pad, recording.n_samples)
    gyro = None if recording.gyro_rads is None else recording.gyro_rads[lo:hi]
    return body_frame(recording.acc_mps2[lo:hi], gyro, fs), lo


def _direction_profile(requested: Any, placement: str, assumptions: dict[str, Any]) -> Any:
    """Pick the direction profile for ``placement``; record what was used in ``assumptions``.

    ``requested`` is a ``DirectionProfile`` (always used; a wrong placement is
    noted), a mapping placement -> profile (the person's stored profiles; the
    one of the detected placement is used) or None. A profile is applied only to stretches of the
    recording worn like the calibration (see :mod:`retrowalk.gait.calibration`).
    """
    if isinstance(requested, Mapping):
        requested = requested.get(placement)
    if requested is None:
        return None
    if not isinstance(requested, DirectionProfile):
        raise AnalysisError(
            f"direction profile must be a DirectionProfile, not {type(requested).__name__}"
        )
    profile = requested
    info = {
        "source": profile.origin or "given",
        "placement": profile.placement,
        "created_at": profile.created_at,
    }
    if profile.placement not in (placement, "auto"):
        info["warning"] = f"profile made for {profile.placement}, recording is {placement}"
    assumptions["direction_profile"] = info
    return profile


def _directional_spans(
    recording: Recording,
    spans: list[BoutSpan],
    ic: np.ndarray,
    *,
    profile: Any = None,
    notes: list[str] | None = None,
) -> list[tuple[BoutSpan, Direction, float, list[Side]]]:
    """Walking direction of each bout: the one place the direction classifier is called.

    Each bout's step evidence is computed on its own signal with a few seconds
    of context (cost linear in walking time), then
    :meth:`~retrowalk.gait.direction.WalkingDirectionClassifier.classify_evidence`
    decides all bouts of the recording together: bouts worn the same way share
    one reference (which bouts travel the same way) and one pooled time-arrow
    sign, or the calibration ``profile``. Only the bout's own contacts feed it,
    and turning steps are ignored. A bout is split where the direction changes
    (the contract: a change of direction starts a new bout); pieces shorter
    than a bout are not split off. Without a calibration, a bout whose
    evidence leans backward but is not strong enough for a backward call (the
    pooled sign comes from a cue that differs between people) is
    ``"uncertain"``, never ``"forward"``; the classifier's note saying so goes
    to ``notes``. Notes on what was assumed go to ``notes``.
    """
    if not spans:
        return []
    min_steps = BoutDetector().min_steps
    # Keep only what is needed later (the yaw rate for left/right), not whole
    # frames, so memory stays proportional to the recording, not to ~10x it.
    yaw_rates, parts = [], []
    for span in spans:
        frame, lo = _bout_frame(recording, span, ic)
        members = _members(ic, span) - lo
        bound = [(int(members[0]), int(members[-1]))]
        parts.append(step_evidence(frame, bound, members).shifted(lo))
        yaw_rates.append((frame.gyro_vertical_rads, lo))
    bounds = [(int(ic[s.first]), int(ic[s.last])) for s in spans]
    members_all = np.concatenate([_members(ic, s) for s in spans])
    evidence = StepEvidence.concat(parts)
    clf = WalkingDirectionClassifier().classify_evidence(
        evidence, bounds, members_all, profile=profile
    )
    if notes is not None:
        notes.extend(clf.notes_)
    by_source: dict[int, list[tuple[np.ndarray, str, float]]] = {}
    for (a, z), src, label, conf in zip(
        clf.split_bouts_, clf.source_bout_, clf.bout_direction_, clf.bout_confidence_, strict=True
    ):
        members = _members(ic, spans[src])
        inside = np.flatnonzero((members >= a) & (members <= z))
        by_source.setdefault(src, []).append((inside, label, float(conf)))
    out: list[tuple[BoutSpan, Direction, float, list[Side]]] = []
    for k, span in enumerate(spans):
        yaw, lo = yaw_rates[k]
        pieces = by_source.get(k, [])
        if len(pieces) > 1 and all(p[0].size >= min_steps for p in pieces):
            taken = -1
            for inside, label, conf in pieces:
                inside = inside[inside > taken]  # a contact on a shared edge goes to one piece
                first, last = span.first + int(inside[0]), span.first + int(inside[-1])
                taken = int(inside[-1])
                piece = BoutSpan(first, last, int(ic[first]), int(ic[last]))
                out.append((piece, label, conf, _sides(yaw, _members(ic, piece) - lo, label)))
            continue
        if len(pieces) == 1:
            label, conf = pieces[0][1], pieces[0][2]
        else:  # pieces too short to stand alone: decide the bout whole
            whole = WalkingDirectionClassifier(split=False).classify_evidence(
                evidence, bounds, members_all, profile=profile
            )
            label, conf = whole.bout_direction_[k], float(whole.bout_confidence_[k])
        out.append((span, label, conf, _sides(yaw, _members(ic, span) - lo, label)))
    return out


def _analyze_foot(
    recording: Recording, assumptions: dict[str, Any]
) -> tuple[list[Bout], list[Step], list[str]]:
    """Single foot sensor: strides from FootGaitAnalyzer, the other foot's contacts inferred."""
    if recording.gyro_rads is None:
        notes = ["foot placement without gyroscope: analysed with the trunk method"]
        bouts, steps, more = _analyze_trunk(recording, "foot", assumptions)
        return bouts, steps, notes + more
    fs = recording.sampling_rate_hz
    foot = FootGaitAnalyzer().analyze(recording.acc_mps2, recording.gyro_rads, fs)
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
        direction, confidence = _vote_direction(rows)
        contacts = np.sort(np.concatenate([mine, theirs]))
        times = contacts / fs
        duration = float(times[-1] - times[0])
        step_s = np.diff(times)
        cadence = 60.0 / float(np.median(step_s)) if step_s.size else 0.0
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
            )
        )
        index = len(bouts) - 1
        inferred = set(theirs.tolist())
        steps.extend(
            Step(time_s=float(c / fs), bout=index, direction=direction, inferred=int(c) in inferred)
            for c in contacts
        )
    return bouts, steps, ["foot: strides from zero-velocity integration; other foot inferred"]


def _vote_direction(rows: Any) -> tuple[Direction, float]:
    """Bout direction from the strides' own labels, weighted by their confidence."""
    if len(rows) == 0:
        return "uncertain", 0.0
    weights = {"forward": 0.0, "backward": 0.0}
    for label, conf in zip(rows["direction"], rows["direction_confidence"], strict=True):
        if label in weights:
            weights[label] += float(conf)
    total = float(len(rows))
    best = max(weights, key=lambda key: weights[key])
    confidence = (weights[best] - min(weights.values())) / total
    if confidence <= 0.0:
        return "uncertain", 0.0
    return best, float(min(confidence, 1.0))  # type: ignore[return-value]
