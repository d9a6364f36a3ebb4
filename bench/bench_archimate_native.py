"""Archi native format import next to the exchange format, same model, one run.

Generates the synthetic enterprise model of ``bench_archimate.py`` (default 50 k elements,
100 k relationships) as an exchange file, converts it to an Archi ``.archimate`` file
(elements in Archi's folders, relationships with Archi's ``...Relationship`` type names,
Access as Archi numbers), then imports each into its own in-memory store through the whole
pipeline (parse, map, validate, commit), one after the other in one process.

Usage::

    .venv/bin/python bench/bench_archimate_native.py
    .venv/bin/python bench/bench_archimate_native.py --elements 5000 --relationships 10000
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path
from xml.sax.saxutils import quoteattr

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

FOLDERS = {
    "strategy": {"Resource", "Capability", "CourseOfAction", "ValueStream"},
    "business": {
        "BusinessActor", "BusinessRole", "BusinessProcess", "BusinessInterface",
        "BusinessService", "BusinessObject", "Contract", "Product",
    },
    "application": {"ApplicationComponent", "ApplicationService", "DataObject"},
    "technology": {"Node", "Device", "SystemSoftware", "TechnologyService", "Artifact"},
    "motivation": {"Principle", "Goal", "Requirement", "Driver"},
}  # fmt: skip
ACCESS = {"Write": "0", "Read": "1", "Access": "2", "ReadWrite": "3"}


def to_native(exchange: Path, native: Path) -> None:
    """Write the exchange model as an Archi model file (same identifiers, names, types)."""
    from lxml import etree

    ns = "{http://www.opengroup.org/xsd/archimate/3.0/}"
    xsi = "{http://www.w3.org/2001/XMLSchema-instance}type"
    root = etree.parse(str(exchange)).getroot()
    by_folder: dict[str, list[str]] = {k: [] for k in (*FOLDERS, "other", "relations")}
    for el in root.iter(f"{ns}element"):
        kind, name = el.get(xsi), el.findtext(f"{ns}name") or ""
        folder = next((f for f, types in FOLDERS.items() if kind in types), "other")
        by_folder[folder].append(
            f'    <element xsi:type="archimate:{kind}" name={quoteattr(name)} '
            f'id="{el.get("identifier")}"/>'
        )
    for rel in root.iter(f"{ns}relationship"):
        kind = rel.get(xsi)
        extra = ""
        if kind == "Access" and rel.get("accessType", "Write") != "Write":
            extra = f' accessType="{ACCESS[rel.get("accessType")]}"'
        by_folder["relations"].append(
            f'    <element xsi:type="archimate:{kind}Relationship" id="{rel.get("identifier")}" '
            f'source="{rel.get("source")}" target="{rel.get("target")}"{extra}/>'
        )
    name = root.findtext(f"{ns}name") or "model"
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<archimate:model xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xmlns:archimate="http://www.archimatetool.com/archimate" '
        f'name={quoteattr(name)} id="{root.get("identifier")}" version="5.0.0">',
    ]
    for folder, items in by_folder.items():
        lines.append(f'  <folder name="{folder.title()}" id="folder-{folder}" type="{folder}">')
        lines.extend(items)
        lines.append("  </folder>")
    lines.append("</archimate:model>\n")
    native.write_text("\n".join(lines), encoding="utf-8")


def run(path: Path, parse) -> dict[str, object]:  # noqa: ANN001
    """Import one file into a fresh in-memory store; wall and CPU seconds, counts."""
    from svckg.ingest import pipeline
    from svckg.ingest.base import SourceFile
    from svckg.store.embedded import EmbeddedStore
    from svckg.store.system import ensure_system_graphs

    store = EmbeddedStore(None)
    ensure_system_graphs(store)
    source = SourceFile.read(path)
    t0, c0 = time.perf_counter(), time.process_time()
    staged = parse(source)
    parsed = time.perf_counter() - t0
    outcome = pipeline.import_staged(store, [source], [staged])
    total, cpu = time.perf_counter() - t0, time.process_time() - c0
    record = outcome.sources[0].record
    store.close()
    return {
        "size": f"{path.stat().st_size / 1e6:.1f} MB",
        "triples": f"{record.triple_count:,}",
        "parse + map": f"{parsed:.2f} s",
        "total (wall)": f"{total:.2f} s",
        "total (CPU)": f"{cpu:.2f} s",
        "violations / warnings": f"{record.violations} / {record.warnings}",
        "load average (1 min) after": f"{os.getloadavg()[0]:.1f}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--elements", type=int, default=50_000)
    parser.add_argument("--relationships", type=int, default=100_000)
    args = parser.parse_args()

    from bench_archimate import generate

    from svckg.ingest import archi_native, archimate

    exchange = Path("/tmp/svckg-bench-exchange.xml")
    native = Path("/tmp/svckg-bench-native.archimate")
    generate(exchange, args.elements, args.relationships)
    to_native(exchange, native)
    load_before = os.getloadavg()
    results = {
        "Archi native (.archimate)": run(native, archi_native.parse),
        "exchange format (.xml)": run(exchange, archimate.parse),
    }
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    names = list(results)
    print(f"model: {args.elements:,} elements, {args.relationships:,} relationships; "
          f"load average before: {load_before[0]:.1f} / {load_before[1]:.1f} / "
          f"{load_before[2]:.1f} on {os.cpu_count()} cores; peak RSS {rss:.0f} MB\n")  # fmt: skip
    print("| measure | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for key in results[names[0]]:
        print(f"| {key} | " + " | ".join(str(results[n][key]) for n in names) + " |")


if __name__ == "__main__":
    main()
