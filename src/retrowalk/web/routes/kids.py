"""Children's pages and API: profile, milestone timeline, log, guidance, summary, step counter.

Thin handlers: every decision is made by :mod:`retrowalk.app.kids` services.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile

from retrowalk.app.kids import KidsService, build_summary, guide_child
from retrowalk.app.services import Services
from retrowalk.core.errors import InputError, RetrowalkError
from retrowalk.domain.kids.guidance import flag_age_months
from retrowalk.domain.kids.milestones import load_milestones
from retrowalk.domain.kids.summary import to_csv, to_html, to_json
from retrowalk.web.deps import ApiAccount, Csrf, PageAccount, ServicesDep
from retrowalk.web.forms import form_choice, in_form_words, typed_values, validated_in_form_words
from retrowalk.web.render import render

router = APIRouter()
AXIS_MONTHS = 36
# The log form's text fields, kept as typed when an entry is refused (with its details).
OBSERVATION_FIELDS = ("date", "skill", "steps", "note")
# The log form's fields with the words the form shows for them.
OBSERVATION_LABELS = {
    "date": "Date",
    "skill": "Skill",
    "detail": "Details",
    "steps": "Backward steps",
    "note": "Note",
}


def _kids(services: Services) -> KidsService:
    return KidsService(services)


def _day(value: Any, what: str) -> dt.date | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(what, f"'{value}' is not a date") from None


def _int(value: Any, what: str) -> int | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return int(value)
    except ValueError:
        raise InputError(what, "enter a whole number") from None


def _profile(request: Request, kids: KidsService, account: int, person_id: int, **extra: Any):
    child = kids.child(account, person_id)
    # Without a birth date there is no age: the page asks for it first.
    g = guide_child(kids, account, person_id) if child.birth_date else None
    return render(
        request,
        "kids/child.html",
        child=child,
        g=g,
        table=load_milestones(),
        entries=list(reversed(kids.entries(account, person_id))),
        axis=AXIS_MONTHS,
        today=dt.date.today(),
        max_mb=kids.max_attachment_bytes // (1024 * 1024),
        error=extra.pop("error", None),
        **extra,
    )


def child_profile_page(
    request: Request, services: Services, account: int, person_id: int, **edit: Any
) -> Response:
    """A child's page showing a refused profile edit (``edit_error``, ``typed``): 400."""
    response = _profile(request, _kids(services), account, person_id, **edit)
    response.status_code = 400
    return response


# -- pages ---------------------------------------------------------------------------
@router.get("/children", include_in_schema=False)
def children_page(request: Request, account: PageAccount, services: ServicesDep) -> Response:
    return render(request, "kids/children.html", rows=_rows(_kids(services), account), error=None)


def _rows(kids: KidsService, account: int) -> list[tuple[Any, Any]]:
    return [(c, kids.age(account, c.id) if c.birth_date else None) for c in kids.children(account)]


@router.post("/children", dependencies=[Csrf], include_in_schema=False)
async def create_child(request: Request, account: PageAccount, services: ServicesDep) -> Response:
    form = await request.form()
    kids = _kids(services)
    try:
        born = _day(form.get("birth_date"), "Birth date")
        if born is None:
            raise InputError("Birth date", "enter the birth date")
        with validated_in_form_words():  # the profile's checks (a birth date before 1900)
            child = kids.add_child(
                account,
                str(form.get("name", "")).strip(),
                born,
                _day(form.get("due_date"), "Due date"),
            )
    except RetrowalkError as exc:
        # The page again with why, in one line, and the form as typed.
        rows = [
            (c, kids.age(account, c.id) if c.birth_date else None) for c in kids.children(account)
        ]
        typed = typed_values(form, ("name", "birth_date", "due_date"))
        return render(
            request, "kids/children.html", status_code=400, rows=rows, error=str(exc), typed=typed
        )
    return RedirectResponse(f"/children/{child.id}", status_code=303)


