"""Helpers for the validation tests: build a pyoxigraph store and a shapes graph from Turtle."""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox
import pytest
from rdflib import Graph

PREFIXES = """
@prefix ex: <http://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
DATA_GRAPH = "urn:svckg:test:data"


def shapes_graph(turtle: str) -> Graph:
    """A shapes graph from Turtle (the common prefixes are added)."""
    return Graph().parse(data=PREFIXES + turtle, format="turtle")


def data_store(turtle: str, graph: str = DATA_GRAPH) -> ox.Store:
    """An in-memory pyoxigraph store holding the Turtle in one named graph."""
    store = ox.Store()
    store.load((PREFIXES + turtle).encode(), ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph))
    return store


@pytest.fixture
def make_store() -> Callable[[str], ox.Store]:
    return data_store


@pytest.fixture
def make_shapes() -> Callable[[str], Graph]:
    return shapes_graph
