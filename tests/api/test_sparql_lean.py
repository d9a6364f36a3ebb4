"""The lean /sparql path (issue 13): queries whose text bounds their work run in the server's
process, without the fork per request; the answer is the same bytes and content type as
through the isolated child, and nothing expensive ever passes as lean (issue 21)."""

from __future__ import annotations

import pytest

from svckg.api import guard, sparql
from svckg.api.sparql_text import runs_lean
from tests.hostile.test_sparql_attacks import HEAVY, PANIC

X = "https://w3id.org/svckg/id/nordlight-platform-team"
LEAN = [
    ("ASK {}", "application/sparql-results+json"),
    ("ASK {}", "application/sparql-results+xml"),
    (f"SELECT ?p ?o WHERE {{ <{X}> ?p ?o }}", "application/sparql-results+json"),
    (f"SELECT ?p ?o WHERE {{ <{X}> ?p ?o }}", "text/csv"),
    (f"SELECT ?p ?o WHERE {{ <{X}> ?p ?o }} LIMIT 3", "text/tab-separated-values"),
    ("PREFIX svc: <https://w3id.org/svckg#> SELECT ?s { ?s a svc:Application }", "text/csv"),
    (f"SELECT (COUNT(*) AS ?n) {{ ?s ?p <{X}> }}", "application/sparql-results+json"),
    (f"CONSTRUCT {{ <{X}> ?p ?o }} WHERE {{ <{X}> ?p ?o }}", "application/n-triples"),
    (f"DESCRIBE <{X}>", "text/turtle"),
]
NOT_LEAN = [
    HEAVY,
    PANIC,
    "SELECT * { ?s ?p ?o }",
    f"SELECT * {{ <{X}> ?p ?o . ?o ?q ?r }}",
    f"ASK {{ <{X}> <https://w3id.org/svckg#dependsOn>+ ?o }}",
    f"SELECT * {{ <{X}> ?p ?o }} ORDER BY ?o",
    f"SELECT * {{ SERVICE <http://127.0.0.1:1/sparql> {{ <{X}> ?p ?o }} }}",
    "SELECT (EXISTS { ?a ?b ?c . ?d ?e ?f } AS ?x) {}",
    f"SELECT * {{ <{X}> ?p ?o }} VALUES ?o {{ 1 }}",
    f"SELECT * {{ GRAPH ?g {{ <{X}> ?p ?o }} }}",
    f"SELECT * {{ <{X}> ?p ?o FILTER(?o != 1) }}",
    "SELECT * { [] ?p ?o }",
]


@pytest.mark.parametrize("query", NOT_LEAN)
def test_expensive_or_risky_queries_are_never_lean(query: str) -> None:
    assert not runs_lean(query)


def _no_fork(*_args: object) -> None:
    raise AssertionError("a lean query was sent to a forked child")


@pytest.mark.parametrize(("query", "accept"), LEAN)
def test_lean_answers_are_the_isolated_answers(
    make_client, demo_store, monkeypatch: pytest.MonkeyPatch, query: str, accept: str
) -> None:  # noqa: ANN001
    assert runs_lean(query)
    client = make_client(store=demo_store)
    with monkeypatch.context() as patched:
        patched.setattr(guard, "_in_child", _no_fork)
        lean = client.get("/sparql", params={"query": query}, headers={"accept": accept})
        posted = client.post(
            "/sparql",
            content=query,
            headers={"content-type": "application/sparql-query", "accept": accept},
        )
    monkeypatch.setattr(sparql, "runs_lean", lambda _text: False)
    isolated = client.get("/sparql", params={"query": query}, headers={"accept": accept})
    assert lean.status_code == posted.status_code == isolated.status_code == 200
    assert lean.headers["content-type"] == isolated.headers["content-type"]
    assert lean.headers["content-type"] == posted.headers["content-type"]
    assert lean.content == posted.content == isolated.content
    assert lean.content  # an empty answer would agree trivially


def test_a_lean_query_still_gets_its_syntax_error(make_client) -> None:  # noqa: ANN001
    query = "ASK { <urn:a> <urn:b> ?c } LIMT 1"
    assert runs_lean(query)
    response = make_client().get("/sparql", params={"query": query})
    assert response.status_code == 400
    assert "error at 1:" in response.json()["message"]  # the client's line, not BASE's
