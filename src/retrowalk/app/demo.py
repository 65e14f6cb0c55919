"""The bundled demo: a person who walks forward and backward, calibrated, over four weeks.

Where the demo recordings come from
-----------------------------------
- ``cmu_09_12_lower_back.csv``: one real take of a person walking forward
  (about 7.7 s, with a U-turn) and then backward (about 8.3 s), from the CMU
  Graphics Lab Motion Capture Database (subject 9, trial 12, "navigate - walk
  forward, backward, sideways"). The signals are those a sensor on the lower
  back would have measured, computed from the motion capture (forward
  kinematics of the pelvis, 100 Hz, white noise added); they are not a
  recording of a physical sensor. ``cmu_09_12_labels.json`` holds the walking
  direction of each part and the foot contacts, both taken from the motion
  capture itself. The acknowledgement the database asks for is in NOTICE.
- ``MS_001_Test11_Trial1.csv``: a real lower-back recording of simulated daily
  life (walking, pauses, turns, forward only) by an adult with multiple
  sclerosis, from the Mobilise-D example data shipped with mobgap (Apache-2.0;
  see NOTICE). It is the demo's example of a forward-only recording.

How the demo sessions are assembled
-----------------------------------
There is only one take of backward walking, so the four weekly sessions of the
demo person reuse it: week 1 is the take as recorded (it is also the walk the
demo calibration is made from), weeks 2 to 4 join the same take 2, 3 and 4
times end to end, with 5 s of standing between the copies (the sensor's
posture blended smoothly from the end of one copy to the start of the next,
with the data set's sensor noise). The growing weekly totals therefore show
how a progress history looks; they are not a real person's training progress.
:func:`session_labels` gives the true direction of every part of an assembled
session, shifted from the take's labels.

The calibration is made the way a user makes one (``retrowalk calibrate FILE
--labels forward,backward``): the week-1 walk is analysed without a
calibration and its two walking bouts are labelled forward and backward
(:func:`demo_profile`). The daily-life example has no brief trunk bends that
would show, without a calibration, which way the sensor faces, so its walks
would all be "uncertain"; its calibration is made the same way from its own
recording, every walking bout labelled forward (:func:`daily_life_profile`).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from retrowalk.gait.calibration import DirectionProfile

#: The daily-life recording (forward only) of the second demo person.
DEMO_FILE_NAME = "MS_001_Test11_Trial1.csv"
DAILY_LIFE_HEIGHT_M = 1.68
DAILY_LIFE_WEIGHT_KG = 74.0

#: The forward-and-backward take and its labels.
TAKE_FILE_NAME = "cmu_09_12_lower_back.csv"
TAKE_LABELS_NAME = "cmu_09_12_labels.json"
DEMO_PLACEMENT = "lower_back"
#: Labels of the calibration walk's bouts, in time order (as given to ``retrowalk calibrate``).
CALIBRATION_LABELS = ("forward", "backward")
#: Standing between two copies of the take in an assembled session, s.
PAUSE_S = 5.0
#: Sensor noise of the data set, added to the standing pauses (acc m/s^2, gyro rad/s).
PAUSE_NOISE = (0.02, 0.005)

#: Where the demo person's recordings come from, as shown to the user.
PROVENANCE = (
    "Demo data. Every session of this person is built from one real take of a person "
    "walking forward and then backward (CMU Graphics Lab Motion Capture Database, subject 9, "
    "trial 12): the signals a lower-back sensor would have measured, computed from the "
    "motion capture. Week 1 is the take as recorded; weeks 2, 3 and 4 join the same take 2, "
    "3 and 4 times with 5 s of standing between the copies, so the rising totals show how a "
    "progress history looks, not a real training progress. The direction calibration was "
    "made from the week-1 walk, labelled forward then backward, as a user would make it."
)
DAILY_LIFE_PROVENANCE = (
    "Demo data. A real lower-back recording of simulated daily life (walking, pauses and "
    "turns, forward only) by an adult with multiple sclerosis, from the Mobilise-D example "
    "data. The direction calibration was made from this recording, its walks labelled "
    "forward, as a user would make it."
)


@dataclass(frozen=True)
class DemoSession:
    """One weekly session of the demo person.

    Attributes
    ----------
    weeks_ago
        How many weeks before the demo is loaded it is dated.
    copies
        How many copies of the take it joins.
    """

    weeks_ago: int
    copies: int

    @property
    def file_name(self) -> str:
        if self.copies == 1:
            return "demo-week-1-calibration-walk.csv"
        week = len(DEMO_SESSIONS) - self.weeks_ago
        return f"demo-week-{week}-take-x{self.copies}.csv"

    def recorded_on(self, today: dt.date) -> dt.date:
        return today - dt.timedelta(weeks=self.weeks_ago)


#: The four weekly sessions, oldest first.
DEMO_SESSIONS = (
    DemoSession(weeks_ago=3, copies=1),
    DemoSession(weeks_ago=2, copies=2),
    DemoSession(weeks_ago=1, copies=3),
    DemoSession(weeks_ago=0, copies=4),
)


def _data_file(name: str) -> Path:
    return Path(str(files("retrowalk") / "data" / "demo" / name))


def demo_recording_path() -> Path:
    """Path of the bundled daily-life recording (forward only)."""
    return _data_file(DEMO_FILE_NAME)


def take_path() -> Path:
    """Path of the bundled forward-and-backward take (lower back)."""
    return _data_file(TAKE_FILE_NAME)


def take_labels() -> dict[str, Any]:
    """The take's labels from the motion capture: ``segments`` and ``foot_contacts_s``."""
    data: dict[str, Any] = json.loads(_data_file(TAKE_LABELS_NAME).read_text(encoding="utf-8"))
    return data


