"""GraphQL benchmark: ``/graphql`` next to plain REST routes and direct calls. Never run by pytest.

On one on-disk store of ``--size`` triples (default 1M, the synthetic landscape of
``bench/landscape.py`` with its inferred ``svc:dependsOn`` edges), side by side in one run:

- **impact**: the ``impact`` field asking for every field (the CLI JSON) vs ``GET /api/impact``
  (a plain FastAPI route returning the same JSON: the HTTP floor) vs
  ``svckg.analysis.impact.impact`` called in-process (the store floor);
- **nested**: a 3-level query over ``--services`` customer-facing services (services ->
  backend services -> resources, with labels) vs a plain FastAPI route ``/bench/nested``
  building the same JSON with three direct store queries vs both in-process.

Each HTTP variant runs with 1 connection and with ``--concurrency`` connections (requests/s,
p50, p99); the REST and GraphQL answers are checked to be the same JSON. The server is
``uvicorn`` in a subprocess on 127.0.0.1 (this module's :func:`bench_app` factory: the svckg
app plus ``/bench/nested``), stopped by PID. The load generator is bench_http's raw-socket
client.

Usage (from the project root)::

    .venv/bin/python bench/bench_graphql.py                    # 1M triples, 1,000 services
    .venv/bin/python bench/bench_graphql.py --size 100k --services 200 --requests 200
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from fastapi import Request  # noqa: E402

from bench.bench_http import BIN, Server, _load, _percentile, build_store, free_port  # noqa: E402
from bench.landscape import parse_size, unit_iri  # noqa: E402
from svckg.analysis.impact import impact  # noqa: E402
from svckg.store.base import Store  # noqa: E402
from svckg.vocab import SVC  # noqa: E402

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
PATH = "{ s p o }"
IMPACT_FIELDS = f"""failed {{ iri label types layer }}
  impacted {{ iri label types layer distance status customerVisible visibleIn owners
             paths {PATH} }}
  agreements {{ iri label types status covers targets {{ iri label metric value unit }} }}
  parties {{ role roleLabel agent agentLabel context contextLabel assignment relationship }}
  owners {{ iri label elements }}"""
NESTED = """query($n: Int!) { customerFacingServices(first: $n) { edges { node {
  id label includesService { id label usesResource { id label } } } } } }"""


def impact_query(element: str) -> str:
    return f'{{ impact(failed: ["{element}"]) {{ {IMPACT_FIELDS} }} }}'


# -- the REST twin of the nested query ---------------------------------------------------


def _labels(store: Store, iris: list[str]) -> dict[str, str | None]:
    out: dict[str, str | None] = dict.fromkeys(iris)
    values = " ".join(f"<{i}>" for i in iris)
    for row in store.query(
        f"SELECT ?s ?l WHERE {{ VALUES ?s {{ {values} }} ?s <{RDFS_LABEL}> ?l }}"
    ):  # type: ignore[union-attr]
        out[row[0].value] = out[row[0].value] or row[1].value
    return out


def _links(store: Store, iris: list[str], predicate: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {i: [] for i in iris}
    values = " ".join(f"<{i}>" for i in iris)
    rows = store.query(f"SELECT ?s ?o WHERE {{ VALUES ?s {{ {values} }} ?s <{predicate}> ?o }}")
    for row in rows:  # type: ignore[union-attr]
        out[row[0].value].append(row[1].value)
    return {k: sorted(set(v)) for k, v in out.items()}


def nested_json(store: Store, n: int) -> dict[str, Any]:
    """The JSON of :data:`NESTED` built with direct store queries (what a hand-written REST
    route would do)."""
    rows = store.query(
        f"SELECT DISTINCT ?s WHERE {{ ?s a <{SVC.CustomerFacingService}> FILTER(isIRI(?s)) }} "
        f"ORDER BY STR(?s) LIMIT {n}"
    )
    cfs = [row[0].value for row in rows]  # type: ignore[union-attr]
    includes = _links(store, cfs, str(SVC.includesService))
    bes = sorted({b for v in includes.values() for b in v})
    uses = _links(store, bes, str(SVC.usesResource))
    resources = sorted({r for v in uses.values() for r in v})
    labels = _labels(store, cfs + bes + resources)

    def resource(r: str) -> dict[str, Any]:
        return {"id": r, "label": labels[r]}

    def backend(b: str) -> dict[str, Any]:
        return {"id": b, "label": labels[b], "usesResource": [resource(r) for r in uses[b]]}

    edges = [
        {
            "node": {
                "id": c,
                "label": labels[c],
                "includesService": [backend(b) for b in includes[c]],
            }
        }
        for c in cfs
    ]
    return {"data": {"customerFacingServices": {"edges": edges}}}


def bench_app() -> Any:
    """The svckg app (store from SVCKG_STORE) plus the REST twin ``/bench/nested``."""
    from svckg.api.app import create_app
    from svckg.api.state import app_state, run_blocking

    app = create_app()

    @app.get("/bench/nested")
    async def nested(request: Request, n: int) -> dict[str, Any]:
        store = app_state(request).store
        return await run_blocking(request, nested_json, store, n)

    return app


# -- measuring -----------------------------------------------------------------------------


def _stats(name: str, latencies: list[float], seconds: float, clients: int) -> dict[str, Any]:
    return {
        "variant": name,
        "clients": clients,
        "requests": len(latencies),
        "rps": len(latencies) / seconds,
        "p50_ms": _percentile(latencies, 50) * 1000,
        "p99_ms": _percentile(latencies, 99) * 1000,
    }


def direct(name: str, func: Callable[[], Any], repeat: int) -> dict[str, Any]:
    func()
    latencies = []
    started = time.perf_counter()
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        latencies.append(time.perf_counter() - t0)
    return _stats(name, latencies, time.perf_counter() - started, 1)


def over_http(
    server: Server, name: str, target: str, requests: int, clients: int, limit: float
) -> tuple[dict[str, Any], bytes]:
    asyncio.run(_load(server.port, target, 2, 1, limit))  # warm-up
    latencies, errors, seconds, body = asyncio.run(
        _load(server.port, target, requests, clients, limit)
    )
    if errors:
        raise RuntimeError(f"{name}: {errors} failed requests: {body[:300]!r}")
    return _stats(name, latencies, seconds, clients), body


def in_process_graphql(store: Store, query: str, variables: dict[str, Any]) -> Callable[[], Any]:
    """Execute ``query`` on the generated schema without HTTP."""
    from svckg.api.auth import TokenTable
    from svckg.api.graphql.router import build_for
    from svckg.api.graphql.schema import GraphQLContext
    from svckg.api.state import AppState
    from svckg.config import load_settings

    settings = load_settings()
    built = build_for(settings)
    schema = built.schema
    state = AppState(settings=settings, store=store, tokens=TokenTable(), owns_store=False)

    def run() -> Any:
        result = asyncio.run(
            schema.execute(
                query,
                variable_values=variables,
                context_value=GraphQLContext(state, built),
            )
        )
        if result.errors:
            raise RuntimeError(result.errors)
        return result.data

    return run


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--size", default="1M", help="landscape triples (default 1M)")
    ap.add_argument("--services", type=int, default=1000, help="services in the nested query")
    ap.add_argument("--requests", type=int, default=600, help="requests per HTTP run")
    ap.add_argument("--nested-requests", type=int, default=60)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--time-limit", type=float, default=30.0, help="seconds per HTTP run")
    ap.add_argument("--failed", default=unit_iri("infra", 0), help="failed element of impact")
    ap.add_argument("--json", help="write every measurement as JSON here")
    args = ap.parse_args(argv)

    from svckg.store.embedded import EmbeddedStore

    work = Path(tempfile.mkdtemp(prefix="svckg-bench-graphql-"))
    results: list[dict[str, Any]] = []
    try:
        quads, _flat = build_store(work / "store", parse_size(args.size))
        store = EmbeddedStore(work / "store")
        rows = len(impact(store, [args.failed]).impacted)
        print(f"{quads:,} quads; impact of {args.failed}: {rows} rows", file=sys.stderr)
        n = args.services
        results.append(direct("impact direct", lambda: impact(store, [args.failed]), 200))
        results.append(
            direct("impact direct +to_json", lambda: impact(store, [args.failed]).to_json(), 200)
        )
        results.append(direct("nested direct (store calls)", lambda: nested_json(store, n), 20))
        gql_impact = in_process_graphql(store, impact_query(args.failed), {})
        results.append(direct("impact GraphQL in-process", gql_impact, 50))
        gql_nested = in_process_graphql(store, NESTED, {"n": n})
        results.append(direct("nested GraphQL in-process", gql_nested, 10))
        direct_nested = nested_json(store, n)
        assert gql_nested() == direct_nested["data"], "nested: GraphQL and REST JSON differ"
        expected_impact = impact(store, [args.failed]).to_json()
        store.close()

        port = free_port()
        server = Server(
            "svckg",
            [
                str(BIN / "python"),
                "-m",
                "uvicorn",
                "bench.bench_graphql:bench_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            port,
            "/graphql",
            work / "server.log",
            env={
                "SVCKG_STORE": str(work / "store"),
                "PYTHONPATH": f"{ROOT}:{ROOT / 'src'}",
                "SVCKG_MAX_RESULT_ROWS": "10000000",
                "SVCKG_QUERY_TIMEOUT": "600",
                "SVCKG_GRAPHQL_MAX_TOKENS": "100000",
            },
        )
        try:
            server.wait_ready()
            targets = {
                "impact REST": f"/api/impact?{urlencode({'element': args.failed})}",
                "impact GraphQL": f"/graphql?{urlencode({'query': impact_query(args.failed)})}",
                "nested REST": f"/bench/nested?n={n}",
                "nested GraphQL": "/graphql?"
                + urlencode({"query": NESTED, "variables": json.dumps({"n": n})}),
            }
            bodies: dict[str, bytes] = {}
            for name, target in targets.items():
                count = args.nested_requests if name.startswith("nested") else args.requests
                for clients in (1, args.concurrency):
                    run, body = over_http(server, name, target, count, clients, args.time_limit)
                    results.append(run)
                    bodies[name] = body
            assert json.loads(bodies["impact REST"]) == expected_impact
            assert json.loads(bodies["impact GraphQL"])["data"]["impact"] == expected_impact
            assert json.loads(bodies["nested GraphQL"]) == json.loads(bodies["nested REST"])
        finally:
            server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"\n{'variant':32} {'clients':>7} {'req':>5} {'req/s':>8} {'p50 ms':>9} {'p99 ms':>9}")
    for r in results:
        print(
            f"{r['variant']:32} {r['clients']:7} {r['requests']:5} {r['rps']:8.1f} "
            f"{r['p50_ms']:9.2f} {r['p99_ms']:9.2f}"
        )
    by = {(r["variant"], r["clients"]): r for r in results}
    for kind in ("impact", "nested"):
        for clients in (1, args.concurrency):
            rest, gql = by[(f"{kind} REST", clients)], by[(f"{kind} GraphQL", clients)]
            print(
                f"{kind} c{clients}: GraphQL/REST p50 {gql['p50_ms'] / rest['p50_ms']:.2f}x, "
                f"REST/GraphQL req/s {rest['rps'] / gql['rps']:.2f}x"
            )
    one_rest = by[("impact REST", 1)]["p50_ms"]
    nested = by[("nested GraphQL", 1)]["p50_ms"]
    print(f"nested GraphQL p50 / one REST impact call p50: {nested / one_rest:.2f}x")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
