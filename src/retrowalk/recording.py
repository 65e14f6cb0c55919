"""Moved to :mod:`retrowalk.core.recording`; this name stays while callers move."""

from retrowalk.core.recording import (
    PLACEMENTS,
    WORN_PLACEMENTS,
    Gap,
    Placement,
    Recording,
    UnitDecision,
)

__all__ = ["PLACEMENTS", "WORN_PLACEMENTS", "Gap", "Placement", "Recording", "UnitDecision"]
