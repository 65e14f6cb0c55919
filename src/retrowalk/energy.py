"""Moved to :mod:`retrowalk.summary.energy`; this name stays while callers move."""

from retrowalk.summary.energy import *  # noqa: F403
from retrowalk.summary.energy import MODEL_NAME, MODEL_SUMMARY, fill_bout_energy  # noqa: F401
