"""Running blocking store calls in the thread pool, shared by every route module.

The engine's result iterators may only be dropped on the thread that made them, so every call
goes through :func:`in_worker`, which clears the frames an exception leaves behind there.
Reads may be abandoned when the request gives up (:func:`in_thread`); writes always run to
their end (:func:`in_thread_write`): the client's answer must say what happened.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any, TypeVar

import anyio.to_thread

T = TypeVar("T")


def in_worker(func: Callable[..., T], *args: Any) -> T:
    """Call ``func`` and, if it raises, clear the locals of the frames it left behind: the
    engine's result iterators may only be dropped on the thread that made them."""
    try:
        return func(*args)
    except BaseException as exc:
        traceback.clear_frames(exc.__traceback__)
        raise


async def in_thread(func: Callable[..., T], *args: Any) -> T:
    """Run a blocking store read in the thread pool (abandoned if the request times out)."""
    return await anyio.to_thread.run_sync(in_worker, func, *args, abandon_on_cancel=True)


async def in_thread_write(func: Callable[..., T], *args: Any) -> T:
    """Run a blocking write in the thread pool to its end (never abandoned half-way)."""
    return await anyio.to_thread.run_sync(in_worker, func, *args)
