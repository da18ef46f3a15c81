"""The web app's access to the models: scrubbing, drafting, searching.

spaCy and presidio hold the GIL for several milliseconds per message. In the process that
owns the websockets, that stalls every relay behind each scrub (the load benchmark's relay
p99 went from ~10 ms without scrubbing to 80-500 ms with it). So `relais serve` runs the
models in child processes (`ProcessNlp`): one scrubs, `RELAIS_DRAFT_WORKERS` draft and
search; the web process keeps the sockets and loads no model. `ThreadedNlp` runs the same
calls in threads of the web process (tests, or `RELAIS_MODEL_PROCESSES=false`).

A conversation's mapping crosses to the scrubbing process as JSON and comes back grown, and so
does a phone call's to a drafting process: the model processes keep no mapping, the web process
stays the only one that holds them (see `web.mappings`).
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import logging
import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from typing import Any, Callable, Sequence

from starlette.concurrency import run_in_threadpool

from assistant.chain import Assistant
from assistant.pii import PseudonymMap, ScrubFailed, Scrubber
from assistant.pii.places import communes
from relais.settings import Settings
from web.fairness import FairGate

log = logging.getLogger(__name__)
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


# -- what runs in a child process -----------------------------------------------------------
_scrubber: Scrubber | None = None
_assistant: Assistant | None = None


def _die_with_parent() -> None:
    """Linux: have the kernel stop this child when the web process dies, even by SIGKILL."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() == 1:  # the parent died before the line above
            os._exit(0)
    except (OSError, AttributeError):
        log.info("model process: no parent-death signal on this system")


def _child_start(settings: Settings, drafting: bool, open_assistant: Callable[[Settings], Assistant]) -> None:
    global _scrubber, _assistant
    _die_with_parent()
    if drafting:
        _assistant = open_assistant(settings)
        _scrubber = _assistant.scrubber
    else:
        _scrubber = Scrubber()
    communes()  # loaded in the background with spaCy: wait for it, so that ready means ready (the first messages do not)
    gc.collect()
    gc.freeze()  # the models' objects stay out of the collector's way, as in the web process


def _ready() -> bool:
    return True


def _scrub(text: str, conversation: str, mapping: dict) -> tuple[str, dict]:
    grown = PseudonymMap.from_json(conversation, mapping)
    return _scrubber.scrub(text, grown).text, grown.to_json()


def _in_child(work: Callable[..., Any], *args: Any) -> Any:
    return work(_assistant, *args)


# What the drafting side does, for either way of reaching the models.
def _draft(assistant: Assistant, text: str, service: str, history: Sequence[str] = (), source: str | None = None) -> dict:
    return assistant.draft_scrubbed(text, service, history, source).to_json()


def _search(assistant: Assistant, query: str, k: int, service: str | None = None, history: Sequence[str] = ()) -> dict:
    """The console's manual search, read with the open conversation's earlier turns."""
    found = assistant.retrieve([*history, query], service, k)
    return {"understood": found.understood.to_json(), "results": [hit.to_json() for hit in found.hits]}


def _ask(assistant: Assistant, question: str, service: str | None, mapping_id: str, mapping: dict) -> tuple[dict, str, dict]:
    """Phone mode: the draft's payload, its text with the caller's details restored, and the
    call's mapping grown with this question (as JSON: nothing of the call stays here)."""
    call = PseudonymMap.from_json(mapping_id, mapping)
    scrubbed = assistant.scrubber.scrub(question, call)
    draft = replace(assistant.draft_scrubbed(scrubbed.text, service), entities=scrubbed.entities)
    payload = draft.to_json()
    return payload, call.restore(payload["draft"]), call.to_json()


