"""The REST API under ``/api/v1`` (token auth; same services as the pages)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from retrowalk.app.services import NotFoundError
from retrowalk.store.schemas import (
    TOKEN_NAME_MAX,
    BoutLabelOut,
    NewToken,
    ObservationIn,
    ObservationOut,
    PersonIn,
    PersonOut,
    PlanIn,
    PlanOut,
    ProgressWeek,
    RecordingDetail,
    RecordingOut,
)
from retrowalk.web.deps import ApiAccount, ServicesDep
from retrowalk.web.routes.auth import client_address
from retrowalk.web.routes.recordings import VIDEO_FIELDS, parse_day
from retrowalk.web.upload_stream import receive_upload

router = APIRouter(prefix="/api/v1", tags=["api"])


class Credentials(BaseModel):
    email: str
    password: str
    name: str = Field("", max_length=TOKEN_NAME_MAX, description="what the token is for")


class Me(BaseModel):
    id: int
    email: str


@router.post("/tokens", response_model=NewToken, status_code=201, tags=["auth"])
def create_token(body: Credentials, request: Request, services: ServicesDep) -> NewToken:
    """Exchange email and password for a bearer token (rate limited like sign-in)."""
    account = services.sign_in(body.email, body.password, client=client_address(request))
    return services.create_token(account, body.name or "api")


@router.get("/me", response_model=Me, tags=["auth"])
def me(account: ApiAccount, services: ServicesDep) -> Me:
    return Me(id=account, email=services.account_email(account) or "")


class PasswordChange(BaseModel):
    current_password: str
    new_password: str


class PasswordCheck(BaseModel):
    password: str


@router.post("/me/password", status_code=204, tags=["auth"])
def change_password(body: PasswordChange, account: ApiAccount, services: ServicesDep) -> Response:
    """Change the password (ends every browser session of the account)."""
    services.change_password(account, body.current_password, body.new_password)
    return Response(status_code=204)


@router.post("/me/signout-everywhere", status_code=204, tags=["auth"])
def signout_everywhere(account: ApiAccount, services: ServicesDep) -> Response:
    """End every browser session of the account (API tokens stay; delete them separately)."""
    services.end_all_sessions(account)
    return Response(status_code=204)


@router.delete("/me", status_code=204, tags=["auth"])
def delete_account(body: PasswordCheck, account: ApiAccount, services: ServicesDep) -> Response:
    """Delete the account with all its data and files (send the password to confirm)."""
    services.delete_account(account, body.password)
    return Response(status_code=204)


# The hot reads are ``async``: their one database call goes to the thread pool, and
# the response model is then checked here rather than in a second thread hop.
@router.get("/people", response_model=list[PersonOut])
async def list_people(account: ApiAccount, services: ServicesDep) -> list[PersonOut]:
    return await run_in_threadpool(services.list_people, account)


@router.post("/people", response_model=PersonOut, status_code=201)
def create_person(body: PersonIn, account: ApiAccount, services: ServicesDep) -> PersonOut:
    return services.create_person(account, body)


@router.get("/people/{person_id}", response_model=PersonOut)
def get_person(person_id: int, account: ApiAccount, services: ServicesDep) -> PersonOut:
    return services.get_person(account, person_id)


@router.put("/people/{person_id}", response_model=PersonOut)
def update_person(
    person_id: int, body: PersonIn, account: ApiAccount, services: ServicesDep
) -> PersonOut:
    return services.update_person(account, person_id, body)


@router.delete("/people/{person_id}", status_code=204)
def delete_person(person_id: int, account: ApiAccount, services: ServicesDep) -> Response:
    """Delete a person with all their recordings, analyses, observations and plans."""
    services.delete_person(account, person_id)
    return Response(status_code=204)


@router.get("/people/{person_id}/recordings", response_model=list[RecordingDetail])
def list_recordings(
    person_id: int, account: ApiAccount, services: ServicesDep
) -> list[RecordingDetail]:
    return services.list_recordings(account, person_id)


COLUMNS_FIELD = {
    "type": "string",
    "description": (
        "Column names of a CSV without a header line, in file order, "
        "'_' for a column to ignore, e.g. time_ns,_,acc_x,acc_y,acc_z"
    ),
}

VIDEO_UPLOAD_FIELDS: dict[str, dict[str, Any]] = {
    "floor_marks": {
        "type": "string",
        "description": (
            "Videos only: two points on the floor the walker crosses, "
            "x1,y1,x2,y2 in pixels of the first frame (with floor_distance_m: "
            "speed in metres); kept for reanalysis"
        ),
    },
    "floor_distance_m": {
        "type": "number",
        "description": "Videos only: the distance between the two floor marks, in metres",
    },
    "proportions": {
        "type": "string",
        "enum": ["", "child", "adult"],
        "default": "",
        "description": "Videos only: body proportions; empty decides from the person's age",
    },
}


def multipart_file_body(file_description: str, **fields: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI for a streamed multipart upload: a ``file`` and the form ``fields``."""
    properties = {
        "file": {"type": "string", "format": "binary", "description": file_description},
        **fields,
    }
    schema = {"type": "object", "required": ["file"], "properties": properties}
    content = {"multipart/form-data": {"schema": schema}}
    return {"requestBody": {"required": True, "content": content}}


