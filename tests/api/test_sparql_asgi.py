"""The plain-ASGI lean ``/sparql`` path (issue 13): for every lean query, protocol form and
result format its answer is the normal FastAPI route's answer, byte for byte (status, every
header, body); refusals and everything not lean still go through the normal route; the
access log and metrics see the same route."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

import pytest
from fastapi.testclient import TestClient

from svckg.api import guard, sparql
from svckg.api.app import create_app
from svckg.api.sparql_asgi import LeanSparql
from svckg.config import Settings

X = "https://w3id.org/svckg/id/nordlight-platform-team"
READER, CONSUMER = "asgi-reader-1", "asgi-consumer-2"
TOKENS = f"{READER}:reader,asgi-ed:editor"
CONSUMER_TOKENS = f"{TOKENS},{CONSUMER}:consumer:id:eva-holt"  # needs read_requires_token
SELECTS = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
           "text/tab-separated-values", None, "*/*", "application/json", "image/png"]  # fmt: skip
GRAPHS = ["text/turtle", "application/n-triples", "application/ld+json",
          "application/rdf+xml", None, "image/png"]  # fmt: skip
QUERIES: list[tuple[str, list[str | None]]] = [
    ("ASK {}", SELECTS),
    ("SELECT (1 AS ?x) WHERE {}", SELECTS),
    (f"SELECT ?p ?o WHERE {{ <{X}> ?p ?o }}", SELECTS),
    (f"SELECT ?p ?o WHERE {{ <{X}> ?p ?o }} LIMIT 3", SELECTS),
    ("SELECT ?p ?o WHERE { <nordlight-platform-team> ?p ?o }", SELECTS[:1]),  # relative IRI
    (f"SELECT (COUNT(*) AS ?n) {{ ?s ?p <{X}> }}", SELECTS[:2]),
    (f"CONSTRUCT {{ <{X}> ?p ?o }} WHERE {{ <{X}> ?p ?o }}", GRAPHS),
    (f"DESCRIBE <{X}>", GRAPHS),
    ("ASK { ex:a ?p ?o }", SELECTS[:1]),  # lean, but the engine refuses it: 400
]
CASES = [(q, a) for q, accepts in QUERIES for a in accepts]


def _pair(store: Any, **settings: object) -> tuple[TestClient, TestClient]:
    """Two apps on ``store``: one as served (with the lean path), one without it."""
    tokens = CONSUMER_TOKENS if settings.get("read_requires_token") else TOKENS
    values: dict[str, object] = {"store": ":memory:", "tokens": tokens, **settings}
    fast = create_app(Settings(**values), store=store)  # type: ignore[arg-type]
    normal = create_app(Settings(**values), store=store)  # type: ignore[arg-type]
    normal.user_middleware = [m for m in normal.user_middleware if m.cls is not LeanSparql]
    return TestClient(fast), TestClient(normal)


@pytest.fixture
def normal_route_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Queries that reached the normal route's handler."""
    calls: list[str] = []
    real = sparql._query

    async def counted(request: Any, query: str, params: Any) -> Any:
        calls.append(query)
        return await real(request, query, params)

    monkeypatch.setattr(sparql, "_query", counted)
    return calls


def _same(a: Any, b: Any) -> None:
    assert a.status_code == b.status_code
    assert a.headers.raw == b.headers.raw
    assert a.content == b.content


Send = Callable[[TestClient, str, dict[str, str]], Any]
FORMS: dict[str, Send] = {
    "get": lambda c, q, h: c.get("/sparql", params={"query": q}, headers=h),
    "form": lambda c, q, h: c.post("/sparql", data={"query": q}, headers=h),
    "direct": lambda c, q, h: c.post(
        "/sparql", content=q.encode(), headers={**h, "content-type": "application/sparql-query"}
    ),
}


