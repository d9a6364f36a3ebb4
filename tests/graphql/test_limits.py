"""Limits (depth, tokens, time), introspection switch, masked errors, GraphiQL page."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from svckg.api.graphql import schema as schema_module
from svckg.config import WEB_BUILD_DIR
from svckg.store.embedded import EmbeddedStore

DEEP = (
    '{ node(id: "id:cloud-workplace") { ... on CustomerFacingService { includesService {'
    " usesResource { isUsedBy { ... on Service { usesResource { label } } } } } } } }"
)
INTROSPECT = "{ __schema { types { name } } }"


def test_depth_limit(
    demo_store: EmbeddedStore, gql_client: Callable[..., TestClient], gql: Any
) -> None:
    shallow = gql_client(store=demo_store, graphql_max_depth=3)
    error = gql.error(gql.run(shallow, DEEP))
    assert "exceeds maximum operation depth" in error["message"]
    deep = gql_client(store=demo_store, graphql_max_depth=8)
    assert gql.data(gql.run(deep, DEEP))["node"]["includesService"]


def test_token_limit(
    demo_store: EmbeddedStore, gql_client: Callable[..., TestClient], gql: Any
) -> None:
    client = gql_client(store=demo_store, graphql_max_tokens=20)
    error = gql.error(gql.run(client, DEEP))
    assert "token" in error["message"].lower()
    assert gql.data(gql.run(client, "{ namedQueries { name } }"))["namedQueries"]


def test_time_limit_answers_with_an_error(
    demo_store: EmbeddedStore, gql_client: Callable[..., TestClient], gql: Any
) -> None:
    client = gql_client(store=demo_store, query_timeout_s=0.000001)
    error = gql.error(
        gql.run(client, '{ impact(failed: ["id:hypervisor-cluster"]) { failed { iri } } }')
    )
    assert error["extensions"]["code"] == "LimitExceeded"
    assert "time limit" in error["message"]


def test_introspection_can_be_switched_off(
    demo_store: EmbeddedStore, gql_client: Callable[..., TestClient], gql: Any
) -> None:
    open_ = gql_client(store=demo_store)
    assert gql.data(gql.run(open_, INTROSPECT))["__schema"]["types"]
    closed = gql_client(store=demo_store, graphql_introspection=False)
    answer = gql.run(closed, INTROSPECT)
    assert answer["data"] is None
    assert "introspection has been disabled" in answer["errors"][0]["message"]


def test_production_masks_internal_errors_but_not_svckg_errors(
    demo_store: EmbeddedStore, gql_client: Callable[..., TestClient], gql: Any, monkeypatch: Any
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("secret internal detail /etc/passwd")

    monkeypatch.setattr(schema_module, "list_page", broken)
    query = "{ services { totalCount } }"
    for production, masked in ((False, False), (True, True)):
        client = gql_client(store=demo_store, production=production)
        message = gql.error(gql.run(client, query))["message"]
        assert ("secret" in message) is not masked
        svckg_error = gql.error(gql.run(client, '{ node(id: "zz:x") { id } }'))
        assert "unknown prefix" in svckg_error["message"]


def test_browsers_get_graphiql_from_the_local_build(
    demo_store: EmbeddedStore, gql_client: Callable[..., TestClient]
) -> None:
    client = gql_client(store=demo_store)
    page = client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert page.text == (WEB_BUILD_DIR / "graphiql" / "index.html").read_text(encoding="utf-8")
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and not [s for s in sources if s.startswith(("http:", "https:", "//"))]
    api = client.get("/graphql", params={"query": "{ namedQueries { name } }"})
    assert api.headers["content-type"].startswith("application/json")
    assert api.json()["data"]["namedQueries"]


def test_reading_can_require_a_token(
    demo_store: EmbeddedStore, gql_client: Callable[..., TestClient], gql: Any
) -> None:
    client = gql_client(store=demo_store, read_requires_token=True)
    denied = client.post("/graphql", json={"query": "{ namedQueries { name } }"})
    assert denied.status_code == 401
    assert gql.data(gql.run(client, "{ namedQueries { name } }", token=gql.reader))
