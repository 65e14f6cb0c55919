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
from retrowalk.summary.contract import (
    analysis_version,
    bout_to_dict,
    calibration_status,
    recording_block,
    step_time_s,
    summary_block,
)
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
    "uncertain_duration_s",
    "uncertain_distance_m",
    "backward_speed_mps",
    "backward_cadence_spm",
    "backward_step_time_cv_pct",
    "energy_kcal",
    "height_m",
    "weight_kg",
    "height_source",
    "weight_source",
    "direction_calibration",
    "analysis_version",
]
BOUT_COLUMNS = [
    "recording_id",
    "bout",
    "start_s",
    "end_s",
    "direction",
    "direction_confidence",
    "direction_reason",
    "n_steps",
    "cadence_spm",
    "speed_mps",
    "distance_m",
    "step_length_m",
    "energy_kcal",
]
STEP_COLUMNS = ["recording_id", "bout", "time_s", "direction", "inferred"]
#: The columns of the tables (of these and a batch's ``errors``) that hold text,
#: whole numbers or true/false; every other column holds floats.
_TEXT_COLUMNS = {
    "recording_id", "path", "format", "placement", "height_source", "weight_source",
    "direction_calibration", "analysis_version", "content_sha256", "direction", "reason",
    "direction_reason",
}  # fmt: skip
_INTEGER_COLUMNS = {
    "n_bouts", "forward_steps", "backward_steps", "uncertain_steps", "bout", "n_steps",
}  # fmt: skip
_BOOLEAN_COLUMNS = {"inferred"}


def empty_table(columns: list[str]) -> pd.DataFrame:
    """A table of no rows with ``columns``, each of the type its values have when there
    are rows (text, int64, bool or float64): a table with nothing in it (no bout in any
    recording, no file refused) keeps its columns, so it reads as the others do."""

    def kind(name: str) -> str:
        if name in _TEXT_COLUMNS:
            return "str"
        if name in _INTEGER_COLUMNS:
            return "int64"
        return "bool" if name in _BOOLEAN_COLUMNS else "float64"

    return pd.DataFrame({name: pd.Series(dtype=kind(name)) for name in columns})


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
    return tables_of_many([analysis_columns(analysis, recording_id, extra)])


def tables_of_many(columns: list[dict[str, dict[str, Any]]]) -> dict[str, pd.DataFrame]:
    """The three tables of many analyses (:func:`analysis_columns` of each) at once.

    The same rows, columns and types as concatenating each analysis's
    :func:`analysis_tables`, with three DataFrames made instead of three per
    analysis (batch work makes them per group of recordings).
    """
    recording_names: dict[str, None] = {}
    for c in columns:
        recording_names.update(dict.fromkeys(c["recordings"]))
    recordings: dict[str, Any] = {}
    for name in recording_names:
        values = [c["recordings"][name][0] if name in c["recordings"] else np.nan for c in columns]
        has_none = any(v is None for v in values)
        # one None among values: object, as concatenating one-row tables gives
        mixed = has_none and not all(v is None for v in values)
        recordings[name] = pd.Series(values, dtype=object) if mixed else values
    return {
        "recordings": pd.DataFrame(recordings),
        "bouts": pd.DataFrame(_joined([c["bouts"] for c in columns]), columns=BOUT_COLUMNS),
        "steps": pd.DataFrame(_joined([c["steps"] for c in columns]), columns=STEP_COLUMNS),
    }


def _joined(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Columns of several tables one after another (arrays joined, lists chained)."""
    if len(parts) == 1:
        return parts[0]
    out: dict[str, Any] = {}
    for name in parts[0]:
        values = [p[name] for p in parts]
        if isinstance(values[0], np.ndarray):
            out[name] = np.concatenate(values)
        else:
            out[name] = [v for part in values for v in part]
    return out


def analysis_columns(
    analysis: Analysis, recording_id: str, extra: dict[str, Any] | None = None
) -> dict[str, dict[str, Any]]:
    """The columns of :func:`analysis_tables` as lists and arrays (no DataFrame made).

    The values are the JSON contract's (:func:`~retrowalk.summary.contract.to_dict`),
    rounded by the same functions: the contract's blocks that are tabulated,
    without its dict of every step (the steps' columns come from the steps).
    """
    rec = recording_block(analysis)
    summary = summary_block(analysis)
    uncertain = summary.get("uncertain", {})
    backward = backward_figures(analysis.bouts, analysis.steps)
    bouts = [bout_to_dict(b) for b in analysis.bouts]
    row: dict[str, Any] = {
        "recording_id": recording_id,
        "path": rec["path"],
        "format": rec["format"],
        "sampling_rate_hz": rec["sampling_rate_hz"],
        "duration_s": rec["duration_s"],
        "placement": rec["placement"],
        "n_bouts": len(bouts),
        "forward_steps": summary["forward"]["steps"],
        "forward_duration_s": summary["forward"]["duration_s"],
        "forward_distance_m": summary["forward"]["distance_m"],
        "backward_steps": summary["backward"]["steps"],
        "backward_duration_s": summary["backward"]["duration_s"],
        "backward_distance_m": summary["backward"]["distance_m"],
        "uncertain_steps": uncertain.get("steps", 0),
        "uncertain_duration_s": uncertain.get("duration_s", 0.0),
        "uncertain_distance_m": uncertain.get("distance_m", 0.0),
        "backward_speed_mps": backward.backward_speed_mps,
        "backward_cadence_spm": backward.backward_cadence_spm,
        "backward_step_time_cv_pct": backward.backward_step_time_cv_pct,
        "energy_kcal": summary["energy_kcal"],
        "height_m": analysis.assumptions["height_m"],
        "weight_kg": analysis.assumptions["weight_kg"],
        "height_source": analysis.assumptions["height_source"],  # given or default
        "weight_source": analysis.assumptions["weight_source"],
        "direction_calibration": calibration_status(analysis.assumptions),
        "analysis_version": analysis_version(),
    }
    row.update(extra or {})
    bout_columns: dict[str, Any] = {
        "recording_id": [recording_id] * len(bouts),
        "bout": np.arange(len(bouts), dtype=np.int64),
    }
    for name in BOUT_COLUMNS[2:]:
        values = [b.get(name) for b in bouts]
        if name == "direction":
            bout_columns[name] = values
        elif name == "direction_reason":  # text: none given is empty, not NaN
            bout_columns[name] = ["" if v is None else str(v) for v in values]
        elif name == "n_steps":
            bout_columns[name] = np.asarray(values, dtype=np.int64)
        else:  # None (not measured) becomes NaN
            bout_columns[name] = np.array([np.nan if v is None else v for v in values], float)
    steps = analysis.steps
    n = len(steps)
    step_columns = {  # step_to_dict's values (its time by step_time_s)
        "recording_id": [recording_id] * n,
        "bout": np.fromiter((s.bout for s in steps), np.int64, n),
        "time_s": np.fromiter(map(step_time_s, steps), np.float64, n),
        "direction": [str(s.direction) for s in steps],
        "inferred": np.fromiter((bool(s.inferred) for s in steps), bool, n),
    }
    return {
        "recordings": {name: [value] for name, value in row.items()},
        "bouts": bout_columns,
        "steps": step_columns,
    }
