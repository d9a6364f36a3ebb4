"""The dependency index: built from the ontology, refreshed after graphs come and go, rebuilt
after any other change."""

from __future__ import annotations

import pyoxigraph as ox

from svckg.analysis.impact import impact
from svckg.analysis.index import DEPENDS_ON, MEMBER, build_index, get_index, invalidate

ID = "https://w3id.org/svckg/id/"
SVC = "https://w3id.org/svckg#"
NEW_GRAPH = "https://w3id.org/svckg/graph/import/new/v1"
TTL = "@prefix svc: <https://w3id.org/svckg#> . @prefix id: <https://w3id.org/svckg/id/> .\n"


def load(store, graph: str, turtle: str) -> None:
    store.load((TTL + turtle).encode(), graph, format=ox.RdfFormat.TURTLE)


def test_edges_come_from_the_ontology_sub_properties(mail):
    index = build_index(mail)
    assert "https://example.org/ext#runsOn" in index.dependency_predicates
    assert DEPENDS_ON not in index.dependency_predicates
    assert (MEMBER, ID + "db1") in index.forward[ID + "db-group"]
    assert index.minimum_required == {ID + "db-group": 1}
    assert index.layer(ID + "webmail") == "https://w3id.org/svckg/concepts/experience-layer"
    assert index.layer(ID + "vm1") == "https://w3id.org/svckg/concepts/resource-layer"


def test_a_new_graph_refreshes_the_same_index(mail):
    before = get_index(mail)
    load(
        mail,
        NEW_GRAPH,
        "id:reporting a svc:BackendService ; svc:usesResource id:vm1 ; "
        "svc:ownedBy id:alice . id:vm1 svc:ownedBy id:ops-team .",
    )
    after = get_index(mail)
    assert after is before and after.refresh_seconds > 0
    assert (SVC + "usesResource", ID + "reporting") in after.backward[ID + "vm1"]
    assert after.owners[ID + "vm1"] == [ID + "ops-team"]
    found = {e.iri for e in impact(mail, ["id:vm1"]).impacted}
    assert ID + "reporting" in found


def test_dropping_a_graph_forgets_only_its_facts(mail):
    load(
        mail,
        NEW_GRAPH,
        "id:reporting svc:usesResource id:vm1 . id:vm1 svc:ownedBy id:ops-team ."
        "id:app-mail svc:usesResource id:db1 .",
    )
    index = get_index(mail)
    assert ID + "reporting" in {e.iri for e in impact(mail, ["id:vm1"]).impacted}
    mail.drop_graph(NEW_GRAPH)
    assert get_index(mail) is index
    assert ID + "reporting" not in {e.iri for e in impact(mail, ["id:vm1"]).impacted}
    assert ID + "vm1" not in index.owners
    # app-mail keeps its edge from the mail graph and loses the one from the dropped graph
    assert index.forward[ID + "app-mail"] == [("https://example.org/ext#runsOn", ID + "vm1")]
    assert index.labels[ID + "app-mail"] == "Mail server"


def test_a_change_inside_a_graph_rebuilds(mail):
    before = get_index(mail)
    mail.update(
        "DELETE DATA { GRAPH <https://w3id.org/svckg/graph/import/mail> { "
        "<https://w3id.org/svckg/id/bes-mail> <https://w3id.org/svckg#usesResource> "
        "<https://w3id.org/svckg/id/app-mail> } }"
    )
    after = get_index(mail)
    assert after is not before
    assert ID + "bes-mail" not in {e.iri for e in impact(mail, ["id:app-mail"]).impacted}


def test_an_ontology_change_rebuilds_and_follows_the_new_sub_property(mail):
    before = get_index(mail)
    load(
        mail,
        NEW_GRAPH,
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "svc:hostedOn rdfs:subPropertyOf svc:dependsOn .\n"
        "id:portal svc:hostedOn id:vm1 .",
    )
    after = get_index(mail)
    assert after is not before
    assert SVC + "hostedOn" in after.dependency_predicates
    assert ID + "portal" in {e.iri for e in impact(mail, ["id:vm1"]).impacted}


def test_invalidate_forgets_the_cache(mail):
    before = get_index(mail)
    invalidate(mail)
    assert get_index(mail) is not before
