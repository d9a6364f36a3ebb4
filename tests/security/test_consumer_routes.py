"""Every route, for every demo consumer: an element outside the consumer's view is answered
exactly as an element that does not exist, and no answer shows a hidden IRI or label.

Table-driven: :data:`PROBES` asks each route about one element (hidden or unknown),
:data:`BROWSE` reads what a route lists without naming an element, :data:`REFUSED` are the
routes a consumer token may not use at all, :data:`WRITES` the writes (always 403).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from svckg.terms import compact
from svckg.vocab import ID

sys.path.insert(0, str(Path(__file__).parent))
from scopekit import Consumer, World, leaks, same_answer, unknown_twin  # noqa: E402

Probe = Callable[[World, Consumer, str], httpx.Response]
JSON = {"accept": "application/json"}
NT = {"accept": "application/n-triples"}


def _sparql(query: str, accept: str = "application/sparql-results+json") -> Probe:
    def run(world: World, c: Consumer, iri: str) -> httpx.Response:
        text = query.replace("IRI", f"<{iri}>")
        return world.client.get(
            "/sparql", params={"query": text}, headers={**c.headers, "accept": accept}
        )

    return run


def _sparql_post(query: str) -> Probe:
    def run(world: World, c: Consumer, iri: str) -> httpx.Response:
        return world.client.post(
            "/sparql",
            content=query.replace("IRI", f"<{iri}>").encode(),
            headers={**c.headers, "content-type": "application/sparql-query", **NT},
        )

    return run


def _get(path: str, accept: dict[str, str] = JSON, **params: str) -> Probe:
    def run(world: World, c: Consumer, iri: str) -> httpx.Response:
        given = {k: v.replace("IRI", iri) for k, v in params.items()}
        return world.client.get(path, params=given, headers={**c.headers, **accept})

    return run


def _id_page(accept: dict[str, str]) -> Probe:
    def run(world: World, c: Consumer, iri: str) -> httpx.Response:
        rest = iri[len(str(ID)) :] if iri.startswith(str(ID)) else quote(iri, safe="")
        path = f"/id/{rest}" if iri.startswith(str(ID)) else f"/resource?iri={rest}"
        return world.client.get(path, headers={**c.headers, **accept})

    return run


def _graphql(query: str) -> Probe:
    def run(world: World, c: Consumer, iri: str) -> httpx.Response:
        return world.client.post(
            "/graphql",
            json={"query": query, "variables": {"id": iri}},
            headers=c.headers,
        )

    return run


PROBES: dict[str, Probe] = {
    "sparql DESCRIBE": _sparql("DESCRIBE IRI", "application/n-triples"),
    "sparql outgoing": _sparql("SELECT * WHERE { IRI ?p ?o }"),
    "sparql incoming": _sparql("SELECT * WHERE { ?s ?p IRI }"),
    "sparql ASK anywhere": _sparql("ASK { { IRI ?p ?o } UNION { ?s ?p IRI } }"),
    "sparql GRAPH ?g": _sparql("SELECT * WHERE { GRAPH ?g { { IRI ?p ?o } UNION { ?s ?q IRI } } }"),
    "sparql paths from it": _sparql("SELECT ?x WHERE { IRI (<urn:x:p>|!<urn:x:p>)+ ?x }"),
    "sparql paths to it": _sparql("SELECT ?x WHERE { ?x (<urn:x:p>|!<urn:x:p>)+ IRI }"),
    "sparql CONSTRUCT GRAPH": _sparql(
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o FILTER (?s = IRI) } }",
        "application/n-triples",
    ),
    "sparql FROM": _sparql("SELECT * FROM IRI WHERE { ?s ?p ?o }"),
    "sparql FROM NAMED": _sparql("SELECT * FROM NAMED IRI WHERE { GRAPH ?g { ?s ?p ?o } }"),
    "sparql SERVICE": _sparql("SELECT * WHERE { SERVICE IRI { ?s ?p ?o } }"),
    "sparql POST DESCRIBE": _sparql_post("DESCRIBE IRI"),
    "sparql protocol dataset": _get(
        "/sparql", query="SELECT * { ?s ?p ?o }", **{"default-graph-uri": "IRI"}
    ),
    "graph store ?graph": _get("/rdf-graphs", NT, graph="IRI"),
    "linked data (JSON-LD)": _id_page({"accept": "application/ld+json"}),
    "linked data (HTML)": _id_page({"accept": "text/html"}),
    "resource?iri": _get("/resource", NT, iri="IRI"),
    "impact": _get("/api/impact", element="IRI"),
    "trace": _get("/api/trace", element="IRI"),
    "named query find-elements": _get("/api/queries/find-elements", text="IRI"),
    "ui node": _get("/api/ui/node", iri="IRI"),
    "ui neighbours": _get("/api/ui/neighbours", iri="IRI"),
    "ui nodes": _get("/api/ui/nodes", iri="IRI"),
    "ui impact": _get("/api/ui/impact", element="IRI"),
    "graphql node": _graphql("query($id: ID!) { node(id: $id) { id label types } }"),
    "graphql nodes": _graphql("query($id: ID!) { nodes(ids: [$id]) { id label } }"),
    "graphql impact": _graphql(
        "query($id: ID!) { impact(failed: [$id]) { impacted { iri label paths { s p o } } } }"
    ),
    "graphql trace": _graphql("query($id: ID!) { trace(from: $id) { root { iri label } } }"),
}


@pytest.mark.parametrize("name", list(PROBES))
def test_hidden_elements_are_answered_as_unknown_ones(world: World, name: str) -> None:
    probe = PROBES[name]
    checked = 0
    for c in world.all():
        for iri in c.probes:
            r = probe(world, c, iri)
            twin = unknown_twin(iri)
            unknown = probe(world, c, twin)
            assert r.status_code == unknown.status_code, (name, c.iri, iri, r.text[:300])
            assert same_answer(r.text, iri) == same_answer(unknown.text, twin), (name, c.iri, iri)
            assert not leaks(r.text, c, allowed=(iri, compact(iri))), (name, c.iri, iri)
            checked += 1
    assert checked > 20  # every consumer has hidden neighbours to probe


def test_the_leak_check_finds_leaks(world: World) -> None:
    """The checker is not blind: a reader's answers hold each consumer's hidden IRIs and
    labels."""
    everything = world.client.get(
        "/sparql",
        params={"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"},
        headers={**world.reader, "accept": "application/n-triples"},
    ).text
    searched = world.client.get(
        "/api/ui/search", params={"q": "e", "limit": "100"}, headers=world.reader
    ).text
    for c in world.all():
        assert c.hidden_labels and c.probes
        found = leaks(everything, c)
        assert set(c.probes) - set(world.store.graphs()) <= set(found), c.iri
        assert set(found) & c.hidden_labels, c.iri
        assert leaks(searched, c), c.iri


def test_a_reader_sees_what_the_consumer_does_not(world: World) -> None:
    """The probes would find the hidden elements if the scope did not hide them."""
    c = next(c for c in world.all() if c.probes)
    iri = c.probes[0]
    described = world.client.get(
        "/sparql", params={"query": f"ASK {{ <{iri}> ?p ?o }}"}, headers=world.reader
    )
    assert described.json()["boolean"] is True
    as_consumer = world.client.get(
        "/sparql", params={"query": f"ASK {{ <{iri}> ?p ?o }}"}, headers=c.headers
    )
    assert as_consumer.json()["boolean"] is False


def _browse_sparql(
    query: str, accept: str = "application/sparql-results+json"
) -> Callable[[World, Consumer], httpx.Response]:
    def run(world: World, c: Consumer) -> httpx.Response:
        return world.client.get(
            "/sparql",
            params={"query": query.replace("START", f"<{c.visible_sample}>")},
            headers={**c.headers, "accept": accept},
        )

    return run


def _browse_get(path: str, **params: str) -> Callable[[World, Consumer], httpx.Response]:
    def run(world: World, c: Consumer) -> httpx.Response:
        given = {k: v.replace("START", c.visible_sample) for k, v in params.items()}
        return world.client.get(path, params=given, headers={**c.headers, **JSON})

    return run


def _browse_graphql(query: str) -> Callable[[World, Consumer], httpx.Response]:
    def run(world: World, c: Consumer) -> httpx.Response:
        return world.client.post(
            "/graphql",
            json={"query": query.replace("START", c.visible_sample)},
            headers=c.headers,
        )

    return run


BROWSE: dict[str, Callable[[World, Consumer], httpx.Response]] = {
    "sparql everything": _browse_sparql("SELECT * WHERE { ?s ?p ?o }"),
    "sparql every graph": _browse_sparql("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"),
    "sparql graph names": _browse_sparql("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"),
    "sparql walk out of the view": _browse_sparql(
        "SELECT DISTINCT ?x WHERE { { START (<urn:x:p>|!<urn:x:p>)* ?x } "
        "UNION { ?x (<urn:x:p>|^<urn:x:p>|!<urn:x:p>|!^<urn:x:p>)* START } }"
    ),
    "sparql count per class": _browse_sparql(
        "SELECT ?t (COUNT(?s) AS ?n) WHERE { ?s a ?t } GROUP BY ?t"
    ),
    "sparql labels": _browse_sparql(
        "SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    ),
    "sparql CONSTRUCT all graphs": _browse_sparql(
        "CONSTRUCT { ?s ?p ?o } WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
        "application/n-triples",
    ),
    "sparql service description": _browse_get("/sparql"),
    "graph store default": _browse_get("/rdf-graphs", default=""),
    "named query catalogue": _browse_get("/api/queries"),
    "ui search everything": _browse_get("/api/ui/search", q="e", limit="100"),
    "ui catalogue": _browse_get("/api/ui/catalogue"),
    "ui catalogue services": _browse_get("/api/ui/catalogue/cfs"),
    "ui catalogue parties": _browse_get("/api/ui/catalogue/parties"),
    "ui classes": _browse_get("/api/ui/classes"),
    "ui neighbours of a visible element": _browse_get("/api/ui/neighbours", iri="START"),
    "ui node of a visible element": _browse_get("/api/ui/node", iri="START"),
    "impact of a visible element": _browse_get("/api/impact", element="START", paths="5"),
    "ui impact of a visible element": _browse_get("/api/ui/impact", element="START"),
    "trace of a visible element": _browse_get("/api/trace", element="START"),
    "graphql connections": _browse_graphql(
        "{ organizations(first: 100) { totalCount edges { node { id label } } } "
        "customerFacingServices(first: 100) { totalCount edges { node { id label } } } "
        "backendServices(first: 100) { totalCount edges { node { id label } } } "
        "people(first: 100) { totalCount edges { node { id label } } } }"
    ),
    "graphql impact of a visible element": _browse_graphql(
        '{ impact(failed: ["START"], maxPaths: 5) { impacted { iri label types owners '
        "visibleIn paths { s p o } } agreements { iri covers targets { iri label } } "
        "parties { agent agentLabel context contextLabel } owners { iri label } } }"
    ),
    "graphql trace of a visible element": _browse_graphql(
        '{ trace(from: "START") { layers { elements { iri label path { s p o } } } '
        "owners { iri } } }"
    ),
}


@pytest.mark.parametrize("name", list(BROWSE))
def test_nothing_listed_is_outside_the_view(world: World, name: str) -> None:
    for c in world.all():
        r = BROWSE[name](world, c)
        assert r.status_code == 200, (name, c.iri, r.status_code, r.text[:300])
        assert '"errors"' not in r.text[:20], (name, r.text[:300])
        assert not leaks(r.text, c), (name, c.iri, leaks(r.text, c)[:5])


def test_every_named_query_runs_on_the_view(world: World) -> None:
    catalogue = world.client.get("/api/queries", headers=world.reader).json()
    for c in world.all():
        for query in catalogue:
            params = {}
            for p in query["parameters"]:
                params[p["name"]] = {"iri": c.visible_sample, "integer": "1"}.get(p["kind"], "e")
            r = world.client.get(f"/api/queries/{query['name']}", params=params, headers=c.headers)
            assert r.status_code in (200, 400, 404, 422), (query["name"], r.text[:200])
            assert not leaks(r.text, c), (query["name"], c.iri, leaks(r.text, c)[:5])


def test_search_by_a_hidden_label_finds_nothing(world: World) -> None:
    searched = 0
    for c in world.all():
        nothing = world.client.get(
            "/api/ui/search", params={"q": "zz-no-such-label"}, headers=c.headers
        ).json()
        for label in sorted(c.hidden_labels)[:25]:
            found = world.client.get("/api/ui/search", params={"q": label}, headers=c.headers)
            assert found.status_code == 200
            assert found.json()["results"] == nothing["results"] == [], (c.iri, label)
            graphql = world.client.post(
                "/graphql",
                json={
                    "query": "query($q: String) { people(filter: {labelContains: $q}) "
                    "{ totalCount } organizations(filter: {labelContains: $q}) { totalCount } }",
                    "variables": {"q": label},
                },
                headers=c.headers,
            ).json()
            assert graphql["data"]["people"]["totalCount"] == 0, (c.iri, label)
            assert graphql["data"]["organizations"]["totalCount"] == 0, (c.iri, label)
            searched += 1
    assert searched > 20


def test_impact_and_trace_of_every_visible_element_stay_in_the_view(world: World) -> None:
    """From each element of the view: every element and every step of every chain shown is
    in the view (hidden runs, if any, are one step between visible elements)."""
    walked = 0
    for c in world.all():
        for start in sorted(c.view.scope.iris):
            r = world.client.get(
                "/api/impact", params={"element": start, "paths": "5"}, headers=c.headers
            )
            assert r.status_code == 200, r.text[:300]
            for element in r.json()["impacted"]:
                assert element["iri"] in c.view.scope
                for path in element["paths"]:
                    assert path[0]["s"] == element["iri"] and path[-1]["o"] == start
                    assert all(e["s"] in c.view.scope and e["o"] in c.view.scope for e in path)
                    walked += 1
            traced = world.client.get("/api/trace", params={"element": start}, headers=c.headers)
            assert traced.status_code == 200, traced.text[:300]
            for layer in traced.json()["layers"]:
                for element in layer["elements"]:
                    assert element["iri"] in c.view.scope
                    assert all(e["o"] in c.view.scope for e in element["path"])
    assert walked > 20


REFUSED = {
    "imports list": ("GET", "/api/imports"),
    "import record": ("GET", "/api/imports/services-ttl"),
    "import diff": ("GET", "/api/imports/services-ttl/diff"),
    "ui import history": ("GET", "/api/ui/imports"),
    "ui version diff": ("GET", "/api/ui/imports/services-ttl/diff?from=1&to=1"),
    "ui validate": ("POST", "/api/ui/validate"),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_routes_outside_a_consumers_reach_refuse_it_alike(world: World, name: str) -> None:
    method, path = REFUSED[name]
    answers = set()
    for c in world.all():
        r = world.client.request(method, path, headers=c.headers)
        assert r.status_code == 403, (name, r.status_code, r.text[:200])
        answers.add(r.json()["message"])
        assert not leaks(r.text, c)
    assert len(answers) == 1  # the same words for every consumer, whatever the route holds
    assert world.client.request(method, path, headers=world.reader).status_code != 403


WRITES = {
    "sparql update": (
        "POST",
        "/sparql",
        {"content-type": "application/sparql-update"},
        b"INSERT DATA { GRAPH <urn:x:g> { <urn:x:a> <urn:x:b> <urn:x:c> } }",
    ),
    "graph store PUT": (
        "PUT",
        "/rdf-graphs?graph=urn:x:g",
        {"content-type": "text/turtle"},
        b"<urn:x:a> <urn:x:b> <urn:x:c> .",
    ),
    "graph store POST": (
        "POST",
        "/rdf-graphs?default",
        {"content-type": "text/turtle"},
        b"<urn:x:a> <urn:x:b> <urn:x:c> .",
    ),
    "graph store DELETE": ("DELETE", "/rdf-graphs?default", {}, b""),
    "import upload": ("POST", "/api/imports", {"content-type": "multipart/form-data"}, b""),
    "import removal": ("DELETE", "/api/imports/services-ttl", {}, b""),
    "backup": ("POST", "/api/backup?directory=/tmp/x", {}, b""),
}


@pytest.mark.parametrize("name", list(WRITES))
def test_consumer_tokens_never_write(world: World, name: str) -> None:
    method, path, headers, body = WRITES[name]
    before = world.store.generation
    for c in world.all():
        r = world.client.request(method, path, headers={**c.headers, **headers}, content=body)
        assert r.status_code == 403, (name, r.status_code, r.text[:200])
        assert "consumer role" in r.json()["message"]
    assert world.store.generation == before


def test_graphql_mutations_are_refused(world: World) -> None:
    c = world.all()[0]
    r = world.client.post(
        "/graphql",
        json={"query": 'mutation { createOrganization(input: {label: "X"}) { id } }'},
        headers=c.headers,
    )
    errors = r.json()["errors"]
    assert errors and errors[0]["extensions"]["code"] == "Forbidden"


def test_introspection_works_for_consumers(world: World) -> None:
    c = world.all()[0]
    r = world.client.post(
        "/graphql", json={"query": "{ __schema { queryType { name } } }"}, headers=c.headers
    )
    assert r.json()["data"]["__schema"]["queryType"]["name"] == "Query"


def test_the_view_is_all_a_consumer_queries(world: World) -> None:
    """The engine's answer is the view: every subject of the view, nothing else."""
    for c in world.all():
        rows = world.client.get(
            "/sparql",
            params={"query": "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER isIRI(?s) }"},
            headers={**c.headers, "accept": "application/sparql-results+json"},
        ).json()["results"]["bindings"]
        subjects = {r["s"]["value"] for r in rows}
        assert c.view.scope.full <= subjects
        assert not subjects & c.hidden
