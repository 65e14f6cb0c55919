"""Uploaded recordings: storing, listing, reading back and deleting them.

:class:`RecordingsMixin` is part of :class:`retrowalk.app.services.Services`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy.exc import IntegrityError

from retrowalk.errors import InputError, RetrowalkError
from retrowalk.recording import WORN_PLACEMENTS
from retrowalk.store.db import Database
from retrowalk.store.repositories import AccountScoped, NotFoundError
from retrowalk.store.schemas import (
    AnalysisSummary,
    PersonOut,
    RecordingDetail,
    RecordingOut,
)
from retrowalk.worker import CpuRunner, describe_file

__all__ = ["PLACEMENTS", "RecordingsMixin", "TooLargeError", "safe_name"]

CHUNK = 1 << 20
PLACEMENTS = ("auto", *WORN_PLACEMENTS)  # videos are recognised by content, not chosen


class TooLargeError(RetrowalkError):
    """An upload is over the size limit."""


def safe_name(filename: str) -> str:
    """The last path component of an uploaded file name, with unusual characters replaced."""
    name = Path(filename.replace("\\", "/")).name.strip() or "recording"
    return re.sub(r"[^A-Za-z0-9._ -]", "_", name)[:200]


def _recording_detail(scoped: AccountScoped, recording_id: int) -> tuple[RecordingDetail, Any]:
    """A recording of the account with the summary of its latest analysis, and that analysis."""
    recording = scoped.recording(recording_id)
    latest = scoped.latest_analysis(recording_id, recording=recording)
    detail = RecordingDetail.model_validate(recording)
    if latest is not None:
        detail.summary = AnalysisSummary.model_validate(latest)
    return detail, latest


class RecordingsMixin:
    """Uploads and the recordings of a person (part of ``Services``)."""

    db: Database
    data_dir: Path
    runner: CpuRunner
    max_upload_bytes: int
    on_queued: Callable[[], None]

    def get_person(self, account_id: int, person_id: int) -> PersonOut:
        raise NotImplementedError  # provided by Services

    def _remove_files(self, files: list[str]) -> None:
        raise NotImplementedError  # provided by Services

    def upload(
        self,
        account_id: int,
        person_id: int,
        filename: str,
        stream: BinaryIO,
        *,
        recorded_on: dt.date | None = None,
        placement: str = "auto",
    ) -> RecordingOut:
        """Store an uploaded recording and queue its analysis.

        The bytes go to a temp file (hashed and size-checked on the way), are read
        with the recording readers (a bad file raises :class:`InputError` and
        nothing is stored), moved into place, and recorded in one transaction.
        """
        from retrowalk.app.accounts import ConflictError

        if placement not in PLACEMENTS:
            raise InputError("placement", f"choose one of {', '.join(PLACEMENTS)}")
        name = safe_name(filename)
        self.get_person(account_id, person_id)  # NotFoundError before reading the bytes
        suffix = "".join(Path(name).suffixes[-2:])[:20]
        fd, tmp_name = tempfile.mkstemp(dir=self.data_dir / "tmp", suffix=suffix)
        tmp = Path(tmp_name)
        final: Path | None = None
        try:
            digest, size = self._copy_limited(stream, fd)
            if size == 0:
                raise InputError(name, "the file is empty")
            with self.db.read() as session:
                existing = AccountScoped(session, account_id).recording_by_sha256(digest)
                if existing is not None:
                    raise ConflictError(
                        f"{name}: this file was uploaded already (as '{existing.filename}')"
                    )
            info = self.runner.call(describe_file, str(tmp), placement)
            if not info["ok"]:
                raise InputError(name, info["reason"], line=info["line"], field=info["field"])
            folder = self.data_dir / "files" / str(account_id)
            folder.mkdir(parents=True, exist_ok=True)
            final = folder / f"{digest}{suffix}"
            os.replace(tmp, final)
            day = recorded_on or (
                dt.date.fromisoformat(info["start_date"]) if info["start_date"] else dt.date.today()
            )
            with self.db.transaction() as session:
                recording = AccountScoped(session, account_id).add_recording(
                    person_id,
                    filename=name,
                    stored_path=str(final),
                    sha256=digest,
                    size_bytes=size,
                    format=str(info["format"])[:100],
                    duration_s=info["duration_s"],
                    placement=placement,
                    recorded_on=day,
                    status="queued",
                )
                out = RecordingOut.model_validate(recording)
        except IntegrityError:
            if final is not None:
                final.unlink(missing_ok=True)
            raise ConflictError(f"{name}: this file was uploaded already") from None
        except BaseException:
            if final is not None:
                final.unlink(missing_ok=True)
            raise
        finally:
            tmp.unlink(missing_ok=True)
        self.on_queued()
        return out

    def _copy_limited(self, stream: BinaryIO, fd: int) -> tuple[str, int]:
        sha = hashlib.sha256()
        size = 0
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > self.max_upload_bytes:
                    raise TooLargeError(
                        f"the file is larger than the limit of "
                        f"{self.max_upload_bytes // (1024 * 1024)} MB"
                    )
                sha.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        return sha.hexdigest(), size

    def list_recordings(self, account_id: int, person_id: int) -> list[RecordingDetail]:
        """A person's recordings, newest first, each with its analysis summary."""
        with self.db.read() as session:
            scoped = AccountScoped(session, account_id)
            scoped.person(person_id)
            summaries = {
                r.id: AnalysisSummary.model_validate(a)
                for r, a in scoped.analyses_for_person(person_id)
            }
            return [
                RecordingDetail.model_validate(r).model_copy(
                    update={"summary": summaries.get(r.id)}
                )
                for r in scoped.recordings(person_id)
            ]

    def get_recording(self, account_id: int, recording_id: int) -> RecordingDetail:
        with self.db.read() as session:
            return _recording_detail(AccountScoped(session, account_id), recording_id)[0]

    def recording_view(
        self, account_id: int, recording_id: int
    ) -> tuple[RecordingDetail, PersonOut, Path | None]:
        """What the recording page shows, in one session: the recording with its
        summary, its person and the report file of the latest analysis (if any)."""
        with self.db.read() as session:
            scoped = AccountScoped(session, account_id)
            detail, latest = _recording_detail(scoped, recording_id)
            person = PersonOut.model_validate(scoped.person(detail.person_id))
            path = latest.report_path if latest is not None else None
        return detail, person, Path(path) if path and Path(path).is_file() else None

    def analysis_json(self, account_id: int, recording_id: int) -> dict[str, Any]:
        """The stored analysis JSON (the ``retrowalk analyze`` contract)."""
        with self.db.read() as session:
            latest = AccountScoped(session, account_id).latest_analysis(recording_id)
            if latest is None:
                raise NotFoundError(f"Recording {recording_id} has no analysis yet")
            result: dict[str, Any] = latest.result
            return result

    def report_file(self, account_id: int, recording_id: int) -> Path | None:
        """The HTML report of the latest analysis, if one was written."""
        with self.db.read() as session:
            latest = AccountScoped(session, account_id).latest_analysis(recording_id)
            if latest is None:
                raise NotFoundError(f"Recording {recording_id} has no analysis yet")
            path = latest.report_path
        return Path(path) if path and Path(path).is_file() else None

    def recording_file(self, account_id: int, recording_id: int) -> tuple[Path, str]:
        """The original uploaded file and its name."""
        with self.db.read() as session:
            recording = AccountScoped(session, account_id).recording(recording_id)
            return Path(recording.stored_path), recording.filename

    def delete_recording(self, account_id: int, recording_id: int) -> None:
        with self.db.transaction() as session:
            files = AccountScoped(session, account_id).delete_recording(recording_id)
        self._remove_files(files)

    def reanalyse(self, account_id: int, recording_id: int) -> RecordingOut:
        """Queue a recording again (e.g. after a new analysis version)."""
        with self.db.transaction() as session:
            recording = AccountScoped(session, account_id).recording(recording_id)
            if recording.status not in ("queued", "running"):
                recording.status = "queued"
                recording.attempts = 0
                recording.error = ""
            out = RecordingOut.model_validate(recording)
        self.on_queued()
        return out
