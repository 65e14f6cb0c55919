"""Plain data the services hand out (and the REST API serialises)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


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
    height_m: float | None = Field(default=None, gt=0.3, lt=2.6)
    weight_kg: float | None = Field(default=None, gt=1.0, lt=400.0)
    conditions: str = Field(default="", max_length=5000)
    goals: str = Field(default="", max_length=5000)


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


class ObservationIn(BaseModel):
    date: dt.date
    kind: str = Field(min_length=1, max_length=100)
    payload: dict[str, Any] = Field(default_factory=dict)
    note: str = ""


class ObservationOut(_Out):
    id: int
    person_id: int
    date: dt.date
    kind: str
    payload: dict[str, Any]
    note: str
    attachment_path: str | None


class PlanIn(BaseModel):
    goal: str = ""
    level: str = ""
    payload: dict[str, Any] = Field(default_factory=dict)


class PlanOut(_Out):
    id: int
    person_id: int
    created: dt.datetime
    goal: str
    level: str
    payload: dict[str, Any]


class TokenOut(_Out):
    id: int
    name: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None


class NewToken(BaseModel):
    id: int
    name: str
    token: str = Field(description="Shown once; send as 'Authorization: Bearer <token>'.")
