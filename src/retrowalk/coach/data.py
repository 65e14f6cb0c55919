"""Moved to :mod:`retrowalk.domain.coach.data`; this name stays while callers move."""

from retrowalk.domain.coach.data import *  # noqa: F403
