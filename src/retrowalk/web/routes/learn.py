"""Learn pages and JSON: graded content about backward walking (public, no sign-in).

The handlers only call :class:`~retrowalk.domain.learn.service.LearnService`; the same
service backs ``/learn`` pages and ``/api/v1/learn`` JSON.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from retrowalk.app.services import NotFoundError
from retrowalk.domain.learn.content import LearnError
from retrowalk.domain.learn.service import LearnService
from retrowalk.web.render import render

router = APIRouter()
Filter = Annotated[str, Query(max_length=100)]


def _service(request: Request) -> LearnService:
    service = getattr(request.app.state, "learn", None)
    if service is None:
        service = request.app.state.learn = LearnService()
    return service


def _page_or_404(service: LearnService, entry_id: str) -> dict:
    try:
        return service.page(entry_id)
    except LearnError:
        raise NotFoundError(f"there is no Learn page called '{entry_id}'") from None


@router.get("/learn", include_in_schema=False)
def learn_index(
    request: Request, q: Filter = "", audience: Filter = "", topic: Filter = "", grade: Filter = ""
) -> Response:
    service = _service(request)
    entries = service.listing(q, audience, topic, grade)
    return render(
        request,
        "learn/index.html",
        entries=entries,
        lib=service.library,
        q=q,
        audience=audience,
        topic=topic,
        grade=grade,
    )


@router.get("/learn/{entry_id}", include_in_schema=False)
def learn_entry(request: Request, entry_id: str) -> Response:
    service = _service(request)
    page = _page_or_404(service, entry_id)
    return render(request, "learn/entry.html", lib=service.library, **page)


@router.get("/api/v1/learn", tags=["learn"])
def learn_list_json(
    request: Request, q: Filter = "", audience: Filter = "", topic: Filter = "", grade: Filter = ""
) -> JSONResponse:
    """Learn entries matching the search words and filters (public)."""
    service = _service(request)
    entries = service.listing(q, audience, topic, grade)
    return JSONResponse(
        {
            "content_version": service.library.content_version,
            "entries": [service.summary_json(e) for e in entries],
        }
    )


@router.get("/api/v1/learn/{entry_id}", tags=["learn"])
def learn_entry_json(request: Request, entry_id: str) -> JSONResponse:
    """One Learn entry with its grade, sources and back-links (public)."""
    service = _service(request)
    _page_or_404(service, entry_id)
    return JSONResponse(service.entry_json(entry_id))
