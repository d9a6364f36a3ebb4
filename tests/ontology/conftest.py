"""Parsed ontology and concept graphs, shared by the ontology tests (parsed once per session)."""

from __future__ import annotations

import pytest
from rdflib import Graph

from svckg.config import ONTOLOGY_DIR


@pytest.fixture(scope="session")
def ontology() -> Graph:
    graph = Graph()
    graph.parse(ONTOLOGY_DIR / "svckg.ttl", format="turtle")
    return graph


@pytest.fixture(scope="session")
def concepts() -> Graph:
    graph = Graph()
    graph.parse(ONTOLOGY_DIR / "concepts.ttl", format="turtle")
    return graph
