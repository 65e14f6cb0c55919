"""Moved to :mod:`retrowalk.domain.coach.plans`; this name stays while callers move."""

from retrowalk.domain.coach.plans import *  # noqa: F403
