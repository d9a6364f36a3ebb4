"""Backends side by side (issue 19): svckg on its embedded store, on ``oxigraph serve`` and on
Virtuoso, in one run, on the same synthetic landscape (``bench/landscape.py``).

For each backend it starts the engine (a fresh database in a temporary directory, loopback
only) and one ``svckg serve`` pointed at it, then through svckg's HTTP API measures:

- ``import``: ``POST /api/imports`` of the landscape as N-Triples, validated (the full
  pipeline: parse, SHACL validation, inference, write, record);
- ``impact leaf`` / ``impact hub``: ``GET /api/impact`` of a leaf resource (unit 0's first
  infrastructure element) and of a hub (``--hub N``: ``bench-hub-N``; 0 is the busiest, 8,120
  impacted elements at 100 k; 20 has about 500 at 1 M). "first" is the first call after the
  import (the index being refreshed meanwhile: the engine may answer it); "index" the median
  of ``--repeat`` calls once ``/readyz`` says the index serves; "push-down" the median on a
  second ``svckg serve`` started on the same data with ``SVCKG_IMPACT_MODE=engine`` (x: its
  ratio to the index);
- ``query``: a named query (``impact-affected-elements`` of the leaf) through ``/sparql``,
  median of ``--repeat`` calls.

The results must be identical on every backend and in every mode (impact JSON compared as
multisets of elements with their status; query rows as a multiset); the last lines say so.
The machine's load average is printed beside every row (the machine may be shared).
Engines and servers run one backend at a time and are stopped by PID.

Usage (from the project root)::

    .venv/bin/python bench/bench_backends.py --size 100k          # a quick check
    .venv/bin/python bench/bench_backends.py --size 1M --json /tmp/backends.json

Not a test: never collected by pytest. Virtuoso comes from the Debian package
``virtuoso-opensource`` (``make setup``); without it that backend is skipped (said so).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from bench.bench_http import query_texts  # noqa: E402
from bench.landscape import hub_iri, parse_size, unit_iri, write  # noqa: E402
from tests.conftest import (  # noqa: E402
    VIRTUOSO_GRANTS,
    VIRTUOSO_INI,
    _free_port,
    _oxigraph_binary,
    running_server,
)

BIN = Path(sys.executable).parent
TOKEN = "bench-editor"
AUTH = {"authorization": f"Bearer {TOKEN}"}
QUERY = "impact-affected-elements"
BACKENDS = ("embedded", "oxigraph", "virtuoso")
CLIENT = httpx.Client()
"""One client for the timed calls: ``httpx.get`` makes a client (and its TLS context) per
call, about 20-30 ms that would be counted as the server's."""


@contextmanager
def engine(name: str, workdir: Path) -> Iterator[dict[str, str] | None]:
    """The svckg settings of a fresh engine ``name`` (None: not installed here)."""
    where = workdir / name
    where.mkdir()
    if name == "embedded":
        yield {"SVCKG_STORE": str(where / "store")}
        return
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    if name == "oxigraph":
        argv = [_oxigraph_binary(), "serve", "--location", str(where), "--bind"]
        argv += [f"127.0.0.1:{port}", "--union-default-graph"]
        with running_server(argv, f"{base}/query?query=ASK%7B%7D", where / "engine.log"):
            yield {
                "SVCKG_STORE": f"{base}/query",
                "SVCKG_REMOTE_UPDATE": f"{base}/update",
                "SVCKG_REMOTE_GSP": f"{base}/store",
            }
        return
    with _virtuoso(where, port) as settings:
        yield settings


