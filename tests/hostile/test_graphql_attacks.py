"""GraphQL breadth (issue 21): the cost of a query is counted after fragment expansion and
refused before execution; what execution completes is bounded in objects and time."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from svckg.api.app import create_app
from svckg.api.graphql.cost import Budget
from svckg.config import Settings
from svckg.errors import LimitExceeded
from svckg.store.embedded import EmbeddedStore

sys.path.insert(0, str(Path(__file__).parent))
from attacks import graphql_breadth  # noqa: E402
from conftest import Server  # noqa: E402


def test_breadth_attack_is_refused_before_execution(capped_server: Server) -> None:
    query = graphql_breadth(9)
    assert len(query.encode()) < 1000
    started = time.monotonic()
    r = httpx.post(f"{capped_server.base}/graphql", json={"query": query}, timeout=60)
    assert time.monotonic() - started < 5
    answer = r.json()
    assert answer.get("data") is None
    error = answer["errors"][0]
    assert "over the limit of 20,000" in error["message"]
    assert error["extensions"]["code"] == "LimitExceeded"
    assert capped_server.alive()


def test_depth_twelve_variant_is_refused_too(capped_server: Server) -> None:
    query = graphql_breadth(9, first=1000)  # depth 12 with the connection levels
    r = httpx.post(f"{capped_server.base}/graphql", json={"query": query}, timeout=60)
    assert r.json()["errors"][0]["extensions"]["code"] == "LimitExceeded"
    assert capped_server.alive()


def test_a_modest_query_still_runs(capped_server: Server) -> None:
    r = httpx.post(
        f"{capped_server.base}/graphql", json={"query": graphql_breadth(2, first=20)}, timeout=60
    )
    assert r.status_code == 200
    assert "errors" not in r.json(), r.text[:500]
    assert r.json()["data"]["resources"]["edges"]


@pytest.fixture
def client_with(demo_store: EmbeddedStore) -> Callable[..., TestClient]:
    def build(**settings: object) -> TestClient:
        return TestClient(create_app(Settings(store=":memory:", **settings), store=demo_store))

    return build


def test_execution_budget_bounds_the_answer(client_with: Callable[..., TestClient]) -> None:
    query = "{ resources(first: 100) { edges { node { iri usesResource { iri label } } } } }"
    small = client_with(graphql_max_nodes=10).post("/graphql", json={"query": query}).json()
    assert small["data"] is None
    assert small["errors"] == [
        {
            "message": "the answer would hold more than 10 objects",
            "extensions": {
                "code": "LimitExceeded",
                "hint": "ask for less (smaller pages, fewer levels) or raise "
                "SVCKG_GRAPHQL_MAX_NODES",
            },
        }
    ]
    full = client_with().post("/graphql", json={"query": query}).json()
    assert "errors" not in full
    assert len(full["data"]["resources"]["edges"]) > 10


def test_budget_deadline_is_checked_as_objects_complete() -> None:
    budget = Budget(10**9, 0.05)
    budget.spend()
    time.sleep(0.06)
    with pytest.raises(LimitExceeded, match="time limit"):
        budget.spend()
    with pytest.raises(LimitExceeded):  # and at once from then on
        budget.spend()
