"""Consumer views: what a view holds, and how a refresh keeps it in step with the store
(rewriting only views whose triples changed, renewing all when the vocabulary changes)."""

from __future__ import annotations

import pyoxigraph as ox

from svckg.analysis.scope import consumers, is_vocabulary
from svckg.analysis.views import ConsumerViews, view_graph
from svckg.store.embedded import EmbeddedStore
from svckg.terms import LABEL_PREDICATE_IRIS, RDF_TYPE_IRI
from svckg.vocab import ID, SYSTEM_GRAPH, VOCABULARY_GRAPHS

EVA = str(ID["eva-holt"])
AURORA = str(ID["aurora-hospitals"])


def test_a_view_holds_its_scope_and_the_vocabulary_only(demo_store: EmbeddedStore) -> None:
    views = ConsumerViews(consumers(demo_store))
    for consumer in views.consumers:
        view = views.view(demo_store, consumer)
        assert view.store.graphs() == sorted([view_graph(consumer), *VOCABULARY_GRAPHS])
        assert view.store.count(view_graph(consumer)) == len(view.triples) > 0
        for triple in view.triples:
            assert triple.subject.value in view.scope
            obj = triple.object
            assert (
                isinstance(obj, ox.Literal) or obj.value in view.scope or is_vocabulary(obj.value)
            )
            if triple.subject.value in view.scope.named:
                assert triple.predicate.value in (RDF_TYPE_IRI, *LABEL_PREDICATE_IRIS)
        for graph in VOCABULARY_GRAPHS:
            assert view.store.count(graph) == demo_store.count(graph)


def test_refresh_rewrites_only_what_changed(fresh_demo_store: EmbeddedStore) -> None:
    store = fresh_demo_store
    views = ConsumerViews([EVA, AURORA])
    first = views.refresh(store)
    assert first["changed"] == 2
    eva, aurora = views.view(store, EVA), views.view(store, AURORA)
    assert views.refresh(store)["changed"] == 0  # nothing moved
    journey = ox.NamedNode(str(ID["journey-eva-personal"]))
    label = ox.NamedNode(LABEL_PREDICATE_IRIS[1])
    store.load([ox.Triple(journey, label, ox.Literal("Renamed"))], "urn:test:g")
    assert views.refresh(store)["changed"] == 1
    eva_after = views.view(store, EVA)
    assert eva_after.store is eva.store  # rewritten in place, by its difference
    assert eva_after.triples - eva.triples == {ox.Triple(journey, label, ox.Literal("Renamed"))}
    assert ox.Triple(journey, label, ox.Literal("Renamed")) in eva_after.triples
    assert views.view(store, AURORA) is aurora  # untouched
    answer = eva_after.store.query(f'ASK {{ {journey} {label} "Renamed" }}')
    assert bool(answer)


def test_lazy_refresh_when_the_store_moved(fresh_demo_store: EmbeddedStore) -> None:
    store = fresh_demo_store
    views = ConsumerViews([EVA])
    before = views.view(store, EVA)
    step = ox.NamedNode(str(ID["step-eva-buy"]))
    touchpoint = ox.NamedNode(str(ID["tp-eva-new"]))
    store.load(
        [
            ox.Triple(step, ox.NamedNode("https://w3id.org/svckg#hasTouchpoint"), touchpoint),
            ox.Triple(touchpoint, ox.NamedNode(LABEL_PREDICATE_IRIS[1]), ox.Literal("New")),
        ],
        "urn:test:g",
    )
    after = views.view(store, EVA)  # no explicit refresh: the generation moved
    assert touchpoint.value in after.scope and touchpoint.value not in before.scope
    assert views.generation == store.generation


def test_a_vocabulary_change_renews_every_view(fresh_demo_store: EmbeddedStore) -> None:
    store = fresh_demo_store
    views = ConsumerViews([EVA])
    old = views.view(store, EVA)
    recorded = f"<{VOCABULARY_GRAPHS[0]}> <http://spdx.org/rdf/terms#checksumValue>"
    store.update(  # what ensure_system_graphs records when it reloads a vocabulary file
        f"DELETE {{ GRAPH <{SYSTEM_GRAPH}> {{ {recorded} ?v }} }} "
        f'INSERT {{ GRAPH <{SYSTEM_GRAPH}> {{ {recorded} "changed" }} }} '
        f"WHERE {{ GRAPH <{SYSTEM_GRAPH}> {{ {recorded} ?v }} }}"
    )
    assert views.refresh(store)["changed"] == 1
    assert views.view(store, EVA).store is not old.store


def test_a_consumer_that_is_not_in_the_graph_sees_only_the_vocabulary(
    demo_store: EmbeddedStore,
) -> None:
    views = ConsumerViews(["https://example.org/nobody"])
    view = views.view(demo_store, "https://example.org/nobody")
    assert view.triples == frozenset() and view.scope.iris == frozenset()
    rows = view.store.query("SELECT ?s WHERE { ?s ?p ?o }", default_graph=[view.graph])
    assert list(rows) == []
