"""Fixtures of the report tests: a real recording analysed end to end."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def analysed_recording(shared_data):
    """MS_001 Test11 (real, lower back) through ``read_recording`` and ``analyze``."""
    try:
        from retrowalk.io import read_recording
        from retrowalk.pipeline import analyze
    except ImportError as exc:  # pragma: no cover - while the pipeline is being built
        pytest.skip(f"the analysis pipeline is not available yet: {exc}")
    path = shared_data / "mobgap-lab" / "MS_001_Test11_Trial1.csv"
    analysis = analyze(read_recording(path))
    if not analysis.bouts:
        pytest.skip("analyze() found no bouts in MS_001_Test11_Trial1 yet")
    return analysis
