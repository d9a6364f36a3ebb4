"""Status pages per customer and the provider's incident view, on the demo landscape.

Expectations come from the impact engine and from SPARQL on the demo data, never from the
status code itself; the leak tests compare every IRI and label of the store outside the
customer's scope against what the customer's JSON, HTML and Atom say.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import feedparser
import pytest

from svckg.analysis.impact import impact
from svckg.api.status import scope_of

ID = "https://w3id.org/svckg/id/"
SVC = "https://w3id.org/svckg#"
ATOM = "{http://www.w3.org/2005/Atom}"
CUSTOMERS = ["aurora-hospitals", "city-of-vesterby", "fjordline-logistics"]
TITLE_A = "HV-07 hypervisor node lost power (internal)"
INTERNAL_NOTE = "Vendor ticket 4711 opened with the rack supplier"
PUBLIC_NOTE = "We are moving your virtual desktops to healthy hosts."


@pytest.fixture
def world(make_client, fresh_demo_store, as_editor):  # noqa: ANN001, ANN201
    """Two open incidents and one closed one, recorded through the API."""
    client = make_client(store=fresh_demo_store)

    def create(body: dict[str, Any]) -> dict[str, Any]:
        response = client.post("/api/incidents", json=body, headers=as_editor)
        assert response.status_code == 201, response.text
        return response.json()

    a = create(
        {
            "title": TITLE_A,
            "failed": ["id:hypervisor-cluster"],
            "start": "2026-12-06T08:00:00Z",
            "updates": [
                {"text": INTERNAL_NOTE},
                {"text": PUBLIC_NOTE, "shownToCustomers": True},
            ],
        }
    )
    b = create(
        {
            "title": "TMS release broke tracking",
            "failed": ["id:tms-application"],
            "start": "2026-12-06T09:00:00Z",
        }
    )
    c = create(
        {
            "title": "Portal outage last week",
            "failed": ["id:self-service-portal"],
            "start": "2026-11-29T10:00:00Z",
            "end": "2026-11-29T11:30:00Z",
        }
    )
    return {"client": client, "store": fresh_demo_store, "a": a, "b": b, "c": c}


def _of_class(store: Any, classes: list[str]) -> set[str]:
    values = " ".join(f"<{SVC}{c}>" for c in classes)
    rows = store.query(
        "SELECT DISTINCT ?x WHERE { VALUES ?c { " + values + " } "
        "?x a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?c }"
    )
    return {r["x"].value for r in rows}


def _statuses(store: Any, failed: list[str]) -> dict[str, str]:
    doc = impact(store, failed).to_json()
    out = {f["iri"]: "down" for f in doc["failed"]}
    out.update({e["iri"]: e["status"] for e in doc["impacted"]})
    return out


@pytest.mark.parametrize("org", CUSTOMERS)
def test_status_follows_the_impact_engine(world, as_editor, org) -> None:  # noqa: ANN001
    store = world["store"]
    doc = world["client"].get(f"/status/{org}.json", headers=as_editor).json()
    scope = scope_of(store, ID + org)
    open_status = [
        _statuses(store, ["id:hypervisor-cluster"]),
        _statuses(store, ["id:tms-application"]),
    ]
    rank = {"operational": 0, "degraded": 1, "down": 2}

    def expected(iri: str) -> str:
        return max((s.get(iri, "operational") for s in open_status), key=rank.__getitem__)

    services = _of_class(store, ["Service", "ServiceOffering", "ServicePackage", "Product"])
    touchpoints = _of_class(store, ["Touchpoint", "ServiceInteraction"])
    for key, kinds in (("services", services), ("touchpoints", touchpoints)):
        rows = doc[key]
        assert {r["iri"] for r in rows} == scope & kinds
        assert {r["iri"]: r["status"] for r in rows} == {r["iri"]: expected(r["iri"]) for r in rows}
    every = doc["services"] + doc["touchpoints"]
    worst = max((r["status"] for r in every), key=rank.__getitem__, default="operational")
    assert doc["status"] == worst
    # the closed portal incident changes nobody's current status
    closed_only = _statuses(store, ["id:self-service-portal"])
    for row in every:
        if row["iri"] in closed_only and all(row["iri"] not in s for s in open_status):
            assert row["status"] == "operational"


@pytest.mark.parametrize("org", CUSTOMERS)
def test_agreements_at_risk_are_the_customers_own(world, as_editor, org) -> None:  # noqa: ANN001
    store = world["store"]
    doc = world["client"].get(f"/status/{org}.json", headers=as_editor).json()
    own = {
        r["a"].value
        for r in store.query(
            f"SELECT ?a WHERE {{ ?r <{SVC}consumer> <{ID}{org}> ; <{SVC}governedBy> ?a }}"
        )
    }
    at_risk = {}
    for failed in (["id:hypervisor-cluster"], ["id:tms-application"]):
        for a in impact(store, failed).to_json()["agreements"]:
            at_risk.setdefault(a["iri"], a)
    assert {a["iri"] for a in doc["agreementsAtRisk"]} == own & set(at_risk)
    for row in doc["agreementsAtRisk"]:
        assert [t["label"] for t in row["targets"]] == [
            t["label"] for t in at_risk[row["iri"]]["targets"]
        ]


def test_timeline_is_in_the_customers_words(world, as_editor) -> None:  # noqa: ANN001
    client = world["client"]
    aurora = client.get("/status/aurora-hospitals.json", headers=as_editor).json()
    ids = [e["id"] for e in aurora["timeline"]]
    assert world["a"]["id"] in ids and world["b"]["id"] not in ids  # TMS: Fjordline only
    entry = next(e for e in aurora["timeline"] if e["id"] == world["a"]["id"])
    assert entry["status"] == "ongoing"
    assert [u["text"] for u in entry["updates"]] == [PUBLIC_NOTE]
    assert set(entry) >= {"headline", "summary", "affected", "start", "end"}
    scope = scope_of(world["store"], ID + "aurora-hospitals")
    assert entry["affected"] and all(a["iri"] in scope for a in entry["affected"])
    text = str(aurora)
    for secret in (TITLE_A, INTERNAL_NOTE, "hypervisor", "editor"):
        assert secret not in text
    fjordline = client.get("/status/fjordline-logistics.json", headers=as_editor).json()
    statuses = {e["id"]: e["status"] for e in fjordline["timeline"]}
    assert statuses[world["b"]["id"]] == "ongoing"
    assert statuses[world["c"]["id"]] == "resolved"  # the portal is in Fjordline's band


def test_closing_brings_the_customer_back_to_operational(world, as_editor) -> None:  # noqa: ANN001
    client = world["client"]
    for key in ("a", "b"):
        response = client.post(f"/api/incidents/{world[key]['id']}/close", headers=as_editor)
        assert response.status_code == 200
    for org in CUSTOMERS:
        doc = client.get(f"/status/{org}.json", headers=as_editor).json()
        assert doc["status"] == "operational"
        assert doc["agreementsAtRisk"] == []
        assert all(e["status"] == "resolved" for e in doc["timeline"])


def test_json_by_accept_header_and_html(world, as_editor) -> None:  # noqa: ANN001
    client = world["client"]
    by_suffix = client.get("/status/id:aurora-hospitals.json", headers=as_editor).json()
    by_accept = client.get(
        "/status/aurora-hospitals", headers=as_editor | {"accept": "application/json"}
    )
    assert by_accept.json() == by_suffix
    page = client.get("/status/aurora-hospitals", headers=as_editor | {"accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "<h1>Service status for St. Aurora Hospital Group</h1>" in html
    assert 'href="/static/style.css"' in html  # the site's own look and navigation
    assert f'id="incident-{world["a"]["id"]}"' in html
    assert 'type="application/atom+xml"' in html


def test_roles_and_unknown_customers(world, as_reader) -> None:  # noqa: ANN001
    client = world["client"]
    for path in (
        "/status/aurora-hospitals",
        "/status/aurora-hospitals.json",
        "/status/aurora-hospitals/feed.atom",
    ):
        assert client.get(path).status_code == 401
        assert client.get(path, headers=as_reader).status_code == 403
    response = client.get(
        "/status/cloud-workplace.json", headers={"authorization": "Bearer editor-tok-9a2e"}
    )
    assert response.status_code == 404 and "id:aurora-hospitals" in response.json()["hint"]


def _atom_checks(root: ET.Element) -> None:
    """RFC 4287 section 4.1: what a feed and each entry must hold."""
    assert root.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated"):
        assert len(root.findall(f"{ATOM}{tag}")) == 1, tag
    feed_author = root.findall(f"{ATOM}author")
    entries = root.findall(f"{ATOM}entry")
    ids = []
    for entry in entries:
        for tag in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{tag}")) == 1, tag
        assert feed_author or entry.findall(f"{ATOM}author")
        alternate = [
            link
            for link in entry.findall(f"{ATOM}link")
            if link.get("rel", "alternate") == "alternate"
        ]
        assert entry.findall(f"{ATOM}content") or alternate
        ids.append(entry.find(f"{ATOM}id").text)  # type: ignore[union-attr]
    assert len(ids) == len(set(ids))
    date = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
    for node in root.iter():
        if node.tag in (f"{ATOM}updated", f"{ATOM}published"):
            assert date.match(node.text or ""), node.text


@pytest.mark.parametrize("org", CUSTOMERS)
def test_atom_feed_is_valid_atom_1_0(world, as_editor, org) -> None:  # noqa: ANN001
    client = world["client"]
    response = client.get(f"/status/{org}/feed.atom", headers=as_editor)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    doc = client.get(f"/status/{org}.json", headers=as_editor).json()
    assert parsed.feed.title == f"Service status for {doc['customer']['label']}"
    assert [e.title for e in parsed.entries] == [e["headline"] for e in doc["timeline"]]
    assert all(
        e.link.endswith(f"#incident-{t['id']}")
        for e, t in zip(parsed.entries, doc["timeline"], strict=True)
    )
    _atom_checks(ET.fromstring(response.content))


def _hidden(store: Any, scope: frozenset[str]) -> tuple[set[str], set[str]]:
    """IRIs of the data outside ``scope`` and the labels only they carry."""
    data_graphs = [g for g in store.graphs() if "/graph/import/" in g or "/graph/incident/" in g]
    iris: set[str] = set()
    labels: dict[str, set[str]] = {}
    for graph in data_graphs:
        for q in store.quads(graph=graph):
            for term in (q.subject, q.object):
                if type(term).__name__ == "NamedNode":
                    iris.add(term.value)
            if q.predicate.value.endswith(("#label", "#prefLabel")):
                labels.setdefault(q.subject.value, set()).add(q.object.value)
    visible_labels = {label for iri in scope for label in labels.get(iri, ())}
    hidden_iris = {i for i in iris if i not in scope and i.startswith(ID)}
    hidden_labels = {
        label
        for iri in hidden_iris
        for label in labels.get(iri, ())
        if label not in visible_labels and len(label) > 3
    }
    return hidden_iris, hidden_labels


@pytest.mark.parametrize("org", CUSTOMERS)
def test_no_iri_or_label_outside_the_customers_scope(world, as_editor, org) -> None:  # noqa: ANN001
    client, store = world["client"], world["store"]
    scope = scope_of(store, ID + org)
    hidden_iris, hidden_labels = _hidden(store, scope)
    assert hidden_iris and hidden_labels  # the check has something to find
    visible_labels = sorted(
        {store_label for iri in scope for store_label in _labels(store, iri)}, key=len, reverse=True
    )
    answers = {
        "json": client.get(f"/status/{org}.json", headers=as_editor).text,
        "html": client.get(f"/status/{org}", headers=as_editor | {"accept": "text/html"}).text,
        "atom": client.get(f"/status/{org}/feed.atom", headers=as_editor).text,
    }
    for kind, text in answers.items():
        for iri in hidden_iris:
            assert iri not in text, (kind, iri)
        # a hidden label may be part of a visible one ("Cloud" in "Cloud Workplace"): take the
        # visible labels out first, then no hidden label may be left
        rest = text
        for label in visible_labels:
            rest = rest.replace(label, " ")
        for label in hidden_labels:
            assert label not in rest, (kind, label)


def _labels(store: Any, iri: str) -> set[str]:
    rows = store.query(
        "SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label>|"
        "<http://www.w3.org/2004/02/skos/core#prefLabel> ?l }",
        substitutions={"s": __import__("pyoxigraph").NamedNode(iri)},
    )
    return {r["l"].value for r in rows}


def test_provider_view_shows_every_open_incident_and_who_sees_it(world) -> None:  # noqa: ANN001
    client, store = world["client"], world["store"]
    doc = client.get("/ui/incidents", headers={"accept": "application/json"}).json()
    assert [r["incident"]["id"] for r in doc["open"]] == [world["b"]["id"], world["a"]["id"]]
    assert [i["id"] for i in doc["closed"]] == [world["c"]["id"]]
    for row in doc["open"]:
        incident = row["incident"]
        touched = {e["iri"] for e in incident["impact"]["impacted"]} | {
            f["iri"] for f in incident["failed"]
        }
        seeing = {c["iri"] for c in row["customers"]}
        for org in CUSTOMERS:
            assert (ID + org in seeing) == bool(scope_of(store, ID + org) & touched), org
    a_row = next(r for r in doc["open"] if r["incident"]["id"] == world["a"]["id"])
    assert a_row["incident"]["impact"] == world["a"]["impact"]  # the full impact
    page = client.get("/ui/incidents", headers={"accept": "text/html"}).text
    assert TITLE_A in page and INTERNAL_NOTE in page
    assert 'href="/status/id:aurora-hospitals"' in page


def test_update_text_is_escaped_in_html_and_atom(world, as_editor) -> None:  # noqa: ANN001
    client = world["client"]
    hostile = "<script>alert(1)</script> & <b>bold</b>"
    response = client.post(
        f"/api/incidents/{world['a']['id']}/updates",
        json={"text": hostile, "shownToCustomers": True},
        headers=as_editor,
    )
    assert response.status_code == 201
    page = client.get("/status/aurora-hospitals", headers=as_editor | {"accept": "text/html"}).text
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page
    feed = client.get("/status/aurora-hospitals/feed.atom", headers=as_editor).content
    contents = [n.text or "" for n in ET.fromstring(feed).iter(f"{ATOM}content")]
    assert any(hostile in text for text in contents)
    assert feedparser.parse(feed).bozo == 0


CONSUMER_TOKENS = {
    "aurora-hospitals": "cons-aurora-1b7",
    "city-of-vesterby": "cons-vesterby-2c8",
    "fjordline-logistics": "cons-fjordline-3d9",
}


@pytest.fixture
def customers(world, make_client, tokens):  # noqa: ANN001, ANN201
    """An app on the same store with one consumer token per demo customer (consumer tokens
    need read_requires_token)."""
    extra = ",".join(f"{t}:consumer:id:{org}" for org, t in CONSUMER_TOKENS.items())
    inline = ",".join(f"{tok}:{role}" for role, tok in tokens.items())
    return make_client(store=world["store"], tokens=f"{inline},{extra}", read_requires_token=True)


def _as(org: str) -> dict[str, str]:
    return {"authorization": f"Bearer {CONSUMER_TOKENS[org]}"}


@pytest.mark.parametrize("org", CUSTOMERS)
def test_a_consumer_token_sees_its_own_status(world, customers, as_editor, org) -> None:  # noqa: ANN001
    own = customers.get("/status.json", headers=_as(org))
    assert own.status_code == 200, own.text
    assert own.json() == customers.get(f"/status/{org}.json", headers=as_editor).json()
    assert own.json()["customer"]["iri"] == ID + org
    by_accept = customers.get("/status", headers=_as(org) | {"accept": "application/json"})
    assert by_accept.json() == own.json()
    page = customers.get("/status", headers=_as(org) | {"accept": "text/html"})
    assert page.status_code == 200 and "<h1>Service status for" in page.text
    assert 'href="/status/feed.atom"' in page.text and 'href="/status.json"' in page.text
    feed = customers.get("/status/feed.atom", headers=_as(org))
    assert feed.status_code == 200 and feedparser.parse(feed.content).bozo == 0
    _atom_checks(ET.fromstring(feed.content))
    # and nothing outside its scope, in any of the three
    store = world["store"]
    scope = scope_of(store, ID + org)
    hidden_iris, hidden_labels = _hidden(store, scope)
    visible = sorted({lab for iri in scope for lab in _labels(store, iri)}, key=len, reverse=True)
    for text in (own.text, page.text, feed.text):
        assert not [iri for iri in hidden_iris if iri in text]
        rest = text
        for label in visible:
            rest = rest.replace(label, " ")
        assert not [label for label in hidden_labels if label in rest]


def test_a_consumer_token_reaches_nothing_else_of_incidents(world, customers) -> None:  # noqa: ANN001
    aurora = _as("aurora-hospitals")
    incident = world["a"]["id"]
    refused = [
        ("GET", "/status/fjordline-logistics"),
        ("GET", "/status/aurora-hospitals.json"),  # the editors' route, even for its own org
        ("GET", "/status/fjordline-logistics/feed.atom"),
        ("GET", "/api/incidents"),
        ("GET", f"/api/incidents/{incident}"),
        ("GET", "/ui/incidents"),
        ("POST", "/api/incidents"),
        ("POST", f"/api/incidents/{incident}/updates"),
        ("POST", f"/api/incidents/{incident}/close"),
        ("POST", "/api/incidents/alertmanager"),
    ]
    before = world["store"].generation
    for method, path in refused:
        response = customers.request(method, path, headers=aurora, json={})
        assert response.status_code == 403, (path, response.status_code, response.text[:200])
        assert "consumer role" in response.json()["message"], path
    assert world["store"].generation == before


def test_the_own_status_page_needs_a_consumer_token(customers, as_editor, as_reader) -> None:  # noqa: ANN001
    assert customers.get("/status").status_code == 401
    for headers in (as_editor, as_reader):
        response = customers.get("/status.json", headers=headers)
        assert response.status_code == 403
        assert "/status/{org}" in response.json()["hint"]
