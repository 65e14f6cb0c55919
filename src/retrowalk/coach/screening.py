"""Moved to :mod:`retrowalk.domain.coach.screening`; this name stays while callers move."""

from retrowalk.domain.coach.screening import *  # noqa: F403
