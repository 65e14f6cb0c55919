"""Learn content: load, validate, search and cross-link the graded entries.

The entries live in TOML files under ``retrowalk/data/learn/`` (one file per
topic, listed in ``content.toml``) with a shared ``bibliography.toml``. Each
entry states a claim people read about backward walking, an evidence grade with
a short reason, and the sources behind it. The grades and sources are
described in the data files themselves; key references include Alghadir et
al. (2019), BMC Musculoskelet Disord 20:159 (knee osteoarthritis), Wen & Wang
(2022), Int J Environ Res Public Health 19:3370 (stroke) and Ainsworth et al.
(2011), Med Sci Sports Exerc 43:1575 (energy cost).

This module holds the vocabulary (entries, grades, sources, the library and its
checks); :mod:`.loader` reads the TOML files and :mod:`.references` finds the
``learn = ["entry-id", ...]`` references of other packages' data files, so that
pages can show "used in" back-links and tests can guard against dangling links.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from retrowalk.core.errors import RetrowalkError

DATA_ROOT = Path(str(files("retrowalk") / "data"))
LEARN_DIR = DATA_ROOT / "learn"
ENTRY_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
WORD = re.compile(r"[a-z0-9]+")


class LearnError(RetrowalkError):
    """Learn content is missing, malformed, or an entry cannot be found."""


@dataclass(frozen=True)
class Grade:
    """One step of the evidence scale, with its plain-words meaning."""

    id: str
    label: str
    meaning: str


@dataclass(frozen=True)
class Labelled:
    """An audience or a topic: an id and a label for people."""

    id: str
    label: str
    meaning: str = ""
    url: str = ""


@dataclass(frozen=True)
class Source:
    """One bibliography record.

    ``doi`` is set only where it was checked against the publisher or PubMed
    record; ``verified`` tells whether the citation details were checked. A source
    another data file cites (the 3MBWT's cut-offs) has that file's citation as
    ``cite``, and ``None`` for the fields from ``authors`` to ``volume_pages``, which
    it has only within that citation.
    """

    id: str
    authors: str | None
    year: int | None
    title: str | None
    journal: str | None
    volume_pages: str | None
    kind: str
    verified: bool
    note: str = ""
    doi: str = ""
    url: str = ""
    cite: str = ""

    @property
    def link(self) -> str:
        """A link to the source: the DOI resolver if known, else its URL (may be empty)."""
        return f"https://doi.org/{self.doi}" if self.doi else self.url

    @property
    def cite_text(self) -> str:
        """``cite`` without the DOI it ends with (pages show that as a link)."""
        if self.doi and self.cite.endswith(f"doi:{self.doi}"):
            return self.cite.removesuffix(f"doi:{self.doi}").rstrip()
        return self.cite

    def citation(self) -> str:
        """The full citation in one line (authors. year. title. journal volume:pages)."""
        if self.cite:
            return self.cite
        text = f"{self.authors} ({self.year}). {self.title}. {self.journal}"
        if self.volume_pages and self.volume_pages not in ("book", "web page"):
            text += f" {self.volume_pages}"
        text += "."
        if self.doi:
            text += f" doi:{self.doi}"
        elif self.url:
            text += f" {self.url}"
        return text


@dataclass(frozen=True)
class Entry:
    """One Learn entry: a claim, its evidence grade and sources, and advice."""

    id: str
    topic: str
    title: str
    claim: str
    summary: str
    grade: str
    grade_reason: str
    body: str
    for_you: str
    audiences: tuple[str, ...]
    tags: tuple[str, ...]
    sources: tuple[str, ...]
    related: tuple[str, ...]

    def paragraphs(self) -> list[str]:
        """The body split into paragraphs (blank-line separated)."""
        return [p.strip() for p in self.body.strip().split("\n\n") if p.strip()]

    def text(self) -> str:
        """All searchable text of the entry, lower-cased."""
        return " ".join(
            [self.id, self.title, self.claim, self.summary, self.body, self.for_you, *self.tags]
        ).lower()


@dataclass(frozen=True)
class Usage:
    """A place in another data file that refers to Learn entries.

    Attributes
    ----------
    area
        First folder under ``retrowalk/data/`` (``coach``, ``assess``, ``kids``...).
    path
        File path relative to ``retrowalk/data/``.
    where
        Location inside the file, e.g. ``steps[2]``.
    label
        The item's own title/name/id where it has one, else ``where``.
    learn
        The entry ids it refers to.
    """

    area: str
    path: str
    where: str
    label: str
    learn: tuple[str, ...]


@dataclass
class Library:
    """All Learn content: entries, bibliography, grades, audiences and topics."""

    content_version: str
    changelog: list[dict[str, str]]
    grades: dict[str, Grade]
    audiences: dict[str, Labelled]
    topics: dict[str, Labelled]
    usage_areas: dict[str, Labelled]
    sources: dict[str, Source]
    entries: dict[str, Entry] = field(default_factory=dict)

    # -- lookup -----------------------------------------------------------------
    def get(self, entry_id: str) -> Entry:
        """The entry with this id.

        Raises
        ------
        LearnError
            When no entry has this id.
        """
        try:
            return self.entries[entry_id]
        except KeyError:
            raise LearnError(f"no Learn entry called '{entry_id}'") from None

    def resolve(self, id_or_words: str) -> Entry | None:
        """An entry by exact id, else the best search hit for the words, else None."""
        key = id_or_words.strip().lower()
        if key in self.entries:
            return self.entries[key]
        hits = self.search(key)
        return hits[0] if hits else None

    def sources_of(self, entry: Entry) -> list[Source]:
        """The bibliography records an entry cites, in its order."""
        return [self.sources[s] for s in entry.sources if s in self.sources]

    def related_of(self, entry: Entry) -> list[Entry]:
        """The entries an entry links to, in its order."""
        return [self.entries[r] for r in entry.related if r in self.entries]

    def linking_to(self, entry: Entry) -> list[Entry]:
        """Other entries whose ``related`` list names this entry."""
        return [e for e in self.entries.values() if entry.id in e.related and e.id != entry.id]

    def by_grade(self) -> dict[str, int]:
        """Number of entries per grade, in the order of the grade scale."""
        counts = {g: 0 for g in self.grades}
        for entry in self.entries.values():
            counts[entry.grade] = counts.get(entry.grade, 0) + 1
        return counts

    # -- search -----------------------------------------------------------------
    def search(
        self,
        query: str = "",
        *,
        audience: str | None = None,
        topic: str | None = None,
        grade: str | None = None,
    ) -> list[Entry]:
        """Entries matching the filters, ranked by a simple text score.

        Every query word must occur somewhere in the entry (as a prefix of a
        word). Matches in the id, title or tags count most, then the claim and
        summary, then the body. Without a query, entries keep their file order.

        Parameters
        ----------
        query
            Free words, e.g. ``"knee pain"``.
        audience, topic, grade
            Optional filters by id; empty strings mean "any".
        """
        pool = [
            e
            for e in self.entries.values()
            if (not audience or audience in e.audiences)
            and (not topic or e.topic == topic)
            and (not grade or e.grade == grade)
        ]
        words = WORD.findall(query.lower())
        if not words:
            return pool
        scored: list[tuple[float, int, Entry]] = []
        for order, entry in enumerate(pool):
            score = _score(entry, words)
            if score > 0:
                scored.append((score, -order, entry))
        scored.sort(key=lambda item: (item[0], item[1]), reverse=True)
        return [entry for _, _, entry in scored]

    # -- validation --------------------------------------------------------------
    def problems(self, usages: Iterable[Usage] = ()) -> list[str]:
        """Everything wrong with the content, as readable lines (empty when valid).

        Checks: a content version is set; every entry has a valid id, a known
        topic, a grade from the vocabulary with a reason, known audiences, a
        claim, a summary, at least one source; every cited source is in the
        bibliography; every ``related`` link and every ``learn`` reference in
        ``usages`` names an existing entry.
        """
        out: list[str] = []
        if not self.content_version.strip():
            out.append("content.toml: content_version is empty")
        for entry in self.entries.values():
            where = f"entry '{entry.id}'"
            if not ENTRY_ID.match(entry.id):
                out.append(f"{where}: id must be lower-case words joined by '-'")
            if entry.topic not in self.topics:
                out.append(f"{where}: unknown topic '{entry.topic}'")
            if entry.grade not in self.grades:
                out.append(f"{where}: grade '{entry.grade}' is not in the vocabulary")
            for name in ("title", "claim", "summary", "grade_reason", "body", "for_you"):
                if not getattr(entry, name).strip():
                    out.append(f"{where}: {name} is empty")
            if not entry.audiences:
                out.append(f"{where}: no audience")
            out.extend(
                f"{where}: unknown audience '{a}'"
                for a in entry.audiences
                if a not in self.audiences
            )
            if not entry.sources:
                out.append(f"{where}: no source")
            out.extend(
                f"{where}: source '{s}' is not in the bibliography"
                for s in entry.sources
                if s not in self.sources
            )
            out.extend(
                f"{where}: related entry '{r}' does not exist"
                for r in entry.related
                if r not in self.entries
            )
        for usage in usages:
            out.extend(
                f"{usage.path} ({usage.where}): learn entry '{ref}' does not exist"
                for ref in usage.learn
                if ref not in self.entries
            )
        return out


SEARCH_FIELDS: tuple[tuple[float, str], ...] = (
    (6.0, "title"),
    (5.0, "tags"),
    (4.0, "id"),
    (2.0, "claim summary"),
    (1.0, "body for_you"),
)
"""Where a query word is found and what a match there is worth (most relevant first)."""


def stem(word: str) -> str:
    """A crude English stem, enough to match 'knees' with 'knee' and 'crawling' with 'crawl'.

    Plural and '-ing' endings are dropped; anything shorter than four letters is
    left alone.
    """
    if len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    if word.endswith("ing") and len(word) > 5:
        return word[:-3]
    return word


def _field_stems(entry: Entry) -> list[tuple[float, list[str]]]:
    out = []
    for weight, names in SEARCH_FIELDS:
        text = " ".join(
            " ".join(value) if isinstance(value, tuple) else str(value)
            for value in (getattr(entry, name) for name in names.split())
        )
        out.append((weight, [stem(t) for t in WORD.findall(text.lower().replace("-", " "))]))
    return out


def _score(entry: Entry, words: list[str]) -> float:
    """Relevance of an entry to query words; 0 when any word is missing.

    Each word counts with the weight of the most relevant field it occurs in
    (title, then tags, id, claim and summary, body), plus a little for every
    further occurrence, so that an entry about the knee ranks above one that
    mentions knees in passing.
    """
    fields = _field_stems(entry)
    total = 0.0
    for word in words:
        wanted = stem(word)
        best = 0.0
        hits = 0
        for weight, tokens in fields:
            found = sum(1 for t in tokens if t.startswith(wanted))
            if found:
                best = max(best, weight)
                hits += found
        if best == 0.0:
            return 0.0
        total += best + min(hits, 5) * 0.1
    return total


# -- loading ---------------------------------------------------------------------
