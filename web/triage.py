"""Offline triage: every offline request gets a draft, made in the background, so that the
morning's inbox starts from a draft with its sources and confidence rather than from nothing.

In the web app, `Triage` drafts the waiting requests one at a time through the same model
processes as the chat, and only while no live chat draft is being made or waiting: a draft for
someone in the tchat always goes first (at worst it waits for the one triage draft under way).
A request is claimed before it is drafted, so that several web processes never draft it twice.
`relais triage` drafts the older requests that have none, with the models in its own process.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool

if TYPE_CHECKING:
    from web.deps import Services
    from web.store import Store

log = logging.getLogger(__name__)
POLL_SECONDS = 2.0  # how soon a new request (received by any process) is drafted
LIVE_PAUSE_SECONDS = 0.2  # how often to look again while live chat drafts are under way
OFFLINE_TURN = "offline"  # the offline requests take one turn among the live conversations waiting for drafts


class Triage:
    """The background drafter of offline requests of one web process."""

    def __init__(self, services: Services, poll_seconds: float = POLL_SECONDS) -> None:
        self.services = services
        self.poll_seconds = poll_seconds
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="relais-triage")

    async def stop(self) -> None:
        """Stop drafting (a draft under way is dropped; its request is claimed again later)."""
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    def wake(self) -> None:
        """Look for waiting requests now rather than at the next poll."""
        self._wake.set()

    async def _run(self) -> None:
        while True:
            try:
                while await self.draft_one():
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 (the database away for a moment: try again at the next poll)
                log.exception("offline triage: could not look for waiting requests")
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
            except asyncio.TimeoutError:
                pass
            self._wake.clear()

    async def _live_drafts_done(self) -> None:
        """Wait until no live chat draft is under way or waiting in this process."""
        while self.services.hub.drafting:
            await asyncio.sleep(LIVE_PAUSE_SECONDS)

    async def draft_one(self) -> bool:
        """Draft the oldest waiting request; whether there was one."""
        await self._live_drafts_done()
        store = self.services.store
        claimed = await run_in_threadpool(store.claim_undrafted_offline)
        if claimed is None:
            return False
        request_id, question, service = claimed
        try:
            await self._live_drafts_done()
            async with self.services.hub.drafters(self.services.settings.draft_workers).turn(OFFLINE_TURN):
                payload = await self.services.nlp.draft(question, service)
        except asyncio.CancelledError:
            await run_in_threadpool(store.release_offline_claim, request_id)
            raise
        except Exception:  # noqa: BLE001 (a model process died, a timeout: the counsellor answers without a draft)
            log.exception("offline triage: drafting failed for offline request %s", request_id)
            await run_in_threadpool(store.release_offline_claim, request_id)
            return False
        if await run_in_threadpool(store.save_offline_draft, request_id, payload):
            log.info("offline triage: offline request %s drafted", request_id)
        return True


def triage_waiting(store: Store, draft: Callable[[str, str], dict],
                   progress: Callable[[int, int], None] | None = None) -> int:
    """Draft every open offline request that has none, oldest first, with `draft(question,
    service) -> Draft.to_json()`; `progress(done, total)` after each. How many were drafted."""
    total, done = store.undrafted_offline_count(), 0
    while (claimed := store.claim_undrafted_offline()) is not None:
        request_id, question, service = claimed
        try:
            payload = draft(question, service)
        except BaseException:
            store.release_offline_claim(request_id)
            raise
        done += store.save_offline_draft(request_id, payload)
        if progress:
            progress(done, max(total, done))
    return done
