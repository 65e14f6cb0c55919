"""Uploaded recordings: storing, listing, reading back and deleting them.

:class:`RecordingsMixin` is part of :class:`retrowalk.app.services.Services`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import secrets
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any, BinaryIO

from sqlalchemy.exc import IntegrityError

from retrowalk.app.jobs.runners import CpuRunner
from retrowalk.app.jobs.worker import describe_file
from retrowalk.app.reanalysis import WAITING
from retrowalk.core.errors import InputError, RetrowalkError
from retrowalk.core.recording import WORN_PLACEMENTS
from retrowalk.store.db import Database
from retrowalk.store.models import with_queue_reason
from retrowalk.store.repositories import (
    PERSON_COLUMNS,
    AccountScoped,
    NotFoundError,
    ScopedReads,
)
from retrowalk.store.schemas import (
    AnalysisSummary,
    BoutLabelOut,
    MeasureChange,
    PersonOut,
    RecordingDetail,
    RecordingOut,
)

__all__ = [
    "PLACEMENTS",
    "FileMissingError",
    "IncomingFile",
    "RecordingsMixin",
    "TooLargeError",
    "safe_name",
]

CHUNK = 1 << 20
PLACEMENTS = ("auto", *WORN_PLACEMENTS)  # videos are recognised by content, not chosen


class TooLargeError(RetrowalkError):
    """An upload is over the size limit."""


class FileMissingError(NotFoundError):
    """A recording's stored file is no longer on disk (answered with 404 and what to do)."""

    def __init__(self, recording_id: int) -> None:
        super().__init__(
            f"the stored file of recording {recording_id} is missing from the server; "
            "delete this recording and upload the file again"
        )


def safe_name(filename: str) -> str:
    """The last path component of an uploaded file name, with unusual characters replaced."""
    name = Path(filename.replace("\\", "/")).name.strip() or "recording"
    return re.sub(r"[^A-Za-z0-9._ -]", "_", name)[:200]


