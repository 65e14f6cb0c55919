"""Tidy tables from an Analysis: one row per recording, per bout and per step.

Used by batch processing and exports; column names carry their units. The
per-recording totals and backward averages come from the same functions as the
JSON and the report (:mod:`retrowalk.summary.contract`,
:mod:`retrowalk.summary.progress`), so a table never disagrees with them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from retrowalk.core.results import Analysis
from retrowalk.summary.contract import to_dict
from retrowalk.summary.progress import backward_figures

RECORDING_COLUMNS = [
    "recording_id",
    "path",
    "format",
    "sampling_rate_hz",
    "duration_s",
    "placement",
    "n_bouts",
    "forward_steps",
    "forward_duration_s",
    "forward_distance_m",
    "backward_steps",
    "backward_duration_s",
    "backward_distance_m",
    "uncertain_steps",
    "backward_speed_mps",
    "backward_cadence_spm",
    "backward_step_time_cv_pct",
    "energy_kcal",
    "height_m",
    "weight_kg",
    "analysis_version",
]
BOUT_COLUMNS = [
    "recording_id",
    "bout",
    "start_s",
    "end_s",
    "direction",
    "direction_confidence",
    "n_steps",
    "cadence_spm",
    "speed_mps",
    "distance_m",
    "step_length_m",
    "energy_kcal",
]
STEP_COLUMNS = ["recording_id", "bout", "time_s", "direction", "inferred"]


def analysis_tables(
    analysis: Analysis, recording_id: str, extra: dict[str, Any] | None = None
) -> dict[str, pd.DataFrame]:
    """Three tidy DataFrames (``recordings``, ``bouts``, ``steps``) for one analysis.

    Parameters
    ----------
    analysis
        The analysis to flatten.
    recording_id
        A stable identifier (e.g. the content hash) repeated in every row.
    extra
        Further per-recording columns (e.g. a person id from a manifest).
    """
    data = to_dict(analysis, session=False)  # the whole session block is not tabulated
    summary = data["summary"]
    backward = backward_figures(analysis.bouts, analysis.steps)
    row: dict[str, Any] = {
        "recording_id": recording_id,
        "path": data["recording"]["path"],
        "format": data["recording"]["format"],
        "sampling_rate_hz": data["recording"]["sampling_rate_hz"],
        "duration_s": data["recording"]["duration_s"],
        "placement": data["recording"]["placement"],
        "n_bouts": len(data["bouts"]),
        "forward_steps": summary["forward"]["steps"],
        "forward_duration_s": summary["forward"]["duration_s"],
        "forward_distance_m": summary["forward"]["distance_m"],
        "backward_steps": summary["backward"]["steps"],
        "backward_duration_s": summary["backward"]["duration_s"],
        "backward_distance_m": summary["backward"]["distance_m"],
        "uncertain_steps": summary.get("uncertain", {}).get("steps", 0),
        "backward_speed_mps": backward.backward_speed_mps,
        "backward_cadence_spm": backward.backward_cadence_spm,
        "backward_step_time_cv_pct": backward.backward_step_time_cv_pct,
        "energy_kcal": summary["energy_kcal"],
        "height_m": data["assumptions"]["height_m"],
        "weight_kg": data["assumptions"]["weight_kg"],
        "analysis_version": data["analysis_version"],
    }
    row.update(extra or {})
    bouts = data["bouts"]
    bout_columns: dict[str, Any] = {
        "recording_id": [recording_id] * len(bouts),
        "bout": np.arange(len(bouts), dtype=np.int64),
    }
    for name in BOUT_COLUMNS[2:]:
        values = [b.get(name) for b in bouts]
        if name == "direction":
            bout_columns[name] = values
        elif name == "n_steps":
            bout_columns[name] = np.asarray(values, dtype=np.int64)
        else:  # None (not measured) becomes NaN
            bout_columns[name] = np.array([np.nan if v is None else v for v in values], float)
    steps = data["steps"]
    step_columns = {
        "recording_id": [recording_id] * len(steps),
        "bout": np.fromiter((s["bout"] for s in steps), np.int64, len(steps)),
        "time_s": np.fromiter((s["time_s"] for s in steps), np.float64, len(steps)),
        "direction": [s["direction"] for s in steps],
        "inferred": np.fromiter((bool(s.get("inferred")) for s in steps), bool, len(steps)),
    }
    return {
        # one row: columns from one-item lists (same dtypes as a list of one dict, faster)
        "recordings": pd.DataFrame({name: [value] for name, value in row.items()}),
        "bouts": pd.DataFrame(bout_columns, columns=BOUT_COLUMNS),
        "steps": pd.DataFrame(step_columns, columns=STEP_COLUMNS),
    }
