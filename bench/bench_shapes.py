"""Cost of each project shape (shapes/core.ttl + shapes/recommended.ttl) on synthetic landscapes.

Builds the validation data the way the import pipeline does (landscape + ontology + concepts +
entailed svc:dependsOn edges) in an in-memory pyoxigraph store, validates with every shape,
then with one top-level shape at a time (all others ``sh:deactivated``), and prints a Markdown
table per size. Not run by pytest.

Usage::

    python bench/bench_shapes.py 100k 1M
    python bench/bench_shapes.py 100k --pyshacl      # also time pyshacl on all shapes
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.landscape import generate, parse_size  # noqa: E402
from svckg.config import ONTOLOGY_DIR  # noqa: E402
from svckg.ingest.inference import dependency_edges  # noqa: E402
from svckg.validation.shacl import load_shapes, validate_store  # noqa: E402

DATA = ox.NamedNode("urn:bench:data")
ONTOLOGY = ox.NamedNode("urn:bench:ontology")
INFERRED = ox.NamedNode("urn:bench:inferred")
SUBPROPERTIES = """
SELECT ?p WHERE { GRAPH <urn:bench:ontology> {
  ?p <http://www.w3.org/2000/01/rdf-schema#subPropertyOf>+ <https://w3id.org/svckg#dependsOn> } }
"""


def build_store(n_triples: int) -> ox.Store:
    """Landscape + ontology + concepts + entailed dependsOn edges, as the pipeline validates."""
    store = ox.Store()
    store.load(generate(n_triples), format=ox.RdfFormat.N_TRIPLES, to_graph=DATA)
    for name in ("svckg.ttl", "concepts.ttl"):
        store.load(path=str(ONTOLOGY_DIR / name), format=ox.RdfFormat.TURTLE, to_graph=ONTOLOGY)
    subproperties = {row["p"].value for row in store.query(SUBPROPERTIES)}
    triples = [q.triple for q in store.quads_for_pattern(None, None, None, DATA)]
    edges = dependency_edges(triples, subproperties)
    store.extend([ox.Quad(t.subject, t.predicate, t.object, INFERRED) for t in edges])
    return store


def top_level_shapes(shapes: Graph) -> list[URIRef]:
    """Named node shapes that have targets (the ones a validator starts from)."""
    targets = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
    return sorted(
        s
        for s in shapes.subjects(RDF.type, SH.NodeShape)
        if isinstance(s, URIRef) and any((s, t, None) in shapes for t in targets)
    )


def only(shapes: Graph, keep: URIRef) -> Graph:
    """A copy of ``shapes`` in which every top-level shape except ``keep`` is deactivated."""
    copy = Graph() + shapes
    for s in top_level_shapes(shapes):
        if s != keep:
            copy.add((s, SH.deactivated, Literal(True)))
    return copy


def timed(store: ox.Store, shapes: Graph, validator: str) -> tuple[float, int]:
    t0 = time.perf_counter()
    report = validate_store(store, shapes, validator=validator)
    return time.perf_counter() - t0, len(report.results)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sizes", nargs="+", help="target triples: 100k, 1M or a number")
    ap.add_argument("--pyshacl", action="store_true", help="also time pyshacl on all shapes")
    args = ap.parse_args(argv)
    shapes = load_shapes()
    for size in args.sizes:
        t0 = time.perf_counter()
        store = build_store(parse_size(size))
        print(f"\n### {size}: {len(store)} triples (built in {time.perf_counter() - t0:.1f} s)\n")
        seconds, results = timed(store, shapes, "sparql")
        print("| shape | results | seconds (sparql) |\n|---|---:|---:|")
        print(f"| **all shapes** | {results} | {seconds:.2f} |")
        rows = []
        for shape in top_level_shapes(shapes):
            seconds, results = timed(store, only(shapes, shape), "sparql")
            rows.append((seconds, results, str(shape).rsplit("#", 1)[-1]))
        for seconds, results, name in sorted(rows, reverse=True):
            print(f"| {name} | {results} | {seconds:.3f} |")
        if args.pyshacl:
            seconds, results = timed(store, shapes, "pyshacl")
            print(f"\npyshacl, all shapes: {seconds:.1f} s, {results} results")
    return 0


if __name__ == "__main__":
    sys.exit(main())
