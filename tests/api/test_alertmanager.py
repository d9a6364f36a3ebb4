"""The Alertmanager webhook, fed Alertmanager's documented payload.

The payloads follow the JSON format the Prometheus documentation gives for ``webhook_config``
(prometheus.io/docs/alerting/latest/configuration/#webhook_config): ``version`` "4",
``groupKey``, ``truncatedAlerts``, ``status``, ``receiver``, ``groupLabels``, ``commonLabels``,
``commonAnnotations``, ``externalURL`` and ``alerts`` with ``status``, ``labels``,
``annotations``, ``startsAt``, ``endsAt`` (Go's zero time while firing, as in the documented
samples), ``generatorURL`` and ``fingerprint``. Nothing here is taken from svckg's code.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
import pytest

from svckg.analysis.impact import impact

ZERO = "0001-01-01T00:00:00Z"
GROUP_KEY = '{}/{severity="critical"}:{alertname="ProbeFailure"}'
WORKPLACE = "https://w3id.org/svckg/id/cloud-workplace"
SVC = "https://w3id.org/svckg#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
FAKE = ox.NamedNode("https://w3id.org/svckg/id/incident/fake")


def alert(
    fingerprint: str,
    element: str | None,
    *,
    status: str = "firing",
    starts: str = "2026-12-06T13:08:45.828Z",
    ends: str = ZERO,
    name: str = "ProbeFailure",
    label: str = "svckg_element",
) -> dict[str, Any]:
    labels = {"alertname": name, "instance": "https://vdi.example.org", "severity": "critical"}
    if element is not None:
        labels[label] = element
    return {
        "status": status,
        "labels": labels,
        "annotations": {"summary": f"{name} on {element}", "description": "probe down for 5m"},
        "startsAt": starts,
        "endsAt": ends,
        "generatorURL": "http://prometheus.example.org:9090/graph?g0.expr=probe_success+%3D%3D+0",
        "fingerprint": fingerprint,
    }


def notification(*alerts: dict[str, Any], group_key: str = GROUP_KEY) -> dict[str, Any]:
    firing = any(a["status"] == "firing" for a in alerts)
    return {
        "version": "4",
        "groupKey": group_key,
        "truncatedAlerts": 0,
        "status": "firing" if firing else "resolved",
        "receiver": "svckg",
        "groupLabels": {"alertname": "ProbeFailure"},
        "commonLabels": {"alertname": "ProbeFailure", "severity": "critical"},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager.example.org:9093",
        "alerts": list(alerts),
    }


@pytest.fixture
def client(make_client, fresh_demo_store):  # noqa: ANN001, ANN201
    return make_client(store=fresh_demo_store)


def post(client: Any, headers: dict[str, str], body: Any) -> dict[str, Any]:
    response = client.post("/api/incidents/alertmanager", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def incident(client: Any, incident_id: str) -> dict[str, Any]:
    return client.get(f"/api/incidents/{incident_id}").json()


def test_firing_opens_an_incident(client, as_editor, fresh_demo_store) -> None:  # noqa: ANN001
    out = post(client, as_editor, notification(alert("1a30ba71cca2921f", "id:cloud-workplace")))
    assert out["action"] == "opened" and out["unknown"] == [] and out["unmapped"] == []
    doc = incident(client, out["incident"])
    assert doc["status"] == "open"
    assert doc["start"] == "2026-12-06T13:08:45.828Z"
    assert [f["iri"] for f in doc["failed"]] == [WORKPLACE]
    assert doc["alertmanager"] == {
        "groupKey": GROUP_KEY,
        "firing": ["1a30ba71cca2921f"],
        "resolved": [],
    }
    assert doc["impact"] == impact(fresh_demo_store, [WORKPLACE]).to_json()
    assert doc["history"][0]["agent"] == "alertmanager/svckg"


def test_repeated_firing_extends_the_same_incident(client, as_editor) -> None:  # noqa: ANN001
    first = post(client, as_editor, notification(alert("aa01", "id:cloud-workplace")))
    version = incident(client, first["incident"])["version"]
    # Alertmanager repeats the same state every repeat_interval: nothing to write
    same = post(client, as_editor, notification(alert("aa01", "id:cloud-workplace")))
    assert same == first | {"action": "unchanged"}
    assert incident(client, first["incident"])["version"] == version
    # a new alert joins the group: the same incident grows, its impact recorded again
    more = post(
        client,
        as_editor,
        notification(
            alert("aa01", "id:cloud-workplace"),
            alert("bb02", "AGR-2026-01", name="SlaBreach"),
        ),
    )
    assert more["action"] == "extended" and more["incident"] == first["incident"]
    doc = incident(client, first["incident"])
    assert [f["iri"] for f in doc["failed"]] == [
        WORKPLACE,
        "https://w3id.org/svckg/id/sla-aurora-workplace",
    ]
    assert doc["alertmanager"]["firing"] == ["aa01", "bb02"]
    assert [h["action"] for h in doc["history"]] == ["opened by Alertmanager", "extended"]
    assert len(client.get("/api/incidents").json()["incidents"]) == 1


def test_mixed_then_resolved_closes_at_the_last_end(client, as_editor) -> None:  # noqa: ANN001
    opened = post(
        client,
        as_editor,
        notification(alert("f1", "id:cloud-workplace"), alert("f2", "id:self-service-portal")),
    )
    mixed = post(
        client,
        as_editor,
        notification(
            alert("f1", "id:cloud-workplace"),
            alert("f2", "id:self-service-portal", status="resolved", ends="2026-12-06T13:20:00Z"),
        ),
    )
    assert mixed["action"] == "extended" and mixed["incident"] == opened["incident"]
    assert mixed["firing"] == ["f1"] and mixed["resolved"] == ["f2"]
    doc = incident(client, opened["incident"])
    assert doc["status"] == "open"
    assert doc["alertmanager"] == {"groupKey": GROUP_KEY, "firing": ["f1"], "resolved": ["f2"]}
    done = post(
        client,
        as_editor,
        notification(
            alert("f1", "id:cloud-workplace", status="resolved", ends="2026-12-06T13:31:10.5Z"),
            alert("f2", "id:self-service-portal", status="resolved", ends="2026-12-06T13:20:00Z"),
        ),
    )
    assert done["action"] == "closed"
    doc = incident(client, opened["incident"])
    assert doc["status"] == "closed" and doc["end"] == "2026-12-06T13:31:10.5Z"
    # the group fires again later: a new incident
    again = post(client, as_editor, notification(alert("f1", "id:cloud-workplace")))
    assert again["action"] == "opened" and again["incident"] != opened["incident"]


def test_unknown_and_unmapped_alerts_are_reported(client, as_editor, fresh_demo_store) -> None:  # noqa: ANN001
    before = fresh_demo_store.count()
    out = post(
        client,
        as_editor,
        notification(alert("u1", "id:no-such-service"), alert("u2", None, name="DiskFull")),
    )
    assert out["incident"] is None and out["action"] == "ignored"
    assert out["unknown"] == [
        {
            "fingerprint": "u1",
            "alertname": "ProbeFailure",
            "status": "firing",
            "element": "id:no-such-service",
        }
    ]
    assert out["unmapped"] == [{"fingerprint": "u2", "alertname": "DiskFull", "status": "firing"}]
    assert fresh_demo_store.count() == before
    # alongside a known element the incident opens for it, and the rest is still reported
    mixed = post(
        client,
        as_editor,
        notification(alert("k1", "id:cloud-workplace"), alert("u1", "id:no-such-service")),
    )
    assert mixed["action"] == "opened"
    assert [u["fingerprint"] for u in mixed["unknown"]] == ["u1"]
    assert [f["iri"] for f in incident(client, mixed["incident"])["failed"]] == [WORKPLACE]


def test_the_element_label_is_a_setting(make_client, fresh_demo_store, as_editor) -> None:  # noqa: ANN001
    client = make_client(store=fresh_demo_store, alert_element_label="service")
    default = post(client, as_editor, notification(alert("d1", "id:cloud-workplace")))
    assert default["incident"] is None and default["elementLabel"] == "service"
    out = post(
        client, as_editor, notification(alert("s1", WORKPLACE, label="service"), group_key="g2")
    )
    assert out["action"] == "opened"


def test_only_editors_may_post(client, as_reader) -> None:  # noqa: ANN001
    body = notification(alert("r1", "id:cloud-workplace"))
    assert client.post("/api/incidents/alertmanager", json=body).status_code == 401
    response = client.post("/api/incidents/alertmanager", json=body, headers=as_reader)
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda p: p.update(version="3"), "version"),
        (lambda p: p.pop("groupKey"), "groupKey"),
        (lambda p: p.update(alerts={"a": 1}), "alerts"),
        (lambda p: p["alerts"][0].update(status="pending"), "alerts[0].status"),
        (lambda p: p["alerts"][0].pop("fingerprint"), "alerts[0].fingerprint"),
        (lambda p: p["alerts"][0].update(startsAt="soon"), "alerts[0].startsAt"),
        (lambda p: p["alerts"][0]["labels"].update(n=1), "alerts[0].labels"),
    ],
)
def test_malformed_payloads_name_the_field(
    client, as_editor, fresh_demo_store, change, where
) -> None:  # noqa: ANN001
    body = notification(alert("m1", "id:cloud-workplace"))
    change(body)
    before = fresh_demo_store.count()
    response = client.post("/api/incidents/alertmanager", json=body, headers=as_editor)
    assert response.status_code == 400, response.text
    assert response.json()["where"] == where
    assert fresh_demo_store.count() == before


def test_not_json_and_too_large(make_client, fresh_demo_store, as_editor) -> None:  # noqa: ANN001
    client = make_client(store=fresh_demo_store, max_body_bytes=4000)
    response = client.post(
        "/api/incidents/alertmanager",
        content=b"{not json",
        headers=as_editor | {"content-type": "application/json"},
    )
    assert response.status_code == 400 and response.json()["where"] == "body"
    big = notification(*(alert(f"x{i}", "id:cloud-workplace") for i in range(40)))
    response = client.post("/api/incidents/alertmanager", json=big, headers=as_editor)
    assert response.status_code == 413
    assert "SVCKG_MAX_BODY_BYTES" in response.json()["hint"]


def test_data_posing_as_an_incident_is_not_one(client, as_editor, fresh_demo_store) -> None:  # noqa: ANN001
    # an imported file may use the vocabulary; only svckg's own incident graphs are records
    key = ox.Literal(GROUP_KEY)
    fresh_demo_store.load(
        [
            ox.Triple(FAKE, ox.NamedNode(RDF_TYPE), ox.NamedNode(SVC + "Incident")),
            ox.Triple(FAKE, ox.NamedNode(SVC + "incidentId"), ox.Literal("fake")),
            ox.Triple(FAKE, ox.NamedNode(SVC + "alertGroupKey"), key),
        ],
        "https://w3id.org/svckg/graph/import/posing/v1",
    )
    assert client.get("/api/incidents").json()["incidents"] == []
    assert client.get("/api/incidents/fake").status_code == 404
    out = post(client, as_editor, notification(alert("p1", "id:cloud-workplace")))
    assert out["action"] == "opened" and out["incident"] != "fake"


def test_an_element_whose_alerts_resolved_is_back_while_the_rest_is_down(
    client, as_editor, fresh_demo_store
) -> None:  # noqa: ANN001
    portal = "https://w3id.org/svckg/id/self-service-portal"
    opened = post(
        client,
        as_editor,
        notification(alert("w1", "id:cloud-workplace"), alert("p1", "id:self-service-portal")),
    )
    both = incident(client, opened["incident"])
    assert both["impact"] == impact(fresh_demo_store, [WORKPLACE, portal]).to_json()
    before = client.get("/status/fjordline-logistics.json", headers=as_editor).json()
    assert before["status"] == "down"
    post(
        client,
        as_editor,
        notification(
            alert("w1", "id:cloud-workplace"),
            alert("p1", "id:self-service-portal", status="resolved", ends="2026-12-06T13:20:00Z"),
        ),
    )
    doc = incident(client, opened["incident"])
    assert doc["status"] == "open" and doc["recovered"] == [portal]
    assert [f["iri"] for f in doc["failed"]] == [WORKPLACE, portal]  # what failed stays
    assert doc["impact"] == impact(fresh_demo_store, [WORKPLACE]).to_json()  # recorded again
    fjordline = client.get(
        "/status/fjordline-logistics.json", headers=as_editor
    ).json()  # the portal is in Fjordline's band, the workplace is not
    assert {r["iri"]: r["status"] for r in fjordline["services"] + fjordline["touchpoints"]}.get(
        portal, "operational"
    ) == "operational"
    assert all(r["status"] == "operational" for r in fjordline["touchpoints"])
    # the portal fails again: down again, impact recorded for both once more
    post(
        client,
        as_editor,
        notification(alert("w1", "id:cloud-workplace"), alert("p2", "id:self-service-portal")),
    )
    doc = incident(client, opened["incident"])
    assert doc["recovered"] == []
    assert doc["impact"] == impact(fresh_demo_store, [WORKPLACE, portal]).to_json()
