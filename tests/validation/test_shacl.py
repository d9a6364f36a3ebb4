"""The front door: both validators on the project's own shapes and data give the same report.

The data graph is built the way the import pipeline builds it: the files, the ontology, the
concept schemes and the ``svc:dependsOn`` edges entailed by the dependency sub-properties.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from svckg.config import DATA_DIR, ONTOLOGY_DIR, load_settings
from svckg.errors import ParseError, ShapesError
from svckg.ingest.inference import dependency_edges
from svckg.store.embedded import EmbeddedStore
from svckg.validation.shacl import (
    from_pyshacl,
    load_shapes,
    store_to_graph,
    validate,
    validate_pyshacl,
    validate_store,
)
from svckg.vocab import SVCSH

DATA = "urn:svckg:test:data"
INVALID = sorted((DATA_DIR / "invalid").glob("*.ttl"))


def _dependency_subproperties() -> set[str]:
    store = ox.Store()
    store.load(path=str(ONTOLOGY_DIR / "svckg.ttl"), format=ox.RdfFormat.TURTLE)
    rows = store.query(
        "SELECT DISTINCT ?p WHERE { ?p <http://www.w3.org/2000/01/rdf-schema#"
        "subPropertyOf>+ <https://w3id.org/svckg#dependsOn> }"
    )
    return {row["p"].value for row in rows}


SUBPROPERTIES = _dependency_subproperties()


def _store(files: list[Path]) -> ox.Store:
    store = ox.Store()
    for name in ("svckg.ttl", "concepts.ttl"):
        store.load(
            path=str(ONTOLOGY_DIR / name),
            format=ox.RdfFormat.TURTLE,
            to_graph=ox.NamedNode(f"urn:svckg:test:{name}"),
        )
    triples = []
    for f in files:
        triples += [q.triple for q in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE)]
    graph = ox.NamedNode(DATA)
    store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
    store.extend(
        ox.Quad(t.subject, t.predicate, t.object, graph)
        for t in dependency_edges(triples, SUBPROPERTIES)
    )
    return store


def _expected_shapes(path: Path) -> set[str]:
    heads = re.findall(r"^# expect: svcsh:(\S+)", path.read_text(encoding="utf-8"), re.M)
    return {str(SVCSH[name]) for name in heads}


def test_demo_landscape_same_report_from_both_validators() -> None:
    store = _store(sorted(DATA_DIR.glob("*.ttl")))
    shapes = load_shapes()
    fast = validate_store(store, shapes, validator="sparql")
    reference = validate_store(store, shapes, validator="pyshacl")
    assert Counter(r.key() for r in fast.results) == Counter(r.key() for r in reference.results)
    assert fast.conforms


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_example_same_report_from_both_validators(path: Path) -> None:
    store = _store([path])
    shapes = load_shapes()
    fast = validate_store(store, shapes, validator="sparql")
    assert _expected_shapes(path) <= {r.source_shape for r in fast.results}
    reference = validate_pyshacl(store_to_graph(store), shapes)
    assert Counter(r.key() for r in fast.results) == Counter(r.key() for r in reference.results)
    assert all(r.message for r in fast.results)


def test_settings_choose_the_validator(monkeypatch: pytest.MonkeyPatch) -> None:
    """The edge reads SVCKG_VALIDATOR into Settings and passes settings.validator down;
    validate_store itself never reads the environment."""
    store = EmbeddedStore(None)  # an EmbeddedStore works as well as a raw pyoxigraph Store
    store.load(INVALID[0].read_bytes(), DATA, format=ox.RdfFormat.TURTLE)
    shapes = load_shapes()
    monkeypatch.setenv("SVCKG_VALIDATOR", "pyshacl")
    settings = load_settings()
    by_settings = validate_store(store, shapes, default_graph=[DATA], validator=settings.validator)
    with pytest.raises(ShapesError, match="unknown validator"):
        validate_store(store, shapes, validator="nonsense")
    fast = validate_store(store, shapes, default_graph=[DATA], validator="sparql")
    assert Counter(r.key() for r in by_settings.results) == Counter(r.key() for r in fast.results)
    assert by_settings.results


def test_load_shapes_defaults_and_errors(tmp_path: Path) -> None:
    shapes = load_shapes()
    assert shapes is load_shapes()  # cached
    assert (SVCSH.CustomerFacingServiceShape, None, None) in shapes
    with pytest.raises(ShapesError, match="not found"):
        load_shapes([tmp_path / "missing.ttl"])
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n<urn:s> sh:path .\n")
    with pytest.raises(ParseError) as caught:
        load_shapes([bad])
    assert str(bad) in caught.value.describe()


def test_pyshacl_report_converts_messages_paths_and_values() -> None:
    from pyshacl import validate

    shapes = Graph().parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:S> sh:targetNode <urn:a> ; sh:property [ sh:path ( <urn:p> <urn:q> ) ;
            sh:datatype <http://www.w3.org/2001/XMLSchema#integer> ; sh:message "bad" ] .""",
        format="turtle",
    )
    data = Graph().parse(data='<urn:a> <urn:p> [ <urn:q> "x" ] .', format="turtle")
    _, results, _ = validate(data, shacl_graph=shapes)
    [result] = from_pyshacl(results, shapes).results
    assert (result.focus_node, result.path, result.value, result.message) == (
        "urn:a",
        "<urn:p>/<urn:q>",
        '"x"',
        "bad",
    )
    assert result.constraint_component.endswith("DatatypeConstraintComponent")


def test_validate_takes_an_rdflib_graph_with_blank_nodes() -> None:
    shapes = Graph().parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:S> sh:targetClass <urn:C> ;
            sh:property [ sh:path <urn:p> ; sh:minCount 1 ; sh:node <urn:N> ] .
        <urn:N> sh:property [ sh:path <urn:q> ;
            sh:datatype <http://www.w3.org/2001/XMLSchema#string> ] .""",
        format="turtle",
    )
    data = Graph().parse(
        data="<urn:a> a <urn:C> . <urn:b> a <urn:C> ; <urn:p> [ <urn:q> 1 ] .", format="turtle"
    )
    fast = validate(data, shapes, validator="sparql")
    reference = validate(data, shapes, validator="pyshacl")
    assert Counter(r.key() for r in fast.results) == Counter(r.key() for r in reference.results)
    assert {(r.focus_node, r.constraint_component.split("#")[1]) for r in fast.results} == {
        ("urn:a", "MinCountConstraintComponent"),
        ("urn:b", "NodeConstraintComponent"),
    }
