"""SPARQL attacks (issue 21): SERVICE and LOAD reach no other host unless allowed; a query
over its time limit is stopped (its process killed, no core left burning); an engine abort
on one query leaves the server up; too many heavy queries at once get 503 + Retry-After."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from svckg.errors import Forbidden
from svckg.store.embedded import EmbeddedStore

sys.path.insert(0, str(Path(__file__).parent))
from conftest import Server  # noqa: E402

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
PANIC = "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY DESC(?o)"


@pytest.fixture
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A 127.0.0.1 port that records every request it receives (a host the server must not
    reach)."""
    seen: list[bytes] = []
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            with conn:
                seen.append(conn.recv(4096))
                conn.sendall(b"HTTP/1.1 500 Oops\r\nContent-Length: 12\r\n\r\nsecret-body!")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield sock.getsockname()[1], seen
    stop.set()
    thread.join(5)
    sock.close()


def _sparql(server: Server, query: str, **kw: object) -> httpx.Response:
    return httpx.post(
        f"{server.base}/sparql",
        content=query.encode(),
        headers={"content-type": "application/sparql-query", **kw.pop("headers", {})},
        timeout=kw.pop("timeout", 60),
    )


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ SERVICE SILENT <http://127.0.0.1:{port}/x> {{ ?s ?p ?o }} }}",
        "PREFIX e: <http://127.0.0.1:{port}/>\nSELECT * WHERE {{ SERVICE e:x {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ BIND(<http://127.0.0.1:{port}/> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        "select * where {{ service <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
    ],
)
def test_service_is_refused_and_fetches_nothing(
    capped_server: Server, listener: tuple[int, list[bytes]], template: str
) -> None:
    port, seen = listener
    r = _sparql(capped_server, template.format(port=port))
    assert r.status_code == 403, r.text[:300]
    assert "SVCKG_REMOTE_ENDPOINTS" in r.json()["hint"]
    assert "secret-body" not in r.text
    time.sleep(0.3)
    assert seen == []


def test_service_to_itself_nested_is_refused_at_once(capped_server: Server) -> None:
    inner = "?s ?p ?o"
    for _ in range(45):
        inner = f"SERVICE <{capped_server.base}/sparql> {{ {inner} }}"
    started = time.monotonic()
    r = _sparql(capped_server, f"SELECT * WHERE {{ {inner} }}")
    assert r.status_code == 403
    assert time.monotonic() - started < 5


def test_load_is_refused_and_fetches_nothing(
    capped_server: Server, listener: tuple[int, list[bytes]]
) -> None:
    port, seen = listener
    r = httpx.post(
        f"{capped_server.base}/sparql",
        content=f"LOAD <http://127.0.0.1:{port}/data.ttl> INTO GRAPH <urn:x:loaded>".encode(),
        headers={"content-type": "application/sparql-update", **capped_server.auth()},
        timeout=60,
    )
    assert r.status_code == 403, r.text[:300]
    assert seen == []


def test_allowed_endpoints_pass_the_guard() -> None:
    store = EmbeddedStore(None)
    with pytest.raises(Forbidden):
        store.query("SELECT * { SERVICE <http://127.0.0.1:9/s> { ?s ?p ?o } }")
    store.remote_endpoints = frozenset({"http://127.0.0.1:9/s"})
    with pytest.raises(OSError, match="port 9"):  # the guard lets it through to the engine
        list(store.query("SELECT * { SERVICE <http://127.0.0.1:9/s> { ?s ?p ?o } }"))


def test_keywords_glued_to_iris_are_still_refused() -> None:
    """The guard skips its tokenizer when SERVICE or LOAD only occur inside IRIs (every
    push-down query names ``svc:includesService``); glued to IRIs or after a comparison,
    the keywords are still found."""
    store = EmbeddedStore(None)
    harmless = "SELECT * { ?s <https://w3id.org/svckg#includesService> <urn:x:LOAD> }"
    assert list(store.query(harmless)) == []
    for attack in (
        "SELECT * {<urn:a:b>SERVICE<http://127.0.0.1:9/s>{?s ?p ?o}}",
        "SELECT * {?s ?p ?o FILTER(?s<1)SERVICE<http://127.0.0.1:9/s>{?s ?p ?o}}",
        "SELECT * { ?s <urn:x:includesService> ?o . SERVICE <http://127.0.0.1:9/s> {} }",
    ):
        with pytest.raises(Forbidden):
            store.query(attack)
    with pytest.raises(Forbidden):
        store.update("INSERT DATA { <urn:a> <urn:LOAD> <urn:b> } ;LOAD<http://127.0.0.1:9/x>")


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(c) for c in text]
    return found


def test_query_over_time_is_stopped_and_frees_the_core(strict_server: Server) -> None:
    started = time.monotonic()
    r = _sparql(strict_server, HEAVY)
    assert r.status_code == 503
    assert "time limit" in r.json()["message"]
    assert time.monotonic() - started < 10
    time.sleep(0.5)
    assert _children(strict_server.proc.pid) == []  # the query's process is gone
    assert strict_server.alive()


def test_too_many_heavy_queries_get_retry_after(strict_server: Server) -> None:
    with ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(lambda _: _sparql(strict_server, HEAVY), range(3)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [503, 503, 503]
    busy = [a for a in answers if "already" in a.json()["message"]]
    assert len(busy) == 2
    assert all(a.headers["retry-after"] == "1" for a in busy)
    assert strict_server.alive()


def test_bare_engine_on_the_panic_query_answers_or_aborts_with_the_known_fault() -> None:
    """The engine fault itself (pyoxigraph 0.5): when it strikes, the whole process dies
    ("total order" panic), not just the query. It does not strike on every run (five tries
    here), so an answer is accepted too; any other failure is not. The server's protection
    is tested below, whichever way the engine goes."""
    code = (
        "from svckg.demo import load_demo\nfrom svckg.store.embedded import EmbeddedStore\n"
        "s = EmbeddedStore(None); load_demo(s)\n"
        f"for _ in range(5): list(s.engine.query({PANIC!r}, use_default_graph_as_union=True))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        timeout=120,
        env={"PYTHONPATH": ":".join(sys.path), "RUST_BACKTRACE": "0"},
    )
    if done.returncode == 0:
        return  # answered five times: the fault did not strike this run
    assert done.returncode < 0 or done.returncode == 134, done.stderr[-2000:]
    assert b"total order" in done.stderr


def test_server_survives_the_engine_abort(capped_server: Server) -> None:
    statuses = []
    for _ in range(5):
        r = _sparql(capped_server, PANIC)
        statuses.append(r.status_code)
        assert r.status_code in (200, 422), r.text[:300]
        if r.status_code == 422:
            assert "server is unaffected" in r.json()["hint"]
            assert "signal 6" in r.json()["message"]
    print("statuses of the panic query:", statuses)
    assert capped_server.alive()
    ok = _sparql(capped_server, "ASK { ?s ?p ?o }", headers={"accept": "application/json"})
    assert ok.status_code == 200
