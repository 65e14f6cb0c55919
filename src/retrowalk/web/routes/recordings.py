"""Recording pages: upload, report view with status polling, download, delete."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response

from retrowalk.errors import InputError, RetrowalkError
from retrowalk.web.deps import Csrf, PageAccount, ServicesDep
from retrowalk.web.render import render, wants_json

router = APIRouter(include_in_schema=False)


class ReportResponse(FileResponse):
    """A report file sent in one read (reports are a few hundred KB).

    The default 64 KB chunks take one worker-thread hop each, queued behind the
    database work of other requests in the same small thread pool.
    """

    chunk_size = 4 * 1024 * 1024


def parse_day(text: str) -> dt.date | None:
    """A YYYY-MM-DD form field; empty means 'not given'."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError("recorded_on", "use a date like 2025-03-31") from None


@router.post("/people/{person_id}/recordings", dependencies=[Csrf])
def upload(
    request: Request,
    person_id: int,
    account: PageAccount,
    services: ServicesDep,
    file: Annotated[UploadFile, File()],
    recorded_on: Annotated[str, Form()] = "",
    placement: Annotated[str, Form()] = "auto",
) -> Response:
    try:
        day = parse_day(recorded_on)
        recording = services.upload(
            account,
            person_id,
            file.filename or "recording",
            file.file,
            recorded_on=day,
            placement=placement,
        )
    except RetrowalkError as exc:
        if wants_json(request):
            raise
        return render(
            request,
            "person.html",
            status_code=400,
            person=services.get_person(account, person_id),
            recordings=services.list_recordings(account, person_id),
            max_upload_mb=services.max_upload_bytes // (1024 * 1024),
            error=str(exc),
        )
    url = f"/recordings/{recording.id}"
    if wants_json(request):
        return JSONResponse({"id": recording.id, "url": url, "status": recording.status}, 201)
    return RedirectResponse(url, status_code=303)


@router.get("/recordings/{recording_id}")
def recording_page(
    request: Request, recording_id: int, account: PageAccount, services: ServicesDep
) -> Response:
    recording, person, report = services.recording_view(account, recording_id)
    analysis = None
    has_report = False
    if recording.status == "done":
        has_report = report is not None
        if not has_report:
            analysis = services.analysis_json(account, recording_id)
    return render(
        request,
        "recording.html",
        recording=recording,
        person=person,
        analysis=analysis,
        has_report=has_report,
    )


@router.get("/recordings/{recording_id}/status")
def recording_status(recording_id: int, account: PageAccount, services: ServicesDep) -> Response:
    recording = services.get_recording(account, recording_id)
    return JSONResponse({"status": recording.status, "error": recording.error})


@router.get("/recordings/{recording_id}/report")
def recording_report(recording_id: int, account: PageAccount, services: ServicesDep) -> Response:
    path = services.report_file(account, recording_id)
    if path is None:
        return RedirectResponse(f"/recordings/{recording_id}", status_code=303)
    return ReportResponse(path, media_type="text/html")


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
