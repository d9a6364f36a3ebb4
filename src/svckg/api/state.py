"""Per-app state shared by the routers: settings, store, tokens, and running store calls
off the event loop with a time limit."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import anyio
from fastapi import Request

from svckg.api.auth import TokenTable
from svckg.api.threads import in_thread, in_thread_write
from svckg.config import Settings
from svckg.errors import LimitExceeded, TooLarge
from svckg.store.base import Store

T = TypeVar("T")

TEMPLATES_DIR = Path(__file__).parent / "templates"
"""Jinja2 templates of the HTML pages (plain, accessible, no outside assets)."""


@dataclass
class AppState:
    """What ``create_app`` puts on ``app.state.svckg``."""

    settings: Settings
    store: Store
    tokens: TokenTable
    owns_store: bool
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    """Serializes multi-step writes (check then write) made through the API."""


def app_state(request: Request) -> AppState:
    """The :class:`AppState` of the app serving ``request``."""
    return request.app.state.svckg


async def run_blocking(
    request: Request, func: Callable[..., T], *args: object, timeout_s: float | None = None
) -> T:
    """Run a blocking store call in the thread pool; LimitExceeded after ``timeout_s``.

    The engine cannot be interrupted: on timeout the client gets its answer at once and
    the worker thread finishes in the background."""
    limit = timeout_s if timeout_s is not None else app_state(request).settings.query_timeout_s
    try:
        with anyio.fail_after(limit):
            return await in_thread(func, *args)
    except TimeoutError as exc:
        raise LimitExceeded(
            f"the request ran over the {limit:g} s time limit",
            where=request.url.path,
            hint="narrow the query (LIMIT, anchor paths on a bound node) or raise "
            "SVCKG_QUERY_TIMEOUT",
        ) from exc


async def run_write(func: Callable[..., T], *args: object) -> T:
    """Run a blocking write in the thread pool to its end (see :func:`in_thread_write`)."""
    return await in_thread_write(func, *args)


def _too_large(limit: int, size: int | None = None) -> TooLarge:
    told = f" ({size:,} bytes)" if size is not None else ""
    return TooLarge(
        f"the request body{told} is over the limit of {limit:,} bytes",
        hint="send less (split an upload) or raise SVCKG_MAX_UPLOAD_BYTES",
    )


def check_declared_size(request: Request) -> None:
    """TooLarge when the declared Content-Length is over ``Settings.max_upload_bytes``."""
    limit = app_state(request).settings.max_upload_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit, int(declared))


async def read_body(request: Request) -> bytes:
    """The request body, refused (TooLarge) as soon as it passes the upload limit, whether
    or not a Content-Length was declared."""
    check_declared_size(request)
    limit = app_state(request).settings.max_upload_bytes
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise _too_large(limit)
    return bytes(body)
