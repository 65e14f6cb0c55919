"""Moved to :mod:`retrowalk.summary.tables`; this name stays while callers move."""

from retrowalk.summary.tables import (
    BOUT_COLUMNS,
    RECORDING_COLUMNS,
    STEP_COLUMNS,
    analysis_tables,
)

__all__ = ["BOUT_COLUMNS", "RECORDING_COLUMNS", "STEP_COLUMNS", "analysis_tables"]
