"""Mechanics of direction changes (never accuracy): forward walks joined to their time reversal.

Each ipol-gait lower-back trial is cut to: quiet standing and the first leg,
then the return leg and the standing played backwards (no pause at the
junction). Through :func:`retrowalk.pipeline.analyze` the walk must come out as
two bouts of opposite direction (or both uncertain where no anchor applies),
split within 2 steps of the junction, each step in one bout, each bout counting
only its own steps. Time reversal is not backward walking; these figures test
splitting and bookkeeping only.
"""

from __future__ import annotations

import numpy as np

from _data import ipol_trial_ids
from realdata import ipol_lower_back_rows
from retrowalk.core.recording import Recording
from retrowalk.pipeline import AnalysisOptions, analyze


def mechanics() -> None:
    """Print how often the junction is split within 2 steps and the bookkeeping holds."""
    n = split_ok = labels_ok = books_ok = 0
    for tid in ipol_trial_ids():
        rec, ((a0, a1), (b0, b1)), _ = ipol_lower_back_rows(tid)
        acc = np.vstack([rec.acc_mps2[:a1], rec.acc_mps2[b0:b1][::-1], rec.acc_mps2[:a0][::-1]])
        gyro = np.vstack(
            [rec.gyro_rads[:a1], -rec.gyro_rads[b0:b1][::-1], -rec.gyro_rads[:a0][::-1]]
        )
        result = analyze(Recording(acc, gyro, 100.0), AnalysisOptions(placement="lower_back"))
        n += 1
        times = np.array([s.time_s for s in result.steps])
        junction = int(np.searchsorted(times, a1 / 100.0))
        starts = [int(np.searchsorted(times, b.start_s)) for b in result.bouts[1:]]
        split_ok += any(abs(k - junction) <= 2 for k in starts)
        dirs = [b.direction for b in result.bouts]
        labels_ok += dirs in (["forward", "backward"], ["uncertain", "uncertain"])
        own = [sum(s.bout == k for s in result.steps) for k in range(len(result.bouts))]
        books_ok += own == [b.n_steps for b in result.bouts] and len(set(times)) == times.size
    print("\n== MECHANICS (ipol lower back + its own time reversal; not accuracy)")
    print(f"trials {n}: split within 2 steps of the junction {split_ok}, bouts forward|backward")
    print(f"(or both uncertain) {labels_ok}, bout step counts = own steps {books_ok}")
