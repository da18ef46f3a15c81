"""Login and logout for the console: a session cookie, CSRF-protected forms."""

from __future__ import annotations

import html
import secrets

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from knowledge.vocabulary import HOTLINES
from web.deps import current_user, get_services

router = APIRouter()

LOGIN_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Connexion — Relais</title><link rel="stylesheet" href="/dsfr/dsfr.min.css">
<link rel="stylesheet" href="/static/console.css"></head>
<body class="connexion"><main class="page-connexion" id="contenu">
<h1>Connexion à la console Relais</h1>
<p>Espace réservé aux conseillers, superviseurs et à l'équipe qualité de l'Onisep.</p>
{error}
<form method="post" action="/login">
  <input type="hidden" name="csrf" value="{csrf}">
  <p><label class="fr-label" for="login">Identifiant</label><input class="fr-input" id="login" name="login" autocomplete="username" required></p>
  <p><label class="fr-label" for="password">Mot de passe</label>
     <input class="fr-input" id="password" name="password" type="password" autocomplete="current-password" required></p>
  <p><button class="fr-btn" type="submit">Se connecter</button></p>
</form></main></body></html>"""


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return token


def csrf_ok(request: Request, submitted: str) -> bool:
    expected = request.session.get("csrf")
    return bool(expected) and secrets.compare_digest(expected, submitted)


def login_page(request: Request, error: str = "", status: int = 200) -> HTMLResponse:
    message = f'<p class="erreur" role="alert">{html.escape(error)}</p>' if error else ""
    return HTMLResponse(LOGIN_PAGE.format(error=message, csrf=csrf_token(request)), status_code=status)


@router.get("/login", include_in_schema=False)
def login_form(request: Request) -> HTMLResponse:
    return login_page(request)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "?"


@router.post("/login", include_in_schema=False)
async def login(request: Request, login: str = Form(...), password: str = Form(...), csrf: str = Form("")) -> Response:
    if not csrf_ok(request, csrf):
        return login_page(request, "Le formulaire a expiré : réessayez.", status=403)
    services = get_services(request)
    limits, address = services.limits, f"address:{client_address(request)}"
    account = f"account:{login.casefold()}"
    # Every attempt is counted before its password is checked, each window admitting it in one
    # atomic step (in Redis when several processes share it), so parallel attempts cannot all
    # pass; a window that refuses gives back what the others counted. Success forgets this
    # address's attempts.
    checks = ((limits.login_per_client, f"{account}|{address}"), (limits.login_per_account, account),
              (limits.login_per_address, address))
    for counted, (window, key) in enumerate(checks):
        if wait := window.admit(key):
            for earlier, earlier_key in checks[:counted]:
                earlier.undo(earlier_key)
            minutes = max(1, round(wait / 60))
            page = login_page(request, f"Trop de tentatives de connexion : réessayez dans {minutes} minute(s).", status=429)
            page.headers["Retry-After"] = str(wait)
            return page
    async with services.hub.hashing():  # argon2 costs 64 MB and tens of ms: a few at a time
        user = await run_in_threadpool(services.store.authenticate, login, password)
    if user is None:
        return login_page(request, "Identifiant ou mot de passe incorrect.", status=401)
    limits.login_per_client.clear(f"{account}|{address}")
    limits.login_per_account.undo(account)  # a team logging in from one office is not an attack
    limits.login_per_address.undo(address)
    request.session.clear()
    request.session["sid"] = await run_in_threadpool(services.store.open_session, user.id)
    request.session["csrf"] = secrets.token_urlsafe(24)
    return RedirectResponse(landing(user.role), status_code=303)


def landing(role: str) -> str:
    """Where an account goes after login: the quality team to its page, the others to the console."""
    return "/quality" if role == "quality" else "/console"


@router.post("/logout", include_in_schema=False)
async def logout(request: Request, csrf: str = Form("")) -> Response:
    if not csrf_ok(request, csrf):
        return Response("Requête refusée (jeton CSRF).", status_code=403, media_type="text/plain; charset=utf-8")
    token = request.session.get("sid")
    if token:  # ends the session for every copy of the cookie
        await run_in_threadpool(get_services(request).store.end_session, str(token))
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/session", include_in_schema=False)
def session_info(request: Request) -> dict:
    """The console's CSRF token and role (for its forms); 401 without a session."""
    user = current_user(request)
    if user is None:
        raise HTTPException(status_code=401, detail="Connexion requise.")
    settings = get_services(request).settings
    services = list(HOTLINES) if user.role == "supervisor" else user.services
    return {"login": user.login, "role": user.role, "services": services, "csrf": csrf_token(request),
            "wait_minutes": {service: settings.wait_thresholds(service) for service in HOTLINES}}
