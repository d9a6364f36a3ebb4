"""The schema is generated from the ontology and the shapes."""

from __future__ import annotations

from rdflib import Graph

from svckg.api.graphql.model import build_model, load_model
from svckg.api.graphql.schema import build_schema
from svckg.config import ONTOLOGY_DIR
from svckg.validation.shacl import load_shapes
from svckg.vocab import CONTRACT_CLASSES

NEW_SHAPE = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix svc: <https://w3id.org/svckg#> .
@prefix svcsh: <https://w3id.org/svckg/shapes#> .
svcsh:TestChannelShape a sh:NodeShape ; sh:targetClass svc:Channel ;
    sh:property [ sh:path svc:costCenter ; sh:maxCount 1 ] ,
                [ sh:path svc:usesResource ] .
"""


def _ontology() -> Graph:
    graph = Graph()
    graph.parse(ONTOLOGY_DIR / "svckg.ttl", format="turtle")
    return graph


def test_every_contract_class_is_a_type_with_the_ontology_hierarchy() -> None:
    model = load_model()
    sdl = build_schema(model).schema.as_str()
    for name in CONTRACT_CLASSES:
        kind = "interface" if model.classes[name].is_interface else "type"
        assert f"{kind} {name} " in sdl, name
    assert "interface Service implements Node" in sdl
    assert "type CustomerFacingService implements Service & Node" in sdl
    assert "type PlainService implements Service & Node" in sdl
    person = next(line for line in sdl.splitlines() if line.startswith("type Person "))
    assert {"Party", "Resource", "Node"} <= set(person.replace("&", " ").split())


def test_fields_follow_domains_inverses_and_max_count() -> None:
    model = load_model()
    assert "usesResource" in model.all_fields("CustomerFacingService")
    assert "isUsedBy" in model.all_fields("Application")
    assert model.fields["isUsedBy"].inverse
    assert model.fields["isCoveredBy"].predicate.endswith("#covers")
    assert model.fields["stepOrder"].single  # sh:maxCount 1 on its only class
    assert model.fields["agent"].single  # owl:FunctionalProperty
    assert not model.fields["usesResource"].single
    assert model.fields["stepOrder"].type_name == "Int"
    assert model.fields["lifecycleStatus"].type_name == "Concept"
    assert "layerOrder" not in model.node_fields  # describes concepts, not elements


def test_a_new_shape_property_becomes_a_field_without_code() -> None:
    ontology = _ontology()
    before = build_model(ontology, load_shapes())
    assert "costCenter" not in before.classes["Channel"].fields
    assert "usesResource" not in before.all_fields("Channel")
    shapes = Graph()
    for triple in load_shapes():
        shapes.add(triple)
    shapes.parse(data=NEW_SHAPE, format="turtle")
    after = build_model(ontology, shapes)
    assert "usesResource" in after.all_fields("Channel")
    sdl = build_schema(after).schema.as_str()
    channel = sdl.split("type Channel implements Node {", 1)[1].split("\n}", 1)[0]
    assert "usesResource: [Resource!]!" in channel
