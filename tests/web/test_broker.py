"""The Redis broker survives a Redis restart: it resubscribes with backoff, and says when it is
not ready (the real `redis-server`, stopped and started again on the same port)."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time

import pytest

from tests.web.conftest import free_port
from web.broker import BrokerUnavailable, RedisBroker

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


def start_redis(port: int) -> subprocess.Popen:
    binary = shutil.which("redis-server")
    assert binary, "redis-server is not installed: .ci/run installs it (apt-get install redis-server)"
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    return process


async def until(condition, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.1)


def test_the_redis_broker_resubscribes_after_a_restart_and_reports_readiness():
    port = free_port()
    redis = start_redis(port)
    received: list[dict] = []

    async def scenario() -> None:
        nonlocal redis

        async def handler(event: dict) -> None:
            received.append(event)

        broker = RedisBroker(f"redis://127.0.0.1:{port}/0")
        await broker.start(handler)
        assert await broker.ready()
        await broker.publish({"to": "consoles", "n": 1})
        await until(lambda: len(received) == 1)
        redis.kill()
        redis.wait(timeout=10)
        await until(lambda: not broker.subscribed)
        assert not await broker.ready()
        with pytest.raises(BrokerUnavailable):  # a publish while Redis is down fails loudly (the caller sends an error frame)
            await broker.publish({"to": "consoles", "n": 2})
        redis = start_redis(port)
        await until(lambda: broker.subscribed)
        assert await broker.ready()
        await broker.publish({"to": "consoles", "n": 3})
        await until(lambda: [e["n"] for e in received] == [1, 3])
        await broker.stop()

    try:
        asyncio.run(scenario())
    finally:
        redis.kill()
