"""Helpers of the coaching web and browser tests (the browser fixtures are in browser_helpers)."""

from __future__ import annotations

from pathlib import Path

import pytest
from webtest_helpers import csrf

from realdata import data_root


def post_form(client, url: str, data: dict, page: str = "/people"):  # type: ignore[no-untyped-def]
    """POST a page form with the session's CSRF token (follows the redirect)."""
    return client.post(url, data={"csrf_token": csrf(client, page), **data})


IPOL = data_root() / "ipol-gait"


def backward_walk_csv(folder: Path, trial: str = "4-1", start_epoch_s: float | None = None) -> Path:
    """A real lower-back walk played backwards in time (the stand-in for backward walking
    described in the data folder's README), written as a plain CSV in m/s^2 and deg/s.

    With ``start_epoch_s`` its time column is Unix time from then (the file holds its
    date); else seconds from 0 (it holds none)."""
    import numpy as np

    from retrowalk.io import read_recording

    source = IPOL / f"{trial}_lb.txt"
    if not source.is_file():
        pytest.skip(f"real recordings not found at {IPOL}")
    rec = read_recording(source, placement="lower_back").time_reversed()
    n = rec.acc_mps2.shape[0]
    t = np.arange(n) / rec.sampling_rate_hz + (start_epoch_s or 0.0)
    gyro = np.degrees(rec.gyro_rads)
    table = np.column_stack([t, rec.acc_mps2, gyro])
    path = folder / f"ipol-{trial}-reversed{'-dated' if start_epoch_s else ''}.csv"
    header = "time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z"
    np.savetxt(path, table, delimiter=",", header=header, comments="", fmt="%.6f")
    return path
