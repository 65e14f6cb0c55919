"""Moved to :mod:`retrowalk.domain.coach.weekly`; this name stays while callers move."""

from retrowalk.domain.coach.weekly import *  # noqa: F403
