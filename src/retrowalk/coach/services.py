"""Moved to :mod:`retrowalk.app.coach`; this name stays while callers move."""

from retrowalk.app.coach import *  # noqa: F403
