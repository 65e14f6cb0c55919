"""The progress page: what was walked each week, and weekly charts of backward walking."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from retrowalk.app.demo import provenance_notes
from retrowalk.web.deps import PageAccount, ServicesDep
from retrowalk.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/people/{person_id}/progress")
def progress_page(
    request: Request, person_id: int, account: PageAccount, services: ServicesDep
) -> Response:
    person = services.get_person(account, person_id)
    weeks = [w.model_dump(mode="json") for w in services.progress(account, person_id)]
    notes = provenance_notes([r.filename for r in services.list_recordings(account, person_id)])
    return render(
        request,
        "progress.html",
        person=person,
        weeks=weeks,
        demo_note=" ".join(notes),
    )


@router.get("/people/{person_id}/progress.json")
def progress_json(person_id: int, account: PageAccount, services: ServicesDep) -> Response:
    weeks = services.progress(account, person_id)
    return JSONResponse([w.model_dump(mode="json") for w in weeks])
