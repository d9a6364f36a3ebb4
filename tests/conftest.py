"""Shared fixtures: stores for every backend and a real oxigraph server on 127.0.0.1.

- ``memory_store``: a fresh in-memory :class:`EmbeddedStore`.
- ``disk_store``: a fresh on-disk :class:`EmbeddedStore` in ``tmp_path``.
- ``oxigraph_server`` (session): base URL of a real ``oxigraph serve`` process started with
  ``--union-default-graph``; query at ``/query``, update at ``/update``, GSP at ``/store``.
  Stopped by PID at the end of the session.
- ``remote_store``: a :class:`RemoteStore` on that server, emptied before each test.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from svckg.store.embedded import EmbeddedStore
from svckg.store.remote import RemoteStore


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _oxigraph_binary() -> str:
    """The ``oxigraph`` CLI installed next to the running interpreter (the venv's)."""
    candidate = Path(sys.executable).parent / "oxigraph"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("oxigraph")
    if found is None:
        raise RuntimeError(
            f"oxigraph server binary not found next to {sys.executable} nor on PATH: "
            "install the dev extras (pip install -e '.[dev]')"
        )
    return found


@pytest.fixture
def memory_store() -> Iterator[EmbeddedStore]:
    """A fresh in-memory embedded store."""
    store = EmbeddedStore(None)
    yield store
    store.close()


@pytest.fixture
def disk_store(tmp_path: Path) -> Iterator[EmbeddedStore]:
    """A fresh on-disk embedded store in a temporary directory."""
    store = EmbeddedStore(tmp_path / "store")
    yield store
    store.close()


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL (``http://127.0.0.1:PORT``) of a real oxigraph server for this session."""
    location = tmp_path_factory.mktemp("oxigraph-server")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = (location.parent / f"oxigraph-{port}.log").open("wb")
    proc = subprocess.Popen(
        [
            _oxigraph_binary(),
            "serve",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"oxigraph server exited with code {proc.returncode}; see {log.name}"
                )
            try:
                httpx.get(f"{base}/query", params={"query": "ASK {}"}, timeout=1.0)
                break
            except httpx.TransportError as exc:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"oxigraph server did not answer on {base} in 30 s") from exc
                time.sleep(0.05)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


@pytest.fixture
def remote_store(oxigraph_server: str) -> Iterator[RemoteStore]:
    """A RemoteStore on the session's oxigraph server, emptied before the test."""
    store = RemoteStore(
        f"{oxigraph_server}/query",
        update_url=f"{oxigraph_server}/update",
        gsp_url=f"{oxigraph_server}/store",
    )
    store.update("DROP ALL")
    yield store
    store.close()
