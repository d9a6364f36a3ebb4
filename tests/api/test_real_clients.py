"""Real SPARQL clients against ``svckg serve`` running on 127.0.0.1 (demo data, in memory).

SPARQLWrapper (queries in every result format, updates with a bearer token) and rdflib's
``SPARQLUpdateStore`` (a Graph backed by the endpoint), plus raw HTTP for the Graph Store
and the limits. The server log is checked at the end: no traceback, no token.
"""

from __future__ import annotations

import time

import httpx
import pytest
from rdflib import RDFS, Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore
from SPARQLWrapper import JSON, POST, POSTDIRECTLY, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, Unauthorized

CFS = """PREFIX svc: <https://w3id.org/svckg#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?s ?label WHERE { ?s a svc:CustomerFacingService ; rdfs:label ?label } ORDER BY ?s"""
pytestmark = pytest.mark.timeout(120)


def _wrapper(live_server: str) -> SPARQLWrapper:
    return SPARQLWrapper(f"{live_server}/sparql", agent="svckg-tests")


def test_sparqlwrapper_select_json_and_xml(live_server: str) -> None:
    sparql = _wrapper(live_server)
    sparql.setQuery(CFS)
    sparql.setReturnFormat(JSON)
    rows = sparql.queryAndConvert()["results"]["bindings"]  # type: ignore[index]
    labels = [r["label"]["value"] for r in rows]
    assert "Cloud Workplace" in labels
    sparql.setReturnFormat(XML)
    document = sparql.queryAndConvert()
    assert len(document.getElementsByTagName("result")) == len(rows)  # type: ignore[union-attr]


def test_sparqlwrapper_construct_ask_and_post(live_server: str) -> None:
    sparql = _wrapper(live_server)
    sparql.setQuery(
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "PREFIX id: <https://w3id.org/svckg/id/> "
        "CONSTRUCT { id:email-service rdfs:label ?l } WHERE { id:email-service rdfs:label ?l }"
    )
    sparql.setReturnFormat(TURTLE)
    graph = Graph().parse(data=sparql.queryAndConvert(), format="turtle")
    assert (
        URIRef("https://w3id.org/svckg/id/email-service"),
        RDFS.label,
        Literal("E-mail", lang="en"),
    ) in graph
    sparql.setQuery("ASK { ?s a <https://w3id.org/svckg#BackendService> }")
    sparql.setReturnFormat(JSON)
    sparql.setMethod(POST)
    assert sparql.queryAndConvert()["boolean"] is True  # type: ignore[index]


def test_sparqlwrapper_errors(live_server: str) -> None:
    sparql = _wrapper(live_server)
    sparql.setQuery("SELECT * WHERE { ?s ?p ")
    sparql.setReturnFormat(JSON)
    with pytest.raises(QueryBadFormed, match="SPARQL syntax error"):
        sparql.query()
    sparql.setQuery("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    sparql.setMethod(POST)
    with pytest.raises(Unauthorized):
        sparql.query()


def test_sparqlwrapper_update_with_token(live_server: str, as_editor: dict[str, str]) -> None:
    sparql = _wrapper(live_server)
    sparql.addCustomHttpHeader("Authorization", as_editor["authorization"])
    sparql.setMethod(POST)
    sparql.setRequestMethod(POSTDIRECTLY)
    sparql.setQuery("INSERT DATA { GRAPH <urn:test:wrapper> { <urn:test:a> <urn:test:p> 'w' } }")
    sparql.query()
    check = httpx.get(
        f"{live_server}/sparql", params={"query": "ASK { <urn:test:a> <urn:test:p> 'w' }"}
    )
    assert check.json()["boolean"] is True


def test_rdflib_sparql_update_store(live_server: str, as_editor: dict[str, str]) -> None:
    store = SPARQLUpdateStore(
        query_endpoint=f"{live_server}/sparql",
        update_endpoint=f"{live_server}/sparql",
        headers={"Authorization": as_editor["authorization"]},
    )
    graph = Graph(store, identifier=URIRef("urn:test:rdflib"))
    subject = URIRef("urn:test:rdflib-thing")
    graph.add((subject, RDFS.label, Literal("added by rdflib")))
    graph.add((subject, RDFS.comment, Literal("second")))
    assert set(graph.objects(subject, RDFS.label)) == {Literal("added by rdflib")}
    assert len(graph) == 2
    graph.remove((subject, RDFS.comment, None))
    assert len(graph) == 1
    rows = list(
        graph.query("SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }")
    )
    assert [str(r[0]) for r in rows] == ["added by rdflib"]
    store.close()


def test_graph_store_over_http(live_server: str, as_editor: dict[str, str]) -> None:
    url = f"{live_server}/rdf-graphs"
    data = b'<https://e.org/x> <https://e.org/p> "over http" .'
    headers = {"content-type": "application/n-triples", **as_editor}
    assert (
        httpx.put(url, params={"graph": "urn:test:gsp"}, content=data, headers=headers).status_code
        == 201
    )
    got = httpx.get(url, params={"graph": "urn:test:gsp"}, headers={"accept": "text/turtle"})
    assert "over http" in got.text
    assert httpx.delete(url, params={"graph": "urn:test:gsp"}, headers=as_editor).status_code == 204


def test_limits_answer_and_the_server_keeps_serving(live_server: str) -> None:
    # A result the client cannot accept, then a refused content type, then a normal query:
    # the failing requests must not break the server (see the log check in the fixture).
    bad = httpx.get(
        f"{live_server}/sparql", params={"query": CFS}, headers={"accept": "text/turtle"}
    )
    assert bad.status_code == 406
    assert (
        httpx.post(
            f"{live_server}/sparql", content=b"ASK {}", headers={"content-type": "text/plain"}
        ).status_code
        == 415
    )
    started = time.monotonic()
    ok = httpx.get(f"{live_server}/sparql", params={"query": "ASK {}"})
    assert ok.status_code == 200 and time.monotonic() - started < 5
