"""Two ``svckg serve`` processes on one engine behave as one service (issue 19).

Each engine (the oxigraph server, Virtuoso) gets two real servers, A and B, started as
subprocesses on 127.0.0.1 with the settings pointing at it and stopped by PID. A write through
one is seen by the other within the change marker's period (polled with a deadline, never a
fixed sleep): an import through A shows in impact, the import list and SPARQL on B; removing
it through B takes it out of A; concurrent imports through both lose none.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from svckg.store.remote import RemoteStore
from tests.conftest import _free_port, running_server

TOKENS = "mn-reader:reader,mn-editor:editor,mn-admin:admin"
EDITOR = {"authorization": "Bearer mn-editor"}
ADMIN = {"authorization": "Bearer mn-admin"}
ID = "https://w3id.org/svckg/id/"
DEADLINE_S = 20.0
"""Longest wait for the other server to see a write (the marker period is 1 s; the machine
is shared, and B may be rebuilding its index)."""


def _engine_env(request: pytest.FixtureRequest, engine: str) -> dict[str, str]:
    if engine == "oxigraph":
        base = request.getfixturevalue("oxigraph_server")
        return {
            "SVCKG_STORE": f"{base}/query",
            "SVCKG_REMOTE_UPDATE": f"{base}/update",
            "SVCKG_REMOTE_GSP": f"{base}/store",
        }
    base = request.getfixturevalue("virtuoso_server")
    return {"SVCKG_STORE": f"{base}/sparql", "SVCKG_REMOTE_GSP": f"{base}/sparql-graph-crud"}


def _empty_engine(env: dict[str, str]) -> None:
    """Drop svckg's graphs (the engine is shared by the session's other tests)."""
    store = RemoteStore(
        env["SVCKG_STORE"],
        update_url=env.get("SVCKG_REMOTE_UPDATE"),
        gsp_url=env.get("SVCKG_REMOTE_GSP"),
        change_marker=True,  # servers of earlier modules may still hold caches of it
    )
    for graph in store.graphs():
        store.drop_graph(graph)
    store.close()


@pytest.fixture(params=["oxigraph", "virtuoso"], scope="module")
def servers(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """(A, B): A loads the demo into the emptied engine, then B starts beside it."""
    env = _engine_env(request, request.param)
    _empty_engine(env)
    full_env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "SVCKG_TOKENS": TOKENS,
        "SVCKG_QUERY_TIMEOUT": "60",
        **env,
    }
    cli = str(Path(sys.executable).parent / "svckg")
    logs: list[Path] = []

    def serve(name: str, demo: bool) -> tuple[str, object]:
        port = _free_port()
        argv = [cli, "serve", "--host", "127.0.0.1", "--port", str(port)]
        argv += ["--demo" if demo else "--no-demo", "--log-level", "warning"]
        log = tmp_path_factory.mktemp(f"{request.param}-{name}") / "serve.log"
        logs.append(log)
        base = f"http://127.0.0.1:{port}"
        return base, running_server(argv, f"{base}/api/queries", log, env=full_env, timeout_s=180)

    a, a_ctx = serve("a", True)
    with a_ctx:  # type: ignore[attr-defined]
        b, b_ctx = serve("b", False)
        with b_ctx:  # type: ignore[attr-defined]
            yield a, b
    for log in logs:
        text = log.read_text(errors="replace")
        assert "Traceback" not in text, text[-3000:]
    _empty_engine(env)


def _service(name: str) -> bytes:
    """A backend service that uses the demo's mail server (so it is in its impact)."""
    return f"""
@prefix svc: <https://w3id.org/svckg#> .
@prefix svcc: <https://w3id.org/svckg/concepts/> .
@prefix id: <{ID}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
id:{name} a svc:BackendService ;
    rdfs:label "{name}"@en ;
    svc:identifier "BES-{name}" ;
    svc:lifecycleStatus svcc:live ;
    svc:ownedBy id:nordlight-workplace-team ;
    svc:inPortfolio id:nordlight-internal-portfolio ;
    svc:usesResource id:mail-server .
""".encode()


def _import(base: str, name: str, body: bytes | None = None) -> dict:
    answer = httpx.post(
        f"{base}/api/imports",
        files=[("file", (f"{name}.ttl", body or _service(name), "text/turtle"))],
        headers=EDITOR,
        timeout=180,
    )
    assert answer.status_code == 201, answer.text
    [outcome] = answer.json()["imports"]
    return outcome


def _impacted(base: str) -> set[str]:
    answer = httpx.get(f"{base}/api/impact", params={"element": "id:mail-server"}, timeout=120)
    assert answer.status_code == 200, answer.text
    return {e["iri"] for e in answer.json()["impacted"]}


def _imports(base: str) -> dict[str, dict]:
    answer = httpx.get(f"{base}/api/imports", headers=EDITOR, timeout=60)
    assert answer.status_code == 200, answer.text
    listed = answer.json()
    ids = [r["import_id"] for r in listed]
    assert len(ids) == len(set(ids)), f"an import is listed twice: {ids}"
    return {r["import_id"]: r for r in listed}