@router.get("/children/{person_id}", include_in_schema=False)
def child_page(
    request: Request, person_id: int, account: PageAccount, services: ServicesDep
) -> Response:
    return _profile(request, _kids(services), account, person_id)


@router.post("/children/{person_id}/observations", dependencies=[Csrf], include_in_schema=False)
async def add_observation(
    request: Request, person_id: int, account: PageAccount, services: ServicesDep
) -> Response:
    kids = _kids(services)
    kids.child(account, person_id)
    form = await request.form()
    upload = form.get("file")
    try:
        skills = {m.id: m.name for m in load_milestones().milestones}
        kwargs: dict[str, Any] = dict(
            skill=form_choice(str(form.get("skill", "")), skills, OBSERVATION_LABELS["skill"]),
            on=_day(form.get("date"), "date"),
            details=[str(d) for d in form.getlist("details") if str(d)],
            steps=_int(form.get("steps"), "steps"),
            note=str(form.get("note", "")),
        )
        if isinstance(upload, UploadFile) and upload.filename:
            kids.observe(account, person_id, attachment=(upload.filename, upload.file), **kwargs)
        else:
            kids.observe(account, person_id, **kwargs)
    except RetrowalkError as exc:
        status = 413 if "larger" in str(exc) else 400
        observed: dict[str, Any] = typed_values(form, OBSERVATION_FIELDS)
        observed["details"] = [str(d) for d in form.getlist("details")]
        name = upload.filename if isinstance(upload, UploadFile) else None
        error = str(in_form_words(exc, OBSERVATION_LABELS, name))
        response = _profile(request, kids, account, person_id, error=error, observed=observed)
        response.status_code = status
        return response
    if form.get("back") == "guide":
        return RedirectResponse(f"/children/{person_id}/guide#questions", status_code=303)
    return RedirectResponse(f"/children/{person_id}#log", status_code=303)


@router.post(
    "/children/{person_id}/observations/{entry_id}/delete",
    dependencies=[Csrf],
    include_in_schema=False,
)
def delete_observation(
    person_id: int, entry_id: int, account: PageAccount, services: ServicesDep
) -> Response:
    _kids(services).delete_entry(account, person_id, entry_id)
    return RedirectResponse(f"/children/{person_id}#log", status_code=303)


@router.get("/children/{person_id}/observations/{entry_id}/file", include_in_schema=False)
def observation_file(
    person_id: int, entry_id: int, account: PageAccount, services: ServicesDep
) -> Response:
    path, media, name = _kids(services).attachment(account, person_id, entry_id)
    return FileResponse(path, media_type=media, filename=name, content_disposition_type="inline")


@router.get("/children/{person_id}/guide", include_in_schema=False)
def guide_page(
    request: Request,
    person_id: int,
    account: PageAccount,
    services: ServicesDep,
    on: str | None = None,
) -> Response:
    kids = _kids(services)
    child = kids.child(account, person_id)
    g = guide_child(kids, account, person_id, _day(on, "on"))
    return render(
        request,
        "kids/guide.html",
        child=child,
        g=g,
        table=load_milestones(),
        not_walking_months=flag_age_months("not-walking-by-18-months"),
    )


@router.get("/children/{person_id}/summary", include_in_schema=False)
def summary_page(person_id: int, account: PageAccount, services: ServicesDep) -> Response:
    summary = build_summary(_kids(services), account, person_id)
    # Print through the app's own script: its security policy blocks inline script.
    page = to_html(summary, back_url=f"/children/{person_id}", page_script="/static/page.js")
    return HTMLResponse(page)


