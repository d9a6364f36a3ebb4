"""Fixtures for the HTTP API tests: apps on real stores, and a real server process.

- ``demo_store`` (module): an in-memory store holding the ontology and the demo landscape,
  imported through the pipeline. Tests must not write to it.
- ``make_client``: builds a TestClient on a new app (``store=`` to share one; settings as
  keyword arguments) with a reader, an editor and an admin token configured; the fixtures
  ``as_reader`` / ``as_editor`` / ``as_admin`` are their Authorization headers.
- ``live_server`` (module): ``svckg serve --store :memory:`` on a free 127.0.0.1 port in a
  subprocess (demo loaded), stopped by PID.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from svckg.api.app import create_app
from svckg.config import Settings
from svckg.store.embedded import EmbeddedStore

READER, EDITOR, ADMIN = "reader-tok-5f1c", "editor-tok-9a2e", "admin-tok-77d0"
TOKENS = f"{READER}:reader,{EDITOR}:editor,{ADMIN}:admin"


@pytest.fixture
def tokens() -> dict[str, str]:
    """Role -> token configured in every app these fixtures build."""
    return {"reader": READER, "editor": EDITOR, "admin": ADMIN}


@pytest.fixture
def as_reader() -> dict[str, str]:
    return {"authorization": f"Bearer {READER}"}


@pytest.fixture
def as_editor() -> dict[str, str]:
    return {"authorization": f"Bearer {EDITOR}"}


@pytest.fixture
def as_admin() -> dict[str, str]:
    return {"authorization": f"Bearer {ADMIN}"}


@pytest.fixture
def make_client() -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def build(
        store: EmbeddedStore | None = None, raise_errors: bool = True, **settings: object
    ) -> TestClient:
        values: dict[str, object] = {"store": ":memory:", "tokens": TOKENS}
        values.update(settings)
        app = create_app(Settings(**values), store=store)  # type: ignore[arg-type]
        client = TestClient(app, raise_server_exceptions=raise_errors)
        client.__enter__()
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture(scope="module")
def live_server(svckg_server: Callable[..., Any]) -> Iterator[str]:
    """Base URL of ``svckg serve`` running in a subprocess on an in-memory demo store."""
    with svckg_server("svckg-serve", {"SVCKG_TOKENS": TOKENS}) as base:
        yield base
