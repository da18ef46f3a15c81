"""What the widget and the console both do with a message: pseudonymise it with the
conversation's mapping, store it, relay it, and replay a conversation to a socket."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocket

from assistant.pii import PseudonymMap
from web.app import Services
from web.hub import send
from web.store import StoredMessage


async def store_message(
    services: Services, conversation: str, author: str, text: str, key: str, counsellor_id: int | None = None
) -> tuple[StoredMessage, PseudonymMap]:
    """Scrub `text` with the conversation's mapping and store it.

    Raises `ScrubFailed` (fail closed: nothing is stored)."""
    scrubbed, mapping = await scrub(services, conversation, text)
    stored = await run_in_threadpool(services.store.append, conversation, author, scrubbed, key, counsellor_id)
    return stored, mapping


async def scrub(services: Services, conversation: str, text: str) -> tuple[str, PseudonymMap]:
    """`text` pseudonymised with the conversation's mapping (saved only if it grew)."""
    mapping = await run_in_threadpool(services.store.mapping, conversation)
    known = len(mapping)
    scrubbed, mapping = await services.nlp.scrub(text, mapping)
    if len(mapping) > known:
        await run_in_threadpool(services.store.save_mapping, mapping)
    services.hub.remember(mapping)
    return scrubbed, mapping


async def relay(services: Services, conversation: str, service: str, stored: StoredMessage) -> None:
    """Send a stored message to the conversation's widgets and to the consoles of its queue."""
    message = {"type": "message", "conversation": conversation, "seq": stored.seq, "author": stored.author,
               "text": stored.text, "service": service}
    await services.broker.publish({"to": "conversation", "conversation": conversation, "payload": message})
    await services.broker.publish({"to": "consoles", "service": service, "conversation": conversation, "payload": message})


async def replay(services: Services, socket: WebSocket, conversation: str, after_seq: int) -> PseudonymMap:
    """Send the conversation's messages after `after_seq`, real text restored (for its owner
    or its counsellors). Returns the mapping, read fresh from the database."""
    mapping = await run_in_threadpool(services.store.mapping, conversation)
    services.hub.remember(mapping)
    for message in await run_in_threadpool(services.store.messages_since, conversation, after_seq):
        await send(socket, {"type": "message", "conversation": conversation, "seq": message.seq,
                            "author": message.author, "text": mapping.restore(message.text)})
    return mapping


async def publish_draft(services: Services, conversation: str, draft_id: int, seq: int, payload: dict) -> None:
    """A stored draft to the counsellors of the queue the conversation is in once the draft is
    ready (a transfer may have moved it while it was written); the hub restores the text."""
    service = await run_in_threadpool(services.store.service_of, conversation)
    await services.broker.publish({
        "to": "consoles", "service": service, "conversation": conversation,
        "payload": {"type": "draft", "conversation": conversation, "draft_id": draft_id, "seq": seq,
                    "text": payload["draft"], "draft": payload},
    })
