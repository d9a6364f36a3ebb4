"""A consumer's scope, derived from the demo landscape: its own parties, relationships,
agreements, what those cover, its journeys, and the band of visibility; nothing of another
consumer and nothing behind the line of visibility."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from svckg.analysis.scope import consumer_scope, consumers, is_vocabulary, scope_of
from svckg.vocab import ID

SVC = "https://w3id.org/svckg#"


def _objects(store, subject: str, predicate: str) -> set[str]:
    return {
        q.object.value
        for q in store.quads(subject=ox.NamedNode(subject), predicate=ox.NamedNode(SVC + predicate))
    }


def _typed(store, cls: str) -> set[str]:
    rows = store.query(
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        f"SELECT DISTINCT ?x WHERE {{ ?x a/rdfs:subClassOf* <{SVC}{cls}> }}"
    )
    return {r["x"].value for r in rows if isinstance(r["x"], ox.NamedNode)}


def test_demo_consumers_include_organizations_and_a_person(demo_store) -> None:
    found = consumers(demo_store)
    assert str(ID["aurora-hospitals"]) in found
    assert str(ID["eva-holt"]) in found  # a B2C consumer: a person
    assert str(ID["nordlight-it"]) in found  # the provider consumes its suppliers' services
    people = _typed(demo_store, "Person")
    assert any(c in people for c in found)


@pytest.mark.parametrize("consumer", ["aurora-hospitals", "fjordline-logistics", "eva-holt"])
def test_scope_follows_the_relationships_of_the_graph(demo_store, consumer: str) -> None:
    org = str(ID[consumer])
    scope = scope_of(demo_store, org)
    rels = {
        q.subject.value
        for q in demo_store.quads(
            predicate=ox.NamedNode(SVC + "consumer"), object=ox.NamedNode(org)
        )
    }
    assert rels and rels <= scope.full
    agreements = set().union(*(_objects(demo_store, r, "governedBy") for r in rels))
    assert agreements <= scope.full
    for agreement in agreements:
        assert _objects(demo_store, agreement, "target") <= scope.full
        assert _objects(demo_store, agreement, "covers") <= scope.full
    bands = set().union(*(_objects(demo_store, r, "hasBandOfVisibility") for r in rels))
    visible = set().union(set(), *(_objects(demo_store, b, "visibleElement") for b in bands))
    assert visible <= scope.iris
    assert org in scope.full
    assert consumer_scope(demo_store, org) == scope.iris


def test_nothing_of_another_consumer_nor_behind_the_line(demo_store) -> None:
    everyone = consumers(demo_store)
    internal = ("BackendService", "Application", "InfrastructureComponent", "Process", "Capability")
    backend = set().union(*(_typed(demo_store, cls) for cls in internal))
    assert backend
    for org in everyone:
        scope = scope_of(demo_store, org)
        bands = {
            e
            for r in scope.full
            for b in _objects(demo_store, r, "hasBandOfVisibility")
            for e in _objects(demo_store, b, "visibleElement")
        }
        covered = {c for a in scope.full for c in _objects(demo_store, a, "covers")}
        assert not (scope.iris & backend) - bands - covered, org
        for other in everyone:
            if other == org:
                continue
            theirs = {
                q.subject.value
                for q in demo_store.quads(
                    predicate=ox.NamedNode(SVC + "consumer"), object=ox.NamedNode(other)
                )
            }
            assert not theirs & scope.iris, (org, other)
            if other not in scope.named:  # a provider is named in its customers' scope
                assert other not in scope.iris, (org, other)


def test_unknown_consumer_sees_nothing(demo_store) -> None:
    assert consumer_scope(demo_store, "https://example.org/nobody") == frozenset()


def test_vocabulary_terms_are_public() -> None:
    assert is_vocabulary(SVC + "Touchpoint")
    assert is_vocabulary("https://w3id.org/svckg/concepts/user")
    assert not is_vocabulary(str(ID["cloud-workplace"]))
