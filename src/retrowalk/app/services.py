"""What the web pages, the REST API and the CLI do with stored data.

One class, :class:`Services`, holds the database, the data directory and the
runner for heavy work. Its operations live in topic modules — accounts
(:mod:`retrowalk.app.accounts`), uploads (:mod:`retrowalk.app.uploads`) and the
export (:mod:`retrowalk.app.export`) and analysing again what an earlier engine
analysed (:mod:`retrowalk.app.reanalysis`) — and people, observations and plans
live here. Every method that touches a user's data takes the account id and goes
through :class:`~retrowalk.store.repositories.AccountScoped`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections import Counter
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher

from retrowalk.app.accounts import AccountsMixin, AuthError, ConflictError
from retrowalk.app.demo import (
    DAILY_LIFE_HEIGHT_M,
    DAILY_LIFE_WEIGHT_KG,
    DEMO_FILE_NAME,
    DEMO_PLACEMENT,
    DEMO_SESSIONS,
    daily_life_profile,
    demo_profile,
    demo_recording_path,
    session_csv,
)
from retrowalk.app.export import ExportFile, ExportMixin
from retrowalk.app.jobs.runners import CpuRunner, InlineRunner
from retrowalk.app.reanalysis import ReanalysisMixin
from retrowalk.app.signin_limit import RateLimitedError, SignInLimiter
from retrowalk.app.uploads import PLACEMENTS, IncomingFile, RecordingsMixin, TooLargeError
from retrowalk.core import provenance
from retrowalk.core.errors import InputError
from retrowalk.store.db import Database
from retrowalk.store.progress import week_start, weekly
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
    RecordingDetail,
    observation_out,
    plan_out,
)
from retrowalk.summary.progress import in_weeks

__all__ = [
    "CALIBRATION_USE",
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

#: How a person's analysed recordings stand to the calibration of their placement
#: (:meth:`Services.calibration_use`).
CALIBRATION_USE = ("used", "worn_otherwise", "without", "waiting")


class Services(AccountsMixin, RecordingsMixin, ExportMixin, ReanalysisMixin):
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
        from retrowalk.app.calibration import profile_store_dir

        with self.db.transaction() as session:
            files = AccountScoped(session, account_id).delete_person(person_id)
        self._remove_files(files)
        profiles = profile_store_dir(person_id, self.data_dir)
        kept = [*profiles.glob("*.json"), *profiles.glob("earlier/*.json")]
        self._remove_files([str(p) for p in kept] if profiles.is_dir() else [])

    # -- progress ---------------------------------------------------------------------
    def progress(
        self, account_id: int, person_id: int, *, leave_out: Collection[int] = ()
    ) -> list[ProgressWeek]:
        """Weekly backward speed, distance, cadence and steadiness of a person.

        Recordings whose date is unknown (a file without a date, none given yet)
        are left out until the user sets their date. Each week counts its
        recordings analysed by another engine version (``older_engine_recordings``):
        its numbers then mix two engines'. The coach's weekly view takes its
        recordings' weeks from here too, leaving out (``leave_out``, recording ids)
        those a training log stands for.
        """
        with self.db.connect() as connection:
            rows = ScopedReads(connection, account_id).person_recordings(person_id)
        analysed = sorted(
            (
                row
                for row in rows
                if row.analysis_id is not None
                and in_weeks(row.date_source)
                and row.id not in leave_out
            ),
            key=lambda row: (row.recorded_on, row.id),
        )
        weeks = weekly(
            (row.recorded_on, AnalysisSummary.model_validate(row).model_dump()) for row in analysed
        )
        engine = provenance.engine_version()
        older = Counter(
            week_start(row.recorded_on) for row in analysed if row.analysis_version != engine
        )
        for week in weeks:
            week.older_engine_recordings = older[week.week_start]
        return weeks

    def undated_recordings(self, account_id: int, person_id: int) -> list[RecordingDetail]:
        """A person's analysed recordings whose date is unknown, oldest first: left out of
        the weeks of progress and of the coach's view until their date is set."""
        recordings = self.list_recordings(account_id, person_id)
        return sorted(
            (r for r in recordings if r.summary is not None and not in_weeks(r.date_source)),
            key=lambda r: r.id,
        )

    # -- direction calibration ----------------------------------------------------------
    def calibrations(self, account_id: int, person_id: int) -> list[dict[str, Any]]:
        """A person's stored direction calibrations, one per placement (see
        :func:`retrowalk.app.calibration.describe_profile`); one whose file cannot be
        read (damaged, cut short) is listed too, with ``readable`` false (see
        :func:`~retrowalk.app.calibration.describe_unreadable`), to be deleted."""
        from retrowalk.app import calibration

        self.get_person(account_id, person_id)
        profiles, unreadable = calibration.read_stored_profiles(person_id, self.data_dir)
        found = [calibration.describe_profile(p) for p in profiles.values()]
        found += [calibration.describe_unreadable(u) for u in unreadable.values()]
        return sorted(found, key=lambda c: str(c["placement"]))

    def calibrate_upload(
        self,
        account_id: int,
        person_id: int,
        incoming: IncomingFile,
        *,
        placement: str = "auto",
        labels: str = "forward, backward",
        columns: str = "",
    ) -> dict[str, Any]:
        """Fit a person's calibration from an uploaded labelled walk (the file is not kept).

        Returns the outcome of :func:`retrowalk.app.calibration_walk.fit_walk` with,
        when it worked, ``calibration`` (:func:`describe_profile` of the stored
        profile) and ``replaced`` (the one it replaced, kept among the earlier
        calibrations with its ``name``; None when there was none).
        """
        from retrowalk.app.calibration_walk import fit_walk

        self.get_person(account_id, person_id)
        try:
            _check_placement(placement)
            incoming.finish()
            if incoming.size == 0:
                raise InputError(incoming.name, "the file is empty")
            out = self.runner.call(
                fit_walk, str(incoming.path), placement, labels, columns or None, incoming.name
            )
        finally:
            incoming.discard()
        out["filename"] = incoming.name
        return self._store_calibration(person_id, out)

    def calibrate_recording(
        self,
        account_id: int,
        person_id: int,
        recording_id: int,
        *,
        labels: str,
        placement: str = "",
    ) -> dict[str, Any]:
        """Fit a person's calibration from one of their stored recordings (see
        :meth:`calibrate_upload`); ``placement`` defaults to the recording's."""
        from retrowalk.app.calibration_walk import fit_walk

        recording = self.get_recording(account_id, recording_id)
        if recording.person_id != person_id:
            raise NotFoundError(f"Recording {recording_id} not found")
        path, filename = self.recording_file(account_id, recording_id)  # or FileMissingError
        if placement:
            _check_placement(placement)
        out = self.runner.call(
            fit_walk,
            str(path),
            placement or recording.placement,
            labels,
            recording.columns or None,
            filename,
        )
        out["filename"] = filename
        return self._store_calibration(person_id, out)

    def _store_calibration(self, person_id: int, out: dict[str, Any]) -> dict[str, Any]:
        """Store a fitted calibration as the one used for its placement; the one it
        replaces is kept among the earlier ones (restorable), never lost. One in use
        that cannot be read is never replaced: the walk is refused, saying so (``reason``
        and ``unreadable``, its placement), and nothing is written."""
        from dataclasses import replace

        from retrowalk.app import calibration

        if not out["ok"]:
            return out
        from retrowalk.gait.calibration import DirectionProfile

        profile = replace(DirectionProfile.from_dict(out["profile"]), made_from=out["filename"])
        stored, unreadable = calibration.read_stored_profiles(person_id, self.data_dir)
        if profile.placement in unreadable:
            reason = _unreadable_in_use(profile.placement, "calibrate again")
            return {"ok": False, "reason": reason, "bouts": [], "unreadable": profile.placement}
        before = stored.get(profile.placement)
        kept = calibration.store_profile_keeping_earlier(profile, person_id, self.data_dir)
        out["profile"] = profile.to_dict()
        out["replaced"] = {**calibration.describe_profile(before), "name": kept} if before else None
        out["calibration"] = calibration.describe_profile(profile)
        return out

    def earlier_calibrations(self, account_id: int, person_id: int) -> list[dict[str, Any]]:
        """A person's calibrations that newer ones replaced, newest first: each as
        :func:`~retrowalk.app.calibration.describe_profile` with its ``name``; those whose
        file cannot be read after them, with ``readable`` false, to be deleted."""
        from retrowalk.app import calibration

        self.get_person(account_id, person_id)
        found, unreadable = calibration.read_earlier_profiles(person_id, self.data_dir)
        return [
            *({**calibration.describe_profile(p), "name": name} for name, p in found),
            *({**calibration.describe_unreadable(u), "name": u.name} for u in unreadable),
        ]

    def restore_calibration(
        self, account_id: int, person_id: int, name: str
    ) -> dict[str, Any] | None:
        """Use the earlier calibration ``name`` again for its placement (the one in use
        is kept among the earlier ones); its description, or None when none is kept
        under that name.

        Raises
        ------
        ConflictError
            If that earlier calibration, or the one in use for its placement, cannot
            be read (nothing is changed; deleting it is what can be done).
        """
        from retrowalk.app import calibration

        self.get_person(account_id, person_id)
        found, unreadable = calibration.read_earlier_profiles(person_id, self.data_dir)
        if any(u.name == name for u in unreadable):
            raise ConflictError(
                f"the earlier calibration {name} {calibration.UNREADABLE}, so it cannot be "
                "used again; delete it"
            )
        wanted = dict(found).get(name)
        if wanted is None:
            return None
        _, in_use = calibration.read_stored_profiles(person_id, self.data_dir)
        if wanted.placement in in_use:
            raise ConflictError(_unreadable_in_use(wanted.placement, "use the earlier one again"))
        profile = calibration.restore_earlier_profile(name, person_id, self.data_dir)
        return calibration.describe_profile(profile) if profile is not None else None

    def remove_earlier_calibration(self, account_id: int, person_id: int, name: str) -> bool:
        """Delete the earlier calibration ``name`` of a person (one that cannot be read
        too); whether there was one."""
        from retrowalk.app import calibration

        self.get_person(account_id, person_id)
        return calibration.remove_earlier_profile(name, person_id, self.data_dir)

    def remove_calibration(self, account_id: int, person_id: int, placement: str) -> bool:
        """Delete a person's calibration of ``placement`` (one that cannot be read too);
        whether there was one."""
        from retrowalk.app import calibration

        self.get_person(account_id, person_id)
        if placement not in calibration.CALIBRATION_PLACEMENTS:
            raise InputError(
                "placement", f"choose one of {', '.join(calibration.CALIBRATION_PLACEMENTS)}"
            )
        return calibration.remove_stored_profile(placement, person_id, self.data_dir)

    def calibration_use(self, account_id: int, person_id: int) -> dict[str, dict[str, list]]:
        """The person's analysed recordings by placement, by what their latest analysis used.

        Per placement: ``used``, the calibration now stored for it (their reports
        name it); ``worn_otherwise``, offered that calibration but worn another way
        than at it, so it decided no bout (their reports say why; analysing them
        again changes nothing); ``without``, none or another one (``calibrated``
        says which); ``waiting``, queued or being analysed again (the new analysis
        is not in yet). One queued by an upgrade's run alone counts by its analysis as
        the others: stopping the run would cancel it, so it is not waiting for the
        calibration until queued for it too. So does one being analysed with another
        calibration of its placement than the one stored now (started before it was
        made, restored or removed; or started with what is not known): that analysis
        would not use it, so the button queues it again behind it.
        """
        from retrowalk.app import calibration
        from retrowalk.app.reanalysis import WAITING, run_only
        from retrowalk.summary.contract import calibration_status

        stored, _ = calibration.read_stored_profiles(person_id, self.data_dir)
        current = {placement: profile.created_at for placement, profile in stored.items()}
        use: dict[str, dict[str, list]] = {}
        # One query, reading of each analysis' JSON only the two fields looked at.
        with self.db.read() as session:
            rows = AccountScoped(session, account_id).direction_profiles(person_id)
        for r in rows:
            placement = "" if r.placement is None else str(r.placement)
            offered = r.direction_profile if isinstance(r.direction_profile, dict) else {}
            made = offered.get("created_at", "")
            row = {
                "id": r.id,
                "filename": r.filename,
                "recorded_on": r.recorded_on,
                "date_source": r.date_source,
                "calibrated": bool(made),
            }
            if r.status in WAITING and not (
                (r.status == "queued" and run_only(r.queued_for))
                or (
                    r.status == "running" and _started_otherwise(r.started_with, placement, current)
                )
            ):
                kind = "waiting"
            elif made and made == current.get(placement):
                unused = calibration_status({"direction_profile": offered}) == "not used"
                kind = "worn_otherwise" if unused else "used"
            else:
                kind = "without"
            lists = use.setdefault(placement, {kind: [] for kind in CALIBRATION_USE})
            lists[kind].append(row)
        return use

    def calibration_superseded(
        self, account_id: int, person_id: int, offered: dict[str, Any]
    ) -> bool:
        """Whether the calibration an analysis of the person was offered
        (``assumptions.direction_profile``) is no longer the one in use for its placement:
        replaced by a newer one, or removed. One named without its day (the stored one
        could not be read) is not told apart, and counts as in use."""
        from retrowalk.app import calibration

        if not offered.get("created_at"):
            return False
        self.get_person(account_id, person_id)
        return _superseded(offered, *calibration.read_stored_profiles(person_id, self.data_dir))

    def calibrations_in_weeks(self, account_id: int, person_id: int) -> dict[str, Any]:
        """The direction calibrations the analyses that progress adds up were offered
        (the recordings in its weeks: their date known), as the progress page names them.

        ``used``: one entry per calibration that decided some walking direction
        (``placement``, ``made``: when it was made, as the pages say it, ``superseded``:
        no longer the one in use, and the ``recordings`` it did that for); ``not_used``:
        each recording offered one that decided none, with that calibration's
        ``placement``, ``made`` and ``superseded`` and ``why`` (as its recording's page
        says it), oldest recording first; ``without``: how many were offered none (their
        directions come from the built-in rules); ``would_tell``: those of them whose
        uncertain walking a calibration would tell
        (:func:`~retrowalk.app.calibration.calibration_would_tell`, as their recording's
        page decides it from their uncertain bouts' reasons), oldest first.
        """
        from retrowalk.app import calibration
        from retrowalk.report.content import calibration_not_used_reason
        from retrowalk.report.display import made_when
        from retrowalk.summary.contract import calibration_status

        with self.db.read() as session:
            scoped = AccountScoped(session, account_id)
            rows = [r for r in scoped.direction_profiles(person_id) if in_weeks(r.date_source)]
            # the bouts only of those a calibration could serve and none was offered to
            bouts = scoped.analysis_parts(
                [
                    r.id
                    for r in rows
                    if not r.direction_profile and r.placement in calibration.CALIBRATION_PLACEMENTS
                ],
                ["bouts"],
            )
        stored = calibration.read_stored_profiles(person_id, self.data_dir)
        used: dict[tuple[str, str], dict[str, Any]] = {}
        not_used: list[dict[str, Any]] = []
        would_tell: list[dict[str, Any]] = []
        without = 0
        for row in rows:
            profile = row.direction_profile
            recording = {"id": row.id, "filename": row.filename, "recorded_on": row.recorded_on}
            if not isinstance(profile, dict) or not profile:
                without += 1
                reasons = (
                    str(b.get("direction_reason") or "")
                    for b in bouts.get(row.id, {}).get("bouts", [])
                    if b.get("direction") == "uncertain"
                )
                if calibration.calibration_would_tell(str(row.placement), False, reasons):
                    would_tell.append(recording)
                continue
            placement = str(profile.get("placement") or "")
            made = made_when(str(profile.get("created_at") or ""))
            named = {
                "placement": placement.replace("_", " "),
                "made": made,
                "superseded": _superseded(profile, *stored),
            }
            if calibration_status({"direction_profile": profile}) == "not used":
                why = calibration_not_used_reason(profile)
                not_used.append({**recording, **named, "why": why})
            else:
                entry = used.setdefault((placement, made), {**named, "recordings": []})
                entry["recordings"].append(recording)
        return {
            "used": list(used.values()),
            "not_used": not_used,
            "without": without,
            "would_tell": would_tell,
        }

    def reanalyse_placement(
        self, account_id: int, person_id: int, placement: str
    ) -> tuple[int, int]:
        """Queue again the recordings of a person analysed at ``placement`` not as its
        calibration now stands: without the one stored, or with one since removed (not
        those already waiting for it; one an upgrade's run alone queued is queued for the
        calibration too, so that stopping the run leaves it waiting); how many were
        queued, and how many could not be as their stored file is missing (the others
        are queued all the same)."""
        from retrowalk.app import calibration
        from retrowalk.app.uploads import FileMissingError

        current = calibration.read_stored_profiles(person_id, self.data_dir)[0].get(placement)
        use = self.calibration_use(account_id, person_id).get(placement, {})
        ids = [r["id"] for r in use.get("without", []) if current is not None or r["calibrated"]]
        missing = 0
        for recording_id in ids:
            try:
                self.reanalyse(account_id, recording_id, reason="calibration")
            except FileMissingError:
                missing += 1
        return len(ids) - missing, missing

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
DEMO_PERSON = "Demo walker"
DAILY_LIFE_PERSON = "Daily-life example (forward only)"


