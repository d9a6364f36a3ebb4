"""Benchmark: SHACL validation with pyshacl and with the fast SPARQL validator, side by side.

For each size of the synthetic landscape (bench/landscape.py) the data graph is built the way
the import pipeline builds it (landscape + ontology + concept schemes + the ``svc:dependsOn``
edges entailed by the dependency sub-properties) in an in-memory pyoxigraph store, then:

- full validation with the fast validator (shapes/core.ttl + shapes/recommended.ttl);
- full validation with pyshacl on a plain rdflib copy of the same data (skipped above
  ``--pyshacl-max`` triples: at 5 M it needs well over half an hour and ~8 GB here);
- both reports compared as multisets of results;
- at the size named by ``--change-at``: a 1,000-triple change (2.5 new portfolio units that
  depend on the shared hubs) added to the store and validated in scope (only the focus nodes
  it can affect), compared with a full validation after the change.

Times are wall-clock and CPU (process) seconds: the machine is shared, CPU time is the
steadier figure. Run: ``.venv/bin/python bench/bench_validation.py --sizes 100k,1M,5M``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from bench.landscape import iter_ntriples, parse_size  # noqa: E402
from svckg.config import ONTOLOGY_DIR  # noqa: E402
from svckg.ingest.inference import dependency_edges  # noqa: E402
from svckg.validation.fast.engine import FastValidator  # noqa: E402
from svckg.validation.shacl import load_shapes, store_to_graph, validate_pyshacl  # noqa: E402

DATA = ox.NamedNode("urn:svckg:bench:landscape")
CHANGE = ox.NamedNode("urn:svckg:bench:change")
SUBPROPERTIES_QUERY = (
    "SELECT DISTINCT ?p WHERE { ?p <http://www.w3.org/2000/01/rdf-schema#subPropertyOf>+ "
    "<https://w3id.org/svckg#dependsOn> }"
)


class Clock:
    """Wall and CPU seconds of a block."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def build_store(lines: list[str]) -> tuple[ox.Store, int]:
    """The validation store: landscape + ontology + concepts + entailed dependsOn edges."""
    store = ox.Store()
    for name in ("svckg.ttl", "concepts.ttl"):
        store.bulk_load(
            path=str(ONTOLOGY_DIR / name),
            format=ox.RdfFormat.TURTLE,
            to_graph=ox.NamedNode(f"urn:svckg:bench:{name}"),
        )
    subproperties = {
        r["p"].value for r in store.query(SUBPROPERTIES_QUERY, use_default_graph_as_union=True)
    }
    data = "".join(lines).encode()
    store.bulk_load(data, ox.RdfFormat.N_TRIPLES, to_graph=DATA)
    triples = [q.triple for q in ox.parse(data, ox.RdfFormat.N_TRIPLES)]
    edges = dependency_edges(triples, subproperties)
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, DATA) for t in edges)
    return store, len(store)


def change_lines(n: int = 1000) -> list[str]:
    """``n`` triples of new portfolio units (renamed so they are new nodes) that use the
    existing shared hubs, provider and teams."""
    out = []
    for line in iter_ntriples(3 * n, seed=7):
        if "bench-u" in line:
            out.append(re.sub(r"bench-u(\d+)-", r"bench-chg\1-", line))
        if len(out) == n:
            break
    return out


def keys(report) -> Counter:
    """The report as a multiset of result keys (no result merged with another)."""
    return Counter(r.key() for r in report.results)


def run_size(size: int, shapes, args) -> dict:
    row: dict = {"size": size}
    lines = list(iter_ntriples(size))
    with Clock() as c:
        store, quads = build_store(lines)
    row.update(quads=quads, build_s=round(c.wall, 2))
    del lines
    validator = FastValidator(shapes)
    with Clock() as c:
        fast = validator.validate(store)
    row.update(
        fast_wall_s=round(c.wall, 3),
        fast_cpu_s=round(c.cpu, 3),
        results=len(fast.results),
        violations=len(fast.violations),
    )
    print(
        f"  fast: {c.wall:.2f} s wall, {c.cpu:.2f} s CPU, {len(fast.results)} results", flush=True
    )
    if size <= args.pyshacl_max:
        with Clock() as c:
            graph = store_to_graph(store)
        row["rdflib_copy_s"] = round(c.wall, 2)
        with Clock() as c:
            reference = validate_pyshacl(graph, shapes)
        del graph
        row.update(
            pyshacl_wall_s=round(c.wall, 2),
            pyshacl_cpu_s=round(c.cpu, 2),
            pyshacl_results=len(reference.results),
            identical=keys(fast) == keys(reference),
            speedup_cpu=round(c.cpu / row["fast_cpu_s"], 1),
        )
        print(
            f"  pyshacl: {c.wall:.1f} s wall, {c.cpu:.1f} s CPU, identical={row['identical']}",
            flush=True,
        )
    else:
        row["pyshacl"] = f"skipped (above --pyshacl-max {args.pyshacl_max})"
    if size == args.change_at:
        row["change"] = run_change(store, validator, fast)
    return row


def run_change(store: ox.Store, validator: FastValidator, before) -> dict:
    lines = change_lines()
    triples = [q.triple for q in ox.parse("".join(lines).encode(), ox.RdfFormat.N_TRIPLES)]
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, CHANGE) for t in triples)
    touched = sorted({t.subject.value for t in triples})
    best = None
    for _ in range(3):
        with Clock() as c:
            scoped = validator.validate(store, focus_nodes=touched)
        best = c if best is None or c.wall < best.wall else best
    affected = set(validator.affected(store, touched))
    full = validator.validate(store)
    caused = keys(full) - keys(before)
    in_scope = Counter(r.key() for r in full.results if r.focus_node in affected)
    out = {
        "triples": len(triples),
        "touched": len(touched),
        "affected": len(affected),
        "scoped_wall_ms": round(best.wall * 1000, 1),
        "scoped_cpu_ms": round(best.cpu * 1000, 1),
        "scoped_results": len(scoped.results),
        "caused_results_found": caused <= keys(scoped),
        "identical_to_full_in_scope": keys(scoped) == in_scope,
    }
    print(f"  change: {out}", flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100k,1M,5M")
    parser.add_argument("--pyshacl-max", default="1M", type=parse_size)
    parser.add_argument("--change-at", default="1M", type=parse_size)
    parser.add_argument("--json", help="write the rows here")
    args = parser.parse_args(argv)
    shapes = load_shapes()
    rows = []
    for size in (parse_size(s) for s in args.sizes.split(",")):
        print(f"landscape of {size:,} triples", flush=True)
        rows.append(run_size(size, shapes, args))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    print(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
