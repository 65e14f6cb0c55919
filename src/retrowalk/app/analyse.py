"""Analyse one recording file: the one path the command line, the web worker and batch share.

:func:`build_options` is the only place that turns what a caller knows (the
person, the placement, an explicit calibration file) into
:class:`~retrowalk.pipeline.options.AnalysisOptions`, including the stored direction
calibration profiles (:mod:`retrowalk.app.calibration`). :func:`analyse_file`
reads the file and runs the pipeline with those options; a video file goes to
the pipeline registered for it (video files: :mod:`retrowalk.video`, registered
on import here), with a per-frame progress callback for videos when one is given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, Protocol

# Importing retrowalk.video registers video files as a source of recordings and
# its pipeline for them; its analysis modules load only when a video is read or
# analysed (the pose model and OpenCV only when one is decoded).
import retrowalk.video  # noqa: F401
from retrowalk.app.calibration import (
    StoredCalibrations,
    UnreadableCalibrationError,
    load_profile,
    read_store,
    read_stored_profiles,
)
from retrowalk.core.errors import AnalysisError
from retrowalk.core.recording import Recording
from retrowalk.core.results import Analysis
from retrowalk.gait.calibration import DirectionProfile
from retrowalk.gait.placement import resolve_placement
from retrowalk.io import read_recording
from retrowalk.pipeline import AnalysisOptions, analyze
from retrowalk.pipeline.options import resolve_assumptions
from retrowalk.pipeline.registry import kind_of_format
from retrowalk.report import display
from retrowalk.summary.labels import HandLabel, apply_hand_labels
from retrowalk.video import VIDEO_FORMAT
from retrowalk.video.options import VideoOptions, video_options_from_form


@dataclass(frozen=True)
class AnalysisRequest:
    """What a caller knows about one recording and the person who made it.

    Attributes
    ----------
    placement
        Where the device was worn, or ``"auto"``.
    height_m, weight_kg, age_years
        The person, when known (defaults are stated in the analysis otherwise).
    profile
        An explicit direction calibration file; it replaces the stored ones.
    use_stored_profiles
        Use the stored calibration profiles (of ``person_id``) when no
        explicit file is given.
    person_id
        Whose stored profiles: ``None`` for the command-line user, else the id
        of a person of the web app.
    data_dir
        The data directory holding the stored profiles (default: the
        product's, :func:`retrowalk.core.paths.default_data_dir`).
    acc_unit, gyro_unit
        Units of the file's columns, or ``"auto"``.
    columns
        Column names of a table without a header line (see
        :func:`retrowalk.io.read_recording`), or ``None``.
    hand_labels
        Bouts the user relabelled by hand, applied to the result once
        (:func:`retrowalk.summary.labels.apply_hand_labels`).
    video
        Videos only: floor marks at a known distance, child proportions.
    """

    placement: str = "auto"
    height_m: float | None = None
    weight_kg: float | None = None
    age_years: float | None = None
    profile: str | Path | None = None
    use_stored_profiles: bool = True
    person_id: int | None = None
    data_dir: Path | None = None
    acc_unit: str = "auto"
    gyro_unit: str = "auto"
    columns: str | None = None
    hand_labels: tuple[HandLabel, ...] = ()
    video: VideoOptions | None = None


class PersonLike(Protocol):
    """The parts of a stored person the options need."""

    id: int
    height_m: float | None
    weight_kg: float | None
    birth_date: date | None


class RecordingLike(Protocol):
    """The parts of a stored recording the options need."""

    placement: str
    recorded_on: date


class BoutLabelLike(Protocol):
    """The parts of a stored hand label of a bout the options need."""

    start_s: float
    end_s: float
    label: str


def build_options(
    request: AnalysisRequest, *, stored: Mapping[str, DirectionProfile] | None = None
) -> AnalysisOptions:
    """The analysis options for ``request``: the one place they are built.

    Parameters
    ----------
    request
        What the caller knows.
    stored
        The stored profiles of ``request.person_id`` that can be used when the
        caller has read them already (``found`` of
        :func:`retrowalk.app.calibration.read_store`; batch reads them once for all
        recordings); read here otherwise.

    The stored files that cannot be used (damaged, or holding another placement's
    calibration) are not offered: they refuse the analysis of a recording worn where
    they are named for, once its placement is known (:func:`calibration_refusal`), and
    no other.

    Raises
    ------
    AnalysisError
        If an explicit calibration profile cannot be read.
    """
    profile: Any = None
    if request.profile is not None:
        try:
            profile = load_profile(request.profile)
        except (OSError, ValueError) as exc:
            raise AnalysisError(f"cannot read direction profile {request.profile}: {exc}") from None
    elif request.use_stored_profiles:
        if stored is None:
            stored = read_store(request.person_id, request.data_dir).found
        profile = dict(stored) or None
    return AnalysisOptions(
        placement=request.placement,
        height_m=request.height_m,
        weight_kg=request.weight_kg,
        age_years=request.age_years,
        direction_profile=profile,
        columns=request.columns,
        hand_labels=tuple(request.hand_labels),
    )


def request_for_upload(
    person: PersonLike, recording: RecordingLike, data_dir: Path | None = None
) -> AnalysisRequest:
    """What the web app knows about an uploaded recording of ``person``.

    The age is taken on the day of the recording; a birth date after it is
    ignored. The person's own stored calibration profiles (in the web app's
    ``data_dir``) apply, never another person's. The column names given at
    upload (a table without a header line), a video's floor marks and body
    proportions given at upload, and the user's hand labels of bouts are read
    from the stored recording when it has them.
    """
    age = None
    if person.birth_date is not None:
        age = round((recording.recorded_on - person.birth_date).days / 365.25, 2)
    return AnalysisRequest(
        placement=recording.placement,
        height_m=person.height_m,
        weight_kg=person.weight_kg,
        age_years=age if age is None or age >= 0 else None,
        person_id=int(person.id),
        data_dir=data_dir,
        columns=getattr(recording, "columns", "") or None,
        hand_labels=tuple(
            HandLabel(float(x.start_s), float(x.end_s), str(x.label))
            for x in getattr(recording, "bout_labels", ())
        ),
        video=video_options_from_form(
            getattr(recording, "floor_marks_px", ""),
            getattr(recording, "floor_distance_m", None),
            getattr(recording, "proportions", ""),
        ),
    )


def measures_changed(person: Any, assumptions: Mapping[str, Any]) -> list[tuple[str, float, float]]:
    """The body measures a stored analysis used (its ``assumptions``) that differ from
    those an analysis of ``person`` would use now (their height or weight edited
    since, or a default now replaced), as ``(name, used, now)``: its distances, speeds
    and energy are for the measures it used. Each is resolved as an analysis resolves
    it (:func:`~retrowalk.pipeline.options.resolve_assumptions`); differences under
    half a centimetre or 50 g are rounding."""
    now = resolve_assumptions(AnalysisOptions(height_m=person.height_m, weight_kg=person.weight_kg))
    changed = []
    for name, rounding in (("height_m", 0.005), ("weight_kg", 0.05)):
        used = assumptions.get(name)
        if isinstance(used, int | float) and abs(float(used) - float(now[name])) > rounding:
            changed.append((name, float(used), float(now[name])))
    return changed


#: How each body measure is written in a sentence: its words and its shown figure.
MEASURE_WORDS: dict[str, tuple[str, Callable[[float | None], str], str]] = {
    "height_m": ("a height of", display.height, "m"),
    "weight_kg": ("a weight of", display.weight, "kg"),
}


def measures_used_text(name: str, changed: list[tuple[str, float, float]]) -> tuple[str, str]:
    """``("a height of 1.74 m", "Ann's is now 1.55 m")``: what ``changed``
    (:func:`measures_changed`) says an analysis used, and the person's (``name``) now."""

    def shown(measure: str, value: float) -> str:
        return f"{MEASURE_WORDS[measure][1](value)} {MEASURE_WORDS[measure][2]}"

    used = " and ".join(f"{MEASURE_WORDS[m][0]} {shown(m, u)}" for m, u, _ in changed)
    now = " and ".join(shown(m, v) for m, _, v in changed)
    return used, f"{name}'s {'are' if len(changed) > 1 else 'is'} now {now}"


