"""Read the Learn content (TOML files under ``retrowalk/data/learn/``) into a :class:`Library`."""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from retrowalk.domain.coach.data import load
from retrowalk.domain.learn.content import (
    LEARN_DIR,
    Entry,
    Grade,
    Labelled,
    LearnError,
    Library,
    Source,
)
from retrowalk.domain.learn.numbers import fill

DOI_AT_END = re.compile(r"\bdoi:(10\.\S+)$")
"""The DOI a data file's citation ends with, if any."""


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise LearnError(f"{path}: Learn data file is missing") from None
    except tomllib.TOMLDecodeError as exc:
        raise LearnError(f"{path}: not valid TOML ({exc})") from None


def _labelled(rows: list[dict[str, Any]]) -> dict[str, Labelled]:
    return {
        r["id"]: Labelled(
            id=r["id"], label=r["label"], meaning=r.get("meaning", ""), url=r.get("url", "")
        )
        for r in rows
    }


def _filled(value: Any, where: str) -> str:
    """A text field with its published numbers put in (:mod:`.numbers`)."""
    try:
        return fill(str(value), where)
    except KeyError as exc:
        raise LearnError(str(exc.args[0])) from None


def _entry(row: dict[str, Any], topic: str, path: Path) -> Entry:
    where = f"{path.name}: entry {row.get('id', '?')}"

    def text(value: Any) -> str:
        return _filled(value, where)

    try:
        return Entry(
            id=str(row["id"]),
            topic=topic,
            title=text(row["title"]),
            claim=text(row["claim"]),
            summary=text(row["summary"]),
            grade=str(row["grade"]),
            grade_reason=text(row.get("grade_reason", "")),
            body=text(row.get("body", "")),
            for_you=text(row.get("for_you", "")),
            audiences=tuple(row.get("audiences", ())),
            tags=tuple(row.get("tags", ())),
            sources=tuple(row.get("sources", ())),
            related=tuple(row.get("related", ())),
        )
    except KeyError as exc:
        raise LearnError(f"{path}: entry {row.get('id', '?')} lacks field {exc}") from None


def _cited(row: dict[str, Any]) -> str:
    """The citation of a bibliography row's ``cite_from`` data file (``area/name``)."""
    where = f"bibliography.toml: source {row['id']}"
    area, _, name = str(row["cite_from"]).partition("/")
    key = str(row.get("cite_id", row["id"]))
    try:
        return str(load(area, name)["sources"][key]["cite"])
    except (OSError, KeyError):
        raise LearnError(
            f"{where}: cite_from '{row['cite_from']}' has no source '{key}' with a cite"
        ) from None


def load_library(directory: Path | None = None) -> Library:
    """Read the Learn content from ``directory`` (default: the packaged data).

    Raises
    ------
    LearnError
        When a file is missing or malformed, or two entries share an id.
    """
    directory = directory or LEARN_DIR
    meta = _read_toml(directory / "content.toml")
    bib = _read_toml(directory / "bibliography.toml")
    sources: dict[str, Source] = {}
    for row in bib.get("source", []):
        if row["id"] in sources:
            raise LearnError(f"bibliography.toml: source id '{row['id']}' is used twice")
        note = _filled(row.get("note", ""), f"bibliography.toml: source {row['id']}")
        kind, verified = row.get("kind", ""), bool(row.get("verified", False))
        if "cite_from" in row:
            cite = _cited(row)
            doi = DOI_AT_END.search(cite)
            sources[row["id"]] = Source(
                id=row["id"],
                authors=None,
                year=None,
                title=None,
                journal=None,
                volume_pages=None,
                kind=kind,
                verified=verified,
                note=note,
                doi=doi.group(1) if doi else "",
                cite=cite,
            )
            continue
        sources[row["id"]] = Source(
            id=row["id"],
            authors=row["authors"],
            year=int(row["year"]),
            title=row["title"],
            journal=row["journal"],
            volume_pages=row.get("volume_pages", ""),
            kind=kind,
            verified=verified,
            note=note,
            doi=row.get("doi", ""),
            url=row.get("url", ""),
        )
    library = Library(
        content_version=str(meta.get("content_version", "")),
        changelog=list(meta.get("changelog", [])),
        grades={
            g["id"]: Grade(id=g["id"], label=g["label"], meaning=g["meaning"])
            for g in meta.get("grade", [])
        },
        audiences=_labelled(meta.get("audience", [])),
        topics=_labelled(meta.get("topic", [])),
        usage_areas=_labelled(meta.get("usage_area", [])),
        sources=sources,
    )
    for topic in meta.get("topic", []):
        path = directory / topic["file"]
        for row in _read_toml(path).get("entry", []):
            entry = _entry(row, topic["id"], path)
            if entry.id in library.entries:
                raise LearnError(f"{path}: entry id '{entry.id}' is used twice")
            library.entries[entry.id] = entry
    return library


@lru_cache(maxsize=1)
def default_library() -> Library:
    """The packaged Learn content, loaded once per process."""
    return load_library()