@pytest.mark.parametrize("form", list(FORMS))
@pytest.mark.parametrize(("query", "accept"), CASES)
def test_the_lean_path_answers_the_bytes_of_the_normal_route(
    demo_store, normal_route_calls, monkeypatch, form: str, query: str, accept: str | None
) -> None:  # noqa: ANN001
    fast, normal = _pair(demo_store)
    headers = {"accept": accept} if accept else {}
    monkeypatch.setattr(guard, "_in_child", _no_fork)
    got = FORMS[form](fast, query, headers)
    assert normal_route_calls == [], "the lean path left a lean query to the normal route"
    expected = FORMS[form](normal, query, headers)
    assert normal_route_calls == [query]
    _same(got, expected)
    assert got.content


def _no_fork(*_args: object) -> None:
    raise AssertionError("a lean query was sent to a forked child")


def test_protocol_datasets_and_tokens_give_the_same_answers(demo_store, normal_route_calls) -> None:  # noqa: ANN001
    fast, normal = _pair(demo_store, read_requires_token=True)
    query = f"SELECT ?p ?o WHERE {{ <{X}> ?p ?o }}"
    graph = demo_store.graphs()[0]
    reader = {"authorization": f"Bearer {READER}"}
    for params, headers in [
        ({"query": query}, reader),
        ({"query": query, "default-graph-uri": graph}, reader),
        ({"query": query, "named-graph-uri": graph}, reader),
        ({"query": "ASK {}"}, reader),
    ]:
        _same(fast.get("/sparql", params=params, headers=headers),
              normal.get("/sparql", params=params, headers=headers))  # fmt: skip
    assert len(normal_route_calls) == 4  # the normal app only: the lean path answered


@pytest.mark.parametrize(
    ("params", "headers"),
    [
        ({"query": "ASK {}"}, {}),  # reading needs a token
        ({"query": "ASK {}"}, {"authorization": "Bearer nope"}),
        ({"query": "ASK {}"}, {"authorization": "Basic eA=="}),
        ({"query": "ASK {}"}, {"authorization": f"Bearer {CONSUMER}"}),  # its view answers
        ({"query": "ASK {}", "default-graph-uri": "not an iri"}, None),
        ({"query": "ASK {}", "using-graph-uri": "http://g"}, None),
        ({"query": ["ASK {}", "ASK {}"]}, None),
        ({"query": "SELECT * { ?s ?p ?o } LIMIT 1"}, None),  # not lean: isolated
        ({"update": "CLEAR ALL"}, None),
        ({}, {"accept": "text/turtle"}),  # the service description
    ],
)
def test_refusals_and_the_rest_go_to_the_normal_route(
    demo_store, params: dict, headers: dict | None
) -> None:  # noqa: ANN001
    fast, normal = _pair(demo_store, read_requires_token=True)
    if headers is None:
        headers = {"authorization": f"Bearer {READER}"}
    _same(fast.get("/sparql", params=params, headers=headers),
          normal.get("/sparql", params=params, headers=headers))  # fmt: skip


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"update=CLEAR%20ALL", "application/x-www-form-urlencoded"),
        (b"query=ASK%20%7B%7D&update=CLEAR%20ALL", "application/x-www-form-urlencoded"),
        (b"", "application/x-www-form-urlencoded"),
        (b"ASK {}", "application/sparql-query; charset=latin-1"),
        (b"ASK {\xff}", "application/sparql-query"),
        (b"ASK {}", "text/plain"),
        (b"ASK {}", None),
        (b"CLEAR ALL", "application/sparql-update"),
        (b"x" * 2000, "application/sparql-query"),  # over the body limit below
    ],
)
def test_posted_refusals_match(demo_store, body: bytes, content_type: str | None) -> None:  # noqa: ANN001
    fast, normal = _pair(demo_store, max_upload_bytes=1000)
    headers = {"content-type": content_type} if content_type else {}
    _same(fast.post("/sparql", content=body, headers=headers),
          normal.post("/sparql", content=body, headers=headers))  # fmt: skip


def test_a_body_without_length_goes_to_the_normal_route(demo_store, normal_route_calls) -> None:  # noqa: ANN001
    fast, _ = _pair(demo_store)
    chunks = iter([b"ASK ", b"{}"])
    got = fast.post("/sparql", content=chunks, headers={"content-type": "application/sparql-query"})
    assert got.status_code == 200 and got.json()["boolean"] is True
    assert normal_route_calls == ["ASK {}"]


