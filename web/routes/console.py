"""The counsellor console: its page and its websocket (a valid session is required for both)."""

from __future__ import annotations

import smtplib

from fastapi import APIRouter, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from assistant.pii import ScrubFailed
from web import protocol
from web.app import STATIC, Services
from web.deps import current_user, get_services, same_origin
from web.broker import BrokerUnavailable
from web.hub import ConsoleClient, read_frame, send
from web.offline import send_answer
from web.relay import publish_draft, relay, replay, scrub, store_message
from web.store import Closed, NotFound

router = APIRouter()
LIVE_ROLES = ("counsellor", "supervisor")


@router.get("/console", include_in_schema=False)
def console_page(request: Request) -> Response:
    user = current_user(request)
    if user is None:
        return RedirectResponse("/login", status_code=303)
    if user.role not in LIVE_ROLES:
        return Response("Accès réservé aux conseillers et superviseurs.", status_code=403, media_type="text/plain; charset=utf-8")
    return FileResponse(STATIC / "console.html")


@router.websocket("/console/ws")
async def console_socket(socket: WebSocket) -> None:
    if not same_origin(socket):  # another site's page must not drive a counsellor's session
        await socket.close(code=4403)
        return
    user = current_user(socket)
    if user is None or user.role not in LIVE_ROLES:
        await socket.close(code=4401)
        return
    services = get_services(socket)
    await socket.accept()
    client = ConsoleClient(socket, user.id, user.role, tuple(user.services), str(socket.session.get("sid", "")))
    services.hub.consoles.add(client)
    try:
        await send_queues(services, client)
        while True:
            frame = await read_frame(socket, protocol.ConsoleIn, protocol.MAX_FRAME * 2)
            if frame is None:
                continue
            if not await services.hub.session_alive(client):  # logged out or disabled since: closed
                return
            try:
                await handle(services, client, frame)
            except NotFound:
                await send(socket, protocol.error("introuvable", "Conversation introuvable."))
            except Closed:
                await send(socket, protocol.error("fermee", "Cette conversation est terminée : elle ne peut plus changer."))
            except BrokerUnavailable:  # what was stored stays stored; the relay is what failed
                await send(socket, protocol.error("diffusion", "Enregistré, mais la diffusion en direct est interrompue : "
                                                               "rechargez la page dans un instant."))
            except ScrubFailed:  # fail closed: nothing was stored or sent
                await send(socket, protocol.error("indisponible", "Le message n'a pas pu être traité : réessayez."))
    except WebSocketDisconnect:
        pass
    finally:
        services.hub.consoles.discard(client)


async def send_queues(services: Services, client: ConsoleClient) -> None:
    scope = None if client.role == "supervisor" else list(client.services)
    items = await run_in_threadpool(services.store.queues, scope)
    await send(client.socket, {"type": "queues", "conversations": items})


async def _allowed(services: Services, client: ConsoleClient, conversation: str) -> str:
    service = await run_in_threadpool(services.store.service_of, conversation)
    if not client.serves(service):
        raise NotFound(conversation)
    return service