class IncomingFile:
    """An upload being received: a temp file of its own, hashed and counted as written.

    Parameters
    ----------
    tmp_dir
        Folder of the temp file (on the same file system as the stored files, so
        that moving it into place is an atomic rename).
    filename
        The name the client gave (only its cleaned last component is kept).
    max_bytes
        More bytes than this raise :class:`TooLargeError` at once.
    """

    def __init__(self, tmp_dir: Path, filename: str, max_bytes: int) -> None:
        self.name = safe_name(filename)
        self.suffix = re.sub(r"[^A-Za-z0-9.]", "", "".join(Path(self.name).suffixes[-2:]))[:20]
        self.max_bytes = max_bytes
        tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-", suffix=self.suffix)
        self.path = Path(tmp_name)
        self.size = 0
        self._sha = hashlib.sha256()
        self._out: BinaryIO | None = os.fdopen(fd, "wb")

    def write(self, data: bytes) -> None:
        """Append bytes; over the limit the file is removed and :class:`TooLargeError` raised."""
        if self._out is None:
            raise RuntimeError("the upload is closed")
        self.size += len(data)
        if self.size > self.max_bytes:
            self.discard()
            raise TooLargeError(
                f"the file is larger than the limit of {self.max_bytes // (1024 * 1024)} MB"
            )
        self._sha.update(data)
        self._out.write(data)

    def finish(self) -> None:
        """Flush the bytes to disk (once all were written)."""
        if self._out is not None:
            self._out.flush()
            os.fsync(self._out.fileno())
            self._out.close()
            self._out = None

    @property
    def digest(self) -> str:
        """SHA-256 of the bytes written (hex)."""
        return self._sha.hexdigest()

    def discard(self) -> None:
        """Close and remove the temp file (nothing if it was moved into place)."""
        if self._out is not None:
            self._out.close()
            self._out = None
        self.path.unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    """Make a rename into ``folder`` durable."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _video_fields(
    floor_marks: str | None, floor_distance_m: str | None, proportions: str | None
) -> tuple[dict[str, Any], Any]:
    """The stored columns of a video's floor marks and proportions, and their options.

    Nothing given: empty columns and ``None`` (the video package is not loaded).
    """
    if not any((text or "").strip() for text in (floor_marks, floor_distance_m, proportions)):
        return {"floor_marks_px": "", "floor_distance_m": None, "proportions": ""}, None
    from retrowalk.video.options import video_options_fields, video_options_from_form

    video = video_options_from_form(floor_marks, floor_distance_m, proportions)
    return video_options_fields(video), video


def _check_video_fields(video: Any, info: dict[str, Any]) -> None:
    """Floor marks and proportions fit a video only, and the marks lie inside its frame."""
    from retrowalk.video.options import check_floor_marks

    if info["format"] != "video":
        field = "floor_marks" if video.floor_points_px is not None else "proportions"
        raise InputError(field, "applies to videos only")
    if info.get("frame_size"):
        check_floor_marks(video, *info["frame_size"])


def recording_detail(row: Any) -> RecordingDetail:
    """A recording row of :class:`ScopedReads` as the API's detail (with its summary)."""
    detail = RecordingDetail.model_validate(row)
    if row.analysis_id is not None:
        detail.summary = AnalysisSummary.model_validate(row)
        columns = row._mapping
        if "p_height_m" in columns:  # the person's measures of now are in the row
            from retrowalk.app.analyse import stored_measures_changed

            person = SimpleNamespace(
                height_m=columns["p_height_m"], weight_kg=columns["p_weight_kg"]
            )
            detail.measures_changed = [
                MeasureChange.model_validate({"measure": name, "used": used, "now": now})
                for name, used, now in stored_measures_changed(person, detail.summary)
            ]
    return detail


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

    def start_upload(self, account_id: int, person_id: int, filename: str) -> IncomingFile:
        """Begin receiving an upload for a person of the account (checked before any byte).

        Raises
        ------
        NotFoundError
            When the person is not one of the account's.
        """
        self.get_person(account_id, person_id)
        return IncomingFile(self.data_dir / "tmp", filename, self.max_upload_bytes)

    def upload(
        self,
        account_id: int,
        person_id: int,
        filename: str,
        stream: BinaryIO,
        *,
        recorded_on: dt.date | None = None,
        placement: str = "auto",
        columns: str = "",
        **video: str,
    ) -> RecordingOut:
        """Store an uploaded recording read from ``stream`` and queue its analysis.

        See :meth:`store_upload`; the web app streams request bodies into
        :meth:`start_upload` instead.
        """
        if placement not in PLACEMENTS:
            raise InputError("placement", f"choose one of {', '.join(PLACEMENTS)}")
        incoming = self.start_upload(account_id, person_id, filename)
        try:
            while chunk := stream.read(CHUNK):
                incoming.write(chunk)
        except BaseException:
            incoming.discard()
            raise
        return self.store_upload(
            account_id,
            person_id,
            incoming,
            recorded_on=recorded_on,
            placement=placement,
            columns=columns,
            **video,
        )

    def store_upload(
        self,
        account_id: int,
        person_id: int,
        incoming: IncomingFile,
        *,
        recorded_on: dt.date | None = None,
        placement: str = "auto",
        columns: str = "",
        floor_marks: str | None = "",
        floor_distance_m: str | None = "",
        proportions: str | None = "",
    ) -> RecordingOut:
        """Check, store and queue a received upload; its temp file is gone afterwards.

        The recording's date is ``recorded_on`` when given (``date_source``
        ``user``), else the file's own start date (``file``); a file without a
        date and no date given is stored as ``unknown`` (dated on the upload day
        until the user sets it, and left out of progress until then).
        ``columns`` names the columns of a table without a header line
        (``time_ns,_,acc_x,acc_y,acc_z``); they are kept for reanalysis.
        Videos only: ``floor_marks`` (``x1,y1,x2,y2``, pixels of the first frame)
        ``floor_distance_m`` apart give speed in metres, ``proportions``
        (``child``, ``adult`` or empty: from the age) the body model; they are
        checked against the video's frame and kept for reanalysis
        (:func:`retrowalk.video.options.video_options_from_form`).

        The file is read with the recording readers (a bad file raises
        :class:`InputError` and nothing is stored), renamed atomically to a name
        no other upload can have, and recorded in one transaction. When two
        uploads of the same file race, the loser removes only its own file and
        gets :class:`ConflictError`.
        """
        from retrowalk.app.accounts import ConflictError

        name = incoming.name
        final: Path | None = None
        try:
            if placement not in PLACEMENTS:
                raise InputError("placement", f"choose one of {', '.join(PLACEMENTS)}")
            video_fields, video = _video_fields(floor_marks, floor_distance_m, proportions)
            incoming.finish()
            if incoming.size == 0:
                raise InputError(name, "the file is empty")
            digest = incoming.digest
            with self.db.read() as session:
                existing = AccountScoped(session, account_id).recording_by_sha256(digest)
                if existing is not None:
                    raise ConflictError(
                        f"{name}: this file was uploaded already (as '{existing.filename}', "
                        f"recorded {existing.recorded_on}); to analyse it with other settings, "
                        "delete that recording first"
                    )
            columns = " ".join(columns.split())[:500]
            info = self.runner.call(describe_file, str(incoming.path), placement, columns or None)
            if not info["ok"]:
                raise InputError(name, info["reason"], line=info["line"], field=info["field"])
            if video is not None:
                _check_video_fields(video, info)
            folder = self.data_dir / "files" / str(account_id)
            folder.mkdir(parents=True, exist_ok=True)
            # Unique per upload: a racing upload of the same bytes never shares it.
            final = folder / f"{digest[:32]}-{secrets.token_hex(8)}{incoming.suffix}"
            os.replace(incoming.path, final)
            _fsync_dir(folder)
            if recorded_on is not None:
                day, date_source = recorded_on, "user"
            elif info["start_date"]:
                day, date_source = dt.date.fromisoformat(info["start_date"]), "file"
            else:
                day, date_source = dt.date.today(), "unknown"
            with self.db.transaction() as session:
                recording = AccountScoped(session, account_id).add_recording(
                    person_id,
                    filename=name,
                    stored_path=str(final),
                    sha256=digest,
                    size_bytes=incoming.size,
                    format=str(info["format"])[:100],
                    duration_s=info["duration_s"],
                    placement=placement,
                    recorded_on=day,
                    date_source=date_source,
                    columns=columns,
                    **video_fields,
                    status="queued",
                    queued_for="upload",
                )
                out = RecordingOut.model_validate(recording)
        except IntegrityError:
            if final is not None:
                final.unlink(missing_ok=True)  # our own file: no row points to it
            raise ConflictError(f"{name}: this file was uploaded already") from None
        except BaseException:
            if final is not None:
                final.unlink(missing_ok=True)
            raise
        finally:
            incoming.discard()
        self.on_queued()
        return out

    def list_recordings(self, account_id: int, person_id: int) -> list[RecordingDetail]:
        """A person's recordings, newest first, each with its analysis summary (one query)."""
        with self.db.connect() as connection:
            rows = ScopedReads(connection, account_id).person_recordings(person_id)
        return [recording_detail(row) for row in rows]

    def get_recording(self, account_id: int, recording_id: int) -> RecordingDetail:
        with self.db.connect() as connection:
            row = ScopedReads(connection, account_id).recording_view(recording_id)
        return recording_detail(row)

    def recording_view(
        self, account_id: int, recording_id: int
    ) -> tuple[RecordingDetail, PersonOut, Path | None]:
        """What the recording page shows, in one query: the recording with its
        summary, its person and the report file of the latest analysis (if any)."""
        with self.db.connect() as connection:
            row = ScopedReads(connection, account_id).recording_view(recording_id)
        person = PersonOut(**{name: row._mapping[f"p_{name}"] for name in PERSON_COLUMNS})
        path = row.report_path
        return recording_detail(row), person, Path(path) if path and Path(path).is_file() else None

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
        with self.db.connect() as connection:
            row = ScopedReads(connection, account_id).recording_view(recording_id)
        if row.analysis_id is None:
            raise NotFoundError(f"Recording {recording_id} has no analysis yet")
        path = row.report_path
        return Path(path) if path and Path(path).is_file() else None

    def recording_file(self, account_id: int, recording_id: int) -> tuple[Path, str]:
        """The original uploaded file and its name."""
        with self.db.read() as session:
            recording = AccountScoped(session, account_id).recording(recording_id)
            path, filename = Path(recording.stored_path), recording.filename
        if not path.is_file():
            raise FileMissingError(recording_id)
        return path, filename

    def delete_recording(self, account_id: int, recording_id: int) -> None:
        with self.db.transaction() as session:
            files = AccountScoped(session, account_id).delete_recording(recording_id)
        self._remove_files(files)

    def set_recording_date(self, account_id: int, recording_id: int, day: dt.date) -> RecordingOut:
        """Set the day a recording was made (history and progress follow it)."""
        with self.db.transaction() as session:
            recording = AccountScoped(session, account_id).set_recording_date(recording_id, day)
            return RecordingOut.model_validate(recording)

    def bout_labels(self, account_id: int, recording_id: int) -> list[BoutLabelOut]:
        """The user's hand labels of a recording's bouts, in time order."""
        with self.db.read() as session:
            rows = AccountScoped(session, account_id).bout_labels(recording_id)
            return [BoutLabelOut.model_validate(r) for r in rows]

    def label_bout(
        self, account_id: int, recording_id: int, start_s: float, end_s: float, label: str
    ) -> BoutLabelOut:
        """Store what the user says a bout was and reanalyse the recording with it.

        ``label`` is ``forward``, ``backward`` or ``not_walking``; the span is
        the bout's as shown (see :mod:`retrowalk.summary.labels` for how a
        later analysis finds its bout).
        """
        with self.db.transaction() as session:
            row = AccountScoped(session, account_id).set_bout_label(
                recording_id, start_s, end_s, label
            )
            out = BoutLabelOut.model_validate(row)
        self.reanalyse(account_id, recording_id, reason="labels")
        return out

    def unlabel_bout(self, account_id: int, recording_id: int, label_id: int) -> None:
        """Remove a hand label and reanalyse (the bout gets its detected direction back)."""
        with self.db.transaction() as session:
            AccountScoped(session, account_id).delete_bout_label(recording_id, label_id)
        self.reanalyse(account_id, recording_id, reason="labels")

    def reanalyse(
        self, account_id: int, recording_id: int, *, reason: str = "asked"
    ) -> RecordingOut:
        """Queue a recording again (e.g. after a new analysis version, a hand label).

        A recording being analysed is queued again too: that analysis read the
        recording's labels and settings when it started, so it is stored when it
        ends and the recording is then analysed once more, as it now stands.
        ``reason`` (one of :data:`~retrowalk.store.models.QUEUE_REASONS`) is kept
        with the reasons it already waits for: stopping an upgrade's run leaves a
        recording queued for anything else waiting.
        """
        with self.db.transaction() as session:
            recording = AccountScoped(session, account_id).recording(recording_id)
            if not Path(recording.stored_path).is_file():
                raise FileMissingError(recording_id)
            waiting_for = recording.queued_for if recording.status in WAITING else ""
            recording.queued_for = with_queue_reason(waiting_for, reason)
            if recording.status != "queued":
                recording.status = "queued"
                recording.attempts = 0
                recording.error = ""
            out = RecordingOut.model_validate(recording)
        self.on_queued()
        return out

    def analysing_with_other_measures(
        self, account_id: int, person_id: int, listed: Sequence[RecordingDetail]
    ) -> dict[int, bool]:
        """The person's recordings being analysed now, by id: whether that analysis uses
        body measures that differ from the person's now (started before they were
        changed), as what it was started with says; one whose analysis is not set up yet
        (or that started before that was kept) counts as using them if its shown analysis
        did (``listed``: the person's :meth:`list_recordings`, which the caller holds)."""
        from retrowalk.app.analyse import started_with_other_measures

        with self.db.read() as session:
            scoped = AccountScoped(session, account_id)
            person = scoped.person(person_id)
            running = scoped.person_running(person_id)
            found = {r.id: started_with_other_measures(person, r.started_with) for r in running}
        shown = {r.id: bool(r.measures_changed) for r in listed}
        return {
            rid: shown.get(rid, False) if other is None else other for rid, other in found.items()
        }

    def reanalyse_measures_changed(self, account_id: int, person_id: int) -> list[int]:
        """Queue again each recording of the person whose shown analysis used body
        measures that differ from the person's now (``measures_changed``); those whose
        uploaded file is gone keep their analysis. One already queued (an upgrade's run,
        its own Analyse again) is queued for the measures too, so that stopping the run
        leaves it waiting. One being analysed with measures since changed
        (:meth:`analysing_with_other_measures`) is queued again behind that analysis;
        one being analysed with the measures of now is not. The ids queued."""
        queued = []
        listed = self.list_recordings(account_id, person_id)
        running = self.analysing_with_other_measures(account_id, person_id, listed)
        for recording in listed:
            again = recording.measures_changed and recording.status in ("done", "queued")
            if again or running.get(recording.id, False):
                try:
                    self.reanalyse(account_id, recording.id, reason="measures")
                except FileMissingError:
                    continue
                queued.append(recording.id)
        return queued
