"""Incidents over REST: the contract, role checks, all-or-nothing writes, the recorded impact
and the record itself (its own graph, PROV-O, the SHACL shapes)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pyoxigraph as ox
import pytest

from svckg.analysis.impact import impact
from svckg.incidents.model import INCIDENT_GRAPH_BASE
from svckg.validation.shacl import load_shapes, validate_store

PROV = "http://www.w3.org/ns/prov#"
SVC = "https://w3id.org/svckg#"


@pytest.fixture
def client(make_client, fresh_demo_store):  # noqa: ANN001, ANN201
    return make_client(store=fresh_demo_store)


def _quads(store: Any) -> Counter:
    return Counter(str(q) for q in store.quads())


def _create(client: Any, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    payload = {"title": "Workplace login fails", "failed": ["id:cloud-workplace"]} | body
    response = client.post("/api/incidents", json=payload, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_create_answers_the_incident_with_its_recorded_impact(
    client, as_editor, fresh_demo_store
) -> None:  # noqa: ANN001
    response = client.post(
        "/api/incidents",
        json={
            "title": "Workplace login fails",
            "failed": ["id:cloud-workplace"],
            "start": "2026-12-06T09:15:00+01:00",
            "author": "Mari Lund",
            "updates": [
                {"text": "Investigating", "shownToCustomers": True},
                {"text": "Paged the VDI team", "author": "Ola"},
            ],
        },
        headers=as_editor,
    )
    assert response.status_code == 201, response.text
    doc = response.json()
    assert response.headers["location"] == f"/api/incidents/{doc['id']}"
    assert doc["status"] == "open" and doc["end"] is None
    assert doc["start"] == "2026-12-06T08:15:00Z"
    assert doc["failed"] == [
        {"iri": "https://w3id.org/svckg/id/cloud-workplace", "label": "Cloud Workplace"}
    ]
    assert [(u["author"], u["text"], u["shownToCustomers"]) for u in doc["updates"]] == [
        ("Mari Lund", "Investigating", True),
        ("Ola", "Paged the VDI team", False),
    ]
    # the recorded impact is the impact engine's own answer for the failed elements
    expected = impact(fresh_demo_store, ["id:cloud-workplace"]).to_json()
    assert doc["impact"] == expected
    assert doc["history"][0]["action"] == "opened" and doc["history"][0]["agent"] == "Mari Lund"
    assert client.get(f"/api/incidents/{doc['id']}").json() == doc


def test_update_close_and_history(client, as_editor, fresh_demo_store) -> None:  # noqa: ANN001
    doc = _create(client, as_editor)
    first_graph = doc["graph"]
    up = client.post(
        f"/api/incidents/{doc['id']}/updates",
        json={"text": "Failover started", "author": "Ola"},
        headers=as_editor,
    )
    assert up.status_code == 201, up.text
    assert up.json()["version"] == 2
    assert [u["text"] for u in up.json()["updates"]] == ["Failover started"]
    closed = client.post(
        f"/api/incidents/{doc['id']}/close",
        json={"text": "Back to normal", "shownToCustomers": True},
        headers=as_editor,
    )
    assert closed.status_code == 200, closed.text
    out = closed.json()
    assert out["status"] == "closed" and out["end"] is not None
    assert [h["action"] for h in out["history"]] == ["opened", "update added", "closed"]
    assert [u["text"] for u in out["updates"]] == ["Failover started", "Back to normal"]
    # one graph per incident: the previous version's graph is gone
    graphs = [g for g in fresh_demo_store.graphs() if g.startswith(INCIDENT_GRAPH_BASE)]
    assert graphs == [out["graph"]] and first_graph not in graphs
    # closing twice is refused and writes nothing
    before = _quads(fresh_demo_store)
    again = client.post(f"/api/incidents/{doc['id']}/close", headers=as_editor)
    assert again.status_code == 400 and "already closed" in again.json()["message"]
    assert _quads(fresh_demo_store) == before
    # a closed incident still takes (post-mortem) updates
    late = client.post(
        f"/api/incidents/{doc['id']}/updates", json={"text": "Root cause: cert"}, headers=as_editor
    )
    assert late.status_code == 201 and late.json()["status"] == "closed"


def test_list_puts_open_incidents_first_then_newest(client, as_editor) -> None:  # noqa: ANN001
    old_open = _create(client, as_editor, start="2026-01-01T00:00:00Z")
    new_closed = _create(
        client, as_editor, start="2026-12-01T00:00:00Z", end="2026-12-01T01:00:00Z"
    )
    new_open = _create(client, as_editor, start="2026-11-01T00:00:00Z")
    old_closed = _create(
        client, as_editor, start="2025-06-01T00:00:00Z", end="2025-06-02T00:00:00Z"
    )
    listed = client.get("/api/incidents").json()["incidents"]
    assert [i["id"] for i in listed] == [
        new_open["id"],
        old_open["id"],
        new_closed["id"],
        old_closed["id"],
    ]
    assert [i["status"] for i in listed] == ["open", "open", "closed", "closed"]


def test_roles(make_client, fresh_demo_store, as_reader, as_editor, as_admin) -> None:  # noqa: ANN001
    client = make_client(store=fresh_demo_store)
    body = {"title": "x", "failed": ["id:cloud-workplace"]}
    assert client.post("/api/incidents", json=body).status_code == 401
    denied = client.post("/api/incidents", json=body, headers=as_reader)
    assert denied.status_code == 403 and "editor" in denied.json()["message"]
    assert client.post("/api/incidents", json=body, headers=as_admin).status_code == 201
    made = client.post("/api/incidents", json=body, headers=as_editor).json()
    for path in (f"/api/incidents/{made['id']}/updates", f"/api/incidents/{made['id']}/close"):
        assert client.post(path, json={"text": "t"}).status_code == 401
        assert client.post(path, json={"text": "t"}, headers=as_reader).status_code == 403
    assert client.get("/api/incidents").status_code == 200  # reading is open by default
    closed = make_client(store=fresh_demo_store, read_requires_token=True)
    assert closed.get("/api/incidents").status_code == 401
    assert closed.get("/api/incidents", headers=as_reader).status_code == 200
    assert closed.get(f"/api/incidents/{made['id']}", headers=as_reader).status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "where", "words"),
    [
        ({"failed": ["id:cloud-workplace"]}, 400, "/api/incidents", "title"),
        ({"title": "  ", "failed": ["id:cloud-workplace"]}, 400, "title", "empty"),
        ({"title": "x" * 301, "failed": ["id:cloud-workplace"]}, 400, "title", "301"),
        ({"title": "t", "failed": []}, 400, "failed", "non-empty"),
        (
            {"title": "t", "failed": ["id:cloud-workplace"], "start": "yesterday"},
            400,
            "start",
            "not a time",
        ),
        (
            {"title": "t", "failed": ["id:cloud-workplace"], "start": "2026-12-06T10:00:00"},
            400,
            "start",
            "time zone",
        ),
        (
            {
                "title": "t",
                "failed": ["id:cloud-workplace"],
                "start": "2026-12-06T10:00:00Z",
                "end": "2026-12-06T09:00:00Z",
            },
            400,
            "end",
            "before",
        ),
        (
            {"title": "t", "failed": ["id:cloud-workplace"], "severity": "high"},
            400,
            "/api/incidents",
            "severity",
        ),
        (
            {"title": "t", "failed": ["id:cloud-workplace"], "updates": [{"text": ""}]},
            400,
            "updates[0].text",
            "empty",
        ),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    client, as_editor, fresh_demo_store, body, status, where, words
) -> None:  # noqa: ANN001
    before = _quads(fresh_demo_store)
    response = client.post("/api/incidents", json=body, headers=as_editor)
    assert response.status_code == status, response.text
    error = response.json()
    assert error["where"] == where
    assert words in error["message"]
    assert _quads(fresh_demo_store) == before


def test_unknown_elements_are_listed_all_and_nothing_is_written(
    client, as_editor, fresh_demo_store
) -> None:  # noqa: ANN001
    before = _quads(fresh_demo_store)
    response = client.post(
        "/api/incidents",
        json={
            "title": "t",
            "failed": ["id:cloud-workplace", "id:no-such-thing", "NOPE-1", "https://x.example/a"],
        },
        headers=as_editor,
    )
    assert response.status_code == 422
    error = response.json()
    assert error["error"] == "UnknownElements" and error["where"] == "failed"
    assert error["unknown"] == ["id:no-such-thing", "NOPE-1", "https://x.example/a"]
    assert "nothing was written" in error["hint"]
    assert _quads(fresh_demo_store) == before


def test_elements_by_iri_curie_and_identifier(client, as_editor) -> None:  # noqa: ANN001
    doc = _create(
        client,
        as_editor,
        failed=["https://w3id.org/svckg/id/cloud-workplace", "AGR-2026-01", "id:cloud-workplace"],
    )
    assert [f["iri"] for f in doc["failed"]] == [
        "https://w3id.org/svckg/id/cloud-workplace",
        "https://w3id.org/svckg/id/sla-aurora-workplace",
    ]


def test_unknown_incident(client, as_editor) -> None:  # noqa: ANN001
    assert client.get("/api/incidents/nope").status_code == 404
    response = client.post("/api/incidents/nope/updates", json={"text": "x"}, headers=as_editor)
    assert response.status_code == 404 and response.json()["hint"].startswith("list them")
    assert client.post("/api/incidents/nope/close", headers=as_editor).status_code == 404
    assert client.get("/api/incidents/..%2F..%2Fetc").status_code == 404


def test_recorded_impact_does_not_change_with_the_model(
    client, as_editor, fresh_demo_store
) -> None:  # noqa: ANN001
    doc = _create(client, as_editor)
    # the model changes later: a new customer-facing service comes to depend on the workplace
    fresh_demo_store.load(
        b"<https://w3id.org/svckg/id/new-cfs> a <https://w3id.org/svckg#CustomerFacingService> ;"
        b' <http://www.w3.org/2000/01/rdf-schema#label> "New" ;'
        b" <https://w3id.org/svckg#includesService> <https://w3id.org/svckg/id/cloud-workplace> .",
        "urn:later",
        format=ox.RdfFormat.TURTLE,
    )
    now = impact(fresh_demo_store, ["id:cloud-workplace"]).to_json()
    assert "https://w3id.org/svckg/id/new-cfs" in {e["iri"] for e in now["impacted"]}
    kept = client.get(f"/api/incidents/{doc['id']}").json()
    assert kept["impact"] == doc["impact"]
    assert "https://w3id.org/svckg/id/new-cfs" not in {e["iri"] for e in kept["impact"]["impacted"]}


def test_the_record_is_prov_o_and_conforms_to_the_shapes(
    client, as_editor, fresh_demo_store
) -> None:  # noqa: ANN001
    doc = _create(client, as_editor, updates=[{"text": "first"}])
    client.post(f"/api/incidents/{doc['id']}/close", json={"author": "Ola"}, headers=as_editor)
    graph = next(g for g in fresh_demo_store.graphs() if g.startswith(INCIDENT_GRAPH_BASE))
    rows = fresh_demo_store.query(
        f"""PREFIX prov: <{PROV}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?entity ?agent WHERE {{ GRAPH <{graph}> {{
          ?entity prov:wasGeneratedBy ?act ; prov:specializationOf ?inc .
          ?act a prov:Activity ; prov:wasAssociatedWith/rdfs:label ?agent }} }}"""
    )
    found = sorted((r["entity"].value.rsplit("/", 1)[1], r["agent"].value) for r in rows)
    assert found == [("v1", "editor"), ("v2", "Ola")]
    shapes = load_shapes()
    graphs = [graph, "https://w3id.org/svckg/graph/ontology"]
    for validator in ("sparql", "pyshacl"):
        report = validate_store(fresh_demo_store, shapes, default_graph=graphs, validator=validator)
        assert report.conforms, [r.describe() for r in report.results]
    # the shape does check: an incident without its start time violates it
    fresh_demo_store.update(f"DELETE WHERE {{ GRAPH <{graph}> {{ ?i <{SVC}startTime> ?t }} }}")
    report = validate_store(fresh_demo_store, shapes, default_graph=graphs)
    assert [r.source_shape for r in report.results] == [
        "https://w3id.org/svckg/shapes#Incident-startTime"
    ]


def test_raw_writes_cannot_touch_incident_graphs(client, as_editor, fresh_demo_store) -> None:  # noqa: ANN001
    doc = _create(client, as_editor)
    response = client.post(
        "/sparql",
        data={"update": f"DROP GRAPH <{doc['graph']}>"},
        headers=as_editor,
    )
    assert response.status_code == 403
    assert doc["graph"] in fresh_demo_store.graphs()


def test_incident_writes_refresh_the_dependency_index_without_rebuilding(
    client, as_editor, fresh_demo_store
) -> None:  # noqa: ANN001
    from svckg.analysis.index import get_index

    index = get_index(fresh_demo_store)
    doc = _create(client, as_editor)
    client.post(f"/api/incidents/{doc['id']}/updates", json={"text": "x"}, headers=as_editor)
    # the same index object, refreshed by the incident's own subjects (a rebuild makes a new one)
    assert get_index(fresh_demo_store) is index
    assert index.generation == fresh_demo_store.generation
    # and the incident is no dependency: impact of the workplace is what it was
    assert impact(fresh_demo_store, ["id:cloud-workplace"]).to_json() == doc["impact"]
