"""The websocket hub: which sockets of this process listen to which conversation or queue.

Events come from the broker (so from every process); the hub delivers them to the local
sockets, restoring placeholders for the people allowed to see the real text (the
conversation's owner, the counsellors of its service).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from assistant.pii.pseudonyms import PLACEHOLDER, MappingStore, PseudonymMap
from web import protocol
from web.deps import Counsellor
from web.fairness import FairGate
from web.store import Store

log = logging.getLogger(__name__)


SESSION_RECHECK = 5.0  # seconds between two checks of the session of a console that only listens: a disabled account stops receiving within that
MAPPING_IDLE = timedelta(minutes=30)  # a conversation's mapping leaves this process's cache unused this long (the database keeps it)
MAPPING_CACHE_SIZE = 5000
RESTORED = ("text", "note")  # the fields of an event that may hold placeholders: restored for each socket
EVICT = "mappings"  # the broker event that drops a mapping from every process's caches (web.mappings.forget_mapping)


@dataclass(eq=False)
class ConsoleClient:
    socket: WebSocket
    who: Counsellor
    session: str = ""  # the server-side session's token: logout or a disabled account ends the socket too
    checked_at: float = field(default_factory=time.monotonic)


@dataclass
class Hub:
    store: Store
    widgets: dict[str, set[WebSocket]] = field(default_factory=dict)
    consoles: set[ConsoleClient] = field(default_factory=set)
    per_address: dict[str, int] = field(default_factory=dict)
    drafting: set[asyncio.Task] = field(default_factory=set)
    drafts_of: Counter[str] = field(default_factory=Counter)  # drafts waiting or being made, by conversation
    session_idle: timedelta = timedelta(minutes=120)
    session_lifetime: timedelta = timedelta(hours=12)
    _drafters: FairGate | None = None
    _hashing: asyncio.Semaphore | None = None
    mapping_idle: timedelta = MAPPING_IDLE
    mappings: MappingStore = field(init=False)  # conversations' mappings this process read or changed
    _calls: MappingStore | None = None  # the phone calls of this process's consoles

    def __post_init__(self) -> None:
        self.mappings = MappingStore(ttl_seconds=self.mapping_idle.total_seconds(), max_entries=MAPPING_CACHE_SIZE)

    def remember(self, mapping: PseudonymMap) -> None:
        """Keep a conversation's mapping after this process changed or read it."""
        self.mappings.put(mapping)

    async def mapping(self, conversation: str, text: str = "") -> PseudonymMap:
        """The conversation's mapping, from memory when it knows every placeholder of `text`
        (another process may have added some), else from the database. A text without
        placeholders needs none: nothing is read or kept (a closed conversation's last words)."""
        needed = {m.group(0) for m in PLACEHOLDER.finditer(text)}
        if not needed:
            return PseudonymMap(conversation)
        cached = self.mappings.peek(conversation)
        if cached is None or not needed <= cached.placeholders():
            cached = await run_in_threadpool(self.store.mapping, conversation)
            self.remember(cached)
        return cached

    def calls(self, minutes: float) -> MappingStore:
        """The phone calls' mappings, each kept `minutes` after its last question (the store is
        made on first use, with the setting of that moment)."""
        if self._calls is None:
            self._calls = MappingStore(ttl_seconds=minutes * 60, max_entries=MAPPING_CACHE_SIZE)
        return self._calls

    def evict_mapping(self, mapping_id: str) -> None:
        """Drop a conversation's or a phone call's mapping from this process's memory."""
        self.mappings.forget(mapping_id)
        if self._calls is not None:
            self._calls.forget(mapping_id)

    async def session_alive(self, client: ConsoleClient, every: float = 0.0) -> bool:
        """Whether the console's session still stands (checked at most every `every` seconds);
        an ended one closes the socket (4401)."""
        now = time.monotonic()
        if every and now - client.checked_at < every:
            return True
        user = await run_in_threadpool(self.store.session_user, client.session, self.session_idle, self.session_lifetime)
        if user is None or user.id != client.who.user_id:
            self.consoles.discard(client)
            try:
                await client.socket.close(code=4401)
            except (RuntimeError, OSError):
                pass
            return False
        client.checked_at = now
        return True

    def draft_done(self, conversation: str) -> None:
        self.drafts_of[conversation] -= 1
        if self.drafts_of[conversation] <= 0:
            del self.drafts_of[conversation]

    def hashing(self) -> asyncio.Semaphore:
        """Password checks at once (each argon2 hash takes 64 MB): a burst of logins waits its turn."""
        if self._hashing is None:
            self._hashing = asyncio.Semaphore(4)
        return self._hashing

    def drafters(self, count: int) -> FairGate:
        """Drafting is CPU-bound: a few at a time, so relaying messages never waits behind it; the
        waiting drafts take turns by conversation, so one conversation's burst delays no other much."""
        if self._drafters is None:
            self._drafters = FairGate(count)
        return self._drafters

    def admit(self, address: str, limit: int) -> bool:
        """Count a new widget socket from `address`, unless it already has `limit` open."""
        if self.per_address.get(address, 0) >= limit:
            return False
        self.per_address[address] = self.per_address.get(address, 0) + 1
        return True

    def release(self, address: str) -> None:
        left = self.per_address.get(address, 1) - 1
        if left > 0:
            self.per_address[address] = left
        else:
            self.per_address.pop(address, None)

    def join_widget(self, conversation: str, socket: WebSocket) -> None:
        self.widgets.setdefault(conversation, set()).add(socket)

    def leave_widget(self, conversation: str, socket: WebSocket) -> None:
        sockets = self.widgets.get(conversation, set())
        sockets.discard(socket)
        if not sockets:
            self.widgets.pop(conversation, None)

    async def dispatch(self, event: dict) -> None:
        """Deliver one broker event to the local sockets it concerns (or drop a mapping it names)."""
        if event.get("to") == EVICT:
            self.evict_mapping(str(event["mapping"]))
            return
        conversation = event.get("conversation")
        payload = event["payload"]
        restorable = [name for name in RESTORED if isinstance(payload.get(name), str)]
        if restorable and conversation:
            mapping = await self.mapping(conversation, " ".join(payload[name] for name in restorable))
            payload = {**payload, **{name: mapping.restore(payload[name]) for name in restorable}}
        if event["to"] == "conversation":
            targets = list(self.widgets.get(conversation, ()))
        else:
            clients = [c for c in self.consoles if c.who.serves(event["service"])]
            alive = await asyncio.gather(*(self.session_alive(c, SESSION_RECHECK) for c in clients))
            targets = [c.socket for c, ok in zip(clients, alive) if ok]
        await asyncio.gather(*(send(socket, payload) for socket in targets))


async def send(socket: WebSocket, payload: dict | protocol.Out) -> None:
    """Send, ignoring a socket that just went away (its own handler cleans up)."""
    if socket.application_state != WebSocketState.CONNECTED:
        return
    try:
        await socket.send_json(payload if isinstance(payload, dict) else protocol.wire(payload))
    except (RuntimeError, OSError, WebSocketDisconnect) as exc:  # Starlette turns the peer's close into WebSocketDisconnect
        log.debug("send to a closing socket: %s", exc)


async def read_frame(socket: WebSocket, adapter, max_bytes: int):
    """The next valid frame from `socket`; a too long or malformed one gets an error frame
    (the connection carries on) and None is returned."""
    message = await socket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000), message.get("reason"))
    raw = message.get("text")
    if raw is None:  # a binary frame
        await send(socket, protocol.error("invalide", "message illisible (JSON attendu, en texte)"))
        return None
    if len(raw.encode()) > max_bytes:
        await send(socket, protocol.error("trop_long", "Message trop long."))
        return None
    try:
        return adapter.validate_python(json.loads(raw))
    except (ValueError, TypeError, RecursionError) as exc:  # RecursionError: JSON nested too deep
        await send(socket, protocol.error("invalide", protocol.explain(exc)))
        return None
