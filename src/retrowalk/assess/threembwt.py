"""Moved to :mod:`retrowalk.domain.assess.threembwt`; this name stays while callers move."""

from retrowalk.domain.assess.threembwt import *  # noqa: F403
