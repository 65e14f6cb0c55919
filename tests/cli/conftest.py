"""What the command-line tests share."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner of the real command line whose store of calibrations (and everything
    else it keeps) is the test's own, and whose batch uses local workers."""
    monkeypatch.setenv("RETROWALK_DATA_DIR", str(tmp_path / "store"))
    monkeypatch.delenv("RETROWALK_DASK_SCHEDULER", raising=False)
    return CliRunner()
