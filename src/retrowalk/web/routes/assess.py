"""3-metre backward walk test pages and API, the clinician view and the printable report."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from retrowalk.app.assess import AssessServices, ThreeMbwtIn
from retrowalk.core.errors import RetrowalkError
from retrowalk.domain.assess.norms import cite, group_titles, procedure, table
from retrowalk.domain.coach.plans import stages
from retrowalk.web.deps import ApiAccount, Csrf, PageAccount, ServicesDep
from retrowalk.web.forms import (
    in_form_words,
    recording_in_form_words,
    typed_values,
    validated_in_form_words,
)
from retrowalk.web.render import older_engine, render
from retrowalk.web.routes.coach import model_from_form

router = APIRouter()

# The 3MBWT form's fields as it labels them.
TEST_LABELS = {
    "time_s": "Time for 3 m",
    "trials_s": "Single trials",
    "walking_aid": "Walking aid",
    "recording_id": "Recording",
    "date": "Date",
}
TEST_UNITS = {"time_s": "s"}
# The 3MBWT form's versions of the test, as it shows them (its groups: group_titles()).
VARIANTS = {
    "standard": "Standard (3 m, as fast as safe)",
    "stroke_5m": "Stroke variant (middle 3 m of 5 m)",
}
# Every field of the 3MBWT form, kept as typed when the form is refused.
TEST_FIELDS = (
    "time_s",
    "trials_s",
    "group",
    "variant",
    "date",
    "walking_aid",
    "recording_id",
    "note",
)


def _norms_context() -> dict:
    data = table()
    sources = {key: cite(key) for key in data["sources"]}
    return {"proc": procedure(), "groups": group_titles(), "norms": data, "sources": sources}


def _test_page(
    request: Request,
    person_id: int,
    account: int,
    services,
    error: str | None,
    status: int = 200,
    typed: dict[str, str] | None = None,
) -> Response:
    """The test page; after a refusal, ``error`` says why and ``typed`` refills the form."""
    person = services.get_person(account, person_id)
    tests = AssessServices(services).tests(account, person_id)
    recordings = [
        r
        for r in services.list_recordings(account, person_id)
        if r.summary and r.summary.backward_steps > 0
    ]
    return render(
        request,
        "assess/threembwt.html",
        status_code=status,
        person=person,
        tests=list(reversed(tests)),
        recordings=recordings,
        error=error,
        typed=typed or {},
        variants=VARIANTS,
        **older_engine(services, account, person_id),
        **_norms_context(),
    )


@router.get("/people/{person_id}/tests/3mbwt", include_in_schema=False)
def test_page(
    request: Request, person_id: int, account: PageAccount, services: ServicesDep
) -> Response:
    return _test_page(request, person_id, account, services, None)


@router.post("/people/{person_id}/tests/3mbwt", dependencies=[Csrf], include_in_schema=False)
async def test_submit(
    request: Request, person_id: int, account: PageAccount, services: ServicesDep
) -> Response:
    services.get_person(account, person_id)
    form = await request.form()
    try:
        choices = {"group": group_titles(), "variant": VARIANTS}
        data = model_from_form(ThreeMbwtIn, form, (), TEST_LABELS, TEST_UNITS, "Time", choices)
        # The stored result's checks (a date in the future) and the recording chosen.
        with (
            validated_in_form_words(TEST_LABELS, TEST_UNITS, "Time", choices),
            recording_in_form_words(TEST_LABELS["recording_id"]),
        ):
            result = AssessServices(services).add_test(account, person_id, data)
    except RetrowalkError as exc:
        typed = typed_values(form, TEST_FIELDS)
        error = str(in_form_words(exc, TEST_LABELS))
        return _test_page(request, person_id, account, services, error, 400, typed)
    return RedirectResponse(f"/people/{person_id}/tests/3mbwt/{result['id']}", status_code=303)


@router.get("/people/{person_id}/tests/3mbwt/{test_id}", include_in_schema=False)
def test_result_page(
    request: Request, person_id: int, test_id: int, account: PageAccount, services: ServicesDep
) -> Response:
    person = services.get_person(account, person_id)
    result = AssessServices(services).get_test(account, person_id, test_id)
    return render(request, "assess/result.html", person=person, t=result, **_norms_context())


@router.get("/clinic", include_in_schema=False)
def clinic_page(request: Request, account: PageAccount, services: ServicesDep) -> Response:
    return render(
        request,
        "assess/clinic.html",
        rows=AssessServices(services).clinic(account),
        **older_engine(services, account),
    )


@router.get("/people/{person_id}/report", include_in_schema=False)
def report_page(
    request: Request, person_id: int, account: PageAccount, services: ServicesDep
) -> Response:
    report = AssessServices(services).report(account, person_id)
    return render(
        request,
        "assess/report.html",
        r=report,
        stages={s["id"]: s for s in stages()},
        **_norms_context(),
    )


# ------------------------------------------------------------------------------- API
@router.get("/api/v1/tests/3mbwt/norms", tags=["tests"])
def api_norms(account: ApiAccount) -> dict:
    """Procedure, instructions, cut-offs, MDCs and their citations."""
    return table()


@router.get("/api/v1/people/{person_id}/tests/3mbwt", tags=["tests"])
def api_tests(person_id: int, account: ApiAccount, services: ServicesDep) -> list[dict]:
    """A person's 3MBWT results, each interpreted and compared with the previous one."""
    return AssessServices(services).tests(account, person_id)


@router.post("/api/v1/people/{person_id}/tests/3mbwt", tags=["tests"], status_code=201)
def api_add_test(
    person_id: int, body: ThreeMbwtIn, account: ApiAccount, services: ServicesDep
) -> dict:
    """Store a 3MBWT result from a time (or trials), or time it from an analysed recording."""
    return AssessServices(services).add_test(account, person_id, body)


@router.get("/api/v1/people/{person_id}/tests/3mbwt/{test_id}", tags=["tests"])
def api_test(person_id: int, test_id: int, account: ApiAccount, services: ServicesDep) -> dict:
    return AssessServices(services).get_test(account, person_id, test_id)


@router.get("/api/v1/clinic", tags=["tests"])
def api_clinic(account: ApiAccount, services: ServicesDep) -> list[dict]:
    """The account's adults with latest test, trend and plan adherence."""
    return AssessServices(services).clinic(account)
