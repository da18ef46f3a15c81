"""The counsellor console: its page and its websocket (a valid session is required for both)."""

from __future__ import annotations

from fastapi import APIRouter, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse, RedirectResponse, Response

from web import conversations, protocol
from web.deps import STATIC, Counsellor, current_user, get_services, same_origin
from web.hub import ConsoleClient, read_frame, send

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
    """Adapter: each frame to its use-case, the outcome back to the socket and the queues."""
    if not same_origin(socket):  # another site's page must not drive a counsellor's session
        await socket.close(code=4403)
        return
    user = current_user(socket)
    if user is None or user.role not in LIVE_ROLES:
        await socket.close(code=4401)
        return
    services = get_services(socket)
    await socket.accept()
    who = Counsellor(user.id, user.role, tuple(user.services))
    client = ConsoleClient(socket, who, str(socket.session.get("sid", "")))
    services.hub.consoles.add(client)
    try:
        await conversations.deliver(services, socket, await conversations.queues(services, who))
        while True:
            frame = await read_frame(socket, protocol.ConsoleIn, protocol.MAX_FRAME * 2)
            if frame is None:
                continue
            if not await services.hub.session_alive(client):  # logged out or disabled since: closed
                return
            try:
                outcome = await conversations.CONSOLE[type(frame)](services, who, frame)
            except Exception as exc:
                refused = conversations.refusal(exc, "console")
                if refused is None:
                    raise
                await send(socket, refused)
                continue
            await conversations.deliver(services, socket, outcome)
    except WebSocketDisconnect:
        pass
    finally:
        services.hub.consoles.discard(client)
