"""Video fixtures: the real demo clip, its analysis (once per test run) and derived clips."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def demo_contacts() -> dict[str, Any]:
    """Foot contacts of the demo's walker, annotated by eye (see ``method`` inside)."""
    return json.loads((FIXTURES / "sports2d_contacts.json").read_text())


@pytest.fixture(scope="session")
def demo_video() -> Path:
    """The real Sports2D demo clip (skips when the shared data is absent)."""
    pytest.importorskip("mediapipe", reason="the video extra (mediapipe) is not installed")
    pytest.importorskip("cv2", reason="the video extra (opencv) is not installed")
    from realdata import video_clip

    return video_clip()


@pytest.fixture(scope="session")
def forward_analysis(demo_video: Path) -> Any:
    """The analysis of the demo clip, computed once per test run."""
    from clips import analyse

    return analyse(demo_video)
