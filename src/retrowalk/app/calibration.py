"""Direction calibration profiles: made from a labelled analysis, stored per person and placement.

The fit itself is :class:`retrowalk.gait.calibration.DirectionCalibrator`; this
module turns an analysed, labelled walk into its inputs and keeps the profiles
on disk, one JSON file per placement under the product's data directory
(:func:`retrowalk.core.paths.default_data_dir`):

- ``direction_profiles/<placement>.json``: the profiles of the person using the
  command line (``retrowalk calibrate``), used by ``retrowalk analyze`` and
  ``retrowalk batch``;
- ``direction_profiles/people/<person id>/<placement>.json``: the profiles of a
  person of the web app, used by the web worker for that person only; the ones a
  newer calibration replaced are kept, unused until restored, in that folder's
  ``earlier/`` (see :func:`store_profile_keeping_earlier`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from retrowalk.app.profile_file import profile_fields
from retrowalk.core.errors import AnalysisError
from retrowalk.core.paths import default_data_dir
from retrowalk.core.results import Analysis
from retrowalk.core.types import PLACEMENTS
from retrowalk.dsp.frame import body_frame
from retrowalk.gait.calibration import DirectionProfile, calibrate
from retrowalk.report.display import made_when

Segment = tuple[float, float, str]

#: How the pages say where a calibrated device was worn.
WORN = {"lower_back": "worn at the lower back", "pocket": "worn in a trouser pocket"}


def profile_from_analysis(
    analysis: Analysis,
    *,
    labels: list[str] | None = None,
    segments: list[Segment] | None = None,
    created_at: datetime | None = None,
) -> DirectionProfile:
    """Calibrate from an :class:`~retrowalk.core.results.Analysis` of a labelled walk.

    ``labels`` go to the analysis' bouts in time order; ``segments`` (seconds,
    label) name the walking periods directly and take the analysis' steps inside
    them. Exactly one of the two is needed.

    Raises
    ------
    ValueError
        If both or neither are given, the labels do not match the bouts, or the
        fit refuses the walk (see :meth:`DirectionCalibrator.fit`).
    """
    rec = analysis.recording
    fs = rec.sampling_rate_hz
    ic = np.array([round(s.time_s * fs) for s in analysis.steps], dtype=np.int64)
    if segments is not None and labels is None:
        after = [f"{a:g}-{b:g} s" for a, b, _ in segments if a * fs >= rec.n_samples - 1]
        if after:
            raise ValueError(
                f"segment {', '.join(after)} starts after the recording ends "
                f"({rec.duration_s:.1f} s): give the walking periods in seconds from its start"
            )
        bouts = [(round(a * fs), min(round(b * fs), rec.n_samples - 1)) for a, b, _ in segments]
        names = [lab for _, _, lab in segments]
    elif labels is not None and segments is None:
        found = sorted(analysis.bouts, key=lambda b: b.start_s)
        if len(labels) != len(found):
            spans = ", ".join(f"{b.start_s:.0f}-{b.end_s:.0f} s" for b in found)
            raise ValueError(
                f"{len(labels)} label{'s' if len(labels) != 1 else ''} for {len(found)} "
                f"walking bout{'s' if len(found) != 1 else ''} found ({spans}); "
                "give one label per bout ('skip' for a bout that was neither, such as a turn) "
                "or use --segments"
            )
        bouts = [(round(b.start_s * fs), round(b.end_s * fs)) for b in found]
        names = list(labels)
    else:
        raise ValueError("give either labels (one per bout) or segments")
    frame = body_frame(rec.acc_mps2, rec.gyro_rads, fs)
    return calibrate(frame, bouts, ic, names, placement=analysis.placement, created_at=created_at)


# ------------------------------------------------------------------ persistence


def save_profile(profile: DirectionProfile, path: str | Path) -> Path:
    """Write ``profile`` as JSON (UTF-8, indented) atomically; parent folders are created.

    Raises
    ------
    OSError
        If it cannot be written; a file already at ``path`` is then left as it was.
    """
    path = Path(path)
    _written_beside(profile, path).replace(path)
    return path


def _written_beside(profile: DirectionProfile, path: Path) -> Path:
    """``profile`` written whole to a temporary file beside ``path`` (parent folders
    created), to be moved onto it; nothing is left behind when it cannot be written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(json.dumps(profile.to_dict(), indent=2), encoding="utf-8")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def load_profile(path: str | Path) -> DirectionProfile:
    """Read a profile written by :func:`save_profile`; its origin is the path.

    Raises
    ------
    ValueError
        If the file is not a profile of the supported schema (damaged, cut short, edited
        by hand): what is wrong in it, in plain words (:func:`profile_fields`), such as
        where its JSON breaks or which field is missing or not a number.
    OSError
        If it cannot be read.
    """
    data = profile_fields(Path(path).read_bytes())
    try:
        profile = DirectionProfile.from_dict(data)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:  # checked: not expected
        raise ValueError(f"not a direction profile ({type(exc).__name__}: {exc})") from None
    return profile.with_origin(str(path))