def _ask(base: str, query: str) -> bool:
    answer = httpx.post(
        f"{base}/sparql",
        data={"query": query},
        headers={"accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    return bool(answer.json()["boolean"])


def _until(check: Callable[[], bool], what: str) -> float:
    """Seconds until ``check()`` holds; fails after :data:`DEADLINE_S`."""
    began = time.monotonic()
    while not check():
        assert time.monotonic() - began < DEADLINE_S, f"never happened: {what}"
        time.sleep(0.1)
    return time.monotonic() - began


def test_an_import_through_a_is_seen_by_b_and_its_removal_through_b_by_a(
    servers: tuple[str, str],
) -> None:
    a, b = servers
    iri = f"{ID}mn-seen"
    assert iri not in _impacted(b)  # B has built its index before the import
    assert iri not in _impacted(a)
    outcome = _import(a, "mn-seen")
    assert outcome["status"] == "created"
    import_id = outcome["import_id"]
    _until(lambda: iri in _impacted(b), "B's impact shows the service imported through A")
    assert import_id in _imports(b)
    assert _ask(b, f"ASK {{ <{iri}> ?p ?o }}")

    removed = httpx.delete(f"{b}/api/imports/{import_id}", headers=ADMIN, timeout=60)
    assert removed.status_code == 200, removed.text
    _until(lambda: iri not in _impacted(a), "A's impact drops the import removed through B")
    assert import_id not in _imports(a)
    assert not _ask(a, f"ASK {{ <{iri}> ?p ?o }}")


def test_graph_store_and_sparql_update_writes_through_a_reach_b(
    servers: tuple[str, str],
) -> None:
    """The other writers: a Graph Store PUT and a SPARQL UPDATE through A change B's impact
    (its dependency index), and a Graph Store DELETE through B changes A's."""
    a, b = servers
    gsp_iri, update_iri = f"{ID}mn-gsp", f"{ID}mn-update"
    graph = "urn:mn:gsp"
    put = httpx.put(
        f"{a}/rdf-graphs",
        params={"graph": graph, "force": "true"},  # its one warning: serves no CFS
        content=_service("mn-gsp"),
        headers={**EDITOR, "content-type": "text/turtle"},
        timeout=120,
    )
    assert put.status_code in (200, 201, 204), put.text
    _until(lambda: gsp_iri in _impacted(b), "B's impact shows the Graph Store write through A")
    update = (
        "INSERT DATA { GRAPH <urn:mn:update> { "
        f"<{update_iri}> <https://w3id.org/svckg#dependsOn> <{ID}mail-server> }} }}"
    )
    answer = httpx.post(f"{a}/sparql", data={"update": update}, headers=EDITOR, timeout=120)
    assert answer.status_code in (200, 204), answer.text
    _until(lambda: update_iri in _impacted(b), "B's impact shows the SPARQL update through A")
    gone = httpx.delete(f"{b}/rdf-graphs", params={"graph": graph}, headers=EDITOR, timeout=120)
    assert gone.status_code in (200, 204), gone.text
    _until(lambda: gsp_iri not in _impacted(a), "A's impact drops the graph deleted through B")
    # SILENT: Virtuoso refuses DROP GRAPH of a graph an INSERT made (not "explicitly created")
    drop = "DROP SILENT GRAPH <urn:mn:update>"
    answer = httpx.post(f"{a}/sparql", data={"update": drop}, headers=EDITOR, timeout=120)
    assert answer.status_code in (200, 204), answer.text
    _until(lambda: update_iri not in _impacted(b), "B's impact drops the graph dropped through A")


def test_concurrent_imports_through_both_lose_none(servers: tuple[str, str]) -> None:
    a, b = servers
    jobs = [(a, f"mn-a{n}") for n in range(3)] + [(b, f"mn-b{n}") for n in range(3)]
    with ThreadPoolExecutor(len(jobs)) as pool:
        outcomes = list(pool.map(lambda job: _import(*job), jobs))
    assert [o["status"] for o in outcomes] == ["created"] * len(jobs)
    ids = {o["import_id"] for o in outcomes}
    graphs = [o["record"]["graph"] for o in outcomes]
    assert len(ids) == len(jobs) and len(set(graphs)) == len(jobs)
    iris = {f"{ID}{name}" for _, name in jobs}
    for base in (a, b):
        _until(lambda base=base: iris <= _impacted(base), f"{base} shows every import")
        listed = _imports(base)
        assert ids <= set(listed)
        for outcome in outcomes:
            record = listed[outcome["import_id"]]
            assert record["graph"] == outcome["record"]["graph"]
            assert record["triple_count"] == outcome["record"]["triple_count"] > 0
        for iri in iris:
            assert _ask(base, f"ASK {{ GRAPH ?g {{ <{iri}> a ?type }} }}")


def test_one_import_id_from_both_at_once_keeps_one_current_version(
    servers: tuple[str, str],
) -> None:
    """The same source through A and B at the same moment: two versions in two distinct
    graphs (never one graph holding both), exactly one of them current, and the data of
    the current one only."""
    a, b = servers
    bodies = {a: _service("mn-same-a"), b: _service("mn-same-b")}
    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(lambda base: _import(base, "mn-same", bodies[base]), [a, b]))
    graphs = {o["record"]["graph"] for o in outcomes}
    assert len(graphs) == 2, f"both imports wrote one graph: {graphs}"
    [import_id] = {o["import_id"] for o in outcomes}
    for base in (a, b):
        current = _imports(base)[import_id]
        assert current["graph"] in graphs
        winner = "mn-same-a" if current["graph"] == outcomes[0]["record"]["graph"] else "mn-same-b"
        loser = "mn-same-b" if winner == "mn-same-a" else "mn-same-a"
        assert _ask(base, f"ASK {{ <{ID}{winner}> ?p ?o }}")
        _until(
            lambda base=base, loser=loser: not _ask(base, f"ASK {{ <{ID}{loser}> ?p ?o }}"),
            "the replaced version's data is gone",
        )