def test_metrics_and_access_log_name_the_route(demo_store, caplog) -> None:  # noqa: ANN001
    fast, _ = _pair(demo_store)
    with caplog.at_level("INFO", logger="svckg.access"):
        assert fast.get("/sparql", params={"query": "ASK {}"}).status_code == 200
        assert fast.post("/sparql", data={"query": "ASK { ex:a ?p ?o }"}).status_code == 400
    lines = [r.getMessage() for r in caplog.records if r.name == "svckg.access"]
    assert any(line.startswith("GET /sparql 200 ") for line in lines), lines
    assert any(line.startswith("POST /sparql 400 ") for line in lines), lines
    metrics = fast.get("/metrics").text
    assert 'svckg_http_requests_total{method="GET",route="/sparql",status="200"} 1.0' in metrics
    assert 'svckg_http_requests_total{method="POST",route="/sparql",status="400"} 1.0' in metrics


def test_only_constant_work_skips_the_thread(demo_store, monkeypatch) -> None:  # noqa: ANN001
    """``ASK {}`` runs on the event loop; an anchored pattern (its work grows with the node's
    degree) and DESCRIBE keep the thread with the time limit."""
    from svckg.api import sparql_asgi

    threaded: list[str] = []
    real = sparql_asgi.run_blocking

    async def spy(request, func):  # noqa: ANN001, ANN202
        threaded.append(request.query_params.get("query"))
        return await real(request, func)

    monkeypatch.setattr(sparql_asgi, "run_blocking", spy)
    fast, _ = _pair(demo_store)
    anchored, describe = f"SELECT * {{ <{X}> ?p ?o }}", f"DESCRIBE <{X}>"
    for query in ("ASK {}", "SELECT (1 AS ?x) {}", anchored, describe):
        assert fast.get("/sparql", params={"query": query}).status_code == 200
    assert threaded == [anchored, describe]


@pytest.mark.parametrize("form", list(FORMS))
def test_relative_iris_resolve_against_each_requests_own_url(demo_store, form: str) -> None:  # noqa: ANN001
    """The endpoint URL (the base of relative IRIs) is kept per scheme, host and path: a
    second host, or the first again, resolves against its own URL on both paths."""
    fast, normal = _pair(demo_store)
    secure = TestClient(fast.app, base_url="https://c.example")
    query = "SELECT (<rel> AS ?x) {}"
    seen = []
    for client, reference, host in [
        (fast, normal, "a.example"),
        (fast, normal, "b.example:8080"),
        (fast, normal, "a.example"),
        (secure, TestClient(normal.app, base_url="https://c.example"), "c.example"),
    ]:
        got = FORMS[form](client, query, {"host": host})
        _same(got, FORMS[form](reference, query, {"host": host}))
        scheme = "https" if client is secure else "http"
        value = got.json()["results"]["bindings"][0]["x"]["value"]
        assert value == urljoin(f"{scheme}://{host}/sparql", "rel")
        seen.append(value)
    assert len(set(seen)) == 3


def test_one_query_string_answers_each_request_by_its_own_headers(demo_store) -> None:  # noqa: ANN001
    """The parsed query string is kept, the token and Accept header are read every time."""
    fast, normal = _pair(demo_store, read_requires_token=True)
    reader = {"authorization": f"Bearer {READER}"}
    params = {"query": "SELECT (1 AS ?x) {}"}
    answers = []
    for headers in [reader, {}, {**reader, "accept": "text/csv"}, reader, {"accept": "text/csv"}]:
        got = fast.get("/sparql", params=params, headers=headers)
        _same(got, normal.get("/sparql", params=params, headers=headers))
        answers.append((got.status_code, got.headers.get("content-type")))
    assert [status for status, _ in answers] == [200, 401, 200, 200, 401]
    assert answers[0] != answers[2] and answers[0] == answers[3]
