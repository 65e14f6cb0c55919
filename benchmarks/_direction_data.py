"""Loaders of the real recordings the direction benchmark needs beyond ``_data.py``.

Read directly with pandas (the benchmark does not depend on the product's
readers): motion-capture virtual sensors with direction labels (mocap-backward),
real phones walking forward (phone-steps, headerless CSV
``timestamp_ns, accuracy, ax, ay, az``), and a phone held while jumping
(device-exports/phyphox). Layouts are described in the data folder's READMEs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from _data import data_root
from retrowalk.core.recording import Recording, UnitDecision

PHONE_RATE_HZ = 100.0
"""Phone recordings are resampled onto this uniform rate (linear interpolation)."""


@dataclass
class MocapTrial:
    """One mocap-backward trial: both virtual sensors and the labelled segments."""

    trial: str
    person: str
    pelvis: Recording
    thigh: Recording
    segments: list[dict[str, Any]]
    runs: list[dict[str, Any]]
    contacts_s: list[float]


def _mocap_recording(path: Path, placement: str) -> Recording:
    frame = pd.read_csv(path)
    acc = frame[["acc_x", "acc_y", "acc_z"]].to_numpy(np.float64)
    gyro = frame[["gyro_x", "gyro_y", "gyro_z"]].to_numpy(np.float64)
    return Recording(
        acc_mps2=acc,
        gyro_rads=gyro,
        sampling_rate_hz=100.0,
        path=str(path),
        format="mocap-csv",
        placement=placement,
        units={
            "acc": UnitDecision("mps2", "file", "mocap virtual sensor"),
            "gyro": UnitDecision("rads", "file", "mocap virtual sensor"),
        },
    )


def mocap_trials() -> list[MocapTrial]:
    """Every mocap-backward trial present (person = CMU subject number)."""
    folder = data_root() / "mocap-backward"
    out = []
    for meta_path in sorted(folder.glob("*.json")):
        info = json.loads(meta_path.read_text())
        trial = str(info["trial"])
        out.append(
            MocapTrial(
                trial=trial,
                person=trial.split("_")[0],
                pelvis=_mocap_recording(folder / f"{trial}_pelvis.csv", "lower_back"),
                thigh=_mocap_recording(folder / f"{trial}_thigh.csv", "pocket"),
                segments=list(info.get("segments", [])),
                runs=list(info.get("runs_raw", [])),
                contacts_s=sorted(t for f in info.get("foot_contacts_s", {}).values() for t in f),
            )
        )
    return out


@dataclass
class PhoneCase:
    """One phone-steps recording (forward walking only)."""

    name: str
    person: str
    position: str
    true_steps: int
    recording: Recording


def _uniform(t_s: np.ndarray, acc: np.ndarray, rate_hz: float) -> np.ndarray:
    keep = np.concatenate([[True], np.diff(t_s) > 0])
    t_s, acc = t_s[keep], acc[keep]
    grid = np.arange(t_s[0], t_s[-1], 1.0 / rate_hz)
    return np.column_stack([np.interp(grid, t_s, acc[:, k]) for k in range(3)])


def phone_cases() -> list[PhoneCase]:
    """All phone-steps recordings, resampled to :data:`PHONE_RATE_HZ`, no gyroscope."""
    folder = data_root() / "phone-steps"
    if not folder.is_dir():
        return []
    stats = pd.read_csv(folder / "stats.csv", skipinitialspace=True)
    stats.columns = [c.strip().lstrip("#") for c in stats.columns]
    out = []
    for row in stats.itertuples(index=False):
        name = str(row[0]).strip()
        path = folder / name / "accelerometer.csv"
        if not path.is_file():
            continue
        raw = pd.read_csv(path, header=None).to_numpy(np.float64)
        acc = _uniform((raw[:, 0] - raw[0, 0]) * 1e-9, raw[:, 2:5], PHONE_RATE_HZ)
        rec = Recording(
            acc_mps2=acc,
            gyro_rads=None,
            sampling_rate_hz=PHONE_RATE_HZ,
            path=str(path),
            format="phone-csv",
            units={"acc": UnitDecision("mps2", "file", "Android accelerometer")},
        )
        out.append(PhoneCase(name, str(row[1]).strip(), str(row[3]).strip(), int(row[6]), rec))
    return out


def jumping_recording() -> Recording | None:
    """The phyphox export of a phone held while jumping in place (not walking)."""
    folder = data_root() / "device-exports" / "phyphox"
    paths = sorted(folder.glob("*jumping*.csv"))
    if not paths:
        return None
    frame = pd.read_csv(paths[0])
    t = frame.iloc[:, 0].to_numpy(np.float64)
    acc = _uniform(t, frame.iloc[:, 1:4].to_numpy(np.float64), PHONE_RATE_HZ)
    return Recording(
        acc_mps2=acc,
        gyro_rads=None,
        sampling_rate_hz=PHONE_RATE_HZ,
        path=str(paths[0]),
        format="phyphox-csv",
        units={"acc": UnitDecision("mps2", "file", "phyphox export")},
    )


def handled_recordings() -> list[tuple[str, str, Recording]]:
    """Real phones walking forward, carried and handled: ``(person, group, recording)``.

    Every phone-steps recording (hand, pockets - one phone taken out at the end -
    purse, neck pouch, arm), the phyphox walks (hand, pockets) and the Sensor
    Logger walk (hand, with a gyroscope): analysed as if worn at the lower back,
    they are what the trunk-flexion anchor's checks must not turn into a call
    against the walk.
    """
    from retrowalk.io import read_recording

    out = [(c.person, "phone-steps", c.recording) for c in phone_cases()]
    root = data_root() / "device-exports"
    for path in sorted((root / "phyphox").glob("phyphox390_walking_*.csv")):
        out.append((path.stem.rsplit("_", 1)[1], "phyphox", read_recording(path)))
    logger = root / "sensor-logger" / "ronin_shopping_mall_eight"
    if logger.is_dir():
        out.append(("sensor-logger", "Sensor Logger+gyro", read_recording(logger)))
    return out
