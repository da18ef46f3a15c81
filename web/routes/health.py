"""Liveness and readiness, for a load balancer or an operator: `/healthz` says the process
answers; `/readyz` names each part that must answer before traffic is sent here (503 if one does not)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from web.deps import get_services

router = APIRouter()


@router.get("/healthz", include_in_schema=False)
def healthz() -> dict:
    return {"statut": "ok"}


@router.get("/readyz", include_in_schema=False)
async def readyz(request: Request) -> JSONResponse:
    services = get_services(request)
    database, broker, models = await asyncio.gather(run_in_threadpool(services.store.ping), services.broker.ready(),
                                                    services.nlp.ready())
    parts = {"base": database, "diffusion": broker, "modeles": models}
    return JSONResponse({name: "ok" if up else "indisponible" for name, up in parts.items()},
                        status_code=200 if all(parts.values()) else 503)