UPLOAD_BODY = multipart_file_body(
    "The recording file.",
    recorded_on={
        "type": "string",
        "description": (
            "YYYY-MM-DD; default from the file. A file without a date and "
            "no recorded_on is stored with date_source 'unknown' (left out "
            "of progress until set with PATCH /recordings/{id})"
        ),
    },
    placement={"type": "string", "default": "auto"},
    columns=COLUMNS_FIELD,
    **VIDEO_UPLOAD_FIELDS,
)


@router.post(
    "/people/{person_id}/recordings",
    response_model=RecordingOut,
    status_code=201,
    openapi_extra=UPLOAD_BODY,
)
async def upload_recording(
    request: Request, person_id: int, account: ApiAccount, services: ServicesDep
) -> RecordingOut:
    """Upload a recording; its analysis is queued (poll ``GET /recordings/{id}``).

    The token is checked before any of the body is read; the file streams to
    disk and is refused with 413 as soon as it passes the upload limit.
    """
    received = await receive_upload(request, services, account, person_id)
    assert received.file is not None
    try:
        day = parse_day(received.get("recorded_on"))
    except BaseException:
        received.file.discard()
        raise
    return await run_in_threadpool(
        services.store_upload,
        account,
        person_id,
        received.file,
        recorded_on=day,
        placement=received.get("placement", "auto") or "auto",
        columns=received.get("columns"),
        **{name: received.get(name) for name in VIDEO_FIELDS},
    )


@router.get("/people/{person_id}/progress", response_model=list[ProgressWeek])
async def progress(
    person_id: int, account: ApiAccount, services: ServicesDep
) -> list[ProgressWeek]:
    """Weekly backward speed, distance, cadence and step-time variability."""
    return await run_in_threadpool(services.progress, account, person_id)


@router.get("/people/{person_id}/export", response_class=FileResponse)
def export(
    person_id: int, account: ApiAccount, services: ServicesDep, background: BackgroundTasks
) -> FileResponse:
    """All of a person's data as a zip (JSON, CSV, analyses, original files)."""
    out = services.export_person(account, person_id)
    background.add_task(out.path.unlink, missing_ok=True)
    return FileResponse(out.path, media_type="application/zip", filename=out.filename)


@router.get("/people/{person_id}/observations", response_model=list[ObservationOut])
def list_observations(
    person_id: int, account: ApiAccount, services: ServicesDep
) -> list[ObservationOut]:
    """Every observation, malformed ones too (``problem`` says what is wrong)."""
    return services.list_observations(account, person_id, include_malformed=True)


@router.post("/people/{person_id}/observations", response_model=ObservationOut, status_code=201)
def add_observation(
    person_id: int, body: ObservationIn, account: ApiAccount, services: ServicesDep
) -> ObservationOut:
    return services.add_observation(account, person_id, body)


@router.delete("/observations/{observation_id}", status_code=204)
def delete_observation(observation_id: int, account: ApiAccount, services: ServicesDep) -> Response:
    """Delete an observation of any kind (with its photo or video)."""
    services.delete_observation(account, observation_id)
    return Response(status_code=204)