def profile_store_dir(person_id: int | None = None, data_dir: Path | None = None) -> Path:
    """Folder of stored profiles: the command-line user's, or one web person's.

    ``data_dir`` is the product's data directory (default
    :func:`~retrowalk.core.paths.default_data_dir`; the web app passes its own).
    """
    root = (data_dir or default_data_dir()) / "direction_profiles"
    return root if person_id is None else root / "people" / str(int(person_id))


def _placement_file(placement: str) -> str:
    return (re.sub(r"[^a-z0-9_]+", "_", placement.lower()) or "auto") + ".json"


def stored_profile_path(
    placement: str, person_id: int | None = None, data_dir: Path | None = None
) -> Path:
    """Where the profile of ``placement`` is stored (one JSON per placement)."""
    return profile_store_dir(person_id, data_dir) / _placement_file(placement)


def _stored_origin(placement: str, person_id: int | None, path: Path) -> str:
    """How an analysis names the stored profile it used.

    The command-line user sees the file on their own computer; a person of the
    web app sees no server path.
    """
    if person_id is None:
        return f"stored default for {placement}: {path}"
    return f"stored calibration of this person for {placement}"


#: Why a stored calibration file that cannot be read is not used, as the pages and the
#: analyses of the web app say it (the command line refuses it in one line instead).
UNREADABLE = "it could not be read (its stored file is damaged or incomplete)"


@dataclass(frozen=True)
class Unreadable:
    """A stored calibration file that cannot be read: damaged, or cut short.

    ``name`` is its file name without ``.json`` (an earlier calibration's name),
    ``placement`` and ``created_at`` are what the name says (an earlier one's name
    holds its date and time; empty otherwise), ``problem`` what reading it found.
    """

    name: str
    placement: str
    created_at: str
    path: Path
    problem: str


_EARLIER_NAME = re.compile(r"(?P<placement>.+)-(?P<day>\d{8})-(?P<time>\d{6})(?:-[0-9a-f]*)?")


def _unreadable(path: Path, problem: str) -> Unreadable:
    match = _EARLIER_NAME.fullmatch(path.stem)
    if match is None:
        return Unreadable(path.stem, path.stem, "", path, problem)
    day, time = match["day"], match["time"]
    made = f"{day[:4]}-{day[4:6]}-{day[6:]}T{time[:2]}:{time[2:4]}:{time[4:]}+00:00"
    return Unreadable(path.stem, match["placement"], made, path, problem)


def _named(item: Unreadable) -> ValueError:
    """The command line's one line about a file that cannot be read: its path and why."""
    return ValueError(f"{item.path}: cannot read direction profile: {item.problem}")


@dataclass(frozen=True)
class Misplaced:
    """A stored calibration file named for one placement that holds the calibration of
    another: renamed or copied by hand (``pocket.json`` holding the lower back's).

    It is used for neither: not for ``placement``, what its name says, where it was not
    made, nor for ``holds``, the placement its content says, whose file is another.
    """

    placement: str
    holds: str
    path: Path
    profile: DirectionProfile

    def problem(self) -> str:
        """What is wrong, in a few words."""
        return f"it holds a calibration made for {self.holds}, not {self.placement}"


class UnreadableCalibrationError(AnalysisError):
    """Stored calibrations that cannot be used stop an analysis that would use them
    (:meth:`StoredCalibrations.refusal`: that of a recording worn where they are named for),
    before anything is written: files that cannot be read (damaged, cut short, edited by
    hand) and files named for a placement that hold another's calibration (renamed or
    copied by hand). :meth:`StoredCalibrations.set_aside` names those of other placements
    the same way, for a caller to mention.

    ``items`` names the files that cannot be read (placement, path, what reading found),
    ``misplaced`` the others, so that the caller says what to do in its own terms;
    ``found`` holds the calibrations of the same folder that can be used, by placement
    (where a misplaced one would go back). The message alone names the first file and why.
    """

    def __init__(
        self,
        items: Iterable[Unreadable],
        misplaced: Iterable[Misplaced] = (),
        found: dict[str, DirectionProfile] | None = None,
    ) -> None:
        self.items = list(items)
        self.misplaced = list(misplaced)
        self.found = dict(found or {})
        if self.items:
            first = self.items[0]
            message = f"{first.path}: cannot read direction profile: {first.problem}"
        else:
            wrong = self.misplaced[0]
            message = f"{wrong.path}: direction profile not used: {wrong.problem()}"
        super().__init__(message)


