"""Usage statistics for supervisors (and the quality team, who read them too: aggregates only,
no conversation and no personal data): the `/stats` page, its figures as JSON and as CSV."""

from __future__ import annotations

from datetime import date, timedelta

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from knowledge.vocabulary import HOTLINES
from web.deps import STATIC, CurrentUser, ServicesDep
from web.routes.staff import day, page, require_role
from web.stats import InvalidPeriod, Period, UsageStats, to_csv, usage

router = APIRouter(prefix="/stats")
READERS = ("supervisor", "quality")
FOR_WHOM = "aux superviseurs et à l'équipe qualité"
From = Annotated[str | None, Query(alias="from")]
To = Annotated[str | None, Query(alias="to")]


@router.get("", include_in_schema=False)
def stats_page(request: Request) -> Response:
    return page(request, READERS, STATIC / "stats.html", FOR_WHOM)


def _figures(services: ServicesDep, start: str | None, end: str | None, service: str | None) -> UsageStats:
    today = date.today()
    try:
        period = Period(day(start, "du", today - timedelta(days=29)), day(end, "au", today))
    except InvalidPeriod as exc:
        raise HTTPException(status_code=422, detail=f"Période invalide : {exc}.") from exc
    if service and service not in HOTLINES:
        raise HTTPException(status_code=422, detail=f"Service inconnu « {service} ».")
    return usage(services.store, period, [service] if service else None)


@router.get("/data")
async def stats_data(user: CurrentUser, services: ServicesDep, start: From = None, end: To = None,
                     service: str | None = None) -> dict:
    """The figures of the period `start`..`end` (dates, both included; default: the last 30 days)."""
    require_role(user, READERS, FOR_WHOM)
    return (await run_in_threadpool(_figures, services, start, end, service)).to_json()


@router.get("/export.csv")
async def stats_csv(user: CurrentUser, services: ServicesDep, start: From = None, end: To = None,
                    service: str | None = None) -> Response:
    require_role(user, READERS, FOR_WHOM)
    figures = await run_in_threadpool(_figures, services, start, end, service)
    name = f"relais-statistiques-{figures.period['from']}-{figures.period['to']}.csv"
    return Response(to_csv(figures), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
