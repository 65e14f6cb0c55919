"""Sign up, sign in, sign out and the account page (API tokens)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from retrowalk.errors import RetrowalkError
from retrowalk.store.services import RateLimitedError
from retrowalk.web.deps import Csrf, PageAccount, ServicesDep
from retrowalk.web.render import render
from retrowalk.web.session import end_session, start_session

router = APIRouter(include_in_schema=False)


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


@router.get("/")
def home(request: Request) -> Response:
    target = "/people" if isinstance(request.session.get("a"), int) else "/signin"
    return RedirectResponse(target, status_code=303)


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
        return render(request, "signup.html", status_code=400, error=str(exc), email=email)
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


@router.get("/account")
def account_page(request: Request, account: PageAccount, services: ServicesDep) -> Response:
    return render(request, "account.html", tokens=services.list_tokens(account), new_token=None)


@router.post("/account/tokens", dependencies=[Csrf])
def create_token(
    request: Request,
    account: PageAccount,
    services: ServicesDep,
    name: Annotated[str, Form()] = "",
) -> Response:
    new = services.create_token(account, name)
    return render(request, "account.html", tokens=services.list_tokens(account), new_token=new)


@router.post("/account/tokens/{token_id}/delete", dependencies=[Csrf])
def delete_token(token_id: int, account: PageAccount, services: ServicesDep) -> Response:
    services.delete_token(account, token_id)
    return RedirectResponse("/account", status_code=303)
