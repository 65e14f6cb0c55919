"""Moved to :mod:`retrowalk.app.assess`; this name stays while callers move."""

from retrowalk.app.assess import *  # noqa: F403
