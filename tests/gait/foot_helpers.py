"""ipol-gait foot recordings for the foot tests (through tests/realdata.py), and splices of them."""

from __future__ import annotations

import json
from functools import lru_cache

import numpy as np
import pandas as pd

from realdata import data_root
from retrowalk.core.recording import Recording
from retrowalk.dsp.rows import true_runs
from retrowalk.gait.foot import FootGaitAnalyzer


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


def _rest_runs(rec: Recording) -> list[tuple[int, int]]:
    fs = rec.sampling_rate_hz
    still = FootGaitAnalyzer().analyze(rec.acc_mps2, rec.gyro_rads, fs).stationary_
    starts, ends = true_runs(still)
    return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True) if b - a >= 5]


def _turned(acc: np.ndarray, gyro: np.ndarray, rest: slice) -> tuple[np.ndarray, np.ndarray]:
    """The signals as seen by the sensor turned 180 degrees about the vertical at ``rest``."""
    up = acc[rest].mean(axis=0)
    up /= np.linalg.norm(up)
    turn = 2.0 * np.outer(up, up) - np.eye(3)
    return acc @ turn.T, gyro @ turn.T


def forward_then_turned(trial: str, side: str) -> tuple[Recording, int, int]:
    """A real forward walk (both legs), then, without a pause, its first leg turned round.

    Returns the recording, the junction sample and the offset that maps a sample
    of the turned part back to the original recording.
    """
    rec, _, u0 = load_foot(trial, side)
    assert rec.gyro_rads is not None
    rests = _rest_runs(rec)
    # Forward part: up to the middle of the last rest before the final standing.
    last_walk = rests[-2]
    junction = (last_walk[0] + last_walk[1]) // 2
    # Turned part: the first leg, from just before its first stride to a stance
    # before the U-turn.
    first = rests[0]
    a = max(first[1] - 15, first[0])
    stance = [r for r in rests if r[1] <= u0][-1]
    b = (stance[0] + stance[1]) // 2
    acc_t, gyro_t = _turned(rec.acc_mps2[a:b], rec.gyro_rads[a:b], slice(0, first[1] - a))
    joined = Recording(
        acc_mps2=np.vstack([rec.acc_mps2[:junction], acc_t]),
        gyro_rads=np.vstack([rec.gyro_rads[:junction], gyro_t]),
        sampling_rate_hz=rec.sampling_rate_hz,
        placement="foot",
    )
    return joined, junction, a - junction
