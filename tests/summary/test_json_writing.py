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


@pytest.mark.parametrize("indent", [0, 2, 4])
def test_steps_of_every_kind_of_value_are_written_as_the_encoder_writes_them(
    indent: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Steps of text (not ASCII too), whole numbers, floats (NaN and infinities too),
    bools and null are written by the writer's own formatting, any other entry by
    the encoder: the text is the encoder's either way, wherever the steps stand."""
    import json
    from typing import Any

    entries: list[dict[Any, Any]] = [
        {"time_s": 1.25, "bout": 0, "direction": "backward"},
        {"time_s": float("nan"), "bout": -3, "direction": "für", "inferred": True},
        {"time_s": float("inf"), "side": None, "x": False, "length_m": -float("inf")},
        {"time_s": 1e-7, "big": 2**70, "tiny": 5e-324, "quote": 'a"b\\c\n'},
        {},
        {"nested": {"a": [1, 2.5, None]}, "list": []},
        {1: "a key that is no text"},
    ]
    before = {"schema_version": 1, "bouts": [{"a": 1.5}], "empty": {}}
    after = {"summary": {"steps": 3}, "notes": ["ü"]}
    for document in (
        {**before, "steps": entries, **after},
        {"steps": entries, **after},
        {**before, "steps": entries},
        {"steps": entries},
        {**before, "steps": [], **after},
    ):
        monkeypatch.setattr(contract, "to_dict", lambda analysis, doc=document, **kw: doc)
        out = io.StringIO()
        contract.write_json(None, out, indent=indent)  # type: ignore[arg-type]
        assert out.getvalue() == json.dumps(document, indent=indent) + "\n"
