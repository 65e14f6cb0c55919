"""People pages: list, create, profile with history, edit, export, delete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from retrowalk.app.demo import provenance_notes
from retrowalk.app.services import Services
from retrowalk.core.errors import InputError, RetrowalkError
from retrowalk.web.deps import Csrf, PageAccount, ServicesDep
from retrowalk.web.forms import UPLOAD_CHOICES, form_values, height_note, person_from_form
from retrowalk.web.render import measures_changed_list, older_engine, render
from retrowalk.web.routes.kids import child_profile_page

router = APIRouter(include_in_schema=False)


@router.get("/people")
def people_page(request: Request, account: PageAccount, services: ServicesDep) -> Response:
    return render(
        request,
        "people.html",
        people=services.list_people(account),
        error=None,
        **older_engine(services, account),
    )


@router.post("/people", dependencies=[Csrf])
async def create_person(request: Request, account: PageAccount, services: ServicesDep) -> Response:
    form = await request.form()
    try:
        person = services.create_person(account, person_from_form(form))
    except RetrowalkError as exc:
        return render(
            request,
            "people.html",
            status_code=400,
            people=services.list_people(account),
            error=str(exc),
            typed=form_values(form),
            **older_engine(services, account),
        )
    return RedirectResponse(f"/people/{person.id}{_understood(form)}", status_code=303)


@router.get("/people/{person_id}")
def person_page(
    request: Request, person_id: int, account: PageAccount, services: ServicesDep
) -> Response:
    person = services.get_person(account, person_id)
    if person.kind == "child":
        # A child's profile is the milestones page, not the adult upload and charts.
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"/children/{person_id}{query}", status_code=303)
    return _person_page(request, services, account, person_id)


def _person_page(
    request: Request, services: Services, account: int, person_id: int, **edit: Any
) -> Response:
    """An adult's page; ``edit`` (``edit_error``, ``typed``) shows a refused profile edit."""
    recordings = services.list_recordings(account, person_id)
    person = services.get_person(account, person_id)
    return render(
        request,
        "person.html",
        status_code=400 if edit else 200,
        person=person,
        recordings=recordings,
        measures_changed=measures_changed_list(
            person,
            recordings,
            services.analysing_with_other_measures(account, person_id, recordings),
        ),
        demo_notes=provenance_notes([r.filename for r in recordings]),
        max_upload_mb=services.max_upload_bytes // (1024 * 1024),
        upload_choices=UPLOAD_CHOICES,
        error=None,
        **edit,
        **older_engine(services, account, person_id),
    )


@router.post("/people/{person_id}/edit", dependencies=[Csrf])
async def edit_person(
    request: Request, person_id: int, account: PageAccount, services: ServicesDep
) -> Response:
    person = services.get_person(account, person_id)  # another account's: not found first
    form = await request.form()
    try:
        services.update_person(account, person_id, person_from_form(form))
    except InputError as exc:
        # The profile's page again, its edit form open with what was typed and why not.
        edit = {"edit_error": str(exc), "typed": form_values(form)}
        if person.kind == "child":
            return child_profile_page(request, services, account, person_id, **edit)
        return _person_page(request, services, account, person_id, **edit)
    return RedirectResponse(f"/people/{person_id}{_understood(form)}", status_code=303)


def _understood(form: FormData) -> str:
    """A query that makes the next page say how a height in centimetres was read."""
    return "?understood=height-cm" if height_note(form) else ""


@router.post("/people/{person_id}/reanalyse-measures", dependencies=[Csrf])
async def reanalyse_measures(
    request: Request, person_id: int, account: PageAccount, services: ServicesDep
) -> Response:
    """Analyse again the person's recordings analysed with measures theirs have changed
    from since; back to the page the form was on (the person's or their progress)."""
    form = await request.form()
    await run_in_threadpool(services.reanalyse_measures_changed, account, person_id)
    back = str(form.get("next") or "")
    if back not in (f"/people/{person_id}", f"/people/{person_id}/progress"):
        back = f"/people/{person_id}"
    return RedirectResponse(back, status_code=303)


@router.post("/people/{person_id}/delete", dependencies=[Csrf])
def delete_person(person_id: int, account: PageAccount, services: ServicesDep) -> Response:
    services.delete_person(account, person_id)
    return RedirectResponse("/people", status_code=303)


@router.get("/people/{person_id}/export")
def export_person(
    person_id: int, account: PageAccount, services: ServicesDep, background: BackgroundTasks
) -> Response:
    export = services.export_person(account, person_id)
    background.add_task(export.path.unlink, missing_ok=True)
    return FileResponse(export.path, media_type="application/zip", filename=export.filename)