@router.get("/people/{person_id}/plans", response_model=list[PlanOut])
def list_plans(person_id: int, account: ApiAccount, services: ServicesDep) -> list[PlanOut]:
    """Every plan, malformed ones too (``problem`` says what is wrong)."""
    return services.list_plans(account, person_id, include_malformed=True)


@router.delete("/plans/{plan_id}", status_code=204)
def delete_plan(plan_id: int, account: ApiAccount, services: ServicesDep) -> Response:
    services.delete_plan(account, plan_id)
    return Response(status_code=204)


@router.post("/people/{person_id}/plans", response_model=PlanOut, status_code=201)
def add_plan(person_id: int, body: PlanIn, account: ApiAccount, services: ServicesDep) -> PlanOut:
    return services.add_plan(account, person_id, body)


@router.get("/recordings/{recording_id}", response_model=RecordingDetail)
async def get_recording(
    recording_id: int, account: ApiAccount, services: ServicesDep
) -> RecordingDetail:
    """A recording with its analysis status and summary numbers."""
    return await run_in_threadpool(services.get_recording, account, recording_id)


@router.get("/recordings/{recording_id}/analysis")
def get_analysis(recording_id: int, account: ApiAccount, services: ServicesDep) -> dict[str, Any]:
    """The analysis JSON (the ``retrowalk analyze --json`` contract)."""
    return services.analysis_json(account, recording_id)


@router.get("/recordings/{recording_id}/file", response_class=FileResponse)
def download(recording_id: int, account: ApiAccount, services: ServicesDep) -> FileResponse:
    """The original uploaded file."""
    path, filename = services.recording_file(account, recording_id)
    return FileResponse(path, filename=filename, media_type="application/octet-stream")


@router.post("/recordings/{recording_id}/reanalyse", response_model=RecordingOut)
def reanalyse(recording_id: int, account: ApiAccount, services: ServicesDep) -> RecordingOut:
    return services.reanalyse(account, recording_id)


@router.get("/reanalysis")
def reanalysis(
    account: ApiAccount, services: ServicesDep, person_id: int | None = None
) -> dict[str, Any]:
    """The account's (or the person's) recordings another engine version analysed,
    and how far analysing them again is (``analysed_again`` of ``total``;
    ``pending`` still wait; ``failed`` keep their earlier analysis)."""
    return services.older_engine(account, person_id).as_json()


@router.post("/reanalysis", status_code=202)
def start_reanalysis(
    account: ApiAccount, services: ServicesDep, person_id: int | None = None
) -> dict[str, Any]:
    """Analyse again, in the background, every recording of the account (or the
    person) that another engine version analysed; the state after queueing them."""
    return services.reanalyse_older(account, person_id).as_json()


@router.delete("/reanalysis")
def stop_reanalysis(
    account: ApiAccount, services: ServicesDep, person_id: int | None = None
) -> dict[str, Any]:
    """Stop analysing them again: the recordings still waiting keep their earlier
    analysis, unchanged; the one being analysed finishes. The state afterwards."""
    return services.stop_reanalysis(account, person_id).as_json()


@router.delete("/recordings/{recording_id}", status_code=204)
def delete_recording(recording_id: int, account: ApiAccount, services: ServicesDep) -> Response:
    services.delete_recording(account, recording_id)
    return Response(status_code=204)


class RecordingChange(BaseModel):
    """What can be changed of a stored recording."""

    recorded_on: dt.date


@router.patch("/recordings/{recording_id}", response_model=RecordingOut)
def change_recording(
    recording_id: int, body: RecordingChange, account: ApiAccount, services: ServicesDep
) -> RecordingOut:
    """Set the day a recording was made (its date source becomes ``user``)."""
    return services.set_recording_date(account, recording_id, body.recorded_on)


class BoutLabelIn(BaseModel):
    """A bout's direction set by hand: its span (s) as in the analysis, and the label."""

    start_s: float
    end_s: float
    label: Literal["forward", "backward", "not_walking"]


