"""The database tables as typed SQLAlchemy 2 models.

Every row that belongs to a user carries ``account_id`` so that the repositories
can filter on it directly (see :mod:`retrowalk.store.repositories`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Set
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Ids of deleted rows are never given out again (SQLite reuses the largest rowid
# without AUTOINCREMENT; PostgreSQL sequences never go back).
NEVER_REUSE: dict[str, Any] = {"sqlite_autoincrement": True}


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base of every retrowalk table."""

    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        dict[str, Any]: JSON,
        datetime: DateTime(timezone=True),
    }


class Account(Base):
    """A user account (one sign-in); owns people and everything under them."""

    __tablename__ = "account"
    __table_args__ = (NEVER_REUSE,)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    password_changed_at: Mapped[datetime | None] = mapped_column(default=None)

    people: Mapped[list[Person]] = relationship(
        back_populates="account", cascade="all, delete-orphan", passive_deletes=True
    )


class ApiToken(Base):
    """A bearer token for scripts; only its SHA-256 is stored."""

    __tablename__ = "api_token"
    __table_args__ = (NEVER_REUSE,)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100), default="")  # schemas.TOKEN_NAME_MAX
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)


class WebSession(Base):
    """A signed-in browser: the cookie holds a random id, only its SHA-256 is stored.

    Deleting the row ends the session (sign-out, password change, "sign out everywhere").
    ``flash`` is a one-time message for the page a form redirects to, sealed with a
    pad the cookie carries (:mod:`retrowalk.web.session`), or NULL.
    """

    __tablename__ = "web_session"
    __table_args__ = (NEVER_REUSE,)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    flash: Mapped[str | None] = mapped_column(Text, default=None)


class SignInFailure(Base):
    """Failed sign-ins of one e-mail address from one client address (for the slow-down)."""

    __tablename__ = "signin_failure"
    __table_args__ = (
        UniqueConstraint("email", "client", name="uq_signin_failure_key"),
        NEVER_REUSE,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    client: Mapped[str] = mapped_column(String(100))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Person(Base):
    """Someone whose walking is recorded: an adult or a child.

    ``due_date`` is set for babies born prematurely (corrected age).
    """

    __tablename__ = "person"
    __table_args__ = (NEVER_REUSE,)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10), default="adult")  # adult | child
    birth_date: Mapped[date | None] = mapped_column(Date, default=None)
    due_date: Mapped[date | None] = mapped_column(Date, default=None)
    height_m: Mapped[float | None] = mapped_column(Float, default=None)
    weight_kg: Mapped[float | None] = mapped_column(Float, default=None)
    conditions: Mapped[str] = mapped_column(Text, default="")
    goals: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    account: Mapped[Account] = relationship(back_populates="people")
    recordings: Mapped[list[Recording]] = relationship(
        back_populates="person", cascade="all, delete-orphan", passive_deletes=True
    )


class WalkSession(Base):
    """A training or test session: groups recordings made together."""

    __tablename__ = "walk_session"
    __table_args__ = (NEVER_REUSE,)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(50), default="walk")
    note: Mapped[str] = mapped_column(Text, default="")


#: Why a recording is queued for analysis: its upload; an upgrade's run analysing again
#: what another engine version analysed (``engine``, the run "Stop" stops); asked on its
#: page or through the API; a bout label saved or undone; a calibration made, restored
#: or removed; the person's body measures changed.
QUEUE_REASONS = ("upload", "engine", "asked", "labels", "calibration", "measures")


def queue_reasons(queued_for: str) -> frozenset[str]:
    """The reasons a recording's ``queued_for`` holds (empty when none was kept)."""
    return frozenset(word for word in queued_for.split(",") if word)


def joined_reasons(reasons: Set[str]) -> str:
    """``reasons`` as a ``queued_for`` (or ``made_for``) holds them: each once, in
    QUEUE_REASONS' order, joined by commas."""
    return ",".join(word for word in QUEUE_REASONS if word in reasons)


def with_queue_reason(queued_for: str, reason: str) -> str:
    """``queued_for`` with ``reason`` added (:func:`joined_reasons`)."""
    if reason not in QUEUE_REASONS:
        raise ValueError(f"not a reason to queue a recording: {reason!r}")
    return joined_reasons(queue_reasons(queued_for) | {reason})


