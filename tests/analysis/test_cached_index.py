"""``cached_index``: an up-to-date index without a full build, or None (the engine answers),
and never a wait for a build running in another thread; plus the flat columns' sizes."""

from __future__ import annotations

import threading
import time

import pyoxigraph as ox

from svckg.analysis import index as index_module
from svckg.analysis.index import build_index, cached_index, get_index, last_index

ID = "https://w3id.org/svckg/id/"
SVC = "https://w3id.org/svckg#"
TTL = "@prefix svc: <https://w3id.org/svckg#> . @prefix id: <https://w3id.org/svckg/id/> .\n"


def load(store, graph: str, turtle: str) -> None:
    store.load((TTL + turtle).encode(), graph, format=ox.RdfFormat.TURTLE)


def _wait_for_index(store, deadline_s: float = 30.0):
    deadline = time.monotonic() + deadline_s
    while (found := cached_index(store)) is None:
        assert time.monotonic() < deadline, "the background build never finished"
        time.sleep(0.02)
    return found


def test_none_until_built_then_the_current_index(mail):
    assert cached_index(mail) is None  # in memory: no snapshot, and it never builds itself
    built = get_index(mail)
    assert cached_index(mail) is built


def test_a_new_graph_is_refreshed_in_place(mail):
    built = get_index(mail)
    load(mail, "urn:g:new", "id:reporting svc:usesResource id:vm1 .")
    refreshed = cached_index(mail)
    assert refreshed is built and refreshed.generation == mail.generation
    assert (SVC + "usesResource", ID + "reporting") in refreshed.backward[ID + "vm1"]


def test_a_change_inside_a_graph_gives_none_and_rebuilds_in_the_background(mail):
    before = get_index(mail)
    mail.update(
        "DELETE DATA { GRAPH <https://w3id.org/svckg/graph/import/mail> { "
        f"<{ID}bes-mail> <{SVC}usesResource> <{ID}app-mail> }} }}"
    )
    assert cached_index(mail) is None
    after = _wait_for_index(mail)
    assert after is not before and after.generation == mail.generation
    assert (SVC + "usesResource", ID + "bes-mail") not in after.backward.get(ID + "app-mail", [])


def test_never_waits_for_a_build_in_another_thread(mail, monkeypatch):
    started, release = threading.Event(), threading.Event()
    real_build = index_module.build_index

    def slow_build(store, progress=None):  # type: ignore[no-untyped-def]
        started.set()
        assert release.wait(30)
        return real_build(store, progress)

    monkeypatch.setattr(index_module, "build_index", slow_build)
    worker = threading.Thread(target=get_index, args=(mail,))
    worker.start()
    try:
        assert started.wait(30)
        t0 = time.perf_counter()
        assert cached_index(mail) is None
        assert last_index(mail) is None
        assert time.perf_counter() - t0 < 1.0
    finally:
        release.set()
        worker.join(30)
    assert cached_index(mail) is last_index(mail) is not None


def test_the_flat_columns_match_the_edges(mail):
    index = build_index(mail)
    edges = sum(len(v) for v in index.forward.values())
    assert index.edge_count == edges == sum(len(v) for v in index.backward.values())
    assert index.node_count == len(set(index.forward) | set(index.backward))
    for needed, dependents in index.backward.items():
        for predicate, dependent in dependents:
            assert (predicate, needed) in index.forward[dependent]
