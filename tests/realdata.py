"""The one reader of the shared real recordings (``../shared/data``) for tests and benchmarks.

Every test and benchmark that needs a real recording asks this module; no other
file names the folder. ``RETROWALK_DATA`` overrides where it is.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def data_root() -> Path:
    """The shared real-data folder: ``$RETROWALK_DATA`` or ``<repo>/../shared/data``."""
    env = os.environ.get("RETROWALK_DATA")
    if env:
        return Path(env).resolve()
    return (Path(__file__).resolve().parents[1].parent / "shared" / "data").resolve()


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