# -- the two ways to reach them ---------------------------------------------------------------
class ThreadedNlp:
    """The models in this process, called from worker threads."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.scrubber = assistant.scrubber

    async def start(self) -> None:
        pass

    async def ready(self) -> bool:
        return True

    def close(self) -> None:
        pass

    async def scrub(self, text: str, mapping: PseudonymMap) -> tuple[str, PseudonymMap]:
        """`text` pseudonymised with the conversation's mapping, and the mapping (possibly grown).
        Raises ScrubFailed: fail closed."""
        return (await run_in_threadpool(self.scrubber.scrub, text, mapping)).text, mapping

    async def draft(self, text: str, service: str, history: Sequence[str] = (), source: str | None = None) -> dict:
        return await run_in_threadpool(_draft, self.assistant, text, service, history, source)

    async def search(self, query: str, k: int, service: str | None = None, history: Sequence[str] = ()) -> dict:
        return await run_in_threadpool(_search, self.assistant, query, k, service, history)

    async def ask(self, question: str, service: str | None, mapping: PseudonymMap) -> tuple[dict, str, PseudonymMap]:
        """Phone mode: the draft's payload, its restored text, and `mapping` grown (a copy: the
        caller keeps it, or not). Raises ScrubFailed: fail closed."""
        payload, text, grown = await run_in_threadpool(_ask, self.assistant, question, service,
                                                       mapping.conversation_id, mapping.to_json())
        return payload, text, PseudonymMap.from_json(mapping.conversation_id, grown)


class ProcessNlp:
    """The models in child processes: one scrubs, `settings.draft_workers` draft and search."""

    def __init__(self, settings: Settings, open_assistant: Callable[[Settings], Assistant]) -> None:
        """`open_assistant` builds the assistant in each drafting process (a module-level function:
        it crosses to the child by name)."""
        self.settings = settings
        self.open_assistant = open_assistant
        self._scrubbing = self._pool(1, drafting=False)
        self._drafting = self._pool(settings.draft_workers, drafting=True)
        # one scrub running and one ready in the pipe; the rest wait their conversation's turn
        self._scrub_gate = FairGate(2)

    def _pool(self, workers: int, drafting: bool) -> ProcessPoolExecutor:
        # spawn, not fork: the web process runs threads, and a forked copy of them can deadlock
        return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_child_start, initargs=(self.settings, drafting, self.open_assistant))

    async def start(self) -> None:
        """Load the models in every child before the app serves anyone."""
        loop = asyncio.get_running_loop()
        await asyncio.gather(loop.run_in_executor(self._scrubbing, _ready),
                             *(loop.run_in_executor(self._drafting, _ready) for _ in range(self.settings.draft_workers)))

    async def ready(self) -> bool:
        """The scrubbing process answers within a few seconds (every message needs it). The
        drafting ones are not asked: a long draft there is work, not a fault, and a dead one is
        replaced at the next call."""
        try:
            return await asyncio.wait_for(self._call(False, _ready), timeout=5)
        except Exception:
            return False

    def close(self) -> None:
        """Stop the model processes (waiting drafts are dropped; a running one finishes)."""
        for pool in (self._scrubbing, self._drafting):
            pool.shutdown(wait=True, cancel_futures=True)

    async def _call(self, drafting: bool, work: Callable[..., Any], *args: Any) -> Any:
        pool = self._drafting if drafting else self._scrubbing
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, work, *args)
        except BrokenProcessPool:
            # A child died (killed, out of memory): start a fresh one for the next call.
            log.error("a model process died; starting a new one")
            if drafting:
                self._drafting = self._pool(self.settings.draft_workers, drafting=True)
            else:
                self._scrubbing = self._pool(1, drafting=False)
            raise

    async def scrub(self, text: str, mapping: PseudonymMap) -> tuple[str, PseudonymMap]:
        try:
            async with self._scrub_gate.turn(mapping.conversation_id):
                scrubbed, grown = await self._call(False, _scrub, text, mapping.conversation_id, mapping.to_json())
        except BrokenProcessPool as exc:
            raise ScrubFailed("le processus de pseudonymisation s'est arrêté") from exc
        return scrubbed, PseudonymMap.from_json(mapping.conversation_id, grown)

    async def draft(self, text: str, service: str, history: Sequence[str] = (), source: str | None = None) -> dict:
        return await self._call(True, _in_child, _draft, text, service, tuple(history), source)

    async def search(self, query: str, k: int, service: str | None = None, history: Sequence[str] = ()) -> dict:
        return await self._call(True, _in_child, _search, query, k, service, tuple(history))

    async def ask(self, question: str, service: str | None, mapping: PseudonymMap) -> tuple[dict, str, PseudonymMap]:
        try:
            payload, text, grown = await self._call(True, _in_child, _ask, question, service,
                                                    mapping.conversation_id, mapping.to_json())
        except BrokenProcessPool as exc:
            raise ScrubFailed("le processus de rédaction s'est arrêté") from exc
        return payload, text, PseudonymMap.from_json(mapping.conversation_id, grown)
