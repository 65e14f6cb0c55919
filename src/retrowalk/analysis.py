"""Moved to :mod:`retrowalk.pipeline` (and :mod:`retrowalk.core.results`,
:mod:`retrowalk.summary.contract`); this name stays while callers move.
"""

from __future__ import annotations

from retrowalk.core.recording import Recording
from retrowalk.core.results import Analysis, Bout, Step
from retrowalk.core.types import Direction, Side
from retrowalk.pipeline import AnalysisOptions, analyze, resolve_assumptions
from retrowalk.pipeline.options import DEFAULT_HEIGHT_M, DEFAULT_WEIGHT_KG
from retrowalk.pipeline.trunk import MIN_CONTACT_SEPARATION_S, STEP_MAX_S, TrunkPipeline
from retrowalk.summary.contract import SCHEMA_VERSION

__all__ = [
    "DEFAULT_HEIGHT_M",
    "DEFAULT_WEIGHT_KG",
    "MIN_CONTACT_SEPARATION_S",
    "SCHEMA_VERSION",
    "STEP_MAX_S",
    "Analysis",
    "AnalysisOptions",
    "Bout",
    "Direction",
    "Side",
    "Step",
    "analyze",
    "resolve_assumptions",
]


def _scan_contacts(recording: Recording) -> object:
    """Contacts of the whole recording (the trunk pipeline's scan, default algorithms)."""
    return TrunkPipeline()._scan_contacts(recording)