@router.get("/recordings/{recording_id}/bout-labels", response_model=list[BoutLabelOut])
def list_bout_labels(
    recording_id: int, account: ApiAccount, services: ServicesDep
) -> list[BoutLabelOut]:
    """The user's hand labels of the recording's bouts."""
    return services.bout_labels(account, recording_id)


@router.post("/recordings/{recording_id}/bout-labels", response_model=BoutLabelOut, status_code=201)
def add_bout_label(
    recording_id: int, body: BoutLabelIn, account: ApiAccount, services: ServicesDep
) -> BoutLabelOut:
    """Label a bout by hand; the recording is analysed again with the label."""
    return services.label_bout(account, recording_id, body.start_s, body.end_s, body.label)


@router.delete("/recordings/{recording_id}/bout-labels/{label_id}", status_code=204)
def delete_bout_label(
    recording_id: int, label_id: int, account: ApiAccount, services: ServicesDep
) -> Response:
    """Remove a hand label; the recording is analysed again without it."""
    services.unlabel_bout(account, recording_id, label_id)
    return Response(status_code=204)


@router.get("/people/{person_id}/calibrations")
def list_calibrations(
    person_id: int, account: ApiAccount, services: ServicesDep
) -> list[dict[str, Any]]:
    """A person's stored walking-direction calibrations, one per placement."""
    return services.calibrations(account, person_id)


@router.delete("/people/{person_id}/calibrations/{placement}", status_code=204)
def delete_calibration(
    person_id: int, placement: str, account: ApiAccount, services: ServicesDep
) -> Response:
    """Remove a person's calibration of one placement."""
    if not services.remove_calibration(account, person_id, placement):
        raise NotFoundError(f"no calibration for {placement}")
    return Response(status_code=204)


@router.get("/people/{person_id}/calibrations/earlier")
def list_earlier_calibrations(
    person_id: int, account: ApiAccount, services: ServicesDep
) -> list[dict[str, Any]]:
    """A person's calibrations that newer ones replaced, newest first, each with the
    ``name`` that restores or deletes it."""
    return services.earlier_calibrations(account, person_id)


@router.post("/people/{person_id}/calibrations/earlier/{name}/restore")
def restore_earlier_calibration(
    person_id: int, name: str, account: ApiAccount, services: ServicesDep
) -> dict[str, Any]:
    """Use an earlier calibration again for its placement; the one it replaces is kept
    among the earlier ones. 200 with the calibration now in use."""
    restored = services.restore_calibration(account, person_id, name)
    if restored is None:
        raise NotFoundError(f"no earlier calibration {name}")
    return restored


@router.delete("/people/{person_id}/calibrations/earlier/{name}", status_code=204)
def delete_earlier_calibration(
    person_id: int, name: str, account: ApiAccount, services: ServicesDep
) -> Response:
    """Delete an earlier calibration for good."""
    if not services.remove_earlier_calibration(account, person_id, name):
        raise NotFoundError(f"no earlier calibration {name}")
    return Response(status_code=204)


CALIBRATION_BODY = multipart_file_body(
    "The recording of the calibration walk (not kept).",
    labels={
        "type": "string",
        "default": "forward, backward",
        "description": "One label per walking bout in time order: forward, backward or skip",
    },
    placement={"type": "string", "default": "auto"},
    columns=COLUMNS_FIELD,
)


@router.post("/people/{person_id}/calibrations", openapi_extra=CALIBRATION_BODY)
async def calibrate(
    request: Request, person_id: int, account: ApiAccount, services: ServicesDep
) -> Response:
    """Fit and store a person's walking-direction calibration from a labelled walk.

    200 with the stored calibration, or 400 with ``reason`` (and the walking
    bouts found) when the walk cannot be used; nothing is changed then.
    """
    received = await receive_upload(request, services, account, person_id)
    assert received.file is not None
    result = await run_in_threadpool(
        services.calibrate_upload,
        account,
        person_id,
        received.file,
        placement=received.get("placement") or "auto",
        labels=received.get("labels") or "forward, backward",
        columns=received.get("columns"),
    )
    result.pop("profile", None)
    return JSONResponse(result, status_code=200 if result["ok"] else 400)
