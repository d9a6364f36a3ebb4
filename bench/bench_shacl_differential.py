"""Long differential run: the fast validator against pyshacl on generated shapes and data
(bench/shacl_cases.py), reporting every disagreement, grouped by the constraint components
of the differing results, with the shortest case of each group.

Run: ``.venv/bin/python bench/bench_shacl_differential.py --examples 3000 [--seed 1]``.
The bounded CI run of the same generator is tests/validation/test_differential.py.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402

from bench.shacl_cases import Case, cases, compare, explained, failure_explained  # noqa: E402


def _signature(diff: Counter) -> tuple[str, ...]:
    return tuple(sorted({key[4].rsplit("#", 1)[-1] for key in diff}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    found: dict[tuple[str, ...], tuple[Case, Counter, Counter]] = {}
    counts: Counter = Counter()
    ran = Counter()

    @seed(args.seed)
    @settings(
        max_examples=args.examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def run(case: Case) -> None:
        ran["cases"] += 1
        try:
            outcome = compare(case)
        except AssertionError as exc:
            reason = failure_explained(exc) if hasattr(exc, "pyshacl") else None
            key = ("one validator failed", reason or "UNEXPLAINED")
            counts[key] += 1
            found.setdefault(key, (case, Counter({str(exc)[:300]: 1}), Counter()))
            return
        if outcome is None:
            ran["both rejected"] += 1
            return
        ours, theirs = outcome
        if ours == theirs:
            return
        diff = (ours - theirs) + (theirs - ours)
        key = (explained(case, diff, ours, theirs) or "UNEXPLAINED", *_signature(diff))
        counts[key] += 1
        best = found.get(key)
        if best is None or len(case.shapes) + len(case.data) < len(best[0].shapes) + len(
            best[0].data
        ):
            found[key] = (case, ours - theirs, theirs - ours)

    start = time.perf_counter()
    run()
    seconds = time.perf_counter() - start
    print(f"{ran['cases']} cases in {seconds:.0f} s; both rejected: {ran['both rejected']}")
    print(f"disagreeing cases: {sum(counts.values())}")
    for key, n in counts.most_common():
        case, extra, missing = found[key]
        print(f"\n=== {key}: {n} cases; shortest:")
        print(case.shapes.split("\n", 6)[-1])
        print("--- data:")
        print(case.data.split("\n", 6)[-1])
        print("--- only fast:", dict(extra))
        print("--- only pyshacl:", dict(missing))


if __name__ == "__main__":
    main()
