"""RemoteStore specifics: transport and HTTP errors, loads without a Graph Store endpoint.

Error statuses oxigraph never sends (5xx, odd content types) come from a tiny HTTP server on
127.0.0.1 that answers every request with one fixed response.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyoxigraph as ox
import pytest

from svckg.errors import QueryError, StoreError
from svckg.store.remote import RemoteStore

E = "http://example.org/"
G1 = f"{E}graph/one"


@pytest.fixture
def fixed_answer() -> Iterator[tuple[str, dict]]:
    """(base URL, answer) of a local HTTP server replying ``answer`` to every request."""
    answer = {"status": 500, "type": "text/plain", "body": b"boom"}

    class Handler(BaseHTTPRequestHandler):
        def _reply(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            self.send_response(answer["status"])
            self.send_header("Content-Type", answer["type"])
            self.send_header("Content-Length", str(len(answer["body"])))
            self.end_headers()
            self.wfile.write(answer["body"])

        do_GET = do_POST = do_PUT = _reply

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", answer
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_server_error_is_a_store_error(fixed_answer: tuple[str, dict]) -> None:
    base, _ = fixed_answer
    with RemoteStore(f"{base}/query") as remote, pytest.raises(StoreError) as info:
        remote.query("ASK {}")
    assert "HTTP 500" in str(info.value) and "boom" in str(info.value)
    assert f"{base}/query" in str(info.value)


def test_bad_request_is_a_query_error(fixed_answer: tuple[str, dict]) -> None:
    base, answer = fixed_answer
    answer.update(status=400, body=b"Parse error at 1:7")
    with RemoteStore(f"{base}/query") as remote, pytest.raises(QueryError, match="1:7"):
        remote.query("ASK {}")


def test_unexpected_content_type_is_a_store_error(fixed_answer: tuple[str, dict]) -> None:
    base, answer = fixed_answer
    answer.update(status=200, type="text/html", body=b"<html>login</html>")
    with RemoteStore(f"{base}/query") as remote, pytest.raises(StoreError, match="text/html"):
        remote.query("ASK {}")


def test_unreadable_results_are_a_store_error(fixed_answer: tuple[str, dict]) -> None:
    base, answer = fixed_answer
    answer.update(status=200, type="application/sparql-results+json", body=b"{not json")
    with RemoteStore(f"{base}/query") as remote, pytest.raises(StoreError, match="unreadable"):
        remote.query("ASK {}")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_remote_is_a_store_error() -> None:
    url = f"http://127.0.0.1:{_closed_port()}/query"
    with RemoteStore(url, timeout_s=2) as remote, pytest.raises(StoreError) as info:
        remote.graphs()
    assert url in str(info.value) and "running" in str(info.value)


def test_wrong_remote_path_is_a_store_error(oxigraph_server: str) -> None:
    with RemoteStore(f"{oxigraph_server}/nope") as remote, pytest.raises(StoreError, match="404"):
        remote.count()


def test_remote_without_graph_store_chunks_inserts(
    remote_store: RemoteStore, oxigraph_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import svckg.store.remote as remote_module

    monkeypatch.setattr(remote_module, "INSERT_CHUNK", 3)
    plain = RemoteStore(f"{oxigraph_server}/query", update_url=f"{oxigraph_server}/update")
    lines = [f'<{E}s{i}> <{E}p> "{i}" .' for i in range(8)] + [
        f'_:n <{E}p> "x" .',
        f'_:n <{E}q> "y" .',
    ]
    start = plain.generation
    assert plain.load("\n".join(lines).encode(), G1) == 10
    assert plain.generation - start >= 3, "several update requests"
    assert plain.count(G1) == 10
    rows = plain.query(f"SELECT ?s WHERE {{ ?s <{E}p> ?x ; <{E}q> ?y }}")
    assert len(list(rows)) == 1, "blank node identity kept across chunks"
    plain.load(f"<{E}x> <{E}p> <{E}y> .".encode(), G1, replace=True)
    assert plain.count(G1) == 1
    turtle = plain.export(ox.RdfFormat.TURTLE, G1)
    assert len(list(ox.parse(turtle, format=ox.RdfFormat.TURTLE))) == 1
    plain.close()


def test_transient_engine_failures_are_sent_again(fixed_answer: tuple[str, dict]) -> None:
    """A deadlock answer (the engine rolled back) is retried; a real error is not."""
    from svckg.store.dialects import VIRTUOSO
    from svckg.store.remote import TRANSIENT_RETRIES

    base, answer = fixed_answer
    answer["body"] = b"Virtuoso 40001 Error SR172: Transaction deadlocked"
    sent: list[str] = []
    with RemoteStore(f"{base}/query", dialect=VIRTUOSO) as remote:
        remote._client.event_hooks["request"].append(lambda r: sent.append(r.method))
        with pytest.raises(StoreError, match="SR172"):
            remote.query("ASK {}")
        assert len(sent) == TRANSIENT_RETRIES + 1
        sent.clear()
        answer["body"] = b"Virtuoso 37000 Error SP030: SPARQL compiler, line 1: syntax error"
        with pytest.raises(StoreError, match="SP030"):
            remote.query("ASK {}")
        assert len(sent) == 1
