"""The change marker: two RemoteStore objects on one engine stand for two svckg processes.

A write through one moves the other's ``generation`` within the marker period; the marker
costs one small query at most once a second; it stays out of what svckg lists and counts.
Run on the oxigraph server and on Virtuoso.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest

from svckg.store.remote import MARKER_GRAPH, MARKER_PERIOD_S, MARKER_QUERY, RemoteStore

E = "http://example.org/marker/"
G = f"{E}graph"
DEADLINE_S = 10.0


def _open(request: pytest.FixtureRequest, engine: str) -> RemoteStore:
    if engine == "oxigraph":
        base = request.getfixturevalue("oxigraph_server")
        return RemoteStore(
            f"{base}/query",
            update_url=f"{base}/update",
            gsp_url=f"{base}/store",
            change_marker=True,
        )
    base = request.getfixturevalue("virtuoso_server")
    return RemoteStore(f"{base}/sparql", gsp_url=f"{base}/sparql-graph-crud", change_marker=True)


@pytest.fixture(params=["oxigraph", "virtuoso"])
def pair(request: pytest.FixtureRequest) -> Iterator[tuple[RemoteStore, RemoteStore]]:
    """Two stores ("processes") on the same engine, its svckg graphs dropped first."""
    a, b = _open(request, request.param), _open(request, request.param)
    for graph in a.graphs():
        a.drop_graph(graph)
    yield a, b
    for graph in a.graphs():
        a.drop_graph(graph)
    a.close()
    b.close()


def _moves(store: RemoteStore, start: int) -> float:
    """Seconds until ``store.generation`` passes ``start`` (fails after the deadline)."""
    began = time.monotonic()
    while store.generation == start:
        assert time.monotonic() - began < DEADLINE_S, "the other store never saw the write"
        time.sleep(0.05)
    return time.monotonic() - began


def _triple(n: int) -> ox.Triple:
    return ox.Triple(ox.NamedNode(f"{E}s{n}"), ox.NamedNode(f"{E}p"), ox.Literal(str(n)))


def test_every_kind_of_write_is_seen_by_the_other_store(
    pair: tuple[RemoteStore, RemoteStore],
) -> None:
    a, b = pair
    writes = [
        lambda: a.load([_triple(1)], G),  # Graph Store POST, then a marker request
        lambda: a.load([_triple(2)], G, replace=True),  # Graph Store PUT
        lambda: a.update(f"INSERT DATA {{ GRAPH <{G}> {{ <{E}x> <{E}p> 3 }} }} ;"),
        lambda: a.update(f"INSERT DATA {{ GRAPH <{G}> {{ <{E}y> <{E}p> 4 }} }} # done"),
        lambda: a.insert_where(f"?s <{E}q> ?o", f"WHERE {{ ?s <{E}p> ?o }}", f"{G}/2"),
        lambda: a.drop_graph(f"{G}/2"),
    ]
    for write in writes:
        start = b.generation
        write()
        waited = _moves(b, start)
        assert waited <= MARKER_PERIOD_S + 1.0
    assert b.graphs() == [G]
    assert b.count(G) == 3  # the replace left triple 2, then x and y


def test_an_update_without_graph_carries_the_marker(
    pair: tuple[RemoteStore, RemoteStore],
) -> None:
    """Virtuoso names a default graph for such updates (a DEFINE for the whole request):
    the marker, in the same request, must still land in its own graph."""
    a, b = pair
    start = b.generation
    a.update(f"INSERT DATA {{ <{E}d> <{E}p> <{E}o> }}")
    _moves(b, start)
    rows = a._ask(MARKER_QUERY)
    assert isinstance(rows, ox.QuerySolutions)
    assert len(list(rows)) == 1


def test_own_writes_are_counted_once(pair: tuple[RemoteStore, RemoteStore]) -> None:
    a, _ = pair
    start = a.generation
    a.load([_triple(5)], G)
    assert a.generation == start + 1
    a._marker_checked = float("-inf")  # as if the period had passed
    assert a.generation == start + 1, "the store counted its own marker as a foreign write"


def test_the_marker_stays_out_of_what_svckg_lists(pair: tuple[RemoteStore, RemoteStore]) -> None:
    a, b = pair
    a.load([_triple(6), _triple(7)], G)
    assert MARKER_GRAPH not in b.graphs()
    assert b.graphs() == [G]
    assert b.count() == 2
    assert MARKER_GRAPH.encode() not in b.export()
    assert {q.graph_name.value for q in b.quads()} == {G}


def test_a_marker_check_is_one_small_query_at_most_once_a_second(
    pair: tuple[RemoteStore, RemoteStore],
) -> None:
    a, b = pair
    sent: list[bytes] = []
    b.generation  # noqa: B018  (the dialect and the first marker read are done)
    b._client.event_hooks["request"].append(lambda request: sent.append(request.content))
    began = time.monotonic()
    reads = 0
    while time.monotonic() - began < 0.5:
        b.generation  # noqa: B018
        reads += 1
    assert reads > 100
    assert sent == [], "a second marker query within a second"
    b._marker_checked -= MARKER_PERIOD_S  # the period has passed
    b.generation  # noqa: B018
    b.generation  # noqa: B018
    assert len(sent) == 1
    marker_queries = [body for body in sent if b"query=" in body]
    assert marker_queries and all(len(body) < 400 for body in marker_queries)
    assert all(httpx.QueryParams(body.decode())["query"] == MARKER_QUERY for body in sent)
    assert b.marker_checks >= 1


def test_without_the_marker_nothing_is_written_or_read(
    pair: tuple[RemoteStore, RemoteStore],
) -> None:
    """``change_marker=False`` (a plain SPARQL client, the CLI beside a server): no marker
    request and no marker read."""
    a, _ = pair
    plain = RemoteStore(a.query_url, update_url=a.update_url, gsp_url=a.gsp_url)
    plain.dialect  # noqa: B018
    sent: list[httpx.Request] = []
    plain._client.event_hooks["request"].append(sent.append)
    plain.load([_triple(8)], G)
    plain.generation  # noqa: B018
    assert len(sent) == 1 and sent[0].method in ("POST", "PUT")
    assert plain.marker_checks == 0
    plain.close()
