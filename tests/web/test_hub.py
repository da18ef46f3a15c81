"""Sending to a socket whose client has just gone (a tab closed while its message was being
scrubbed): the send is dropped quietly, so the rest of the work (the relay to the counsellors,
the draft) still happens."""

import anyio
from starlette.websockets import WebSocket
from uvicorn.protocols.utils import ClientDisconnected

from web import protocol
from web.hub import send


def test_a_send_to_a_client_that_went_away_is_dropped_without_raising():
    async def receive() -> dict:
        return {"type": "websocket.connect"}

    async def gone(message: dict) -> None:
        if message["type"] == "websocket.send":
            raise ClientDisconnected  # what uvicorn raises when the peer closed the connection

    async def scenario() -> None:
        socket = WebSocket({"type": "websocket", "path": "/widget/ws", "headers": []}, receive, gone)
        await socket.accept()
        await send(socket, protocol.Pong())  # must not raise

    anyio.run(scenario)
