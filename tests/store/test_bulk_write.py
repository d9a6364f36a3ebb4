"""Bulk writes of large imports (issues 13 and 19): the remote store sends N-Triples chunks
(Graph Store POST, or INSERT DATA without a Graph Store URL) and an import whose bulk write
fails part-way leaves the store as it was, on every backend."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from svckg.errors import ParseError, StoreError
from svckg.ingest import pipeline, records
from svckg.ingest.base import SourceFile
from svckg.store import remote as remote_module
from svckg.store.base import Store
from svckg.store.embedded import EmbeddedStore
from svckg.store.remote import RemoteStore
from svckg.store.system import ensure_system_graphs
from tests.conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT))
from bench.landscape import iter_ntriples  # noqa: E402

GRAPH = "https://w3id.org/svckg/graph/test-bulk"


@pytest.fixture(scope="module")
def landscape() -> bytes:
    return "".join(iter_ntriples(3000)).encode()


def _lines(store: Store, graph: str) -> Counter[str]:
    """The graph as a multiset of N-Triples lines."""
    data = store.export(ox.RdfFormat.N_TRIPLES, graph).decode()
    return Counter(line for line in data.splitlines() if line)


def _requests(store: RemoteStore, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Record (what, url) of every request the store sends."""
    sent: list[tuple[str, str]] = []
    original = store._send

    def recording(method: str, url: str, **kwargs):  # noqa: ANN202
        sent.append((kwargs.get("what", ""), url))
        return original(method, url, **kwargs)

    monkeypatch.setattr(store, "_send", recording)
    return sent


@pytest.mark.parametrize("gsp", [True, False], ids=["graph-store", "insert-data"])
def test_remote_bulk_load_sends_chunks_the_engine_reads_as_the_embedded_store_does(
    oxigraph_server: str, landscape: bytes, monkeypatch: pytest.MonkeyPatch, gsp: bool
) -> None:
    monkeypatch.setattr(remote_module, "BULK_CHUNK_BYTES", 20_000)
    store = RemoteStore(
        f"{oxigraph_server}/query",
        update_url=f"{oxigraph_server}/update",
        gsp_url=f"{oxigraph_server}/store" if gsp else None,
    )
    store.update("DROP ALL")
    sent = _requests(store, monkeypatch)
    store.bulk_load(landscape, GRAPH, format=ox.RdfFormat.N_TRIPLES)
    chunks = [s for s in sent if s[0].startswith(("graph store bulk", "bulk load update"))]
    assert len(chunks) >= len(landscape) // 20_000
    assert {url for _, url in chunks} == {f"{oxigraph_server}/{'store' if gsp else 'update'}"}
    local = EmbeddedStore(None)
    local.bulk_load(landscape, GRAPH, format=ox.RdfFormat.N_TRIPLES)
    assert _lines(store, GRAPH) == _lines(local, GRAPH)
    store.close()


def test_remote_bulk_load_keeps_blank_nodes_in_one_request(remote_store: RemoteStore) -> None:
    data = b"_:a <http://x/p> _:b .\n_:b <http://x/p> <http://x/c> .\n"
    remote_store.bulk_load(data, GRAPH, format=ox.RdfFormat.N_TRIPLES)
    rows = remote_store.query(
        f"ASK {{ GRAPH <{GRAPH}> {{ ?a <http://x/p> ?b . ?b <http://x/p> <http://x/c> }} }}"
    )
    assert bool(rows)


