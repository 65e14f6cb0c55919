"""Guided walking-direction calibration of a person: instructions, the labelled walk, the result.

The fit and the stored profiles are :mod:`retrowalk.app.calibration`'s; these
routes only show them. A walk is uploaded (the file is not kept) or an
existing recording of the person is picked, with one label per walking bout.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from retrowalk.app.services import (
    CALIBRATION_USE,
    ConflictError,
    NotFoundError,
    Services,
    TooLargeError,
)
from retrowalk.app.uploads import FileMissingError
from retrowalk.core.errors import InputError, RetrowalkError
from retrowalk.web.deps import Csrf, CsrfError, PageAccount, ServicesDep
from retrowalk.web.forms import form_choice, recording_not_listed
from retrowalk.web.render import render, wants_json
from retrowalk.web.upload_stream import receive_upload

router = APIRouter(include_in_schema=False)

#: Placements a calibration serves, with the words the page uses.
PLACEMENT_NAMES = {"lower_back": "Lower back", "pocket": "Pocket"}
#: The "Worn at" choices of the upload form, with the words it shows.
FORM_PLACEMENTS = {"auto": "Detect", **PLACEMENT_NAMES}
DEFAULT_LABELS = "forward, backward"


def _not_a_recording() -> InputError:
    return recording_not_listed("Recording")


def _recording_choice(value: str) -> int:
    """The recording id the from-recording form chose, or refused when it is not a whole
    number (a number no recording has is refused as not found: the store's check)."""
    try:
        return int(value)
    except ValueError:
        raise _not_a_recording() from None


def _form_placement(value: str) -> str:
    """A "Worn at" choice of the page's forms (empty: detected, or the recording's own)."""
    return form_choice(value, FORM_PLACEMENTS, "Worn at") if value else value


def _refused(exc: RetrowalkError) -> dict[str, Any]:
    return {"ok": False, "reason": str(exc), "bouts": []}


def _page(
    request: Request,
    services: Services,
    account: int,
    person_id: int,
    *,
    result: dict[str, Any] | None = None,
    status_code: int = 200,
    form: dict[str, str] | None = None,
    notice: str = "",
    stored: str = "",
    replaced: str = "",
) -> Response:
    """The calibration page; ``stored`` names the placement whose calibration was just
    made (shown as the outcome, from the store), ``replaced`` the earlier one it replaced."""
    from retrowalk.app.calibration import INSTRUCTIONS

    person = services.get_person(account, person_id)
    calibrations = services.calibrations(account, person_id)
    use = services.calibration_use(account, person_id)
    # The recordings a calibration can be made from: analysed as worn where one serves.
    usable = {
        row["id"]
        for placement in PLACEMENT_NAMES
        for kind in ("used", "worn_otherwise", "without")
        for row in use.get(placement, {}).get(kind, [])
    }
    recordings = [
        r
        for r in services.list_recordings(account, person_id)
        if r.status == "done" and r.id in usable
    ]
    for cal in calibrations:
        cal.update(use.pop(cal["placement"], {kind: [] for kind in CALIBRATION_USE}))
    # Placements without a calibration in use whose recordings were analysed with one
    # (since removed): they can be analysed again without it.
    uncalibrated = {
        placement: rows
        for placement in PLACEMENT_NAMES
        if (rows := [r for r in use.get(placement, {}).get("without", []) if r["calibrated"]])
    }
    earlier = services.earlier_calibrations(account, person_id)
    made = next((c for c in calibrations if c["placement"] == stored), None)
    return render(
        request,
        "calibration.html",
        status_code=status_code,
        person=person,
        recordings=recordings,
        calibrations=calibrations,
        uncalibrated=uncalibrated,
        earlier=earlier,
        made=made,
        replaced=next((c for c in earlier if c["name"] == replaced), None) if made else None,
        instructions=INSTRUCTIONS,
        placement_names=PLACEMENT_NAMES,
        result=result,
        form=form or {"labels": DEFAULT_LABELS, "placement": "auto"},
        notice=notice,
        max_upload_mb=services.max_upload_bytes // (1024 * 1024),
    )


def _answer(
    request: Request,
    services: Services,
    account: int,
    person_id: int,
    result: dict[str, Any],
    form: dict[str, str],
) -> Response:
    """A stored calibration: redirected to the page showing it (a reload shows it again,
    it does not calibrate again); a refused walk: the form again, as sent, with why."""
    ok = bool(result.get("ok"))
    if result.get("field") == "labels":  # the form's words for the field
        result = {**result, "reason": f"What you walked: {result['problem']}"}
    if wants_json(request):
        body = {k: v for k, v in result.items() if k != "profile"}
        return JSONResponse(body, status_code=200 if ok else 400)
    if ok:
        query = {"stored": result["calibration"]["placement"]}
        if result.get("replaced"):
            query["replaced"] = result["replaced"]["name"]
        return RedirectResponse(f"/people/{person_id}/calibration?{urlencode(query)}", 303)
    return _page(request, services, account, person_id, result=result, status_code=400, form=form)


@router.get("/people/{person_id}/calibration")
def calibration_page(
    request: Request, person_id: int, account: PageAccount, services: ServicesDep
) -> Response:
    """Instructions, the person's calibrations and the forms to make one.

    After a form: ``stored`` (the placement calibrated), ``replaced`` (the earlier
    calibration it replaced), ``removed``, ``restored`` (a placement) or ``queued``
    with ``n`` (recordings queued again; ``missing``, those that could not be, their file
    gone) say what was done; ``gone`` (a placement, or
    ``earlier``) that a form of a page shown before found nothing left to change;
    ``unreadable`` (a placement, or ``earlier``) that an earlier calibration was not used
    again as the one in use for its placement, or it, cannot be read.
    """
    query = request.query_params
    notice = ""
    removed, restored, queued, gone = (
        query.get(k, "") for k in ("removed", "restored", "queued", "gone")
    )
    if removed in PLACEMENT_NAMES:
        notice = (
            f"The {PLACEMENT_NAMES[removed].lower()} calibration was removed: later analyses "
            "use the uncalibrated walking direction."
        )
    elif restored in PLACEMENT_NAMES:
        notice = (
            f"The earlier {PLACEMENT_NAMES[restored].lower()} calibration is used again; the "
            "one it replaced is kept under Earlier calibrations."
        )
    elif gone in PLACEMENT_NAMES:
        notice = f"There is no {PLACEMENT_NAMES[gone].lower()} calibration (any more) to remove."
    elif gone == "earlier":
        notice = "That earlier calibration is no longer kept: it was used again or deleted."
    elif query.get("unreadable") == "earlier":
        notice = (
            "That earlier calibration could not be read, so it cannot be used again: delete it."
        )
    elif (unreadable := query.get("unreadable", "")) in PLACEMENT_NAMES:
        notice = (
            f"The {PLACEMENT_NAMES[unreadable].lower()} calibration in use could not be read, "
            "so nothing was changed: delete it, then use the earlier one again."
        )
    elif queued in PLACEMENT_NAMES and query.get("n", "").isdigit():
        n = int(query["n"])
        notice = (
            f"{n} recording{'s' if n != 1 else ''} at the {PLACEMENT_NAMES[queued].lower()} "
            "queued for analysis again."
        )
        missing = int(query["missing"]) if query.get("missing", "").isdigit() else 0
        if missing:
            notice += (
                f" {missing} could not be: {'its' if missing == 1 else 'their'} uploaded file "
                f"is missing from the server (still listed below; delete "
                f"{'it' if missing == 1 else 'them'} and upload the file again)."
            )
    return _page(
        request,
        services,
        account,
        person_id,
        notice=notice,
        stored=query.get("stored", ""),
        replaced=query.get("replaced", ""),
    )


@router.post("/people/{person_id}/calibration")
async def calibrate_upload(
    request: Request, person_id: int, account: PageAccount, services: ServicesDep
) -> Response:
    """Fit from an uploaded labelled walk (signed in and CSRF-checked before the body)."""
    received = None
    form: dict[str, str] = {}
    try:
        received = await receive_upload(request, services, account, person_id, page=True)
        form = {
            "labels": received.get("labels") or DEFAULT_LABELS,
            "placement": received.get("placement") or "auto",
            "columns": received.get("columns"),
        }
        assert received.file is not None
        _form_placement(form["placement"])
        result = await run_in_threadpool(
            services.calibrate_upload,
            account,
            person_id,
            received.file,
            placement=form["placement"],
            labels=form["labels"],
            columns=form["columns"],
        )
    except (CsrfError, NotFoundError, TooLargeError):
        raise
    except RetrowalkError as exc:
        if received is not None and received.file is not None:
            received.file.discard()
        result = _refused(exc)
    return await run_in_threadpool(_answer, request, services, account, person_id, result, form)


@router.post("/people/{person_id}/calibration/from-recording", dependencies=[Csrf])
async def calibrate_recording(
    request: Request, person_id: int, account: PageAccount, services: ServicesDep
) -> Response:
    """Fit from one of the person's recordings.

    A recording id that is not one of the person's (not a number, no such
    recording, another person's or another account's) is refused in the form's
    words, the same for each, with the form shown again.
    """
    # Another account's person is "not found" before the form is looked at.
    await run_in_threadpool(services.get_person, account, person_id)
    data = await request.form()
    form = {
        "labels": str(data.get("labels") or DEFAULT_LABELS),
        "placement": str(data.get("placement") or ""),
        "recording_id": str(data.get("recording_id") or ""),
    }
    try:
        placement = _form_placement(form["placement"])
        recording_id = _recording_choice(form["recording_id"])
        result = await run_in_threadpool(
            services.calibrate_recording,
            account,
            person_id,
            recording_id,
            labels=form["labels"],
            placement=placement,
        )
    except FileMissingError:  # theirs and listed, but its uploaded file is gone
        recording = await run_in_threadpool(services.get_recording, account, recording_id)
        result = _refused(
            InputError(
                "Recording",
                f"the uploaded file of {recording.filename} is missing from the server; "
                "delete that recording and upload the file again",
            )
        )
    except NotFoundError:  # the person was found above: the recording is not theirs
        result = _refused(_not_a_recording())
    except RetrowalkError as exc:
        result = _refused(exc)
    return await run_in_threadpool(_answer, request, services, account, person_id, result, form)


@router.post("/people/{person_id}/calibration/{placement}/delete", dependencies=[Csrf])
def remove_calibration(
    request: Request, person_id: int, placement: str, account: PageAccount, services: ServicesDep
) -> Response:
    """Remove a calibration: later analyses use the uncalibrated direction again.

    A form of a page shown before (another tab, the back button) whose calibration is
    already gone leads back to the page, which says so.
    """
    removed = services.remove_calibration(account, person_id, placement)
    query = urlencode({"removed" if removed else "gone": placement})
    return RedirectResponse(f"/people/{person_id}/calibration?{query}", 303)


@router.post("/people/{person_id}/calibration/{placement}/reanalyse", dependencies=[Csrf])
def reanalyse_placement(
    request: Request, person_id: int, placement: str, account: PageAccount, services: ServicesDep
) -> Response:
    """Analyse again the person's recordings at ``placement`` not analysed as its calibration
    now stands; redirected to the page saying how many (a reload does not queue them again)."""
    n, missing = services.reanalyse_placement(account, person_id, placement)
    query = urlencode({"queued": placement, "n": n, **({"missing": missing} if missing else {})})
    return RedirectResponse(f"/people/{person_id}/calibration?{query}", 303)


@router.post("/people/{person_id}/calibration/earlier/{name}/restore", dependencies=[Csrf])
def restore_calibration(
    request: Request, person_id: int, name: str, account: PageAccount, services: ServicesDep
) -> Response:
    """Use an earlier calibration again (the one in use is kept among the earlier ones);
    one no longer kept (a page shown before) leads back to the page, which says so."""
    try:
        restored = services.restore_calibration(account, person_id, name)
    except ConflictError:  # it cannot be read, or the one in use it would replace
        kept = {c["name"]: c for c in services.earlier_calibrations(account, person_id)}
        which = kept[name]["placement"] if kept.get(name, {}).get("readable") else "earlier"
        query = urlencode({"unreadable": which})
        return RedirectResponse(f"/people/{person_id}/calibration?{query}", 303)
    query = urlencode({"restored": restored["placement"]} if restored else {"gone": "earlier"})
    return RedirectResponse(f"/people/{person_id}/calibration?{query}", 303)


@router.post("/people/{person_id}/calibration/earlier/{name}/delete", dependencies=[Csrf])
def delete_earlier_calibration(
    request: Request, person_id: int, name: str, account: PageAccount, services: ServicesDep
) -> Response:
    """Delete an earlier calibration for good (one already gone: the same)."""
    services.remove_earlier_calibration(account, person_id, name)
    return RedirectResponse(f"/people/{person_id}/calibration#earlier-calibrations", 303)
