"""A consumer's view follows every kind of write at once (import, import removal, Graph Store,
SPARQL update, GraphQL mutation): what enters the scope appears, what leaves it disappears,
and what stays behind the line of visibility never shows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from svckg.api.app import create_app
from svckg.config import Settings
from svckg.store.embedded import EmbeddedStore

ID = "https://w3id.org/svckg/id/"
SVC = "https://w3id.org/svckg#"
EDITOR, ADMIN, EVA = "views-editor-1", "views-admin-2", "views-eva-3"
AS_EDITOR = {"authorization": f"Bearer {EDITOR}"}
AS_ADMIN = {"authorization": f"Bearer {ADMIN}"}
AS_EVA = {"authorization": f"Bearer {EVA}"}
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


@pytest.fixture
def client(fresh_demo_store: EmbeddedStore) -> Iterator[TestClient]:
    tokens = f"{EDITOR}:editor,{ADMIN}:admin,{EVA}:consumer:id:eva-holt"
    app = create_app(
        Settings(store=":memory:", tokens=tokens, read_requires_token=True),
        store=fresh_demo_store,
    )
    with TestClient(app) as c:
        yield c


def _sees(client: TestClient, iri: str) -> bool:
    answer = client.get(
        "/sparql",
        params={"query": f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?q <{iri}> }} }}"},
        headers={**AS_EVA, "accept": "application/sparql-results+json"},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["boolean"]


def _label(client: TestClient, iri: str) -> list[str]:
    rows = client.get(
        "/sparql",
        params={"query": f"SELECT ?l WHERE {{ <{iri}> <{LABEL}> ?l }}"},
        headers={**AS_EVA, "accept": "application/sparql-results+json"},
    ).json()["results"]["bindings"]
    return sorted(r["l"]["value"] for r in rows)


JOURNEY_STEP = f"""
@prefix svc: <{SVC}> .
@prefix id: <{ID}> .
@prefix svcc: <https://w3id.org/svckg/concepts/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
id:journey-eva-personal svc:hasStep id:step-eva-renew .
id:step-eva-renew a svc:JourneyStep ; rdfs:label "Renew the subscription"@en ;
    svc:journeyStage svcc:buy ; svc:stepOrder 3 ; svc:hasTouchpoint id:tp-eva-renewal-mail .
id:tp-eva-renewal-mail a svc:Touchpoint ; rdfs:label "Renewal reminder mail"@en ;
    svc:channel svcc:email ; svc:enabledBy id:secret-mailer .
id:secret-mailer a svc:Application ; rdfs:label "Internal bulk mailer"@en .
"""


def test_graph_store_write_and_delete(client: TestClient) -> None:
    step, mailer = ID + "step-eva-renew", ID + "secret-mailer"
    assert not _sees(client, step)
    put = client.put(
        "/rdf-graphs?graph=urn:test:eva-extra&force=true",
        content=JOURNEY_STEP.encode(),
        headers={**AS_EDITOR, "content-type": "text/turtle"},
    )
    assert put.status_code == 201, put.text
    state = client.app.state.svckg  # refreshed by the write itself, before any consumer read
    assert state.views.generation == state.store.generation
    assert _sees(client, step) and _sees(client, ID + "tp-eva-renewal-mail")
    assert _label(client, step) == ["Renew the subscription"]
    assert not _sees(client, mailer)  # behind the line of visibility
    deleted = client.delete("/rdf-graphs?graph=urn:test:eva-extra", headers=AS_EDITOR)
    assert deleted.status_code == 204
    assert not _sees(client, step)


def test_sparql_update_renames_a_visible_element(client: TestClient) -> None:
    journey = ID + "journey-eva-personal"
    before = _label(client, journey)
    update = (
        f"INSERT DATA {{ GRAPH <urn:test:g> {{ <{journey}> "
        f'<http://www.w3.org/2000/01/rdf-schema#label> "Eva\'s workplace journey"@en }} }}'
    )
    r = client.post(
        "/sparql",
        content=update.encode(),
        headers={**AS_EDITOR, "content-type": "application/sparql-update"},
    )
    assert r.status_code == 204, r.text
    assert _label(client, journey) == sorted([*before, "Eva's workplace journey"])


def test_import_and_its_removal(client: TestClient) -> None:
    step = ID + "step-eva-renew"
    files = {"file": ("eva-renewal.ttl", JOURNEY_STEP.encode(), "text/turtle")}
    r = client.post("/api/imports?force=true", files=files, headers=AS_EDITOR)
    assert r.status_code == 201, r.text
    import_id = r.json()["imports"][0]["import_id"]
    assert _sees(client, step)
    removed = client.delete(f"/api/imports/{import_id}", headers=AS_ADMIN)
    assert removed.status_code == 200, removed.text
    assert not _sees(client, step)


def test_graphql_mutation_of_an_element_in_the_band(client: TestClient) -> None:
    created = client.post(
        "/graphql",
        json={
            "query": 'mutation { createTouchpoint(id: "id:tp-eva-chat", '
            'input: {label: "Chat with support"}, force: true) { id } }'
        },
        headers=AS_EDITOR,
    ).json()
    assert "errors" not in created, created
    tp = ID + "tp-eva-chat"
    assert not _sees(client, tp)  # exists, but no journey of Eva's reaches it yet
    link = (
        f"INSERT DATA {{ GRAPH <urn:test:g> {{ <{ID}step-eva-buy> <{SVC}hasTouchpoint> <{tp}> }} }}"
    )
    client.post(
        "/sparql",
        content=link.encode(),
        headers={**AS_EDITOR, "content-type": "application/sparql-update"},
    )
    assert _sees(client, tp)
    assert _label(client, tp) == ["Chat with support"]
