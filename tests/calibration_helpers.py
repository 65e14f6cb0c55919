"""A direction calibration for tests that need real walks called backward.

Time-reversed forward walks stand in for backward walking in the tests of
timing and coaching (mechanics, never accuracy). Without a calibration the
direction classifier need not commit on them; with a profile fitted on a
labelled stand-in walk (a trial followed by its own time reversal, labelled
forward then backward) they come out backward, as for a user who calibrated.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from realdata import ipol_lower_back_rows
from retrowalk.dsp.frame import body_frame
from retrowalk.gait.calibration import DirectionProfile, calibrate

CALIBRATED_AT = datetime(2024, 1, 1, tzinfo=UTC)


def stand_in_profile(trial: str = "3-1") -> DirectionProfile:
    """A lower-back profile from ipol-gait ``trial`` forward, then time-reversed."""
    rec, bouts, ic = ipol_lower_back_rows(trial)
    n = rec.n_samples
    back = rec.time_reversed()
    acc = np.vstack([rec.acc_mps2, back.acc_mps2])
    gyro = np.vstack([rec.gyro_rads, back.gyro_rads])
    frame = body_frame(acc, gyro, rec.sampling_rate_hz)
    rbouts = [(2 * n - 1 - b, 2 * n - 1 - a) for a, b in bouts][::-1]
    ric = np.sort(2 * n - 1 - ic)
    labels = ["forward"] * len(bouts) + ["backward"] * len(rbouts)
    return calibrate(
        frame,
        bouts + rbouts,
        np.r_[ic, ric],
        labels,
        placement="lower_back",
        created_at=CALIBRATED_AT,
    )
