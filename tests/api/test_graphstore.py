"""``/rdf-graphs`` beyond the W3C suite: validation as imports, bad input, formats."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, URIRef

from svckg.config import DATA_DIR

TURTLE = {"content-type": "text/turtle"}
GRAPH = "https://example.org/graphs/crm"
VALID = b"""@prefix svc: <https://w3id.org/svckg#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://example.org/app/crm> a svc:Application ; rdfs:label "CRM application"@en ;
    svc:ownedBy <https://example.org/team/a> .
<https://example.org/team/a> a svc:Team ; rdfs:label "Team A"@en .
"""


def test_put_get_delete_with_validation(make_client, as_editor) -> None:  # noqa: ANN001
    client = make_client()
    put = client.put(
        "/rdf-graphs", params={"graph": GRAPH}, content=VALID, headers={**TURTLE, **as_editor}
    )
    assert put.status_code == 201, put.text
    got = client.get(
        "/rdf-graphs", params={"graph": GRAPH}, headers={"accept": "application/n-triples"}
    )
    assert got.status_code == 200
    graph = Graph().parse(data=got.text, format="nt")
    assert (
        URIRef("https://example.org/app/crm"),
        None,
        Literal("CRM application", lang="en"),
    ) in graph
    assert (
        client.put(
            "/rdf-graphs",
            params={"graph": GRAPH},
            content=VALID,
            headers={**TURTLE, **as_editor},
        ).status_code
        == 204
    )
    assert (
        client.delete("/rdf-graphs", params={"graph": GRAPH}, headers=as_editor).status_code == 204
    )
    assert client.get("/rdf-graphs", params={"graph": GRAPH}).status_code == 404


def test_invalid_data_is_rejected_with_the_report_and_nothing_written(
    make_client, as_editor
) -> None:  # noqa: ANN001
    client = make_client()
    data = (DATA_DIR / "invalid" / "sla-without-target.ttl").read_bytes()
    response = client.put(
        "/rdf-graphs", params={"graph": GRAPH}, content=data, headers={**TURTLE, **as_editor}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "ValidationFailed"
    assert "nothing was written" in body["message"]
    violation = body["report"]["results"][0]
    assert violation["severity"] == "Violation"
    assert violation["source_shape"].endswith("ServiceLevelAgreement-target")
    assert violation["location"]["line"] is not None
    assert GRAPH not in client.app.state.store.graphs()
    forced = client.put(
        "/rdf-graphs",
        params={"graph": GRAPH, "force": "true"},
        content=data,
        headers={**TURTLE, **as_editor},
    )
    assert forced.status_code == 422, "force allows warnings, never violations"


def test_dependency_edges_are_inferred_and_dropped_with_the_graph(make_client, as_editor) -> None:  # noqa: ANN001
    client = make_client()
    data = b"""@prefix svc: <https://w3id.org/svckg#> .
    <https://example.org/s/a> svc:usesResource <https://example.org/r/b> ."""
    put = client.put(
        "/rdf-graphs", params={"graph": GRAPH}, content=data, headers={**TURTLE, **as_editor}
    )
    assert put.status_code == 201, put.text
    ask = "ASK { <https://example.org/s/a> <https://w3id.org/svckg#dependsOn> ?b }"
    response = client.get("/sparql", params={"query": ask})
    assert response.json()["boolean"] is True
    client.delete("/rdf-graphs", params={"graph": GRAPH}, headers=as_editor)
    assert client.get("/sparql", params={"query": ask}).json()["boolean"] is False


