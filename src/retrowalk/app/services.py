"""What the web pages, the REST API and the CLI do with stored data.

One class, :class:`Services`, holds the database, the data directory and the
runner for heavy work. Its operations live in topic modules — accounts
(:mod:`retrowalk.app.accounts`), uploads (:mod:`retrowalk.app.uploads`) and the
export (:mod:`retrowalk.app.export`) — and people, observations and plans live
here. Every method that touches a user's data takes the account id and goes
through :class:`~retrowalk.store.repositories.AccountScoped`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from argon2 import PasswordHasher

from retrowalk.app.accounts import AccountsMixin, AuthError, ConflictError
from retrowalk.app.demo import DEMO_HEIGHT_M, DEMO_PLACEMENT, DEMO_WEIGHT_KG, demo_recording_path
from retrowalk.app.export import ExportFile, ExportMixin
from retrowalk.app.jobs.runners import CpuRunner, InlineRunner
from retrowalk.app.signin_limit import RateLimitedError, SignInLimiter
from retrowalk.app.uploads import PLACEMENTS, RecordingsMixin, TooLargeError
from retrowalk.store.db import Database
from retrowalk.store.progress import weekly
from retrowalk.store.repositories import AccountScoped, NotFoundError, ScopedReads
from retrowalk.store.schemas import (
    AnalysisSummary,
    ObservationIn,
    ObservationOut,
    PersonIn,
    PersonOut,
    PlanIn,
    PlanOut,
    ProgressWeek,
    observation_out,
    plan_out,
)

__all__ = [
    "DEMO_EMAIL",
    "DEMO_PASSWORD",
    "PLACEMENTS",
    "AuthError",
    "ConflictError",
    "ExportFile",
    "NotFoundError",
    "RateLimitedError",
    "Services",
    "SignInLimiter",
    "TooLargeError",
    "seed_demo",
]


class Services(AccountsMixin, RecordingsMixin, ExportMixin):
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

    # -- people -----------------------------------------------------------------------
    def list_people(self, account_id: int) -> list[PersonOut]:
        with self.db.connect() as connection:
            rows = ScopedReads(connection, account_id).people()
        return [PersonOut.model_validate(p) for p in rows]

    def get_person(self, account_id: int, person_id: int) -> PersonOut:
        with self.db.connect() as connection:
            row = ScopedReads(connection, account_id).person(person_id)
        return PersonOut.model_validate(row)

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

    # -- progress ---------------------------------------------------------------------
    def progress(self, account_id: int, person_id: int) -> list[ProgressWeek]:
        """Weekly backward speed, distance, cadence and steadiness of a person."""
        with self.db.connect() as connection:
            rows = ScopedReads(connection, account_id).person_recordings(person_id)
        analysed = sorted(
            (row for row in rows if row.analysis_id is not None),
            key=lambda row: (row.recorded_on, row.id),
        )
        return weekly(
            (row.recorded_on, AnalysisSummary.model_validate(row).model_dump()) for row in analysed
        )

    # -- observations and plans -------------------------------------------------------
    def list_observations(
        self, account_id: int, person_id: int, *, include_malformed: bool = False
    ) -> list[ObservationOut]:
        """A person's observations, oldest first.

        Malformed ones (payload not matching its kind) only with
        ``include_malformed``, each with its ``problem``, so they can be deleted.
        """
        with self.db.read() as session:
            rows = AccountScoped(session, account_id).observations(
                person_id, include_malformed=include_malformed
            )
            return [observation_out(o) for o in rows]

    def delete_observation(self, account_id: int, observation_id: int) -> None:
        """Delete an observation (any kind, malformed too) and its photo or video."""
        with self.db.transaction() as session:
            path = AccountScoped(session, account_id).delete_observation(observation_id)
        self._remove_files([path] if path else [])

    def add_observation(
        self, account_id: int, person_id: int, data: ObservationIn
    ) -> ObservationOut:
        with self.db.transaction() as session:
            obs = AccountScoped(session, account_id).add_observation(person_id, **data.model_dump())
            return observation_out(obs)

    def list_plans(
        self, account_id: int, person_id: int, *, include_malformed: bool = False
    ) -> list[PlanOut]:
        """A person's plans, oldest first (malformed ones only with ``include_malformed``)."""
        with self.db.read() as session:
            rows = AccountScoped(session, account_id).plans(
                person_id, include_malformed=include_malformed
            )
            return [plan_out(p) for p in rows]

    def delete_plan(self, account_id: int, plan_id: int) -> None:
        with self.db.transaction() as session:
            AccountScoped(session, account_id).delete_plan(plan_id)

    def add_plan(self, account_id: int, person_id: int, data: PlanIn) -> PlanOut:
        with self.db.transaction() as session:
            plan = AccountScoped(session, account_id).add_plan(person_id, **data.model_dump())
            return plan_out(plan)

    # -- helpers ----------------------------------------------------------------------
    def _remove_files(self, files: list[str]) -> None:
        for name in files:
            path = Path(name)
            if self.data_dir in path.parents:
                path.unlink(missing_ok=True)


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
