"""In-process timing of the named queries on an on-disk EmbeddedStore. Never run by pytest.

Builds (or reuses) the synthetic landscape store of ``bench/bench_http.py`` and runs every
named query with the same parameters, consuming all rows. ``--save FILE`` writes the sorted
rows per query as JSON, ``--compare FILE`` checks the rows are the same as a saved run (to
prove a rewrite keeps the results).

Usage (from the project root)::

    .venv/bin/python bench/bench_queries.py --store /tmp/q100k --size 100k --save before.json
    .venv/bin/python bench/bench_queries.py --store /tmp/q100k --compare before.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from bench.bench_http import build_store, query_texts  # noqa: E402
from bench.landscape import parse_size  # noqa: E402
from svckg.store.embedded import EmbeddedStore  # noqa: E402


def run(store: EmbeddedStore, text: str) -> tuple[float, list[list[str | None]]]:
    """Seconds to run ``text`` and read every row, and the rows (as strings)."""
    t0 = time.perf_counter()
    result = store.query(text)
    names = [v.value for v in result.variables]
    rows = [[None if s[n] is None else str(s[n]) for n in names] for s in result]
    return time.perf_counter() - t0, rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", required=True, help="store directory (built when missing)")
    ap.add_argument("--size", default="100k", help="landscape size when building")
    ap.add_argument("--queries", help="comma-separated query names (default: all)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per query; best counts")
    ap.add_argument("--save", help="write the sorted rows per query here (JSON)")
    ap.add_argument("--compare", help="check the rows against a file written by --save")
    args = ap.parse_args(argv)
    directory = Path(args.store)
    if not directory.exists():
        build_store(directory, parse_size(args.size))
    names = tuple(args.queries.split(",")) if args.queries else None
    store = EmbeddedStore(directory)
    found: dict[str, list] = {}
    try:
        for name, text in query_texts(names).items():
            best = float("inf")
            for _ in range(args.repeat):
                seconds, rows = run(store, text)
                best = min(best, seconds)
                if seconds > 5:
                    break  # slow: one run is enough
            found[name] = sorted(rows, key=lambda r: [x or "" for x in r])
            print(f"{name:32} {best * 1000:10.1f} ms {len(rows):7} rows", flush=True)
    finally:
        store.close()
    if args.save:
        Path(args.save).write_text(json.dumps(found, indent=0), encoding="utf-8")
    if args.compare:
        before = json.loads(Path(args.compare).read_text(encoding="utf-8"))
        differ = [n for n in found if n in before and before[n] != found[n]]
        print("rows differ for: " + ", ".join(differ) if differ else "same rows for every query")
        return 1 if differ else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
