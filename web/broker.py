"""Fan-out of events between processes: in-process by default, Redis pub/sub past one process.

Every event goes through the broker, even in a single process, so that two `relais serve`
processes sharing a Redis see the same queues and relay messages both ways.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Awaitable, Callable, Protocol

log = logging.getLogger(__name__)
CHANNEL = "relais:events"
Handler = Callable[[dict], Awaitable[None]]


class Broker(Protocol):
    async def start(self, handler: Handler) -> None: ...

    async def publish(self, event: dict) -> None: ...

    async def stop(self) -> None: ...


class LocalBroker:
    """Delivers events to this process only."""

    def __init__(self) -> None:
        self._handler: Handler | None = None

    async def start(self, handler: Handler) -> None:
        self._handler = handler

    async def publish(self, event: dict) -> None:
        if self._handler:
            await self._handler(event)

    async def stop(self) -> None:
        self._handler = None


class RedisBroker:
    """Publishes to a Redis channel; every process (this one included) receives every event."""

    def __init__(self, url: str) -> None:
        import redis.asyncio as redis

        self._redis = redis.from_url(url)
        self._pubsub = self._redis.pubsub()
        self._task: asyncio.Task | None = None

    async def start(self, handler: Handler) -> None:
        await self._pubsub.subscribe(CHANNEL)

        async def listen() -> None:
            async for item in self._pubsub.listen():
                if item.get("type") != "message":
                    continue
                try:
                    await handler(json.loads(item["data"]))
                except Exception:  # one bad event must not stop the relay for everyone
                    log.exception("event handling failed")

        self._task = asyncio.create_task(listen())

    async def publish(self, event: dict) -> None:
        await self._redis.publish(CHANNEL, json.dumps(event, ensure_ascii=False, default=str))

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
        await self._pubsub.aclose()
        await self._redis.aclose()


def make_broker(redis_url: str | None) -> Broker:
    return RedisBroker(redis_url) if redis_url else LocalBroker()
