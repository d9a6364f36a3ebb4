"""``/api/ui/classes`` names and defines each class and property as the ontology file does,
read independently with rdflib (labels: skos:prefLabel before rdfs:label, English first;
definitions: skos:definition, else rdfs:comment)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rdflib import RDFS, SKOS, Graph, URIRef

from svckg.api.app import create_app
from svckg.cli.serve import prepare_store
from svckg.config import ONTOLOGY_DIR, Settings
from svckg.store.embedded import EmbeddedStore


@pytest.fixture(scope="module")
def answer() -> dict[str, Any]:
    store = EmbeddedStore(None)
    prepare_store(store)
    with TestClient(create_app(Settings(), store=store)) as client:
        response = client.get("/api/ui/classes")
    assert response.status_code == 200
    return response.json()


@pytest.fixture(scope="module")
def ontology() -> Graph:
    graph = Graph()
    graph.parse(ONTOLOGY_DIR / "svckg.ttl")
    return graph


def _walk(nodes: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for node in nodes:
        yield node
        yield from _walk(node["children"])


def _english(graph: Graph, iri: str, *predicates: URIRef) -> str | None:
    for predicate in predicates:
        values = list(graph.objects(URIRef(iri), predicate))
        for wanted in ("en", None):
            for value in values:
                if getattr(value, "language", None) == wanted:
                    return str(value)
    return None


def test_every_class_is_named_and_defined_as_in_the_ontology_file(answer, ontology) -> None:
    nodes = list(_walk(answer["roots"]))
    svc = [n for n in nodes if n["iri"].startswith("https://w3id.org/svckg#")]
    assert len({n["iri"] for n in svc}) >= 40
    for node in svc:
        label = _english(ontology, node["iri"], SKOS.prefLabel, RDFS.label)
        if label is not None:
            assert node["label"] == label, node["iri"]
        definition = _english(ontology, node["iri"], SKOS.definition)
        if definition is not None:
            assert node["definition"] == definition, node["iri"]


def test_every_property_is_named_and_defined_as_in_the_ontology_file(answer, ontology) -> None:
    props = [p for p in answer["properties"] if p["iri"].startswith("https://w3id.org/svckg#")]
    assert len(props) >= 40
    for prop in props:
        label = _english(ontology, prop["iri"], SKOS.prefLabel, RDFS.label)
        if label is not None:
            assert prop["label"] == label, prop["iri"]
        definition = _english(ontology, prop["iri"], SKOS.definition, RDFS.comment)
        if definition is not None:
            assert prop["definition"] == definition, prop["iri"]
