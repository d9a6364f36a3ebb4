"""Building the dependency index of an on-disk store in a child process.

Why: the build is Python work that holds the GIL for tens of seconds (the engine's quad
iterator, the column folding); in the server's process every request then waits for the
GIL behind it, so the engine fallback that should answer in tens of milliseconds took
seconds at 5 M triples. A child process has its own GIL: it opens the store read-only
(``pyoxigraph.Store.read_only``, beside the server's read-write handle), builds the index,
writes it in the snapshot format (:mod:`svckg.analysis.snapshot`) and exits; the server
memory-maps the file (milliseconds).

When its result is used: only when nothing was written through the server's store since
the build started. The parent reads ``store.generation`` first, then flushes the engine (so
the files hold every write up to that generation), then starts the child; every write bumps
the generation after it committed, so an unchanged generation when the child is done means
the child saw exactly that state. A moved generation (the child may have seen part of a
write, or missed it: the engine does not promise what a read-only open sees while another
process writes) discards the result and the build starts again. A child that fails (killed,
no memory, no ``read_only`` in the engine) leaves the in-process build to the caller. No
child is left behind: it is killed and reaped when the store closes, and it exits by itself
when its parent dies (its stdin, a pipe from the parent, reaches end of file).

In-memory and remote stores have no files to hand to a child: the caller builds in process.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from svckg.analysis.index import DependencyIndex
    from svckg.store.base import Store

log = logging.getLogger("svckg.index")

ATTEMPTS = 3
"""Child builds tried while writes keep moving the store's state; then the caller builds."""
CHILD_NICENESS = 10
"""The child yields the processor to the server's request threads."""
CHILD_ARGS: list[str] = []
"""Extra arguments for the child (tests: ``--hold-built PATH``, see :func:`child_main`)."""
_PREFIX = ".child-"


def offloadable(store: Store) -> Path | None:
    """The directory of an on-disk embedded store a child can open, else None."""
    from svckg.analysis.snapshot import disk_store_path

    path = disk_store_path(store)
    return path if path is not None and hasattr(store, "engine") else None


def build_in_child(store: Store) -> DependencyIndex | None:
    """The index of ``store``'s current state, built by a child process and loaded from the
    snapshot file it wrote; None when the store has no files, the child failed, or writes
    moved the state :data:`ATTEMPTS` times (the caller then builds in process)."""
    path = offloadable(store)
    if path is None:
        return None
    for _ in range(ATTEMPTS):
        generation = store.generation
        try:
            store.engine.flush()  # type: ignore[attr-defined]
        except Exception as exc:  # a closed store: nothing to build
            log.warning("the index build was not offloaded: %s", exc)
            return None
        built = _run_child(store, path)
        if store.generation != generation:  # written meanwhile: what the child saw is unknown
            if built is not None:  # (a write may also remove files the child was reading)
                built[0].unlink(missing_ok=True)
            log.info("a write landed during the index build in a child process: building again")
            continue
        if built is None:
            return None
        file, snapshot_id, seconds = built
        index = _adopt(path, file, snapshot_id)
        if index is not None:
            index.generation, index.build_seconds = generation, seconds
        return index
    return None


def _run_child(store: Store, path: Path) -> tuple[Path, str, float] | None:
    """Run the child; the snapshot file it wrote, its id and the build's seconds, or None."""
    from svckg.analysis.snapshot import snapshot_dir

    folder = snapshot_dir(path)
    folder.mkdir(exist_ok=True)
    for stale in (*folder.glob(f"{_PREFIX}*"), *folder.glob(f".{_PREFIX}*")):
        stale.unlink(missing_ok=True)  # a killed server's child (this process holds the lock)
    file = folder / f"{_PREFIX}{uuid.uuid4().hex}.snap"
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        try:
            child = subprocess.Popen(
                _child_argv(path, file),
                stdin=subprocess.PIPE,  # kept open until the child is done: see _exit_with_parent
                stdout=subprocess.PIPE,
                stderr=errors,
                close_fds=True,
            )
        except OSError as exc:
            log.warning("the index build was not offloaded: %s", exc)
            return None
        stop = _stopper(child)
        closed: list[bool] = []

        def on_close() -> None:
            closed.append(True)
            stop()

        hooks: list = store.close_hooks  # type: ignore[attr-defined]
        hooks.append(on_close)
        try:
            out = child.stdout.read()  # type: ignore[union-attr]
            child.wait()
        finally:
            with contextlib.suppress(ValueError):  # the close already ran it
                hooks.remove(on_close)
            stop()
        errors.seek(0)
        err = errors.read()
    report = _report(out)
    if closed:
        file.unlink(missing_ok=True)
        log.info("the store closed: its index build in a child process was stopped")
        return None
    if child.returncode != 0 or report is None:
        file.unlink(missing_ok=True)
        detail = err.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        log.warning(
            "the index build in a child process failed (exit %s: %s)", child.returncode, detail[0]
        )
        return None
    return file, report["snapshot"], time.perf_counter() - started


