"""The public tchat widget: its websocket and the demo host page.

Nothing reaches the public without a counsellor's action: the public socket only ever
receives its own messages, counsellors' messages and queue information.
"""

from __future__ import annotations

import asyncio
import logging
import re

from fastapi import APIRouter, HTTPException, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator
from starlette.concurrency import run_in_threadpool

from assistant.pii import PseudonymMap, ScrubFailed
from web import protocol
from web.app import STATIC, Services
from web.broker import BrokerUnavailable
from web.deps import get_services, origin_allowed
from web.hub import read_frame, send
from web.offline import is_open
from web.relay import publish_draft, relay, replay, store_message
from web.store import Closed, NotFound, StoredMessage

log = logging.getLogger(__name__)
router = APIRouter()


@router.get("/", include_in_schema=False)
def demo_page() -> FileResponse:
    return FileResponse(STATIC / "index.html")


# One plain address: no list, no display name, no quotes or encoded words, no control character.
EMAIL = re.compile(r"[A-Za-z0-9!#$&'*+/^_`{|}~-]+(?:\.[A-Za-z0-9!#$&'*+/^_`{|}~-]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")


class OfflineForm(BaseModel):
    """The offline contact form (the service is closed): question, email, consent."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")
    service: protocol.Service = "moel"
    question: str = Field(min_length=1, max_length=protocol.MAX_TEXT)
    email: str = Field(max_length=200)
    consent: StrictBool

    @field_validator("email")
    @classmethod
    def one_plain_address(cls, email: str) -> str:
        if not EMAIL.fullmatch(email):
            raise ValueError("adresse électronique invalide : une seule adresse, de la forme prenom.nom@exemple.fr")
        return email


@router.get("/offline/status", include_in_schema=False)
def offline_status(request: Request, service: protocol.Service = "moel") -> dict:
    return {"service": service, "open": is_open(get_services(request).settings, service)}


@router.post("/offline", status_code=201, include_in_schema=False)
async def offline_request(request: Request, form: OfflineForm) -> dict:
    """Store an offline question (pseudonymised, email encrypted) for the service's inbox."""
    services = get_services(request)
    wait = services.limits.offline_per_address.admit(request.client.host if request.client else "?")
    if wait:
        raise HTTPException(status_code=429, headers={"Retry-After": str(wait)},
                            detail="Vous avez déjà envoyé plusieurs questions : réessayez plus tard.")
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
            elif too_fast(services, conversation):
                await send(socket, protocol.error("trop_rapide", "Vous écrivez trop vite : patientez un instant."))
            else:
                if guessing:  # the user did not pick a service: guess it from the first message
                    guessing = False
                    guessed = guess_service(frame.text)
                    if guessed != service and await run_in_threadpool(services.store.route, conversation, guessed):
                        service = guessed
                        await send(socket, {"type": "service", "service": service})
                try:
                    await user_message(services, socket, conversation, frame)
                except BrokerUnavailable:  # stored and acknowledged; counsellors see it when they reload
                    await send(socket, protocol.error("diffusion", "Votre message est bien enregistré, mais la transmission "
                                                                   "en direct est interrompue : un conseiller le verra sous peu."))
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


def too_fast(services: Services, conversation: str) -> bool:
    """Past the message limit of the conversation (it holds across sockets and reconnects)."""
    return bool(services.limits.messages_per_conversation.admit(conversation))


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
        if services.limits.conversations_per_address.admit(socket.client.host if socket.client else "?"):
            await send(socket, protocol.error("trop_de_conversations", "Trop de conversations ouvertes depuis votre connexion : "
                                                                       "patientez quelques minutes avant d'en ouvrir une autre."))
            return None, service
        conversation, token = await run_in_threadpool(store.open_conversation, service)
    services.hub.join_widget(conversation, socket)
    welcome = {"type": "welcome", "conversation": conversation, "service": service,
               "position": await queue_position(services, conversation), "open": is_open(services.settings, service)}
    if token:
        welcome["token"] = token
    await send(socket, welcome)
    await replay(services, socket, conversation, frame.last_seq)
    return conversation, service


async def user_message(services: Services, socket: WebSocket, conversation: str, frame: protocol.UserMessage) -> None:
    """Scrub, store, relay to the counsellors of the conversation's queue *now* (a transfer moves
    it), then draft an answer for them."""
    try:
        stored, _ = await store_message(services, conversation, "user", frame.text, frame.key)
    except ScrubFailed:
        await send(socket, protocol.error("indisponible", "Votre message n'a pas pu être traité : réessayez dans un instant."))
        return
    except Closed:
        await send(socket, protocol.error("fermee", "Cette conversation est terminée : ouvrez une nouvelle conversation "
                                                    "pour poser une autre question."))
        return
    await send(socket, {"type": "ack", "key": frame.key, "seq": stored.seq})
    if stored.duplicate:
        return
    service = stored.service
    await relay(services, conversation, service, stored)
    if services.settings.drafts:
        hub = services.hub
        if len(hub.drafting) >= services.settings.draft_backlog:
            # Overload: the message is relayed, the counsellor answers without a draft.
            log.warning("draft skipped: %d drafts already waiting", len(hub.drafting))
            await services.broker.publish({"to": "consoles", "service": service, "conversation": conversation,
                                           "payload": {"type": "draft_skipped", "conversation": conversation, "seq": stored.seq}})
            return
        task = asyncio.create_task(draft_for_counsellors(services, conversation, stored))
        hub.drafting.add(task)  # keep a reference until done; the socket goes on reading meanwhile
        task.add_done_callback(hub.drafting.discard)


async def draft_for_counsellors(services: Services, conversation: str, stored: StoredMessage) -> None:
    """Draft an answer off the event loop, store it, push it to the counsellors of the queue
    the conversation is in once the draft is ready (a transfer may have moved it meanwhile)."""
    try:
        history = await run_in_threadpool(services.store.user_turns, conversation, stored.seq)
        async with services.hub.drafters(services.settings.draft_workers):
            payload = await services.nlp.draft(stored.text, stored.service, history)
        draft_id = await run_in_threadpool(services.store.save_draft, conversation, stored.message_id, payload)
    except Exception:  # a failed draft must not lose the message: counsellors still have it
        log.exception("drafting failed for a message of conversation %s", conversation)
        return
    await publish_draft(services, conversation, draft_id, stored.seq, payload)
