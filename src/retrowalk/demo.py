"""Moved to :mod:`retrowalk.app.demo`; this name stays while callers move."""

from retrowalk.app.demo import (
    DEMO_FILE_NAME,
    DEMO_HEIGHT_M,
    DEMO_PLACEMENT,
    DEMO_WEIGHT_KG,
    demo_recording_path,
)

__all__ = [
    "DEMO_FILE_NAME",
    "DEMO_HEIGHT_M",
    "DEMO_PLACEMENT",
    "DEMO_WEIGHT_KG",
    "demo_recording_path",
]