@contextmanager
def _virtuoso(where: Path, http_port: int) -> Iterator[dict[str, str] | None]:
    binary, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if not binary or not isql:
        yield None
        return
    sql_port = _free_port()
    ini = VIRTUOSO_INI.format(dir=where, sql_port=sql_port, http_port=http_port)
    ini = ini.replace("NumberOfBuffers = 10000", "NumberOfBuffers = 60000")
    ini = ini.replace("MaxDirtyBuffers = 6000", "MaxDirtyBuffers = 45000")
    ini = ini.replace("MaxQueryExecutionTime = 10", "MaxQueryExecutionTime = 0")
    (where / "virtuoso.ini").write_text(ini)
    base = f"http://127.0.0.1:{http_port}"
    argv = [binary, "-f", "-c", str(where / "virtuoso.ini")]
    with running_server(argv, f"{base}/sparql?query=ASK%7B%7D", where / "engine.log"):
        subprocess.run(
            [isql, f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={VIRTUOSO_GRANTS}"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        yield {"SVCKG_STORE": f"{base}/sparql", "SVCKG_REMOTE_GSP": f"{base}/sparql-graph-crud"}


@contextmanager
def svckg(settings: dict[str, str], log: Path, mode: str = "auto") -> Iterator[str]:
    """A ``svckg serve`` on ``settings`` (no demo), impact answered as ``mode`` says
    (``SVCKG_IMPACT_MODE``); its base URL."""
    port = _free_port()
    env = {
        **os.environ,
        **settings,
        "SVCKG_TOKENS": f"{TOKEN}:editor",
        "SVCKG_QUERY_TIMEOUT": "1800",
        "SVCKG_MAX_UPLOAD_BYTES": str(4 * 1024**3),
        "SVCKG_MAX_RESULT_ROWS": "10000000",
        "SVCKG_IMPACT_MODE": mode,
    }
    argv = [str(BIN / "svckg"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    argv += ["--no-demo", "--log-level", "warning"]
    base = f"http://127.0.0.1:{port}"
    with running_server(argv, f"{base}/healthz", log, env=env, timeout_s=300):
        yield base


def index_serving(base: str, timeout_s: float = 3600) -> float:
    """Wait until the server answers impact from its index (``/readyz`` mode); seconds."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout_s:
        if httpx.get(f"{base}/readyz", timeout=60).json().get("mode") == "index":
            return time.perf_counter() - started
        time.sleep(0.2)
    raise RuntimeError(f"no index after {timeout_s} s")


def timed(func, *args):  # noqa: ANN001, ANN201
    started = time.perf_counter()
    value = func(*args)
    return time.perf_counter() - started, value


def do_import(base: str, data: Path) -> dict:
    with data.open("rb") as body:
        answer = httpx.post(
            f"{base}/api/imports",
            files=[("file", (data.name, body, "application/n-triples"))],
            params={"allow_violations": "true"},
            headers=AUTH,
            timeout=None,
        )
    if answer.status_code != 201:
        raise RuntimeError(f"import failed: {answer.status_code} {answer.text[:2000]}")
    return answer.json()


def do_impact(base: str, element: str) -> Counter:
    answer = CLIENT.get(f"{base}/api/impact", params={"element": element}, timeout=None)
    answer.raise_for_status()
    return Counter((e["iri"], e.get("status")) for e in answer.json()["impacted"])


def do_query(base: str, text: str) -> Counter:
    answer = CLIENT.post(
        f"{base}/sparql",
        data={"query": text},
        headers={"accept": "application/sparql-results+json"},
        timeout=None,
    )
    answer.raise_for_status()
    rows = answer.json()["results"]["bindings"]
    return Counter(tuple(sorted((k, v["value"]) for k, v in row.items())) for row in rows)


def first_and_warm(repeat: int, func, *args) -> tuple[float, float, object]:  # noqa: ANN001
    """Seconds of the first call, median seconds of ``repeat`` more, and the answer."""
    first, value = timed(func, *args)
    warm = [timed(func, *args)[0] for _ in range(repeat)]
    return first, statistics.median(warm), value


def run_backend(name: str, data: Path, workdir: Path, repeat: int, hub: str) -> dict | None:
    """Every measurement on one backend (None: its engine is not installed): the import,
    the first impact after it (the index being refreshed: the engine may answer), the warm
    impact from the index, the named query; then a second ``svckg serve`` on the same data
    with ``SVCKG_IMPACT_MODE=engine`` for the warm push-down impact."""
    query = query_texts((QUERY,))[QUERY]
    leaf = unit_iri("infra", 0)
    log = workdir / name / "svckg.log"
    with engine(name, workdir) as settings:
        if settings is None:
            print(f"{name}: not installed here, skipped", file=sys.stderr)
            return None
        load_before = os.getloadavg()[0]
        with svckg(settings, log) as base:
            seconds, outcome = timed(do_import, base, data)
            [source] = outcome["imports"]
            first = {"leaf": timed(do_impact, base, leaf), "hub": timed(do_impact, base, hub)}
            wait_s = index_serving(base)
            index = {
                "leaf": first_and_warm(repeat, do_impact, base, leaf),
                "hub": first_and_warm(repeat, do_impact, base, hub),
            }
            rows = first_and_warm(repeat, do_query, base, query)
        with svckg(settings, log.with_name("svckg-engine.log"), mode="engine") as base:
            push = {
                "leaf": first_and_warm(repeat, do_impact, base, leaf),
                "hub": first_and_warm(repeat, do_impact, base, hub),
            }
        return {
            "backend": name,
            "triples": source["record"]["triple_count"],
            "violations": outcome["report"]["violations"],
            "warnings": outcome["report"]["warnings"],
            "import_s": seconds,
            "first": {q: first[q][0] for q in first},
            "index_wait_s": wait_s,
            "index": {q: index[q][1] for q in index},
            "push": {q: push[q][1] for q in push},
            "query": rows[:2],
            "answers": {
                **{f"{q} first": first[q][1] for q in first},
                **{f"{q} index": index[q][2] for q in index},
                **{f"{q} push-down": push[q][2] for q in push},
                "query": rows[2],
            },
            "load": (load_before, os.getloadavg()[0]),
        }


def table(results: list[dict]) -> str:
    head = (
        "| backend | triples | import (validated) | violations / warnings | "
        "impact leaf: first / index / push-down | impact hub: first / index / push-down | "
        "index serving after | named query first / warm | rows | load avg before / after |"
    )
    lines = [head, "|" + " --- |" * 10]
    for r in results:
        walks = [
            f"{r['first'][q] * 1000:,.0f} / {r['index'][q] * 1000:,.1f} / "
            f"{r['push'][q] * 1000:,.1f} ms (x{r['push'][q] / r['index'][q]:.1f})"
            for q in ("leaf", "hub")
        ]
        query = f"{r['query'][0] * 1000:,.0f} / {r['query'][1] * 1000:,.1f} ms"
        lines.append(
            f"| {r['backend']} | {r['triples']:,} | {r['import_s']:,.1f} s | "
            f"{r['violations']:,} / {r['warnings']:,} | {walks[0]} | {walks[1]} | "
            f"{r['index_wait_s']:,.1f} s | {query} | {sum(r['answers']['query'].values()):,} | "
            f"{r['load'][0]:.1f} / {r['load'][1]:.1f} |"
        )
    return "\n".join(lines)


def agreement(results: list[dict]) -> list[str]:
    """One line per answer (each impact first, from the index and pushed down; the query):
    identical on every backend and in every mode, or which differ. The reference is the
    first backend's index answer (its query rows for the query)."""
    out = []
    ref = results[0]["answers"]
    for key in ref:
        want = ref["query" if key == "query" else key.split()[0] + " index"]
        differ = [r["backend"] for r in results if r["answers"][key] != want]
        verdict = "identical" if not differ else f"DIFFER on {', '.join(differ)}"
        out.append(f"{key}: {want.total():,} answers, {verdict}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1M", help="landscape triples (100k, 1M, ...)")
    parser.add_argument("--repeat", type=int, default=5, help="warm calls per question")
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--hub", type=int, default=20, help="hub number (bench-hub-N; 0 is the busiest)"
    )
    args = parser.parse_args(argv)
    size = parse_size(args.size)
    with tempfile.TemporaryDirectory(prefix="svckg-backends-") as tmp:
        workdir = Path(tmp)
        data = workdir / "landscape.nt"
        summary = write(data, size)
        print(f"landscape: {summary.triples:,} triples, seed {summary.seed}", file=sys.stderr)
        results = []
        for name in args.backends.split(","):
            print(f"{name} ...", file=sys.stderr)
            result = run_backend(name, data, workdir, args.repeat, hub_iri(args.hub))
            if result is not None:
                results.append(result)
                print(table(results[-1:]), file=sys.stderr)
    print(f"\n{os.cpu_count()} CPUs; load average now {os.getloadavg()}")
    print(table(results))
    print("\n".join(agreement(results)))
    if args.json:
        plain = [{k: v for k, v in r.items() if k != "answers"} for r in results]
        args.json.write_text(json.dumps(plain, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
