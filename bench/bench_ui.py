"""Latency of the graph viewer's data routes (svckg.analysis.describe behind svckg.api.ui)
on the synthetic landscape.

Not run by pytest. Loads the ontology, the concepts and ``bench/landscape.py`` data of the
given size into an in-memory store, then times each function the ``/api/ui/*`` routes call
(the HTTP layer adds ~1 ms): search by label, describe a hub with thousands of dependents,
a bounded neighbour expansion of that hub, and the permalink restore of 100 elements.

Usage: ``python bench/bench_ui.py 100k 1M [--repeat 30]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.landscape import generate, hub_iri, parse_size, unit_iri  # noqa: E402
from svckg.analysis.describe import (  # noqa: E402
    describe_node,
    forget_search_labels,
    neighbours,
    nodes_with_edges,
    search,
)
from svckg.config import ONTOLOGY_DIR  # noqa: E402
from svckg.store.embedded import EmbeddedStore  # noqa: E402

LIVE = "https://w3id.org/svckg/concepts/live"


def _timings(func: Callable[[], object], repeat: int) -> tuple[float, float]:
    func()  # warm the engine's caches once
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        runs.append((time.perf_counter() - start) * 1000)
    runs.sort()
    return statistics.median(runs), runs[min(len(runs) - 1, round(0.99 * (len(runs) - 1)))]


def bench(size: int, repeat: int) -> list[tuple[str, float, float, str]]:
    """Rows (case, p50 ms, p99 ms, note) for a landscape of ``size`` triples."""
    store = EmbeddedStore(None)
    for ttl in sorted(ONTOLOGY_DIR.glob("*.ttl")):
        store.load(
            ttl.read_bytes(), "https://w3id.org/svckg/graph/" + ttl.stem, format=ox.RdfFormat.TURTLE
        )
    store.load(generate(size), "https://w3id.org/svckg/graph/bench", format=ox.RdfFormat.N_TRIPLES)
    hub = hub_iri(0)
    hub_in = describe_node(store, hub)["counts"]["in"]
    live_in = describe_node(store, LIVE)["counts"]["in"]
    around = [n["iri"] for n in neighbours(store, unit_iri("cfs", 0), limit=100)["nodes"]]

    def cold_search() -> object:
        forget_search_labels()  # as after a write: the label list is rebuilt
        return search(store, "storage 1")

    cases = [
        ("search after a write (rebuilds the label index)", cold_search, ""),
        ("search 'storage 1' (substring over every label)", lambda: search(store, "storage 1"), ""),
        ("search 'zzz' (no match)", lambda: search(store, "zzz"), ""),
        (
            "node: hub 0 with links grouped and counted",
            lambda: describe_node(store, hub),
            f"{hub_in} incoming",
        ),
        ("neighbours: hub 0, limit 40", lambda: neighbours(store, hub, limit=40), ""),
        (
            "node: svcc:live (lifecycle concept)",
            lambda: describe_node(store, LIVE),
            f"{live_in} incoming",
        ),
        (
            "nodes: permalink restore",
            lambda: nodes_with_edges(store, around),
            f"{len(around)} elements",
        ),
    ]
    rows = [(name, *_timings(func, repeat), note) for name, func, note in cases]
    store.close()
    return rows


def main() -> None:
    """Print one table per size."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", nargs="+", help="triple counts, e.g. 100k 1M")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    for text in args.sizes:
        size = parse_size(text)
        print(f"\n{text} triples (in memory), {args.repeat} runs each")
        print("| case | p50 ms | p99 ms | note |\n|---|---:|---:|---|")
        for name, p50, p99, note in bench(size, args.repeat):
            print(f"| {name} | {p50:.1f} | {p99:.1f} | {note} |")


if __name__ == "__main__":
    main()
