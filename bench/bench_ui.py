"""Latency of the graph viewer's data routes (svckg.analysis.describe behind svckg.api.ui)
on the synthetic landscape.

Not run by pytest. Loads the ontology, the concepts and ``bench/landscape.py`` data of the
given size into an in-memory store, then times each function the ``/api/ui/*`` routes call
(the HTTP layer adds ~1 ms): search by label, describe a hub with thousands of dependents,
a bounded neighbour expansion of that hub, and the permalink restore of 100 elements; the
catalogue lists' first page (cold: right after a write, and warm), the import history and the
diff between two versions of a source imported three times; with ``--browser``, the time the
viewer's layered layout (dagre + clustering) takes for a 300-element impact graph in headless
Chromium (``/usr/bin/chromium``, the built ``web/dist``).

Usage: ``python bench/bench_ui.py 100k 1M [--repeat 30] [--browser]``
"""

from __future__ import annotations

import argparse
import os
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
from svckg.api import catalogue  # noqa: E402
from svckg.api.history import import_history, version_diff  # noqa: E402
from svckg.config import ONTOLOGY_DIR  # noqa: E402
from svckg.ingest.base import SourceFile  # noqa: E402
from svckg.ingest.pipeline import import_sources  # noqa: E402
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
    cases += _catalogue_cases(store) + _history_cases(store)
    rows = [(name, *_timings(func, repeat), note) for name, func, note in cases]
    store.close()
    return rows


def _catalogue_cases(store: EmbeddedStore) -> list[tuple[str, Callable[[], object], str]]:
    def cold(kind: str) -> Callable[[], object]:
        def run() -> object:
            catalogue._CACHE.clear()  # as after a write: the lists are rebuilt
            return catalogue.catalogue_page_data(store, kind)

        return run

    sizes = {k: catalogue.catalogue_page_data(store, k)["total"] for k in catalogue.KINDS}
    cases = [
        (f"catalogue {k}: first page after a write", cold(k), f"{sizes[k]} rows")
        for k in ("cfs", "applications", "parties")
    ]
    cases += [
        (
            "catalogue parties: first page (warm)",
            lambda: catalogue.catalogue_page_data(store, "parties"),
            f"{sizes['parties']} rows",
        ),
        (
            "catalogue applications: filter 'app 1', sort by owner (warm)",
            lambda: catalogue.catalogue_page_data(store, "applications", q="app 1", sort="owner"),
            "",
        ),
        ("catalogue: counts of every list", lambda: catalogue.list_counts(store), ""),
    ]
    return cases


def _history_cases(store: EmbeddedStore) -> list[tuple[str, Callable[[], object], str]]:
    """Import one source three times (3,000 teams, ~1,000 changed per version), then time the
    history and the composed diff between versions 1 and 3."""
    head = (
        "@prefix svc: <https://w3id.org/svckg#> . @prefix id: <https://w3id.org/svckg/id/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    )
    for version in range(3):
        body = "".join(
            f'id:bench-team-{i} a svc:Team ; rdfs:label "Team {i} v{version * (i < 1000)}" .\n'
            for i in range(3000)
        )
        import_sources(store, [SourceFile("bench-teams.ttl", (head + body).encode())], force=True)
    imp = next(i for i in import_history(store) if i["source"] == "bench-teams.ttl")
    diff = version_diff(store, imp["id"], 1, 3)
    return [
        ("import history (every import, every version)", lambda: import_history(store), ""),
        (
            "diff of one source, v1 -> v3 (composed)",
            lambda: version_diff(store, imp["id"], 1, 3),
            f"+{len(diff['added'])} -{len(diff['removed'])}",
        ),
    ]


LAYOUT_JS = """async (n) => {
  const v = window.svckgViewer;
  const kinds = ["journey", "touchpoint", "service", "backend", "application", "infrastructure"];
  const nodes = [];
  for (let i = 0; i < n; i += 1) {
    const layer = i % kinds.length;
    nodes.push({ group: "nodes", data: { id: `n${i}`, label: `Element ${i} of the landscape`,
      kind: kinds[layer], colour: "#888888", shape: "ellipse", layerOrder: layer,
      layerLabel: kinds[layer], className: kinds[layer] } });
  }
  const edges = [];
  for (let i = kinds.length; i < n; i += 1) {
    edges.push({ group: "edges", data: { id: `e${i}`, source: `n${i - kinds.length + 1 - (i % 2)}`,
      target: `n${i}`, label: "depends on" } });
  }
  v.cy.elements().remove();
  v.cy.add(nodes);
  v.cy.add(edges.filter((e) => v.cy.getElementById(e.data.source).nonempty()));
  const t0 = performance.now();
  v.layout();
  return { ms: performance.now() - t0, clusters: v.cy.nodes(".cluster").length,
    zoom: v.cy.zoom() };
}"""


def browser_layout(repeat: int, elements: int = 300) -> tuple[float, float, str]:
    """p50/p99 ms of the viewer's layout of ``elements`` nodes in headless Chromium."""
    import subprocess
    import tempfile
    import urllib.request

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        port = 18000 + (hash(tmp) % 1000)
        log = Path(tmp) / "serve.log"
        with log.open("w") as out:
            server = subprocess.Popen(
                [str(Path(sys.executable).parent / "svckg"), "serve", "--host", "127.0.0.1",
                 "--port", str(port), "--store", ":memory:", "--log-level", "warning"],
                stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            for _ in range(120):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/api/queries", timeout=1)
                    break
                except OSError:
                    time.sleep(0.5)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
                )
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.goto(f"http://127.0.0.1:{port}/")
                page.wait_for_function("() => window.svckgViewer")
                runs = [page.evaluate(LAYOUT_JS, elements) for _ in range(repeat + 1)][1:]
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    ms = sorted(r["ms"] for r in runs)
    note = f"{elements} elements, {runs[-1]['clusters']} clusters, zoom {runs[-1]['zoom']:.2f}"
    return statistics.median(ms), ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))], note


def main() -> None:
    """Print one table per size."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", nargs="+", help="triple counts, e.g. 100k 1M")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--browser", action="store_true", help="also time the viewer layout")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.browser:
        p50, p99, note = browser_layout(min(args.repeat, 10))
        print("| case | p50 ms | p99 ms | note |\n|---|---:|---:|---|")
        print(f"| viewer layout in Chromium | {p50:.1f} | {p99:.1f} | {note} |")
    for text in args.sizes:
        size = parse_size(text)
        print(f"\n{text} triples (in memory), {args.repeat} runs each")
        print("| case | p50 ms | p99 ms | note |\n|---|---:|---:|---|")
        for name, p50, p99, note in bench(size, args.repeat):
            print(f"| {name} | {p50:.1f} | {p99:.1f} | {note} |")
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
