"""Validation the way the import pipeline does it, for the shape tests.

The validation data graph = the files + ontology/svckg.ttl + ontology/concepts.ttl + the
``svc:dependsOn`` edge entailed by every dependency sub-property edge (computed with
``svckg.ingest.inference.dependency_edges``, as the pipeline does). No other inference:
``sh:class`` follows ``rdfs:subClassOf`` because the ontology is in the data graph.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS, SH

from svckg.config import ONTOLOGY_DIR, SHAPES_DIR
from svckg.ingest.inference import dependency_edges
from svckg.vocab import SVC

Failure = tuple[URIRef, URIRef, URIRef]
"""(source shape, focus node, severity) of one validation result."""


@pytest.fixture(scope="session")
def ontology_graph() -> Graph:
    graph = Graph()
    graph.parse(ONTOLOGY_DIR / "svckg.ttl", format="turtle")
    graph.parse(ONTOLOGY_DIR / "concepts.ttl", format="turtle")
    return graph


@pytest.fixture(scope="session")
def shapes() -> Graph:
    graph = Graph()
    graph.parse(SHAPES_DIR / "core.ttl", format="turtle")
    graph.parse(SHAPES_DIR / "recommended.ttl", format="turtle")
    return graph


def _entailed(files: Iterable[Path], subproperties: set[str]) -> Graph:
    triples: list[ox.Triple] = []
    for f in files:
        triples.extend(q.triple for q in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE))
    edges = Graph()
    for t in dependency_edges(triples, subproperties):
        edges.add((URIRef(t.subject.value), SVC.dependsOn, URIRef(t.object.value)))
    return edges


@pytest.fixture(scope="session")
def validation_graph(ontology_graph: Graph) -> Callable[[Iterable[Path]], Graph]:
    subproperties = {
        str(p) for p in ontology_graph.transitive_subjects(RDFS.subPropertyOf, SVC.dependsOn)
    } - {str(SVC.dependsOn)}

    def build(files: Iterable[Path]) -> Graph:
        files = list(files)
        graph = Graph() + ontology_graph
        for f in files:
            graph.parse(f, format="turtle")
        graph += _entailed(files, subproperties)
        return graph

    return build


@pytest.fixture(scope="session")
def failures(
    shapes: Graph, validation_graph: Callable[[Iterable[Path]], Graph]
) -> Callable[[Iterable[Path]], set[Failure]]:
    def run(files: Iterable[Path]) -> set[Failure]:
        _, report, _ = validate(validation_graph(files), shacl_graph=shapes, advanced=True)
        return {
            (report.value(r, SH.sourceShape), report.value(r, SH.focusNode), severity)
            for r, severity in report.subject_objects(SH.resultSeverity)
        }

    return run
