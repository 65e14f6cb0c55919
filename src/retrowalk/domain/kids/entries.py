"""One entry of a child's observation log, and what kind of photo or video a file is.

Plain data: the application layer (:mod:`retrowalk.app.kids`) reads and writes
the entries in the store.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from retrowalk.domain.kids.milestones import load_milestones

# (magic test, extension, media type) - the file's own bytes decide, not its name.
MEDIA_TYPES: tuple[tuple[str, str, str], ...] = (
    ("jpeg", ".jpg", "image/jpeg"),
    ("png", ".png", "image/png"),
    ("webp", ".webp", "image/webp"),
    ("gif", ".gif", "image/gif"),
    ("mp4", ".mp4", "video/mp4"),
    ("quicktime", ".mov", "video/quicktime"),
    ("webm", ".webm", "video/webm"),
)


def sniff_media(head: bytes) -> tuple[str, str] | None:
    """(extension, media type) of a photo or video from its first bytes, else ``None``."""
    kind: str | None = None
    if head.startswith(b"\xff\xd8\xff"):
        kind = "jpeg"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "png"
    elif head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        kind = "webp"
    elif head[:6] in (b"GIF87a", b"GIF89a"):
        kind = "gif"
    elif head[4:8] == b"ftyp":
        kind = "quicktime" if head[8:10] == b"qt" else "mp4"
    elif head.startswith(b"\x1a\x45\xdf\xa3"):
        kind = "webm"
    for name, ext, media in MEDIA_TYPES:
        if name == kind:
            return ext, media
    return None


@dataclass(frozen=True)
class SkillEntry:
    """One entry of a child's observation log."""

    id: int
    date: dt.date
    skill: str
    skill_name: str
    details: tuple[str, ...]
    steps: int | None
    duration_s: float | None
    note: str
    source: str
    attachment_name: str | None
    attachment_type: str | None

    def detail_labels(self) -> list[str]:
        labels = load_milestones().details
        return [labels.get(d, d) for d in self.details]

    @property
    def is_video(self) -> bool:
        return bool(self.attachment_type and self.attachment_type.startswith("video/"))

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "date": self.date.isoformat(),
            "skill": self.skill,
            "skill_name": self.skill_name,
            "details": list(self.details),
            "steps": self.steps,
            "duration_s": self.duration_s,
            "note": self.note,
            "source": self.source,
            "attachment_name": self.attachment_name,
            "attachment_type": self.attachment_type,
        }
