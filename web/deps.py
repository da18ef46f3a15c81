"""Dependencies declared once and reused by every route."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from starlette.requests import HTTPConnection

from web.app import Services
from web.models import User


def get_services(connection: HTTPConnection) -> Services:
    return connection.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


def current_user(connection: HTTPConnection) -> User | None:
    """The console account of this session, or None."""
    user_id = connection.session.get("user_id")
    if not user_id:
        return None
    user = get_services(connection).store.user(int(user_id))
    return user if user and user.active else None


def require_user(request: Request) -> User:
    user = current_user(request)
    if user is None:
        raise HTTPException(status_code=401, detail="Connexion requise.")
    return user


CurrentUser = Annotated[User, Depends(require_user)]
