"""Recording pages: upload, report view with status polling, download, delete."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from retrowalk.app.analyse import measures_note
from retrowalk.app.calibration import calibration_would_tell
from retrowalk.app.services import NotFoundError, Services, TooLargeError
from retrowalk.core.errors import InputError, RetrowalkError
from retrowalk.core.provenance import engine_version, version_relation
from retrowalk.report.content import (
    calibration_not_used_reason,
    no_walking_reasons,
    without_figures,
)
from retrowalk.report.display import made_when
from retrowalk.summary.contract import calibration_status
from retrowalk.summary.labels import applied_label_keys, label_key
from retrowalk.web.compress import REPORT_CACHE, accepts_gzip
from retrowalk.web.deps import Csrf, CsrfError, PageAccount, ServicesDep
from retrowalk.web.forms import UPLOAD_CHOICES, form_choice, in_form_words
from retrowalk.web.render import changes, older_engine, render, wants_json
from retrowalk.web.upload_stream import receive_upload

router = APIRouter(include_in_schema=False)

# Form fields of a video upload: two floor points a known distance apart, body proportions.
VIDEO_FIELDS = ("floor_marks", "floor_distance_m", "proportions")
# The upload form's fields (all but the file) with the words the form shows for them.
UPLOAD_LABELS = {
    "recorded_on": "Recorded on",
    "placement": "Worn at",
    "columns": "Columns",
    "floor_marks": "Floor marks",
    "floor_distance_m": "Distance between the marks",
    "proportions": "Body proportions",
}


def parse_day(text: str) -> dt.date | None:
    """A YYYY-MM-DD form field; empty means 'not given'."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError("Recorded on", "use a date like 2025-03-31") from None


@router.post("/people/{person_id}/recordings")
async def upload(
    request: Request, person_id: int, account: PageAccount, services: ServicesDep
) -> Response:
    """Upload from the person page: signed in and CSRF-checked before the body is read."""
    received = None
    try:
        received = await receive_upload(request, services, account, person_id, page=True)
        day = parse_day(received.get("recorded_on"))
        placement = received.get("placement", "auto") or "auto"
        form_choice(placement, UPLOAD_CHOICES["placement"], UPLOAD_LABELS["placement"])
        proportions = received.get("proportions")
        form_choice(proportions, UPLOAD_CHOICES["proportions"], UPLOAD_LABELS["proportions"])
        assert received.file is not None
        recording = await run_in_threadpool(
            services.store_upload,
            account,
            person_id,
            received.file,
            recorded_on=day,
            placement=placement,
            columns=received.get("columns"),
            **{name: received.get(name) for name in VIDEO_FIELDS},
        )
    except (CsrfError, NotFoundError, TooLargeError):
        raise
    except RetrowalkError as exc:
        if received is not None and received.file is not None:
            received.file.discard()
        # The page's script and the page itself both show the form's words.
        file_name = received.file.name if received is not None and received.file else None
        worded = in_form_words(exc, UPLOAD_LABELS, file_name)
        if wants_json(request):
            if worded is exc:
                raise
            raise worded from None
        typed = {name: received.get(name) if received is not None else "" for name in UPLOAD_LABELS}
        return await run_in_threadpool(
            _person_page_with_error, request, services, account, person_id, str(worded), typed
        )
    url = f"/recordings/{recording.id}"
    if wants_json(request):
        return JSONResponse({"id": recording.id, "url": url, "status": recording.status}, 201)
    return RedirectResponse(url, status_code=303)


def _person_page_with_error(
    request: Request,
    services: Services,
    account: int,
    person_id: int,
    error: str,
    typed: dict[str, str] | None = None,
) -> Response:
    """The person page again with the upload's error and what was typed in the form."""
    typed = typed or {}
    return render(
        request,
        "person.html",
        status_code=400,
        person=services.get_person(account, person_id),
        recordings=services.list_recordings(account, person_id),
        max_upload_mb=services.max_upload_bytes // (1024 * 1024),
        error=error,
        columns=typed.get("columns") or "",
        video_fields={name: typed.get(name) or "" for name in VIDEO_FIELDS},
        upload_fields={name: typed.get(name) or "" for name in ("recorded_on", "placement")},
        upload_choices=UPLOAD_CHOICES,
        **older_engine(services, account, person_id),
    )


