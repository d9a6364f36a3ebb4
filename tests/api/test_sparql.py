"""``/sparql`` beyond the W3C suite: formats, errors, limits, svckg's dataset decisions."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef

from svckg.api.sparql_text import add_using, words
from svckg.errors import QueryError

SD = "http://www.w3.org/ns/sparql-service-description#"
SELECT_SERVICES = """PREFIX svc: <https://w3id.org/svckg#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?s ?label WHERE { ?s a svc:CustomerFacingService ; rdfs:label ?label } ORDER BY ?s"""
CONSTRUCT = """PREFIX svc: <https://w3id.org/svckg#>
CONSTRUCT { ?s a svc:CustomerFacingService } WHERE { ?s a svc:CustomerFacingService }"""
UPDATE = {"content-type": "application/sparql-update"}


@pytest.fixture
def demo(make_client, demo_store):  # noqa: ANN001, ANN201
    return make_client(store=demo_store)


def _services(demo_store) -> list[str]:  # noqa: ANN001
    rows = demo_store.query(SELECT_SERVICES)
    return [row["s"].value for row in rows]


@pytest.mark.parametrize(
    "accept",
    [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ],
)
def test_select_in_every_results_format(demo, demo_store, accept: str) -> None:  # noqa: ANN001
    response = demo.get("/sparql", params={"query": SELECT_SERVICES}, headers={"accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(accept)
    assert response.headers["vary"] == "Accept"
    expected = _services(demo_store)
    assert expected, "the demo has customer-facing services"
    if accept == "text/csv":
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert [r["s"] for r in rows] == expected
    else:
        fmt = {
            "application/sparql-results+json": ox.QueryResultsFormat.JSON,
            "application/sparql-results+xml": ox.QueryResultsFormat.XML,
            "text/tab-separated-values": ox.QueryResultsFormat.TSV,
        }[accept]
        parsed = ox.parse_query_results(response.content, format=fmt)
        assert [row["s"].value for row in parsed] == expected


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_construct_in_every_rdf_format(demo, demo_store, accept, rdflib_format) -> None:  # noqa: ANN001
    response = demo.post(
        "/sparql",
        content=CONSTRUCT,
        headers={"content-type": "application/sparql-query", "accept": accept},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(accept)
    graph = Graph().parse(data=response.content, format=rdflib_format)
    assert sorted(str(s) for s in graph.subjects()) == _services(demo_store)


def test_ask_results(demo) -> None:  # noqa: ANN001
    response = demo.get(
        "/sparql",
        params={"query": "ASK { ?s ?p ?o }"},
        headers={"accept": "application/sparql-results+xml"},
    )
    assert response.status_code == 200
    assert bool(ox.parse_query_results(response.content, format=ox.QueryResultsFormat.XML))


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        ("ASK {}", "text/csv"),
        ("SELECT * {}", "text/turtle"),
        (CONSTRUCT, "text/csv"),
        ("SELECT * {}", "image/png"),
    ],
)
def test_not_acceptable(demo, query: str, accept: str) -> None:  # noqa: ANN001
    response = demo.get("/sparql", params={"query": query}, headers={"accept": accept})
    assert response.status_code == 406
    assert "accept one of" in response.json()["hint"]


def test_syntax_error_carries_the_parser_message_and_the_clients_line(demo) -> None:  # noqa: ANN001
    query = "SELECT ?s\nWHERE {\n  ?s ?p \n}"
    response = demo.get("/sparql", params={"query": query})
    assert response.status_code == 400
    message = response.json()["message"]
    assert message.startswith("SPARQL syntax error")
    assert "error at 4:" in message, message  # the BASE line svckg adds is not counted


def test_bad_protocol_requests(demo) -> None:  # noqa: ANN001
    cases = [
        (demo.get("/sparql", params={"update": "CLEAR ALL"}), 400, "not allowed with GET"),
        (
            demo.post(
                "/sparql",
                content=b"query=ASK{}&update=CLEAR+ALL",
                headers={"content-type": "application/x-www-form-urlencoded"},
            ),
            400,
            "both 'query' and 'update'",
        ),
        (
            demo.post(
                "/sparql",
                content=b"foo=bar",
                headers={"content-type": "application/x-www-form-urlencoded"},
            ),
            400,
            "neither",
        ),
        (
            demo.post(
                "/sparql", content=b"\xff\xfe", headers={"content-type": "application/sparql-query"}
            ),
            400,
            "not valid UTF-8",
        ),
        (
            demo.get("/sparql", params={"query": "ASK {}", "default-graph-uri": "not an iri"}),
            400,
            "not an absolute IRI",
        ),
        (
            demo.post("/sparql", content=b"ASK {}", headers={"content-type": "application/json"}),
            415,
            "not a SPARQL request",
        ),
    ]
    for response, status, text in cases:
        assert response.status_code == status, response.text
        assert text in response.json()["message"]


def test_max_result_rows(make_client, demo_store) -> None:  # noqa: ANN001
    client = make_client(store=demo_store, max_result_rows=3)
    ok = client.get("/sparql", params={"query": "SELECT * { VALUES ?x { 1 2 3 } }"})
    assert ok.status_code == 200
    for query in ("SELECT * { ?s ?p ?o }", "CONSTRUCT WHERE { ?s ?p ?o }"):
        response = client.get("/sparql", params={"query": query})
        assert response.status_code == 503
        assert "more than 3" in response.json()["message"]
        assert "LIMIT" in response.json()["hint"]
    assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200


def test_query_timeout_answers_and_the_server_goes_on(make_client, demo_store) -> None:  # noqa: ANN001
    client = make_client(store=demo_store, query_timeout_s=0.2)
    slow = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f }"  # ~3 s on the demo
    response = client.get("/sparql", params={"query": slow})
    assert response.status_code == 503
    assert "time limit" in response.json()["message"]
    assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200


