"""Rendering pages: every template gets the CSRF token and the signed-in email."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from retrowalk.app.demo import provenance as demo_provenance
from retrowalk.web.session import csrf_token

if TYPE_CHECKING:
    from retrowalk.app.reanalysis import OlderEngine
    from retrowalk.app.services import Services
    from retrowalk.store.schemas import PersonOut, RecordingDetail

#: How the places of a logged session read (the values of the log form).
PLACES = {
    "wall_support": "along a wall or railing",
    "open_space": "open flat space",
    "track": "track or path",
    "treadmill": "treadmill",
    "intervals": "forward/backward intervals",
    "stairs": "stairs",
    "other": "other",
}


def learn_title(entry_id: str) -> str:
    """The title of a Learn entry, for the text of a link to it."""
    from retrowalk.domain.learn.content import LearnError
    from retrowalk.domain.learn.loader import default_library

    try:
        return default_library().get(entry_id).title
    except (LearnError, KeyError):
        return "more about this"


def older_engine(
    services: Services, account_id: int, person_id: int | None = None
) -> dict[str, Any]:
    """The context of ``_older_engine.html``: the account's recordings another engine
    version analysed (``older_all``) and, on a person's pages, that person's (``older``)."""
    context: dict[str, OlderEngine] = {"older_all": services.older_engine(account_id)}
    if person_id is not None:
        context["older"] = services.older_engine(account_id, person_id)
    return context


def changes(recording: RecordingDetail) -> list[tuple[str, float, float]]:
    """The body measures the recording's shown analysis used that differ from its
    person's now, as ``(name, used, now)``
    (:func:`retrowalk.app.analyse.measures_changed`)."""
    return [(c.measure, c.used, c.now) for c in recording.measures_changed]


def measures_changed_list(
    person: PersonOut, recordings: list[RecordingDetail], running: Mapping[int, bool]
) -> list[dict[str, Any]]:
    """The context of ``_measures_changed.html``: each of ``recordings`` whose shown
    analysis used body measures that differ from ``person``'s now, with what it used
    and what the person's are now, in the words of the recording page's notice, and
    (``waiting``) what is under way: queued to be analysed again, or being analysed now
    with the measures of now or with those changed since (``running``: of
    :meth:`~retrowalk.app.services.Services.analysing_with_other_measures`)."""
    from retrowalk.app.analyse import measures_used_text

    out = []
    for recording in recordings:
        changed = changes(recording)
        if changed:
            used, now = measures_used_text(person.name, changed)
            if recording.status == "queued":
                waiting = "queued to be analysed again"
            elif recording.id in running:
                waiting = "being analysed now, " + (
                    "with the earlier measures"
                    if running[recording.id]
                    else "with the measures of now"
                )
            else:
                waiting = ""
            text = f"analysed with {used}; {now}"
            out.append({"recording": recording, "text": text, "waiting": waiting})
    return out


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render ``template`` with the common context."""
    account_id = request.session.get("a")
    email = request.session.get("e") if isinstance(account_id, int) else None
    if isinstance(account_id, int) and not email:
        email = request.app.state.services.account_email(account_id)
    context.update(request=request, csrf_token=csrf_token(request), user_email=email)
    context.setdefault("demo_provenance", demo_provenance)
    context.setdefault("learn_title", learn_title)
    context.setdefault("places", PLACES)
    return request.app.state.templates.TemplateResponse(
        request, template, context, status_code=status_code
    )


def wants_json(request: Request) -> bool:
    """True for script requests (fetch with ``Accept: application/json``)."""
    return "application/json" in request.headers.get("accept", "")
