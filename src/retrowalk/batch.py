"""Moved to :mod:`retrowalk.app.jobs.batch`; this name stays while callers move."""

from retrowalk.app.jobs.batch import *  # noqa: F403
from retrowalk.app.jobs.batch import __all__  # noqa: F401
