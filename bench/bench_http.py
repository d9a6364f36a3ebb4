"""HTTP benchmark: named queries through ``/sparql`` against peer servers. Never run by pytest.

Part A (default 1M triples): the impact queries of the named catalogue through svckg's
``/sparql`` and through ``oxigraph serve`` on the *same* on-disk store (built once, served
by one server at a time). Part B (default 100k triples): every query of the named catalogue
through svckg, oxigraph and rdflib-endpoint (the rdflib-based peer).

Each (server, query) run sends a bounded load over loopback: ``--requests`` GET requests
(default 2,000) with ``--concurrency`` connections (default 16), stopping early after
``--time-limit`` seconds; a query whose warm-up request takes over a second gets 8 requests
on 2 connections instead (the "load" column says requests@connections). It reports
requests/s, p50 and p99 latency and the number of result rows (the servers must agree).
All servers run side by side (svckg and oxigraph on two copies of one store); each query runs
on each server ``--rounds`` times in alternating order and the best run counts, because the
machine is shared. An ``overhead-ask`` row (``ASK {}``) measures each server's own cost
per request. The load generator is a small keep-alive HTTP/1.1 client on raw asyncio
sockets, so it costs the shared CPU as little as possible.

Part O (``--part O``): only ``ASK {}`` through svckg's ``/sparql`` and ``oxigraph serve``,
at 1 and at 16 clients (``--clients``): each server's own cost per request (issue 13's lean
path: svckg answers a query whose text bounds its work without forking).

Part W (``--part W --store-w DIR``): warm impact over HTTP on an existing store (for 5 M, the
one ``bench_cold.py`` builds): svckg's ``GET /api/impact`` from its warm index against the
same question as one property-path query on ``oxigraph serve-read-only`` of the same files,
for a leaf and a hub (``--hub``), at 1 and 16 clients. Rows compared: impacted elements.

Each table is printed with the load average (1, 5, 15 min) before and after it: the machine
may be shared, and a loaded machine slows the Python server more than the Rust one.

Usage (from the project root)::

    .venv/bin/python bench/bench_http.py --part O --size-o 100k    # ASK {}, 1 and 16 clients
    .venv/bin/python bench/bench_http.py                       # parts A and B
    .venv/bin/python bench/bench_http.py --part A --size 1M --requests 500
    .venv/bin/python bench/bench_http.py --part B --size 100k --json /tmp/http.json
    .venv/bin/python bench/bench_http.py --part W --store-w STORE_DIR --hub 23
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from bench.bench_impact import IMPACT_QUERY  # noqa: E402
from bench.landscape import hub_iri, iter_ntriples, parse_size, unit_iri  # noqa: E402
from svckg.analysis.queries import catalogue  # noqa: E402
from svckg.ingest.inference import dependency_edges, dependency_subproperties  # noqa: E402
from svckg.store.embedded import EmbeddedStore  # noqa: E402
from svckg.store.params import bind_parameters  # noqa: E402
from svckg.store.system import ensure_system_graphs  # noqa: E402
from svckg.vocab import GRAPH  # noqa: E402

BIN = Path(sys.executable).parent
LANDSCAPE_GRAPH = str(GRAPH["bench/landscape"])
ACCEPT = "application/sparql-results+json"
IMPACT_QUERIES = (
    "impact-affected-elements",
    "impact-agreements-at-risk",
    "impact-affected-parties",
    "impact-journeys-touchpoints",
    "impact-redundancy",
)


# -- data ------------------------------------------------------------------------------------


def build_store(directory: Path, target: int) -> tuple[int, Path]:
    """An on-disk store holding the ontology graphs, a landscape of ``target`` triples and
    its inferred ``svc:dependsOn`` edges (as the import pipeline writes them); also writes
    all of it as one N-Triples file (for rdflib-endpoint). Returns (quads, that file)."""
    t0 = time.perf_counter()
    data = "".join(iter_ntriples(target)).encode()
    store = EmbeddedStore(directory)
    ensure_system_graphs(store)
    store.load(data, LANDSCAPE_GRAPH, format=ox.RdfFormat.N_TRIPLES)
    triples = list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
    edges = dependency_edges(
        (ox.Triple(q.subject, q.predicate, q.object) for q in triples),
        dependency_subproperties(store),
    )
    if edges:
        store.load(edges, LANDSCAPE_GRAPH + "/inferred")
    flat = directory.parent / f"{directory.name}.nt"
    with flat.open("wb") as out:
        for graph in store.graphs():
            out.write(store.export(ox.RdfFormat.N_TRIPLES, graph))
    quads = store.count()
    store.close()
    print(
        f"store {directory}: {quads:,} quads in {time.perf_counter() - t0:.1f} s", file=sys.stderr
    )
    return quads, flat


def parameters() -> dict[str, str]:
    """A value for every parameter name the catalogue uses (unit 0 of the landscape)."""
    return {
        "failed": unit_iri("infra", 0),
        "ended": unit_iri("sla", 0),
        "customer": unit_iri("customer", 0),
        "relationship": unit_iri("relationship", 0),
        "service": unit_iri("cfs", 0),
        "touchpoint": unit_iri("touchpoint", 0),
        "text": "server 0.1",
    }


OVERHEAD_QUERY = "ASK {}"
"""Measures the per-request cost of each server itself (no data touched)."""


def query_texts(names: tuple[str, ...] | None, overhead: bool = False) -> dict[str, str]:
    """Named queries with their parameters written into the text (the same text for every
    server); ``overhead`` adds the empty ASK as ``overhead-ask``."""
    values = parameters()
    out: dict[str, str] = {"overhead-ask": OVERHEAD_QUERY} if overhead else {}
    for q in catalogue():
        if names is not None and q.name not in names:
            continue
        terms: dict[str, ox.NamedNode | ox.Literal] = {}
        for p in q.parameters:
            value = values[p.name]
            terms[p.variable] = ox.NamedNode(value) if p.kind == "iri" else ox.Literal(value)
        out[q.name] = bind_parameters(q.text, terms)
    return out


# -- servers ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A server process on 127.0.0.1, stopped by PID."""

    def __init__(
        self,
        name: str,
        argv: list[str],
        port: int,
        path: str,
        log: Path,
        env: dict[str, str] | None = None,
        settle: Callable[[int], None] | None = None,
    ):
        self.name, self.port, self.path, self.settle = name, port, path, settle
        self.argv, self.env = argv, {**os.environ, **(env or {})}
        self.log = log.open("wb")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT, env=self.env)

    def wait_ready(self, timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited ({self.proc.returncode}); see {self.log.name}"
                )
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    pass
            except OSError:
                time.sleep(0.2)
                continue
            if self.settle is not None:
                self.settle(self.port)
            return
        raise RuntimeError(f"{self.name} not ready after {timeout} s")

    def restart(self) -> None:
        """Stop and start again with the same command (same port)."""
        self.stop()
        self.log = open(self.log.name, "ab")  # noqa: SIM115  (closed by stop())
        self.proc = subprocess.Popen(
            self.argv, stdout=self.log, stderr=subprocess.STDOUT, env=self.env
        )
        self.wait_ready()

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=20)
        self.log.close()