def test_service_description(demo) -> None:  # noqa: ANN001
    response = demo.get("/sparql", headers={"accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    endpoints = list(graph.objects(None, URIRef(SD + "endpoint")))
    assert endpoints == [URIRef("http://testserver/sparql")]
    assert (None, URIRef(SD + "supportedLanguage"), URIRef(SD + "SPARQL11Update")) in graph
    names = {str(o) for o in graph.objects(None, URIRef(SD + "name"))}
    assert "https://w3id.org/svckg/graph/ontology" in names
    html = demo.get("/sparql", headers={"accept": "text/html,*/*;q=0.8"})
    assert html.headers["content-type"].startswith("text/html")
    assert '<form method="get"' in html.text
    jsonld = demo.get("/sparql", headers={"accept": "application/ld+json"})
    assert json.loads(jsonld.text)


def test_updates_without_graph_write_to_the_default_graph_seen_by_queries(
    make_client, as_editor
) -> None:  # noqa: ANN001
    client = make_client()
    insert = "INSERT DATA { <urn:x> <urn:p> 'in default' . GRAPH <urn:g> { <urn:x> <urn:p> 2 } }"
    assert (
        client.post("/sparql", content=insert, headers={**UPDATE, **as_editor}).status_code == 204
    )
    rows = client.get(
        "/sparql",
        params={"query": "SELECT ?o { <urn:x> <urn:p> ?o } ORDER BY ?o"},
        headers={"accept": "text/csv"},
    )
    assert rows.text.splitlines()[1:] == ["2", "in default"]
    only_g = client.get(
        "/sparql",
        params={"query": "SELECT ?o { <urn:x> <urn:p> ?o }", "default-graph-uri": "urn:g"},
        headers={"accept": "text/csv"},
    )
    assert only_g.text.splitlines()[1:] == ["2"]


def test_update_syntax_error_writes_nothing(make_client, as_editor) -> None:  # noqa: ANN001
    client = make_client()
    bad = "INSERT DATA { <urn:a> <urn:b> <urn:c> } ;\nDELETE WHERE { ?s ?p }"
    response = client.post("/sparql", content=bad, headers={**UPDATE, **as_editor})
    assert response.status_code == 400
    assert "line" in response.json()["message"] or "2:" in response.json()["message"]
    assert client.app.state.store.count() == 0


def test_add_using_skips_strings_iris_comments_and_nested_groups() -> None:
    update = (
        "PREFIX ex: <http://ex/where#>\n"
        "# WHERE in a comment\n"
        'DELETE { ?s ex:p \'WHERE\' } INSERT { ?s ex:q """USING""" }\n'
        "WHERE { ?s ex:p ?o FILTER(?o < 3) { SELECT ?s WHERE { ?s ?p ?o } } } ;\n"
        "INSERT DATA { <urn:a> <urn:b> <urn:c> } ;\n"
        "DELETE WHERE { ?s ex:gone ?o } ;\n"
        "INSERT { ?x a ex:T } WHERE { ?x ?y ?z }"
    )
    rewritten = add_using(update, ["urn:g1"], ["urn:g2"])
    assert rewritten.count("USING <urn:g1> USING NAMED <urn:g2> WHERE") == 2
    assert "DELETE WHERE { ?s ex:gone" in rewritten
    found = [(t.text, t.keyword) for t in words("SELECT ?where { ex:where 'WHERE' <where> }")]
    assert found == [("SELECT", "SELECT"), ("ex:where", None)]


@pytest.mark.parametrize(
    "update",
    [
        "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "DELETE { ?s ?p ?o } USING <urn:g> WHERE { ?s ?p ?o }",
    ],
)
def test_add_using_refuses_a_dataset_in_the_update(update: str) -> None:
    with pytest.raises(QueryError, match="using-graph-uri"):
        add_using(update, ["urn:other"], [])


def test_request_body_limit_with_and_without_content_length(make_client, as_editor) -> None:  # noqa: ANN001
    client = make_client(max_upload_bytes=100)
    query = "SELECT * WHERE { ?s ?p ?o } # " + "x" * 200
    declared = client.post(
        "/sparql", content=query.encode(), headers={"content-type": "application/sparql-query"}
    )
    assert declared.status_code == 413
    assert "over the limit of 100 bytes" in declared.json()["message"]

    def chunks():  # noqa: ANN202  (no Content-Length: sent chunked)
        for _ in range(10):
            yield b"INSERT DATA { <urn:a> <urn:b> 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' } ;\n"

    chunked = client.post(
        "/sparql",
        content=chunks(),
        headers={"content-type": "application/sparql-update", **as_editor},
    )
    assert chunked.status_code == 413
    assert client.app.state.store.count() == 0
