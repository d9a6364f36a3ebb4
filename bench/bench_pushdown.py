"""Impact and trace, in-memory index vs push-down (batched queries on the engine), side by side.

On the synthetic landscape (``bench/landscape.py``, laid out as the import pipeline does: the
data in an import graph, materialized ``svc:dependsOn`` copies in its ``/inferred`` graph), for
each size it measures in ONE run, on the default on-disk embedded store:

- the index build (cold) and its memory (resident set growth per edge: what the
  ``index_memory_budget_mb`` setting is compared with);
- for a leaf resource, a hub resource and a trace of a customer-facing service: the whole
  JSON answer (``to_json()``) from the warm index and from the engine (a new push-down source
  per call, as a request makes), p50 / p99 and the ratio;
- that both answers are the same JSON (checked on the first call of each question; a
  difference stops the run).

``--remote URL`` runs the same questions on a remote SPARQL endpoint (``oxigraph serve``'s
``/query`` with ``--remote-update``/``--remote-gsp``, or Virtuoso's ``/sparql``) holding the
same landscape (``--load-remote`` bulk-loads it there first), against the index built on that
endpoint.

Usage::

    .venv/bin/python bench/bench_pushdown.py --sizes 1M
    .venv/bin/python bench/bench_pushdown.py --sizes 5M --no-index      # push-down only
    .venv/bin/python bench/bench_pushdown.py --sizes 1M --remote http://127.0.0.1:7878/query \\
        --remote-update http://127.0.0.1:7878/update --remote-gsp http://127.0.0.1:7878/store \\
        --load-remote

The machine may be shared: the load average is printed beside each table. Not a test.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from bench.bench_impact import (  # noqa: E402
    IMPORT_GRAPH,
    INFERRED_GRAPH,
    build_disk_store,
    floor_walk,
    percentiles,
)
from bench.landscape import hub_iri, parse_size, unit_iri  # noqa: E402
from svckg.analysis.impact import impact  # noqa: E402
from svckg.analysis.index import build_index  # noqa: E402
from svckg.analysis.pushdown import EngineSource, IndexSource, edge_count  # noqa: E402
from svckg.analysis.trace import trace  # noqa: E402
from svckg.config import ONTOLOGY_DIR  # noqa: E402
from svckg.store.base import Store  # noqa: E402
from svckg.store.embedded import EmbeddedStore  # noqa: E402
from svckg.vocab import CONCEPTS_GRAPH, ONTOLOGY_GRAPH  # noqa: E402


def rss_mb() -> float:
    """Resident set size of this process (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def load_text() -> str:
    one, five, fifteen = os.getloadavg()
    return (
        f"load average {one:.1f} {five:.1f} {fifteen:.1f} on {os.cpu_count()} cores "
        "(shared machine: other jobs run beside this one)"
    )


class Counting:
    """Counts the queries a push-down answer sends (everything else passes through)."""

    def __init__(self, store: Store):
        self._store, self.queries = store, 0

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(self._store, name)

    def query(self, sparql: str, **kwargs):  # noqa: ANN003, ANN201
        self.queries += 1
        return self._store.query(sparql, **kwargs)

    def quads(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        self.queries += 1
        return self._store.quads(*args, **kwargs)


def timed(fn: Callable[[], object], repeat: int, budget_s: float) -> dict[str, float]:
    """p50 / p99 of up to ``repeat`` calls within ``budget_s`` (at least 3), and the p50 of
    this process's CPU time per call: on a shared machine a steadier figure than the wall
    clock (the embedded engine runs in this process; a remote engine's work is not in it)."""
    samples: list[float] = []
    cpu: list[float] = []
    deadline = time.perf_counter() + budget_s
    while len(samples) < repeat and (len(samples) < 3 or time.perf_counter() < deadline):
        started, cpu_started = time.perf_counter(), time.process_time()
        fn()
        samples.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    p50, p99 = percentiles(samples)
    return {
        "p50_ms": p50,
        "p99_ms": p99,
        "n": len(samples),
        "mean_ms": statistics.mean(samples),
        "cpu_p50_ms": statistics.median(cpu) * 1000,
    }


def answer(kind: str, store: Store, root: str, source) -> dict:  # noqa: ANN001
    if kind == "impact":
        return impact(store, [root], source=source).to_json()
    return trace(store, root, source=source).to_json()


def questions(index, args: argparse.Namespace) -> list[tuple[str, str, str]]:  # noqa: ANN001
    """Leaf, a hub whose impact is near ``--hub-rows`` rows, and a trace."""
    backward = {k: [s for _, s in v] for k, v in index.backward.items()}
    sizes = {h: len(floor_walk(backward, hub_iri(h))) for h in range(24)}
    hub = min(sizes, key=lambda h: (abs(sizes[h] - args.hub_rows), h))
    return [
        ("impact leaf", "impact", unit_iri("infra", 0)),
        (f"impact hub-{hub} ({sizes[hub]} rows)", "impact", hub_iri(hub)),
        ("trace cfs", "trace", unit_iri("cfs", 0)),
    ]


def compare(store: Store, label: str, args: argparse.Namespace) -> dict:
    """Build the index on ``store``, then every question from both sources."""
    started = time.perf_counter()
    context_s = read_context(store)
    counted = edge_count(store)  # what auto mode asks before choosing
    count_s = time.perf_counter() - started - context_s
    gc.collect()
    before = rss_mb()
    started = time.perf_counter()
    index = build_index(store)
    build_s = time.perf_counter() - started
    grown = rss_mb() - before
    edges = index.edge_count
    out: dict = {
        "store": label,
        "index_build_s": build_s,
        "index_edges": edges,
        "counted_edges": counted,
        "count_s": count_s,
        "context_s": context_s,
        "index_rss_mb": grown,
        "bytes_per_edge": grown * 2**20 / max(edges, 1),
        "rows": [],
    }
    print(
        f"\n{label}: index built in {build_s:.1f} s, {edges:,} edges, +{grown:.0f} MB resident "
        f"({out['bytes_per_edge']:.0f} B/edge); COUNT query: {counted:,} edges in {count_s:.2f} s; "
        f"push-down context (ontology, roles) {context_s:.3f} s; {load_text()}",
        flush=True,
    )
    print(f"{'question':32} {'index p50':>10} {'push-down p50':>14} {'p99':>9} {'ratio':>6}")
    whole = IndexSource(index)
    for name, kind, root in questions(index, args):
        expected = answer(kind, store, root, whole)
        counting = Counting(store)
        EngineSource(counting)  # type: ignore[arg-type]  # the shared context: not counted
        counting.queries = 0
        got = answer(kind, counting, root, EngineSource(counting))  # type: ignore[arg-type]
        if got != expected:
            raise AssertionError(f"{label} {name}: push-down and index answers differ")
        rows = (
            len(expected["impacted"])
            if kind == "impact"
            else sum(len(g["elements"]) for g in expected["layers"])
        )
        on_index = timed(lambda k=kind, r=root: answer(k, store, r, whole), args.repeat, 5)
        pushed = timed(
            lambda k=kind, r=root: answer(k, store, r, EngineSource(store)), args.repeat, 10
        )
        ratio = pushed["p50_ms"] / on_index["p50_ms"]
        out["rows"].append(
            {
                "question": name,
                "rows": rows,
                "index": on_index,
                "pushdown": pushed,
                "ratio": ratio,
                "queries": counting.queries,
            }
        )
        cpu_ratio = pushed["cpu_p50_ms"] / max(on_index["cpu_p50_ms"], 1e-3)
        out["rows"][-1]["cpu_ratio"] = cpu_ratio
        print(
            f"{name:32} {on_index['p50_ms']:8.2f}ms {pushed['p50_ms']:12.2f}ms "
            f"{pushed['p99_ms']:7.1f}ms {ratio:5.1f}x  ({rows} rows, {counting.queries} "
            f"queries, same JSON; CPU p50 {on_index['cpu_p50_ms']:.2f} / "
            f"{pushed['cpu_p50_ms']:.2f} ms = {cpu_ratio:.1f}x)",
            flush=True,
        )
    print(load_text(), flush=True)
    return out


def read_context(store: Store) -> float:
    """Seconds to read what every push-down answer of a store state shares (what a process
    pays after each write: ontology, roles)."""
    from svckg.analysis.pushdown import _Context

    started = time.perf_counter()
    _Context(store)
    return time.perf_counter() - started


def pushdown_only(store: Store, label: str, args: argparse.Namespace) -> dict:
    """Push-down alone (sizes whose index the machine should not build)."""
    out: dict = {"store": label, "counted_edges": edge_count(store), "rows": []}
    print(f"\n{label}: push-down only; {out['counted_edges']:,} edges; {load_text()}")
    for name, kind, root in [
        ("impact leaf", "impact", unit_iri("infra", 0)),
        ("impact hub-23", "impact", hub_iri(23)),
        ("trace cfs", "trace", unit_iri("cfs", 0)),
    ]:
        figures = timed(
            lambda k=kind, r=root: answer(k, store, r, EngineSource(store)), args.repeat, 10
        )
        out["rows"].append({"question": name, "pushdown": figures})
        print(
            f"{name:32} push-down p50 {figures['p50_ms']:8.2f}ms p99 {figures['p99_ms']:8.1f}ms "
            f"CPU p50 {figures['cpu_p50_ms']:8.2f}ms"
        )
    print(load_text(), flush=True)
    return out


def remote_store(args: argparse.Namespace, workdir: Path, size: int) -> Store:
    from svckg.store.remote import RemoteStore

    store = RemoteStore(args.remote, update_url=args.remote_update, gsp_url=args.remote_gsp)
    if args.load_remote:
        import pyoxigraph as ox

        store.load((ONTOLOGY_DIR / "svckg.ttl").read_bytes(), str(ONTOLOGY_GRAPH),
                   format=ox.RdfFormat.TURTLE)  # fmt: skip
        store.load((ONTOLOGY_DIR / "concepts.ttl").read_bytes(), str(CONCEPTS_GRAPH),
                   format=ox.RdfFormat.TURTLE)  # fmt: skip
        for path, graph in (
            (workdir / f"landscape-{size}-{args.seed}.nt", IMPORT_GRAPH),
            (workdir / f"landscape-{size}-{args.seed}-inferred.nt", INFERRED_GRAPH),
        ):
            store.bulk_load(path.read_bytes(), graph)
    return store


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1M")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--hub-rows", type=int, default=500)
    ap.add_argument("--no-index", action="store_true", help="push-down only (e.g. at 5 M)")
    ap.add_argument("--remote", help="also run on this SPARQL query endpoint")
    ap.add_argument("--remote-update")
    ap.add_argument("--remote-gsp")
    ap.add_argument("--load-remote", action="store_true")
    ap.add_argument("--workdir", default="/tmp/svckg-bench-impact")
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args(argv)
    print(load_text(), flush=True)
    report: dict = {"load_average": os.getloadavg(), "runs": []}
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    for text in args.sizes.split(","):
        size = parse_size(text)
        store_dir, _ = build_disk_store(size, args.seed, workdir)
        stores: list[tuple[str, Store]] = [(f"embedded on disk, {text}", EmbeddedStore(store_dir))]
        if args.remote:
            stores.append((f"remote {args.remote}, {text}", remote_store(args, workdir, size)))
        for label, store in stores:
            run = pushdown_only if args.no_index else compare
            report["runs"].append(run(store, label, args))
            store.close()
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