def _demo_person(services: Services, account_id: int, data: PersonIn) -> PersonOut:
    found = [p for p in services.list_people(account_id) if p.name == data.name]
    return found[0] if found else services.create_person(account_id, data)


def _demo_upload(
    services: Services,
    account_id: int,
    person_id: int,
    name: str,
    content: bytes,
    recorded_on: dt.date,
) -> int:
    """Upload ``content`` once (an upload of the same bytes is reused); its recording id."""
    digest = hashlib.sha256(content).hexdigest()
    with services.db.read() as session:
        existing = AccountScoped(session, account_id).recording_by_sha256(digest)
        if existing is not None:
            return int(existing.id)
    recording = services.upload(
        account_id,
        person_id,
        name,
        io.BytesIO(content),
        recorded_on=recorded_on,
        placement=DEMO_PLACEMENT,
    )
    return recording.id


def seed_demo(
    services: Services,
    *,
    email: str = DEMO_EMAIL,
    password: str = DEMO_PASSWORD,
    today: dt.date | None = None,
) -> tuple[int, int, int]:
    """Create the demo account, its people, calibration and recordings (see :mod:`.demo`).

    The demo walker gets a direction calibration made from the week-1 walk (as
    ``retrowalk calibrate --labels forward,backward`` makes one), stored as
    that person's calibration for the lower back, and four weekly sessions
    dated up to ``today`` that are analysed with it; the daily-life example
    gets the forward-only recording and a calibration made from it, its walks
    labelled forward. Safe to run again: an existing account,
    person, calibration or recording is reused.

    Returns
    -------
    account_id, person_id, recording_id
        The demo walker and their latest session.
    """
    from retrowalk.app import calibration

    today = today or dt.date.today()
    try:
        account_id = services.sign_up(email, password)
    except ConflictError:
        account_id = services.sign_in(email, password, client="seed")
    person = _demo_person(
        services,
        account_id,
        PersonIn(
            name=DEMO_PERSON,
            kind="adult",
            goals="Walk backward 10 minutes, three times a week",
        ),
    )
    profile, _ = calibration.load_stored_profile(DEMO_PLACEMENT, person.id, services.data_dir)
    if profile is None:
        first_day = DEMO_SESSIONS[0].recorded_on(today)
        made = demo_profile(created_at=dt.datetime.combine(first_day, dt.time(10), dt.UTC))
        calibration.store_profile(made, person.id, services.data_dir)
    recording_id = 0
    for session in DEMO_SESSIONS:
        recording_id = _demo_upload(
            services,
            account_id,
            person.id,
            session.file_name,
            session_csv(session.copies),
            session.recorded_on(today),
        )
    daily = _demo_person(
        services,
        account_id,
        PersonIn(
            name=DAILY_LIFE_PERSON,
            kind="adult",
            height_m=DAILY_LIFE_HEIGHT_M,
            weight_kg=DAILY_LIFE_WEIGHT_KG,
        ),
    )
    daily_profile, _ = calibration.load_stored_profile(DEMO_PLACEMENT, daily.id, services.data_dir)
    if daily_profile is None:
        made_at = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(10), dt.UTC)
        calibration.store_profile(
            daily_life_profile(created_at=made_at), daily.id, services.data_dir
        )
    _demo_upload(
        services,
        account_id,
        daily.id,
        DEMO_FILE_NAME,
        demo_recording_path().read_bytes(),
        today - dt.timedelta(days=1),
    )
    return account_id, person.id, recording_id


