"""Moved to :mod:`retrowalk.domain.kids.guidance` (the rules) and :mod:`retrowalk.app.kids`
(``guide_child``); this name stays while callers move."""

from retrowalk.app.kids import guide_child
from retrowalk.domain.kids.guidance import *  # noqa: F403
from retrowalk.domain.kids.guidance import REASSURANCE, Guidance, guidance, load_flags, raised_flags

__all__ = ["REASSURANCE", "Guidance", "guidance", "guide_child", "load_flags", "raised_flags"]
