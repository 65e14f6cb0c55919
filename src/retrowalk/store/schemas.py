"""Plain data the services hand out (and the REST API serialises), and the checks
on everything that comes in.

Every stored JSON payload has a typed schema per kind (:data:`PAYLOAD_SCHEMAS`,
:class:`PlanPayload`): a malformed record is refused on the way in with the
field named, and :func:`payload_problem` lets readers skip a bad record that is
already stored instead of failing a whole page. Dates and body measures are
checked against plausible ranges.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

EARLIEST_DATE = dt.date(1900, 1, 1)
FUTURE_DAYS_ALLOWED = 1  # a day of slack for time zones


def check_day(value: dt.date, what: str = "the date") -> dt.date:
    """A plausible day of a recording, test or note: from 1900 up to tomorrow.

    Raises
    ------
    ValueError
        With a one-line message naming the allowed range.
    """
    latest = dt.date.today() + dt.timedelta(days=FUTURE_DAYS_ALLOWED)
    if value < EARLIEST_DATE:
        raise ValueError(f"{what} {value} is before {EARLIEST_DATE}; check the year")
    if value > latest:
        raise ValueError(f"{what} {value} is in the future; use a date up to today")
    return value


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error["loc"])
    return f"{where}: {error['msg']}" if where else str(error["msg"])


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class PersonIn(BaseModel):
    """Fields of a person profile (all but the name optional)."""

    name: str = Field(min_length=1, max_length=200)
    kind: Literal["adult", "child"] = "adult"
    birth_date: dt.date | None = None
    due_date: dt.date | None = Field(
        default=None, description="Expected birth date, for babies born prematurely."
    )
    height_m: float | None = Field(default=None, ge=0.3, le=2.6)
    weight_kg: float | None = Field(
        default=None, ge=0.4, le=400.0, description="20-400 kg for adults, 0.4-200 kg for children"
    )
    conditions: str = Field(default="", max_length=5000)
    goals: str = Field(default="", max_length=5000)

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the name cannot be empty")
        return value.strip()

    @field_validator("birth_date")
    @classmethod
    def _plausible_birth(cls, value: dt.date | None) -> dt.date | None:
        if value is None:
            return value
        if value < EARLIEST_DATE:
            raise ValueError(f"the birth date {value} is before {EARLIEST_DATE}; check the year")
        if value > dt.date.today():
            raise ValueError(f"the birth date {value} is in the future")
        return value

    @model_validator(mode="after")
    def _plausible_body(self) -> PersonIn:
        if self.kind == "adult" and self.weight_kg is not None and self.weight_kg < 20.0:
            raise ValueError(
                f"weight_kg: {self.weight_kg:g} kg is not a plausible adult weight "
                "(20-400 kg); enter the weight in kilograms"
            )
        if self.kind == "child" and self.weight_kg is not None and self.weight_kg > 200.0:
            raise ValueError(f"weight_kg: {self.weight_kg:g} kg is not a plausible child weight")
        if self.kind == "adult" and self.height_m is not None and self.height_m < 1.0:
            raise ValueError(
                f"height_m: {self.height_m:g} m is not a plausible adult height "
                "(1.0-2.6 m); enter the height in metres"
            )
        if self.due_date is not None:
            if self.birth_date is None:
                raise ValueError("due_date: give the birth date too")
            if abs((self.due_date - self.birth_date).days) > 26 * 7:
                raise ValueError("due_date: more than 26 weeks from the birth date")
        return self


class PersonOut(_Out):
    id: int
    name: str
    kind: str
    birth_date: dt.date | None
    due_date: dt.date | None
    height_m: float | None
    weight_kg: float | None
    conditions: str
    goals: str


class RecordingOut(_Out):
    id: int
    person_id: int
    filename: str
    sha256: str
    size_bytes: int
    format: str
    duration_s: float | None
    placement: str
    recorded_on: dt.date
    status: Literal["queued", "running", "done", "failed"]
    error: str


class AnalysisSummary(_Out):
    """The numbers progress charts use, from one analysis."""

    analysis_version: str
    backward_steps: int
    backward_duration_s: float
    backward_distance_m: float
    backward_speed_mps: float | None
    cadence_spm: float | None
    step_time_cv_pct: float | None


class RecordingDetail(RecordingOut):
    summary: AnalysisSummary | None = None


class ProgressWeek(BaseModel):
    """Totals and means of one ISO week (Monday to Sunday)."""

    week_start: dt.date
    recordings: int
    backward_steps: int
    backward_duration_s: float
    backward_distance_m: float
    backward_speed_mps: float | None
    cadence_spm: float | None
    step_time_cv_pct: float | None


class _Payload(BaseModel):
    # Known fields are typed; extra keys are kept (later versions may add some).
    model_config = ConfigDict(extra="allow")


class ThreeMbwtPayload(_Payload):
    """A 3-metre backward walk test result (kind ``test_3mbwt``).

    A time under 1 s for 3 m backward is not humanly plausible; the slowest
    published group means are well under 60 s (Carter et al. 2019, "The 3-m
    Backwards Walk and Retrospective Falls", Phys Ther 99(3)); 300 s is the cap.
    """

    time_s: float = Field(ge=1.0, le=300.0, description="seconds for 3 m backward")
    group: Literal["community", "nursing_home", "parkinsons", "ms", "stroke"] = "community"
    variant: Literal["standard", "stroke_5m"] = "standard"
    source: Literal["manual", "recording"] = "manual"
    trials_s: list[float] = Field(default_factory=list)
    uncertainty_s: float | None = Field(default=None, ge=0.0, le=300.0)
    walking_aid: str = Field(default="", max_length=200)
    recording_id: int | None = None
    timing: dict[str, Any] | None = None

    @field_validator("trials_s")
    @classmethod
    def _trials(cls, value: list[float]) -> list[float]:
        if any(not 1.0 <= t <= 300.0 for t in value):
            raise ValueError("each trial time must be between 1 and 300 s")
        return value


class CoachLogPayload(_Payload):
    """A manual training log (kind ``coach_log``)."""

    backward_min: float = Field(gt=0.0, le=300.0)
    place: str = Field(default="open_space", max_length=50)
    effort: int | None = Field(default=None, ge=0, le=10)
    soreness: int | None = Field(default=None, ge=0, le=10)
    pain: bool = False
    falls: int = Field(default=0, ge=0, le=20)
    near_falls: int = Field(default=0, ge=0, le=50)
    recording_id: int | None = None
    note: str = Field(default="", max_length=2000)


class CoachStagePayload(_Payload):
    """An accepted stage change of a plan (kind ``coach_stage``)."""

    stage: str = Field(min_length=1, max_length=100)
    plan_id: int


class CoachScreeningPayload(_Payload):
    """Screening answers and their outcome (kind ``coach_screening``)."""

    answers: dict[str, Any]
    result: dict[str, Any]


class ChildSkillPayload(_Payload):
    """A child's observed skill (kind ``child_skill``)."""

    skill: str = Field(min_length=1, max_length=100)
    details: list[str] = Field(default_factory=list, max_length=50)
    steps: int | None = Field(default=None, ge=0, le=500)
    duration_s: float | None = Field(default=None, ge=0.0, le=3600.0)
    source: str = Field(default="form", max_length=50)
    attachment_name: str | None = Field(default=None, max_length=255)
    attachment_type: str | None = Field(default=None, max_length=100)


PAYLOAD_SCHEMAS: dict[str, type[_Payload]] = {
    "test_3mbwt": ThreeMbwtPayload,
    "coach_log": CoachLogPayload,
    "coach_stage": CoachStagePayload,
    "coach_screening": CoachScreeningPayload,
    "child_skill": ChildSkillPayload,
}


def check_payload(kind: str, payload: Any) -> dict[str, Any]:
    """The payload of an observation of ``kind``, checked by its schema.

    Raises
    ------
    ValueError
        Naming the first bad field (``payload.<field>: <problem>``).
    """
    if not isinstance(payload, dict):
        raise ValueError("payload: must be a JSON object")
    schema = PAYLOAD_SCHEMAS.get(kind)
    if schema is None:
        return payload
    try:
        return schema.model_validate(payload).model_dump(mode="json", exclude_unset=True)
    except ValidationError as exc:
        raise ValueError(f"payload.{_first_error(exc)}") from None


def payload_problem(kind: str, payload: Any) -> str | None:
    """Why a stored observation payload is malformed, or ``None`` when it is fine."""
    try:
        check_payload(kind, payload)
    except ValueError as exc:
        return str(exc)
    return None


class ObservationIn(BaseModel):
    """An observation: a day, a kind and a payload checked by the kind's schema."""

    date: dt.date
    kind: str = Field(min_length=1, max_length=100, pattern=r"^[a-z0-9_]+$")
    payload: dict[str, Any] = Field(default_factory=dict)
    note: str = Field(default="", max_length=5000)

    @field_validator("date")
    @classmethod
    def _plausible_date(cls, value: dt.date) -> dt.date:
        return check_day(value)

    @field_validator("payload")
    @classmethod
    def _typed_payload(cls, value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        kind = info.data.get("kind")
        if not isinstance(kind, str):
            return value
        checked = check_payload(kind, value)
        return {**value, **checked}


class ObservationOut(_Out):
    id: int
    person_id: int
    date: dt.date
    kind: str
    payload: dict[str, Any]
    note: str
    problem: str | None = Field(
        default=None, description="Why a stored payload is malformed (it can be deleted)."
    )


class PlanWeek(BaseModel):
    """One week of a plan."""

    model_config = ConfigDict(extra="allow")

    week: int = Field(ge=1, le=520)
    sessions: int = Field(ge=0, le=21)
    backward_min_per_session: float = Field(ge=0.0, le=300.0)
    backward_min_week: float = Field(ge=0.0, le=3000.0)
    steps: list[str] = Field(default_factory=list)


class PlanPayload(BaseModel):
    """The generated plan stored with a :class:`PlanIn` (what the coach pages read)."""

    model_config = ConfigDict(extra="allow")

    start: dt.date
    stage: str = Field(min_length=1, max_length=100)
    weeks: list[PlanWeek] = Field(min_length=1, max_length=520)
    stairs_allowed: bool = False

    @field_validator("start")
    @classmethod
    def _plausible_start(cls, value: dt.date) -> dt.date:
        if value < EARLIEST_DATE or value > dt.date.today() + dt.timedelta(days=366):
            raise ValueError(f"the start {value} is not plausible")
        return value


def check_plan_payload(payload: Any) -> dict[str, Any]:
    """A plan payload checked by :class:`PlanPayload` (ValueError naming the field)."""
    if not isinstance(payload, dict):
        raise ValueError("payload: must be a JSON object")
    try:
        PlanPayload.model_validate(payload)
    except ValidationError as exc:
        raise ValueError(f"payload.{_first_error(exc)}") from None
    return payload


def plan_problem(payload: Any) -> str | None:
    """Why a stored plan payload is malformed, or ``None``."""
    try:
        check_plan_payload(payload)
    except ValueError as exc:
        return str(exc)
    return None


class PlanIn(BaseModel):
    """A coaching plan: goal, level and the generated plan (checked by :class:`PlanPayload`)."""

    goal: str = Field(default="", max_length=200)
    level: str = Field(default="", max_length=50)
    payload: dict[str, Any]

    @field_validator("payload")
    @classmethod
    def _typed_payload(cls, value: dict[str, Any]) -> dict[str, Any]:
        return check_plan_payload(value)


class PlanOut(_Out):
    id: int
    person_id: int
    created: dt.datetime
    goal: str
    level: str
    payload: dict[str, Any]
    problem: str | None = Field(
        default=None, description="Why a stored plan is malformed (it can be deleted)."
    )


class TokenOut(_Out):
    id: int
    name: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None


class NewToken(BaseModel):
    id: int
    name: str
    token: str = Field(description="Shown once; send as 'Authorization: Bearer <token>'.")


def observation_out(row: Any) -> ObservationOut:
    """An observation row as :class:`ObservationOut`, with ``problem`` set when malformed."""
    payload = row.payload if isinstance(row.payload, dict) else {"value": row.payload}
    return ObservationOut(
        id=row.id,
        person_id=row.person_id,
        date=row.date,
        kind=row.kind,
        payload=payload,
        note=row.note or "",
        problem=payload_problem(row.kind, row.payload),
    )


def plan_out(row: Any) -> PlanOut:
    """A plan row as :class:`PlanOut`, with ``problem`` set when malformed."""
    payload = row.payload if isinstance(row.payload, dict) else {"value": row.payload}
    return PlanOut(
        id=row.id,
        person_id=row.person_id,
        created=row.created,
        goal=row.goal or "",
        level=row.level or "",
        payload=payload,
        problem=plan_problem(row.payload),
    )
