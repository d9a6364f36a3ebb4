"""Import versions on a store several processes write (issue 19).

Two RemoteStore objects on one oxigraph server stand for two svckg processes (no write lock
is shared between them). Importing the same source through both at once must never put two
versions into one graph, must leave one current version, and only its data.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pyoxigraph as ox
import pytest

from svckg.ingest import imports, pipeline, records
from svckg.ingest.base import SourceFile
from svckg.store.remote import RemoteStore

ID = "https://w3id.org/svckg/id/"


def _team(name: str) -> bytes:
    return f"""
@prefix svc: <https://w3id.org/svckg#> .
@prefix id: <{ID}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
id:{name} a svc:Team ; rdfs:label "{name}"@en .
""".encode()


def _store(base: str) -> RemoteStore:
    return RemoteStore(
        f"{base}/query", update_url=f"{base}/update", gsp_url=f"{base}/store", change_marker=True
    )


def test_new_version_graphs_are_unique_on_a_shared_store(remote_store, memory_store) -> None:  # noqa: ANN001
    shared = {records.new_version_graph(remote_store, "x") for _ in range(20)}
    assert len(shared) == 20
    assert all(g.startswith(records.IMPORT_BASE + "x/") and g.endswith("/v1") for g in shared)
    assert records.new_version_graph(memory_store, "x") == records.version_graph("x", 1)


@pytest.mark.remote
def test_one_source_through_two_processes_at_once(oxigraph_server: str) -> None:
    first, second = _store(oxigraph_server), _store(oxigraph_server)
    first.update("DROP ALL")
    pipeline.import_sources(first, [SourceFile("base.ttl", _team("base-team"))])

    def run(job: tuple[RemoteStore, str]) -> records.ImportRecord:
        store, name = job
        out = pipeline.import_sources(store, [SourceFile("team.ttl", _team(name))])
        rec = out.sources[0].record
        assert rec is not None
        return rec

    for round_ in range(3):
        names = [f"team-a{round_}", f"team-b{round_}"]
        with ThreadPoolExecutor(2) as pool:
            made = list(pool.map(run, zip([first, second], names, strict=True)))
        assert made[0].graph != made[1].graph
        current = [r for r in imports.list_imports(first) if r.import_id == "team-ttl"]
        assert len(current) == 1, f"round {round_}: {len(current)} current versions"
        winner = names[[r.graph for r in made].index(current[0].graph)]
        teams = {
            q.subject.value
            for q in first.quads(predicate=ox.NamedNode(records.RDF_TYPE_IRI))
            if q.subject.value.startswith(f"{ID}team-")
        }
        assert teams == {f"{ID}{winner}"}, f"round {round_}: data of {teams}"
        live = records.live_graphs(first)
        orphans = [g for g in first.graphs() if g.startswith(records.IMPORT_BASE)]
        assert set(orphans) <= live, "a replaced version's graph stayed"
    first.update("DROP ALL")
    first.close()
    second.close()


def test_two_current_pointers_read_as_one_and_settle(memory_store) -> None:  # noqa: ANN001
    """What two processes committing one import at once can leave (each update isolated by
    snapshot, neither sees the other's pointer): two ``svc:currentVersion`` pointers. Every
    reader must still see one current version, the same one, and the settle update must
    leave exactly that pointer."""
    for name in ("first", "second"):
        pipeline.import_sources(memory_store, [SourceFile("team.ttl", _team(name))])
    old, new = records.history(memory_store, "team-ttl")
    assert (old.current, new.current) == (False, True)
    memory_store.update(
        f"INSERT DATA {{ GRAPH <{records.PROVENANCE_GRAPH}> {{ "
        f"<{records.import_iri('team-ttl')}> <{records.SVC}currentVersion> <{old.graph}> }} }}"
    )
    history = records.history(memory_store, "team-ttl")
    assert [r.graph for r in history] == [old.graph, new.graph], "a version listed twice"
    assert [r.graph for r in history if r.current] == [new.graph]
    assert [r.graph for r in imports.list_imports(memory_store)] == [new.graph]
    settle = records.settle_update(memory_store, ["team-ttl"], records.now())
    assert settle is not None
    memory_store.update(settle)
    pointers = memory_store.query(
        f"SELECT ?v WHERE {{ GRAPH <{records.PROVENANCE_GRAPH}> {{ "
        f"?i <{records.SVC}currentVersion> ?v }} }}"
    )
    assert [row["v"].value for row in pointers] == [new.graph]
    assert records.settle_update(memory_store, ["team-ttl"], records.now()) is None
    assert [r.graph for r in records.history(memory_store, "team-ttl") if r.current] == [new.graph]


def test_the_current_one_of_two_pointers_does_not_depend_on_who_reads(memory_store) -> None:  # noqa: ANN001
    """Equal end times (two commits in one second): the greater graph IRI wins, whatever the
    order the engine returns rows in."""
    pipeline.import_sources(memory_store, [SourceFile("x.ttl", _team("x"))])
    [rec] = records.history(memory_store, "x-ttl")
    a = replace(rec, graph=records.IMPORT_BASE + "x-ttl/aa/v1", ended="2026-12-07T00:00:00Z")
    b = replace(a, graph=records.IMPORT_BASE + "x-ttl/bb/v1")
    assert records._winner([a, b]) == records._winner([b, a]) == b  # noqa: SLF001