def _read_take() -> np.ndarray:
    """The take as an array: time_s, acc x/y/z (m/s^2), gyro x/y/z (rad/s)."""
    return np.loadtxt(take_path(), delimiter=",", skiprows=1)


def _pause(last: np.ndarray, first: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` samples of standing: acc blended smoothly from ``last`` to ``first``, gyro zero."""
    w = 0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, n))[:, None]
    acc = (1 - w) * last[None, :] + w * first[None, :]
    acc = acc + rng.normal(0.0, PAUSE_NOISE[0], (n, 3))
    gyro = rng.normal(0.0, PAUSE_NOISE[1], (n, 3))
    return np.hstack([acc, gyro])


def session_offsets_s(copies: int) -> list[float]:
    """Start time (s) of each copy of the take in a session of ``copies`` copies."""
    take = _read_take()
    rate_hz = 1.0 / float(np.median(np.diff(take[:, 0])))
    n_take = len(take)
    n_pause = round(PAUSE_S * rate_hz)
    return [k * (n_take + n_pause) / rate_hz for k in range(copies)]


def session_csv(copies: int) -> bytes:
    """The CSV of a session joining ``copies`` copies of the take (see the module notes)."""
    if copies < 1:
        raise ValueError("copies must be at least 1")
    if copies == 1:
        return take_path().read_bytes()
    take = _read_take()
    rate_hz = 1.0 / float(np.median(np.diff(take[:, 0])))
    signals = take[:, 1:]
    n_pause = round(PAUSE_S * rate_hz)
    rng = np.random.default_rng(912)
    parts = [signals]
    for _ in range(copies - 1):
        parts.append(_pause(signals[-1, :3], signals[0, :3], n_pause, rng))
        parts.append(signals)
    joined = np.vstack(parts)
    time_s = np.arange(len(joined)) / rate_hz
    out = io.StringIO()
    out.write("time_s,acc_x,acc_y,acc_z,gyro_x,gyro_y,gyro_z\n")
    np.savetxt(out, np.column_stack([time_s, joined]), delimiter=",", fmt="%.5f")
    return out.getvalue().encode("utf-8")


def session_labels(copies: int) -> list[dict[str, Any]]:
    """True walking segments of a session of ``copies`` copies (the take's, shifted)."""
    segments = take_labels()["segments"]
    return [
        {**seg, "start_s": seg["start_s"] + offset, "end_s": seg["end_s"] + offset}
        for offset in session_offsets_s(copies)
        for seg in segments
    ]


def demo_profile(created_at: dt.datetime | None = None) -> DirectionProfile:
    """The demo person's direction calibration, made as ``retrowalk calibrate`` makes one.

    The week-1 walk is analysed without any calibration and its walking bouts
    are labelled :data:`CALIBRATION_LABELS` in time order.
    """
    from retrowalk.app.analyse import AnalysisRequest, analyse_file
    from retrowalk.app.calibration import profile_from_analysis

    analysis = analyse_file(
        take_path(), AnalysisRequest(placement=DEMO_PLACEMENT, use_stored_profiles=False)
    )
    return profile_from_analysis(
        analysis, labels=list(CALIBRATION_LABELS), created_at=created_at
    ).with_origin("demo calibration: the week-1 walk, labelled forward then backward")


def daily_life_profile(created_at: dt.datetime | None = None) -> DirectionProfile:
    """The daily-life example's direction calibration: its own walks, labelled forward.

    The recording is analysed without any calibration and every walking bout
    is labelled forward (the person walked forward only), as ``retrowalk
    calibrate FILE --labels forward,...`` makes one.
    """
    from retrowalk.app.analyse import AnalysisRequest, analyse_file
    from retrowalk.app.calibration import profile_from_analysis

    analysis = analyse_file(
        demo_recording_path(),
        AnalysisRequest(placement=DEMO_PLACEMENT, use_stored_profiles=False),
    )
    return profile_from_analysis(
        analysis, labels=["forward"] * len(analysis.bouts), created_at=created_at
    ).with_origin("demo calibration: this daily-life recording, its walks labelled forward")


def provenance(filename: str) -> str | None:
    """Where a demo recording comes from (shown beside it), or ``None`` for other files."""
    if filename in {s.file_name for s in DEMO_SESSIONS}:
        return PROVENANCE
    if filename == DEMO_FILE_NAME:
        return DAILY_LIFE_PROVENANCE
    return None


def provenance_notes(filenames: list[str]) -> list[str]:
    """The distinct provenance notes of the demo recordings among ``filenames``, in order."""
    notes: list[str] = []
    for name in filenames:
        note = provenance(name)
        if note is not None and note not in notes:
            notes.append(note)
    return notes
