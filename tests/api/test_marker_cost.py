"""What watching the change marker costs a running server: at most one small query a second,
and no rebuild per request (issue 19).

A real ``svckg serve`` talks to the oxigraph server through a counting proxy on 127.0.0.1;
while it answers a stream of impact requests and nothing is written, the engine sees only
marker reads, at most one per second.
"""

from __future__ import annotations

import math
import os
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest

from svckg.store.remote import MARKER_QUERY, RemoteStore
from tests.conftest import _free_port, running_server


@pytest.fixture
def counting_proxy(oxigraph_server: str) -> Iterator[tuple[str, list[str]]]:
    """(base URL, log): forwards every request to the oxigraph server and logs its query
    or update text ("" for other requests)."""
    log: list[str] = []
    upstream = httpx.Client(base_url=oxigraph_server, timeout=120)

    class Handler(BaseHTTPRequestHandler):
        def _forward(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            form = parse_qs(body.decode("utf-8", "replace")) if body else {}
            log.append((form.get("query") or form.get("update") or [""])[0])
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host",)}
            answer = upstream.request(self.command, self.path, content=body, headers=headers)
            self.send_response(answer.status_code)
            for key in ("content-type", "server"):
                if key in answer.headers:
                    self.send_header(key, answer.headers[key])
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        do_GET = do_POST = do_PUT = do_DELETE = _forward

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", log
    server.shutdown()
    server.server_close()
    upstream.close()
    thread.join(timeout=5)


@pytest.mark.remote
def test_a_quiet_server_reads_only_the_marker_at_most_once_a_second(
    counting_proxy: tuple[str, list[str]], oxigraph_server: str, tmp_path: Path
) -> None:
    proxy, log = counting_proxy
    RemoteStore(f"{oxigraph_server}/query", update_url=f"{oxigraph_server}/update").update(
        "DROP ALL"
    )
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "SVCKG_STORE": f"{proxy}/query",
        "SVCKG_REMOTE_UPDATE": f"{proxy}/update",
        "SVCKG_REMOTE_GSP": f"{proxy}/store",
    }
    argv = [str(Path(sys.executable).parent / "svckg"), "serve", "--host", "127.0.0.1"]
    argv += ["--port", str(port), "--demo", "--log-level", "warning"]
    with running_server(argv, f"{base}/healthz", tmp_path / "serve.log", env=env, timeout_s=180):
        deadline = time.monotonic() + 120
        # ready comes at once (the engine serves while the index warms up): wait for the index
        while httpx.get(f"{base}/readyz", timeout=30).json().get("mode") != "index":
            assert time.monotonic() < deadline, "the index was never built"
            time.sleep(0.2)
        params = {"element": "id:mail-server"}
        assert httpx.get(f"{base}/api/impact", params=params, timeout=60).status_code == 200
        log.clear()
        began = time.monotonic()
        answered = 0
        while time.monotonic() - began < 3.0:
            answer = httpx.get(f"{base}/api/impact", params=params, timeout=60)
            assert answer.status_code == 200
            answered += 1
        elapsed = time.monotonic() - began
    assert answered >= 5
    others = [text for text in log if text != MARKER_QUERY]
    assert others == [], f"{len(others)} other engine requests while nothing changed"
    assert 1 <= len(log) <= math.ceil(elapsed) + 1, f"{len(log)} marker reads in {elapsed:.1f} s"
    assert all(len(text) < 300 for text in log)
