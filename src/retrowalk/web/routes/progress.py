"""The progress page: what was walked each week, and weekly charts of backward walking.

Also analysing again, all at once, the account's recordings an earlier engine
version analysed (:mod:`retrowalk.app.reanalysis`): the pages that add recordings
up say how many of theirs came from another version and offer it.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from retrowalk.app.demo import provenance_notes
from retrowalk.web.deps import Csrf, PageAccount, ServicesDep
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
        older=services.older_engine(account, person_id),
        older_all=services.older_engine(account),
    )


@router.get("/people/{person_id}/progress.json")
def progress_json(person_id: int, account: PageAccount, services: ServicesDep) -> Response:
    weeks = services.progress(account, person_id)
    return JSONResponse([w.model_dump(mode="json") for w in weeks])


@router.post("/reanalyse-older", dependencies=[Csrf])
async def reanalyse_older(
    request: Request, account: PageAccount, services: ServicesDep
) -> Response:
    """Queue every recording of the account an earlier engine analysed; back to the page."""
    form = await request.form()
    back = str(form.get("next") or "/people")
    if not back.startswith("/") or back.startswith("//") or "\\" in back:
        back = "/people"  # only a page of this app
    services.reanalyse_older(account)
    return RedirectResponse(back, status_code=303)


@router.get("/reanalysis.json")
def reanalysis_json(account: PageAccount, services: ServicesDep) -> Response:
    """How far analysing again the older-engine recordings is (the pages poll it)."""
    return JSONResponse(services.older_engine(account).as_json())
