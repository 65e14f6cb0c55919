"""Learn: what backward walking does and how to do it safely, graded by evidence.

Plain, data-driven content (``retrowalk/data/learn/``) with a loader,
validation, search and cross-links, used by the web pages, the CLI and other
packages' plans, tests and child guidance.
"""

from retrowalk.domain.learn.content import Entry, Grade, LearnError, Library, Source, Usage
from retrowalk.domain.learn.loader import default_library, load_library
from retrowalk.domain.learn.references import backlinks, find_learn_references

__all__ = [
    "Entry",
    "Grade",
    "LearnError",
    "Library",
    "Source",
    "Usage",
    "backlinks",
    "default_library",
    "find_learn_references",
    "load_library",
]
