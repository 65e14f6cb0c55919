"""Data access, always scoped to one account.

Every query a repository runs filters on the account id it was built with, so a
guessed id of another account's person or recording behaves exactly like an id
that does not exist (:class:`NotFoundError`). Only :class:`Accounts` and
:class:`Jobs` (used by sign-in and the analysis worker) work across accounts.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import (
    Connection,
    Row,
    Select,
    and_,
    bindparam,
    delete,
    func,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session, selectinload, undefer

from retrowalk.core.errors import InputError, RetrowalkError
from retrowalk.store.checks import check_day
from retrowalk.store.models import (
    Account,
    AnalysisResult,
    ApiToken,
    Base,
    BoutLabel,
    Observation,
    Person,
    Plan,
    Recording,
    WebSession,
    utcnow,
)
from retrowalk.store.payloads import payload_problem, plan_problem
from retrowalk.store.schemas import AnalysisSummary, PersonOut, RecordingOut

T = TypeVar("T", bound=Base)
Q = TypeVar("Q", bound="Select[*tuple[Any, ...]]")  # a select of any columns
#: What a user may say a walking bout was.
BOUT_LABELS = ("forward", "backward", "not_walking")
TOKEN_TOUCH_S = 60.0


class NotFoundError(RetrowalkError):
    """The object does not exist in this account."""


class Accounts:
    """Accounts by email or token (the only cross-account look-ups)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def by_email(self, email: str) -> Account | None:
        return self.session.scalar(select(Account).where(Account.email == email))

    def get(self, account_id: int) -> Account | None:
        return self.session.get(Account, account_id)

    def add(self, email: str, password_hash: str) -> Account:
        account = Account(email=email, password_hash=password_hash)
        self.session.add(account)
        self.session.flush()
        return account

    def touch_token(self, token_id: int) -> None:
        """Record that a token was used (at most every ``TOKEN_TOUCH_S``)."""
        token = self.session.get(ApiToken, token_id)
        if token is not None and token_needs_touch(token.last_used_at):
            token.last_used_at = utcnow()


def token_needs_touch(last: dt.datetime | None) -> bool:
    """True when a token's ``last_used_at`` is unset or older than ``TOKEN_TOUCH_S``."""
    if last is None:
        return True
    if last.tzinfo is None:
        last = last.replace(tzinfo=dt.UTC)
    return (utcnow() - last).total_seconds() > TOKEN_TOUCH_S


