"""The one reader of the shared real recordings (``../shared/data``) for tests and benchmarks.

Every test and benchmark that needs a real recording asks this module; no other
file names the folder. ``RETROWALK_DATA`` overrides where it is.

Stable interface (``benchmarks/_data.py`` re-exports it for the benchmarks):

- :func:`data_root` -> ``Path`` of the shared data folder; :func:`require` ->
  a path inside it, or the test is skipped with the reason.
- :func:`ipol_trial_ids` -> ``["1-1", "1-2", ...]`` sorted by subject then trial.
- :func:`load_ipol_trial` -> ``(Recording, meta)`` for one sensor of one ipol-gait trial.
- :func:`ipol_lower_back_rows` -> ``(Recording, bouts, ic)``: the lower-back file
  row by row with the reference straight walks and contacts.
- :func:`mobgap_names` -> ``["HA_001_Test11_Trial1", ...]``.
- :func:`load_mobgap` -> ``(Recording, meta)`` for one mobgap-lab recording.
- :func:`ipol_lower_back_moved` -> ``(acc, gyro)``: an ipol-gait lower back's
  signals as a device elsewhere on the pelvis would read them (rigid-body
  mechanics: a stand-in for mechanics, never for accuracy).

The reference files are read directly with pandas so the references do not
depend on the product's readers; the folder's README describes the layouts.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from retrowalk.core.recording import Gap, Recording, UnitDecision

IPOL_RATE_HZ = 100.0
MOBGAP_RATE_HZ = 100.0
MAX_BRIDGED_PACKETS = 25  # lost-packet runs up to 0.25 s are interpolated, longer ones are gaps
_PLACEMENT = {"lb": "lower_back", "lf": "foot", "rf": "foot"}


def data_root() -> Path:
    """The shared real-data folder: ``$RETROWALK_DATA`` or ``<repo>/../shared/data``."""
    env = os.environ.get("RETROWALK_DATA")
    if env:
        return Path(env).resolve()
    return (Path(__file__).resolve().parents[1].parent / "shared" / "data").resolve()


def require(*parts: str) -> Path:
    """``data_root() / parts``; skips the calling test when it is absent."""
    path = data_root().joinpath(*parts)
    if not path.exists():
        import pytest  # only tests call this; benchmarks import the module without pytest

        pytest.skip(f"real recordings not found at {path}")
    return path


def snapshot_cases() -> list[tuple[str, Path, dict[str, Any]]]:
    """Every real recording with the reader options it needs: ``(name, path, read_kw)``."""
    root = data_root()
    if not root.is_dir():
        return []
    cases: list[tuple[str, Path, dict[str, Any]]] = []

    def add(path: Path, **kw: Any) -> None:
        rel = path.relative_to(root)
        cases.append((str(rel).replace(os.sep, "/"), path, kw))

    for p in sorted((root / "ipol-gait").glob("*.txt")):
        add(p)
    for p in sorted((root / "mobgap-lab").glob("*.csv")):
        add(p)
    mocap = {"acc_unit": "mps2", "gyro_unit": "rads"}
    for p in sorted((root / "mocap-backward").glob("*_pelvis.csv")):
        add(p, placement="lower_back", **mocap)
    for p in sorted((root / "mocap-backward").glob("*_thigh.csv")):
        add(p, placement="pocket", **mocap)
    for p in sorted((root / "phone-steps").glob("*/accelerometer.csv")):
        add(p)
    exports = root / "device-exports"
    for pattern in ("phyphox/*.csv", "generic-csv/*.csv", "cwa/*.cwa", "gt3x/*"):
        for p in sorted(exports.glob(pattern)):
            add(p)
    logger = exports / "sensor-logger"
    for p in sorted(logger.iterdir()) if logger.is_dir() else []:
        add(p)
    for p in sorted((root / "video").glob("*.mp4")):
        add(p)
    return cases


def ipol_dir() -> Path:
    return data_root() / "ipol-gait"


def mobgap_dir() -> Path:
    return data_root() / "mobgap-lab"


def ipol_file(trial_id: str) -> Path:
    """The Xsens text file of one ipol-gait trial (``"1-1_lb"``); skips when absent."""
    return require("ipol-gait", f"{trial_id}.txt")


def _trial_key(trial_id: str) -> tuple[int, int]:
    subject, trial = trial_id.split("-")
    return int(subject), int(trial)


def ipol_trial_ids() -> list[str]:
    """All ipol-gait trial ids present (``"subject-trial"``), sorted numerically."""
    folder = ipol_dir()
    if not folder.is_dir():
        return []
    ids = [p.stem for p in folder.glob("*-*.json")]
    return sorted(ids, key=_trial_key)


def _ipol_events(events: list[list[int]], lo: int, hi: int) -> np.ndarray:
    """Initial contacts (second number of each pair) inside ``[lo, hi]``."""
    ics = np.array([pair[1] for pair in events if len(pair) >= 2], dtype=np.int64)
    return np.sort(ics[(ics >= lo) & (ics <= hi)])


@lru_cache(maxsize=512)
def _read_xsens(path: str) -> tuple[np.ndarray, np.ndarray, tuple[tuple[int, int], ...]]:
    """Acc, gyro on the PacketCounter time base, and the lost-packet runs.

    The Xsens exports have lost packets (rows missing, up to 0.65 s); the
    reference events of ipol-gait are indices on the PacketCounter time base,
    not row numbers. Samples are therefore placed at their counter value and
    lost packets are filled by linear interpolation. Runs longer than
    :data:`MAX_BRIDGED_PACKETS` are also returned so they can be declared gaps.
    """
    frame = pd.read_csv(path, sep="\t", skiprows=1)
    frame.columns = [c.strip() for c in frame.columns]
    counter = frame["PacketCounter"].to_numpy(dtype=np.float64).astype(np.int64)
    keep = np.concatenate([[True], np.diff(counter) > 0])  # drop repeated/backward counters
    counter = counter[keep]
    raw = frame[["Acc_X", "Acc_Y", "Acc_Z", "Gyr_X", "Gyr_Y", "Gyr_Z"]].to_numpy(np.float64)[keep]
    grid = np.arange(int(counter[-1]) + 1)
    data = np.column_stack([np.interp(grid, counter, raw[:, k]) for k in range(6)])
    steps = np.diff(counter)
    long_runs = tuple(
        (int(counter[k]) + 1, int(counter[k + 1]))
        for k in np.flatnonzero(steps > MAX_BRIDGED_PACKETS + 1)
    )
    acc, gyro = data[:, :3].copy(), data[:, 3:].copy()
    acc.setflags(write=False)
    gyro.setflags(write=False)
    return acc, gyro, long_runs


def load_ipol_trial(
    trial_id: str, sensor: Literal["lb", "lf", "rf"] = "lb"
) -> tuple[Recording, dict[str, Any]]:
    """One sensor of one ipol-gait trial.

    Samples are placed on the sensor's PacketCounter time base (the reference
    events are indices on it); lost packets are interpolated, and runs longer
    than 0.25 s are declared :class:`~retrowalk.core.recording.Gap`.

    Returns
    -------
    recording
        100 Hz, acc in m/s^2 with gravity, gyro in rad/s, placement
        ``lower_back`` (``lb``) or ``foot`` (``lf``/``rf``).
    meta
        ``subject``, ``trial``, ``height_m`` (``None`` when missing), ``weight_kg``,
        ``age``, ``trial_boundaries`` (start, end samples), ``uturn_boundaries``,
        ``left_ic`` / ``right_ic`` (initial-contact samples inside the trial
        boundaries and the recording), ``ic`` (both merged, sorted),
        ``left_events`` / ``right_events`` (raw [toe-off, heel-strike] pairs),
        ``sensor``, ``path``.
    """
    folder = ipol_dir()
    with open(folder / f"{trial_id}.json") as fh:
        info = json.load(fh)
    path = folder / f"{trial_id}_{sensor}.txt"
    acc, gyro, lost = _read_xsens(str(path))
    n = acc.shape[0]
    lo, hi = (int(v) for v in info["TrialBoundaries"])
    hi_valid = min(hi, n - 1)
    left = _ipol_events(info.get("LeftFootEvents", []), lo, hi_valid)
    right = _ipol_events(info.get("RightFootEvents", []), lo, hi_valid)
    height_cm = info.get("Height")
    meta: dict[str, Any] = {
        "subject": int(info["Subject"]),
        "trial": int(info["Trial"]),
        "height_m": float(height_cm) / 100.0 if height_cm else None,
        "weight_kg": info.get("Weight"),
        "age": info.get("Age"),
        "trial_boundaries": (lo, hi),
        "uturn_boundaries": tuple(int(v) for v in info.get("UTurnBoundaries", (0, 0))),
        "left_ic": left,
        "right_ic": right,
        "ic": np.sort(np.concatenate([left, right])),
        "left_events": info.get("LeftFootEvents", []),
        "right_events": info.get("RightFootEvents", []),
        "sensor": sensor,
        "path": str(path),
        "lost_packet_runs": lost,
    }
    recording = Recording(
        acc_mps2=acc.copy(),
        gyro_rads=gyro.copy(),
        sampling_rate_hz=IPOL_RATE_HZ,
        path=str(path),
        format="xsens-txt",
        placement=_PLACEMENT[sensor],
        gaps=tuple(Gap(a / IPOL_RATE_HZ, b / IPOL_RATE_HZ) for a, b in lost),
        notes=("placed on the Xsens PacketCounter time base; lost packets interpolated",),
        units={
            "acc": UnitDecision("mps2", "file", "Xsens export"),
            "gyro": UnitDecision("rads", "file", "Xsens export"),
        },
    )
    return recording, meta


def mobgap_names() -> list[str]:
    """Stems of the mobgap-lab recordings present (e.g. ``HA_001_Test11_Trial1``)."""
    folder = mobgap_dir()
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.csv"))


def load_mobgap(name: str) -> tuple[Recording, dict[str, Any]]:
    """One mobgap-lab recording (lower back) with its INDIP reference.

    Returns
    -------
    recording
        100 Hz, acc m/s^2 with gravity, gyro converted from deg/s to rad/s,
        placement ``lower_back``.
    meta
        ``participant`` (dict), ``height_m``, ``sensor_height_m``,
        ``walking_bouts`` (list of dicts: start, end samples, avg_walking_speed_mps,
        avg_stride_length_m, ...), ``ic`` (all reference initial-contact samples,
        sorted), ``initial_contacts`` (raw list), ``test`` (e.g. ``"Test11"``), ``path``.
    """
    folder = mobgap_dir()
    path = folder / f"{name}.csv"
    frame = pd.read_csv(path)
    acc = frame[["acc_x", "acc_y", "acc_z"]].to_numpy(dtype=np.float64)
    gyro = np.deg2rad(frame[["gyr_x", "gyr_y", "gyr_z"]].to_numpy(dtype=np.float64))
    with open(folder / f"{name}.json") as fh:
        info = json.load(fh)
    participant = info.get("participant", {})
    ics = info.get("initial_contacts", []) or []
    meta: dict[str, Any] = {
        "participant": participant,
        "height_m": participant.get("height_m"),
        "sensor_height_m": participant.get("sensor_height_m"),
        "walking_bouts": info.get("walking_bouts", []) or [],
        "initial_contacts": ics,
        "ic": np.sort(np.array([int(c["ic"]) for c in ics], dtype=np.int64)),
        "test": name.split("_")[2],
        "path": str(path),
    }
    recording = Recording(
        acc_mps2=acc,
        gyro_rads=gyro,
        sampling_rate_hz=float(info.get("sampling_rate_hz", MOBGAP_RATE_HZ)),
        path=str(path),
        format="mobgap-csv",
        placement="lower_back",
        units={
            "acc": UnitDecision("mps2", "file", "mobgap-lab export"),
            "gyro": UnitDecision("rads", "file", "converted from deg/s"),
        },
    )
    return recording, meta


def ipol_lower_back_rows(trial_id: str) -> tuple[Recording, list[tuple[int, int]], np.ndarray]:
    """The lower-back file of an ipol-gait trial row by row, with its straight walks.

    Unlike :func:`load_ipol_trial` the rows are not placed on the PacketCounter
    time base (the direction tests were pinned on the rows as they are).

    Returns
    -------
    recording
        100 Hz, acc m/s^2, gyro rad/s, no placement.
    bouts
        ``[(start, u-turn start), (u-turn end, end)]`` samples: the two straight walks.
    ic
        Reference initial contacts of both feet inside the trial, sorted.
    """
    folder = require("ipol-gait")
    path = folder / f"{trial_id}_lb.txt"
    if not path.is_file():
        import pytest

        pytest.skip(f"real recording not found: {path}")
    df = pd.read_csv(path, sep="\t", skiprows=1)
    df.columns = [c.strip() for c in df.columns]
    acc = df[["Acc_X", "Acc_Y", "Acc_Z"]].to_numpy(float)
    gyro = df[["Gyr_X", "Gyr_Y", "Gyr_Z"]].to_numpy(float)
    meta = json.loads((folder / f"{trial_id}.json").read_text())
    lo, hi = meta["TrialBoundaries"]
    u0, u1 = meta["UTurnBoundaries"]
    hi = min(hi, len(acc) - 1)
    ic = [e[1] for e in meta["LeftFootEvents"] + meta["RightFootEvents"]]
    ic_sorted = np.sort([i for i in ic if lo <= i <= hi])
    return Recording(acc, gyro, 100.0), [(lo, u0), (u1, hi)], ic_sorted


#: Places on the pelvis of :func:`ipol_lower_back_moved`: the offset from the lower-back
#: sensor (m, its axes: X up, Y left, Z backward) and the device's turn about the vertical
#: there (its face outwards). The right hip 17 cm to the side: 10 cm in front of the
#: sensor is about the pelvis's turning axis (a lower-back sensor's turn lever arms are
#: 6-35 cm, median 12 cm); the front of the waist 25 cm in front of the sensor.
PELVIS_PLACES: dict[str, tuple[tuple[float, float, float], float]] = {
    "right hip, on the turning axis": ((0.0, -0.17, -0.10), 90.0),
    "right hip, 3 cm in front of it": ((0.0, -0.17, -0.13), 90.0),
    "front of the waist": ((0.0, 0.0, -0.25), 180.0),
}


def ipol_lower_back_moved(
    rec: Recording, offset_m: tuple[float, float, float], turn_deg: float
) -> tuple[np.ndarray, np.ndarray]:
    """An ipol-gait lower-back recording's acceleration and angular rate as a device at
    ``offset_m`` from the sensor on the same (rigid) pelvis, turned by ``turn_deg`` about
    the vertical, would read them.

    The point's acceleration is the sensor's plus ``dw/dt x r + w x (w x r)``
    (``w`` the recorded angular rate, 15-Hz low-pass, ``dw/dt`` its central
    differences); the angular rate is the same on a rigid body. A pelvis is
    not quite rigid and a device on the hip moves on the skin, so this tests
    mechanics (a lever arm that lies across the walking travel), never accuracy.
    """
    from scipy.signal import butter, sosfiltfilt

    fs = rec.sampling_rate_hz
    assert rec.gyro_rads is not None
    w = sosfiltfilt(butter(4, 15.0, fs=fs, output="sos"), rec.gyro_rads, axis=0)
    alpha = np.gradient(w, 1.0 / fs, axis=0)
    r = np.asarray(offset_m, dtype=np.float64)
    acc = rec.acc_mps2 + np.cross(alpha, r) + np.cross(w, np.cross(w, r))
    c, s = np.cos(np.radians(turn_deg)), np.sin(np.radians(turn_deg))
    turn = np.array([[1.0, 0.0, 0.0], [0.0, c, s], [0.0, -s, c]])  # about X, the vertical
    return acc @ turn.T, rec.gyro_rads @ turn.T


def video_clip(name: str = "sports2d-demo.mp4") -> Path:
    """A real video of the shared data (``video/<name>``); skips the calling test when absent.

    The Sports2D demo (BSD-3-Clause) is an outdoor side view of a woman walking
    forward from right to left, with three other people in view.
    """
    return require("video", name)


def device_export(*parts: str) -> Path:
    """A file of the real device exports (``device-exports/<parts>``); skips when absent."""
    return require("device-exports", *parts)


def phone_steps_recordings() -> list[tuple[str, Path, int]]:
    """``(folder, accelerometer.csv, true steps)`` of every phone-steps recording (or skip)."""
    stats = require("phone-steps", "stats.csv")
    out: list[tuple[str, Path, int]] = []
    for line in stats.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cells = [c.strip() for c in line.split(",")]
        path = stats.parent / cells[0] / "accelerometer.csv"
        if path.is_file():
            out.append((cells[0], path, int(cells[6])))
    return out
