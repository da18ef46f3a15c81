"""The public tchat widget: its websocket and the demo host page.

Nothing reaches the public without a counsellor's action: the public socket only ever
receives its own messages, counsellors' messages and queue information.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import deque

from fastapi import APIRouter, HTTPException, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from assistant.pii import PseudonymMap, ScrubFailed
from web import protocol
from web.app import STATIC, Services
from web.deps import get_services
from web.hub import read_frame, send
from web.offline import is_open
from web.relay import relay, replay, store_message
from web.store import NotFound

log = logging.getLogger(__name__)
router = APIRouter()
RATE = (10, 60.0)  # at most 10 messages a minute per conversation socket


@router.get("/", include_in_schema=False)
def demo_page() -> FileResponse:
    return FileResponse(STATIC / "index.html")


class OfflineForm(BaseModel):
    """The offline contact form (the service is closed): question, email, consent."""

    model_config = ConfigDict(str_strip_whitespace=True)
    service: protocol.Service = "moel"
    question: str = Field(min_length=1, max_length=protocol.MAX_TEXT)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=200)
    consent: bool


@router.get("/offline/status", include_in_schema=False)
def offline_status(request: Request, service: protocol.Service = "moel") -> dict:
    return {"service": service, "open": is_open(get_services(request).settings, service)}


@router.post("/offline", status_code=201, include_in_schema=False)
async def offline_request(request: Request, form: OfflineForm) -> dict:
    """Store an offline question (pseudonymised, email encrypted) for the service's inbox."""
    services = get_services(request)
    if not form.consent:
        raise HTTPException(status_code=422, detail="Merci d'accepter le traitement de vos données pour que nous puissions vous répondre.")
    mapping = PseudonymMap("offline")
    try:
        scrubbed, mapping = await services.nlp.scrub(form.question, mapping)
    except ScrubFailed as exc:
        detail = "Votre question n'a pas pu être enregistrée : réessayez dans un instant."
        raise HTTPException(status_code=503, detail=detail) from exc
    request_id = await run_in_threadpool(services.store.add_offline, form.service, scrubbed, form.email, mapping)
    await services.broker.publish({"to": "consoles", "service": form.service,
                                   "payload": {"type": "offline", "id": request_id, "service": form.service}})
    return {"id": request_id, "message": "Votre question est bien enregistrée : un conseiller ou une conseillère vous répondra par courriel."}


def origin_allowed(socket: WebSocket, allowed: list[str]) -> bool:
    origin = socket.headers.get("origin")
    if origin is None:
        return True  # not a browser
    host = socket.headers.get("host", "")
    return origin in allowed or origin.split("://", 1)[-1] == host


async def queue_position(services: Services, conversation: str) -> int:
    return await run_in_threadpool(services.store.queue_position, conversation)


@router.websocket("/widget/ws")
async def widget_socket(socket: WebSocket) -> None:
    services = get_services(socket)
    if not origin_allowed(socket, services.settings.allowed_origins):
        await socket.close(code=4403)
        return
    address = socket.client.host if socket.client else "?"
    if not services.hub.admit(address, services.settings.widget_connections_per_ip):
        await socket.close(code=4429)
        return
    try:
        await widget_session(services, socket)
    finally:
        services.hub.release(address)


async def widget_session(services: Services, socket: WebSocket) -> None:
    await socket.accept()
    conversation: str | None = None
    service = "moel"
    guessing = False
    recent: deque[float] = deque()
    try:
        while True:
            frame = await read_frame(socket, protocol.WidgetIn, protocol.MAX_FRAME)
            if frame is None:
                continue
            if isinstance(frame, protocol.Ping):
                await send(socket, {"type": "pong"})
            elif isinstance(frame, protocol.Hello):
                if conversation:
                    services.hub.leave_widget(conversation, socket)
                conversation, service = await hello(services, socket, frame)
                guessing = frame.service is None and not frame.conversation
            elif conversation is None:
                await send(socket, protocol.error("sans_conversation", "Ouvrez d'abord une conversation."))
            elif too_fast(recent):
                await send(socket, protocol.error("trop_rapide", "Vous écrivez trop vite : patientez un instant."))
            else:
                if guessing:  # the user did not pick a service: guess it from the first message
                    guessing = False
                    guessed = guess_service(frame.text)
                    if guessed != service:
                        await run_in_threadpool(services.store.set_status, conversation, "waiting", None, guessed)
                        service = guessed
                        await send(socket, {"type": "service", "service": service})
                await user_message(services, socket, conversation, service, frame)
    except WebSocketDisconnect:
        pass
    finally:
        if conversation:
            services.hub.leave_widget(conversation, socket)


