"""Linked data: ``/id/...`` and ``/resource?iri=`` on the demo landscape."""

from __future__ import annotations

import json

import pytest
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef

from svckg.api.linkeddata import describe

ID = Namespace("https://w3id.org/svckg/id/")
SVC = Namespace("https://w3id.org/svckg#")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def demo(make_client, demo_store):  # noqa: ANN001, ANN201
    return make_client(store=demo_store)


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_machine_formats_describe_the_resource(demo, accept: str, fmt: str) -> None:  # noqa: ANN001
    response = demo.get("/id/email-service", headers={"accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(accept)
    assert response.headers["vary"] == "Accept"
    assert 'rel="alternate"; type="text/turtle"' in response.headers["link"]
    g = Graph().parse(data=response.content, format=fmt)
    email = ID["email-service"]
    # its own triples
    assert (email, RDF.type, SVC.BackendService) in g
    assert (email, SVC.usesResource, ID["mail-server"]) in g
    # incoming links
    assert (ID["cloud-workplace"], SVC.includesService, email) in g
    # labels of neighbours (incoming and outgoing) and of the properties
    assert (ID["cloud-workplace"], RDFS.label, Literal("Cloud Workplace", lang="en")) in g
    assert any(g.objects(ID["mail-server"], RDFS.label))
    assert any(g.objects(SVC.usesResource, RDFS.label))


def test_browsers_get_html_with_local_links_only(demo) -> None:  # noqa: ANN001
    response = demo.get("/id/email-service", headers={"accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "<h1>E-mail</h1>" in html
    assert 'href="/id/cloud-workplace">Cloud Workplace</a>' in html  # incoming, by label
    assert 'href="/id/mail-server"' in html
    assert "/resource?iri=https%3A%2F%2Fw3id.org%2Fsvckg%23BackendService" in html


def test_any_iri_through_resource(demo) -> None:  # noqa: ANN001
    response = demo.get(
        "/resource",
        params={"iri": str(SVC.CustomerFacingService)},
        headers={"accept": "application/ld+json"},
    )
    assert response.status_code == 200
    doc = json.loads(response.text)
    ids = {node["@id"] for node in doc}
    assert str(SVC.CustomerFacingService) in ids
    assert str(ID["cloud-workplace"]) in ids  # instances point to the class


def test_unknown_and_bad_iris(demo) -> None:  # noqa: ANN001
    missing = demo.get("/id/no-such-thing")
    assert missing.status_code == 404
    assert "https://w3id.org/svckg/id/no-such-thing" in missing.json()["message"]
    assert demo.get("/resource", params={"iri": "no iri"}).status_code == 400
    assert demo.get("/id/").status_code in (400, 404)
    assert demo.get("/id/email-service", headers={"accept": "text/csv"}).status_code == 406


def test_describe_cuts_hubs(demo_store) -> None:  # noqa: ANN001
    full = describe(demo_store, str(SVC.CustomerFacingService))
    assert len(full.incoming) > 2 and not full.truncated
    cut = describe(demo_store, str(SVC.CustomerFacingService), limit=2)
    assert len(cut.incoming) == 2 and cut.truncated


def test_base_iri_setting_maps_id_paths(make_client, demo_store) -> None:  # noqa: ANN001
    client = make_client(store=demo_store, base_iri="https://w3id.org/svckg/")
    response = client.get("/id/id/email-service", headers={"accept": "text/turtle"})
    assert response.status_code == 200
    assert (URIRef(ID["email-service"]), None, None) in Graph().parse(data=response.text)
