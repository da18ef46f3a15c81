"""Data loaded once per process: the scrubber's gazetteers (first names, communes)."""

from __future__ import annotations

import functools
import threading
from typing import Callable, TypeVar

T = TypeVar("T")


def once(load: Callable[[], T]) -> Callable[[], T]:
    """`load`'s result, computed by its first caller and shared afterwards; a caller arriving while
    another thread loads waits for that load instead of starting a second one."""
    lock = threading.Lock()
    loaded: list[T] = []

    @functools.wraps(load)
    def get() -> T:
        with lock:
            if not loaded:
                loaded.append(load())
            return loaded[0]

    return get
