"""Sliding-window limits: login attempts (per account and address, per account, per address), new
conversations and offline requests per address, messages per conversation (10 a minute, across
sockets and reconnects). And a pace: an address's new conversations come a few at once, then one at
a time, each waiting its turn, so that a burst of them never stalls the relay of everyone else.

With `RELAIS_REDIS_URL` the events are kept in Redis, so that every web process counts against one
budget; while Redis does not answer, each process counts in its own memory. Without Redis, in this
process's memory (one process)."""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Protocol, TypeVar

from relais.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")

KEY_PREFIX = "relais:limit"
LONGEST_KEY = 64  # bytes; a longer key is stored as its digest
# Seconds a new conversation may wait for its turn; further away, it is refused. Under the server's
# websocket keepalive (uvicorn: a ping every 20 s, 20 s for its pong), because a socket's pong is read
# only once the frames queued before it are: a widget that wrote while waiting must not be cut off.
LONGEST_TURN = 15.0
# A counsellor's console, per account and per minute: what costs the models' time (search, re-draft,
# a phone question), and « typing » notices (the console sends one every 3 s at most while typing).
CONSOLE_WORK = (30, 60.0)
CONSOLE_TYPING = (40, 60.0)


class Window(Protocol):
    """At most `limit` events per `seconds` for each key."""

    def admit(self, key: str) -> int:
        """Count one event of `key` if allowed and return 0, else the seconds to wait."""
        ...

    def retry_after(self, key: str) -> int:
        """Seconds before `key` may act again (0: now); counts nothing."""
        ...

    def add(self, key: str) -> None:
        """Count one event of `key`, allowed or not."""
        ...

    def undo(self, key: str) -> None:
        """Forget the newest event of `key` (an attempt that turned out legitimate)."""
        ...

    def clear(self, key: str) -> None:
        """Forget every event of `key`."""
        ...


@dataclass
class MemoryWindow:
    """A window kept in this process's memory."""

    limit: int
    seconds: float
    _events: dict[str, deque[float]] = field(default_factory=dict)

    def _recent(self, key: str, now: float) -> deque[float]:
        events = self._events.get(key, deque())
        while events and now - events[0] > self.seconds:
            events.popleft()
        if not events:
            self._events.pop(key, None)
        return events

    def retry_after(self, key: str) -> int:
        now = time.monotonic()
        events = self._recent(key, now)
        if len(events) < self.limit:
            return 0
        return max(1, math.ceil(events[-self.limit] + self.seconds - now))

    def add(self, key: str) -> None:
        now = time.monotonic()
        if len(self._events) > 100_000:  # a flood of distinct keys: forget the idle ones
            for idle in [k for k in self._events if not self._recent(k, now)]:
                self._events.pop(idle, None)
        self._events.setdefault(key, deque()).append(now)
        self._recent(key, now)

    def admit(self, key: str) -> int:
        wait = self.retry_after(key)
        if not wait:
            self.add(key)
        return wait

    def undo(self, key: str) -> None:
        events = self._events.get(key)
        if events:
            events.pop()

    def clear(self, key: str) -> None:
        self._events.pop(key, None)


class Pace(Protocol):
    """`burst` events of a key at once, then one every `interval` seconds (a token bucket, kept as
    the time of the key's next turn: GCRA)."""

    def book(self, key: str, longest: float | None = None) -> float | None:
        """Book the next turn of `key`: the seconds to wait for it (0: now), or None when it is more
        than `longest` seconds away (the pace's own by default; then nothing is booked)."""
        ...


@dataclass
class MemoryPace:
    """A pace kept in this process's memory."""

    burst: int
    interval: float
    longest: float
    _due: dict[str, float] = field(default_factory=dict)  # key -> when its bucket is full again

    def book(self, key: str, longest: float | None = None) -> float | None:
        now = time.monotonic()
        if len(self._due) > 100_000:  # a flood of distinct keys: forget the idle ones
            self._due = {k: due for k, due in self._due.items() if due > now}
        due = max(self._due.get(key, now), now)
        wait = max(0.0, due - (self.burst - 1) * self.interval - now)
        if wait > (self.longest if longest is None else longest):
            return None
        self._due[key] = due + self.interval
        return wait


