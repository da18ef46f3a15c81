"""The FastAPI app: widget and console websockets, login, static pages.

Heavy parts (knowledge index, scrubber, assistant, database, broker) are built once in the
lifespan and handed out from `app.state`; tests can pass their own.
"""

from __future__ import annotations

import gc
from contextlib import asynccontextmanager
from typing import Callable

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from relais.settings import Settings
from web.deps import DSFR, STATIC, Services
from web import errors
from web.headers import BodyLimit, SecurityHeaders
from web.logs import AccessLog
from web.sessions import RotatingSessionMiddleware
from web.triage import Triage

def create_app(services: Services | Callable[[], Services], settings: Settings | None = None) -> FastAPI:
    """The web app over `services`, or over what builds them at startup (`relais serve` passes
    `relais.components.build_services`; then `settings` are needed now, for the middleware)."""
    settings = services.settings if isinstance(services, Services) else settings
    if settings is None:
        raise TypeError("create_app needs the settings when the services are built at startup")

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        ready = services if isinstance(services, Services) else services()
        await ready.nlp.start()
        app.state.services = ready
        # The models make millions of long-lived objects: move them out of the collector's
        # way, or each full collection stalls every socket for up to a second.
        gc.collect()
        gc.freeze()
        await ready.broker.start(ready.hub.dispatch)
        await ready.mailer.start()
        app.state.triage = Triage(ready)  # drafts offline requests in the background, after live chat
        await app.state.triage.start()
        yield
        await app.state.triage.stop()
        await ready.mailer.stop()
        await ready.broker.stop()
        ready.nlp.close()

    from web.routes import auth, console, health, quality, stats, widget

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
    app.add_middleware(SecurityHeaders)  # on every response, the 413 included
    app.add_middleware(AccessLog)  # outermost: logs what the client got
    errors.install(app)  # French error answers, never the input echoed back
    app.include_router(health.router)
    app.include_router(auth.router)
    app.include_router(widget.router)
    app.include_router(console.router)
    app.include_router(quality.router)
    app.include_router(stats.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    if DSFR.is_dir():
        app.mount("/dsfr", StaticFiles(directory=DSFR), name="dsfr")
    return app
