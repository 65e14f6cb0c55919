"""Moved to :mod:`retrowalk.domain.coach.progression`; this name stays while callers move."""

from retrowalk.domain.coach.progression import *  # noqa: F403