def measures_note(name: str, changed: list[tuple[str, float, float]]) -> str:
    """The sentence saying which body measures a shown analysis used, when the
    person's (``name``) have changed since; empty when none has."""
    if not changed:
        return ""
    used, now = measures_used_text(name, changed)
    return (
        f"This analysis used {used}; {now}. Its distances, speeds and energy are for the "
        "measures it used."
    )


def stored_measures_changed(person: Any, summary: Any) -> list[tuple[str, float, float]]:
    """:func:`measures_changed` of a stored analysis from the measures stored beside
    it (``used_height_m``, ``used_weight_kg`` of its summary), without its JSON."""
    used = {"height_m": summary.used_height_m, "weight_kg": summary.used_weight_kg}
    return measures_changed(person, used)


def started_with_other_measures(person: Any, started: Mapping[str, Any] | None) -> bool | None:
    """Whether an analysis started with ``started`` (a recording's ``started_with``)
    uses body measures that differ from those an analysis of ``person`` would use now
    (:func:`measures_changed`); ``None`` when what it was started with is not known."""
    if started is None:
        return None
    used = resolve_assumptions(
        AnalysisOptions(height_m=started.get("height_m"), weight_kg=started.get("weight_kg"))
    )
    return bool(measures_changed(person, used))


def upload_options(
    person: PersonLike, recording: RecordingLike, data_dir: Path | None = None
) -> dict[str, Any]:
    """:func:`build_options` for an upload, as ``AnalysisOptions`` fields (picklable).

    A video's floor marks and proportions (:class:`VideoOptions`) travel beside
    them under ``"video"`` (``None`` when there are none); :func:`analyse_file`
    takes them with ``video=``. The person's stored calibrations whose file cannot be
    read are left out, their placements under ``"unreadable_calibrations"``
    (:func:`retrowalk.app.calibration.note_unreadable` names the one an analysis
    would have used), where the command line refuses a recording of that placement.
    """
    request = request_for_upload(person, recording, data_dir)
    stored, unreadable = read_stored_profiles(request.person_id, request.data_dir)
    return {
        **vars(build_options(request, stored=stored)),
        "video": request.video,
        "unreadable_calibrations": sorted(unreadable),
    }


