"""The FastAPI app: widget and console websockets, login, static pages.

Heavy parts (knowledge index, scrubber, assistant, database, broker) are built once in the
lifespan and handed out from `app.state`; tests can pass their own.
"""

from __future__ import annotations

import gc
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from relais.settings import Settings
from web.broker import Broker, make_broker
from web.db import database_url, make_engine, migrate, session_factory
from web.headers import BodyLimit, SecurityHeaders
from web.hub import Hub
from web.limits import Limits
from web.nlp import ProcessNlp, ThreadedNlp
from web.security import Vault
from web.sessions import RotatingSessionMiddleware
from web.store import Store

STATIC = Path(__file__).parent / "static"
DSFR = Path(__file__).parent / "node_modules" / "@gouvfr" / "dsfr" / "dist"  # installed by `make setup`


@dataclass
class Services:
    """What the routes need, built once per process."""

    settings: Settings
    store: Store
    nlp: ThreadedNlp | ProcessNlp
    broker: Broker
    hub: Hub
    limits: Limits | None = None

    def __post_init__(self) -> None:
        if self.limits is None:
            self.limits = Limits.from_settings(self.settings)


def open_store(settings: Settings) -> Store:
    """The database named by the settings, migrated to the latest schema."""
    url = database_url(settings.database_url, settings.home)
    migrate(url)
    return Store(session_factory(make_engine(url)), Vault(settings.encryption_secret(), settings.old_encryption_secrets()),
                 settings.retention_days)


def build_services(settings: Settings) -> Services:
    store = open_store(settings)
    if settings.model_processes:
        nlp: ThreadedNlp | ProcessNlp = ProcessNlp(settings)
    else:
        from relais.components import open_assistant

        nlp = ThreadedNlp(open_assistant(settings))
    hub = Hub(store, session_idle=timedelta(minutes=settings.session_idle_minutes),
              session_lifetime=timedelta(hours=settings.session_hours))
    return Services(settings, store, nlp, make_broker(settings.redis_url), hub)


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    settings = settings or (services.settings if services else Settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        ready = services or build_services(settings)
        await ready.nlp.start()
        app.state.services = ready
        # The models make millions of long-lived objects: move them out of the collector's
        # way, or each full collection stalls every socket for up to a second.
        gc.collect()
        gc.freeze()
        await ready.broker.start(ready.hub.dispatch)
        yield
        await ready.broker.stop()
        ready.nlp.close()

    from web.routes import auth, console, health, quality, widget

    app = FastAPI(title="Relais", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(
        RotatingSessionMiddleware,
        secret_key=settings.signing_key(),
        old_secret_keys=settings.old_signing_keys(),  # sessions they signed go on, signed again with the current key
        session_cookie="relais_session",
        same_site="strict",
        https_only=settings.https,
        max_age=settings.session_hours * 3600,  # the server ends it sooner: logout, idle time
    )
    if settings.allowed_origins:  # the widget embedded on another site posts the offline form here
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.allowed_origins, allow_methods=["GET", "POST"], allow_headers=["Content-Type"]
        )
    app.add_middleware(BodyLimit)
    if settings.trusted_proxies:  # the client's address and scheme, as the proxy saw them: limits count real clients
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    app.add_middleware(SecurityHeaders)  # outermost: on every response, the 413 included
    app.include_router(health.router)
    app.include_router(auth.router)
    app.include_router(widget.router)
    app.include_router(console.router)
    app.include_router(quality.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    if DSFR.is_dir():
        app.mount("/dsfr", StaticFiles(directory=DSFR), name="dsfr")
    return app