async def handle(services: Services, client: ConsoleClient, frame) -> None:  # noqa: C901 (one branch per frame type)
    store, socket = services.store, client.socket
    if isinstance(frame, protocol.Ping):
        await send(socket, {"type": "pong"})
    elif isinstance(frame, protocol.Search):
        history: list[str] = []
        service = frame.service
        if frame.conversation:  # its turns are read only by the counsellors of its service
            own_service = await _allowed(services, client, frame.conversation)
            service = service or own_service
            history = await run_in_threadpool(store.user_turns, frame.conversation)
        found = await services.nlp.search(frame.query, frame.k, service, history)
        await send(socket, {"type": "search_results", "query": frame.query, **found})
    elif isinstance(frame, protocol.Redraft):
        service = await _allowed(services, client, frame.conversation)
        message_id, text, seq = await run_in_threadpool(store.draft_message, frame.conversation, frame.draft_id)
        history = await run_in_threadpool(store.user_turns, frame.conversation, seq)
        payload = await services.nlp.draft(text, service, history, frame.source)
        draft_id = await run_in_threadpool(store.save_draft, frame.conversation, message_id, payload)
        await publish_draft(services, frame.conversation, draft_id, seq, payload)
    elif isinstance(frame, protocol.Phone):
        payload, text = await services.nlp.ask(frame.question, frame.service, f"phone-{client.user_id}")
        await send(socket, {"type": "phone_draft", "text": text, "draft": payload})
    elif isinstance(frame, protocol.Inbox):
        scope = None if client.role == "supervisor" else list(client.services)
        await send(socket, {"type": "inbox", "requests": await run_in_threadpool(store.offline_inbox, scope)})
    elif isinstance(frame, protocol.AnswerOffline):
        email, question, service = await run_in_threadpool(store.offline_contact, frame.id)
        if not client.serves(service):
            raise NotFound(str(frame.id))
        try:
            await run_in_threadpool(send_answer, services.settings, email, question, frame.text)
        except (OSError, smtplib.SMTPException, ValueError):  # ValueError: an address the mail library refuses
            await send(socket, protocol.error("courriel", "Le courriel n'a pas pu être envoyé : la demande reste dans la boîte."))
            return
        await run_in_threadpool(store.answer_offline, frame.id, frame.text, client.user_id)
        await send(socket, {"type": "ack", "offline_id": frame.id, "outcome": "answered"})
    elif isinstance(frame, protocol.Open):
        await _allowed(services, client, frame.conversation)
        mapping = await replay(services, socket, frame.conversation, frame.last_seq)
        pending = await run_in_threadpool(store.pending_draft, frame.conversation)
        if pending:  # the draft came before this counsellor opened the conversation
            draft_id, payload, seq = pending
            await send(socket, {"type": "draft", "conversation": frame.conversation, "draft_id": draft_id, "seq": seq,
                                "text": mapping.restore(payload["draft"]), "draft": payload})
    elif isinstance(frame, protocol.Take):
        service = await _allowed(services, client, frame.conversation)
        await run_in_threadpool(store.take, frame.conversation, client.user_id)
        await services.broker.publish({"to": "consoles", "service": service, "conversation": frame.conversation,
                                       "payload": {"type": "taken", "conversation": frame.conversation, "by": client.user_id}})
        await system_message(services, frame.conversation, "Un conseiller ou une conseillère a rejoint la conversation.")
    elif isinstance(frame, protocol.Send):
        await counsellor_send(services, client, frame)
    elif isinstance(frame, protocol.Reject):
        await _allowed(services, client, frame.conversation)
        if not await run_in_threadpool(store.decide_draft, frame.conversation, frame.draft_id, "rejected", None, client.user_id):
            await send(socket, protocol.error("deja_traite", "Ce brouillon a déjà été traité."))
            return
        await send(socket, {"type": "ack", "draft_id": frame.draft_id, "outcome": "rejected"})
    elif isinstance(frame, protocol.Transfer):
        await _allowed(services, client, frame.conversation)
        note = (await scrub(services, frame.conversation, frame.note))[0] if frame.note else None
        old = await run_in_threadpool(store.transfer, frame.conversation, frame.service, client.user_id, note)
        for service in {old, frame.service}:
            await services.broker.publish({"to": "consoles", "service": service, "conversation": frame.conversation,
                                           "payload": {"type": "transferred", "conversation": frame.conversation,
                                                       "service": frame.service}})
        await system_message(services, frame.conversation, "Votre conversation a été transmise à un autre service.")
    elif isinstance(frame, protocol.Close):
        service = await _allowed(services, client, frame.conversation)
        await run_in_threadpool(store.close, frame.conversation, client.user_id)
        await system_message(services, frame.conversation, "La conversation est terminée. Merci de nous avoir écrit !")
        await services.broker.publish({"to": "consoles", "service": service, "conversation": frame.conversation,
                                       "payload": {"type": "closed", "conversation": frame.conversation}})


async def counsellor_send(services: Services, client: ConsoleClient, frame: protocol.Send) -> None:
    """A counsellor's answer: scrubbed with the conversation's mapping, stored, relayed, audited."""
    store = services.store
    await _allowed(services, client, frame.conversation)
    # the draft is checked before anything is stored: another conversation's draft refuses the send
    draft_text = None if frame.draft_id is None else await run_in_threadpool(store.draft_text, frame.conversation, frame.draft_id)
    stored, mapping = await store_message(services, frame.conversation, "counsellor", frame.text, frame.key, client.user_id)
    if frame.draft_id is not None and not stored.duplicate:
        outcome = "sent" if draft_text is not None and mapping.restore(draft_text).strip() == frame.text.strip() else "edited"
        await run_in_threadpool(store.decide_draft, frame.conversation, frame.draft_id, outcome, stored.text, client.user_id)
    await send(client.socket, {"type": "ack", "key": frame.key, "seq": stored.seq})
    if not stored.duplicate:
        await relay(services, frame.conversation, stored.service, stored)


async def system_message(services: Services, conversation: str, text: str) -> None:
    stored = await run_in_threadpool(services.store.append, conversation, "system", text)
    await services.broker.publish({"to": "conversation", "conversation": conversation,
                                   "payload": {"type": "message", "seq": stored.seq, "author": "system", "text": text}})