def _read_folder(folder: Path) -> list[tuple[Path, DirectionProfile | None, str]]:
    """Each profile file of ``folder``: its path, the profile (None when it cannot be
    read) and what is wrong with it."""
    out: list[tuple[Path, DirectionProfile | None, str]] = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            out.append((path, load_profile(path), ""))
        except OSError as exc:
            out.append((path, None, f"it cannot be opened ({exc.strerror or type(exc).__name__})"))
        except ValueError as exc:
            out.append((path, None, str(exc)))
    return out


def store_profile(
    profile: DirectionProfile, person_id: int | None = None, data_dir: Path | None = None
) -> Path:
    """Save ``profile`` as the stored one for its placement (and person); its path."""
    return save_profile(profile, stored_profile_path(profile.placement, person_id, data_dir))


def store_profile_keeping_earlier(
    profile: DirectionProfile, person_id: int | None = None, data_dir: Path | None = None
) -> str:
    """Save ``profile`` as the stored one for its placement, the one it replaces kept
    among the earlier ones (:func:`earlier_profiles`), restorable; that one's name,
    or empty when it replaced none.

    The new one is written before the one in use is moved: a store that cannot be
    written (:class:`OSError`) keeps the one in use where it was.
    """
    path = stored_profile_path(profile.placement, person_id, data_dir)
    written = _written_beside(profile, path)
    try:
        kept = _keep_as_earlier(path, person_id, data_dir) if path.is_file() else ""
    except BaseException:
        written.unlink(missing_ok=True)
        raise
    written.replace(path)
    return kept


def _earlier_dir(person_id: int | None, data_dir: Path | None) -> Path:
    return profile_store_dir(person_id, data_dir) / "earlier"


def _keep_as_earlier(path: Path, person_id: int | None, data_dir: Path | None) -> str:
    """Move the stored profile at ``path`` among the earlier ones, named by what it is;
    the name (see :func:`earlier_profiles`)."""
    profile = load_profile(path)
    made = re.sub(r"[^0-9]", "", profile.created_at)[:14]  # its date and time to the second
    name = f"{_placement_file(profile.placement)[:-5]}-{made[:8]}-{made[8:]}"
    name += f"-{profile.source_hash[:8]}"  # two of a second told apart by their walk
    target = _earlier_dir(person_id, data_dir) / f"{name}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    path.replace(target)
    return name


def earlier_profiles(
    person_id: int | None = None, data_dir: Path | None = None
) -> list[tuple[str, DirectionProfile]]:
    """The kept profiles that newer calibrations replaced, newest first, with their names.

    A kept file that cannot be read raises :class:`ValueError` naming it.
    """
    found, unreadable = read_earlier_profiles(person_id, data_dir)
    if unreadable:
        raise _named(unreadable[0])
    return found


def read_earlier_profiles(
    person_id: int | None = None, data_dir: Path | None = None
) -> tuple[list[tuple[str, DirectionProfile]], list[Unreadable]]:
    """The kept profiles that newer calibrations replaced (newest first, with their
    names) and the kept files that cannot be read, to be named and deleted."""
    found = []
    unreadable = []
    for path, profile, problem in _read_folder(_earlier_dir(person_id, data_dir)):
        if profile is None:
            unreadable.append(_unreadable(path, problem))
        else:
            found.append((path.stem, profile.with_origin("")))
    found.sort(key=lambda item: item[1].created_at, reverse=True)
    unreadable.sort(key=lambda item: item.created_at, reverse=True)
    return found, unreadable


def _earlier_path(name: str, person_id: int | None, data_dir: Path | None) -> Path | None:
    """The kept profile called ``name`` (one of :func:`read_earlier_profiles`, one that
    cannot be read too), or None."""
    found, unreadable = read_earlier_profiles(person_id, data_dir)
    known = {stem for stem, _ in found} | {item.name for item in unreadable}
    return _earlier_dir(person_id, data_dir) / f"{name}.json" if name in known else None