def _fail_on_call(store: Store, method: str, n: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``store.method`` raise StoreError on its n-th call (after doing the work of the
    earlier ones): a write that breaks part-way."""
    original = getattr(store, method)
    calls = {"n": 0}

    def failing(*args, **kwargs):  # noqa: ANN202
        calls["n"] += 1
        if calls["n"] == n:
            raise StoreError("the engine went away", where="test")
        return original(*args, **kwargs)

    monkeypatch.setattr(store, method, failing)


def _all_or_nothing(store: Store, landscape: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    ensure_system_graphs(store)
    before_graphs = store.graphs()
    before = Counter(store.export(ox.RdfFormat.N_QUADS).decode().splitlines())
    source = [SourceFile("bulk.nt", landscape)]
    with pytest.raises(StoreError, match="went away"):
        pipeline.import_sources(store, source, force=True)
    monkeypatch.undo()
    assert store.graphs() == before_graphs
    assert Counter(store.export(ox.RdfFormat.N_QUADS).decode().splitlines()) == before
    assert records.find_by_source(store, "bulk.nt") is None
    outcome = pipeline.import_sources(store, source, force=True)
    assert outcome.sources[0].status == "created"


def test_a_remote_import_failing_mid_bulk_write_leaves_nothing(
    remote_store: RemoteStore, landscape: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(remote_module, "BULK_CHUNK_BYTES", 20_000)
    _fail_on_call(remote_store, "_post_ntriples", 4, monkeypatch)
    _all_or_nothing(remote_store, landscape, monkeypatch)


@pytest.fixture(params=["memory", "disk"])
def embedded(request: pytest.FixtureRequest, tmp_path) -> Iterator[EmbeddedStore]:  # noqa: ANN001
    store = EmbeddedStore(None if request.param == "memory" else tmp_path / "store")
    yield store
    store.close()


def test_an_embedded_import_failing_mid_bulk_write_leaves_nothing(
    embedded: EmbeddedStore, landscape: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The data graph is written, the write of its inferred edges fails."""
    ensure_system_graphs(embedded)
    _fail_on_call(embedded, "bulk_load", 2, monkeypatch)
    _all_or_nothing(embedded, landscape, monkeypatch)


def test_bad_syntax_in_a_later_chunk_names_its_line_in_the_whole_data(
    remote_store: RemoteStore, landscape: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(remote_module, "BULK_CHUNK_BYTES", 20_000)
    bad = landscape + b"<http://x/a> <http://x/p> .\n"
    with pytest.raises(ParseError) as caught:
        remote_store.bulk_load(bad, GRAPH, format=ox.RdfFormat.N_TRIPLES)
    assert caught.value.line == landscape.count(b"\n") + 1


def _engine_calls(store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Byte sizes of the engine's bulk_load calls (the engine object is a Rust type: wrap it)."""
    calls: list[int] = []
    engine = store.engine

    class Counting:
        def __getattr__(self, name: str):  # noqa: ANN204
            return getattr(engine, name)

        def bulk_load(self, data: bytes, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
            calls.append(len(data))
            engine.bulk_load(data, *args, **kwargs)

    monkeypatch.setattr(store, "_store", Counting())
    return calls


def test_embedded_bulk_load_on_disk_goes_in_slices_read_as_the_whole(
    tmp_path, landscape: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On disk, N-Triples load in slices of whole lines (a bounded bulk-loader peak); the
    graph reads as the in-memory store's loaded in one call, as a multiset of lines."""
    from svckg.store import embedded as embedded_module

    monkeypatch.setattr(embedded_module, "BULK_LOAD_BYTES", 20_000)
    whole, disk = EmbeddedStore(None), EmbeddedStore(tmp_path / "store")
    try:
        whole.bulk_load(landscape, GRAPH, format=ox.RdfFormat.N_TRIPLES)
        calls = _engine_calls(disk, monkeypatch)
        disk.bulk_load(landscape, GRAPH, format=ox.RdfFormat.N_TRIPLES)
        assert len(calls) > 5 and sum(calls) == len(landscape)
        assert _lines(disk, GRAPH) == _lines(whole, GRAPH)
        # blank nodes: one call, so a label names one node across the data
        bnodes = b"_:b <http://x/p> <http://x/o> .\n" + landscape + b"_:b <http://x/q> _:c .\n"
        calls.clear()
        disk.bulk_load(bnodes, GRAPH + "/b", format=ox.RdfFormat.N_TRIPLES)
        assert calls == [len(bnodes)]
        rows = disk.query(
            f"SELECT ?s WHERE {{ GRAPH <{GRAPH}/b> {{ ?s <http://x/p> ?o . ?s <http://x/q> ?c }} }}"
        )
        assert len(list(rows)) == 1  # type: ignore[arg-type]
        # bad syntax in a later slice: the line counted in the whole data
        bad = landscape + b"<http://x/a> <http://x/p> .\n"
        with pytest.raises(ParseError) as caught:
            disk.bulk_load(bad, GRAPH + "/bad", format=ox.RdfFormat.N_TRIPLES)
        assert caught.value.line == landscape.count(b"\n") + 1
    finally:
        whole.close()
        disk.close()
