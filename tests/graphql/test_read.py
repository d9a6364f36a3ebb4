"""Reading elements: node/lookup, relations both ways, connections, filters, bad input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from svckg.store.embedded import EmbeddedStore
from svckg.vocab import ID, SVC

CFS = str(SVC.CustomerFacingService)


@pytest.fixture
def client(demo_store: EmbeddedStore, gql_client: Callable[..., TestClient]) -> TestClient:
    return gql_client(store=demo_store)


def _select(store: EmbeddedStore, sparql: str) -> list[str]:
    return sorted({row[0].value for row in store.query(sparql)})  # type: ignore[union-attr]


def test_node_by_iri_and_curie(client: TestClient, gql: Any) -> None:
    query = "query($id: ID!) { node(id: $id) { id label __typename } lookup(iri: $id) { id } }"
    by_iri = gql.data(gql.run(client, query, {"id": str(ID["cloud-workplace"])}))
    by_curie = gql.data(gql.run(client, query, {"id": "id:cloud-workplace"}))
    assert by_iri == by_curie
    assert by_iri["node"]["id"] == str(ID["cloud-workplace"])
    assert by_iri["node"]["__typename"] == "CustomerFacingService"
    assert by_iri["node"]["label"]
    missing = gql.data(gql.run(client, query, {"id": "id:no-such-element-xyz"}))
    assert missing == {"node": None, "lookup": None}


def test_relations_read_both_ways_and_agree_with_the_store(
    client: TestClient, demo_store: EmbeddedStore, gql: Any
) -> None:
    resource = _select(
        demo_store, f"SELECT ?r WHERE {{ ?s <{SVC.usesResource}> ?r }} ORDER BY ?r LIMIT 1"
    )[0]
    users = _select(demo_store, f"SELECT ?s WHERE {{ ?s <{SVC.usesResource}> <{resource}> }}")
    query = """query($id: ID!) { node(id: $id) { ... on Resource {
        isUsedBy { id ... on Service { usesResource { id } } } } } }"""
    node = gql.data(gql.run(client, query, {"id": resource}))["node"]
    assert sorted(u["id"] for u in node["isUsedBy"]) == users
    for user in node["isUsedBy"]:
        if "usesResource" in user:
            assert resource in [r["id"] for r in user["usesResource"]]


def test_connection_pages_cover_every_service_once(
    client: TestClient, demo_store: EmbeddedStore, gql: Any
) -> None:
    expected = _select(
        demo_store,
        f"SELECT ?s WHERE {{ VALUES ?t {{ <{SVC.Service}> <{CFS}> <{SVC.BackendService}> }} "
        "?s a ?t }",
    )
    query = """query($after: String) { services(first: 4, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } } } }"""
    seen: list[str] = []
    after = None
    for _ in range(100):
        page = gql.data(gql.run(client, query, {"after": after}))["services"]
        assert page["totalCount"] == len(expected)
        assert len(page["edges"]) <= 4
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == expected


def test_filters_by_label_status_layer_and_owner(
    client: TestClient, demo_store: EmbeddedStore, gql: Any
) -> None:
    query = """query($f: ElementFilter) { services(first: 500, filter: $f) {
        totalCount edges { node { id label } } } }"""

    def ids(filter_: dict[str, str]) -> list[str]:
        found = gql.data(gql.run(client, query, {"f": filter_}))["services"]
        assert found["totalCount"] == len(found["edges"])
        return sorted(e["node"]["id"] for e in found["edges"])

    services = f"VALUES ?t {{ <{SVC.Service}> <{CFS}> <{SVC.BackendService}> }} ?s a ?t ."
    owner = _select(demo_store, f"SELECT ?o WHERE {{ {services} ?s <{SVC.ownedBy}> ?o }}")[0]
    assert ids({"ownedBy": owner}) == _select(
        demo_store, f"SELECT ?s WHERE {{ {services} ?s <{SVC.ownedBy}> <{owner}> }}"
    )
    live = ids({"lifecycleStatus": "svcc:live"})
    assert live and live == _select(
        demo_store,
        f"SELECT ?s WHERE {{ {services} ?s <{SVC.lifecycleStatus}> "
        "<https://w3id.org/svckg/concepts/live> }",
    )
    hosting = ids({"labelContains": "HOSTING"})
    assert hosting and hosting == _select(
        demo_store,
        f"SELECT ?s WHERE {{ {services} ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l "
        'FILTER(CONTAINS(LCASE(STR(?l)), "hosting")) }',
    )
    layer = _select(demo_store, f"SELECT ?l WHERE {{ <{CFS}> <{SVC.layer}> ?l }}")[0]
    assert ids({"layer": layer}) == _select(demo_store, f"SELECT ?s WHERE {{ ?s a <{CFS}> }}")
    both = ids({"layer": layer, "labelContains": "hosting"})
    assert set(both) == set(hosting) & set(ids({"layer": layer}))


@pytest.mark.parametrize(
    ("query", "code", "words"),
    [
        ('{ node(id: "nope") { id } }', "QueryError", "neither an IRI nor a CURIE"),
        ('{ node(id: "zz:x") { id } }', "QueryError", "unknown prefix"),
        ("{ services(first: 1001) { totalCount } }", "QueryError", "out of range"),
        ('{ services(after: "%%%") { totalCount } }', "QueryError", "cursor"),
        (
            '{ services(filter: {lifecycleStatus: "\\"live\\""}) { totalCount } }',
            "QueryError",
            "literal",
        ),
    ],
)
def test_bad_input_says_what_and_where(
    client: TestClient, gql: Any, query: str, code: str, words: str
) -> None:
    error = gql.error(gql.run(client, query))
    assert error["extensions"]["code"] == code
    assert words in error["message"]
    assert error["extensions"]["hint"]
