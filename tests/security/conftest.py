"""Fixture of the consumer-scope security suite: ``world`` (module), an app on the shared demo
store with ``read_requires_token``, a reader token and one consumer token per demo consumer
(see :mod:`scopekit`)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from svckg.analysis.scope import consumers
from svckg.api.app import create_app
from svckg.config import Settings
from svckg.store.base import Store

sys.path.insert(0, str(Path(__file__).parent))
from scopekit import READER_TOKEN, Consumer, World, _probes, hidden_of  # noqa: E402


@pytest.fixture(scope="module")
def world(demo_store: Store) -> Iterator[World]:
    everyone = consumers(demo_store)
    tokens = {c: f"sec-consumer-{n}" for n, c in enumerate(everyone)}
    entries = [f"{READER_TOKEN}:reader"] + [f"{t}:consumer:{c}" for c, t in tokens.items()]
    app = create_app(
        Settings(store=":memory:", tokens=",".join(entries), read_requires_token=True),
        store=demo_store,
    )
    client = TestClient(app)
    client.__enter__()
    state = app.state.svckg
    found: dict[str, Consumer] = {}
    for c in everyone:
        view = state.views.view(demo_store, c)
        hidden, labels = hidden_of(demo_store, view)
        others = [o for o in everyone if o != c]
        probes = _probes(demo_store, view, hidden, others)
        found[c] = Consumer(c, tokens[c], view, hidden, labels, probes)
    yield World(client, demo_store, found)
    client.__exit__(None, None, None)
