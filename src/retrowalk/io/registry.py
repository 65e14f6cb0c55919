"""Sources that bring their own reader (video), registered when they are imported.

The readers of :mod:`retrowalk.io` know sensor files only. A package that reads
another kind of recording (``retrowalk.video``) registers a :class:`SourceReader`
here when it is imported; :func:`retrowalk.io.read_recording` asks every
registered source first. Nothing in ``io`` imports such a package.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from retrowalk.core.recording import Recording

__all__ = ["SourceReader", "register_source", "registered_sources"]


@dataclass(frozen=True)
class SourceReader:
    """A kind of recording file with its own reader.

    Attributes
    ----------
    format
        The ``Recording.format`` it produces (e.g. ``"video"``).
    description
        One line for listings, e.g. ``"mp4 / mov / avi / webm video"``.
    recognises
        True for a path this source reads (cheap: a look at the first bytes).
    read
        Reads the path into a Recording; raises ``InputError`` on bad input.
    recognises_bytes
        True for a file that begins with these bytes (given whole or their first
        kilobytes): what ``recognises`` looks at in the file, for a file whose
        bytes the caller has read already (batch work hashes them), which is
        then not opened again. ``None``: ``recognises`` looks at the file.
    """

    format: str
    description: str
    recognises: Callable[[Path], bool]
    read: Callable[[Path], Recording]
    recognises_bytes: Callable[[bytes], bool] | None = None

    def reads(self, path: Path, content: bytes | None = None) -> bool:
        """Whether this source reads ``path``; ``content``: the file's bytes when read."""
        if content is not None and self.recognises_bytes is not None:
            return self.recognises_bytes(content)
        return self.recognises(path)


_SOURCES: dict[str, SourceReader] = {}


def register_source(source: SourceReader) -> None:
    """Add (or replace) the reader of ``source.format``."""
    _SOURCES[source.format] = source


def unregister_source(fmt: str) -> None:
    """Remove the reader of format ``fmt`` (nothing happens when none is registered)."""
    _SOURCES.pop(fmt, None)


def registered_sources() -> tuple[SourceReader, ...]:
    """Every registered source, in registration order."""
    return tuple(_SOURCES.values())