def stored_for(request: AnalysisRequest) -> StoredCalibrations | None:
    """The stored calibrations an analysis of ``request`` is made with (``None``: none, a
    calibration named or --no-profile), every file of their folder read once."""
    if request.profile is None and request.use_stored_profiles:
        return read_store(request.person_id, request.data_dir)
    return None


def analysed_placement(recording: Recording, options: AnalysisOptions) -> str:
    """The placement :func:`retrowalk.pipeline.analyze` analyses ``recording`` as worn at
    with ``options``, decided as it decides it: the one given, else stated by the file,
    else detected (on at most its first hour: 0.1 s for an hour of data, a few ms for a
    minute; the analysis detects it again); a format with a pipeline of its own (a
    video), the recording's."""
    if kind_of_format(recording.format) is not None:
        return str(recording.placement)
    return resolve_placement(recording, options.placement)[0]


def calibration_refusal(
    recording: Recording, options: AnalysisOptions, refused: Mapping[str, str]
) -> tuple[str, str | None]:
    """Whether the stored calibration of the placement ``recording`` is analysed as worn
    at (:func:`analysed_placement`) cannot be used: that placement and what ``refused``
    (placement -> what refuses its recordings) holds for it, or ``(placement, None)``.
    Nothing is detected when nothing is refused."""
    if not refused:
        return "", None
    placement = analysed_placement(recording, options)
    return placement, refused.get(placement)


#: Told of the stored calibrations that cannot be used and that the analysis of a
#: recording does not read (other placements'), with the placement it is analysed as
#: worn at: a caller mentions them (the command line in one line on stderr).
SetAside = Callable[[str, UnreadableCalibrationError], None]


class Progress(Protocol):
    """What :func:`analyse_file` reports while it works (a display, a log)."""

    def reading(self, path: Path) -> None: ...

    def analysing(self, recording: Recording) -> None: ...

    def frame(self, index: int, total: int) -> None: ...


def read_file(
    path: str | Path,
    request: AnalysisRequest,
    display_name: str = "",
    content: bytes | None = None,
) -> Recording:
    """Read ``path`` with the request's placement and units; ``display_name`` replaces the path.

    ``content``: the file's bytes when already read (see :func:`retrowalk.io.read_recording`).
    """
    recording = read_recording(
        Path(path),
        acc_unit=request.acc_unit,
        gyro_unit=request.gyro_unit,
        placement=request.placement,
        columns=request.columns,
        content=content,
    )
    if display_name:
        # The notes of reading name the file too (holes bridged in it): by the same name.
        stored = Path(path).name
        notes = tuple(note.replace(stored, display_name) for note in recording.notes)
        recording = recording.with_(path=display_name, notes=notes)
    return recording


def analyse_recording(
    recording: Recording,
    options: AnalysisOptions,
    on_frame: Callable[[int, int], None] | None = None,
    video: VideoOptions | None = None,
) -> Analysis:
    """Run the pipeline on a read recording; videos report each frame to ``on_frame``.

    The user's hand labels of bouts (``options.hand_labels``) are applied to
    the result, once, before anything is summed from it.
    """
    if video is not None and recording.format != VIDEO_FORMAT:
        raise AnalysisError("floor marks and --child/--adult apply to videos only")
    analysis: Analysis
    if recording.format == VIDEO_FORMAT and (on_frame is not None or video is not None):
        from retrowalk.video.analysis import analyze_video  # loaded with the first video

        analysis = analyze_video(recording, options, on_frame=on_frame, video_options=video)
    else:
        analysis = analyze(recording, options)
    return apply_hand_labels(analysis, options.hand_labels)


