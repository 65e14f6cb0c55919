"""Moved to :mod:`retrowalk.domain.kids.milestones`; this name stays while callers move."""

from retrowalk.domain.kids.milestones import *  # noqa: F403