# One step on a key's sorted set (scores: Redis's own clock in ms, the same for every host), so
# that a check and its count cannot interleave with another process's. The set expires with its
# window: an idle key vanishes. Returns the seconds to wait (0: allowed).
# KEYS[1] the set; ARGV: operation (admit, check, add, undo), limit, window in ms, a unique member.
WINDOW_SCRIPT = """
local key, operation, limit, window = KEYS[1], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
if operation == 'undo' then
  redis.call('ZPOPMAX', key)
  return 0
end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', string.format('(%d', now - window))
local count = redis.call('ZCARD', key)
if operation == 'add' or (operation == 'admit' and count < limit) then
  redis.call('ZADD', key, string.format('%d', now), ARGV[4])
  redis.call('PEXPIRE', key, window)
  return 0
end
if count < limit then
  return 0
end
local oldest = redis.call('ZRANGE', key, -limit, -limit, 'WITHSCORES')
return math.max(1, math.ceil((tonumber(oldest[2]) + window - now) / 1000))
"""


# A pace's turn on a key (its value: when its bucket is full again, in ms of Redis's clock; it
# expires then). Returns the ms to wait for the booked turn, or -1 when it is more than `longest` away.
# KEYS[1] the key; ARGV: burst, interval in ms, longest in ms.
PACE_SCRIPT = """
local key, burst, interval, longest = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local due = math.max(tonumber(redis.call('GET', key) or now), now)
local wait = math.max(0, due - (burst - 1) * interval - now)
if wait > longest then
  return -1
end
redis.call('SET', key, string.format('%d', due + interval), 'PX', due + interval - now)
return wait
"""


class RedisEvents:
    """The windows' events in Redis, shared by every process; knows when Redis last failed.

    The routes call the windows synchronously from the event loop: a short timeout, no retry, and
    after a failure this process's memory answers for `pause` seconds before Redis is tried again,
    so that a Redis that does not answer costs one timeout now and then, not one per call."""

    def __init__(self, url: str, timeout: float = 0.25, pause: float = 1.0, warn_every: float = 60.0) -> None:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        self._client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0)
        )
        self._script = self._client.register_script(WINDOW_SCRIPT)
        self._pace_script = self._client.register_script(PACE_SCRIPT)
        self._errors = (redis.RedisError, OSError)
        self._pause, self._warn_every = pause, warn_every
        self._down_until = 0.0
        self._warned_at: float | None = None
        self._warned_down = False  # since the last time Redis answered

    def step(self, key: str, operation: str, limit: int, window_ms: int) -> int | None:
        """Run one step of the window script on `key`; None when Redis does not answer."""
        member = secrets.token_hex(8)  # one event, distinct from every other
        return self._call(lambda: int(self._script(keys=[key], args=[operation, limit, window_ms, member])))

    def book(self, key: str, burst: int, interval_ms: int, longest_ms: int) -> int | None:
        """Book a turn of the pace `key`: ms to wait (-1: too far, not booked); None when Redis does not answer."""
        return self._call(lambda: int(self._pace_script(keys=[key], args=[burst, interval_ms, longest_ms])))

    def delete(self, key: str) -> bool:
        """Delete `key`; False when Redis does not answer."""
        return self._call(lambda: self._client.delete(key)) is not None

    def _call(self, command: Callable[[], T]) -> T | None:
        now = time.monotonic()
        if now < self._down_until:
            return None
        try:
            answer = command()
        except self._errors as error:
            self._down_until = now + self._pause
            if self._warned_at is None or now - self._warned_at >= self._warn_every:
                self._warned_at, self._warned_down = now, True
                log.warning("Redis does not answer (%s): limits counted in this process meanwhile",
                            type(error).__name__)
            return None
        if self._warned_down:
            self._warned_down = False
            log.info("Redis answers again: limits shared by every process")
        return answer


