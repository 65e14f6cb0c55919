"""ipol-gait foot recordings for the foot direction tests (through tests/realdata.py)."""

from __future__ import annotations

import json
from functools import lru_cache

import numpy as np
import pandas as pd

from realdata import data_root
from retrowalk.core.recording import Recording


@lru_cache(maxsize=8)
def load_foot(trial: str, side: str) -> tuple[Recording, int, int]:
    """Recording on the packet-counter grid, trial start and U-turn start samples."""
    folder = data_root() / "ipol-gait"
    frame = pd.read_csv(folder / f"{trial}_{side}.txt", sep="\t", skiprows=1)
    counter = frame["PacketCounter"].to_numpy(dtype=np.int64)
    keep = np.concatenate([[True], np.diff(counter) > 0])
    frame, counter = frame[keep], counter[keep]
    grid = np.arange(counter[-1] + 1)

    def cols(names: list[str]) -> np.ndarray:
        return np.column_stack([np.interp(grid, counter, frame[c].to_numpy(float)) for c in names])

    rec = Recording(
        acc_mps2=cols(["Acc_X", "Acc_Y", "Acc_Z"]),
        gyro_rads=cols(["Gyr_X", "Gyr_Y", "Gyr_Z"]),
        sampling_rate_hz=100.0,
        placement="foot",
    )
    info = json.loads((folder / f"{trial}.json").read_text())
    lo = int(info["TrialBoundaries"][0])
    u0 = int(info["UTurnBoundaries"][0])
    return rec, lo, u0
