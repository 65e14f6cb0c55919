"""Fixtures for the reader tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from io_helpers import SHARED_DATA, Motion, make_motion


@pytest.fixture
def shared_data() -> Path:
    """The real recordings next to the repository, or skip."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real recordings not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def motion() -> Motion:
    """20 s of a swaying, bouncing sensor at 100 Hz."""
    return make_motion()
