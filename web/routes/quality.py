"""The quality team's page: closed conversations (pseudonymised only) with every draft and what
the counsellor did with it, filtered, and their export as CSV or as candidate test cases."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta, timezone
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from evals.harvest import candidates
from knowledge.vocabulary import HOTLINES
from web.deps import STATIC, CurrentUser, ServicesDep
from web.quality import Band, Outcome, Selection, drafts_csv
from web.routes.staff import day, page, require_role
from web.store import NotFound

router = APIRouter(prefix="/quality")
READERS = ("quality", "supervisor")
FOR_WHOM = "à l'équipe qualité et aux superviseurs"
PAGE_SIZE = 50
EXPORT_LIMIT = 50_000  # drafts in one export
COUNT_UP_TO = 1_000  # a selection larger than this is said to be « plus de 1 000 » (counting further costs a scan)


def selection(service: str | None, start: str | None, end: str | None, outcome: Outcome | None, confidence: Band | None,
              flagged: bool | None, rating: int | None) -> Selection:
    """The filters of the query string (period: closing dates, both included)."""
    if service and service not in HOTLINES:
        raise HTTPException(status_code=422, detail=f"Service inconnu « {service} ».")
    first = day(start, "du", None)
    last = day(end, "au", None)
    return Selection(
        services=(service,) if service else None,
        closed_from=datetime.combine(first, time.min, tzinfo=timezone.utc) if first else None,
        closed_before=datetime.combine(last + timedelta(days=1), time.min, tzinfo=timezone.utc) if last else None,
        outcome=outcome, confidence=confidence, flagged=flagged, rating=rating,
    )




@router.get("", include_in_schema=False)
def quality_page(request: Request) -> Response:
    return page(request, READERS, STATIC / "quality.html", FOR_WHOM)


@router.get("/conversations")
async def closed_conversations(user: CurrentUser, services: ServicesDep, request: Request,
                               page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1) -> dict:
    """One page of the selected closed conversations, last closed first, and how many there are."""
    require_role(user, READERS, FOR_WHOM)
    chosen = selection(**_filters(request))
    total, rows = await run_in_threadpool(services.store.quality_conversations, chosen, PAGE_SIZE,
                                          (page_number - 1) * PAGE_SIZE, COUNT_UP_TO)
    return {"total": min(total, COUNT_UP_TO), "more": total > COUNT_UP_TO, "page": page_number, "page_size": PAGE_SIZE,
            "conversations": rows}


@router.get("/conversations/{public_id}")
async def closed_conversation(public_id: str, user: CurrentUser, services: ServicesDep) -> dict:
    """One closed conversation: its exchange and every draft with the counsellor's decision."""
    require_role(user, READERS, FOR_WHOM)
    try:
        return await run_in_threadpool(services.store.quality_conversation, public_id)
    except NotFound as exc:
        raise HTTPException(status_code=404, detail="Conversation introuvable ou pas encore terminée.") from exc


@router.get("/export.csv")
async def export_csv(user: CurrentUser, services: ServicesDep, request: Request) -> Response:
    """Every draft of the selection, one per line."""
    require_role(user, READERS, FOR_WHOM)
    records = await run_in_threadpool(services.store.quality_drafts, selection(**_filters(request)), limit=EXPORT_LIMIT)
    return Response(drafts_csv(records), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="relais-qualite.csv"'})


@router.get("/export.jsonl")
async def export_candidates(user: CurrentUser, services: ServicesDep, request: Request) -> Response:
    """The selection's edited and rejected drafts as candidate test cases, in the format of
    `relais eval harvest` (texts as stored, pseudonymised; the command adds a second scrubbing pass)."""
    require_role(user, READERS, FOR_WHOM)
    records = await run_in_threadpool(services.store.quality_drafts, selection(**_filters(request)),
                                      outcomes=("edited", "rejected"), limit=EXPORT_LIMIT)
    lines = "".join(json.dumps(case, ensure_ascii=False) + "\n" for case in candidates(records, None))
    return Response(lines, media_type="application/x-ndjson; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="relais-candidats.jsonl"'})


def _filters(request: Request) -> dict:
    """The selection's filters from the query string, checked (a French 422 for a bad one)."""
    query = request.query_params
    known = {"service", "from", "to", "outcome", "confidence", "flagged", "rating"}
    values = {key: query.get(key) or None for key in known}
    outcome, confidence = values["outcome"], values["confidence"]
    if outcome not in (None, "sent", "edited", "rejected", "none"):
        raise HTTPException(status_code=422, detail="Issue inconnue (attendu : sent, edited, rejected ou none).")
    if confidence not in (None, "low", "medium", "high"):
        raise HTTPException(status_code=422, detail="Niveau de confiance inconnu (attendu : low, medium ou high).")
    flagged = {None: None, "true": True, "false": False}.get(values["flagged"], "?")
    if flagged == "?":
        raise HTTPException(status_code=422, detail="Filtre « signalement » invalide (attendu : true ou false).")
    rating = values["rating"]
    if rating is not None and rating not in ("0", "1", "2", "3", "4", "5"):
        raise HTTPException(status_code=422, detail="Note invalide (attendu : 0 pour « sans avis », ou de 1 à 5).")
    return {"service": values["service"], "start": values["from"], "end": values["to"], "outcome": outcome,
            "confidence": confidence, "flagged": flagged, "rating": None if rating is None else int(rating)}
