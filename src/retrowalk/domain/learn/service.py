"""The Learn service: what the pages, the JSON API and the CLI show.

Pure functions over a :class:`~retrowalk.domain.learn.content.Library`; no web or
terminal code here, so every front end shows the same content.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from retrowalk.domain.learn.content import Entry, Library, Usage
from retrowalk.domain.learn.loader import default_library
from retrowalk.domain.learn.references import backlinks, find_learn_references


@dataclass(frozen=True)
class UsedIn:
    """Back-links from one area (plans, tests, child guidance) to an entry."""

    area: str
    label: str
    items: tuple[Usage, ...]
    url: str = ""


class LearnService:
    """Listing, search, entry pages and back-links for Learn content.

    Parameters
    ----------
    library
        The content (default: the packaged data).
    data_root
        Where to look for other packages' ``learn = [...]`` references
        (default: the packaged ``retrowalk/data``).
    """

    def __init__(self, library: Library | None = None, data_root: Path | None = None) -> None:
        self.library = library or default_library()
        self.data_root = data_root

    def listing(
        self, query: str = "", audience: str = "", topic: str = "", grade: str = ""
    ) -> list[Entry]:
        """Entries matching the search words and filters (unknown filters match nothing)."""
        lib = self.library
        if (
            (audience and audience not in lib.audiences)
            or (topic and topic not in lib.topics)
            or (grade and grade not in lib.grades)
        ):
            return []
        return lib.search(
            query, audience=audience or None, topic=topic or None, grade=grade or None
        )

    def used_in(self, entry_id: str) -> list[UsedIn]:
        """Where other parts of retrowalk use the entry, grouped by area."""
        refs = backlinks(find_learn_references(self.data_root)).get(entry_id, [])
        groups: dict[str, list[Usage]] = {}
        for usage in refs:
            groups.setdefault(usage.area, []).append(usage)
        areas = self.library.usage_areas
        out = [
            UsedIn(
                area=area,
                label=areas[area].label if area in areas else area or "Other",
                items=tuple(items),
                url=areas[area].url if area in areas else "",
            )
            for area, items in groups.items()
        ]
        order = list(areas)
        out.sort(key=lambda u: (order.index(u.area) if u.area in order else len(order), u.area))
        return out

    def page(self, entry_id: str) -> dict[str, Any]:
        """Everything an entry page shows (raises LearnError for an unknown id)."""
        lib = self.library
        entry = lib.get(entry_id)
        return {
            "entry": entry,
            "grade": lib.grades[entry.grade],
            "topic": lib.topics[entry.topic],
            "audiences": [lib.audiences[a] for a in entry.audiences if a in lib.audiences],
            "sources": lib.sources_of(entry),
            "related": lib.related_of(entry),
            "linking": [e for e in lib.linking_to(entry) if e.id not in entry.related],
            "used_in": self.used_in(entry.id),
            "content_version": lib.content_version,
        }

    def entry_json(self, entry_id: str) -> dict[str, Any]:
        """An entry with its grade, sources, related ids and back-links, as JSON data."""
        page = self.page(entry_id)
        entry: Entry = page["entry"]
        data = asdict(entry)
        data["grade_label"] = page["grade"].label
        data["grade_meaning"] = page["grade"].meaning
        data["sources"] = [
            {**asdict(s), "citation": s.citation(), "link": s.link} for s in page["sources"]
        ]
        data["used_in"] = [
            {"area": u.area, "label": u.label, "items": [asdict(i) for i in u.items]}
            for u in page["used_in"]
        ]
        data["url"] = f"/learn/{entry.id}"
        data["content_version"] = page["content_version"]
        return data

    def summary_json(self, entry: Entry) -> dict[str, Any]:
        """The short form of an entry used in listings."""
        return {
            "id": entry.id,
            "title": entry.title,
            "topic": entry.topic,
            "grade": entry.grade,
            "summary": entry.summary,
            "audiences": list(entry.audiences),
            "url": f"/learn/{entry.id}",
        }
