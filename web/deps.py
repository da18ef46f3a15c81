"""Dependencies declared once and reused by every route."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from starlette.requests import HTTPConnection

from web.app import Services
from web.models import User


def get_services(connection: HTTPConnection) -> Services:
    return connection.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


def same_origin(connection: HTTPConnection) -> bool:
    """A browser's request from this very site: scheme, host and port (a client that is not a
    browser sends no Origin and passes)."""
    origin = connection.headers.get("origin")
    if origin is None:
        return True
    scheme = {"ws": "http", "wss": "https"}.get(connection.url.scheme, connection.url.scheme)
    return origin == f"{scheme}://{connection.headers.get('host', '')}"


def origin_allowed(connection: HTTPConnection, allowed: list[str]) -> bool:
    """This site, or one of the sites allowed to embed the widget."""
    return same_origin(connection) or connection.headers.get("origin") in allowed


def current_user(connection: HTTPConnection) -> User | None:
    """The console account of this session, or None (logged out, timed out or disabled)."""
    token = connection.session.get("sid")
    if not token:
        return None
    services = get_services(connection)
    settings = services.settings
    return services.store.session_user(str(token), timedelta(minutes=settings.session_idle_minutes),
                                       timedelta(hours=settings.session_hours))


def require_user(request: Request) -> User:
    user = current_user(request)
    if user is None:
        raise HTTPException(status_code=401, detail="Connexion requise.")
    return user


CurrentUser = Annotated[User, Depends(require_user)]
