"""ontology/alignments.ttl against the Open Group schema and the svckg ontology."""

from __future__ import annotations

from lxml import etree
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from svckg.config import ONTOLOGY_DIR
from svckg.ingest.mapping import load_alignment
from svckg.vocab import SVC
from tests.conftest import fixture_path, requires_fixtures

XSD = fixture_path("archimate/xsd/archimate3_Model.xsd")
XS = "{http://www.w3.org/2001/XMLSchema}"


def _enumeration(name: str) -> set[str]:
    root = etree.parse(str(XSD)).getroot()
    (simple,) = [s for s in root.iter(f"{XS}simpleType") if s.get("name") == name]
    return {e.get("value") for e in simple.iter(f"{XS}enumeration")}


@requires_fixtures
def test_every_archimate_type_of_the_schema_is_declared() -> None:
    a = load_alignment()
    assert _enumeration("ElementTypeEnum") == set(a.element_types)
    assert _enumeration("RelationshipTypeEnum") == set(a.relationship_types)


def test_mapped_classes_and_rule_properties_exist_in_the_ontology() -> None:
    ontology = Graph().parse(ONTOLOGY_DIR / "svckg.ttl")
    a = load_alignment()
    classes = {str(c) for c in ontology.subjects(RDF.type, OWL.Class)}
    for cls in {*a.element_class.values(), *a.consumer_class.values()}:
        assert cls in classes, cls
    subproperties = {
        str(p) for p in ontology.transitive_subjects(RDFS.subPropertyOf, SVC.dependsOn)
    }
    for rule in a.rules:
        assert rule.property in subproperties, rule.property
        assert rule.dependent_classes <= classes and rule.dependee_classes <= classes
    assert a.fallback_property == str(SVC.dependsOn)


def test_alignment_terms_have_labels_and_sound_directions() -> None:
    g = Graph().parse(ONTOLOGY_DIR / "alignments.ttl")
    mapping = "https://w3id.org/svckg/mapping#"
    for term in set(g.subjects(RDF.type, URIRef(mapping + "ElementType"))) | set(
        g.subjects(RDF.type, URIRef(mapping + "RelationshipType"))
    ):
        assert g.value(term, RDFS.label) is not None, term
    a = load_alignment()
    dependents = {name: r.dependent for name, r in a.relationship_types.items()}
    assert dependents == {
        "Serving": "target",
        "Realization": "target",
        "Assignment": "target",
        "Composition": "source",
        "Aggregation": "source",
        "Access": "source",
        "Influence": None,
        "Triggering": None,
        "Flow": None,
        "Specialization": None,
        "Association": None,
    }
