"""Expensive work that can be stopped, and no more of it at once than the machine can bear.

pyoxigraph cannot cancel a query: a thread that runs one past its time limit keeps a core
busy until the engine is done (minutes), and an engine fault on one query (a panic on
``ORDER BY`` over mixed values, pyoxigraph 0.5) aborts the whole process. So a client's own
SPARQL query runs in a **forked child** of the server (:func:`run_isolated`): the child sees
the store as it was at the fork (copy-on-write, no copy made), runs the query, renders the
answer and sends it back through a pipe. On the time limit the child is killed (the core
is free at once); when the engine aborts, only the child dies and the client gets 422.

:func:`expensive` admits at most ``Settings.max_concurrent_queries`` such requests at once
(per kind); the next ones wait up to ``Settings.busy_wait_s`` and then get 503 with
``Retry-After``, so a few heavy requests cannot stall every other client.

Stores that are not embedded (a remote SPARQL endpoint) run the call in a thread as before:
the remote server owns its engine.

A fork costs more than a small query (several ms on a large process against ~0.1 ms for
``ASK {}``), so a query whose text alone bounds its work (``bounded=True``, decided by
:func:`svckg.api.sparql_text.runs_lean`: no pattern, or one triple pattern anchored on a
constant; no sorting, grouping, paths, sub-groups or SERVICE) runs in a thread of this process
with the time limit instead. Nothing that can run long or trip the known engine fault passes
that check; a cheap query it does not recognise only pays the fork.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from fastapi import Request

from svckg.api.state import app_state, run_blocking
from svckg.errors import Busy, LimitExceeded, QueryFailed, SvckgError
from svckg.store.embedded import EmbeddedStore

T = TypeVar("T")

MAX_ANSWER_BYTES = 1024 * 1024 * 1024
"""Most bytes a child may send back (beyond it, the child is killed: LimitExceeded)."""

_LIMITERS: dict[tuple[int, str], anyio.CapacityLimiter] = {}


def _limiter(request: Request, kind: str) -> anyio.CapacityLimiter:
    state = app_state(request)
    key = (id(state), kind)
    limiter = _LIMITERS.get(key)
    if limiter is None:
        limiter = _LIMITERS[key] = anyio.CapacityLimiter(state.settings.max_concurrent_queries)
    return limiter


@asynccontextmanager
async def expensive(request: Request, kind: str) -> AsyncIterator[None]:
    """Hold one of the ``kind`` slots for the block; Busy (503, Retry-After) when none frees
    up within ``busy_wait_s``."""
    limiter = _limiter(request, kind)
    wait = app_state(request).settings.busy_wait_s
    acquired = False
    with anyio.move_on_after(wait):
        await limiter.acquire()
        acquired = True
    if not acquired:
        raise Busy(
            f"the server is running {limiter.total_tokens:g} {kind} requests already",
            retry_after=max(1, round(wait)),
            hint="retry after a moment; raise SVCKG_MAX_CONCURRENT_QUERIES on a larger machine",
        )
    try:
        yield
    finally:
        limiter.release()


async def run_isolated(
    request: Request, func: Callable[[], T], kind: str = "query", *, bounded: bool = False
) -> T:
    """``func()`` in a child process that is killed at the time limit (see the module notes);
    its result must pickle. Falls back to :func:`run_blocking` for non-embedded stores.

    ``bounded``: the caller has shown from the request alone that the work is small
    (:func:`svckg.api.sparql_text.runs_lean`): it runs in a thread of this process with the
    time limit, outside the ``kind`` slots, without the fork (which costs more than the work)."""
    state = app_state(request)
    if bounded:
        return await run_blocking(request, func)
    async with expensive(request, kind):
        if not isinstance(state.store, EmbeddedStore) or not hasattr(os, "fork"):
            return await run_blocking(request, func)
        limit = state.settings.query_timeout_s
        return await anyio.to_thread.run_sync(
            _in_child, func, limit, request.url.path, abandon_on_cancel=False
        )


def _in_child(func: Callable[[], T], timeout_s: float, where: str) -> T:
    """Fork, run ``func`` in the child, and collect its pickled outcome (or kill it)."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_fd)
        _child(func, write_fd)
    os.close(write_fd)
    try:
        data, timed_out = _collect(read_fd, time.monotonic() + timeout_s)
    finally:
        os.close(read_fd)
        done, status = os.waitpid(pid, os.WNOHANG)
        if not done:  # over time or size, or finishing its exit: stop it now
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
    if timed_out:
        raise LimitExceeded(
            f"the request ran over the {timeout_s:g} s time limit (it was stopped)",
            where=where,
            hint="narrow the query (LIMIT, anchor paths on a bound node) or raise "
            "SVCKG_QUERY_TIMEOUT",
        )
    if data is None:
        raise LimitExceeded(
            f"the answer is over {MAX_ANSWER_BYTES:,} bytes", where=where, hint="add a LIMIT"
        )
    if not data:
        raise QueryFailed(
            f"the query engine failed on this query ({_ending(status)})",
            where=where,
            hint="the server is unaffected; rewrite the query (e.g. ORDER BY over values of "
            "mixed kinds trips a known engine fault: filter or cast the sort key)",
        )
    outcome = pickle.loads(data)
    if outcome[0] == "ok":
        return outcome[1]
    raise _rebuilt(outcome[1])


def _child(func: Callable[[], Any], write_fd: int) -> None:
    os.putenv("RUST_BACKTRACE", "0")  # an engine panic prints one line, not a backtrace
    code = 0
    try:
        try:
            payload = pickle.dumps(("ok", func()), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:  # sent back to the parent, which raises it
            payload = pickle.dumps(("error", _portable(exc)))
            code = 1
        with os.fdopen(write_fd, "wb") as out:
            out.write(payload)
    finally:
        os._exit(code)


def _collect(read_fd: int, deadline: float) -> tuple[bytes | None, bool]:
    """Everything the child writes until it closes the pipe: (bytes or None when over
    :data:`MAX_ANSWER_BYTES`, whether the deadline passed first)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([read_fd], [], [], left)[0]:
            return b"", True
        chunk = os.read(read_fd, 1 << 20)
        if not chunk:
            return b"".join(chunks), False
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            return None, False
        chunks.append(chunk)


def _ending(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"its process was stopped by signal {os.WTERMSIG(status)}"
    return f"its process exited with code {os.waitstatus_to_exitcode(status)}"


def _portable(exc: BaseException) -> tuple[str, str, str | None, str | None]:
    """An exception as plain values (svckg errors keep their class, where and hint)."""
    if isinstance(exc, SvckgError):
        return (type(exc).__name__, exc.message, exc.where, exc.hint)
    return ("RuntimeError", f"{type(exc).__name__}: {exc}", None, None)


def _rebuilt(portable: tuple[str, str, str | None, str | None]) -> Exception:
    import svckg.errors as errors

    name, message, where, hint = portable
    cls = getattr(errors, name, None)
    if isinstance(cls, type) and issubclass(cls, SvckgError):
        exc = cls.__new__(cls)
        SvckgError.__init__(exc, message, where=where, hint=hint)
        return exc
    return RuntimeError(message)
