"""Sliding-window limits in this process: login attempts (per account and address, per account,
per address), new conversations and offline requests per address, messages per conversation
(10 a minute, across sockets and reconnects). Several web processes count each their own."""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass, field

from relais.settings import Settings


@dataclass
class Window:
    """At most `limit` events per `seconds` for each key."""

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
        """Seconds before `key` may act again (0: now)."""
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
        """Count one event of `key` if allowed and return 0, else the seconds to wait."""
        wait = self.retry_after(key)
        if not wait:
            self.add(key)
        return wait

    def undo(self, key: str) -> None:
        """Forget the newest event of `key` (an attempt that turned out legitimate)."""
        events = self._events.get(key)
        if events:
            events.pop()

    def clear(self, key: str) -> None:
        self._events.pop(key, None)


@dataclass
class Limits:
    login_per_client: Window  # one account from one address: the usual limit
    login_per_account: Window  # from anywhere: slows a distributed guess, at the price of a possible lockout
    login_per_address: Window
    conversations_per_address: Window
    messages_per_conversation: Window
    offline_per_address: Window

    @classmethod
    def from_settings(cls, settings: Settings) -> "Limits":
        failures = settings.login_failures
        return cls(Window(failures, 900.0), Window(4 * failures, 900.0), Window(4 * failures, 900.0),
                   Window(settings.conversations_per_address, 600.0),
                   Window(10, 60.0), Window(5, 3600.0))
