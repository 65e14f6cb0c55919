"""Moved to :mod:`retrowalk.app.kids` (the service) and :mod:`retrowalk.domain.kids.entries`
(the entry); this name stays while callers move."""

from retrowalk.app.kids import *  # noqa: F403
from retrowalk.app.kids import KidsService
from retrowalk.domain.kids.entries import MEDIA_TYPES, SkillEntry, sniff_media

__all__ = ["MEDIA_TYPES", "KidsService", "SkillEntry", "sniff_media"]