def analyse_file(
    path: str | Path,
    request: AnalysisRequest | AnalysisOptions | None = None,
    *,
    display_name: str = "",
    progress: Progress | None = None,
    video: VideoOptions | None = None,
    content: bytes | None = None,
    set_aside: SetAside | None = None,
) -> Analysis:
    """Read and analyse one recording file.

    Parameters
    ----------
    path
        A recording file, export folder, zip or video.
    request
        What the caller knows (:class:`AnalysisRequest`, turned into options by
        :func:`build_options`), or ready options (built earlier by
        :func:`build_options`, e.g. in another process).
    display_name
        Shown instead of the file's path in the analysis and the report (the
        uploaded file's name in the web app).
    progress
        Told when reading and analysing start, and of each video frame.
    video
        With ready options only: the request's video options (floor marks, body
        proportions) that :func:`upload_options` carried beside them.
    content
        The file's bytes when the caller has read them already (batch work
        hashes them): a text table is read from them, not from the file again.
    set_aside
        Told of the stored calibrations that cannot be used and that this
        recording's analysis does not read (:data:`SetAside`).

    Raises
    ------
    UnreadableCalibrationError
        With an :class:`AnalysisRequest` that uses the stored calibrations, when the
        one of the placement the recording is analysed as worn at cannot be used
        (:meth:`~retrowalk.app.calibration.StoredCalibrations.refusal`), after the
        file is read and before it is analysed.
    """
    read = read_for_analysis(
        path,
        request,
        display_name=display_name,
        progress=progress,
        video=video,
        content=content,
    )
    if read.set_aside is not None and set_aside is not None:
        set_aside(*read.set_aside)
    if progress is not None:
        progress.analysing(read.recording)
    return analyse_recording(
        read.recording, read.options, progress.frame if progress else None, read.video
    )


@dataclass(frozen=True)
class ReadForAnalysis:
    """A recording file read, with the options of its analysis (:func:`read_for_analysis`)."""

    recording: Recording
    options: AnalysisOptions
    video: VideoOptions | None = None
    #: The stored calibrations that cannot be used and that its analysis does not read,
    #: with the placement it is analysed as worn at (:data:`SetAside`); ``None``: none.
    set_aside: tuple[str, UnreadableCalibrationError] | None = None


def read_for_analysis(
    path: str | Path,
    request: AnalysisRequest | AnalysisOptions | None = None,
    *,
    display_name: str = "",
    progress: Progress | None = None,
    video: VideoOptions | None = None,
    content: bytes | None = None,
    acc_unit: str = "auto",
    gyro_unit: str = "auto",
) -> ReadForAnalysis:
    """The reading half of :func:`analyse_file` (same parameters): the recording, its
    options (an ActiGraph file's stated body measures filled in) and its video
    options, for :func:`analyse_recording`. Batch work reads a few short files
    one after another, then analyses them one after another.

    ``acc_unit`` and ``gyro_unit``: with ready options only, the units of the
    request they were built from (an :class:`AnalysisRequest` holds its own).

    With an :class:`AnalysisRequest` that uses the stored calibrations, a recording
    whose placement's stored calibration cannot be used is refused once read
    (:class:`UnreadableCalibrationError`, as :func:`analyse_file`); those of other
    placements are not used, and named in ``set_aside``.
    """
    if request is None:
        request = AnalysisRequest()
    store: StoredCalibrations | None = None
    if isinstance(request, AnalysisOptions):
        options = request
        request = AnalysisRequest(
            placement=options.placement,
            use_stored_profiles=False,
            acc_unit=acc_unit,
            gyro_unit=gyro_unit,
            columns=options.columns,
            video=video,
        )
    else:
        store = stored_for(request)
        options = build_options(request, stored=store.found if store is not None else None)
    if progress is not None:
        progress.reading(Path(path))
    recording = read_file(path, request, display_name, content)
    set_aside = None
    if store is not None and (store.unreadable or store.misplaced):
        placement = analysed_placement(recording, options)
        refused = store.refusal(placement)
        if refused is not None:
            raise refused
        others = store.set_aside(placement)
        set_aside = (placement, others) if others is not None else None
    if recording.format == "actigraph-gt3x":  # info.txt body measures fill what is not given
        from retrowalk.io.wearables import stated_body_measures

        stated = stated_body_measures(path)
        given = options
        options = replace(
            given,
            height_m=stated.get("height_m") if given.height_m is None else given.height_m,
            weight_kg=stated.get("weight_kg") if given.weight_kg is None else given.weight_kg,
            age_years=stated.get("age_years") if given.age_years is None else given.age_years,
        )
    return ReadForAnalysis(recording, options, request.video, set_aside)
