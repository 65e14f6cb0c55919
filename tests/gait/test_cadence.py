"""One definition of a bout's cadence: its steps over the time they take."""

from __future__ import annotations

import numpy as np

from realdata import device_export, phone_steps_recordings
from retrowalk.gait.bouts import bout_cadence_spm
from retrowalk.io import read_recording
from retrowalk.pipeline import AnalysisOptions, analyze
from retrowalk.pipeline.trunk import STEP_MAX_S
from retrowalk.summary.totals import mean_cadence_spm


def test_alternating_step_times_give_steps_over_time() -> None:
    """A limp (0.5 s and 0.75 s alternating): 120 steps/min of the mean, not a median."""
    step_s = np.tile([0.5, 0.75], 20)
    assert bout_cadence_spm(step_s) == 60.0 * 40 / 25.0


def test_pauses_are_neither_steps_nor_walking_time() -> None:
    step_s = np.array([0.5, 0.5, 1.9, 0.5, 0.5])
    assert bout_cadence_spm(step_s, max_step_s=1.5) == 120.0
    assert bout_cadence_spm(np.zeros(0)) == 0.0
    assert bout_cadence_spm(np.array([1.9])) == 0.0


def test_pocket_cadence_agrees_with_steps_and_time() -> None:
    """Real phones in a trouser pocket (alternating step times): cadence = steps / time."""
    rows = [r for r in phone_steps_recordings() if "pocket" in r[0].lower()][:4]
    assert rows
    for folder, path, _ in rows:
        analysis = analyze(read_recording(path), AnalysisOptions())
        assert analysis.bouts, folder
        times = np.array([s.time_s for s in analysis.steps])
        owner = np.array([s.bout for s in analysis.steps])
        for k, bout in enumerate(analysis.bouts):
            step_s = np.diff(times[owner == k])
            walking = step_s <= STEP_MAX_S
            expected = 60.0 * walking.sum() / step_s[walking].sum()
            assert abs(bout.cadence_spm - expected) < 1e-6 * expected, (folder, k)
            if walking.all():  # no pause: the plain steps over bout duration
                plain = 60.0 * (bout.n_steps - 1) / bout.duration_s
                assert abs(bout.cadence_spm - plain) < 1e-6 * plain, (folder, k)
        total_steps = sum(b.n_steps - 1 for b in analysis.bouts)
        total_s = sum(b.duration_s for b in analysis.bouts)
        mean = mean_cadence_spm(analysis.bouts)
        assert mean is not None
        assert abs(mean - 60.0 * total_steps / total_s) <= 0.02 * mean, folder


def test_front_pocket_walk_cadence_is_its_steps_over_its_time() -> None:
    """A minute's walk with a phone in the front pocket (phyphox export, step times alternate).

    The bout, the session average and the steps all say the same: one step
    interval less than the steps, over the bout's duration (a median of the
    alternating step times would say about 90/min here, steps over time 96/min).
    """
    path = device_export("phyphox", "phyphox390_walking_front_pocket_brant.csv")
    analysis = analyze(read_recording(path), AnalysisOptions())
    assert analysis.placement == "pocket"
    assert len(analysis.bouts) == 1
    bout = analysis.bouts[0]
    times = np.array([s.time_s for s in analysis.steps if s.bout == 0])
    assert times.size == bout.n_steps >= 80
    assert np.diff(times).max() <= STEP_MAX_S  # no pause: steps over time is the whole story
    plain = 60.0 * (bout.n_steps - 1) / (times[-1] - times[0])
    assert abs(bout.cadence_spm - plain) <= 1e-6 * plain
    assert abs(bout.cadence_spm - 60.0 / float(np.median(np.diff(times)))) > 2.0  # they alternate
    mean = mean_cadence_spm(analysis.bouts)
    assert mean is not None and abs(mean - plain) <= 1e-6 * plain
