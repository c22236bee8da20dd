"""A bounded map for things rendered or compiled once and reused: least recently used dropped first."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, NamedTuple, TypeVar

__all__ = ["Kept", "KeptInfo"]

V = TypeVar("V")


class KeptInfo(NamedTuple):
    hits: int
    misses: int
    size: int


class Kept(Generic[V]):
    """Up to ``size`` values by key, safe to share between threads."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()
        self._hits = self._misses = 0

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                self._misses += 1
            else:
                self._hits += 1
                self._items.move_to_end(key)
            return found

    def put(self, key: Hashable, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def info(self) -> KeptInfo:
        with self._lock:
            return KeptInfo(self._hits, self._misses, len(self._items))
