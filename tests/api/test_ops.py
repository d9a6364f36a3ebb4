"""Health, readiness, Prometheus metrics (scraped with prometheus_client's own parser) and the
access log (one line per request, route template, status, duration, role, never the token)."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from svckg.analysis.index import get_index
from svckg.api.app import create_app
from svckg.config import DATA_DIR, Settings
from svckg.store.embedded import EmbeddedStore

TINY_SHOP = Path(__file__).resolve().parents[1] / "ingest_ea" / "data" / "tiny-shop.xml"
EDITOR = "ops-editor-token-31"


def scrape(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics: (name, sorted labels) -> value."""
    answer = client.get("/metrics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(answer.text)
        for s in family.samples
    }


def _ready(client: TestClient) -> None:
    """Wait until the dependency index serves (the server is ready before: engine mode)."""
    deadline = time.monotonic() + 60
    while client.get("/readyz").json().get("mode") != "index":
        assert time.monotonic() < deadline, client.get("/readyz").text
        time.sleep(0.05)


def test_health_and_readiness_wait_for_the_index(fresh_demo_store: EmbeddedStore) -> None:
    app = create_app(Settings(store=":memory:"), store=fresh_demo_store)
    outside = TestClient(app)  # no lifespan yet: the index build has not started
    assert outside.get("/healthz").json() == {"status": "ok"}
    waiting = outside.get("/readyz")
    assert waiting.status_code == 503
    assert waiting.json() == {"ready": False, "reason": "the server has not started yet"}
    with TestClient(app) as client:
        _ready(client)
        assert client.get("/readyz").json() == {"ready": True, "mode": "index"}


def test_ready_at_once_in_engine_mode_while_the_index_builds(
    fresh_demo_store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index builds in the background: /readyz answers 200 at once and says the engine
    serves, then says the index serves; it never answers 503 meanwhile."""
    import threading

    from svckg.analysis import index as index_module

    release = threading.Event()
    real_build = index_module.build_index

    def slow_build(store, progress=None):  # type: ignore[no-untyped-def]
        assert release.wait(60)
        return real_build(store, progress)

    monkeypatch.setattr(index_module, "build_index", slow_build)
    with TestClient(create_app(Settings(store=":memory:"), store=fresh_demo_store)) as client:
        for _ in range(3):
            warming = client.get("/readyz")
            assert warming.status_code == 200
            assert warming.json() == {"ready": True, "mode": "engine"}
        release.set()
        _ready(client)
        assert client.get("/readyz").json() == {"ready": True, "mode": "index"}


def test_metrics_count_requests_imports_validation_index_store_and_timeouts(
    demo_store: EmbeddedStore,
) -> None:
    store = EmbeddedStore(None)
    store.engine.bulk_extend(demo_store.engine.quads_for_pattern(None, None, None, None))
    settings = Settings(store=":memory:", tokens=f"{EDITOR}:editor", query_timeout_s=0.2)
    editor = {"authorization": f"Bearer {EDITOR}"}
    with TestClient(create_app(settings, store=store)) as client:
        _ready(client)
        for _ in range(3):
            assert client.get("/api/queries").status_code == 200
        assert client.get("/api/queries/no-such-query").status_code == 404
        assert client.get("/id/mail-server", headers={"accept": "text/turtle"}).status_code == 200
        ok = client.post(
            "/api/imports",
            files=[("file", (TINY_SHOP.name, TINY_SHOP.read_bytes(), "application/xml"))],
            params={"force": "true"},
            headers=editor,
        )
        assert ok.status_code == 201, ok.text
        warnings = len(ok.json()["report"]["results"])
        bad = (DATA_DIR / "invalid" / "sla-without-target.ttl").read_bytes()
        rejected = client.post(
            "/api/imports", files=[("file", ("sla.ttl", bad, "text/turtle"))], headers=editor
        )
        assert rejected.status_code == 422
        rejected_results = rejected.json()["report"]["results"]
        slow = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f }"
        assert client.get("/sparql", params={"query": slow}).status_code == 503
        m = scrape(client)
        index = get_index(store)
        quads = store.count()

    def req(method: str, route: str, status: str) -> float:
        key = (("method", method), ("route", route), ("status", status))
        return m.get(("svckg_http_requests_total", key), 0)

    assert req("GET", "/api/queries", "200") == 3
    assert req("GET", "/api/queries/{name}", "404") == 1
    assert req("GET", "/id/{rest:path}", "200") == 1
    assert req("POST", "/api/imports", "201") == 1 and req("POST", "/api/imports", "422") == 1
    assert req("GET", "/sparql", "503") == 1
    count = (
        "svckg_http_request_duration_seconds_count",
        (("method", "GET"), ("route", "/api/queries")),
    )
    assert m[count] == 3
    assert m[("svckg_imports_total", (("outcome", "created"),))] == 1
    assert m[("svckg_imports_total", (("outcome", "rejected"),))] == 1
    by_severity: dict[str, int] = {}
    for r in rejected_results:
        by_severity[r["severity"]] = by_severity.get(r["severity"], 0) + 1
    by_severity["Warning"] = by_severity.get("Warning", 0) + warnings
    for severity, n in by_severity.items():
        assert m[("svckg_validation_results_total", (("severity", severity),))] == n
    assert m[("svckg_query_timeouts_total", ())] == 1
    assert m[("svckg_index_build_seconds", ())] > 0
    assert m[("svckg_index_edges", ())] == index.edge_count > 0
    assert m[("svckg_store_quads", ())] == quads > 0
    assert req("GET", "/metrics", "200") == 0  # counted after it answers


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_access_log_one_line_per_request_without_the_token(
    fresh_demo_store: EmbeddedStore, caplog: pytest.LogCaptureFixture, log_format: str
) -> None:
    settings = Settings(store=":memory:", tokens=f"{EDITOR}:editor", log_format=log_format)
    with TestClient(create_app(settings, store=fresh_demo_store)) as client:
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="svckg.access"):
            client.get("/api/queries", headers={"authorization": f"Bearer {EDITOR}"})
            client.get("/id/nothing-here", headers={"accept": "text/turtle"})
            client.get("/api/queries", headers={"authorization": "Bearer wrong-token-xyz"})
    lines = [r.getMessage() for r in caplog.records if r.name == "svckg.access"]
    assert len(lines) == 3
    assert all(EDITOR not in line and "wrong-token-xyz" not in line for line in lines)
    if log_format == "json":
        rows = [json.loads(line) for line in lines]
        assert [(r["method"], r["route"], r["status"], r["role"]) for r in rows] == [
            ("GET", "/api/queries", 200, "editor"),
            ("GET", "/id/{rest:path}", 404, "anonymous"),
            ("GET", "/api/queries", 401, "invalid"),
        ]
        assert all(isinstance(r["duration_ms"], float) and r["duration_ms"] >= 0 for r in rows)
    else:
        assert lines[0].startswith("GET /api/queries 200 ") and lines[0].endswith("role=editor")
        assert lines[1].startswith("GET /id/{rest:path} 404 ")
        assert lines[2].endswith("role=invalid")
