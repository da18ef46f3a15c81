"""Error answers in French: the framework's own (validation, 404, 405…) are English and, for a
validation error, echo the input back; the public and counsellors get a French sentence."""

from __future__ import annotations

from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

FRENCH = {
    400: "Requête illisible.",
    401: "Connexion requise.",
    403: "Accès refusé.",
    404: "Page introuvable.",
    405: "Méthode non autorisée pour cette adresse.",
    413: "Requête trop volumineuse.",
    415: "Format de requête non pris en charge.",
}


def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    """The first problem, in French: our own validators' messages as they are, else the field's name
    (never the input, which may hold personal data)."""
    first = exc.errors()[0]
    if first["type"] == "value_error":
        message = str(first["msg"]).removeprefix("Value error, ")
    elif first["type"] == "json_invalid":
        message = "Requête illisible : JSON attendu."
    else:
        field = ".".join(str(part) for part in first["loc"] if part not in ("body", "query"))
        message = f"Champ invalide ou manquant : {field or 'requête'}."
    return JSONResponse({"detail": message}, status_code=422)


def http_error(request: Request, exc: HTTPException) -> JSONResponse:
    """Our own details (already French) as they are; the framework's English phrases replaced."""
    detail = exc.detail
    if detail == HTTPStatus(exc.status_code).phrase:
        detail = FRENCH.get(exc.status_code, "La requête n'a pas abouti.")
    return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=getattr(exc, "headers", None))


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(HTTPException, http_error)
