"""Model work served in turn by conversation, so that one conversation's burst (long messages sent
one after another, from one or many sockets) never holds up the messages of everybody else.

The scrubbing and drafting processes take work first come, first served. In front of them a
`FairGate` lets a few calls run at once and, while they run, keeps the others waiting in one line
per key (a conversation), served round robin: a key that has work waiting gets one turn, then
goes to the back. A newcomer waits for at most one call of each conversation already waiting,
however many calls each of them has queued.
"""

from __future__ import annotations

import asyncio
from collections import Counter, OrderedDict, deque
from contextlib import asynccontextmanager
from typing import AsyncIterator


class FairGate:
    """At most `width` calls at once; the waiting ones take turns by key."""

    def __init__(self, width: int) -> None:
        self.width = max(1, width)
        self._lines: OrderedDict[str, deque[asyncio.Future[None]]] = OrderedDict()
        self._served: set[str] = set()  # keys sent to the back of the line after a turn
        self._active: Counter[str] = Counter()  # calls running, by key

    @property
    def running(self) -> int:
        """Calls holding a place now."""
        return self._active.total()

    def waiting(self, key: str | None = None) -> int:
        """Calls waiting: of `key`, or of every key."""
        if key is not None:
            return len(self._lines.get(key, ()))
        return sum(len(line) for line in self._lines.values())

    @asynccontextmanager
    async def turn(self, key: str) -> AsyncIterator[None]:
        """Wait for `key`'s turn, then hold one of the `width` places until the block ends."""
        if self.running < self.width and not self._lines:
            self._admit(key)
        else:
            granted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            if key not in self._lines:  # a newcomer goes before the keys that have just had a turn
                self._lines[key] = deque()  # (or have calls running: the first ones pass at once)
                for served in [k for k in self._lines if k in self._served or self._active[k]]:
                    self._lines.move_to_end(served)
            self._lines[key].append(granted)
            try:
                await granted
            except asyncio.CancelledError:
                if granted.done() and not granted.cancelled():
                    self._release(key)  # the place was given as the wait was cancelled: pass it on
                else:
                    self._forget(key, granted)
                raise
        try:
            yield
        finally:
            self._release(key)

    def _forget(self, key: str, granted: asyncio.Future[None]) -> None:
        line = self._lines.get(key)
        if line is not None and granted in line:
            line.remove(granted)
            if not line:
                del self._lines[key]
                self._served.discard(key)

    def _admit(self, key: str) -> None:
        self._active[key] += 1

    def _release(self, leaving: str) -> None:
        self._active[leaving] -= 1
        if not self._active[leaving]:
            del self._active[leaving]
        while self._lines and self.running < self.width:
            key, line = next(iter(self._lines.items()))
            granted = line.popleft()
            if line:
                self._lines.move_to_end(key)  # its next call waits for the other keys' turns
                self._served.add(key)
            else:
                del self._lines[key]
                self._served.discard(key)
            if not granted.done():
                self._admit(key)
                granted.set_result(None)