def restore_earlier_profile(
    name: str, person_id: int | None = None, data_dir: Path | None = None
) -> DirectionProfile | None:
    """Make the kept profile ``name`` the stored one of its placement again; it, or None
    when there is no such kept profile. The one it replaces is kept in its turn."""
    path = _earlier_path(name, person_id, data_dir)
    if path is None:
        return None
    profile = load_profile(path)
    store_profile_keeping_earlier(profile, person_id, data_dir)
    path.unlink()
    return profile


def remove_earlier_profile(
    name: str, person_id: int | None = None, data_dir: Path | None = None
) -> bool:
    """Delete the kept profile ``name``; whether there was one."""
    path = _earlier_path(name, person_id, data_dir)
    if path is None:
        return False
    path.unlink()
    return True


def load_stored_profile(
    placement: str, person_id: int | None = None, data_dir: Path | None = None
) -> tuple[DirectionProfile | None, Path]:
    """The stored profile of ``placement`` (``None`` when absent) and its path."""
    path = stored_profile_path(placement, person_id, data_dir)
    if not path.is_file():
        return None, path
    profile = load_profile(path)
    return profile.with_origin(_stored_origin(placement, person_id, path)), path


def read_stored_profiles(
    person_id: int | None = None, data_dir: Path | None = None
) -> tuple[dict[str, DirectionProfile], dict[str, Unreadable]]:
    """The stored profiles that can be read, by placement, and the stored files that
    cannot (damaged, cut short), by the placement their name gives: the web app names
    those and offers to delete them, and analyses go on without them, saying so. A file
    named for a placement that holds another's calibration is in neither (the app writes
    none such; :func:`read_store` names them)."""
    store = read_store(person_id, data_dir)
    return store.found, store.unreadable


@dataclass(frozen=True)
class StoredCalibrations:
    """What a folder of stored profiles holds (:func:`read_store`).

    ``found``: the profiles in use, by placement; ``unreadable``: the files that cannot
    be read, by the placement their name gives; ``misplaced``: the files named for a
    placement that hold another's calibration; ``other``: the calibrations in files named
    for no placement (a copy kept by hand), with their paths. Only ``found`` are used.
    """

    found: dict[str, DirectionProfile]
    unreadable: dict[str, Unreadable]
    misplaced: list[Misplaced]
    other: list[tuple[Path, DirectionProfile]]

    def refusal(self, placement: str) -> UnreadableCalibrationError | None:
        """What refuses the analysis of a recording worn at ``placement``: the file its
        calibration is read from (``<placement>.json``) when that cannot be used (it cannot
        be read, or it holds another placement's calibration); ``None`` when there is no
        such file, or the placement uses no calibration (:data:`CALIBRATION_PLACEMENTS`:
        a foot's strides carry their own direction). Another placement's file never
        refuses it (:meth:`set_aside` names those)."""
        if placement not in CALIBRATION_PLACEMENTS:
            return None
        return self._unusable(lambda path: refused_by(path) == placement)

    def set_aside(self, placement: str) -> UnreadableCalibrationError | None:
        """The files that cannot be used and that the analysis of a recording worn at
        ``placement`` does not read (those :meth:`refusal` leaves out), or ``None``."""
        refused = self.refusal(placement)
        mine = {item.path for item in refused.items} if refused else set()
        mine |= {wrong.path for wrong in refused.misplaced} if refused else set()
        return self._unusable(lambda path: path not in mine)

    def unusable(self) -> UnreadableCalibrationError | None:
        """Every file that cannot be used, of any placement, or ``None``."""
        return self._unusable(lambda _: True)

    def refusals(self) -> dict[str, UnreadableCalibrationError]:
        """The placements whose recordings :meth:`refusal` refuses, each with its refusal."""
        return {p: r for p in CALIBRATION_PLACEMENTS if (r := self.refusal(p)) is not None}

    def refused_placements(self) -> list[str]:
        """The placements whose recordings :meth:`refusal` refuses."""
        return list(self.refusals())

    def _unusable(self, chosen: Callable[[Path], bool]) -> UnreadableCalibrationError | None:
        items = [item for item in self.unreadable.values() if chosen(item.path)]
        misplaced = [wrong for wrong in self.misplaced if chosen(wrong.path)]
        if not items and not misplaced:
            return None
        return UnreadableCalibrationError(items, misplaced, self.found)


