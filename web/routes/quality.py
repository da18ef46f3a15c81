"""Read access for the quality team: closed conversations, pseudonymised only."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from starlette.concurrency import run_in_threadpool

from web.deps import CurrentUser, ServicesDep

router = APIRouter(prefix="/quality")
READERS = ("quality", "supervisor")


@router.get("/conversations")
async def closed_conversations(user: CurrentUser, services: ServicesDep, limit: int = 50) -> list[dict]:
    """Closed conversations with their messages and drafts, as stored (placeholders, never the real text)."""
    if user.role not in READERS:
        raise HTTPException(status_code=403, detail="Accès réservé à l'équipe qualité.")
    return await run_in_threadpool(services.store.closed_conversations, min(max(limit, 1), 500))
