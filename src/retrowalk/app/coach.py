"""Coaching operations on stored data, shared by the pages, the REST API and the CLI.

No new tables: screenings, training logs and stage changes are
:class:`~retrowalk.store.models.Observation` rows (kinds ``coach_screening``,
``coach_log``, ``coach_stage``), plans are :class:`~retrowalk.store.models.Plan`
rows with the generated plan as JSON. Every call goes through the account-scoped
:class:`~retrowalk.app.services.Services`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from retrowalk.app.services import Services
from retrowalk.core.errors import InputError
from retrowalk.domain.coach import plans as plan_rules
from retrowalk.domain.coach.progression import Recommendation, recommend
from retrowalk.domain.coach.screening import ScreeningAnswers, ScreeningResult, screen
from retrowalk.domain.coach.weekly import (
    RecordedWeek,
    Session,
    Week,
    adherence,
    streak,
    summarise_weeks,
)
from retrowalk.store.schemas import ObservationIn, PlanIn, PlanOut
from retrowalk.summary.progress import in_weeks

LOG_KIND = "coach_log"
SCREENING_KIND = "coach_screening"
STAGE_KIND = "coach_stage"
PLACES = ("wall_support", "open_space", "treadmill", "track", "intervals", "stairs", "other")


class LogIn(BaseModel):
    """A manual training log."""

    date: dt.date = Field(default_factory=dt.date.today)
    backward_min: float = Field(gt=0, le=300, description="minutes walked backwards")
    place: Literal[
        "wall_support", "open_space", "treadmill", "track", "intervals", "stairs", "other"
    ] = "open_space"
    effort: int | None = Field(None, ge=0, le=10, description="how hard, 0-10")
    soreness: int | None = Field(None, ge=0, le=10, description="soreness afterwards, 0-10")
    pain: bool = False
    falls: int = Field(0, ge=0, le=20)
    near_falls: int = Field(0, ge=0, le=50)
    recording_id: int | None = None
    note: str = Field("", max_length=2000)


class PlanRequest(BaseModel):
    """What to generate a plan for."""

    goal: Literal["fitness", "knee_pain", "balance", "stroke_rehab"] = "fitness"
    level: Literal["beginner", "intermediate", "advanced"] = "beginner"
    prescribed: bool = False
    start: dt.date | None = None


class CoachServices:
    """Screening, plans, logs, progression and the weekly view of one account's people.

    Parameters
    ----------
    services
        The shared store services (account-scoped).
    """

    def __init__(self, services: Services) -> None:
        self.services = services

    # -- screening ---------------------------------------------------------------
    def screen(
        self, account_id: int, person_id: int | None, answers: ScreeningAnswers
    ) -> ScreeningResult:
        """Screen; with a person, keep the answers and outcome in their history."""
        result = screen(answers)
        if person_id is not None:
            self.services.add_observation(
                account_id,
                person_id,
                ObservationIn(
                    date=dt.date.today(),
                    kind=SCREENING_KIND,
                    payload={"answers": answers.model_dump(), "result": result.to_dict()},
                ),
            )
        return result

    def latest_screening(self, account_id: int, person_id: int) -> dict[str, Any] | None:
        rows = [
            o
            for o in self.services.list_observations(account_id, person_id)
            if o.kind == SCREENING_KIND
        ]
        return rows[-1].payload if rows else None

    # -- plans -------------------------------------------------------------------
    def create_plan(self, account_id: int, person_id: int, request: PlanRequest) -> PlanOut:
        """Generate and store a plan; it starts on ``request.start`` (default today)."""
        payload = plan_rules.make_plan(request.goal, request.level, prescribed=request.prescribed)
        payload["start"] = (request.start or dt.date.today()).isoformat()
        return self.services.add_plan(
            account_id,
            person_id,
            PlanIn(goal=request.goal, level=request.level, payload=payload),
        )

    def current_plan(self, account_id: int, person_id: int) -> PlanOut | None:
        plans = self.services.list_plans(account_id, person_id)
        return plans[-1] if plans else None

    def current_stage(self, account_id: int, person_id: int) -> str | None:
        """The stage of the current plan, or a later accepted stage change."""
        plan = self.current_plan(account_id, person_id)
        if plan is None:
            return None
        start = dt.date.fromisoformat(plan.payload.get("start", dt.date.today().isoformat()))
        changes = [
            o
            for o in self.services.list_observations(account_id, person_id)
            if o.kind == STAGE_KIND and o.date >= start and o.payload.get("plan_id") == plan.id
        ]
        return changes[-1].payload["stage"] if changes else plan.payload.get("stage")

    def accept_stage(self, account_id: int, person_id: int, stage_id: str) -> str:
        """Move to a stage (after progression offered it, or stepping back)."""
        plan = self.current_plan(account_id, person_id)
        if plan is None:
            raise InputError("plan", "make a plan first")
        plan_rules.stage(stage_id)
        if stage_id == "stairs" and not plan.payload.get("stairs_allowed"):
            raise InputError("stage", "stairs are for advanced plans only")
        self.services.add_observation(
            account_id,
            person_id,
            ObservationIn(
                date=dt.date.today(),
                kind=STAGE_KIND,
                payload={"stage": stage_id, "plan_id": plan.id},
            ),
        )
        return stage_id

    # -- sessions ----------------------------------------------------------------
    def add_log(self, account_id: int, person_id: int, log: LogIn) -> Session:
        """Store a manual training log."""
        if log.recording_id is not None:
            recording = self.services.get_recording(account_id, log.recording_id)  # or NotFound
            if recording.person_id != person_id:
                raise InputError("recording", "this recording belongs to someone else")
        data = log.model_dump(mode="json")
        self.services.add_observation(
            account_id,
            person_id,
            ObservationIn(date=log.date, kind=LOG_KIND, payload=data, note=log.note),
        )
        return _session_from_log(log.date, data)

    def _logs(self, account_id: int, person_id: int) -> list[Any]:
        return [
            o for o in self.services.list_observations(account_id, person_id) if o.kind == LOG_KIND
        ]

    @staticmethod
    def _linked(logs: list[Any]) -> set[int]:
        """The recordings a log points to: the log counts for them (once)."""
        return {int(o.payload["recording_id"]) for o in logs if o.payload.get("recording_id")}

    def sessions(self, account_id: int, person_id: int) -> list[Session]:
        """Manual logs and analysed recordings (a recording a log points to counts once).

        A recording whose date is unknown is left out, as progress leaves it out of its
        weeks (:func:`retrowalk.summary.progress.in_weeks`), until its date is set;
        :meth:`overview` lists it. A recording's minutes are its backward walking time
        at full precision (shown rounded).
        """
        logs = self._logs(account_id, person_id)
        out = [_session_from_log(o.date, o.payload) for o in logs]
        linked = self._linked(logs)
        for rec in self.services.list_recordings(account_id, person_id):
            s = rec.summary
            if rec.id in linked or s is None or s.backward_duration_s <= 0:
                continue
            if not in_weeks(rec.date_source):  # its day unknown: listed apart, as on progress
                continue
            out.append(
                Session(
                    date=rec.recorded_on,
                    backward_min=s.backward_duration_s / 60.0,
                    source="recording",
                    speed_mps=s.backward_speed_mps,
                    step_time_cv_pct=s.step_time_cv_pct,
                    recording_id=rec.id,
                )
            )
        return sorted(out, key=lambda x: (x.date, x.source))

    # -- weekly view and progression ----------------------------------------------
    def weeks(self, account_id: int, person_id: int, today: dt.date | None = None) -> list[Week]:
        """Planned vs done, week by week.

        What the analysed recordings add up to in a week (backward time, speed,
        steadiness) is the progress page's week (:meth:`Services.progress`, computed
        by :func:`retrowalk.summary.progress.weekly`), without the recordings a log
        stands for: the weekly view, the progress page, the API and the command line
        show one number, rounded only where shown.
        """
        plan = self.current_plan(account_id, person_id)
        start = dt.date.fromisoformat(plan.payload["start"]) if plan else None
        linked = self._linked(self._logs(account_id, person_id))
        recorded = [
            RecordedWeek(
                week_start=w.week_start,
                backward_duration_s=w.backward_duration_s,
                speed_mps=w.backward_speed_mps,
                step_time_cv_pct=w.step_time_cv_pct,
            )
            for w in self.services.progress(account_id, person_id, leave_out=linked)
        ]
        return summarise_weeks(
            self.sessions(account_id, person_id),
            recorded=recorded,
            plan=plan.payload if plan else None,
            plan_start=start,
            today=today,
        )

    def overview(
        self, account_id: int, person_id: int, today: dt.date | None = None
    ) -> dict[str, Any]:
        """Everything the plan page shows: plan, weeks, adherence, streak, recommendation,
        and the analysed recordings left out of the weeks because their date is unknown
        (``undated``, as the progress page lists them)."""
        today = today or dt.date.today()
        plan = self.current_plan(account_id, person_id)
        weeks = self.weeks(account_id, person_id, today)
        rec = self.recommendation(account_id, person_id, today, weeks=weeks)
        current_week = None
        if plan is not None:
            start = dt.date.fromisoformat(plan.payload["start"])
            index = max(0, (today - start).days // 7)
            plan_weeks = plan.payload["weeks"]
            current_week = plan_weeks[min(index, len(plan_weeks) - 1)]
        return {
            "plan": plan.model_dump(mode="json") if plan else None,
            "stage": self.current_stage(account_id, person_id),
            "current_week": current_week,
            "weeks": [w.to_dict() for w in weeks],
            "this_week": adherence(weeks, 1),
            "last_4_weeks": adherence(weeks, 4),
            "streak_weeks": streak(weeks),
            "recommendation": rec.to_dict() if rec else None,
            "sessions": [s.to_dict() for s in self.sessions(account_id, person_id)][-20:],
            "undated": [
                {"id": r.id, "filename": r.filename, "url": f"/recordings/{r.id}"}
                for r in self.services.undated_recordings(account_id, person_id)
            ],
        }

    def recommendation(
        self,
        account_id: int,
        person_id: int,
        today: dt.date | None = None,
        *,
        weeks: list[Week] | None = None,
    ) -> Recommendation | None:
        """Next week's advice; None without a plan."""
        plan = self.current_plan(account_id, person_id)
        if plan is None:
            return None
        today = today or dt.date.today()
        weeks = weeks if weeks is not None else self.weeks(account_id, person_id, today)
        start = dt.date.fromisoformat(plan.payload["start"])
        next_index = max(0, (today - start).days // 7 + 1)
        next_planned = plan_rules.planned_minutes_for_week(plan.payload, next_index)
        stage_id = self.current_stage(account_id, person_id) or plan.payload["stage"]
        return recommend(
            weeks,
            stage_id,
            stairs_allowed=bool(plan.payload.get("stairs_allowed")),
            next_planned_min=next_planned,
        )


def _session_from_log(day: dt.date, data: dict[str, Any]) -> Session:
    return Session(
        date=day,
        backward_min=float(data["backward_min"]),
        source="log",
        place=str(data.get("place") or ""),
        effort=data.get("effort"),
        soreness=data.get("soreness"),
        pain=bool(data.get("pain")),
        falls=int(data.get("falls") or 0),
        near_falls=int(data.get("near_falls") or 0),
        recording_id=data.get("recording_id"),
        note=str(data.get("note") or ""),
    )
