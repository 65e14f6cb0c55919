"""Moved to :mod:`retrowalk.domain.kids.age`; this name stays while callers move."""

from retrowalk.domain.kids.age import *  # noqa: F403
