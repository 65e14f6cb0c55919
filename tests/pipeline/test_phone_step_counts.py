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


def test_trouser_pocket_counts_near_the_truth() -> None:
    """6 back and 6 front pocket recordings of 3 people: mean absolute error <= 3 % each.

    Today 2.4 % (back) and 1.9 % (front): peaks of putting the phone into the
    pocket and taking it out, far weaker than the walk's steps, are dropped at
    the walk's ends (WeakEdgeFilter, chosen leave-one-subject-out); 3.4 %
    together without that rule. Smoother contact settings would count these
    long walks better still but lose steps of short and backward walks at the
    thigh (``benchmarks/accuracy_loso.py``), so the pin is on what is shipped.
    """
    errors = _errors_pct("pocket")
    assert len(errors) >= 12
    for place in ("backpocket", "frontpocket"):
        mine = [e for folder, e in errors.items() if place in folder.lower()]
        assert len(mine) >= 6, place
        assert float(np.mean(np.abs(mine))) <= 3.0, (place, errors)
    assert all(abs(e) <= 7.0 for e in errors.values()), errors


def test_other_places_count_within_five_percent_on_average() -> None:
    """Hand, arm band, neck pouch, purse: placement refused, steps still counted within 5 %."""
    for place in ("inhand", "armband", "neckpouch", "purse"):
        errors = _errors_pct(place)
        assert errors, place
        assert float(np.mean(np.abs(list(errors.values())))) <= 5.0, (place, errors)
