"""Batch tables made once per group equal the per-recording tables joined.

Real recordings are analysed (ipol 1-1 and 2-1 lower back, and 2-1 played
backwards, which gives a measured backward speed where the others have none;
time reversal tests mechanics only), with a person id given for some and not
others. The tables made by :func:`~retrowalk.summary.tables.tables_of_many`
must equal ``pd.concat`` of each recording's
:func:`~retrowalk.summary.tables.analysis_tables`: the same rows, columns,
values and column types.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd
import pytest

from realdata import ipol_file
from retrowalk.io import read_recording
from retrowalk.pipeline import AnalysisOptions, analyze
from retrowalk.summary.contract import to_dict
from retrowalk.summary.tables import (
    BOUT_COLUMNS,
    analysis_columns,
    analysis_tables,
    tables_of_many,
)


@pytest.fixture(scope="module")
def analyses() -> list[Any]:
    options = AnalysisOptions(placement="lower_back")
    out = [analyze(read_recording(ipol_file(t)), options) for t in ("1-1_lb", "2-1_lb")]
    # time reversal gives backward bouts (mechanics only): backward speed measured
    out.append(analyze(read_recording(ipol_file("2-1_lb")).time_reversed(), options))
    return out


def test_group_tables_equal_joined_tables(analyses: list[Any]) -> None:
    extras: list[dict[str, Any]] = [{}, {"person_id": "p7"}, {"person_id": None}]
    ids = [f"r{i}" for i in range(len(analyses))]
    joined = {
        name: pd.concat(
            [analysis_tables(a, i, e)[name] for a, i, e in zip(analyses, ids, extras, strict=True)],
            ignore_index=True,
        )
        for name in ("recordings", "bouts", "steps")
    }
    many = tables_of_many(
        [analysis_columns(a, i, e) for a, i, e in zip(analyses, ids, extras, strict=True)]
    )
    assert set(many) == set(joined)
    for name, frame in joined.items():
        assert len(frame) > 0, name
        pd.testing.assert_frame_equal(many[name], frame, check_dtype=True)


def _contract_columns(analysis: Any, recording_id: str) -> dict[str, dict[str, list[Any]]]:
    """The tables' values as read off the JSON contract (``to_dict``), as lists."""
    data = to_dict(analysis, session=False)
    summary = data["summary"]
    recording = {
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
        "energy_kcal": summary["energy_kcal"],
        "height_m": data["assumptions"]["height_m"],
        "weight_kg": data["assumptions"]["weight_kg"],
        "analysis_version": data["analysis_version"],
    }
    bouts = {name: [b.get(name) for b in data["bouts"]] for name in BOUT_COLUMNS[2:]}
    steps = {
        "bout": [s["bout"] for s in data["steps"]],
        "time_s": [s["time_s"] for s in data["steps"]],
        "direction": [s["direction"] for s in data["steps"]],
        "inferred": [bool(s.get("inferred")) for s in data["steps"]],
    }
    return {"recordings": {k: [v] for k, v in recording.items()}, "bouts": bouts, "steps": steps}


def _bits(values: Any) -> list[Any]:
    """Values with floats as their exact hex form (NaN and None stay told apart)."""
    out = []
    for v in list(values):
        v = v.item() if hasattr(v, "item") else v
        out.append(v.hex() if isinstance(v, float) else v)
    return out


def test_columns_are_the_contracts_values(analyses: list[Any]) -> None:
    # an inferred step, a bout's extra field and an unmeasured speed among them
    first = analyses[0]
    steps = [replace(s, inferred=True) if i % 3 == 0 else s for i, s in enumerate(first.steps)]
    bouts = [replace(b, extra={"met": 2.5}, speed_mps=None) for b in first.bouts]
    varied = replace(first, steps=steps, bouts=bouts)
    for analysis in [*analyses, varied]:
        columns = analysis_columns(analysis, "r0")
        reference = _contract_columns(analysis, "r0")
        for table, values in reference.items():
            for name, expected in values.items():
                got = columns[table][name]
                if table == "bouts" and name == "direction_reason":  # text: none is empty
                    expected = ["" if v is None else v for v in expected]
                elif table == "bouts" and name not in ("direction", "n_steps"):
                    expected = [float("nan") if v is None else v for v in expected]
                assert _bits(got) == _bits(expected), (table, name)
        assert any(columns["steps"]["inferred"]) == (analysis is varied)
