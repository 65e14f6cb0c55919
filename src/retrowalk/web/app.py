"""The FastAPI application: pages, the REST API under ``/api/v1`` and static files."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import anyio.to_thread
from argon2 import PasswordHasher
from fastapi import FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from retrowalk import __version__
from retrowalk.app.jobs.runners import InlineRunner, ProcessRunner
from retrowalk.app.jobs.worker import AnalysisWorker, sweep_orphan_files
from retrowalk.app.services import (
    AuthError,
    ConflictError,
    NotFoundError,
    RateLimitedError,
    Services,
    SignInLimiter,
    TooLargeError,
)
from retrowalk.core.errors import InputError, RetrowalkError
from retrowalk.domain.kids.age import CORRECTED_AGE_RULE
from retrowalk.io import load_table_libraries
from retrowalk.report import display
from retrowalk.store.db import Database
from retrowalk.web.compress import (
    FILE_CACHE,
    CompressedStaticFiles,
    GzipMiddleware,
    file_response,
)
from retrowalk.web.deps import CsrfError, LoginRequiredError
from retrowalk.web.forms import plain_error
from retrowalk.web.render import render, wants_json
from retrowalk.web.routes import api, assess, auth, coach, kids, learn, people, progress, recordings
from retrowalk.web.routes import calibration as calibration_routes
from retrowalk.web.session import CookieSessionMiddleware
from retrowalk.web.settings import Settings
from retrowalk.web.upload_limit import BodyLimitMiddleware

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
STATUS = {
    NotFoundError: 404,
    AuthError: 401,
    RateLimitedError: 429,
    ConflictError: 409,
    TooLargeError: 413,
    InputError: 400,
}


def _status_of(exc: RetrowalkError) -> int:
    for kind, status in STATUS.items():
        if isinstance(exc, kind):
            return status
    return 400


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app.

    Parameters
    ----------
    settings
        Database, data directory, secret key, upload limit and worker mode.
    """
    settings = settings or Settings()
    data_dir = settings.resolved_data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.resolved_database_url())
    runner = ProcessRunner(max_workers=2) if settings.worker == "process" else InlineRunner()
    worker: AnalysisWorker | None = None
    if settings.worker != "none":
        worker = AnalysisWorker(db, data_dir, runner)
    hasher = (
        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        if settings.fast_password_hashing
        else PasswordHasher()
    )
    services = Services(
        db,
        data_dir,
        runner=runner,
        max_upload_bytes=settings.max_upload_mb * 1024 * 1024,
        on_queued=worker.notify if worker else None,
        hasher=hasher,
        limiter=SignInLimiter(
            free_failures=settings.signin_max_failures,
            base_delay_s=settings.signin_base_delay_s,
            max_delay_s=settings.signin_max_delay_s,
            forget_after_s=settings.signin_window_s,
        ),
    )

    plotly_js = _plotly_js_path()
    # gzip copies of static files are made on the first request that accepts gzip
    # and kept on disk too: other server processes and later starts reuse them.
    static_cache = FILE_CACHE.at(data_dir / "cache" / "gzip")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Few request threads: with the GIL, more threads only add contention.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        # before any thread reads a file: uploads are read in request threads
        # (and analysed in the worker's), and a first import of pandas in several
        # threads at once can leave one of them a half-imported pandas
        load_table_libraries()
        if worker is not None:
            sweep_orphan_files(db, data_dir)
            worker.start()

        try:
            yield
        finally:
            # An app entered more than once (several test clients) has one worker,
            # stopped, with its runner and database, when the last one leaves.
            if worker is None or worker.stop():
                runner.shutdown()
                db.dispose()

    app = FastAPI(
        title="retrowalk",
        version=__version__,
        description="Backward-walking recordings, analyses and progress. "
        "Scripts authenticate with a bearer token from `POST /api/v1/tokens`.",
        lifespan=lifespan,
        # Swagger UI would load its scripts from a CDN (and runs inline script):
        # the description is the OpenAPI JSON, served from here.
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.settings = settings
    app.state.services = services
    app.state.worker = worker
    app.state.db = db
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    # Templates ship with the package: no stat() of every template on each render.
    templates.env.auto_reload = False
    # Every figure a page shows is written by one module (report.display), as the
    # command line and the report write it: "9.3" m, "1.24" m/s, "6 min 12 s".
    templates.env.filters["duration"] = display.duration
    templates.env.filters["distance"] = display.distance
    templates.env.filters["speed"] = display.speed
    templates.env.filters["cadence"] = display.cadence
    templates.env.filters["cv_pct"] = display.cv_pct
    templates.env.filters["time_s"] = display.time_s
    templates.env.filters["step_length"] = display.step_length
    templates.env.filters["percent"] = display.percent
    templates.env.filters["height"] = display.height
    templates.env.filters["weight"] = display.weight
    templates.env.filters["minutes"] = display.minutes  # backward minutes: "12.5", "10"
    templates.env.filters["threembwt_s"] = display.threembwt_s
    templates.env.filters["age_months"] = display.age_months
    templates.env.filters["weeks"] = display.weeks
    templates.env.globals["MISSING"] = display.MISSING  # where there is no value
    templates.env.globals["CORRECTED_AGE_RULE"] = CORRECTED_AGE_RULE
    app.state.templates = templates

    # Bodies counted while they stream (inside the session: signed-in users get
    # the upload limit, others a small one).
    app.add_middleware(BodyLimitMiddleware, max_bytes=services.max_upload_bytes + 1024 * 1024)
    # Body-size limit outermost, then the session cookie.
    app.add_middleware(
        CookieSessionMiddleware,
        secret_key=settings.resolved_secret_key(),
        max_age_s=settings.session_max_age_s,
        secure=settings.cookie_secure,
    )
    # Pages and JSON above a size threshold go gzipped to clients that accept it
    # (static files are answered from their cached gzip copies instead).
    app.add_middleware(GzipMiddleware)
    if settings.forwarded_allow_ips.strip():
        # Only a configured reverse proxy may say who the client is (the sign-in
        # slow-down keys on the client address); ``serve`` runs uvicorn without
        # its own proxy-header handling.
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app.add_middleware(
            ProxyHeadersMiddleware,
            trusted_hosts=[h.strip() for h in settings.forwarded_allow_ips.split(",")],
        )

    @app.exception_handler(ValidationError)
    async def invalid_data(request: Request, exc: ValidationError) -> Response:
        # Data checked inside a service (not a request body): 422 naming the field.
        problems = [
            {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()
        ]
        if request.url.path.startswith("/api/") or wants_json(request):
            return JSONResponse({"detail": problems}, status_code=422)
        # A page: the field in words and what is wrong, in one plain sentence.
        label, reason = plain_error(exc, {}, {}, "Form")
        return render(request, "error.html", status_code=422, message=f"{label}: {reason}")

    @app.exception_handler(StarletteHTTPException)
    async def no_such_page(request: Request, exc: StarletteHTTPException) -> Response:
        # A mistyped or stale address (a form's address opened again) in a browser:
        # the app's page, not the framework's JSON. The API and static files keep theirs.
        path = request.url.path
        if (
            exc.status_code not in (404, 405)
            or path.startswith(("/api/", "/static/"))
            or wants_json(request)
        ):
            return await http_exception_handler(request, exc)
        page = render(request, "error.html", status_code=exc.status_code, message="No such page.")
        page.headers.update(exc.headers or {})  # 405: the methods it takes (Allow)
        return page

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        # The API keeps FastAPI's 422 naming each field; a page answers as a site does.
        if request.url.path.startswith("/api/") or wants_json(request):
            return await request_validation_exception_handler(request, exc)
        if any(e.get("loc", ("",))[0] == "path" for e in exc.errors()):
            # /people/abc: no page has that address.
            return render(request, "error.html", status_code=404, message="No such page.")
        message = "the form came back incomplete; reload the page and try again"
        return render(request, "error.html", status_code=400, message=message)

    @app.exception_handler(RetrowalkError)
    async def user_error(request: Request, exc: RetrowalkError) -> Response:
        status = _status_of(exc)
        headers = {}
        if isinstance(exc, RateLimitedError):
            headers["Retry-After"] = str(exc.retry_after_s)
        if isinstance(exc, AuthError) and request.url.path.startswith("/api/"):
            headers["WWW-Authenticate"] = "Bearer"
        if request.url.path.startswith("/api/") or "application/json" in request.headers.get(
            "accept", ""
        ):
            return JSONResponse({"detail": str(exc)}, status_code=status, headers=headers)
        return render(request, "error.html", status_code=status, message=str(exc))

    @app.exception_handler(LoginRequiredError)
    async def login_required(request: Request, exc: LoginRequiredError) -> Response:
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse({"detail": "sign in first"}, status_code=401)
        return RedirectResponse("/signin", status_code=303)

    @app.exception_handler(CsrfError)
    async def csrf_failed(request: Request, exc: CsrfError) -> Response:
        message = "the form expired or came from another site; reload the page and try again"
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse({"detail": message}, status_code=403)
        return render(request, "error.html", status_code=403, message=message)

    @app.get("/static/plotly.min.js", include_in_schema=False)
    async def plotly_bundle(request: Request) -> Response:
        if plotly_js is None:
            return Response("/* plotly not installed */", media_type="text/javascript")
        # 4.8 MB as a file, about 1.4 MB gzipped: compressed once, then from memory.
        return await file_response(
            plotly_js, request.scope, media_type="text/javascript", cache=static_cache
        )

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon(request: Request) -> Response:
        # Browsers ask for it on every page without a <link rel="icon"> (reports).
        return await file_response(
            HERE / "static" / "favicon.ico",
            request.scope,
            media_type="image/x-icon",
            cache=static_cache,
        )

    app.mount(
        "/static",
        CompressedStaticFiles(directory=str(HERE / "static"), cache=static_cache),
        name="static",
    )
    # The routes go straight onto the app's router rather than through
    # ``include_router``: FastAPI matches an included router by walking each of its
    # routes twice per request, which cost about half of a page request's time.
    for module in (auth, people, recordings, progress, kids, learn, coach, assess, api):
        app.router.routes.extend(module.router.routes)
    app.router.routes.extend(calibration_routes.router.routes)
    return app


def _plotly_js_path() -> Path | None:
    """plotly.min.js from the plotly package (served locally: the app works offline)."""
    try:
        from importlib.resources import files

        path = Path(str(files("plotly") / "package_data" / "plotly.min.js"))
    except ModuleNotFoundError:
        return None
    return path if path.is_file() else None
