"""The application context and the dependencies declared once and reused by every route."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, HTTPException, Request
from starlette.requests import HTTPConnection

from relais.settings import Settings
from web.limits import Limits
from web.models import User

if TYPE_CHECKING:  # built by relais.components.build_services (or by the tests): only their types here
    from web.broker import Broker
    from web.hub import Hub
    from web.mailer import Mailer
    from web.nlp import ProcessNlp, ThreadedNlp
    from web.store import Store

STATIC = Path(__file__).parent / "static"
DSFR = Path(__file__).parent / "node_modules" / "@gouvfr" / "dsfr" / "dist"  # installed by `make setup`


@dataclass
class Services:
    """The application context: what the routes and use-cases need, built once per process."""

    settings: Settings
    store: Store
    nlp: ThreadedNlp | ProcessNlp
    broker: Broker
    hub: Hub
    limits: Limits | None = None
    mailer: Mailer | None = None  # mails offline answers in the background

    def __post_init__(self) -> None:
        if self.limits is None:
            self.limits = Limits.from_settings(self.settings)
        if self.mailer is None:
            from web.mailer import Mailer

            self.mailer = Mailer(self.store, self.settings, self.tell_consoles)

    async def tell_consoles(self, event: dict) -> None:
        """An event of one service (its `service` field) to the consoles of that service."""
        await self.broker.publish({"to": "consoles", "service": event["service"], "payload": event})


@dataclass(frozen=True)
class Counsellor:
    """A console account acting now (a supervisor acts for every service)."""

    user_id: int
    role: str
    services: tuple[str, ...]

    @property
    def scope(self) -> tuple[str, ...] | None:
        """The services this account acts for (None: all)."""
        return None if self.role == "supervisor" else self.services

    def serves(self, service: str) -> bool:
        return self.scope is None or service in self.scope


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
