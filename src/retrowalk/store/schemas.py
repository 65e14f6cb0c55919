"""Plain data the services hand out (and the REST API serialises), and the checks
on everything that comes in.

Every stored JSON payload has a typed schema per kind (see
:mod:`retrowalk.store.payloads`): a malformed record is refused on the way in
with the field named, and readers skip a bad record that is already stored
instead of failing a whole page. Dates and body measures are
checked against plausible ranges.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from retrowalk.store.checks import EARLIEST_DATE, check_day, due_date_problem
from retrowalk.store.payloads import (
    check_payload,
    check_plan_payload,
    payload_problem,
    plan_problem,
)


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
        adult_since = dt.date.today() - dt.timedelta(days=round(18 * 365.25))
        if self.kind == "child" and self.birth_date is not None and self.birth_date < adult_since:
            raise ValueError(
                f"birth_date: {self.birth_date} is more than 18 years ago; a child's page "
                "is for children: add an adult instead (or check the year)"
            )
        if self.kind == "adult" and self.height_m is not None and self.height_m < 1.0:
            raise ValueError(
                f"height_m: {self.height_m:g} m is not a plausible adult height "
                "(1.0-2.6 m); enter the height in metres"
            )
        if self.due_date is not None:
            if self.birth_date is None:
                raise ValueError("due_date: give the birth date too")
            if problem := due_date_problem(self.birth_date, self.due_date):
                raise ValueError(f"due_date: {problem}")
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
    date_source: Literal["file", "user", "unknown"] = "file"
    columns: str = ""
    floor_marks_px: str = ""
    floor_distance_m: float | None = None
    proportions: Literal["", "child", "adult"] = ""
    status: Literal["queued", "running", "done", "failed"]
    error: str
    progress_stage: str = ""
    progress_pct: float | None = None

    @property
    def date_known(self) -> bool:
        """False when the file held no date and none was given yet."""
        return self.date_source != "unknown"


class BoutLabelOut(_Out):
    """A bout's direction as the user set it (span as when it was labelled)."""

    id: int
    recording_id: int
    start_s: float
    end_s: float
    label: Literal["forward", "backward", "not_walking"]


BACKWARD_CADENCE = "Cadence of the backward steps, steps/min (exported as backward_cadence_spm)."
BACKWARD_CV = (
    "Step-time variability of the backward steps, % (exported as backward_step_time_cv_pct)."
)


class AnalysisSummary(_Out):
    """The numbers progress charts use, from one analysis."""

    analysis_version: str
    backward_steps: int
    backward_duration_s: float
    backward_distance_m: float
    backward_speed_mps: float | None
    cadence_spm: float | None = Field(description=BACKWARD_CADENCE)
    step_time_cv_pct: float | None = Field(description=BACKWARD_CV)
    forward_steps: int = 0
    forward_duration_s: float = 0.0
    forward_distance_m: float = 0.0
    uncertain_steps: int = 0
    uncertain_duration_s: float = 0.0
    uncertain_distance_m: float = 0.0
    used_height_m: float | None = Field(
        default=None, description="The height the analysis used (its assumptions), m"
    )
    used_weight_kg: float | None = Field(
        default=None, description="The weight the analysis used (its assumptions), kg"
    )


class MeasureChange(BaseModel):
    """A body measure an analysis used that differs from the person's now."""

    measure: Literal["height_m", "weight_kg"]
    used: float = Field(description="What the analysis used")
    now: float = Field(description="What an analysis of the person would use now")


class RecordingDetail(RecordingOut):
    summary: AnalysisSummary | None = None
    measures_changed: list[MeasureChange] = Field(
        default_factory=list,
        description=(
            "The body measures the shown analysis used that differ from the person's now "
            "(height or weight edited since): its distances, speeds and energy are for the "
            "measures it used, until the recording is analysed again. Empty when none."
        ),
    )


class ProgressWeek(BaseModel):
    """Totals and means of one ISO week (Monday to Sunday)."""

    week_start: dt.date
    recordings: int
    backward_steps: int
    backward_duration_s: float
    backward_distance_m: float
    backward_speed_mps: float | None
    cadence_spm: float | None = Field(description=BACKWARD_CADENCE)
    step_time_cv_pct: float | None = Field(description=BACKWARD_CV)
    forward_steps: int = 0
    forward_duration_s: float = 0.0
    forward_distance_m: float = 0.0
    uncertain_steps: int = 0
    uncertain_duration_s: float = 0.0
    uncertain_distance_m: float = 0.0
    # Recordings of the week whose analysis another engine version made (their
    # numbers and this version's are not strictly comparable).
    older_engine_recordings: int = 0


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


class PlanIn(BaseModel):
    """A coaching plan: goal, level and the generated plan (checked by ``PlanPayload``)."""

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


#: The longest name of an API token (the ``api_token.name`` column's length).
TOKEN_NAME_MAX = 100


class TokenIn(BaseModel):
    """The name of a new API token (what it is for)."""

    name: str = Field("", max_length=TOKEN_NAME_MAX)


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
