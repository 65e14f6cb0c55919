"""Moved to :mod:`retrowalk.domain.learn.service`; this name stays while callers move."""

from retrowalk.domain.learn.service import *  # noqa: F403