#: The file names of the stored profiles, by placement (what :func:`stored_profile_path` names).
_PLACEMENT_FILES = {_placement_file(p): p for p in PLACEMENTS if p != "auto"}


def refused_by(path: Path) -> str:
    """The placement whose recordings a stored file that cannot be used refuses
    (:meth:`StoredCalibrations.refusal`): the one it is named for, where a calibration
    serves (:data:`CALIBRATION_PLACEMENTS`); empty for a file that refuses none."""
    placement = _PLACEMENT_FILES.get(path.name, "")
    return placement if placement in CALIBRATION_PLACEMENTS else ""


def read_store(person_id: int | None = None, data_dir: Path | None = None) -> StoredCalibrations:
    """Every file of the folder of stored profiles of the command-line user (or of one
    web person): the profiles in use, the files that cannot be read, the files named for
    a placement that hold another's calibration, and the calibrations in files of other
    names."""
    found: dict[str, DirectionProfile] = {}
    unreadable: dict[str, Unreadable] = {}
    misplaced: list[Misplaced] = []
    other: list[tuple[Path, DirectionProfile]] = []
    for path, profile, problem in _read_folder(profile_store_dir(person_id, data_dir)):
        if profile is None:
            unreadable[path.stem] = _unreadable(path, problem)
        elif path.name == _placement_file(profile.placement):
            origin = _stored_origin(profile.placement, person_id, path)
            found[profile.placement] = profile.with_origin(origin)
        elif path.name in _PLACEMENT_FILES:
            misplaced.append(
                Misplaced(_PLACEMENT_FILES[path.name], profile.placement, path, profile)
            )
        else:
            other.append((path, profile))
    return StoredCalibrations(found, unreadable, misplaced, other)


# ------------------------------------------------------------------ guided calibration

#: Placements a calibration can serve (the foot path takes direction from the
#: foot's own stride and uses no profile).
CALIBRATION_PLACEMENTS = ("lower_back", "pocket")
#: A label that leaves a bout out of the fit (a turn, a stop).
SKIP = "skip"

#: What to do, per placement, shown on the calibration page.
INSTRUCTIONS: dict[str, str] = {
    "lower_back": (
        "Clip the sensor or phone to the belt at the middle of the back, as you always "
        "wear it. Stand still for 3 seconds, walk 10 steps forward, stop and turn round, "
        "stand still for 3 seconds, then walk 10 steps backward. Keep the device where it is."
    ),
    "pocket": (
        "Put the phone in the front trouser pocket you always use, screen and top the way "
        "you always carry it. Stand still for 3 seconds, walk 10 steps forward, stop and "
        "turn round, stand still for 3 seconds, then walk 10 steps backward."
    ),
}


def calibration_walk_problem(analysis: Analysis, say_where: str) -> str:
    """Why no calibration can be made from the walk ``analysis`` (empty when one can):
    it was analysed as worn where no calibration serves (:data:`CALIBRATION_PLACEMENTS`;
    ``say_where``: how the caller's user says where it was worn), or no walking was
    found. The calibration page and ``retrowalk calibrate`` refuse a walk alike."""
    placement = str(analysis.placement)
    if placement not in CALIBRATION_PLACEMENTS:
        analysed = (
            f"the walk was analysed as worn at the {placement.replace('_', ' ')}"
            if placement in PLACEMENTS
            # not recognised (a phone in the hand, an arm band, a bag): no place to name
            else "the walk was not recognised as worn at the lower back, in a pocket or on the foot"
        )
        return (
            f"{analysed}: a calibration is made for the lower back or a pocket (a foot "
            f"sensor needs none); {say_where}"
        )
    if not analysis.bouts:
        return "no walking was found in this recording: walk at least 10 steps"
    return ""


def calibration_would_tell(placement: str, offered: bool, uncertain_reasons: Iterable[str]) -> bool:
    """Whether a calibration would tell the direction of some walking an analysis left
    uncertain.

    Where the device was worn at the lower back or in a pocket
    (:data:`CALIBRATION_PLACEMENTS`), no calibration was offered to the analysis,
    and some uncertain bout's reason is that nothing in the signal shows which way
    the body faces (it ends with
    :data:`~retrowalk.gait.direction.anchor.NO_CALIBRATION`): a calibration
    replaces exactly that. Not where the steps themselves leave the direction open
    (too few straight steps, travel both ways), nor for a foot (its strides tell the
    direction) or a placement not recognised (a hand, a bag).
    """
    from retrowalk.gait.direction.anchor import NO_CALIBRATION

    if placement not in CALIBRATION_PLACEMENTS or offered:
        return False
    return any(reason.endswith(NO_CALIBRATION) for reason in uncertain_reasons)


