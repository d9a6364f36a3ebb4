"""ArchiMate import throughput: a synthetic exchange file (default 50 k elements, 100 k
relationships, layered like a real enterprise model) through parse + map + pipeline
validation + commit into an in-memory store.

Usage::

    .venv/bin/python bench/bench_archimate.py                      # 50k elements, 100k rels
    .venv/bin/python bench/bench_archimate.py --elements 5000 --relationships 10000
    .venv/bin/python bench/bench_archimate.py --xsd ../shared/fixtures/archimate/xsd

The model is deterministic (seeded). Every business service is served by an application
service and every business interface by one, so the core shapes hold and the time measured is
the normal path (warnings only, committed with ``force``). Goal: under 30 s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

# (type, share of elements); lower layers first, dependencies point downwards
LAYERS = [
    ("Node", 0.06),
    ("Device", 0.03),
    ("SystemSoftware", 0.06),
    ("TechnologyService", 0.08),
    ("DataObject", 0.07),
    ("ApplicationComponent", 0.12),
    ("ApplicationService", 0.14),
    ("BusinessProcess", 0.14),
    ("BusinessInterface", 0.04),
    ("BusinessService", 0.12),
    ("BusinessRole", 0.06),
    ("BusinessActor", 0.04),
    ("Principle", 0.04),
]
# (source type, target type, relationship type): source serves/realizes/is accessed by target
EDGES = [
    ("Node", "SystemSoftware", "Aggregation"),
    ("SystemSoftware", "TechnologyService", "Realization"),
    ("Node", "TechnologyService", "Realization"),
    ("Device", "Node", "Association"),
    ("TechnologyService", "ApplicationComponent", "Serving"),
    ("ApplicationComponent", "ApplicationService", "Realization"),
    ("ApplicationComponent", "DataObject", "Access"),
    ("ApplicationService", "BusinessProcess", "Serving"),
    ("BusinessProcess", "BusinessService", "Realization"),
    ("BusinessProcess", "BusinessProcess", "Triggering"),
    ("BusinessRole", "BusinessProcess", "Assignment"),
    ("BusinessActor", "BusinessRole", "Assignment"),
    ("BusinessProcess", "DataObject", "Access"),
    ("Principle", "BusinessService", "Influence"),
]
NS = "http://www.opengroup.org/xsd/archimate/3.0/"


def generate(path: Path, n_elements: int, n_relationships: int, seed: int = 7) -> None:
    """Write the synthetic exchange file to ``path``."""
    rnd = random.Random(seed)
    by_type: dict[str, list[str]] = {}
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<model xmlns="{NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'identifier="id-bench-model">',
        '  <name xml:lang="en">Synthetic enterprise</name>',
        "  <elements>",
    ]
    count = 0
    for type_name, share in LAYERS:
        for _ in range(max(1, int(n_elements * share))):
            count += 1
            ident = f"id-e{count}"
            by_type.setdefault(type_name, []).append(ident)
            lines.append(
                f'    <element identifier="{ident}" xsi:type="{type_name}">'
                f'<name xml:lang="en">{escape(type_name)} {count}</name></element>'
            )
    lines.append("  </elements>\n  <relationships>")
    rels = 0

    def rel(source: str, target: str, type_name: str) -> None:
        nonlocal rels
        rels += 1
        lines.append(
            f'    <relationship identifier="id-r{rels}" source="{source}" target="{target}" '
            f'xsi:type="{type_name}"/>'
        )

    # the core shapes: CFS include a backend service, touchpoints are enabled by one
    # customer roles are served; worker roles perform processes (no role is both, so the
    # dependencies stay acyclic as in a well-formed model)
    roles = by_type["BusinessRole"]
    customers, by_type["BusinessRole"] = roles[: len(roles) // 2], roles[len(roles) // 2 :]
    for bs in by_type["BusinessService"]:
        rel(rnd.choice(by_type["ApplicationService"]), bs, "Serving")
        rel(bs, rnd.choice(customers), "Serving")
    for bi in by_type["BusinessInterface"]:
        rel(rnd.choice(by_type["ApplicationService"]), bi, "Serving")
    while rels < n_relationships:
        src_type, tgt_type, type_name = rnd.choice(EDGES)
        source, target = rnd.choice(by_type[src_type]), rnd.choice(by_type[tgt_type])
        if source == target or (src_type == tgt_type and source > target):
            continue  # keep the same-type edges acyclic
        rel(source, target, type_name)
    lines.append("  </relationships>\n</model>\n")
    path.write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--elements", type=int, default=50_000)
    parser.add_argument("--relationships", type=int, default=100_000)
    parser.add_argument("--xsd", help="directory of the Open Group XSDs (schema check on)")
    parser.add_argument("--keep", help="write the generated file here")
    args = parser.parse_args()
    if args.xsd:
        os.environ["SVCKG_ARCHIMATE_XSD_DIR"] = str(Path(args.xsd).resolve())

    from svckg.ingest import archimate, pipeline
    from svckg.ingest.base import SourceFile
    from svckg.store.embedded import EmbeddedStore
    from svckg.store.system import ensure_system_graphs

    path = Path(args.keep or "/tmp/svckg-bench-archimate.xml")
    t = time.perf_counter()
    generate(path, args.elements, args.relationships)
    gen = time.perf_counter() - t
    store = EmbeddedStore(None)
    ensure_system_graphs(store)
    source = SourceFile.read(path)

    t0, c0 = time.perf_counter(), time.process_time()
    staged = archimate.parse(source)
    parsed, parsed_cpu = time.perf_counter() - t0, time.process_time() - c0
    outcome = pipeline.import_staged(store, [source], [staged], force=True, allow_violations=False)
    total, total_cpu = time.perf_counter() - t0, time.process_time() - c0
    record = outcome.sources[0].record
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = [
        ("elements / relationships", f"{args.elements:,} / {args.relationships:,}"),
        ("file size", f"{path.stat().st_size / 1e6:.1f} MB (generated in {gen:.1f} s)"),
        ("XSD check", "on" if args.xsd else "off"),
        ("triples staged", f"{len(staged.triples):,}"),
        ("parse + map (wall / CPU)", f"{parsed:.2f} s / {parsed_cpu:.2f} s"),
        *((f"pipeline: {k}", f"{v:.2f} s") for k, v in outcome.timings.items() if k != "stage"),
        ("total, parse .. commit (wall / CPU)", f"{total:.2f} s / {total_cpu:.2f} s"),
        ("load average (1 min)", f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"),
        ("violations / warnings", f"{record.violations} / {record.warnings}"),
        ("peak RSS", f"{rss:.0f} MB"),
        ("goal", "under 30 s: " + ("met" if total < 30 else "NOT met")),
    ]
    width = max(len(k) for k, _ in rows)
    print("| measure | value |\n|---|---|")
    for k, v in rows:
        print(f"| {k.ljust(width)} | {v} |")
    store.close()


if __name__ == "__main__":
    main()