def svckg_settled(port: int, timeout: float = 600) -> None:
    """Wait until svckg has finished its start-up work in the background (the index serving,
    the GraphQL schema built): its port opens before, and requests measured meanwhile share
    the interpreter with that work (5-55 ms stalls for a few seconds)."""
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{base}/readyz", timeout=30) as response:
            if json.loads(response.read()).get("mode") == "index":
                break
        time.sleep(0.2)
    request = urllib.request.Request(
        f"{base}/graphql", data=b'{"query":"{ __typename }"}',
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=timeout) as response:
        response.read()


def start_svckg(store_dir: Path, logs: Path) -> Server:
    port = free_port()
    argv = [
        str(BIN / "svckg"),
        "serve",
        "--store",
        str(store_dir),
        "--no-demo",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    env = {"SVCKG_MAX_RESULT_ROWS": "10000000", "SVCKG_QUERY_TIMEOUT": "600"}
    return Server("svckg", argv, port, "/sparql", logs / "svckg.log", env, svckg_settled)


def start_oxigraph(store_dir: Path, logs: Path) -> Server:
    port = free_port()
    argv = [
        str(BIN / "oxigraph"),
        "serve",
        "--location",
        str(store_dir),
        "--bind",
        f"127.0.0.1:{port}",
        "--union-default-graph",
    ]
    return Server("oxigraph", argv, port, "/query", logs / "oxigraph.log")


def start_rdflib_endpoint(flat: Path, logs: Path) -> Server:
    port = free_port()
    argv = [
        str(BIN / "rdflib-endpoint"),
        "serve",
        str(flat),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    return Server("rdflib-endpoint", argv, port, "/", logs / "rdflib-endpoint.log")


# -- load ------------------------------------------------------------------------------------


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {
        k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)
    }
    if "content-length" in headers:
        return status, await reader.readexactly(int(headers["content-length"]))
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = bytearray()
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                return status, bytes(body)
            body += chunk[:-2]
    return status, await reader.read()


@dataclass
class Run:
    server: str
    query: str
    requests: int
    concurrency: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    rows: int | None
    timed_out: bool = False


class RequestTimeout(Exception):
    """A request took longer than ``--request-timeout``: the server is still busy with it."""


async def _load(
    port: int,
    target: str,
    total: int,
    concurrency: int,
    time_limit: float,
    request_timeout: float = 3600.0,
) -> tuple[list[float], int, float, bytes]:
    request = (
        f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: {ACCEPT}\r\n"
        "Connection: keep-alive\r\n\r\n"
    ).encode()
    latencies: list[float] = []
    errors = 0
    issued = 0
    sample = b""
    started = time.perf_counter()

    async def worker() -> None:
        nonlocal issued, errors, sample
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while issued < total and time.perf_counter() - started < time_limit:
                issued += 1
                t0 = time.perf_counter()
                writer.write(request)
                try:
                    status, body = await asyncio.wait_for(_read_response(reader), request_timeout)
                except TimeoutError:
                    raise RequestTimeout(target) from None
                latencies.append(time.perf_counter() - t0)
                if status != 200:
                    errors += 1
                    sample = sample or body[:300]
                elif not sample:
                    sample = body
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, errors, time.perf_counter() - started, sample


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


SLOW_S = 1.0
"""A query whose warm-up request takes longer than this runs with a small load (below)."""
SLOW_LOAD = (8, 2)
"""(requests, concurrency) for slow queries: enough for a median, bounded in time."""


def sparql_rows(answer: dict) -> int:
    """Rows of a SPARQL JSON result (1 for a boolean)."""
    return 1 if "boolean" in answer else len(answer["results"]["bindings"])


def bench(server: Server, name: str, text: str, args: argparse.Namespace) -> Run:
    """One measured run of query ``text`` on ``server``'s SPARQL endpoint."""
    return measure(server, name, f"{server.path}?{urlencode({'query': text})}", args)


def measure(
    server: Server,
    name: str,
    target: str,
    args: argparse.Namespace,
    rows_of: Callable[[dict], int] = sparql_rows,
) -> Run:
    """One measured run of GET ``target`` on ``server`` (after one unmeasured warm-up
    request); ``rows_of`` counts the rows of a JSON answer so the servers can be compared.

    When a request runs over ``--request-timeout`` the run is recorded as timed out (no
    rate, latency = the timeout) and the server is restarted, since it is still working."""
    t0 = time.perf_counter()
    try:
        asyncio.run(_load(server.port, target, 1, 1, 3600, args.request_timeout))
        slow = time.perf_counter() - t0 > SLOW_S
        total, concurrency = SLOW_LOAD if slow else (args.requests, args.concurrency)
        lat, errors, seconds, body = asyncio.run(
            _load(server.port, target, total, concurrency, args.time_limit, args.request_timeout)
        )
    except RequestTimeout:
        print(
            f"  {server.name:16} {name:32} over {args.request_timeout:g} s: restarting",
            file=sys.stderr,
        )
        server.restart()
        limit_ms = args.request_timeout * 1000
        return Run(
            server.name,
            name,
            0,
            1,
            0,
            args.request_timeout,
            0.0,
            limit_ms,
            limit_ms,
            None,
            timed_out=True,
        )
    rows: int | None = None
    try:
        rows = rows_of(json.loads(body))
    except (ValueError, KeyError, TypeError):
        print(f"  {server.name} {name}: unexpected answer {body[:200]!r}", file=sys.stderr)
    run = Run(
        server.name,
        name,
        len(lat),
        concurrency,
        errors,
        seconds,
        len(lat) / seconds,
        _percentile(lat, 50) * 1000,
        _percentile(lat, 99) * 1000,
        rows,
    )
    print(
        f"  {run.server:16} {name:32} {run.requests:5} req c{concurrency:<3} {run.rps:8.1f}/s "
        f"p50 {run.p50_ms:9.2f} ms p99 {run.p99_ms:9.2f} ms rows {rows} errors {errors}",
        file=sys.stderr,
    )
    return run


def run_part(
    part: str,
    size: int,
    names: tuple[str, ...] | None,
    servers: list[str],
    args: argparse.Namespace,
    work: Path,
) -> list[Run]:
    """Build the store, start every server side by side (svckg and oxigraph each on its
        own copy of the same store), then for each query run the servers in turn, reversing
        the order every round; each server keeps its best round (the machine is shared). A
    query that is slow on a server runs once there."""
    store_dir = work / f"store-{part}"
    _, flat = build_store(store_dir, size)
    copy_dir = work / f"store-{part}-oxigraph"
    shutil.copytree(store_dir, copy_dir)
    texts = query_texts(names, overhead=True)
    starters = {
        "svckg": lambda: start_svckg(store_dir, work),
        "oxigraph": lambda: start_oxigraph(copy_dir, work),
        "rdflib-endpoint": lambda: start_rdflib_endpoint(flat, work),
    }
    started: list[Server] = []
    best: dict[tuple[str, str], Run] = {}
    try:
        for name in servers:
            started.append(starters[name]())
        for server in started:
            server.wait_ready()
        print(
            f"part {part} ({size:,} triples): "
            + ", ".join(f"{s.name} on {s.port}" for s in started),
            file=sys.stderr,
        )
        for query, text in texts.items():
            for round_no in range(args.rounds):
                order = started if round_no % 2 == 0 else list(reversed(started))
                for server in order:
                    key = (server.name, query)
                    if key in best and (best[key].timed_out or best[key].concurrency < 4):
                        continue  # slow on this server: one round is enough
                    run = bench(server, query, text, args)
                    if key not in best or run.rps > best[key].rps:
                        best[key] = run
    finally:
        for server in started:
            server.stop()
    return list(best.values())


def table(runs: list[Run], base: str, peers: list[str]) -> str:
    """Markdown table: one row per query, the base server beside each peer; the speed ratio
    is base req/s over peer req/s (above 1: the base server is faster)."""
    by = {(r.server, r.query): r for r in runs}
    queries = list(dict.fromkeys(r.query for r in runs))
    head = ["query", "load", f"{base} req/s", f"{base} p50 ms", f"{base} p99 ms"]
    for peer in peers:
        head += [
            f"{peer} req/s",
            f"{peer} p50 ms",
            f"{peer} p99 ms",
            f"{base} speed vs {peer}",
            "rows agree",
        ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for q in queries:
        mine = by.get((base, q))
        if mine is None:
            continue
        load = f"{mine.requests}@{mine.concurrency}"
        cells = [q, load, f"{mine.rps:.1f}", f"{mine.p50_ms:.2f}", f"{mine.p99_ms:.2f}"]
        for peer in peers:
            other = by.get((peer, q))
            if other is None:
                cells += ["-"] * 5
                continue
            if other.timed_out:
                cells += [
                    "timeout",
                    f"> {other.p50_ms:.0f}",
                    "-",
                    f">= {other.p50_ms / mine.p50_ms:.1f}x",
                    "-",
                ]
                continue
            ratio = mine.rps / other.rps if other.rps else float("inf")
            cells += [
                f"{other.rps:.1f}",
                f"{other.p50_ms:.2f}",
                f"{other.p99_ms:.2f}",
                f"{ratio:.2f}x",
                "yes" if other.rows == mine.rows else f"NO ({mine.rows} vs {other.rows})",
            ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _loadavg() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def run_overhead(args: argparse.Namespace, work: Path) -> list[Run]:
    """Part O: ``ASK {}`` on svckg and oxigraph at each client count, one table each."""
    runs: list[Run] = []
    for clients in (int(c) for c in args.clients.split(",")):
        args.concurrency = clients
        before = _loadavg()
        part = run_part(
            f"O{clients}", parse_size(args.size_o), (), ["svckg", "oxigraph"], args, work
        )
        runs += part
        print(
            f"\n### ASK {{}} through /sparql vs oxigraph serve: {clients} client(s), "
            f"{args.requests} requests, {args.size_o} triples; load average before {before}, "
            f"after {_loadavg()} ({os.cpu_count()} cores, shared machine)\n"
        )
        print(table(part, "svckg", ["oxigraph"]))
    return runs


def start_oxigraph_read_only(store_dir: Path, logs: Path) -> Server:
    """``oxigraph serve-read-only`` on svckg's own store directory (no copy: neither server
    writes while measured)."""
    port = free_port()
    argv = [
        str(BIN / "oxigraph"), "serve-read-only", "--location", str(store_dir),
        "--bind", f"127.0.0.1:{port}", "--union-default-graph",
    ]  # fmt: skip
    return Server("oxigraph", argv, port, "/query", logs / "oxigraph.log")


def _distinct_elements(answer: dict) -> int:
    return len({b["x"]["value"] for b in answer["results"]["bindings"]})


def run_warm_impact(args: argparse.Namespace, work: Path) -> list[Run]:
    """Part W: warm impact over HTTP on an existing store (``--store-w``, e.g. one
    ``bench_cold.py`` built): svckg's ``GET /api/impact`` (its index, warm) against the same
    question as one property-path query on ``oxigraph serve-read-only`` of the same files, for
    a leaf and a hub, at each client count; the servers alternate, best round kept."""
    store_dir = Path(args.store_w)
    servers = [start_svckg(store_dir, work), start_oxigraph_read_only(store_dir, work)]
    elements = {"leaf": unit_iri("infra", 0), f"hub-{args.hub}": hub_iri(args.hub)}
    runs: list[Run] = []
    try:
        for server in servers:
            server.wait_ready()
        for clients in (int(c) for c in args.clients.split(",")):
            args.concurrency = clients
            before = _loadavg()
            part: list[Run] = []
            for label, element in elements.items():
                targets = {
                    "svckg": f"/api/impact?{urlencode({'element': element})}",
                    "oxigraph": f"/query?{urlencode({'query': IMPACT_QUERY % element})}",
                }
                counters = {"svckg": lambda a: len(a["impacted"]), "oxigraph": _distinct_elements}
                best: dict[str, Run] = {}
                for round_no in range(args.rounds):
                    order = servers if round_no % 2 == 0 else list(reversed(servers))
                    for server in order:
                        run = measure(
                            server, f"impact {label}", targets[server.name], args,
                            counters[server.name],
                        )  # fmt: skip
                        if server.name not in best or run.rps > best[server.name].rps:
                            best[server.name] = run
                part += best.values()
            runs += part
            print(
                f"\n### Warm impact over HTTP, {clients} client(s), {args.requests} requests, "
                f"store {store_dir.name}; load average before {before}, after {_loadavg()} "
                f"({os.cpu_count()} cores)\n"
            )
            print(table(part, "svckg", ["oxigraph"]))
    finally:
        for server in servers:
            server.stop()
    return runs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--part", choices=("A", "B", "AB", "O", "W"), default="AB")
    ap.add_argument("--store-w", help="part W: an existing svckg store of a bench landscape")
    ap.add_argument("--hub", type=int, default=23, help="part W: hub number (bench-hub-N)")
    ap.add_argument("--size-o", default="100k", help="triples for part O (default 100k)")
    ap.add_argument("--clients", default="1,16", help="parts O, W: client counts (default 1,16)")
    ap.add_argument("--size-a", default="1M", help="triples for part A (default 1M)")
    ap.add_argument("--size-b", default="100k", help="triples for part B (default 100k)")
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument(
        "--time-limit",
        type=float,
        default=60.0,
        help="stop a (server, query) run after this many seconds",
    )
    ap.add_argument("--rounds", type=int, default=2, help="runs per (server, query); best kept")
    ap.add_argument(
        "--request-timeout",
        type=float,
        default=120.0,
        help="a request slower than this marks the run as timed out (server restarted)",
    )
    ap.add_argument("--queries", help="comma-separated query names (default: per part)")
    ap.add_argument("--json", help="write every run as JSON here")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="svckg-bench-http-"))
    chosen = tuple(args.queries.split(",")) if args.queries else None
    runs: list[Run] = []
    try:
        if args.part == "O":
            runs += run_overhead(args, work)
        if args.part == "W":
            runs += run_warm_impact(args, work)
        if "A" in args.part:
            part_a = run_part(
                "A",
                parse_size(args.size_a),
                chosen or IMPACT_QUERIES,
                ["svckg", "oxigraph"],
                args,
                work,
            )
            runs += part_a
            print(
                f"\n### Part A: {args.size_a} triples, {args.requests} requests, "
                f"concurrency {args.concurrency}; load average {_loadavg()}\n"
            )
            print(table(part_a, "svckg", ["oxigraph"]))
        if "B" in args.part:
            part_b = run_part(
                "B",
                parse_size(args.size_b),
                chosen,
                ["svckg", "oxigraph", "rdflib-endpoint"],
                args,
                work,
            )
            runs += part_b
            print(
                f"\n### Part B: {args.size_b} triples, {args.requests} requests, "
                f"concurrency {args.concurrency}; load average {_loadavg()}\n"
            )
            print(table(part_b, "svckg", ["oxigraph", "rdflib-endpoint"]))
        if args.json:
            Path(args.json).write_text(json.dumps([asdict(r) for r in runs], indent=2) + "\n")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