def test_bad_input(make_client, as_editor, as_reader) -> None:  # noqa: ANN001
    client = make_client(max_upload_bytes=1000)
    put = client.put  # shorter lines below
    cases = [
        (
            put(
                "/rdf-graphs",
                params={"graph": GRAPH},
                content=b"<a> <b> .",
                headers={**TURTLE, **as_editor},
            ),
            400,
            "line 1",
        ),
        (
            put(
                "/rdf-graphs",
                params={"graph": GRAPH},
                content=b"x",
                headers={"content-type": "application/pdf", **as_editor},
            ),
            415,
            "not an RDF",
        ),
        (
            put("/rdf-graphs", params={"graph": GRAPH}, content=b"x", headers=as_editor),
            415,
            "(none)",
        ),
        (
            put(
                "/rdf-graphs",
                params={"graph": GRAPH},
                content=b"#" * 2000,
                headers={**TURTLE, **as_editor},
            ),
            413,
            "over the limit of 1,000 bytes",
        ),
        (
            put(
                "/rdf-graphs",
                params={"graph": "not an iri"},
                content=VALID,
                headers={**TURTLE, **as_editor},
            ),
            400,
            "not an absolute IRI",
        ),
        (
            put(
                "/rdf-graphs",
                params={"graph": GRAPH, "default": ""},
                content=VALID,
                headers={**TURTLE, **as_editor},
            ),
            400,
            "both",
        ),
        (put("/rdf-graphs", content=VALID, headers={**TURTLE, **as_editor}), 400, "no graph named"),
        (
            put(
                "/rdf-graphs",
                params={"graph": GRAPH},
                content=VALID,
                headers={**TURTLE, **as_reader},
            ),
            403,
            "editor role",
        ),
        (
            put("/rdf-graphs", params={"graph": GRAPH}, content=VALID, headers=TURTLE),
            401,
            "bearer token",
        ),
        (
            client.get("/rdf-graphs", params={"graph": GRAPH}, headers={"accept": "text/csv"}),
            406,
            "none of the accepted types",
        ),
    ]
    for response, status, text in cases:
        assert response.status_code == status, response.text
        assert text in (response.json()["message"] + str(response.json()["where"]))
    assert client.app.state.store.graphs() == []


def test_multipart_post_and_other_formats(make_client, as_editor) -> None:  # noqa: ANN001
    client = make_client()
    files = [
        ("a", ("a.nt", b'<https://e.org/x> <https://e.org/p> "1" .\n', "application/n-triples")),
        (
            "b",
            (
                "b.jsonld",
                b'{"@id": "https://e.org/x", "https://e.org/q": "2"}',
                "application/ld+json",
            ),
        ),
    ]
    response = client.post("/rdf-graphs", params={"graph": GRAPH}, files=files, headers=as_editor)
    assert response.status_code == 201, response.text
    assert response.headers["location"] == GRAPH
    got = client.get(
        "/rdf-graphs", params={"graph": GRAPH}, headers={"accept": "application/rdf+xml"}
    )
    assert got.headers["content-type"] == "application/rdf+xml"
    assert len(Graph().parse(data=got.text, format="xml")) == 2


def test_default_graph_is_a_named_graph(make_client, as_editor) -> None:  # noqa: ANN001
    client = make_client()
    data = b'<https://e.org/x> <https://e.org/p> "in default" .'
    assert (
        client.put(
            "/rdf-graphs?default",
            content=data,
            headers={"content-type": "application/n-triples", **as_editor},
        ).status_code
        == 204
    )
    assert "https://w3id.org/svckg/graph/default" in client.app.state.store.graphs()
    found = client.get(
        "/sparql",
        params={"query": "SELECT ?o { <https://e.org/x> ?p ?o }"},
        headers={"accept": "text/csv"},
    )
    assert found.text.splitlines()[1:] == ["in default"]


def test_direct_identification_uses_the_request_url(make_client, as_editor, tmp_path: Path) -> None:  # noqa: ANN001
    client = make_client()
    data = b'<https://e.org/x> <https://e.org/p> "1" .'
    response = client.put(
        "/rdf-graphs/team/a.nt",
        content=data,
        headers={"content-type": "application/n-triples", **as_editor},
    )
    assert response.status_code == 201
    assert "http://testserver/rdf-graphs/team/a.nt" in client.app.state.store.graphs()
    head = client.head("/rdf-graphs/team/a.nt", headers={"accept": "text/turtle"})
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) > 0
    assert client.get("/rdf-graphs/team/a.nt?graph=x").status_code == 400


def test_warnings_reject_unless_forced(make_client, as_editor) -> None:  # noqa: ANN001
    client = make_client()
    data = (DATA_DIR / "invalid" / "backend-service-unused.ttl").read_bytes()
    refused = client.put(
        "/rdf-graphs", params={"graph": GRAPH}, content=data, headers={**TURTLE, **as_editor}
    )
    assert refused.status_code == 422
    assert refused.json()["report"]["warnings"] == 1
    assert "force=true" in refused.json()["hint"]
    forced = client.put(
        "/rdf-graphs",
        params={"graph": GRAPH, "force": "true"},
        content=data,
        headers={**TURTLE, **as_editor},
    )
    assert forced.status_code == 201