@router.get("/recordings/{recording_id}")
def recording_page(
    request: Request, recording_id: int, account: PageAccount, services: ServicesDep
) -> Response:
    return _recording_page(request, services, account, recording_id)


def _recording_page(
    request: Request,
    services: Services,
    account: int,
    recording_id: int,
    date_error: str = "",
    typed_date: str = "",
    relabel_error: str = "",
) -> Response:
    """The recording's page; ``date_error`` says why the date ``typed_date`` was refused,
    ``relabel_error`` why a bout's label was (400)."""
    recording, person, report = services.recording_view(account, recording_id)
    analysis = None
    has_report = False
    # While a recording is analysed again, its earlier analysis stays in view.
    if recording.status == "done" or (
        recording.summary is not None and recording.status != "failed"
    ):
        has_report = report is not None
        analysis = services.analysis_json(account, recording_id)
    labels = services.bout_labels(account, recording_id)
    hand_labels = (analysis or {}).get("hand_labels") or {}
    applied = applied_label_keys(analysis)
    # Labels the shown analysis does not hold yet (saved while it was running).
    pending = [x for x in labels if label_key(x.start_s, x.end_s, x.label) not in applied]
    engine = engine_version()
    assumptions = (analysis or {}).get("assumptions", {})
    calibration = assumptions.get("direction_profile")
    # The calibration it names, when it is no longer the one in use for its placement.
    superseded = bool(calibration) and services.calibration_superseded(
        account, person.id, calibration
    )
    return render(
        request,
        "recording.html",
        status_code=400 if date_error or relabel_error else 200,
        date_error=date_error,
        relabel_error=relabel_error,
        label_choices=BOUT_LABEL_CHOICES,
        typed_date=typed_date,
        recording=recording,
        person=person,
        analysis=analysis,
        engine=engine,
        older_engine=analysis is not None and analysis.get("analysis_version") != engine,
        older_relation=version_relation([str((analysis or {}).get("analysis_version"))], engine),
        has_report=has_report,
        labels=labels,
        hand_labels=hand_labels,
        pending_labels=pending,
        calibration=calibration,
        calibration_status=calibration_status(assumptions),
        calibration_superseded=superseded,
        calibration_would_tell=calibration_would_tell(
            str((analysis or {}).get("recording", {}).get("placement", "")),
            bool(calibration),
            (
                str(b.get("direction_reason") or "")
                for b in (analysis or {}).get("bouts", [])
                if b.get("direction") == "uncertain"
            ),
        ),
        calibration_not_used=calibration_not_used_reason(calibration) if calibration else "",
        calibration_made=made_when(str(calibration.get("created_at", ""))) if calibration else "",
        measures_note=measures_note(person.name, changes(recording)) if analysis else "",
        **_not_found(analysis),
    )


def _not_found(analysis: dict[str, Any] | None) -> dict[str, Any]:
    """Why the analysis found no direction (placement not recognised) or no walking at all.

    ``placement_unknown``: the placement note without its measured figures, when
    there is walking; ``no_walking``: why there is no bout
    (:func:`~retrowalk.report.content.no_walking_reasons`).
    """
    if analysis is None:
        return {"placement_unknown": "", "no_walking": []}
    prefix = "unsupported placement: "
    placement = str((analysis.get("placement_support") or {}).get("reason") or "")
    no_walking = no_walking_reasons(analysis)
    if no_walking:  # no walking: where it was worn does not matter
        placement = ""
    return {
        "placement_unknown": without_figures(placement.removeprefix(prefix)),
        "no_walking": no_walking,
    }


@router.post("/recordings/{recording_id}/date", dependencies=[Csrf])
async def set_date(
    request: Request, recording_id: int, account: PageAccount, services: ServicesDep
) -> Response:
    """Set the day the recording was made (history and progress move with it)."""
    # Another account's recording is "not found" before the form is looked at.
    await run_in_threadpool(services.get_recording, account, recording_id)
    form = await request.form()
    typed = str(form.get("recorded_on", ""))
    try:
        day = parse_day(typed)
        if day is None:
            raise InputError("Recorded on", "enter the day the recording was made")
        await run_in_threadpool(services.set_recording_date, account, recording_id, day)
    except InputError as exc:
        if wants_json(request):
            raise
        # The recording's page again, saying why; its stored date is unchanged.
        return await run_in_threadpool(
            _recording_page, request, services, account, recording_id, str(exc), typed
        )
    return RedirectResponse(f"/recordings/{recording_id}", status_code=303)


