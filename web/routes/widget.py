"""The public tchat widget: its websocket and the demo host page.

Nothing reaches the public without a counsellor's action: the public socket only ever
receives its own messages, counsellors' messages and queue information.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, WebSocket, WebSocketDisconnect
from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi.responses import FileResponse

from web import conversations, feedback, protocol
from web.deps import STATIC, Services, get_services, origin_allowed
from web.hub import read_frame, send
from web.offline import is_open
from web.opening_hours import next_opening, reopening_text

# DOMPurify (npm, installed by `make setup`): the widget sanitises the answers' HTML with it.
PURIFY = STATIC.parent / "node_modules" / "dompurify" / "dist" / "purify.es.mjs"

router = APIRouter()


@router.get("/", include_in_schema=False)
def demo_page() -> FileResponse:
    return FileResponse(STATIC / "index.html")


@router.get("/donnees-personnelles", include_in_schema=False)
def data_notice() -> FileResponse:
    return FileResponse(STATIC / "donnees-personnelles.html")


@router.get("/vendor/purify.es.mjs", include_in_schema=False)
def purify() -> FileResponse:
    if not PURIFY.is_file():
        raise HTTPException(status_code=404)
    return FileResponse(PURIFY, media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"})


@router.get("/offline/status", include_in_schema=False)
def offline_status(request: Request, service: protocol.Service = "moel") -> dict:
    """Whether the service is open; when closed, when it opens again (ISO and in French), if known."""
    settings = get_services(request).settings
    status: dict = {"service": service, "open": is_open(settings, service)}
    if not status["open"]:
        now = datetime.now(ZoneInfo(settings.timezone))
        if reopens := next_opening(settings, service, now):
            status |= {"reopens": reopens.isoformat(), "reopens_text": f"Le service rouvre {reopening_text(reopens, now)}."}
    return status


@router.post("/offline", status_code=201, include_in_schema=False)
async def offline_request(request: Request, form: protocol.OfflineForm) -> dict:
    """Store an offline question (pseudonymised, email encrypted) for the service's inbox."""
    services = get_services(request)
    try:
        request_id = await conversations.offline_request(services, form, request.client.host if request.client else "?")
    except conversations.Refused as refused:
        headers = {"Retry-After": str(refused.retry_after)} if refused.retry_after else None
        raise HTTPException(status_code=refused.status, detail=refused.message, headers=headers) from refused
    return {"id": request_id, "message": "Votre question est bien enregistrée : un conseiller ou une conseillère vous répondra par courriel."}


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
        await widget_session(services, socket, address)
    finally:
        services.hub.release(address)


async def widget_session(services: Services, socket: WebSocket, address: str) -> None:
    """Adapter: each frame to its use-case, the outcome back to the socket."""
    await socket.accept()
    conversation: str | None = None
    chosen: str | None = None  # the service picked when the conversation was opened (None: « je ne sais pas »)
    welcomed = False  # this socket opened or resumed a conversation already: its next new one does not wait its turn
    try:
        while True:
            frame = await read_frame(socket, protocol.WidgetIn, protocol.MAX_FRAME)
            if frame is None:
                continue
            try:
                if isinstance(frame, protocol.Ping):
                    await send(socket, protocol.Pong())
                elif isinstance(frame, protocol.Hello):
                    if conversation:
                        services.hub.leave_widget(conversation, socket)
                        conversation = None
                    opened = await conversations.hello(services, frame, address, wait_turn=not welcomed,
                                                      on_wait=lambda notice: send(socket, notice))
                    conversation, chosen, welcomed = opened.conversation, frame.service, True
                    services.hub.join_widget(conversation, socket)  # before the catch-up: nothing falls between
                    await conversations.deliver(services, socket, await conversations.catch_up(services, opened, frame.last_seq))
                elif conversation is None:
                    await send(socket, protocol.error("sans_conversation", "Ouvrez d'abord une conversation."))
                elif isinstance(frame, protocol.Profile):
                    await conversations.deliver(services, socket, await feedback.set_profile(services, conversation, frame))
                elif isinstance(frame, protocol.Rate):
                    await conversations.deliver(services, socket, await feedback.rate(services, conversation, frame))
                elif isinstance(frame, protocol.Erase):
                    outcome = await conversations.erase(services, conversation, frame)
                    services.hub.leave_widget(conversation, socket)  # its other tabs are told; this one gets the reply
                    conversation = chosen = None
                    await conversations.deliver(services, socket, outcome)
                else:
                    await conversations.deliver(services, socket, await conversations.user_message(services, conversation, frame, chosen))
            except Exception as exc:
                refused = conversations.refusal(exc, "widget")
                if refused is None:
                    raise
                await send(socket, refused)
    except WebSocketDisconnect:
        pass
    finally:
        if conversation:
            services.hub.leave_widget(conversation, socket)
