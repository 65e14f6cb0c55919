"""What the web pages, the REST API and the CLI do with stored data.

One class, :class:`Services`, holds the database, the data directory and the
runner for heavy work. Every method that touches a user's data takes the
account id and goes through :class:`~retrowalk.store.repositories.AccountScoped`.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import secrets
import tempfile
import threading
import time
import zipfile
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError

from retrowalk.demo import (
    DEMO_HEIGHT_M,
    DEMO_PLACEMENT,
    DEMO_WEIGHT_KG,
    demo_recording_path,
)
from retrowalk.errors import InputError, RetrowalkError
from retrowalk.recording import WORN_PLACEMENTS
from retrowalk.store.db import Database
from retrowalk.store.progress import weekly
from retrowalk.store.repositories import (
    Accounts,
    AccountScoped,
    NotFoundError,
    token_needs_touch,
)
from retrowalk.store.schemas import (
    AnalysisSummary,
    NewToken,
    ObservationIn,
    ObservationOut,
    PersonIn,
    PersonOut,
    PlanIn,
    PlanOut,
    ProgressWeek,
    RecordingDetail,
    RecordingOut,
    TokenOut,
)
from retrowalk.worker import CpuRunner, InlineRunner, describe_file

__all__ = [
    "AuthError",
    "ConflictError",
    "NotFoundError",
    "RateLimitedError",
    "Services",
    "SignInLimiter",
    "TooLargeError",
]

CHUNK = 1 << 20
PLACEMENTS = ("auto", *WORN_PLACEMENTS)  # videos are recognised by content, not chosen
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 8


class AuthError(RetrowalkError):
    """Wrong email or password, or an invalid token."""


class RateLimitedError(RetrowalkError):
    """Too many failed sign-ins; ``retry_after_s`` says when to try again."""

    def __init__(self, retry_after_s: int) -> None:
        self.retry_after_s = retry_after_s
        super().__init__(f"too many failed sign-ins; try again in {retry_after_s} s")


class ConflictError(RetrowalkError):
    """The object exists already (an email, a duplicate recording)."""


class TooLargeError(RetrowalkError):
    """An upload is over the size limit."""


class SignInLimiter:
    """Counts failed sign-ins per key (email, client address) in a sliding window.

    Parameters
    ----------
    max_failures
        Failures allowed within ``window_s`` before further attempts are refused.
    window_s
        Length of the window in seconds.
    """

    def __init__(self, max_failures: int = 5, window_s: float = 300.0) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures[key]
        while times and now - times[0] > self.window_s:
            times.popleft()
        return times

    def check(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                times = self._recent(key, now)
                if len(times) >= self.max_failures:
                    raise RateLimitedError(int(self.window_s - (now - times[0])) + 1)

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


@dataclass(frozen=True)
class ExportFile:
    """A finished export on disk (the caller deletes it after sending)."""

    path: Path
    filename: str


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _safe_name(filename: str) -> str:
    name = Path(filename.replace("\\", "/")).name.strip() or "recording"
    return re.sub(r"[^A-Za-z0-9._ -]", "_", name)[:200]


class Services:
    """The shared operations on stored data.

    Parameters
    ----------
    db
        The database.
    data_dir
        Root of uploaded files (``files/``), reports (``reports/``) and temp files.
    runner
        Where reading a recording for validation runs (off the request thread).
    max_upload_bytes
        Uploads larger than this are refused.
    on_queued
        Called after a recording was queued for analysis (wakes the worker).
    hasher
        Password hasher (argon2id).
    limiter
        Failed sign-in limiter.
    """

    def __init__(
        self,
        db: Database,
        data_dir: Path,
        *,
        runner: CpuRunner | None = None,
        max_upload_bytes: int = 256 * 1024 * 1024,
        on_queued: Callable[[], None] | None = None,
        hasher: PasswordHasher | None = None,
        limiter: SignInLimiter | None = None,
    ) -> None:
        self.db = db
        self.data_dir = Path(data_dir)
        self.runner = runner or InlineRunner()
        self.max_upload_bytes = max_upload_bytes
        self.on_queued = on_queued or (lambda: None)
        self.hasher = hasher or PasswordHasher()
        self.limiter = limiter or SignInLimiter()
        for folder in ("files", "reports", "tmp"):
            (self.data_dir / folder).mkdir(parents=True, exist_ok=True)

    # -- accounts ---------------------------------------------------------------------
    def sign_up(self, email: str, password: str) -> int:
        """Create an account; return its id."""
        email = email.strip().lower()
        if not EMAIL_RE.match(email):
            raise InputError("email", "enter a valid email address")
        if len(password) < MIN_PASSWORD:
            raise InputError("password", f"use at least {MIN_PASSWORD} characters")
        digest = self.hasher.hash(password)
        try:
            with self.db.transaction() as session:
                accounts = Accounts(session)
                if accounts.by_email(email) is not None:
                    raise ConflictError("an account with this email exists already")
                return accounts.add(email, digest).id
        except IntegrityError:
            raise ConflictError("an account with this email exists already") from None

    def sign_in(self, email: str, password: str, client: str = "") -> int:
        """Check a password; return the account id.

        Raises :class:`RateLimitedError` after too many failures for this email or client.
        """
        email = email.strip().lower()
        keys = (f"email:{email}", f"client:{client}")
        self.limiter.check(*keys)
        with self.db.read() as session:
            account = Accounts(session).by_email(email)
            stored = account.password_hash if account else None
            account_id = account.id if account else None
        ok = False
        if stored is not None:
            try:
                ok = self.hasher.verify(stored, password)
            except (VerificationError, InvalidHashError):
                ok = False
        else:
            self.hasher.hash(password)  # same time whether or not the email exists
        if not ok or account_id is None:
            self.limiter.failed(*keys)
            raise AuthError("wrong email or password")
        self.limiter.succeeded(keys[0])
        return account_id

    def account_email(self, account_id: int) -> str | None:
        with self.db.read() as session:
            account = Accounts(session).get(account_id)
            return account.email if account else None

    def create_token(self, account_id: int, name: str = "") -> NewToken:
        """A new API token; the secret is only ever returned here."""
        token = "rw_" + secrets.token_urlsafe(32)
        with self.db.transaction() as session:
            row = AccountScoped(session, account_id).add_token(name[:100], _hash_token(token))
            return NewToken(id=row.id, name=row.name, token=token)

    def list_tokens(self, account_id: int) -> list[TokenOut]:
        with self.db.read() as session:
            return [TokenOut.model_validate(t) for t in AccountScoped(session, account_id).tokens()]

    def delete_token(self, account_id: int, token_id: int) -> None:
        with self.db.transaction() as session:
            AccountScoped(session, account_id).delete_token(token_id)

    def account_for_token(self, token: str) -> int | None:
        """The account of an API token, or ``None``.

        A read-only look-up (one query); the token's ``last_used_at`` is written in
        a transaction only when it is due (at most once a minute per token).
        """
        with self.db.read() as session:
            row = Accounts(session).token_by_sha256(_hash_token(token))
            if row is None:
                return None
            token_id, account_id, last_used = row.id, row.account_id, row.last_used_at
        if token_needs_touch(last_used):
            with self.db.transaction() as session:
                Accounts(session).touch_token(token_id)
        return account_id

    # -- people -----------------------------------------------------------------------
    def list_people(self, account_id: int) -> list[PersonOut]:
        with self.db.read() as session:
            return [
                PersonOut.model_validate(p) for p in AccountScoped(session, account_id).people()
            ]

    def get_person(self, account_id: int, person_id: int) -> PersonOut:
        with self.db.read() as session:
            return PersonOut.model_validate(AccountScoped(session, account_id).person(person_id))

    def create_person(self, account_id: int, data: PersonIn) -> PersonOut:
        with self.db.transaction() as session:
            person = AccountScoped(session, account_id).add_person(**data.model_dump())
            return PersonOut.model_validate(person)

    def update_person(self, account_id: int, person_id: int, data: PersonIn) -> PersonOut:
        with self.db.transaction() as session:
            person = AccountScoped(session, account_id).update_person(
                person_id, **data.model_dump()
            )
            return PersonOut.model_validate(person)

    def delete_person(self, account_id: int, person_id: int) -> None:
        """Delete a person, their recordings, analyses, observations, plans and files."""
        with self.db.transaction() as session:
            files = AccountScoped(session, account_id).delete_person(person_id)
        self._remove_files(files)

    # -- recordings -------------------------------------------------------------------
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
        if placement not in PLACEMENTS:
            raise InputError("placement", f"choose one of {', '.join(PLACEMENTS)}")
        name = _safe_name(filename)
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
            return latest.result

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

    # -- progress ---------------------------------------------------------------------
    def progress(self, account_id: int, person_id: int) -> list[ProgressWeek]:
        """Weekly backward speed, distance, cadence and steadiness of a person."""
        with self.db.read() as session:
            rows = AccountScoped(session, account_id).analyses_for_person(person_id)
            return weekly(
                (r.recorded_on, AnalysisSummary.model_validate(a).model_dump()) for r, a in rows
            )

    # -- observations and plans -------------------------------------------------------
    def list_observations(self, account_id: int, person_id: int) -> list[ObservationOut]:
        with self.db.read() as session:
            rows = AccountScoped(session, account_id).observations(person_id)
            return [ObservationOut.model_validate(o) for o in rows]

    def add_observation(
        self, account_id: int, person_id: int, data: ObservationIn
    ) -> ObservationOut:
        with self.db.transaction() as session:
            obs = AccountScoped(session, account_id).add_observation(person_id, **data.model_dump())
            return ObservationOut.model_validate(obs)

    def list_plans(self, account_id: int, person_id: int) -> list[PlanOut]:
        with self.db.read() as session:
            return [
                PlanOut.model_validate(p)
                for p in AccountScoped(session, account_id).plans(person_id)
            ]

    def add_plan(self, account_id: int, person_id: int, data: PlanIn) -> PlanOut:
        with self.db.transaction() as session:
            plan = AccountScoped(session, account_id).add_plan(person_id, **data.model_dump())
            return PlanOut.model_validate(plan)

    # -- export -----------------------------------------------------------------------
    def export_person(self, account_id: int, person_id: int) -> ExportFile:
        """All of a person's data as a zip: JSON, CSV tables, analyses and original files."""
        with self.db.read() as session:
            scoped = AccountScoped(session, account_id)
            person = PersonOut.model_validate(scoped.person(person_id))
            recordings = scoped.recordings(person_id)
            analyses = {r.id: a for r, a in scoped.analyses_for_person(person_id)}
            rec_rows = [RecordingOut.model_validate(r) for r in recordings]
            files = {r.id: (Path(r.stored_path), r.filename) for r in recordings}
            results = {rid: a.result for rid, a in analyses.items()}
            summaries = {rid: AnalysisSummary.model_validate(a) for rid, a in analyses.items()}
            observations = [
                ObservationOut.model_validate(o) for o in scoped.observations(person_id)
            ]
            plans = [PlanOut.model_validate(p) for p in scoped.plans(person_id)]
        weeks = self.progress(account_id, person_id)
        fd, tmp_name = tempfile.mkstemp(dir=self.data_dir / "tmp", suffix=".zip")
        os.close(fd)
        slug = re.sub(r"[^a-z0-9]+", "-", person.name.lower()).strip("-") or "person"
        with zipfile.ZipFile(tmp_name, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("person.json", person.model_dump_json(indent=2))
            table = []
            for rec in rec_rows:
                row = rec.model_dump(mode="json")
                summary = summaries.get(rec.id)
                row.update(summary.model_dump(mode="json") if summary else {})
                table.append(row)
            zf.writestr("recordings.json", json.dumps(table, indent=2))
            zf.writestr("recordings.csv", _csv(table))
            zf.writestr("progress_weekly.csv", _csv([w.model_dump(mode="json") for w in weeks]))
            obs = [o.model_dump(mode="json") for o in observations]
            zf.writestr("observations.json", json.dumps(obs, indent=2))
            zf.writestr(
                "observations.csv",
                _csv([{**o, "payload": json.dumps(o["payload"])} for o in obs]),
            )
            zf.writestr(
                "plans.json", json.dumps([p.model_dump(mode="json") for p in plans], indent=2)
            )
            for rid, result in results.items():
                zf.writestr(f"analyses/recording-{rid}.json", json.dumps(result, indent=2))
            for rid, (path, filename) in files.items():
                if path.is_file():
                    zf.write(path, f"recordings/{rid}-{filename}")
            for o in observations:  # photos/videos kept with observations
                if o.attachment_path and Path(o.attachment_path).is_file():
                    name = Path(o.attachment_path).name
                    zf.write(o.attachment_path, f"attachments/{o.id}-{name}")
        return ExportFile(Path(tmp_name), f"retrowalk-{slug}-{dt.date.today():%Y%m%d}.zip")

    # -- helpers ----------------------------------------------------------------------
    def _remove_files(self, files: list[str]) -> None:
        for name in files:
            path = Path(name)
            if self.data_dir in path.parents:
                path.unlink(missing_ok=True)


def _recording_detail(scoped: AccountScoped, recording_id: int) -> tuple[RecordingDetail, Any]:
    """A recording of the account with the summary of its latest analysis, and that analysis."""
    recording = scoped.recording(recording_id)
    latest = scoped.latest_analysis(recording_id, recording=recording)
    detail = RecordingDetail.model_validate(recording)
    if latest is not None:
        detail.summary = AnalysisSummary.model_validate(latest)
    return detail, latest


def _csv(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    buffer = io.StringIO()
    fields: list[str] = []
    for row in rows:
        fields += [k for k in row if k not in fields]
    writer = csv.DictWriter(buffer, fieldnames=fields)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


DEMO_EMAIL = "demo@retrowalk.local"
DEMO_PASSWORD = "backward-walk"


def seed_demo(
    services: Services,
    recording_path: Path | None = None,
    *,
    email: str = DEMO_EMAIL,
    password: str = DEMO_PASSWORD,
) -> tuple[int, int, int]:
    """Create the demo account and person and import the bundled demo recording.

    Safe to run again: an existing demo account, person or recording is reused.

    Returns
    -------
    account_id, person_id, recording_id
    """
    if recording_path is None:
        recording_path = demo_recording_path()
    try:
        account_id = services.sign_up(email, password)
    except ConflictError:
        account_id = services.sign_in(email, password, client="seed")
    people = [p for p in services.list_people(account_id) if p.name == "Demo walker"]
    person = (
        people[0]
        if people
        else services.create_person(
            account_id,
            PersonIn(
                name="Demo walker",
                kind="adult",
                height_m=DEMO_HEIGHT_M,
                weight_kg=DEMO_WEIGHT_KG,
                goals="Walk backward 10 minutes, three times a week",
            ),
        )
    )
    digest = hashlib.sha256(Path(recording_path).read_bytes()).hexdigest()
    with services.db.read() as session:
        existing = AccountScoped(session, account_id).recording_by_sha256(digest)
        existing_id = existing.id if existing else None
    if existing_id is not None:
        return account_id, person.id, existing_id
    with open(recording_path, "rb") as stream:
        recording = services.upload(
            account_id, person.id, Path(recording_path).name, stream, placement=DEMO_PLACEMENT
        )
    return account_id, person.id, recording.id