# The relabel form's list ("This bout was") with the words it shows (the form's options
# are made from it), and its fields' words: the bout's start and end are the bout the
# form stands beside.
BOUT_LABEL_CHOICES = {"backward": "backward", "forward": "forward", "not_walking": "not walking"}
RELABEL_LABELS = {"label": "This bout was", "start_s": "Bout", "end_s": "Bout"}


def _seconds(form: Any, name: str) -> float:
    try:
        return float(str(form.get(name, "")))
    except ValueError:
        raise InputError(name, "a number of seconds") from None


@router.post("/recordings/{recording_id}/bouts/label", dependencies=[Csrf])
async def label_bout(
    request: Request, recording_id: int, account: PageAccount, services: ServicesDep
) -> Response:
    """Say what a bout was; the recording is analysed again with the label.

    A refused label (a tampered form) shows the recording's page again saying why,
    in the form's words; nothing is stored.
    """
    await run_in_threadpool(services.get_recording, account, recording_id)
    form = await request.form()
    try:
        label = form_choice(str(form.get("label", "")), BOUT_LABEL_CHOICES, "This bout was")
        await run_in_threadpool(
            services.label_bout,
            account,
            recording_id,
            _seconds(form, "start_s"),
            _seconds(form, "end_s"),
            label,
        )
    except InputError as exc:
        if wants_json(request):
            raise
        worded = str(in_form_words(exc, RELABEL_LABELS))
        return await run_in_threadpool(
            partial(_recording_page, relabel_error=worded),
            request,
            services,
            account,
            recording_id,
        )
    return RedirectResponse(f"/recordings/{recording_id}", status_code=303)


@router.post("/recordings/{recording_id}/labels/{label_id}/delete", dependencies=[Csrf])
def unlabel_bout(
    recording_id: int, label_id: int, account: PageAccount, services: ServicesDep
) -> Response:
    """Remove a hand label; the bout gets its detected direction back."""
    services.unlabel_bout(account, recording_id, label_id)
    return RedirectResponse(f"/recordings/{recording_id}", status_code=303)


@router.get("/recordings/{recording_id}/status")
def recording_status(recording_id: int, account: PageAccount, services: ServicesDep) -> Response:
    """Status of the analysis, with its stage and percent while it runs."""
    recording = services.get_recording(account, recording_id)
    return JSONResponse(
        {
            "status": recording.status,
            "error": recording.error,
            "stage": recording.progress_stage,
            "percent": recording.progress_pct,
        }
    )


@router.get("/recordings/{recording_id}/report")
def recording_report(
    request: Request, recording_id: int, account: PageAccount, services: ServicesDep
) -> Response:
    path = services.report_file(account, recording_id)
    if path is None:
        return RedirectResponse(f"/recordings/{recording_id}", status_code=303)
    # Read here, in the request's worker thread: a report is a few hundred KB, and a
    # file response would take a thread hop each to stat, open, read and close it.
    # A report file never changes: a browser gets its gzip copy, compressed once.
    if accepts_gzip(request.headers):
        headers = {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
        return Response(REPORT_CACHE.get(path), media_type="text/html", headers=headers)
    return Response(path.read_bytes(), media_type="text/html", headers={"Vary": "Accept-Encoding"})


@router.get("/recordings/{recording_id}/analysis.json")
def recording_json(recording_id: int, account: PageAccount, services: ServicesDep) -> Response:
    return JSONResponse(services.analysis_json(account, recording_id))


@router.get("/recordings/{recording_id}/download")
def download(recording_id: int, account: PageAccount, services: ServicesDep) -> Response:
    path, filename = services.recording_file(account, recording_id)
    return FileResponse(path, filename=filename, media_type="application/octet-stream")


@router.post("/recordings/{recording_id}/delete", dependencies=[Csrf])
def delete(recording_id: int, account: PageAccount, services: ServicesDep) -> Response:
    recording = services.get_recording(account, recording_id)
    services.delete_recording(account, recording_id)
    return RedirectResponse(f"/people/{recording.person_id}", status_code=303)


@router.post("/recordings/{recording_id}/reanalyse", dependencies=[Csrf])
def reanalyse(recording_id: int, account: PageAccount, services: ServicesDep) -> Response:
    services.reanalyse(account, recording_id)
    return RedirectResponse(f"/recordings/{recording_id}", status_code=303)
