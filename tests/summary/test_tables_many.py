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

from typing import Any

import pandas as pd
import pytest

from realdata import ipol_file
from retrowalk.io import read_recording
from retrowalk.pipeline import AnalysisOptions, analyze
from retrowalk.summary.tables import analysis_columns, analysis_tables, tables_of_many


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