def parse_bout_labels(text: str) -> list[str]:
    """``"forward, backward"`` -> ``["forward", "backward"]``: one label per walking bout.

    ``skip`` leaves a bout out (a turn, a stretch that was neither).

    Raises
    ------
    ValueError
        If a label is not ``forward``, ``backward`` or ``skip``, or none is given.
    """
    labels = [x.strip().lower() for x in re.split(r"[,;\s]+", text) if x.strip()]
    bad = [x for x in labels if x not in ("forward", "backward", SKIP)]
    if not labels or bad:
        raise ValueError(
            "one per walking bout in time order, each 'forward', 'backward' or "
            f"'skip', separated by commas (got {text!r})"
        )
    if not any(x != SKIP for x in labels):
        raise ValueError("at least one bout must be 'forward' or 'backward'")
    return labels


def remove_stored_profile(
    placement: str, person_id: int | None = None, data_dir: Path | None = None
) -> bool:
    """Delete the stored profile of ``placement``; whether there was one."""
    path = stored_profile_path(placement, person_id, data_dir)
    if not path.is_file():
        return False
    path.unlink()
    return True


def _placement_words(placement: str) -> dict[str, str]:
    """A calibration's placement as the pages name it: its value, its label and how the
    device was worn."""
    label = placement.replace("_", " ")
    return {
        "placement": placement,
        "placement_label": label,
        "worn": WORN.get(placement, f"worn at the {label}"),
    }


def describe_unreadable(item: Unreadable) -> dict[str, Any]:
    """What a person is told about a stored calibration that cannot be read: its
    placement, when it was made where its name says, and ``problem`` in plain words
    (``readable`` false; :func:`describe_profile`'s have it true)."""
    return {
        **_placement_words(item.placement),
        "readable": False,
        "created_at": item.created_at,
        "created_on": item.created_at[:10],
        "created_when": made_when(item.created_at) if item.created_at else "",
        "problem": UNREADABLE,
    }


def note_unreadable(analysis: Analysis, placements: Iterable[str]) -> None:
    """Name in a web person's ``analysis`` the stored calibration of its placement that
    could not be read (``placements``: :func:`read_stored_profiles`' unreadable ones):
    offered and not used, why, and what to do, where the analysis says which calibration
    it used (``assumptions.direction_profile``)."""
    placement = analysis.placement
    if placement not in set(placements) or analysis.assumptions.get("direction_profile"):
        return
    analysis.assumptions["direction_profile"] = {
        "source": f"stored calibration of this person for {placement}",
        "placement": placement,
        "created_at": "",
        "used": False,
        "not_used_reason": f"{UNREADABLE}; delete it on the calibration page and calibrate again",
    }


def describe_profile(profile: DirectionProfile) -> dict[str, Any]:
    """What a person is told about a stored profile (placement, when, what it learned).

    ``left_out`` has one line per labelled bout of the calibration walk that the
    fit left out as worn differently (``left_out_bouts`` the same as data).
    """
    steps = {k: int(v) for k, v in profile.n_steps.items()}
    learned = [k for k in ("forward", "backward") if steps.get(k)]
    words = _placement_words(profile.placement)
    worn = words["worn"]
    return {
        **words,
        "readable": True,
        "created_at": profile.created_at,
        "created_on": profile.created_at[:10],
        "created_when": made_when(profile.created_at),
        "made_from": profile.made_from,
        "directions": learned,
        "directions_text": ("only " if len(learned) == 1 else "") + " and ".join(learned),
        "n_steps": steps,
        "n_steps_total": sum(steps.values()),
        "n_bouts": {k: int(v) for k, v in profile.n_bouts.items()},
        "consistency_pct": round(100 * profile.consistency),
        "max_tilt_deg": round(profile.max_tilt_deg),
        "left_out": profile.left_out_notes(),
        "left_out_bouts": [asdict(bout) for bout in profile.left_out],
        "effect": (
            f"From now on the walking direction of recordings {worn} is taken from this "
            "calibration, where "
            f"the device sits within {profile.max_tilt_deg:.0f} degrees of how it sat in "
            "the calibration walk; other stretches keep the uncalibrated direction. A device "
            "turned round about the vertical since (phone facing in instead of out) would "
            "swap the directions: calibrate again after changing how it is worn."
        ),
    }
