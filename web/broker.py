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


class BrokerUnavailable(ConnectionError):
    """An event could not be published (Redis is down): the caller tells its user so."""


class Broker(Protocol):
    async def start(self, handler: Handler) -> None: ...

    async def publish(self, event: dict) -> None: ...

    async def ready(self) -> bool: ...

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

    async def ready(self) -> bool:
        return self._handler is not None

    async def stop(self) -> None:
        self._handler = None


class RedisBroker:
    """Publishes to a Redis channel; every process (this one included) receives every event.

    The subscription survives a Redis restart: the listener resubscribes with a growing pause
    (0.5 s to 10 s); meanwhile `ready()` is false and a publish raises, so callers can say so."""

    def __init__(self, url: str) -> None:
        import redis.asyncio as redis

        self._redis = redis.from_url(url)
        self._task: asyncio.Task | None = None
        self.subscribed = False

    async def start(self, handler: Handler) -> None:
        pubsub = self._redis.pubsub()
        await pubsub.subscribe(CHANNEL)  # the first subscription fails loudly: a wrong URL stops the start
        self.subscribed = True
        self._task = asyncio.create_task(self._listen(handler, pubsub))

    async def _listen(self, handler: Handler, pubsub) -> None:
        from redis.exceptions import ConnectionError as RedisConnectionError, TimeoutError as RedisTimeoutError

        pause = 0.5
        while True:
            try:
                if pubsub is None:
                    pubsub = self._redis.pubsub()
                    await pubsub.subscribe(CHANNEL)
                    self.subscribed, pause = True, 0.5
                    log.warning("Redis: subscribed again")
                async for item in pubsub.listen():
                    if item.get("type") != "message":
                        continue
                    try:
                        await handler(json.loads(item["data"]))
                    except Exception:  # one bad event must not stop the relay for everyone
                        log.exception("event handling failed")
            except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
                if self.subscribed:
                    log.warning("Redis: subscription lost (%s), retrying", exc)
                self.subscribed = False
                try:
                    await pubsub.aclose()
                except Exception:  # the connection is gone anyway
                    pass
                pubsub = None
                await asyncio.sleep(pause)
                pause = min(pause * 2, 10.0)

    async def ready(self) -> bool:
        if not self.subscribed:
            return False
        for _ in range(2):  # the first call after a restart may meet a pooled connection that died with it
            try:
                return bool(await asyncio.wait_for(self._redis.ping(), timeout=2))
            except Exception:
                continue
        return False

    async def publish(self, event: dict) -> None:
        from redis.exceptions import RedisError

        try:
            await self._redis.publish(CHANNEL, json.dumps(event, ensure_ascii=False, default=str))
        except (RedisError, OSError) as exc:
            raise BrokerUnavailable(str(exc)) from exc

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
        await self._redis.aclose()


def make_broker(redis_url: str | None) -> Broker:
    return RedisBroker(redis_url) if redis_url else LocalBroker()
