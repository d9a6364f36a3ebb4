"""Fixtures for the attack suite: a real ``svckg serve`` on 127.0.0.1 under a memory cap.

- ``capped_server`` (module): ``svckg serve --store :memory:`` (demo loaded) started through a
  launcher that sets ``RLIMIT_AS`` first, so an attack that makes the server grow kills that
  process (and fails the test), never the machine. Yields a :class:`Server` (base URL,
  process, tokens); stopped by PID; its log must hold no traceback.
- ``run_capped``: runs a Python snippet in a subprocess under a memory cap and a timeout.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import _free_port, running_server

UPLOAD_LIMIT = 8 * 1024 * 1024
"""Upload limit of the servers under attack (bytes)."""

MEMORY_CAP = 3 * 1024**3
"""Address-space cap of the servers and snippets under attack (bytes)."""

READER, EDITOR, ADMIN = "hostile-reader-1", "hostile-editor-2", "hostile-admin-3"
TOKENS = f"{READER}:reader,{EDITOR}:editor,{ADMIN}:admin"

_LAUNCHER = (
    "import os, resource, sys; cap = int(sys.argv[1]); "
    "resource.setrlimit(resource.RLIMIT_AS, (cap, cap)); os.execv(sys.argv[2], sys.argv[2:])"
)


def capped_argv(argv: list[str], cap: int = MEMORY_CAP) -> list[str]:
    """``argv`` run under an address-space cap of ``cap`` bytes."""
    return [sys.executable, "-c", _LAUNCHER, str(cap), *argv]


@dataclass
class Server:
    base: str
    proc: subprocess.Popen
    log: Path

    def alive(self) -> bool:
        """The process runs and answers a cheap request."""
        if self.proc.poll() is not None:
            return False
        return httpx.get(f"{self.base}/api/queries", timeout=10).status_code == 200

    def auth(self, role: str = "editor") -> dict[str, str]:
        token = {"reader": READER, "editor": EDITOR, "admin": ADMIN}[role]
        return {"authorization": f"Bearer {token}"}


def start_server(tmp: Path, env: dict[str, str] | None = None, store: str = ":memory:"):
    """Context manager: a capped ``svckg serve`` (see the module docstring)."""
    port = _free_port()
    cli = str(Path(sys.executable).parent / "svckg")
    argv = [cli, "serve", "--host", "127.0.0.1", "--port", str(port), "--store", store]
    argv += ["--log-level", "warning"]
    full_env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "SVCKG_TOKENS": TOKENS,
        "SVCKG_QUERY_TIMEOUT": "10",
        "SVCKG_MAX_UPLOAD_BYTES": str(UPLOAD_LIMIT),
        **(env or {}),
    }
    log = tmp / "serve.log"
    base = f"http://127.0.0.1:{port}"
    return base, log, running_server(capped_argv(argv), f"{base}/api/queries", log, env=full_env)


@pytest.fixture(scope="module")
def capped_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    base, log, ctx = start_server(tmp_path_factory.mktemp("hostile"))
    with ctx as proc:
        yield Server(base, proc, log)
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, text[-3000:]


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A capped server with a 3 s time limit and one slot per kind of heavy work."""
    env = {
        "SVCKG_QUERY_TIMEOUT": "3",
        "SVCKG_MAX_CONCURRENT_QUERIES": "1",
        "SVCKG_BUSY_WAIT": "0.5",
    }
    base, log, ctx = start_server(tmp_path_factory.mktemp("strict"), env)
    with ctx as proc:
        yield Server(base, proc, log)


def run_capped(code: str, *, timeout: float = 60, cap: int = MEMORY_CAP) -> str:
    """Run ``code`` with ``python -c`` under the memory cap; its stdout (fails on a non-zero
    exit, which is what a memory blow-up or a crash gives)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        capped_argv([sys.executable, "-c", code], cap),
        capture_output=True,
        timeout=timeout,
        env=env,
        text=True,
    )
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr[-3000:]}"
    return done.stdout
