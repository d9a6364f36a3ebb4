"""Push-down impact and trace on real engines behind the remote store (``oxigraph serve`` and
Virtuoso, on 127.0.0.1): the engine source's JSON equals the in-memory index's, on the demo
imported through the pipeline and on a generated landscape with redundancy groups, cycles,
goals, parties and materialized copies."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from svckg.analysis.impact import impact
from svckg.analysis.index import build_index
from svckg.analysis.pushdown import EngineSource, IndexSource
from svckg.analysis.trace import trace
from svckg.demo import load_demo
from svckg.store.base import Store
from svckg.store.embedded import EmbeddedStore
from svckg.store.remote import RemoteStore
from tests.analysis.test_pushdown import elements, landscape_store

pytestmark = pytest.mark.remote
SAMPLE = {"oxigraph": 40, "virtuoso": 12}
"""Elements compared on each engine (every one on the embedded store): Virtuoso lists its
graphs for the query dataset at most once a second, which takes seconds under load."""


def _emptied(store: RemoteStore) -> RemoteStore:
    for graph in store.graphs():
        store.drop_graph(graph)
    return store


@pytest.fixture(params=["oxigraph", "virtuoso"], scope="module")
def engine(request: pytest.FixtureRequest) -> Iterator[RemoteStore]:
    """An empty remote store on each engine (once per module)."""
    if request.param == "oxigraph":
        base = request.getfixturevalue("oxigraph_server")
        store = RemoteStore(f"{base}/query", update_url=f"{base}/update", gsp_url=f"{base}/store")
    else:
        base = request.getfixturevalue("virtuoso_server")
        store = RemoteStore(f"{base}/sparql", gsp_url=f"{base}/sparql-graph-crud")
    yield _emptied(store)
    _emptied(store)
    store.close()


def _compare(engine: Store, reference: Store, keys: list[str], paths: int) -> int:
    """Engine source on ``engine`` vs the index of ``reference`` (same data); returns how
    many answers had impacted elements (so an empty comparison cannot pass)."""
    index = IndexSource(build_index(reference))
    non_empty = 0
    for key in keys:
        expected = impact(reference, [key], max_paths=paths, source=index).to_json()
        got = impact(engine, [key], max_paths=paths, source=EngineSource(engine)).to_json()
        assert got == expected, (key, paths)
        non_empty += bool(expected["impacted"])
        traced = trace(reference, key, source=index).to_json()
        assert trace(engine, key, source=EngineSource(engine)).to_json() == traced, key
    return non_empty


def test_demo_on_each_engine(engine: RemoteStore, demo_store: EmbeddedStore) -> None:
    assert load_demo(engine)
    size = SAMPLE[engine.dialect.name]
    keys = random.Random(19).sample(elements(demo_store), size)
    assert _compare(engine, engine, keys, paths=3) >= size // 3  # the index on the engine
    assert _compare(engine, demo_store, keys, paths=1) >= size // 3  # the embedded index
    _emptied(engine)


def test_generated_landscape_on_each_engine(engine: RemoteStore) -> None:
    """Against the index on the same engine, and on the embedded store: the engines list a
    node's types in their own order (``oxigraph serve`` lists two types of one node in the
    other order than the embedded store); answers list them sorted."""
    reference = landscape_store(EmbeddedStore(None), 7, 40, 120, 6)
    try:
        landscape_store(engine, 7, 40, 120, 6)
        keys = elements(reference)
        assert elements(engine) == keys
        keys = random.Random(7).sample(keys, min(len(keys), SAMPLE[engine.dialect.name]))
        assert _compare(engine, engine, keys, paths=2) > len(keys) // 3
        assert _compare(engine, reference, keys, paths=2) > len(keys) // 3
    finally:
        reference.close()
        _emptied(engine)