_PARCOURSUP = re.compile(r"parcours\s?up|v[œo]e?ux|phase compl[ée]mentaire|terminale|\bcaes\b|apr[eè]s (?:le )?bac", re.IGNORECASE)
_MONMASTER = re.compile(r"mon\s?master|\bmaster\b|\bm1\b|\bm2\b|recteur", re.IGNORECASE)


def guess_service(text: str) -> str:
    """The hotline a first message most likely belongs to (Mon orientation en ligne by default)."""
    if _MONMASTER.search(text):
        return "monmaster"
    if _PARCOURSUP.search(text):
        return "parcoursup"
    return "moel"


def too_fast(recent: deque[float]) -> bool:
    now = time.monotonic()
    while recent and now - recent[0] > RATE[1]:
        recent.popleft()
    recent.append(now)
    return len(recent) > RATE[0]


async def hello(services: Services, socket: WebSocket, frame: protocol.Hello) -> tuple[str | None, str]:
    """Open a new conversation, or resume one with its token and the last seq seen."""
    store = services.store
    token = None
    if frame.conversation and frame.token:
        try:
            service = await run_in_threadpool(store.check_token, frame.conversation, frame.token)
        except NotFound:
            await send(socket, protocol.error("introuvable", "Conversation introuvable ou expirée : une nouvelle va commencer."))
            return None, frame.service or "moel"
        conversation = frame.conversation
    else:
        service = frame.service or "moel"
        conversation, token = await run_in_threadpool(store.open_conversation, service)
    services.hub.join_widget(conversation, socket)
    welcome = {"type": "welcome", "conversation": conversation, "service": service,
               "position": await queue_position(services, conversation), "open": is_open(services.settings, service)}
    if token:
        welcome["token"] = token
    await send(socket, welcome)
    await replay(services, socket, conversation, frame.last_seq)
    return conversation, service


async def user_message(services: Services, socket: WebSocket, conversation: str, service: str, frame: protocol.UserMessage) -> None:
    """Scrub, store, relay to the counsellors of the queue, then draft an answer for them."""
    try:
        stored, _ = await store_message(services, conversation, "user", frame.text, frame.key)
    except ScrubFailed:
        await send(socket, protocol.error("indisponible", "Votre message n'a pas pu être traité : réessayez dans un instant."))
        return
    await send(socket, {"type": "ack", "key": frame.key, "seq": stored.seq})
    if stored.duplicate:
        return
    await relay(services, conversation, service, stored)
    if services.settings.drafts:
        hub = services.hub
        if len(hub.drafting) >= services.settings.draft_backlog:
            # Overload: the message is relayed, the counsellor answers without a draft.
            log.warning("draft skipped: %d drafts already waiting", len(hub.drafting))
            await services.broker.publish({"to": "consoles", "service": service, "conversation": conversation,
                                           "payload": {"type": "draft_skipped", "conversation": conversation, "seq": stored.seq}})
            return
        task = asyncio.create_task(draft_for_counsellors(services, conversation, service, stored))
        hub.drafting.add(task)  # keep a reference until done; the socket goes on reading meanwhile
        task.add_done_callback(hub.drafting.discard)


async def draft_for_counsellors(services: Services, conversation: str, service: str, stored) -> None:
    """Draft an answer off the event loop, store it, push it to the counsellors of the queue."""
    try:
        history = await run_in_threadpool(services.store.user_turns, conversation, stored.seq)
        async with services.hub.drafters(services.settings.draft_workers):
            payload = await services.nlp.draft(stored.text, service, history)
        draft_id = await run_in_threadpool(services.store.save_draft, conversation, stored.message_id, payload)
    except Exception:  # a failed draft must not lose the message: counsellors still have it
        log.exception("drafting failed for a message of conversation %s", conversation)
        return
    await services.broker.publish({
        "to": "consoles", "service": service, "conversation": conversation,
        "payload": {"type": "draft", "conversation": conversation, "draft_id": draft_id, "seq": stored.seq,
                    "text": payload["draft"], "draft": payload},
    })
