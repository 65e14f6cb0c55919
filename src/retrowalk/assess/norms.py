"""Moved to :mod:`retrowalk.domain.assess.norms`; this name stays while callers move."""

from retrowalk.domain.assess.norms import *  # noqa: F403
