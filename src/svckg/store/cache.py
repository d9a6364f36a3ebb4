"""One rule for what is derived from a store and kept: per store object, until the store's
generation moves (:attr:`svckg.store.base.Store.generation`: any write through it, or a write
another process made on a remote store with the change marker)."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

from svckg.store.base import Store

T = TypeVar("T")


class PerStore(Generic[T]):
    """``build(store)`` kept per store (weakly: it goes with the store) and built again once
    the store's generation moved. The generation is read before building, so a write during
    a build makes the next call build again. Builds run outside the lock: two threads may
    build the same value at once (the last one is kept), but a slow build never holds up
    another store's callers."""

    def __init__(self, build: Callable[[Store], T]):
        self._build = build
        self._kept: weakref.WeakKeyDictionary[Store, tuple[int, T]] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def get(self, store: Store) -> T:
        """The value for the store's current generation."""
        generation = store.generation
        with self._lock:
            kept = self._kept.get(store)
        if kept is not None and kept[0] == generation:
            return kept[1]
        value = self._build(store)
        with self._lock:
            self._kept[store] = (generation, value)
        return value

    def clear(self) -> None:
        """Forget every kept value (the next :meth:`get` builds again)."""
        with self._lock:
            self._kept.clear()
