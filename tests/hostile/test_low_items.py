"""The low findings of issue 21, each reproduced: bad IRIs answer 400, the GraphQL WebSocket
handshake works, headers carry nothing unescaped from the client, the Host header names no
graph, RDF/XML output stays well-formed, production hides the store path, and huge invalid
ids are not echoed whole."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from lxml import etree

from svckg.api.app import create_app
from svckg.config import Settings
from svckg.errors import StoreError
from svckg.store.embedded import EmbeddedStore

EDITOR = {"authorization": "Bearer ed-tok"}


@pytest.fixture
def client(fresh_demo_store: EmbeddedStore) -> Callable[..., TestClient]:
    def build(**settings: object) -> TestClient:
        values: dict[str, object] = {"store": ":memory:", "tokens": "ed-tok:editor", **settings}
        app = create_app(Settings(**values), store=fresh_demo_store)  # type: ignore[arg-type]
        return TestClient(app, raise_server_exceptions=False)

    return build


@pytest.mark.parametrize("iri", ["http://a/\x00b", "http://a/\nb", "_:b0", "urn:x\tb", "x" * 10])
def test_resource_with_bad_iri_answers_400(client: Callable[..., TestClient], iri: str) -> None:
    r = client().get("/resource", params={"iri": iri})
    assert r.status_code == 400, r.text[:200]


def test_id_with_control_characters_answers_400(client: Callable[..., TestClient]) -> None:
    assert client().get("/id/a%00b").status_code == 400


def test_graphql_websocket_handshake(client: Callable[..., TestClient]) -> None:
    with client().websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init"})
        message = ws.receive()
    assert b"connection_ack" in (message.get("bytes") or message.get("text", "").encode())


def test_link_header_escapes_the_query_string(client: Callable[..., TestClient]) -> None:
    r = client().get('/id/cloud-workplace?x=">;rel="evil', headers={"accept": "text/turtle"})
    assert r.status_code == 200
    link = r.headers["link"]
    assert '">' not in link.split(";")[0]
    assert 'rel="evil' not in link
    assert "%22%3E" in link or "%22" in link


def test_host_header_decides_no_graph_iri(client: Callable[..., TestClient]) -> None:
    r = client().post(
        "/rdf-graphs",
        content=b"<urn:a> <urn:b> <urn:c> .",
        headers={**EDITOR, "content-type": "application/n-triples", "host": "evil.example"},
    )
    assert r.status_code == 201, r.text[:300]
    assert r.headers["location"].startswith("https://w3id.org/svckg/id/graph/")
    assert "evil" not in r.headers["location"]


def test_rdfxml_output_with_nul_is_refused_not_malformed(
    client: Callable[..., TestClient],
) -> None:
    c = client()
    put = c.put(
        "/rdf-graphs",
        params={"graph": "urn:x:nul"},
        content=b'<urn:a> <http://www.w3.org/2000/01/rdf-schema#comment> "a\\u0000b" .',
        headers={**EDITOR, "content-type": "application/n-triples"},
    )
    assert put.status_code in (201, 204), put.text[:300]
    r = c.get(
        "/rdf-graphs", params={"graph": "urn:x:nul"}, headers={"accept": "application/rdf+xml"}
    )
    if r.status_code == 200:  # if it is served, it must parse as XML
        etree.fromstring(r.content)
    else:
        assert r.status_code == 406
        assert "text/turtle" in r.json()["hint"]


def test_production_hides_the_store_path(
    client: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_a: object, **_k: object) -> object:
        raise StoreError("the update failed: IO error", where="/secret/path/to/store")

    for production in (False, True):
        c = client(production=production)
        monkeypatch.setattr(c.app.state.svckg.store, "graphs", broken)
        r = c.get("/rdf-graphs", params={"graph": "urn:x:any"})
        monkeypatch.undo()
        assert r.status_code == 503
        assert ("/secret/path" in r.text) is not production


def test_huge_invalid_ids_are_not_echoed_whole(client: Callable[..., TestClient]) -> None:
    c = client()
    r = c.get("/resource", params={"iri": "x" * 60_000})
    assert r.status_code == 400
    assert len(r.content) < 3_000
    r = c.post("/graphql", json={"query": '{ node(id: "zz:' + "x" * 900_000 + '") { id } }'})
    assert len(r.content) < 5_000, len(r.content)
    r = c.get("/api/imports/" + "y" * 60_000)
    assert r.status_code in (400, 404)
    assert len(r.content) < 3_000
