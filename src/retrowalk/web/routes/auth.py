"""Sign up, sign in, sign out and the account page (password, sessions, deletion, tokens)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from retrowalk.app.services import RateLimitedError
from retrowalk.core.errors import RetrowalkError
from retrowalk.store.schemas import TOKEN_NAME_MAX
from retrowalk.web.deps import Csrf, PageAccount, ServicesDep
from retrowalk.web.forms import in_form_words, validated_in_form_words
from retrowalk.web.render import render
from retrowalk.web.session import end_session, leave_flash, start_session, take_flash

router = APIRouter(include_in_schema=False)


def client_address(request: Request) -> str:
    """The client's address (a configured reverse proxy's ``X-Forwarded-For`` only)."""
    return request.client.host if request.client else ""


@router.get("/")
def home(request: Request) -> Response:
    target = "/people" if isinstance(request.session.get("a"), int) else "/signin"
    return RedirectResponse(target, status_code=303)


# The sign-up form's fields with the words it shows for them.
SIGNUP_LABELS = {"email": "Email", "password": "Password"}


@router.get("/signup")
def signup_page(request: Request) -> Response:
    return render(request, "signup.html", error=None, email="")


@router.post("/signup", dependencies=[Csrf])
def signup(
    request: Request,
    services: ServicesDep,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> Response:
    try:
        account_id = services.sign_up(email, password)
    except RetrowalkError as exc:
        error = str(in_form_words(exc, SIGNUP_LABELS))
        return render(request, "signup.html", status_code=400, error=error, email=email)
    start_session(request, account_id, email.strip().lower())
    return RedirectResponse("/people", status_code=303)


@router.get("/signin")
def signin_page(request: Request) -> Response:
    return render(request, "signin.html", error=None, email="")


@router.post("/signin", dependencies=[Csrf])
def signin(
    request: Request,
    services: ServicesDep,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> Response:
    try:
        account_id = services.sign_in(email, password, client=client_address(request))
    except RateLimitedError as exc:
        response = render(request, "signin.html", status_code=429, error=str(exc), email=email)
        response.headers["Retry-After"] = str(exc.retry_after_s)
        return response
    except RetrowalkError as exc:
        return render(request, "signin.html", status_code=401, error=str(exc), email=email)
    start_session(request, account_id, email.strip().lower())
    return RedirectResponse("/people", status_code=303)


@router.post("/signout", dependencies=[Csrf])
def signout(request: Request) -> Response:
    end_session(request)
    return RedirectResponse("/signin", status_code=303)


def _account_page(
    request: Request,
    services: ServicesDep,
    account: int,
    status_code: int = 200,
    **context: object,
) -> Response:
    values: dict[str, object] = {
        "new_token": None,
        "error": None,
        "notice": None,
        "token_error": None,
        "token_name": "",
        "token_name_max": TOKEN_NAME_MAX,
    }
    values.update(context)
    return render(
        request,
        "account.html",
        status_code=status_code,
        tokens=services.list_tokens(account),
        **values,
    )


@router.get("/account")
def account_page(request: Request, account: PageAccount, services: ServicesDep) -> Response:
    """The account page; a new token's secret or a notice left by the form that
    redirected here is shown this once."""
    flash = take_flash(request) or {}
    new = flash.get("new_token")
    return _account_page(
        request,
        services,
        account,
        new_token=new if isinstance(new, dict) else None,
        notice=flash.get("notice") if isinstance(flash.get("notice"), str) else None,
    )


@router.post("/account/password", dependencies=[Csrf])
def change_password(
    request: Request,
    account: PageAccount,
    services: ServicesDep,
    current_password: Annotated[str, Form()],
    new_password: Annotated[str, Form()],
) -> Response:
    """Change the password; every session of the account ends (copies of this
    browser's cookie too) and this browser gets a fresh one."""
    try:
        services.change_password(account, current_password, new_password)
    except RetrowalkError as exc:
        error = str(in_form_words(exc, {"password": "New password"}))
        return _account_page(request, services, account, status_code=400, error=error)
    start_session(request, account, services.account_email(account) or "")
    leave_flash(request, {"notice": "Password changed; other browsers were signed out."})
    return RedirectResponse("/account", status_code=303)


@router.post("/account/signout-everywhere", dependencies=[Csrf])
def signout_everywhere(request: Request, account: PageAccount, services: ServicesDep) -> Response:
    """End every browser session of the account, this one too."""
    services.end_all_sessions(account)
    request.session.clear()
    return RedirectResponse("/signin", status_code=303)


@router.post("/account/delete", dependencies=[Csrf])
def delete_account(
    request: Request,
    account: PageAccount,
    services: ServicesDep,
    password: Annotated[str, Form()],
) -> Response:
    """Delete the account with all its people, recordings, analyses, notes and files."""
    try:
        services.delete_account(account, password)
    except RetrowalkError as exc:
        return _account_page(request, services, account, status_code=400, error=str(exc))
    request.session.clear()
    return RedirectResponse("/signup", status_code=303)


@router.post("/account/tokens", dependencies=[Csrf])
def create_token(
    request: Request,
    account: PageAccount,
    services: ServicesDep,
    name: Annotated[str, Form()] = "",
) -> Response:
    """A new API token; the page redirected to shows its secret once (reloading it makes
    no second token). A name too long is refused in the form's words, the name kept as
    typed."""
    try:
        with validated_in_form_words({"name": "Token name"}):
            new = services.create_token(account, name)
    except RetrowalkError as exc:
        return _account_page(
            request, services, account, status_code=400, token_error=str(exc), token_name=name
        )
    leave_flash(request, {"new_token": {"name": new.name, "token": new.token}})
    return RedirectResponse("/account", status_code=303)


@router.post("/account/tokens/{token_id}/delete", dependencies=[Csrf])
def delete_token(token_id: int, account: PageAccount, services: ServicesDep) -> Response:
    services.delete_token(account, token_id)
    return RedirectResponse("/account", status_code=303)
