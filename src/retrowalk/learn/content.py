"""Moved to :mod:`retrowalk.domain.learn.content`; this name stays while callers move."""

from retrowalk.domain.learn.content import *  # noqa: F403
