"""What the staff pages (`/quality`, `/stats`) share: who may open them, and the page that says no."""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

from fastapi import HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from web.deps import current_user
from web.models import User

FORBIDDEN_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Accès refusé — Relais</title><link rel="stylesheet" href="/dsfr/dsfr.min.css"></head>
<body><main class="fr-container fr-my-6w" id="contenu">
<h1>Accès refusé</h1>
<p>{message}</p>
<p><a class="fr-link" href="/console">Retour à la console</a></p>
</main></body></html>"""


def page(request: Request, roles: tuple[str, ...], file: Path, who: str) -> Response:
    """The page for the accounts whose role is in `roles`; the login form for nobody; a French
    403 page for the others (`who`: whom the page is for, in French)."""
    user = current_user(request)
    if user is None:
        return RedirectResponse("/login", status_code=303)
    if user.role not in roles:
        return HTMLResponse(FORBIDDEN_PAGE.format(message=html.escape(f"Cette page est réservée {who}.")), status_code=403)
    return FileResponse(file)


def require_role(user: User, roles: tuple[str, ...], who: str) -> None:
    """403 with a French sentence unless the account's role is in `roles`."""
    if user.role not in roles:
        raise HTTPException(status_code=403, detail=f"Accès réservé {who}.")


FIRST_YEAR, LAST_YEAR = 2000, 2999  # dates a filter may name


def day(value: str | None, name: str, default: date | None) -> date | None:
    """A date of a query string (AAAA-MM-JJ), or a French 422."""
    if not value:
        return default
    try:
        # the written form only (not "20261130"), and a year a period can end after (not the last day there is)
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) or not FIRST_YEAR <= int(value[:4]) <= LAST_YEAR:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=f"Date invalide pour « {name} » (attendu : AAAA-MM-JJ, "
                                                    f"entre {FIRST_YEAR} et {LAST_YEAR}).") from exc
