"""Consumer views (issue 18): what keeping every consumer's view current costs on an import,
and a consumer's scoped impact and SPARQL query beside the unscoped ones.

Usage::

    .venv/bin/python bench/bench_scope.py                  # 1M triples, 50 consumers
    .venv/bin/python bench/bench_scope.py --size 100k --consumers 50 --repeat 5

Steps, on an in-memory store holding the system graphs:

1. import the synthetic landscape (``bench/landscape.py``, ``--size`` triples) through the
   pipeline (``validate=False``), then build the views of ``--consumers`` customers of it
   (:class:`svckg.analysis.views.ConsumerViews`, what the API's write lock runs after a write);
2. three more imports, each followed by the views' refresh: a new source of ``--delta``
   triples that no consumer sees, the same source again changed so that it touches every
   consumer (a new touchpoint in each one's band), and its removal;
3. a consumer's impact of a customer-facing service in its band (whole store, then projected
   onto the view) beside the reader's impact, and the same SPARQL queries on the view store
   and on the whole store.

The views' cost is shown as a share of the import it follows (goal: under 20%). The machine
may be shared: the load average is printed beside the figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench.landscape import ID, SVC, generate, parse_size, unit_iri  # noqa: E402
from svckg.analysis.impact import impact  # noqa: E402
from svckg.analysis.scoped import scoped_impact  # noqa: E402
from svckg.analysis.views import ConsumerViews  # noqa: E402
from svckg.ingest import imports  # noqa: E402
from svckg.ingest.base import SourceFile  # noqa: E402
from svckg.ingest.pipeline import import_sources  # noqa: E402
from svckg.store.embedded import EmbeddedStore  # noqa: E402
from svckg.store.system import ensure_system_graphs  # noqa: E402

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
QUERIES = {
    "labels of services": (
        "SELECT ?s ?l WHERE { ?s a <https://w3id.org/svckg#CustomerFacingService> ; "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    ),
    "what the customer's agreements cover": (
        "SELECT ?a ?x WHERE { ?rel <https://w3id.org/svckg#consumer> <CUSTOMER> ; "
        "<https://w3id.org/svckg#governedBy> ?a . ?a <https://w3id.org/svckg#covers> ?x }"
    ),
    "count every triple": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
}


def customers(n: int) -> list[str]:
    """The first ``n`` customers of the landscape (three per unit)."""
    return [unit_iri("customer", u, k) for u in range((n + 2) // 3) for k in range(3)][:n]


def delta(size: int, touch: list[str]) -> bytes:
    """A source of about ``size`` triples of new elements nobody sees; with ``touch``, one new
    touchpoint in the band of each of those customers too."""
    lines = []
    for i in range(size // 2):
        node = f"{ID}bench-delta-{i}"
        lines.append(f"<{node}> <{RDF_TYPE}> <{SVC}Application> .")
        lines.append(f'<{node}> <{LABEL}> "Delta application {i}"@en .')
    for customer in touch:
        unit, k = customer.rsplit("-u", 1)[1].split("-customer-")
        tp = f"{ID}bench-delta-tp-{unit}-{k}"
        band = unit_iri("band", int(unit), int(k))
        lines.append(f"<{tp}> <{RDF_TYPE}> <{SVC}Touchpoint> .")
        lines.append(f'<{tp}> <{LABEL}> "New touchpoint for customer {unit}.{k}"@en .')
        lines.append(f"<{band}> <{SVC}visibleElement> <{tp}> .")
    return ("\n".join(lines) + "\n").encode()


def timed(func, repeat: int = 1) -> tuple[float, object]:  # noqa: ANN001
    """Median seconds of ``repeat`` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def _import(store: EmbeddedStore, name: str, data: bytes) -> float:
    t0 = time.perf_counter()
    import_sources(store, [SourceFile(name, data)], validate=False, agent="bench")
    return time.perf_counter() - t0


def keeping_current(store: EmbeddedStore, views: ConsumerViews, args: argparse.Namespace) -> None:
    chosen = list(views.consumers)
    rows = []
    steps = [
        ("new source, seen by nobody", lambda: _import(store, "delta.nt", delta(args.delta, []))),
        (
            "same source, touching every consumer",
            lambda: _import(store, "delta.nt", delta(args.delta, chosen)),
        ),
        ("removal of that import", lambda: _removal(store)),
    ]
    for name, step in steps:
        seconds = step()
        refresh = views.refresh(store)
        spent = refresh["scope"] + refresh["write"]
        rows.append((name, seconds, spent, int(refresh["changed"])))
    print(f"\nKeeping {len(chosen)} views current ({args.delta:,}-triple source):")
    print(f"{'write':40} {'import s':>9} {'views s':>8} {'share':>7} {'changed':>8}")
    for name, seconds, spent, changed in rows:
        print(f"{name:40} {seconds:9.3f} {spent:8.3f} {spent / seconds:7.1%} {changed:8d}")


def _removal(store: EmbeddedStore) -> float:
    t0 = time.perf_counter()
    record = next(r for r in imports.list_imports(store) if r.source == "delta.nt")
    imports.remove(store, record.import_id)
    return time.perf_counter() - t0


def queries(store: EmbeddedStore, views: ConsumerViews, args: argparse.Namespace) -> None:
    consumer = views.consumers[0]
    view = views.view(store, consumer)
    unit, k = consumer.rsplit("-u", 1)[1].split("-customer-")
    cfs = unit_iri("cfs", int(unit), int(k))  # in its band (bench/landscape.py)
    repeat = args.repeat
    print(f"\nOne consumer ({consumer}; view: {len(view.triples):,} triples), median of {repeat}:")
    print(f"{'question':40} {'whole store ms':>15} {'view ms':>9}")
    plain, full = timed(lambda: impact(store, [cfs], max_paths=3).to_json(), repeat)
    scoped, mine = timed(lambda: scoped_impact(store, view, [cfs], max_paths=3).to_json(), repeat)
    print(f"{'impact of a CFS in its band':40} {plain * 1000:15.1f} {scoped * 1000:9.1f}")
    print(f"{'':40} {len(full['impacted']):>12} el. {len(mine['impacted']):>6} el.")
    for name, text in QUERIES.items():
        query = text.replace("CUSTOMER", consumer)
        whole, _ = timed(lambda q=query: list(store.query(q)), repeat)
        own, _ = timed(lambda q=query: list(view.store.query(q, default_graph=view.graphs)), repeat)
        print(f"{name:40} {whole * 1000:15.1f} {own * 1000:9.1f}")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1M", help="landscape triples (100k, 1M...)")
    parser.add_argument("--consumers", type=int, default=50)
    parser.add_argument("--delta", type=parse_size, default=10_000, help="triples of the source")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    size = parse_size(args.size)
    print(f"load average before: {_load()} ({os.cpu_count()} cores)")
    store = EmbeddedStore(None)
    ensure_system_graphs(store)
    data = generate(size)
    seconds = _import(store, "landscape.nt", data)
    print(f"landscape: {store.count():,} quads, imported in {seconds:.1f} s")
    views = ConsumerViews(customers(args.consumers))
    build = views.refresh(store)
    spent = build["scope"] + build["write"]
    print(
        f"building {args.consumers} views: {spent:.2f} s "
        f"(scopes and triples {build['scope']:.2f} s, writing {build['write']:.2f} s) "
        f"= {spent / seconds:.1%} of that import"
    )
    keeping_current(store, views, args)
    queries(store, views, args)
    print(f"\nload average after: {_load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