def _unreadable_in_use(placement: str, then: str) -> str:
    """Why nothing replaces a calibration in use that cannot be read (as the command
    line refuses it): what it is, and what to do (``then``: what was asked for)."""
    from retrowalk.app.calibration import UNREADABLE

    where = placement.replace("_", " ")
    return (
        f"the {where} calibration in use {UNREADABLE.removeprefix('it ')}; nothing was "
        f"changed: delete it, then {then}"
    )


def _superseded(
    offered: dict[str, Any], stored: dict[str, Any], unreadable: dict[str, Any]
) -> bool:
    """Whether the calibration an analysis was offered (``assumptions.direction_profile``)
    is not the one now stored for its placement (``stored``, ``unreadable``: of
    :func:`~retrowalk.app.calibration.read_stored_profiles`): replaced or removed since.
    One named without its day (the stored one could not be read) counts as in use."""
    made = str(offered.get("created_at") or "")
    placement = str(offered.get("placement") or "")
    if not made or placement in unreadable:
        return False
    in_use = stored.get(placement)
    return in_use is None or in_use.created_at != made


def _started_otherwise(started: Any, placement: str, current: dict[str, str]) -> bool:
    """Whether a running analysis, started with ``started`` (its recording's
    ``started_with``), was offered another calibration of ``placement`` than the one
    stored now (``current``: ``created_at`` by placement), or what it was started with
    is not known."""
    if not isinstance(started, dict):
        return True
    calibrations = started.get("calibrations")
    offered = calibrations.get(placement, "") if isinstance(calibrations, dict) else None
    return offered != current.get(placement, "")


def _check_placement(placement: str) -> None:
    """Refuse a placement that is not one of :data:`PLACEMENTS` (before any file is read:
    the analysis would name the file where the recording is kept)."""
    if placement not in PLACEMENTS:
        raise InputError("placement", f"choose one of {', '.join(PLACEMENTS)}")
