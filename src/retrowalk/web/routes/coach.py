"""Coaching pages and API: screening, plan with weekly view, training log, progression."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from starlette.datastructures import FormData

from retrowalk.app.coach import CoachServices, LogIn, PlanRequest
from retrowalk.core.errors import RetrowalkError
from retrowalk.domain.coach.plans import cues, stages
from retrowalk.domain.coach.screening import ScreeningAnswers, age_years
from retrowalk.web.deps import ApiAccount, Csrf, PageAccount, ServicesDep
from retrowalk.web.forms import (
    in_form_words,
    recording_in_form_words,
    typed_values,
    validated_in_form_words,
)
from retrowalk.web.render import PLACES, older_engine, render

router = APIRouter()
CHECKBOXES = ("recent_injury", "heart_dizzy", "pregnant", "pain", "prescribed")
# The fields of each form, kept as typed when the form is refused.
SCREENING_FIELDS = tuple(ScreeningAnswers.model_fields)
# The safe-start form's questions as it asks them, and their answers as it shows them.
SCREENING_LABELS = {
    "balance": "Balance and falls",
    "knee_hip": "Knees and hips",
    "neuro": "Neurological condition",
    "age": "Age",
    "activity": "Activity now",
}
SCREENING_CHOICES = {
    "balance": {
        "none": "No balance problems",
        "unsteady": "Sometimes unsteady",
        "falls": "Fell in the past 12 months",
    },
    "knee_hip": {
        "none": "No problems",
        "mild": "Occasional aches",
        "diagnosed": "Diagnosed condition or ongoing pain",
    },
    "neuro": {
        "none": "None",
        "stroke": "Stroke",
        "parkinsons": "Parkinson's",
        "ms": "Multiple sclerosis",
        "other": "Other",
    },
    "activity": {
        "inactive": "Mostly inactive",
        "some": "Some activity (walks, light exercise)",
        "active": "Active most days",
    },
}
PLAN_FIELDS = ("goal", "level", "start", "prescribed")
# The new-plan form's lists: each value with the words the form shows for it.
PLAN_CHOICES = {
    "goal": {
        "fitness": "Fitness",
        "knee_pain": "Knee pain or knee osteoarthritis",
        "balance": "Balance",
        "stroke_rehab": "Rehab after a stroke (prescribed by a therapist)",
    },
    "level": {
        "beginner": "Beginner (new to backward walking)",
        "intermediate": "Intermediate (a few weeks of practice)",
        "advanced": "Advanced (steady in open space)",
    },
}
LOG_FIELDS = (
    "date",
    "backward_min",
    "place",
    "effort",
    "soreness",
    "falls",
    "near_falls",
    "recording_id",
    "pain",
    "note",
)


def coach_of(services: Any) -> CoachServices:
    return CoachServices(services)


def model_from_form(
    model: type[BaseModel],
    form: FormData,
    checkboxes: tuple[str, ...] = (),
    labels: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
    whole: str = "Form",
    choices: Mapping[str, Mapping[str, str]] | None = None,
) -> Any:
    """Build ``model`` from form fields; empty fields are left out, checkboxes are booleans.

    A refused field raises :class:`InputError` in the form's words
    (:func:`~retrowalk.web.forms.validated_in_form_words` with the fields' ``labels``,
    ``units``, ``whole`` for a check across fields and the lists' ``choices``).
    """
    data: dict[str, Any] = {}
    for name in model.model_fields:
        value = form.get(name)
        if name in checkboxes:
            data[name] = value in ("on", "true", "1", "yes")
        elif isinstance(value, str) and value.strip():
            data[name] = value.strip()
    with validated_in_form_words(labels or {}, units or {}, whole, choices or {}):
        return model(**data)


# ----------------------------------------------------------------------------- pages
@router.get("/people/{person_id}/coach/screening", include_in_schema=False)
def screening_page(
    request: Request, person_id: int, account: PageAccount, services: ServicesDep
) -> Response:
    person = services.get_person(account, person_id)
    last = coach_of(services).latest_screening(account, person_id)
    return render(
        request,
        "coach/screening.html",
        choices=SCREENING_CHOICES,
        person=person,
        result=None,
        last=last,
        error=None,
        age=age_years(person.birth_date),
    )


@router.post("/people/{person_id}/coach/screening", dependencies=[Csrf], include_in_schema=False)
async def screening_submit(
    request: Request, person_id: int, account: PageAccount, services: ServicesDep
) -> Response:
    person = services.get_person(account, person_id)
    form = await request.form()
    try:
        answers = model_from_form(
            ScreeningAnswers, form, CHECKBOXES, SCREENING_LABELS, choices=SCREENING_CHOICES
        )
    except RetrowalkError as exc:
        return render(
            request,
            "coach/screening.html",
            choices=SCREENING_CHOICES,
            status_code=400,
            person=person,
            result=None,
            last=None,
            error=str(exc),
            age=None,
            typed=typed_values(form, SCREENING_FIELDS),
        )
    result = coach_of(services).screen(account, person_id, answers)
    return render(
        request,
        "coach/screening.html",
        choices=SCREENING_CHOICES,
        person=person,
        result=result.to_dict(),
        last=None,
        error=None,
        age=answers.age,
    )


@router.get("/people/{person_id}/coach", include_in_schema=False)
def plan_page(
    request: Request, person_id: int, account: PageAccount, services: ServicesDep
) -> Response:
    person = services.get_person(account, person_id)
    coach = coach_of(services)
    return render(
        request,
        "coach/plan.html",
        person=person,
        view=coach.overview(account, person_id),
        screening=coach.latest_screening(account, person_id),
        stages={s["id"]: s for s in stages()},
        cues=cues(),
        plan_choices=PLAN_CHOICES,
        error=request.query_params.get("error"),
        **older_engine(services, account, person_id),
    )


@router.post("/people/{person_id}/coach/plan", dependencies=[Csrf], include_in_schema=False)
async def plan_submit(
    request: Request, person_id: int, account: PageAccount, services: ServicesDep
) -> Response:
    services.get_person(account, person_id)
    form = await request.form()
    try:
        plan_request = model_from_form(PlanRequest, form, CHECKBOXES, choices=PLAN_CHOICES)
        coach_of(services).create_plan(account, person_id, plan_request)
    except RetrowalkError as exc:
        typed = typed_values(form, PLAN_FIELDS)
        return _plan_error(request, person_id, account, services, str(exc), typed)
    return RedirectResponse(f"/people/{person_id}/coach", status_code=303)


def _plan_error(
    request: Request,
    person_id: int,
    account: int,
    services: Any,
    message: str,
    typed: dict[str, str] | None = None,
) -> Response:
    """The plan page saying why; ``typed`` refills the new-plan form after its refusal."""
    coach = coach_of(services)
    return render(
        request,
        "coach/plan.html",
        status_code=400,
        person=services.get_person(account, person_id),
        view=coach.overview(account, person_id),
        screening=coach.latest_screening(account, person_id),
        stages={s["id"]: s for s in stages()},
        cues=cues(),
        plan_choices=PLAN_CHOICES,
        error=message,
        typed=typed or {},
        **older_engine(services, account, person_id),
    )


@router.post("/people/{person_id}/coach/stage", dependencies=[Csrf], include_in_schema=False)
async def stage_submit(
    request: Request, person_id: int, account: PageAccount, services: ServicesDep
) -> Response:
    form = await request.form()
    try:
        coach_of(services).accept_stage(account, person_id, str(form.get("stage", "")))
    except RetrowalkError as exc:
        # The buttons name no field: the plan and its stage, in words.
        worded = in_form_words(exc, {"plan": "Plan", "stage": "Stage"})
        return _plan_error(request, person_id, account, services, str(worded))
    return RedirectResponse(f"/people/{person_id}/coach", status_code=303)


@router.get("/people/{person_id}/coach/log", include_in_schema=False)
def log_page(
    request: Request, person_id: int, account: PageAccount, services: ServicesDep
) -> Response:
    person = services.get_person(account, person_id)
    recordings = [r for r in services.list_recordings(account, person_id) if r.summary]
    return render(
        request,
        "coach/log.html",
        person=person,
        recordings=recordings,
        today=dt.date.today().isoformat(),
        error=None,
    )


# The session log form's fields as it labels them, and their units.
LOG_LABELS = {
    "backward_min": "Minutes walked backwards",
    "place": "Where",
    "effort": "Effort",
    "soreness": "Soreness afterwards",
    "near_falls": "Near-falls",
    "recording_id": "From a recording",
}
LOG_UNITS = {"backward_min": "minutes"}
# The session log form's list of places, as it shows them.
LOG_CHOICES = {"place": {key: words.capitalize() for key, words in PLACES.items()}}


@router.post("/people/{person_id}/coach/log", dependencies=[Csrf], include_in_schema=False)
async def log_submit(
    request: Request, person_id: int, account: PageAccount, services: ServicesDep
) -> Response:
    person = services.get_person(account, person_id)
    form = await request.form()
    try:
        entry = model_from_form(LogIn, form, CHECKBOXES, LOG_LABELS, LOG_UNITS, "Form", LOG_CHOICES)
        # The stored entry's checks (a date in the future) and the recording chosen.
        with (
            validated_in_form_words(LOG_LABELS, LOG_UNITS, "Form", LOG_CHOICES),
            recording_in_form_words(LOG_LABELS["recording_id"]),
        ):
            coach_of(services).add_log(account, person_id, entry)
    except RetrowalkError as exc:
        recordings = [r for r in services.list_recordings(account, person_id) if r.summary]
        return render(
            request,
            "coach/log.html",
            status_code=400,
            person=person,
            recordings=recordings,
            today=dt.date.today().isoformat(),
            error=str(exc),
            typed=typed_values(form, LOG_FIELDS),
        )
    # With a plan, its next step; without one, the sessions (the plan page lists them).
    has_plan = coach_of(services).current_plan(account, person_id) is not None
    anchor = "progression" if has_plan else "sessions"
    return RedirectResponse(f"/people/{person_id}/coach#{anchor}", status_code=303)


# ------------------------------------------------------------------------------- API
@router.post("/api/v1/screening", tags=["coach"])
def api_screen(body: ScreeningAnswers, account: ApiAccount, services: ServicesDep) -> dict:
    """Screen without storing (go / go with support / see a doctor first, with reasons)."""
    return coach_of(services).screen(account, None, body).to_dict()


@router.post("/api/v1/people/{person_id}/screening", tags=["coach"], status_code=201)
def api_screen_person(
    person_id: int, body: ScreeningAnswers, account: ApiAccount, services: ServicesDep
) -> dict:
    """Screen a person and keep the answers and outcome in their history."""
    services.get_person(account, person_id)
    return coach_of(services).screen(account, person_id, body).to_dict()


@router.get("/api/v1/people/{person_id}/coach", tags=["coach"])
def api_overview(person_id: int, account: ApiAccount, services: ServicesDep) -> dict:
    """Current plan, weekly view (planned vs done), adherence, streak and recommendation."""
    services.get_person(account, person_id)
    return coach_of(services).overview(account, person_id)


@router.post("/api/v1/people/{person_id}/coach/plan", tags=["coach"], status_code=201)
def api_plan(person_id: int, body: PlanRequest, account: ApiAccount, services: ServicesDep) -> dict:
    """Generate and store a plan for a goal and level."""
    return coach_of(services).create_plan(account, person_id, body).model_dump(mode="json")


@router.get("/api/v1/people/{person_id}/coach/logs", tags=["coach"])
def api_logs(person_id: int, account: ApiAccount, services: ServicesDep) -> list[dict]:
    """Sessions: manual logs and analysed recordings, oldest first."""
    services.get_person(account, person_id)
    return [s.to_dict() for s in coach_of(services).sessions(account, person_id)]


@router.post("/api/v1/people/{person_id}/coach/logs", tags=["coach"], status_code=201)
def api_add_log(person_id: int, body: LogIn, account: ApiAccount, services: ServicesDep) -> dict:
    """Log a training session."""
    services.get_person(account, person_id)
    return coach_of(services).add_log(account, person_id, body).to_dict()


@router.get("/api/v1/people/{person_id}/coach/recommendation", tags=["coach"])
def api_recommendation(person_id: int, account: ApiAccount, services: ServicesDep) -> dict | None:
    """Next week's advice and the rule that produced it (null without a plan)."""
    services.get_person(account, person_id)
    rec = coach_of(services).recommendation(account, person_id)
    return rec.to_dict() if rec else None
