"""shapes/ontology-style.ttl lints the ontology and the concept schemes."""

from __future__ import annotations

import pytest
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SH, SKOS

from svckg.config import SHAPES_DIR
from svckg.vocab import CONCEPT, SVC, SVCSH


@pytest.fixture(scope="module")
def style() -> Graph:
    return Graph().parse(SHAPES_DIR / "ontology-style.ttl", format="turtle")


def _failing(data: Graph, style: Graph) -> set[tuple[URIRef, URIRef]]:
    _, report, _ = validate(data, shacl_graph=style)
    return {
        (report.value(r, SH.sourceShape), report.value(r, SH.focusNode))
        for r in report.subjects(SH.resultSeverity, None)
    }


def test_ontology_and_concepts_pass_style(ontology: Graph, concepts: Graph, style: Graph) -> None:
    assert _failing(ontology + concepts, style) == set()


def test_style_reports_missing_definition(ontology: Graph, concepts: Graph, style: Graph) -> None:
    broken = ontology + concepts
    broken.remove((SVC.Touchpoint, SKOS.definition, None))
    broken.remove((SVC.stepOrder, RDFS.label, None))
    broken.remove((CONCEPT.chat, SKOS.prefLabel, None))
    assert _failing(broken, style) == {
        (SVCSH["OntologyTerm-definition"], SVC.Touchpoint),
        (SVCSH["OntologyTerm-label"], SVC.stepOrder),
        (SVCSH["Concept-prefLabel"], CONCEPT.chat),
    }


def test_style_reports_undeclared_term(ontology: Graph, concepts: Graph, style: Graph) -> None:
    broken = ontology + concepts
    broken.remove((SVC.costCenter, None, None))
    broken.add((SVC.costCenter, RDFS.label, Literal("cost center", lang="en")))
    assert (SVCSH["OntologyTerm-declared"], SVC.costCenter) in _failing(broken, style)
