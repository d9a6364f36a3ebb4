"""A real GraphQL client (``gql``) against ``svckg serve`` (uvicorn) in a subprocess on
127.0.0.1: schema by introspection, impact, trace, a paginated list and a mutation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from gql import Client, gql
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXTransport
from graphql import GraphQLInterfaceType

EDITOR = "gql-real-editor-81f2"


@pytest.fixture(scope="module")
def server(svckg_server: Callable[..., Any]) -> Iterator[str]:
    """``svckg serve`` on an in-memory demo store; stopped by PID."""
    with svckg_server("gql-serve", {"SVCKG_TOKENS": f"{EDITOR}:editor"}) as base:
        yield f"{base}/graphql"


def _client(url: str, token: str | None = None) -> Client:
    headers = {"Authorization": f"Bearer {token}"} if token else None
    return Client(
        transport=HTTPXTransport(url=url, headers=headers, timeout=60),
        fetch_schema_from_transport=True,
    )


def test_gql_client_reads_and_writes(server: str) -> None:
    with _client(server) as session:
        schema = session.client.schema
        assert schema is not None
        service = schema.get_type("Service")
        assert isinstance(service, GraphQLInterfaceType)
        assert "usesResource" in service.fields

        hit = session.execute(
            gql(
                '{ impact(failed: ["id:hypervisor-cluster"]) { impacted { iri status '
                "customerVisible } agreements { iri } parties { role agent } } }"
            )
        )["impact"]
        assert hit["impacted"] and hit["agreements"] and hit["parties"]
        assert {e["status"] for e in hit["impacted"]} <= {"down", "degraded"}

        traced = session.execute(
            gql(
                '{ trace(from: "id:cloud-workplace") { root { iri } layers { label '
                "elements { iri } } } }"
            )
        )["trace"]
        assert traced["root"]["iri"].endswith("/cloud-workplace") and traced["layers"]

        page = gql("""query($after: String) { services(first: 5, after: $after) {
            totalCount pageInfo { hasNextPage endCursor } edges { node { id label } } } }""")
        seen: list[str] = []
        after = None
        while True:
            page.variable_values = {"after": after}
            got = session.execute(page)["services"]
            seen += [e["node"]["id"] for e in got["edges"]]
            if not got["pageInfo"]["hasNextPage"]:
                break
            after = got["pageInfo"]["endCursor"]
        assert len(seen) == len(set(seen)) == got["totalCount"] > 5

        create = gql("""mutation { createApplication(id: "id:gql-client-app",
            input: {label: "Client-made application", ownedBy: ["id:erik-dahl"]}, force: true)
            { id label __typename } }""")
        with pytest.raises(TransportQueryError, match="needs a bearer token"):
            session.execute(create)

    with _client(server, EDITOR) as session:
        made = session.execute(create)["createApplication"]
        assert made["label"] == "Client-made application"
        assert made["__typename"] == "Application"
        back = session.execute(gql('{ node(id: "id:gql-client-app") { label } }'))
        assert back["node"]["label"] == "Client-made application"