def _stopper(child: subprocess.Popen):
    """Kill ``child`` (if it still runs) and reap it; safe to call more than once."""

    def stop() -> None:
        if child.poll() is None:
            child.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=30)
        for pipe in (child.stdin, child.stdout):
            with contextlib.suppress(OSError):
                pipe.close()  # type: ignore[union-attr]

    return stop


def _report(out: bytes) -> dict | None:
    try:
        report = json.loads(out.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None
    return report if isinstance(report, dict) and isinstance(report.get("snapshot"), str) else None


_CHILD = (
    "import sys; sys.path.insert(0, sys.argv.pop(1)); "
    "from svckg.analysis.offload import child_main; sys.exit(child_main(sys.argv[1:]))"
)
"""The child's program: the directory ``svckg`` was imported from first on its path (the
server may run from a source tree), the environment inherited as it is."""


def _child_argv(path: Path, file: Path) -> list[str]:
    import svckg

    root = str(Path(svckg.__file__).resolve().parents[1])
    return [sys.executable, "-c", _CHILD, root, str(path), str(file), *CHILD_ARGS]


def _adopt(path: Path, file: Path, snapshot_id: str) -> DependencyIndex | None:
    """Make the child's file the store's snapshot and load it (memory-mapped). The closed
    marker goes first: it is written again at the next clean close, for the state then."""
    from svckg.analysis.snapshot import MARKER, SNAPSHOT, load, snapshot_dir

    folder = snapshot_dir(path)
    try:
        (folder / MARKER).unlink(missing_ok=True)
        os.replace(file, folder / SNAPSHOT)
        return load(folder / SNAPSHOT, expected=snapshot_id)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("the index built in a child process was not loaded: %s", exc)
        file.unlink(missing_ok=True)
        return None


# -- the child ---------------------------------------------------------------------------


def _exit_with_parent() -> None:
    """End this process when the parent closes our stdin (it stopped, or died)."""

    def watch() -> None:
        while os.read(0, 4096):  # the raw descriptor: no buffer lock held at shutdown
            pass
        os._exit(3)

    threading.Thread(target=watch, name="svckg-parent-watch", daemon=True).start()


def child_main(argv: list[str]) -> int:
    """``child_main([STORE, FILE, (--hold-open|--hold-built PATH)])`` (see ``_CHILD``): build
    the index of the store at ``STORE`` (opened read-only) and write it to ``FILE``; print its
    snapshot id as JSON. For tests: once the store is open (``--hold-open``) or the index
    built (``--hold-built``), create ``PATH.held`` and wait until ``PATH`` exists (the test
    writes to the store meanwhile)."""
    import gc

    _exit_with_parent()
    with contextlib.suppress(OSError):
        os.nice(CHILD_NICENESS)
    gc.disable()  # a short-lived process that builds containers only: no cycles to find
    import pyoxigraph as ox

    from svckg.analysis.index import build_index
    from svckg.analysis.snapshot import save
    from svckg.store.embedded import EmbeddedStore

    store_dir, file, hold = Path(argv[0]), Path(argv[1]), argv[2:4]
    store = EmbeddedStore(None)
    store.adopt(ox.Store.read_only(str(store_dir)))
    if hold[:1] == ["--hold-open"]:
        _hold(Path(hold[1]))
    index = build_index(store)
    if hold[:1] == ["--hold-built"]:
        _hold(Path(hold[1]))
    snapshot_id = save(index, file.parent, file.name)
    print(json.dumps({"snapshot": snapshot_id, "seconds": index.build_seconds}), flush=True)
    return 0


def _hold(path: Path) -> None:
    path.with_name(path.name + ".held").touch()
    deadline = time.monotonic() + 120
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.01)


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
