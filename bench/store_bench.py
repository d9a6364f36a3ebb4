"""Store load benchmark: raw pyoxigraph loads (the floor) vs ``EmbeddedStore.load``.

Never run by pytest. Usage (from the project root)::

    .venv/bin/python bench/store_bench.py                 # 50k (atomic on disk) and 300k (bulk)
    .venv/bin/python bench/store_bench.py 1M --repeat 1

Data: N-Triples of the synthetic landscape (``bench/landscape.py``), or a simple built-in
generator if that module is missing. Each row is the best of ``--repeat`` runs, each in a
fresh store (on-disk stores in a temporary directory); only the named step is timed (for
replace, drop and count the graph is loaded first, untimed).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from svckg.store import embedded  # noqa: E402
from svckg.store.embedded import EmbeddedStore  # noqa: E402

GRAPH = "https://w3id.org/svckg/graph/bench"
NT = ox.RdfFormat.N_TRIPLES
SVC = "https://w3id.org/svckg#"


def synthetic(target: int) -> bytes:
    """N-Triples of about ``target`` triples."""
    try:
        from bench.landscape import generate
    except ImportError:
        lines = []
        for i in range(target // 3):
            s = f"<https://w3id.org/svckg/id/n{i}>"
            lines.append(f'{s} <http://www.w3.org/2000/01/rdf-schema#label> "Node {i}"@en .')
            lines.append(
                f"{s} <https://w3id.org/svckg#dependsOn> <https://w3id.org/svckg/id/n{i // 2}> ."
            )
            lines.append(f"{s} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{SVC}Service> .")
        return ("\n".join(lines) + "\n").encode()
    return generate(target)


def parse_size(text: str) -> int:
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("km")) * factor)


Case = Callable[[Path | None], float]
"""Runs one case in a fresh store (a directory, or None: in memory); returns the timed part."""


def best(repeat: int, run: Case, disk: bool) -> float:
    """Best time of ``repeat`` runs, each in a fresh store."""
    times = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="svckg-bench-") as tmp:
            times.append(run(Path(tmp) / "store" if disk else None))
    return min(times)


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def cases(data: bytes) -> list[tuple[str, bool, Case]]:
    graph = ox.NamedNode(GRAPH)

    def raw(method: str) -> Case:
        def run(loc: Path | None) -> float:
            store = ox.Store(None if loc is None else str(loc))
            return timed(lambda: (getattr(store, method)(data, NT, to_graph=graph), store.flush()))

        return run

    def svckg_load(loc: Path | None) -> float:
        with EmbeddedStore(loc) as store:
            return timed(lambda: store.load(data, GRAPH))

    def svckg_replace(loc: Path | None) -> float:
        """Replace a graph with the same data again (second load timed)."""
        with EmbeddedStore(loc) as store:
            store.load(data, GRAPH)
            return timed(lambda: store.load(data, GRAPH, replace=True))

    changed = data.replace(b"<https://w3id.org/svckg/id/", b"<https://w3id.org/svckg/id/v2/")

    def svckg_replace_changed(loc: Path | None) -> float:
        """Replace a graph with data whose IRIs all differ (worst case of the diff)."""
        with EmbeddedStore(loc) as store:
            store.load(data, GRAPH)
            return timed(lambda: store.load(changed, GRAPH, replace=True))

    def svckg_drop(loc: Path | None) -> float:
        with EmbeddedStore(loc) as store:
            store.load(data, GRAPH)
            return timed(lambda: store.drop_graph(GRAPH))

    def svckg_count(loc: Path | None) -> float:
        with EmbeddedStore(loc) as store:
            store.load(data, GRAPH)
            return timed(lambda: store.count(GRAPH))

    def parse_only(loc: Path | None) -> float:
        return timed(lambda: sum(1 for _ in ox.parse(data, NT)))

    rows: list[tuple[str, bool, Case]] = [("parse only (ox.parse, count)", False, parse_only)]
    for disk in (False, True):
        rows += [
            ("raw Store.load (transactional)", disk, raw("load")),
            ("raw Store.bulk_load", disk, raw("bulk_load")),
            ("EmbeddedStore.load", disk, svckg_load),
            ("EmbeddedStore.load replace=True, same data", disk, svckg_replace),
            ("EmbeddedStore.load replace=True, all changed", disk, svckg_replace_changed),
            ("EmbeddedStore.drop_graph", disk, svckg_drop),
            ("EmbeddedStore.count(graph)", disk, svckg_count),
        ]
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sizes", nargs="*", default=["50k", "300k"], help="e.g. 100k 1M")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args(argv)
    print(f"pyoxigraph {ox.__version__}; EmbeddedStore atomic limit {embedded.ATOMIC_LOAD_LIMIT:,}")
    print(f"| {'case':44} | {'where':6} | {'triples':>9} | {'seconds':>8} | {'triples/s':>10} |")
    print(f"|{'-' * 46}|{'-' * 8}|{'-' * 11}|{'-' * 10}|{'-' * 12}|")
    for size in args.sizes:
        data = synthetic(parse_size(size))
        count = sum(1 for _ in ox.parse(data, NT))
        for name, disk, run in cases(data):
            seconds = best(args.repeat, run, disk)
            rate = count / seconds
            where = "disk" if disk else "memory"
            print(
                f"| {name:44} | {where:6} | {count:>9,} | {seconds:>8.3f} | {rate:>10,.0f} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