@router.get("/children/{person_id}/summary.csv", include_in_schema=False)
def summary_csv(person_id: int, account: PageAccount, services: ServicesDep) -> Response:
    summary = build_summary(_kids(services), account, person_id)
    name = f"retrowalk-child-{person_id}-{summary.on:%Y%m%d}.csv"
    return Response(
        to_csv(summary),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/children/{person_id}/summary.json", include_in_schema=False)
def summary_json(person_id: int, account: PageAccount, services: ServicesDep) -> Response:
    summary = build_summary(_kids(services), account, person_id)
    return Response(to_json(summary), media_type="application/json")


@router.get("/children/{person_id}/count", include_in_schema=False)
def count_page(
    request: Request, person_id: int, account: PageAccount, services: ServicesDep
) -> Response:
    child = _kids(services).child(account, person_id)
    return render(request, "kids/count.html", child=child, table=load_milestones())


class StepCount(BaseModel):
    """Backward steps counted by tapping, saved as a log entry."""

    steps: int = Field(ge=0, le=500)
    duration_s: float | None = Field(default=None, ge=0, le=3600)
    skill: str = "first-backward-steps"
    note: str = Field(default="", max_length=2000)
    date: dt.date | None = None


# The counter's parts as its page shows them ("12 steps · 8.4 s", Skill, Note).
COUNT_LABELS = {
    "steps": "Steps",
    "duration_s": "Time",
    "skill": "Skill",
    "note": "Note",
    "date": "Date",
}


@router.post("/children/{person_id}/count", dependencies=[Csrf], include_in_schema=False)
def save_count(
    person_id: int,
    data: Annotated[dict[str, Any], Body()],
    account: PageAccount,
    services: ServicesDep,
) -> Response:
    """Save a count; a refusal (more than 500 taps, a timer left running over an hour)
    is one sentence in the counter's words, which its script shows."""
    with validated_in_form_words(COUNT_LABELS, {"duration_s": "s"}, "Count", {}):
        body = StepCount.model_validate(data)
    try:
        entry = _kids(services).observe(
            account,
            person_id,
            skill=body.skill,
            on=body.date,
            steps=body.steps,
            duration_s=body.duration_s,
            note=body.note,
            source="tap-counter",
        )
    except InputError as exc:
        raise in_form_words(exc, COUNT_LABELS) from None
    return JSONResponse({**entry.as_dict(), "url": f"/children/{person_id}#log"}, status_code=201)


# -- API -----------------------------------------------------------------------------
class ObservationBody(BaseModel):
    """A log entry sent by a script."""

    skill: str
    date: dt.date | None = None
    details: list[str] = Field(default_factory=list)
    steps: int | None = Field(default=None, ge=0, le=500)
    duration_s: float | None = Field(default=None, ge=0, le=3600)
    note: str = Field(default="", max_length=2000)


@router.get("/api/v1/children", tags=["children"])
def api_children(account: ApiAccount, services: ServicesDep) -> list[dict[str, Any]]:
    """The account's children with their (corrected) age today."""
    kids = _kids(services)
    return [
        {
            **c.model_dump(mode="json"),
            "age": kids.age(account, c.id).describe() if c.birth_date else None,
        }
        for c in kids.children(account)
    ]


@router.get("/api/v1/children/{person_id}/guidance", tags=["children"])
def api_guidance(
    person_id: int, account: ApiAccount, services: ServicesDep, on: dt.date | None = None
) -> dict[str, Any]:
    """Typical now, next, ideas and red flags for the child's corrected age."""
    return guide_child(_kids(services), account, person_id, on).as_dict()


@router.get("/api/v1/children/{person_id}/observations", tags=["children"])
def api_observations(
    person_id: int, account: ApiAccount, services: ServicesDep
) -> list[dict[str, Any]]:
    """The child's log, oldest first."""
    return [e.as_dict() for e in _kids(services).entries(account, person_id)]


@router.post("/api/v1/children/{person_id}/observations", tags=["children"], status_code=201)
def api_add_observation(
    person_id: int, body: ObservationBody, account: ApiAccount, services: ServicesDep
) -> dict[str, Any]:
    """Add a log entry (without a file; files are added from the web page or the CLI)."""
    entry = _kids(services).observe(
        account,
        person_id,
        skill=body.skill,
        on=body.date,
        details=body.details,
        steps=body.steps,
        duration_s=body.duration_s,
        note=body.note,
        source="api",
    )
    return entry.as_dict()
