"""Typed schemas of the stored JSON payloads: one per observation kind, and plans.

A malformed payload is refused on the way in with the field named;
:func:`payload_problem` and :func:`plan_problem` let readers skip a bad record
that is already stored instead of failing a whole page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from retrowalk.store.checks import EARLIEST_DATE, _first_error


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


class PlanWeek(BaseModel):
    """One week of a plan."""

    model_config = ConfigDict(extra="allow")

    week: int = Field(ge=1, le=520)
    sessions: int = Field(ge=0, le=21)
    backward_min_per_session: float = Field(ge=0.0, le=300.0)
    backward_min_week: float = Field(ge=0.0, le=3000.0)
    steps: list[str] = Field(default_factory=list)


class PlanPayload(BaseModel):
    """The generated plan stored with a ``PlanIn`` (what the coach pages read)."""

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
