"""Mixed load with and without an attacker (issue 21). Never run by pytest.

Starts ``svckg serve --store :memory:`` (demo loaded) on 127.0.0.1 and runs, twice, 16
clients for ``--seconds`` (default 60) mixing reads (SPARQL, named queries, GraphQL, linked
data) and imports (every client imports its own small file now and then, with an editor
token). The second run adds one more client that sends the attack requests of
``tests/hostile`` in a loop (entity expansion, deep nesting, GraphQL breadth, SERVICE, a
query over the time limit, ORDER BY panic, DROP ALL, an oversized chunked body). For each run
it reports the other clients' requests, errors, p50 and p99 latency, and checks that every
import answered 200 is listed by ``/api/imports`` (nothing lost); at the end it checks the
server is still up. The machine is shared: the load average is printed beside the figures.

Usage (from the project root)::

    .venv/bin/python bench/bench_attack_load.py --seconds 60
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "hostile"))

from attacks import (  # noqa: E402
    billion_laughs,
    deep_nesting,
    graphql_breadth,
    quadratic_blowup,
    send_chunked,
)

EDITOR = "bench-editor-tok"
ADMIN = "bench-admin-tok"
READS = [
    ("GET", "/sparql", {"query": "SELECT ?s WHERE { ?s a ?c } LIMIT 20"}),
    ("GET", "/api/queries", None),
    ("POST", "/graphql", {"query": "{ services(first: 10) { edges { node { id label } } } }"}),
    ("GET", "/id/cloud-workplace", None),
]
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
PANIC = "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY DESC(?o)"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _request(client: httpx.Client, method: str, path: str, data: object) -> httpx.Response:
    if method == "GET":
        return client.get(path, params=data)  # type: ignore[arg-type]
    return client.post(path, json=data)


def client_loop(base: str, index: int, stop: threading.Event, out: dict) -> None:
    """One well-behaved client: reads, and an import of its own file every 10th request."""
    headers = {"authorization": f"Bearer {EDITOR}", "accept": "application/json"}
    with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
        for n in itertools.count():
            if stop.is_set():
                return
            started = time.monotonic()
            try:
                if n % 10 == 9:
                    name = f"load-{index}-{n}.ttl"
                    body = (
                        "@prefix svc: <https://w3id.org/svckg#> .\n"
                        f"<load-{index}-{n}> a svc:Application ; <http://www.w3.org/2000/01/"
                        f'rdf-schema#label> "load {index} {n}" .\n'
                    )
                    r = client.post(
                        "/api/imports",
                        files={"file": (name, body.encode(), "text/turtle")},
                        params={"force": "true"},
                    )
                    if r.status_code == 200:
                        out["imported"].append(name)
                else:
                    r = _request(client, *READS[n % len(READS)])
                ok = r.status_code < 400
            except httpx.HTTPError:
                ok = False
            out["latencies"].append(time.monotonic() - started)
            if not ok:
                out["errors"] += 1


def attacker_loop(base: str, stop: threading.Event, out: dict) -> None:
    """One hostile client sending the attack suite in a loop."""
    auth = {"authorization": f"Bearer {EDITOR}"}
    attacks = [
        lambda c: c.post("/api/ui/validate", files={"file": ("a.rdf", billion_laughs())}),
        lambda c: c.post("/api/ui/validate", files={"file": ("q.rdf", quadratic_blowup())}),
        lambda c: c.post("/api/ui/validate", files={"file": ("d.rdf", deep_nesting())}),
        lambda c: c.post("/graphql", json={"query": graphql_breadth(9)}),
        lambda c: c.get(
            "/sparql", params={"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}
        ),
        lambda c: c.get("/sparql", params={"query": HEAVY}),
        lambda c: c.get("/sparql", params={"query": PANIC}),
        lambda c: c.post(
            "/sparql",
            content=b"DROP ALL",
            headers={**auth, "content-type": "application/sparql-update"},
        ),
        lambda c: send_chunked(base, "/graphql", {"Content-Type": "application/json"}, 8 << 20),
    ]
    with httpx.Client(base_url=base, timeout=120) as client:
        for attack in itertools.cycle(attacks):
            if stop.is_set():
                return
            with contextlib.suppress(httpx.HTTPError, OSError):
                attack(client)
            out["attacks"] += 1


def run(base: str, seconds: float, attacker: bool) -> dict:
    out: dict = {"latencies": [], "errors": 0, "imported": [], "attacks": 0}
    stop = threading.Event()
    threads = [threading.Thread(target=client_loop, args=(base, i, stop, out)) for i in range(16)]
    if attacker:
        threads.append(threading.Thread(target=attacker_loop, args=(base, stop, out)))
    load_before = os.getloadavg()[0]
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join(180)
    listed = {
        r["source"]
        for r in httpx.get(
            f"{base}/api/imports", headers={"authorization": f"Bearer {EDITOR}"}, timeout=60
        ).json()
    }
    lat = sorted(out["latencies"])
    out.update(
        requests=len(lat),
        p50=lat[len(lat) // 2] if lat else None,
        p99=lat[int(len(lat) * 0.99)] if lat else None,
        lost=[name for name in out["imported"] if name not in listed],
        load=(load_before, os.getloadavg()[0]),
    )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60)
    args = ap.parse_args(argv)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "SVCKG_TOKENS": f"{EDITOR}:editor,{ADMIN}:admin",
        "SVCKG_QUERY_TIMEOUT": "10",
    }
    cli = str(Path(sys.executable).parent / "svckg")
    argv_ = [cli, "serve", "--host", "127.0.0.1", "--port", str(port), "--store", ":memory:"]
    proc = subprocess.Popen([*argv_, "--log-level", "warning"], env=env)
    try:
        for _ in range(600):
            try:
                httpx.get(f"{base}/api/queries", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        print(
            f"{'run':<10}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p99 ms':>9}"
            f"{'lost':>6}{'attacks':>9}  load avg (before, after)"
        )
        for name, attacker in (("quiet", False), ("attacked", True)):
            r = run(base, args.seconds, attacker)
            print(
                f"{name:<10}{r['requests']:>9}{r['errors']:>8}{r['p50'] * 1000:>9.1f}"
                f"{r['p99'] * 1000:>9.1f}{len(r['lost']):>6}{r['attacks']:>9}"
                f"  {r['load'][0]:.2f}, {r['load'][1]:.2f}",
                flush=True,
            )
        alive = proc.poll() is None and httpx.get(f"{base}/api/queries").status_code == 200
        print(f"server alive at the end: {alive}")
        return 0 if alive else 1
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()


if __name__ == "__main__":
    raise SystemExit(main())
