"""The progress page: what was walked each week, and weekly charts of backward walking.

Also analysing again, all at once, the account's (or a person's) recordings another
engine version analysed, and stopping that (:mod:`retrowalk.app.reanalysis`): the
pages that add recordings up say how many of theirs came from another version and
offer it.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from retrowalk.app.demo import provenance_notes
from retrowalk.report import display
from retrowalk.summary.progress import in_weeks
from retrowalk.web.deps import Csrf, PageAccount, ServicesDep
from retrowalk.web.render import measures_changed_list, older_engine, render

router = APIRouter(include_in_schema=False)


@router.get("/people/{person_id}/progress")
def progress_page(
    request: Request, person_id: int, account: PageAccount, services: ServicesDep
) -> Response:
    person = services.get_person(account, person_id)
    weeks = [w.model_dump(mode="json") for w in services.progress(account, person_id)]
    for week in weeks:  # the charts' labels say what the table says
        week["shown"] = display.shown(week)
    recordings = services.list_recordings(account, person_id)
    notes = provenance_notes([r.filename for r in recordings])
    # Analysed, but left out of the weeks until the day they were recorded is set.
    undated = services.undated_recordings(account, person_id)
    return render(
        request,
        "progress.html",
        person=person,
        weeks=weeks,
        undated=undated,
        demo_note=" ".join(notes),
        # The analysed recordings the weeks add up whose measures have changed since.
        measures_changed=measures_changed_list(
            person,
            [r for r in recordings if r.summary is not None and in_weeks(r.date_source)],
            services.analysing_with_other_measures(account, person_id, recordings),
        ),
        in_weeks=True,
        calibrations=services.calibrations_in_weeks(account, person_id),
        **older_engine(services, account, person_id),
    )


@router.get("/people/{person_id}/progress.json")
def progress_json(person_id: int, account: PageAccount, services: ServicesDep) -> Response:
    weeks = services.progress(account, person_id)
    return JSONResponse([w.model_dump(mode="json") for w in weeks])


def _scope(value: object) -> int | None:
    """The person a form or poll names (``None``: the whole account)."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None


def _back(value: object) -> str:
    back = str(value or "/people")
    if not back.startswith("/") or back.startswith("//") or "\\" in back:
        back = "/people"  # only a page of this app
    return back


@router.post("/reanalyse-older", dependencies=[Csrf])
async def reanalyse_older(
    request: Request, account: PageAccount, services: ServicesDep
) -> Response:
    """Queue every recording of the account (or of the person the form names) that
    another engine version analysed; back to the page."""
    form = await request.form()
    services.reanalyse_older(account, _scope(form.get("person_id")))
    return RedirectResponse(_back(form.get("next")), status_code=303)


@router.post("/reanalyse-older/stop", dependencies=[Csrf])
async def stop_reanalysis(
    request: Request, account: PageAccount, services: ServicesDep
) -> Response:
    """Stop analysing them again: those still waiting keep their earlier analysis."""
    form = await request.form()
    services.stop_reanalysis(account, _scope(form.get("person_id")))
    return RedirectResponse(_back(form.get("next")), status_code=303)


@router.get("/reanalysis.json")
def reanalysis_json(
    account: PageAccount, services: ServicesDep, person_id: int | None = None
) -> Response:
    """How far analysing again the older-engine recordings is (the pages poll it),
    of the account or of one person."""
    return JSONResponse(services.older_engine(account, person_id).as_json())