class AccountScoped:
    """All data of one account.

    Parameters
    ----------
    session
        An open session.
    account_id
        The account every query is limited to.
    """

    def __init__(self, session: Session, account_id: int) -> None:
        self.session = session
        self.account_id = account_id

    # -- generic helpers ------------------------------------------------------
    def _get(self, model: type[T], object_id: int, what: str) -> T:
        obj: T | None = self.session.scalar(
            select(model).where(  # type: ignore[arg-type]
                model.id == object_id,  # type: ignore[attr-defined]
                model.account_id == self.account_id,  # type: ignore[attr-defined]
            )
        )
        if obj is None:
            raise NotFoundError(f"{what} {object_id} not found")
        return obj

    # -- tokens -----------------------------------------------------------------
    def add_token(self, name: str, digest: str) -> ApiToken:
        token = ApiToken(account_id=self.account_id, name=name, token_sha256=digest)
        self.session.add(token)
        self.session.flush()
        return token

    def tokens(self) -> Sequence[ApiToken]:
        return self.session.scalars(
            select(ApiToken).where(ApiToken.account_id == self.account_id).order_by(ApiToken.id)
        ).all()

    def delete_token(self, token_id: int) -> None:
        self.session.delete(self._get(ApiToken, token_id, "Token"))

    # -- people -----------------------------------------------------------------
    def people(self) -> Sequence[Person]:
        return self.session.scalars(
            select(Person).where(Person.account_id == self.account_id).order_by(Person.name)
        ).all()

    def person(self, person_id: int) -> Person:
        return self._get(Person, person_id, "Person")

    def add_person(self, **fields: Any) -> Person:
        person = Person(account_id=self.account_id, **fields)
        self.session.add(person)
        self.session.flush()
        return person

    def update_person(self, person_id: int, **fields: Any) -> Person:
        person = self.person(person_id)
        for name, value in fields.items():
            setattr(person, name, value)
        self.session.flush()
        return person

    def delete_person(self, person_id: int) -> list[str]:
        """Delete a person and all their rows; return the files that belonged to them."""
        person = self.person(person_id)
        files = [r.stored_path for r in self.recordings(person.id)]
        files += [
            a.report_path
            for a in self.session.scalars(
                select(AnalysisResult)
                .join(Recording, AnalysisResult.recording_id == Recording.id)
                .where(
                    Recording.person_id == person.id,
                    AnalysisResult.account_id == self.account_id,
                )
            )
            if a.report_path
        ]
        files += [
            o.attachment_path
            for o in self.observations(person.id, include_malformed=True)
            if o.attachment_path
        ]
        self.session.execute(
            delete(AnalysisResult).where(
                AnalysisResult.account_id == self.account_id,
                AnalysisResult.recording_id.in_(
                    select(Recording.id).where(Recording.person_id == person.id)
                ),
            )
        )
        owned: tuple[type[Recording] | type[Observation] | type[Plan], ...] = (
            Recording,
            Observation,
            Plan,
        )
        for model in owned:
            self.session.execute(
                delete(model).where(
                    model.account_id == self.account_id, model.person_id == person.id
                )
            )
        self.session.delete(person)
        self.session.flush()
        return files

    # -- recordings -------------------------------------------------------------
    def recordings(
        self, person_id: int | None = None, *, with_labels: bool = False
    ) -> Sequence[Recording]:
        """The account's (or the person's) recordings, newest first; ``with_labels``
        loads their bout labels with them (one more query, not one per recording)."""
        query = select(Recording).where(Recording.account_id == self.account_id)
        if person_id is not None:
            query = query.where(Recording.person_id == person_id)
        if with_labels:
            query = query.options(selectinload(Recording.bout_labels))
        return self.session.scalars(
            query.order_by(Recording.recorded_on.desc(), Recording.id.desc())
        ).all()

    def recording(self, recording_id: int) -> Recording:
        return self._get(Recording, recording_id, "Recording")

    def person_running(self, person_id: int) -> Sequence[Recording]:
        """The person's recordings being analysed now (``running``)."""
        return self.session.scalars(
            select(Recording).where(
                Recording.account_id == self.account_id,
                Recording.person_id == person_id,
                Recording.status == "running",
            )
        ).all()

    def recording_by_sha256(self, digest: str) -> Recording | None:
        return self.session.scalar(
            select(Recording).where(
                Recording.account_id == self.account_id, Recording.sha256 == digest
            )
        )

    def add_recording(self, person_id: int, **fields: Any) -> Recording:
        person = self.person(person_id)
        recorded_on = fields.get("recorded_on")
        if isinstance(recorded_on, dt.date):
            try:
                check_day(recorded_on, "the recording date")
            except ValueError as exc:
                raise InputError("Recorded on", str(exc)) from None
        recording = Recording(account_id=self.account_id, person_id=person.id, **fields)
        self.session.add(recording)
        self.session.flush()
        return recording

    def delete_recording(self, recording_id: int) -> list[str]:
        """Delete a recording and its analyses; return its files."""
        recording = self.recording(recording_id)
        files = [recording.stored_path] + [
            a.report_path for a in recording.analyses if a.report_path
        ]
        self.session.delete(recording)
        self.session.flush()
        return files

    def set_recording_date(self, recording_id: int, day: dt.date) -> Recording:
        """Date a recording by hand (its date source becomes ``user``)."""
        recording = self.recording(recording_id)
        try:
            check_day(day, "the recording date")
        except ValueError as exc:
            raise InputError("Recorded on", str(exc)) from None
        recording.recorded_on = day
        recording.date_source = "user"
        self.session.flush()
        return recording

    # -- hand labels of bouts ----------------------------------------------------
    def bout_labels(self, recording_id: int) -> Sequence[BoutLabel]:
        """The hand labels of a recording's bouts, in time order."""
        recording = self.recording(recording_id)
        return self.session.scalars(
            select(BoutLabel)
            .where(BoutLabel.account_id == self.account_id, BoutLabel.recording_id == recording.id)
            .order_by(BoutLabel.start_s, BoutLabel.id)
        ).all()

    def set_bout_label(
        self, recording_id: int, start_s: float, end_s: float, label: str
    ) -> BoutLabel:
        """Label the bout spanning ``start_s``-``end_s``; replaces the labels it overlaps.

        A stored label is replaced when the two spans overlap by at least half
        of the shorter one (the same bout, labelled again).
        """
        if label not in BOUT_LABELS:
            raise InputError("label", f"choose one of {', '.join(BOUT_LABELS)}")
        for name, value in (("start_s", start_s), ("end_s", end_s)):
            if not math.isfinite(value):  # an endless span: no analysis could hold it
                raise InputError(name, "a number of seconds")
        if not (end_s > start_s >= 0):
            raise InputError("end_s", "a bout ends after it starts (seconds, from 0)")
        for old in self.bout_labels(recording_id):
            overlap = min(old.end_s, end_s) - max(old.start_s, start_s)
            if overlap >= 0.5 * min(old.end_s - old.start_s, end_s - start_s):
                self.session.delete(old)
        row = BoutLabel(
            account_id=self.account_id,
            recording_id=recording_id,
            start_s=float(start_s),
            end_s=float(end_s),
            label=label,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def delete_bout_label(self, recording_id: int, label_id: int) -> None:
        """Remove a hand label (the bout goes back to the detected direction)."""
        row = self._get(BoutLabel, label_id, "Bout label")
        if row.recording_id != recording_id:
            raise NotFoundError(f"Bout label {label_id} not found")
        self.session.delete(row)
        self.session.flush()

    def latest_analysis(
        self, recording_id: int, *, recording: Recording | None = None
    ) -> AnalysisResult | None:
        """The newest analysis of a recording (``recording``: the row, if already loaded)."""
        if recording is None or recording.account_id != self.account_id:
            recording = self.recording(recording_id)
        return self.session.scalar(
            select(AnalysisResult)
            .where(
                AnalysisResult.account_id == self.account_id,
                AnalysisResult.recording_id == recording.id,
            )
            .order_by(AnalysisResult.id.desc())
            .limit(1)
        )

    def analyses_for_person(self, person_id: int) -> list[tuple[Recording, AnalysisResult]]:
        """The latest analysis of every analysed recording of a person, oldest first,
        its JSON loaded with it (in the one query)."""
        person = self.person(person_id)
        latest = (
            select(func.max(AnalysisResult.id))
            .where(AnalysisResult.account_id == self.account_id)
            .group_by(AnalysisResult.recording_id)
        )
        rows = self.session.execute(
            select(Recording, AnalysisResult)
            .options(undefer(AnalysisResult.result))
            .join(AnalysisResult, AnalysisResult.recording_id == Recording.id)
            .where(
                Recording.account_id == self.account_id,
                Recording.person_id == person.id,
                AnalysisResult.id.in_(latest),
            )
            .order_by(Recording.recorded_on, Recording.id)
        ).all()
        return [(r, a) for r, a in rows]

    def older_engine_recordings(
        self, engine_version: str, person_id: int | None = None
    ) -> list[tuple[Recording, str]]:
        """The recordings whose latest analysis was made by another engine version.

        Each with that analysis' version, by id; of one person with ``person_id``.
        """
        query = (
            self._with_latest_result(select(Recording, AnalysisResult.analysis_version), person_id)
            .where(AnalysisResult.analysis_version != engine_version)
            .order_by(Recording.id)
        )
        return [(r, v) for r, v in self.session.execute(query).all()]

    def analysed_again_count(self, engine_version: str, person_id: int | None = None) -> int:
        """How many recordings whose latest analysis this engine version made had an
        analysis of another version before, and were analysed again by an upgrade's run
        (its ``made_for`` holds ``engine``, or is not known: made before the reasons were
        kept); not those analysed again for other reasons only (a bout label, a
        calibration, new body measures, their own Analyse again).

        An analysis of another version is kept when a recording is analysed again,
        so this is read from the results alone; of one person with ``person_id``.
        """
        other = (
            select(AnalysisResult.recording_id)
            .where(
                AnalysisResult.account_id == self.account_id,
                AnalysisResult.analysis_version != engine_version,
            )
            .distinct()
        )
        of_run = or_(AnalysisResult.made_for == "", AnalysisResult.made_for.contains("engine"))
        query = self._with_latest_result(select(func.count(Recording.id)), person_id).where(
            AnalysisResult.analysis_version == engine_version, Recording.id.in_(other), of_run
        )
        return int(self.session.scalar(query) or 0)

    def direction_profiles(self, person_id: int) -> list[Row[Any]]:
        """Each analysed recording of a person (its ``status``, ``queued_for`` and
        ``started_with`` too) with where its latest analysis took the device to be worn
        (``recording.placement``, ``None`` when not given) and the direction calibration
        it was offered (``assumptions.direction_profile``, ``None`` when none was), read
        from the stored JSON in one query without loading the rest of it; oldest first."""
        placement = AnalysisResult.result[("recording", "placement")]
        offered = AnalysisResult.result[("assumptions", "direction_profile")]
        query = self._with_latest_result(
            select(
                Recording.id,
                Recording.filename,
                Recording.recorded_on,
                Recording.date_source,
                Recording.status,
                Recording.queued_for,
                Recording.started_with,
                placement.label("placement"),
                offered.label("direction_profile"),
            ),
            person_id,
        ).order_by(Recording.recorded_on, Recording.id)
        return list(self.session.execute(query).all())

    def analysis_parts(
        self, recording_ids: Sequence[int], keys: Sequence[str]
    ) -> dict[int, dict[str, Any]]:
        """Of the latest analysis of each of the account's ``recording_ids``, only the
        top-level ``keys`` of its JSON (those it has), by recording id, in one query
        without loading the rest of the document."""
        if not recording_ids:
            return {}
        parts = [AnalysisResult.result[key].label(f"k{i}") for i, key in enumerate(keys)]
        query = self._with_latest_result(select(Recording.id, *parts), None).where(
            Recording.id.in_(recording_ids)
        )
        return {
            row[0]: {
                key: value for key, value in zip(keys, row[1:], strict=True) if value is not None
            }
            for row in self.session.execute(query).all()
        }

    def _with_latest_result(self, query: Q, person_id: int | None) -> Q:
        """``query`` over the account's recordings joined to each one's latest
        analysis; of one person's (checked to be the account's) with ``person_id``."""
        latest = (
            select(func.max(AnalysisResult.id))
            .where(AnalysisResult.account_id == self.account_id)
            .group_by(AnalysisResult.recording_id)
        )
        query = query.join(AnalysisResult, AnalysisResult.recording_id == Recording.id).where(
            Recording.account_id == self.account_id,
            AnalysisResult.account_id == self.account_id,
            AnalysisResult.id.in_(latest),
        )
        if person_id is not None:
            query = query.where(Recording.person_id == self.person(person_id).id)
        return query

    # -- observations and plans --------------------------------------------------
    def observations(
        self, person_id: int, *, include_malformed: bool = False
    ) -> Sequence[Observation]:
        """A person's observations, oldest first.

        A row whose payload does not match its kind's schema (stored before the
        checks, or written around them) is left out unless ``include_malformed``:
        one bad record must not break every page that reads the others. The
        generic API lists it (with the problem) so that it can be deleted.
        """
        person = self.person(person_id)
        rows = self.session.scalars(
            select(Observation)
            .where(Observation.account_id == self.account_id, Observation.person_id == person.id)
            .order_by(Observation.date, Observation.id)
        ).all()
        if include_malformed:
            return rows
        return [o for o in rows if payload_problem(o.kind, o.payload) is None]

    def observation(self, observation_id: int) -> Observation:
        return self._get(Observation, observation_id, "Observation")

    def delete_observation(self, observation_id: int) -> str | None:
        """Delete an observation (malformed or not); return its attachment file, if any."""
        obs = self.observation(observation_id)
        path = obs.attachment_path
        self.session.delete(obs)
        self.session.flush()
        return path

    def add_observation(self, person_id: int, **fields: Any) -> Observation:
        person = self.person(person_id)
        obs = Observation(account_id=self.account_id, person_id=person.id, **fields)
        self.session.add(obs)
        self.session.flush()
        return obs

    def plans(self, person_id: int, *, include_malformed: bool = False) -> Sequence[Plan]:
        """A person's plans, oldest first (malformed ones only with ``include_malformed``)."""
        person = self.person(person_id)
        rows = self.session.scalars(
            select(Plan)
            .where(Plan.account_id == self.account_id, Plan.person_id == person.id)
            .order_by(Plan.created, Plan.id)
        ).all()
        if include_malformed:
            return rows
        return [p for p in rows if plan_problem(p.payload) is None]

    def delete_plan(self, plan_id: int) -> None:
        self.session.delete(self._get(Plan, plan_id, "Plan"))
        self.session.flush()

    def add_plan(self, person_id: int, **fields: Any) -> Plan:
        person = self.person(person_id)
        plan = Plan(account_id=self.account_id, person_id=person.id, **fields)
        self.session.add(plan)
        self.session.flush()
        return plan


# -- Core reads on the hot paths ------------------------------------------------------
# Prebuilt statements with bound parameters: nothing is constructed per request, the
# compiled form comes from the engine's cache, and rows come back without the ORM's
# identity map. Every statement that returns a user's data filters on the account.
_P = Person.__table__
_R = Recording.__table__
_A = AnalysisResult.__table__
_W = WebSession.__table__
_T = ApiToken.__table__

# The newest analysis of the recording in the outer query (uses the recording_id index).
_LATEST_ANALYSIS_ID = (
    select(func.max(_A.c.id))
    .where(_A.c.recording_id == _R.c.id, _A.c.account_id == _R.c.account_id)
    .correlate(_R)
    .scalar_subquery()
)
# The columns read are those the output schemas show, so a column added to the
# model and its schema reaches every page and API read without a second list.
RECORDING_COLUMNS = tuple(name for name in RecordingOut.model_fields if name in _R.c)
SUMMARY_COLUMNS = tuple(AnalysisSummary.model_fields)
PERSON_COLUMNS = tuple(PersonOut.model_fields)
_RECORDING_WITH_LATEST = (
    *(_R.c[name] for name in RECORDING_COLUMNS),
    _A.c.id.label("analysis_id"),
    _A.c.report_path.label("report_path"),
    *(_A.c[name] for name in SUMMARY_COLUMNS),
)
_SESSION_ACCOUNT = select(_W.c.account_id, _W.c.expires_at).where(
    _W.c.token_sha256 == bindparam("digest")
)
_TOKEN = select(_T.c.id, _T.c.account_id, _T.c.last_used_at).where(
    _T.c.token_sha256 == bindparam("digest")
)
_PEOPLE = (
    select(*(_P.c[name] for name in PERSON_COLUMNS))
    .where(_P.c.account_id == bindparam("account_id"))
    .order_by(_P.c.name)
)
_PERSON = select(*(_P.c[name] for name in PERSON_COLUMNS)).where(
    _P.c.id == bindparam("person_id"), _P.c.account_id == bindparam("account_id")
)
# One recording with its latest analysis and its person, in one round trip.
_RECORDING_VIEW = (
    select(
        *_RECORDING_WITH_LATEST,
        *(_P.c[name].label(f"p_{name}") for name in PERSON_COLUMNS),
    )
    .select_from(
        _R.join(_P, and_(_P.c.id == _R.c.person_id, _P.c.account_id == _R.c.account_id)).outerjoin(
            _A, _A.c.id == _LATEST_ANALYSIS_ID
        )
    )
    .where(_R.c.id == bindparam("recording_id"), _R.c.account_id == bindparam("account_id"))
)
# A person's recordings, newest first, each with its latest analysis. The person is
# the outer table: a person of the account without recordings gives one row whose
# recording columns are NULL, another account's person gives no row at all.
_PERSON_RECORDINGS = (
    select(
        _P.c.id.label("of_person"),
        _P.c.height_m.label("p_height_m"),
        _P.c.weight_kg.label("p_weight_kg"),
        *_RECORDING_WITH_LATEST,
    )
    .select_from(
        _P.outerjoin(
            _R, and_(_R.c.person_id == _P.c.id, _R.c.account_id == _P.c.account_id)
        ).outerjoin(_A, _A.c.id == _LATEST_ANALYSIS_ID)
    )
    .where(_P.c.id == bindparam("person_id"), _P.c.account_id == bindparam("account_id"))
    .order_by(_R.c.recorded_on.desc(), _R.c.id.desc())
)


def session_row(connection: Connection, digest: str) -> Row[Any, Any] | None:
    """``(account_id, expires_at)`` of the browser session with this token digest."""
    return connection.execute(_SESSION_ACCOUNT, {"digest": digest}).first()


def token_row(connection: Connection, digest: str) -> Row[Any, Any, Any] | None:
    """``(id, account_id, last_used_at)`` of the API token with this digest."""
    return connection.execute(_TOKEN, {"digest": digest}).first()


class ScopedReads:
    """Read-only views of one account's data on a Core connection.

    The pages and API reads that run on every request use these: each is one
    prebuilt statement filtered on the account, so another account's id reads
    exactly like an id that does not exist (:class:`NotFoundError`).

    Parameters
    ----------
    connection
        An open Core connection.
    account_id
        The account every query is limited to.
    """

    def __init__(self, connection: Connection, account_id: int) -> None:
        self.connection = connection
        self.account_id = account_id

    def people(self) -> Sequence[Row[Any]]:
        return self.connection.execute(_PEOPLE, {"account_id": self.account_id}).all()

    def person(self, person_id: int) -> Row[Any]:
        row = self.connection.execute(
            _PERSON, {"person_id": person_id, "account_id": self.account_id}
        ).first()
        if row is None:
            raise NotFoundError(f"Person {person_id} not found")
        return row

    def recording_view(self, recording_id: int) -> Row[Any]:
        """The recording, its latest analysis (``analysis_id`` NULL if none) and its
        person (columns ``p_<name>``)."""
        row = self.connection.execute(
            _RECORDING_VIEW, {"recording_id": recording_id, "account_id": self.account_id}
        ).first()
        if row is None:
            raise NotFoundError(f"Recording {recording_id} not found")
        return row

    def person_recordings(self, person_id: int) -> list[Row[Any]]:
        """A person's recordings, newest first, each with its latest analysis."""
        rows = self.connection.execute(
            _PERSON_RECORDINGS, {"person_id": person_id, "account_id": self.account_id}
        ).all()
        if not rows:
            raise NotFoundError(f"Person {person_id} not found")
        return [row for row in rows if row.id is not None]


class Jobs:
    """The analysis queue as seen by the worker (across accounts, by design)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def next_queued(self) -> int | None:
        """The next recording to analyse: new uploads first, then analyses again, by id.

        So an account's recordings queued to be analysed again all at once (after
        an upgrade) never hold back another user's new upload.
        """
        analysed = (
            select(AnalysisResult.id)
            .where(AnalysisResult.recording_id == Recording.id)
            .correlate(Recording)
            .exists()
        )
        return self.session.scalar(
            select(Recording.id)
            .where(Recording.status == "queued")
            .order_by(analysed, Recording.id)
            .limit(1)
        )

    def claim(self, recording_id: int) -> bool:
        """Mark a queued recording as running; False if someone else got it first."""
        result = self.session.execute(
            update(Recording)
            .where(Recording.id == recording_id, Recording.status == "queued")
            .values(
                status="running",
                attempts=Recording.attempts + 1,
                error="",
                progress_stage="",
                progress_pct=None,
                started_with=null(),  # not known until the analysis is set up
            )
        )
        return result.rowcount == 1  # type: ignore[attr-defined]

    def set_started_with(self, recording_id: int, started: dict[str, Any]) -> None:
        """Keep what the analysis of a claimed recording was started with."""
        self.session.execute(
            update(Recording).where(Recording.id == recording_id).values(started_with=started)
        )

    def get(self, recording_id: int) -> Recording | None:
        return self.session.get(Recording, recording_id)

    def stuck(self) -> Sequence[Recording]:
        return self.session.scalars(select(Recording).where(Recording.status == "running")).all()

    def referenced_files(self) -> set[str]:
        files = set(self.session.scalars(select(Recording.stored_path)))
        files |= {p for p in self.session.scalars(select(AnalysisResult.report_path)) if p}
        files |= {p for p in self.session.scalars(select(Observation.attachment_path)) if p}
        return files

    def add_result(self, recording: Recording, **fields: Any) -> AnalysisResult:
        result = AnalysisResult(
            account_id=recording.account_id, recording_id=recording.id, **fields
        )
        self.session.add(result)
        return result
