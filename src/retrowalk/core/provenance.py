"""Which engine made an analysis: the package version and a digest of the engine's code.

An analysis's numbers change whenever the code or the shipped data that compute
them change, whether or not the package version was raised. Stored results and
a batch's finished recordings are therefore keyed on :func:`engine_version`, the
version with a digest of every file that computes an analysis (reading,
signal processing, detection, measures, summaries, video and the fitted data
they load), so a re-run after any change to them analyses again instead of
mixing old and new numbers. Files that only present or store results (the
command line, the web app, the store, reports) are left out: changing them does
not make a result stale.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from retrowalk import __version__

__all__ = ["ENGINE_PARTS", "engine_digest", "engine_version", "version_relation"]

ENGINE_PARTS = (
    "core",
    "dsp",
    "gait",
    "io",
    "pipeline",
    "summary",
    "video",
    "data/direction_model.json",
    "data/direction_travel.json",
    "data/video",
)
"""The package's folders and files whose content computes an analysis."""

_CODE_SUFFIXES = {".py", ".json", ".toml"}


def engine_digest(package_root: Path, parts: tuple[str, ...] = ENGINE_PARTS) -> str:
    """Hex SHA-256 of the names and bytes of the engine's files under ``package_root``.

    Compiled caches are left out; a part that is missing counts as empty.
    """
    digest = hashlib.sha256()
    for part in parts:
        top = package_root / part
        files = [top] if top.is_file() else sorted(top.rglob("*")) if top.is_dir() else []
        for path in files:
            if path.is_file() and path.suffix in _CODE_SUFFIXES and "__pycache__" not in path.parts:
                digest.update(path.relative_to(package_root).as_posix().encode())
                digest.update(b"\0")
                digest.update(path.read_bytes())
                digest.update(b"\0")
    return digest.hexdigest()


@cache
def engine_version() -> str:
    """``__version__`` and the first 10 hex digits of :func:`engine_digest`, e.g. ``0.1.0+3f9a...``.

    Worked out once per process (about 90 files, under 1 MB: a few milliseconds).
    """
    root = Path(__file__).resolve().parents[1]
    return f"{__version__}+{engine_digest(root)[:10]}"


def _release(version: str) -> tuple[int, ...] | None:
    """The package release of an engine version (``0.1.0+3f9a...`` -> ``(0, 1, 0)``)."""
    parts = []
    for part in version.split("+", 1)[0].split("."):
        digits = ""
        for char in part:
            if not char.isdigit():
                break
            digits += char
        if not digits:
            return None
        parts.append(int(digits))
    return tuple(parts) or None


def version_relation(versions: Iterable[str], current: str) -> str:
    """How other engine versions stand to ``current``, for a sentence: ``"earlier"``
    when every one is an earlier package release, ``"later"`` when every one is a
    later one (after a downgrade), else ``"other"`` (the same release with other
    code, a mix, or a version that cannot be read)."""
    now = _release(current)
    releases = [_release(v) for v in versions]
    if now is None or not releases or any(r is None for r in releases):
        return "other"
    if all(r is not None and r < now for r in releases):
        return "earlier"
    if all(r is not None and r > now for r in releases):
        return "later"
    return "other"
