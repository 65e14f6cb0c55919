"""Children's profiles, the observation log (``Observation(kind="child_skill")``), guidance
and the doctor's summary: the use cases of :mod:`retrowalk.domain.kids` on stored records.

A parent records what they saw: the day, the skill (an id of the milestone table),
details ('crawls only backwards', 'drags one side', ...), a number of backward
steps, a short note and optionally a photo or a short video kept with the entry.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import uuid
from pathlib import Path
from typing import Any, BinaryIO

from retrowalk.app.services import Services
from retrowalk.app.uploads import TooLargeError
from retrowalk.core.errors import InputError
from retrowalk.domain.kids.age import ChildAge, child_age, format_months
from retrowalk.domain.kids.entries import SkillEntry, sniff_media
from retrowalk.domain.kids.guidance import Guidance, guidance
from retrowalk.domain.kids.milestones import load_milestones
from retrowalk.domain.kids.summary import ChildSummary
from retrowalk.store.checks import due_date_problem
from retrowalk.store.child_observations import ScopedObservations
from retrowalk.store.repositories import AccountScoped, NotFoundError
from retrowalk.store.schemas import ObservationIn, PersonIn, PersonOut

KIND = "child_skill"
MAX_STEPS = 500
MAX_NOTE = 2000
MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
CHUNK = 1 << 20


def _entry(obs: Any) -> SkillEntry:
    table = load_milestones()
    payload = obs.payload or {}
    skill = str(payload.get("skill", ""))
    try:
        name = table.get(skill).name
    except KeyError:
        name = skill
    return SkillEntry(
        id=obs.id,
        date=obs.date,
        skill=skill,
        skill_name=name,
        details=tuple(payload.get("details", ())),
        steps=payload.get("steps"),
        duration_s=payload.get("duration_s"),
        note=obs.note or "",
        source=str(payload.get("source", "form")),
        attachment_name=payload.get("attachment_name") if obs.attachment_path else None,
        attachment_type=payload.get("attachment_type") if obs.attachment_path else None,
    )


def _safe_name(filename: str) -> str:
    name = Path(filename.replace("\\", "/")).name.strip() or "attachment"
    return re.sub(r"[^A-Za-z0-9._ -]", "_", name)[:120]


class KidsService:
    """Children's profiles, log and attachments, on top of :class:`Services`.

    Parameters
    ----------
    services
        The shared services (database, data directory, upload limit).
    max_attachment_bytes
        Largest photo or video kept with an entry.
    """

    def __init__(self, services: Services, max_attachment_bytes: int = MAX_ATTACHMENT_BYTES):
        self.services = services
        self.db = services.db
        self.max_attachment_bytes = min(max_attachment_bytes, services.max_upload_bytes)

    # -- children -------------------------------------------------------------------
    def add_child(
        self, account_id: int, name: str, birth_date: dt.date, due_date: dt.date | None = None
    ) -> PersonOut:
        """Create a child profile (a person of kind ``child``)."""
        if birth_date > dt.date.today():
            raise InputError("Birth date", "the birth date is in the future")
        if due_date is not None and (problem := due_date_problem(birth_date, due_date)):
            raise InputError("Due date", problem)
        data = PersonIn(name=name, kind="child", birth_date=birth_date, due_date=due_date)
        return self.services.create_person(account_id, data)

    def children(self, account_id: int) -> list[PersonOut]:
        return [p for p in self.services.list_people(account_id) if p.kind == "child"]

    def child(self, account_id: int, person_id: int) -> PersonOut:
        """A child of this account, or :class:`NotFoundError` (also for adults)."""
        person = self.services.get_person(account_id, person_id)
        if person.kind != "child":
            raise NotFoundError(f"Child {person_id} not found")
        return person

    def find_child(self, account_id: int, name_or_id: str) -> PersonOut:
        """A child by id or by (case-insensitive) name."""
        if name_or_id.isdigit():
            return self.child(account_id, int(name_or_id))
        matches = [c for c in self.children(account_id) if c.name.lower() == name_or_id.lower()]
        if len(matches) != 1:
            what = "no child" if not matches else "more than one child"
            raise NotFoundError(f"{what} named '{name_or_id}'; use the id from 'child list'")
        return matches[0]

    def age(self, account_id: int, person_id: int, on: dt.date | None = None) -> ChildAge:
        child = self.child(account_id, person_id)
        return child_age(child.birth_date, child.due_date, on or dt.date.today())

    # -- log ------------------------------------------------------------------------
    def entries(self, account_id: int, person_id: int) -> list[SkillEntry]:
        """The child's log, oldest first."""
        self.child(account_id, person_id)
        with self.db.read() as session:
            rows = AccountScoped(session, account_id).observations(person_id)
            return [_entry(o) for o in rows if o.kind == KIND]

    def entry(self, account_id: int, person_id: int, entry_id: int) -> SkillEntry:
        self.child(account_id, person_id)
        with self.db.read() as session:
            return _entry(ScopedObservations(session, account_id).get(person_id, entry_id, KIND))

    def observe(
        self,
        account_id: int,
        person_id: int,
        *,
        skill: str,
        on: dt.date | None = None,
        details: list[str] | tuple[str, ...] = (),
        steps: int | None = None,
        duration_s: float | None = None,
        note: str = "",
        source: str = "form",
        attachment: tuple[str, BinaryIO] | None = None,
    ) -> SkillEntry:
        """Add an entry to the log; an attachment is type-checked, size-limited and kept.

        Raises
        ------
        InputError
            Unknown skill or detail, impossible date or step count, a file that is
            not a photo or video.
        TooLargeError
            The attachment is over the limit.
        """
        child = self.child(account_id, person_id)
        table = load_milestones()
        day = on or dt.date.today()
        if skill not in table.ids:
            raise InputError("skill", f"choose one of {', '.join(table.ids)}")
        unknown = [d for d in details if d not in table.details]
        if unknown:
            raise InputError("detail", f"unknown detail '{unknown[0]}'")
        if day > dt.date.today():
            raise InputError("date", "the date is in the future")
        if child.birth_date is not None and day < child.birth_date:
            raise InputError("date", "the date is before the birth date")
        if steps is not None and not 0 <= steps <= MAX_STEPS:
            raise InputError("steps", f"enter a number of steps from 0 to {MAX_STEPS}")
        if duration_s is not None and not 0 <= duration_s <= 3600:
            raise InputError("duration_s", "the duration must be between 0 and 3600 s")
        if len(note) > MAX_NOTE:
            raise InputError("note", f"keep the note under {MAX_NOTE} characters")
        payload: dict[str, Any] = {
            "skill": skill,
            "details": list(dict.fromkeys(details)),
            "steps": steps,
            "duration_s": round(duration_s, 1) if duration_s is not None else None,
            "source": source,
        }
        stored: Path | None = None
        if attachment is not None:
            filename, stream = attachment
            stored, media = self._store_attachment(account_id, stream)
            payload["attachment_name"] = _safe_name(filename)
            payload["attachment_type"] = media
        try:
            data = ObservationIn(date=day, kind=KIND, payload=payload, note=note.strip())
            with self.db.transaction() as session:
                obs = AccountScoped(session, account_id).add_observation(
                    person_id, **data.model_dump()
                )
                obs.attachment_path = str(stored) if stored else None
                session.flush()
                return _entry(obs)
        except BaseException:
            if stored is not None:
                stored.unlink(missing_ok=True)
            raise

    def delete_entry(self, account_id: int, person_id: int, entry_id: int) -> None:
        """Delete an entry and its photo or video."""
        self.child(account_id, person_id)
        with self.db.transaction() as session:
            path = ScopedObservations(session, account_id).delete(person_id, entry_id, KIND)
        if path and self.services.data_dir in Path(path).parents:
            Path(path).unlink(missing_ok=True)

    def attachment(self, account_id: int, person_id: int, entry_id: int) -> tuple[Path, str, str]:
        """(path, media type, file name) of an entry's photo or video."""
        self.child(account_id, person_id)
        with self.db.read() as session:
            obs = ScopedObservations(session, account_id).get(person_id, entry_id, KIND)
            path = obs.attachment_path
            payload = dict(obs.payload or {})
        if not path or not Path(path).is_file():
            raise NotFoundError(f"Observation {entry_id} has no photo or video")
        return (
            Path(path),
            str(payload.get("attachment_type", "application/octet-stream")),
            str(payload.get("attachment_name", Path(path).name)),
        )

    def _store_attachment(self, account_id: int, stream: BinaryIO) -> tuple[Path, str]:
        tmp_dir = self.services.data_dir / "tmp"
        fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, suffix=".part")
        tmp = Path(tmp_name)
        try:
            size = 0
            head = b""
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    if len(head) < 16:
                        head += chunk[:16]
                    size += len(chunk)
                    if size > self.max_attachment_bytes:
                        limit = self.max_attachment_bytes // (1024 * 1024)
                        raise TooLargeError(f"the photo or video is larger than {limit} MB")
                    out.write(chunk)
            if size == 0:
                raise InputError("file", "the file is empty")
            kind = sniff_media(head)
            if kind is None:
                raise InputError(
                    "file", "keep a photo (JPEG, PNG, WebP, GIF) or a video (MP4, MOV, WebM)"
                )
            ext, media = kind
            folder = self.services.data_dir / "files" / str(account_id) / "kids"
            folder.mkdir(parents=True, exist_ok=True)
            final = folder / f"{uuid.uuid4().hex}{ext}"
            os.replace(tmp, final)
            return final, media
        finally:
            tmp.unlink(missing_ok=True)


def guide_child(
    kids: KidsService, account_id: int, person_id: int, on: dt.date | None = None
) -> Guidance:
    """:class:`Guidance` for a stored child on ``on`` (default today)."""
    age = kids.age(account_id, person_id, on)
    return guidance(age, kids.entries(account_id, person_id))


def build_summary(
    kids: KidsService, account_id: int, person_id: int, on: dt.date | None = None
) -> ChildSummary:
    """Collect a child's profile, log with ages, and guidance on ``on``."""
    child = kids.child(account_id, person_id)
    day = on or dt.date.today()
    age = child_age(child.birth_date, child.due_date, day)
    entries = kids.entries(account_id, person_id)
    with_age = []
    for entry in entries:
        at = child_age(child.birth_date, child.due_date, entry.date)
        text = format_months(at.months) + (" (corrected)" if at.corrected else "")
        with_age.append((entry, text, at.months))
    return ChildSummary(child, day, guidance(age, entries), with_age, load_milestones())
