"""Axivity ``.cwa`` and ActiGraph ``.gt3x`` files through their maintained readers.

Both readers are optional (the ``wearables`` extra): ``actipy`` (needs Java) for
Axivity and ``pygt3x`` for ActiGraph. They are imported only when such a file is
read; without them the user is told how to install them.
"""

from __future__ import annotations

import importlib
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import numpy as np

from retrowalk.core.errors import InputError
from retrowalk.io.assemble import Block, Parsed

INSTALL_HINT = "pip install 'retrowalk[wearables]'"


def _require(module: str, path: Path, what: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise InputError(
            path, f"reading {what} files needs the optional package {module}: {INSTALL_HINT}"
        ) from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def read_cwa(path: Path) -> Parsed:
    """Parse an Axivity AX3/AX6 ``.cwa`` file with actipy (raw samples, no processing).

    Raises
    ------
    InputError
        When actipy (or Java) is missing or the file cannot be decoded.
    """
    actipy = _require("actipy", path, "Axivity .cwa")
    try:
        data, info = actipy.read_device(
            str(path), lowpass_hz=None, calibrate_gravity=False, detect_nonwear=False,
            resample_hz=None, verbose=False,
        )  # fmt: skip
    except FileNotFoundError as exc:
        raise InputError(path, f"the Axivity reader needs Java ({_first_line(exc)})") from None
    except Exception as exc:  # the reader runs Java; any failure means an unreadable file
        raise InputError(path, f"the Axivity reader failed: {_first_line(exc)}") from None
    if len(data) < 2:
        raise InputError(path, "the file holds no acceleration samples")
    ns = data.index.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    t = (ns - ns[0]).astype(np.float64) / 1e9
    streams = {"acc": np.ascontiguousarray(data[["x", "y", "z"]].to_numpy(dtype=np.float64))}
    gyro_cols = ["gyro_x", "gyro_y", "gyro_z"]
    if all(c in data.columns for c in gyro_cols):
        streams["gyro"] = np.ascontiguousarray(data[gyro_cols].to_numpy(dtype=np.float64))
    block = Block(
        t=t, streams=streams, display=str(path),
        time_field="time", rate_hz=_rate(info),
    )  # fmt: skip
    start = data.index[0].to_pydatetime()
    units = {"acc": ("g", "Axivity CWA: acceleration in g")}
    if "gyro" in streams:
        units["gyro"] = ("dps", "Axivity AX6 CWA: angular rate in deg/s")
    return Parsed(
        str(path), "axivity-cwa", [block], units, start, None,
        [f"read with actipy {getattr(actipy, '__version__', '')}".strip(),
         "start time is the device clock (local time, no time zone)"],
    )  # fmt: skip


def read_gt3x(path: Path) -> Parsed:
    """Parse an ActiGraph ``.gt3x`` file with pygt3x (calibrated acceleration in g).

    Raises
    ------
    InputError
        When pygt3x is missing or the file cannot be decoded.
    """
    _require("pygt3x", path, "ActiGraph .gt3x")
    reader_mod = _require("pygt3x.reader", path, "ActiGraph .gt3x")
    try:
        with reader_mod.FileReader(str(path)) as reader:
            df = reader.to_pandas()
            rate = float(getattr(reader.info, "sample_rate", 0) or 0) or None
    except Exception as exc:  # damaged archives surface as many exception types
        raise InputError(path, f"the ActiGraph reader failed: {_first_line(exc)}") from None
    if len(df) < 2:
        raise InputError(path, "the file holds no acceleration samples")
    ts = df.index.to_numpy(dtype=np.float64)
    start = datetime.fromtimestamp(float(ts[0]), tz=UTC).replace(tzinfo=None)
    block = Block(
        t=ts - ts[0],
        streams={"acc": np.ascontiguousarray(df[["X", "Y", "Z"]].to_numpy(dtype=np.float64))},
        display=str(path), time_field="Timestamp", rate_hz=rate,
    )  # fmt: skip
    return Parsed(
        str(path), "actigraph-gt3x", [block],
        {"acc": ("g", "ActiGraph GT3X: acceleration in g")}, start, None,
        ["read with pygt3x", "start time is the device clock (local time, no time zone)"],
    )  # fmt: skip


def _rate(info: dict) -> float | None:
    for key in ("SampleRate", "sample_rate", "ResampleRate"):
        value = info.get(key) if isinstance(info, dict) else None
        if isinstance(value, (int, float)) and value > 0:
            return float(value)
    return None
