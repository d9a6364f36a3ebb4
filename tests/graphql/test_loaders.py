"""No N+1: the number of store queries of a nested query does not grow with the elements."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from svckg.api.graphql import schema as schema_module
from svckg.store.embedded import EmbeddedStore
from svckg.vocab import ID, SVC

NESTED = """query($n: Int!) { customerFacingServices(first: $n) { edges { node {
    id label lifecycleStatus { label } ownedBy { label }
    includesService { id label usesResource { id label __typename isUsedBy { id label } } }
} } } }"""


def _landscape(services: int) -> EmbeddedStore:
    """``services`` CFS, each with 2 backend services, each using 2 applications of its own."""
    store = EmbeddedStore(None)
    a = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    live = ox.NamedNode("https://w3id.org/svckg/concepts/live")
    owner = ox.NamedNode(ID["team-1"])
    triples = [
        ox.Triple(owner, a, ox.NamedNode(SVC.Team)),
        ox.Triple(owner, label, ox.Literal("T")),
    ]
    for i in range(services):
        cfs = ox.NamedNode(ID[f"cfs-{i}"])
        triples += [
            ox.Triple(cfs, a, ox.NamedNode(SVC.CustomerFacingService)),
            ox.Triple(cfs, label, ox.Literal(f"CFS {i}")),
            ox.Triple(cfs, ox.NamedNode(SVC.lifecycleStatus), live),
            ox.Triple(cfs, ox.NamedNode(SVC.ownedBy), owner),
        ]
        for j in range(2):
            bes = ox.NamedNode(ID[f"bes-{i}-{j}"])
            triples += [
                ox.Triple(cfs, ox.NamedNode(SVC.includesService), bes),
                ox.Triple(bes, a, ox.NamedNode(SVC.BackendService)),
                ox.Triple(bes, label, ox.Literal(f"BES {i}.{j}")),
            ]
            for k in range(2):
                app = ox.NamedNode(ID[f"app-{i}-{j}-{k}"])
                triples += [
                    ox.Triple(bes, ox.NamedNode(SVC.usesResource), app),
                    ox.Triple(app, a, ox.NamedNode(SVC.Application)),
                    ox.Triple(app, label, ox.Literal(f"App {i}.{j}.{k}")),
                ]
    store.load(triples, "urn:test:landscape")
    return store


def _count(
    services: int, counting: Callable[[Any], Any], gql_client: Callable[..., TestClient], gql: Any
) -> int:
    store = counting(_landscape(services))
    client = gql_client(store=store)
    while client.get("/readyz").json().get("mode") != "index":  # the index build reads too
        time.sleep(0.02)
    store.queries = 0
    data = gql.data(gql.run(client, NESTED, {"n": services}))
    edges = data["customerFacingServices"]["edges"]
    assert len(edges) == services
    for edge in edges:
        node = edge["node"]
        assert node["lifecycleStatus"]["label"] is None  # the test store holds no concepts
        assert [o["label"] for o in node["ownedBy"]] == ["T"]
        assert len(node["includesService"]) == 2
        for bes in node["includesService"]:
            assert len(bes["usesResource"]) == 2
            for app in bes["usesResource"]:
                assert app["__typename"] == "Application"
                assert [u["id"] for u in app["isUsedBy"]] == [bes["id"]]
    queries = store.queries
    store.inner.close()
    return queries


@pytest.mark.parametrize("look_ahead", [True, False], ids=["look-ahead", "dataloaders-only"])
def test_store_queries_do_not_grow_with_the_number_of_services(
    gql_client: Callable[..., TestClient],
    gql: Any,
    counting_store: Callable[[Any], Any],
    monkeypatch: pytest.MonkeyPatch,
    look_ahead: bool,
) -> None:
    if not look_ahead:
        monkeypatch.setattr(schema_module, "look_ahead", _no_look_ahead)
    small = _count(10, counting_store, gql_client, gql)
    large = _count(100, counting_store, gql_client, gql)
    assert large == small, f"{small} store queries for 10 services, {large} for 100"
    assert small <= 16, f"{small} store queries for a 4-level query"


async def _no_look_ahead(*_args: Any) -> None:
    return None


MIXED = """query($ids: [ID!]!) { nodes(ids: $ids) { __typename id
  ... on Service { name: label lifecycleStatus { id label }
     ...Uses includesProduct { label usesResource { __typename label } } }
  ... on Resource { isUsedBy { id ... on CustomerFacingService { includesService { id } } } }
  ... on Agreement { covers { id label } target { metric targetValue } } } }
fragment Uses on Service { usesResource { id types owners: ownedBy { label } } }"""


def test_look_ahead_answers_what_the_resolvers_answer(
    demo_store: EmbeddedStore,
    gql_client: Callable[..., TestClient],
    gql: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ids = [
        row[0].value
        for row in demo_store.query(  # type: ignore[union-attr]
            "SELECT DISTINCT ?s WHERE { ?s a ?t FILTER(STRSTARTS(STR(?s), "
            '"https://w3id.org/svckg/id/")) } ORDER BY ?s'
        )
    ]
    client = gql_client(store=demo_store)
    fast = gql.data(gql.run(client, MIXED, {"ids": ids}))
    monkeypatch.setattr(schema_module, "look_ahead", _no_look_ahead)
    slow = gql.data(gql.run(client, MIXED, {"ids": ids}))
    assert fast == slow
    assert len(fast["nodes"]) == len(ids) > 50