class Recording(Base):
    """One uploaded recording file and the state of its analysis.

    ``status`` is one of ``queued``, ``running``, ``done``, ``failed``; while it
    is ``running``, ``progress_stage`` and ``progress_pct`` say how far it is.
    """

    __tablename__ = "recording"
    __table_args__ = (
        UniqueConstraint("account_id", "sha256", name="uq_recording_account_sha256"),
        NEVER_REUSE,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("walk_session.id", ondelete="SET NULL"), default=None
    )
    filename: Mapped[str] = mapped_column(String(255))
    stored_path: Mapped[str] = mapped_column(String(1000))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    format: Mapped[str] = mapped_column(String(100), default="")
    duration_s: Mapped[float | None] = mapped_column(Float, default=None)
    placement: Mapped[str] = mapped_column(String(20), default="auto")
    recorded_on: Mapped[date] = mapped_column(Date)
    # Where ``recorded_on`` came from: "file" (the file's own start time), "user"
    # (typed at upload or edited later) or "unknown" (the file holds no date and
    # none was given: ``recorded_on`` is then the upload day and progress leaves
    # the recording out until the date is set).
    date_source: Mapped[str] = mapped_column(String(10), default="file", server_default="file")
    # Column names of a table without a header line, as given at upload (or "").
    columns: Mapped[str] = mapped_column(String(500), default="", server_default="")
    # Videos: two points on the floor "x1,y1,x2,y2" (pixels of the first frame)
    # ``floor_distance_m`` apart, for speed in metres (or "" and NULL); body
    # proportions "child", "adult" or "" (from the person's age). Given at
    # upload and kept for every reanalysis.
    floor_marks_px: Mapped[str] = mapped_column(String(100), default="", server_default="")
    floor_distance_m: Mapped[float | None] = mapped_column(Float, default=None)
    proportions: Mapped[str] = mapped_column(String(10), default="", server_default="")
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    # What a running analysis is doing and how far it is (written by the worker).
    progress_stage: Mapped[str] = mapped_column(String(20), default="", server_default="")
    progress_pct: Mapped[float | None] = mapped_column(Float, default=None)
    # Why it waits to be analysed (again) while ``queued`` or ``running``: words of
    # QUEUE_REASONS joined by commas (:func:`with_queue_reason`); "" once analysed, and
    # for a recording queued before the reason was kept.
    queued_for: Mapped[str] = mapped_column(String(100), default="", server_default="")
    # What the analysis that is running (or ran last) was started with, as the worker
    # built it: the person's ``height_m`` and ``weight_kg``, the stored direction
    # calibrations by placement (``calibrations``: their ``created_at``) and, from
    # migration 0011, the reasons it was queued for (``for``: its ``queued_for``). NULL until an
    # analysis has started (and from the claim until then): not known.
    started_with: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)

    person: Mapped[Person] = relationship(back_populates="recordings")
    analyses: Mapped[list[AnalysisResult]] = relationship(
        back_populates="recording",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="AnalysisResult.id",
    )
    bout_labels: Mapped[list[BoutLabel]] = relationship(
        back_populates="recording",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="BoutLabel.start_s",
    )


class BoutLabel(Base):
    """A walking bout's direction as the user set it by hand.

    The span (seconds from the start of the recording) is the bout as it was
    when the user labelled it; a later analysis gives the label to the bout it
    overlaps most (:mod:`retrowalk.summary.labels`). ``label`` is ``forward``,
    ``backward`` or ``not_walking``.
    """

    __tablename__ = "bout_label"
    __table_args__ = (NEVER_REUSE,)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    recording_id: Mapped[int] = mapped_column(
        ForeignKey("recording.id", ondelete="CASCADE"), index=True
    )
    start_s: Mapped[float] = mapped_column(Float)
    end_s: Mapped[float] = mapped_column(Float)
    label: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    recording: Mapped[Recording] = relationship(back_populates="bout_labels")


class AnalysisResult(Base):
    """The stored result of analysing one recording with one analysis version.

    ``result`` is the JSON of the analysis contract; the metric columns are the
    numbers progress charts need, copied out so they can be queried.
    """

    __tablename__ = "analysis_result"
    __table_args__ = (NEVER_REUSE,)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    recording_id: Mapped[int] = mapped_column(
        ForeignKey("recording.id", ondelete="CASCADE"), index=True
    )
    analysis_version: Mapped[str] = mapped_column(String(50))
    schema_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Deferred: pages, summaries and progress use the metric columns; only the
    # analysis JSON endpoints (and exports) load and parse the full document.
    result: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    report_path: Mapped[str | None] = mapped_column(String(1000), default=None)
    backward_steps: Mapped[int] = mapped_column(Integer, default=0)
    backward_duration_s: Mapped[float] = mapped_column(Float, default=0.0)
    backward_distance_m: Mapped[float] = mapped_column(Float, default=0.0)
    backward_speed_mps: Mapped[float | None] = mapped_column(Float, default=None)
    cadence_spm: Mapped[float | None] = mapped_column(Float, default=None)
    step_time_cv_pct: Mapped[float | None] = mapped_column(Float, default=None)
    forward_steps: Mapped[int] = mapped_column(Integer, default=0)
    forward_duration_s: Mapped[float] = mapped_column(Float, default=0.0)
    forward_distance_m: Mapped[float] = mapped_column(Float, default=0.0)
    uncertain_steps: Mapped[int] = mapped_column(Integer, default=0)
    uncertain_duration_s: Mapped[float] = mapped_column(Float, default=0.0)
    uncertain_distance_m: Mapped[float] = mapped_column(Float, default=0.0)
    # The body measures the analysis used (its JSON's assumptions), so pages can say
    # when the person's have changed since without loading the document.
    used_height_m: Mapped[float | None] = mapped_column(Float, default=None)
    used_weight_kg: Mapped[float | None] = mapped_column(Float, default=None)
    # Why this version analysed the recording: the QUEUE_REASONS it was queued for
    # when its analyses of this version started, joined by commas (those of an earlier
    # analysis of the same version it replaced too); "" when not known (made before
    # the reasons were kept). An upgrade's run counts those with ``engine`` as its own.
    made_for: Mapped[str] = mapped_column(String(100), default="", server_default="")

    recording: Mapped[Recording] = relationship(back_populates="analyses")


class Observation(Base):
    """Something noted about a person on a day (milestones, test scores, notes)."""

    __tablename__ = "observation"
    __table_args__ = (Index("ix_observation_person_date", "person_id", "date"), NEVER_REUSE)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    attachment_path: Mapped[str | None] = mapped_column(String(1000), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Plan(Base):
    """A coaching plan for a person (goal, level and the plan itself as JSON)."""

    __tablename__ = "plan"
    __table_args__ = (NEVER_REUSE,)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    created: Mapped[datetime] = mapped_column(default=utcnow)
    goal: Mapped[str] = mapped_column(String(200), default="")
    level: Mapped[str] = mapped_column(String(50), default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
