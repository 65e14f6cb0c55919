"""Moved to :mod:`retrowalk.domain.learn.content` (with :mod:`.loader` and
:mod:`.references`); this name stays while callers move."""

from retrowalk.domain.learn.content import *  # noqa: F403
from retrowalk.domain.learn.content import LEARN_DIR, Entry, LearnError, Library, Usage
from retrowalk.domain.learn.loader import default_library, load_library
from retrowalk.domain.learn.references import backlinks, find_learn_references

__all__ = [
    "LEARN_DIR",
    "Entry",
    "LearnError",
    "Library",
    "Usage",
    "backlinks",
    "default_library",
    "find_learn_references",
    "load_library",
]
