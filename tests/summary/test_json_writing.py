"""The analysis JSON written in batches is the very text of ``to_json`` (and a newline)."""

from __future__ import annotations

import io

import pytest

from realdata import ipol_file
from retrowalk.io import read_recording
from retrowalk.pipeline import AnalysisOptions, analyze
from retrowalk.summary import contract


@pytest.mark.parametrize("pieces", [1, 7, 1 << 16])
def test_write_json_writes_the_text_of_to_json(
    pieces: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = analyze(read_recording(ipol_file("2-1_lb")), AnalysisOptions(placement="lower_back"))
    assert result.steps  # real walking: nested blocks and many steps
    monkeypatch.setattr(contract, "_PIECES_PER_WRITE", pieces)
    out = io.StringIO()
    contract.write_json(result, out)
    assert out.getvalue() == contract.to_json(result) + "\n"
    compact = io.StringIO()
    contract.write_json(result, compact, indent=None)
    assert compact.getvalue() == contract.to_json(result, indent=None) + "\n"


def test_write_json_of_no_steps_writes_an_empty_list() -> None:
    result = analyze(read_recording(ipol_file("2-1_lb")), AnalysisOptions(placement="lower_back"))
    result.steps = []  # the steps' entries are made as written: none is "[]", not "[\n]"
    out = io.StringIO()
    contract.write_json(result, out)
    assert out.getvalue() == contract.to_json(result) + "\n"
    assert '"steps": [],' in out.getvalue()
