"""Fixtures for the GraphQL tests.

- ``demo_store`` (module): in-memory store with the system graphs and the demo landscape,
  imported through the pipeline. Tests must not write to it.
- ``gql_client``: builds a TestClient on a new app (``store=``, settings as keywords) with a
  reader and an editor token.
- ``gql``: helpers ``gql.run(client, query, variables, token)`` (the JSON answer),
  ``gql.data(answer)`` (data, no errors allowed), ``gql.error(answer)`` (the one error);
  ``gql.reader`` / ``gql.editor`` are the tokens.
- ``counting_store``: the class of a store wrapper counting ``query`` calls (N+1 test).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from svckg.api.app import create_app
from svckg.config import Settings
from svckg.store.base import Store

READER, EDITOR = "gql-reader-3b7e", "gql-editor-c41d"
TOKENS = f"{READER}:reader,{EDITOR}:editor"


@pytest.fixture
def gql_client() -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def build(store: Store | None = None, **settings: object) -> TestClient:
        values: dict[str, object] = {"store": ":memory:", "tokens": TOKENS}
        values.update(settings)
        client = TestClient(create_app(Settings(**values), store=store))  # type: ignore[arg-type]
        client.__enter__()
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.__exit__(None, None, None)


class GQL:
    """Helpers to post GraphQL requests and read their answers."""

    reader = READER
    editor = EDITOR

    @staticmethod
    def run(
        client: TestClient,
        query: str,
        variables: dict[str, Any] | None = None,
        token: str | None = None,
    ) -> dict[str, Any]:
        """POST a GraphQL request; the JSON answer (``data`` and maybe ``errors``)."""
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    @staticmethod
    def data(answer: dict[str, Any]) -> dict[str, Any]:
        """``data`` of an answer that must have no errors."""
        assert not answer.get("errors"), answer.get("errors")
        return answer["data"]

    @staticmethod
    def error(answer: dict[str, Any]) -> dict[str, Any]:
        """The one error of an answer."""
        assert answer.get("errors"), answer
        assert len(answer["errors"]) == 1, answer["errors"]
        return answer["errors"][0]


@pytest.fixture
def gql() -> type[GQL]:
    return GQL


class CountingStore:
    """Delegates to a store and counts its ``query`` calls."""

    def __init__(self, inner: Store):
        self.inner = inner
        self.queries = 0

    def query(self, *args: Any, **kwargs: Any) -> Any:
        self.queries += 1
        return self.inner.query(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.fixture
def counting_store() -> type[CountingStore]:
    return CountingStore
