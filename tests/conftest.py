"""Shared fixtures: where the real recordings live."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbtest_helpers import migrated_templates  # noqa: F401
from realdata import data_root

SHARED_DATA = data_root()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``slow`` first, in their usual order, then the rest.

    With ``-n 2`` the long tests then start early and the short ones fill the
    gaps, so that both test processes finish at about the same time.
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real recordings with references (:func:`realdata.data_root`)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real recordings not found at {SHARED_DATA}")
    return SHARED_DATA


# --- hand-built analyses (session summary and report tests) -----------------------------


def build_analysis(segments, *, weight_kg=70.0, lead_s=5.0, jitter=0.02, sides=False, seed=0):
    """An Analysis from ``(direction, duration_s, pause_after_s, cadence_spm, speed_mps)``.

    Steps are regular at the cadence with a little timing jitter; energy is filled
    with the energy model. Mechanics only: no signal processing is involved.
    """
    import numpy as np

    from retrowalk.core.recording import Recording
    from retrowalk.core.results import Analysis, Bout, Step
    from retrowalk.summary import energy

    rng = np.random.default_rng(seed)
    bouts, steps, t = [], [], lead_s
    for i, (direction, duration, pause, cadence, speed) in enumerate(segments):
        n = max(int(duration * cadence / 60.0), 3)
        times = t + np.arange(n) * 60.0 / cadence + rng.normal(0, jitter, n)
        times[0] = t
        for k, ts in enumerate(times):
            side = ("left" if k % 2 == 0 else "right") if sides else None
            steps.append(Step(float(ts), i, direction, side=side))
        end = float(times[-1])
        step_len = None if speed is None else speed * 60.0 / cadence
        dist = None if speed is None else speed * (end - t)
        bouts.append(Bout(t, end, direction, 0.9, n, cadence, speed, dist, step_len))
        t = end + pause
    fs = 10.0
    rec = Recording(np.zeros((int((t + lead_s) * fs), 3)), None, fs, path="synthetic.csv")
    energy.fill_bout_energy(bouts, weight_kg)
    assumptions = {
        "height_m": 1.70,
        "height_source": "default",
        "weight_kg": weight_kg,
        "weight_source": "given",
        "age_years": None,
    }
    return Analysis(rec, "lower_back", 1.0, assumptions, bouts, steps)


@pytest.fixture
def make_analysis():
    """Factory: ``make_analysis(segments, **kw)``, see :func:`build_analysis`."""
    return build_analysis


@pytest.fixture
def interval_analysis():
    """6 x 1 min backward / 1 min forward, then one bout of uncertain direction."""
    segments = []
    for _ in range(6):
        segments.append(("backward", 60.0, 4.0, 100.0, 0.55))
        segments.append(("forward", 60.0, 4.0, 110.0, 1.30))
    segments.append(("uncertain", 20.0, 0.0, 105.0, None))
    return build_analysis(segments, weight_kg=80.0)


@pytest.fixture
def mobgap_reference_analysis(shared_data):
    """MS_001 Test11 (real, lower back) with the INDIP reference bouts and contacts as
    the Analysis; directions alternate backward/forward as a stand-in (no labels exist)."""
    import json

    import numpy as np
    import pandas as pd

    from retrowalk.core.recording import Recording
    from retrowalk.core.results import Analysis, Bout, Step
    from retrowalk.summary import energy

    stem = shared_data / "mobgap-lab" / "MS_001_Test11_Trial1"
    ref = json.loads(stem.with_suffix(".json").read_text())
    data = pd.read_csv(stem.with_suffix(".csv"))
    acc = data[["acc_x", "acc_y", "acc_z"]].to_numpy()
    gyro = np.deg2rad(data[["gyr_x", "gyr_y", "gyr_z"]].to_numpy())
    fs = float(ref["sampling_rate_hz"])
    rec = Recording(acc, gyro, fs, path=str(stem.with_suffix(".csv")), format="mobgap-csv")
    bouts, steps = [], []
    for i, wb in enumerate(ref["walking_bouts"]):
        direction = "backward" if i % 2 == 0 else "forward"
        ics = [c for c in ref["initial_contacts"] if c["wb_id"] == wb["wb_id"]]
        for c in ics:
            steps.append(Step(c["ic"] / fs, i, direction, side=c["lr_label"]))
        speed = wb["avg_walking_speed_mps"]
        bouts.append(
            Bout(
                wb["start"] / fs,
                wb["end"] / fs,
                direction,
                0.8,
                len(ics),
                wb["avg_cadence_spm"],
                speed,
                wb["length_m"],
                wb["avg_stride_length_m"] / 2,
            )
        )
    weight = float(ref["participant"]["weight_kg"])
    energy.fill_bout_energy(bouts, weight)
    assumptions = {
        "height_m": ref["participant"]["height_m"],
        "height_source": "given",
        "weight_kg": weight,
        "weight_source": "given",
        "age_years": None,
    }
    return Analysis(rec, "lower_back", 1.0, assumptions, bouts, steps)
