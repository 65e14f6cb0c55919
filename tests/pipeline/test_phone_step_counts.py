"""Step counts of real phones against the counted truth (Oxford Step Counter data set)."""

from __future__ import annotations

import numpy as np

from realdata import phone_steps_recordings
from retrowalk.io import read_recording
from retrowalk.pipeline import AnalysisOptions, analyze


def _errors_pct(place_word: str) -> dict[str, float]:
    out = {}
    for folder, path, truth in phone_steps_recordings():
        if place_word not in folder.lower():
            continue
        analysis = analyze(read_recording(path), AnalysisOptions())
        steps = sum(b.n_steps for b in analysis.bouts)
        out[folder] = 100.0 * (steps - truth) / truth
    return out


def test_trouser_pocket_counts_within_three_percent() -> None:
    """12 pocket recordings of 3 people: mean absolute error <= 3 %, none beyond 5 %."""
    errors = _errors_pct("pocket")
    assert len(errors) >= 6
    assert float(np.mean(np.abs(list(errors.values())))) <= 3.0, errors
    assert all(abs(e) <= 5.0 for e in errors.values()), errors