def redis_key(name: str, key: str) -> str:
    """`relais:limit:<name>:<key>`, with the digest of a key too long or not printable (a login typed by anyone)."""
    raw = key.encode("utf-8", "surrogatepass")
    if len(raw) > LONGEST_KEY or not key.isprintable():
        key = "sha256:" + hashlib.sha256(raw).hexdigest()
    return f"{KEY_PREFIX}:{name}:{key}"


class RedisWindow:
    """A window whose events are in Redis (`relais:limit:<name>:<key>`), shared by every process;
    this process's memory answers for the calls Redis does not."""

    def __init__(self, name: str, limit: int, seconds: float, events: RedisEvents) -> None:
        self.name, self.limit, self.seconds = name, limit, seconds
        self._events = events
        self._window_ms = max(1, round(seconds * 1000))
        self.memory = MemoryWindow(limit, seconds)

    def _step(self, key: str, operation: str) -> int | None:
        return self._events.step(redis_key(self.name, key), operation, self.limit, self._window_ms)

    def admit(self, key: str) -> int:
        wait = self._step(key, "admit")
        return self.memory.admit(key) if wait is None else wait

    def retry_after(self, key: str) -> int:
        wait = self._step(key, "check")
        return self.memory.retry_after(key) if wait is None else wait

    def add(self, key: str) -> None:
        if self._step(key, "add") is None:
            self.memory.add(key)

    def undo(self, key: str) -> None:
        if self._step(key, "undo") is None:
            self.memory.undo(key)

    def clear(self, key: str) -> None:
        self.memory.clear(key)  # and what was counted here while Redis was away
        self._events.delete(redis_key(self.name, key))


class RedisPace:
    """A pace whose turns are in Redis (`relais:limit:<name>:<key>`), shared by every process; this
    process's memory answers for the calls Redis does not."""

    def __init__(self, name: str, burst: int, interval: float, longest: float, events: RedisEvents) -> None:
        self.name, self._events = name, events
        self._burst, self._interval_ms, self._longest_ms = burst, max(1, round(interval * 1000)), round(longest * 1000)
        self.memory = MemoryPace(burst, interval, longest)

    def book(self, key: str, longest: float | None = None) -> float | None:
        longest_ms = self._longest_ms if longest is None else round(longest * 1000)
        wait = self._events.book(redis_key(self.name, key), self._burst, self._interval_ms, longest_ms)
        if wait is None:
            return self.memory.book(key, longest)
        return None if wait < 0 else wait / 1000


@dataclass
class Limits:
    login_per_client: Window  # one account from one address: the usual limit
    login_per_account: Window  # from anywhere: slows a distributed guess, at the price of a possible lockout
    login_per_address: Window
    conversations_per_address: Window
    messages_per_conversation: Window
    offline_per_address: Window
    console_work: Window  # per counsellor: search, re-draft, phone questions
    console_typing: Window  # per counsellor
    conversations_pace: Pace  # an address's new conversations: a few at once, then each waits its turn

    @classmethod
    def from_settings(cls, settings: Settings) -> "Limits":
        """The eight windows and the pace, in Redis when `settings.redis_url` is set, else in this process."""
        events = RedisEvents(settings.redis_url) if settings.redis_url else None

        def window(name: str, limit: int, seconds: float) -> Window:
            return RedisWindow(name, limit, seconds, events) if events else MemoryWindow(limit, seconds)

        failures = settings.login_failures
        burst, pace = settings.conversations_burst, settings.conversations_pace
        return cls(
            login_per_client=window("login_per_client", failures, 900.0),
            login_per_account=window("login_per_account", 4 * failures, 900.0),
            login_per_address=window("login_per_address", 4 * failures, 900.0),
            conversations_per_address=window("conversations_per_address", settings.conversations_per_address, 600.0),
            messages_per_conversation=window("messages_per_conversation", 10, 60.0),
            offline_per_address=window("offline_per_address", 5, 3600.0),
            console_work=window("console_work", *CONSOLE_WORK),
            console_typing=window("console_typing", *CONSOLE_TYPING),
            conversations_pace=RedisPace("conversations_pace", burst, pace, LONGEST_TURN, events) if events
            else MemoryPace(burst, pace, LONGEST_TURN),
        )
