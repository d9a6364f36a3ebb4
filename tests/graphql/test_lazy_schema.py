"""The GraphQL schema builds in the background: the app answers before it is built, and the
first ``/graphql`` requests wait for it (never an error, never 503)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from svckg.api.graphql import router
from svckg.config import Settings


@pytest.fixture
def held_build(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """The schema build waits until the returned event is set."""
    gate = threading.Event()
    real = router.build_for
    started = threading.Event()

    def slow(settings: Settings) -> router.Built:
        started.set()
        assert gate.wait(30), "the test never released the build"
        return real(settings)

    monkeypatch.setattr(router, "build_for", slow)
    gate.started = started  # type: ignore[attr-defined]
    return gate


def test_first_requests_wait_for_the_schema(held_build, gql_client, gql) -> None:  # noqa: ANN001
    client = gql_client()
    assert held_build.started.wait(10)  # type: ignore[attr-defined]
    # the schema is not built: everything else answers
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    with ThreadPoolExecutor(3) as pool:
        post = pool.submit(gql.run, client, "{ __typename }", None, gql.reader)
        page = pool.submit(client.get, "/graphql", headers={"accept": "text/html"})
        by_get = pool.submit(
            client.get,
            "/graphql",
            params={"query": "{ __typename }"},
            headers={"authorization": f"Bearer {gql.reader}"},
        )
        threading.Event().wait(0.3)
        assert not (post.done() or page.done() or by_get.done()), "answered without a schema"
        held_build.set()
        assert post.result(30) == {"data": {"__typename": "Query"}}
        html = page.result(30)
        assert html.status_code == 200 and "graphiql" in html.text.lower()
        got = by_get.result(30)
        assert got.status_code == 200 and got.json() == {"data": {"__typename": "Query"}}


def test_roles_are_checked_before_waiting(held_build, gql_client, gql) -> None:  # noqa: ANN001
    """A request refused by the reading rule is refused at once, without the schema."""
    client = gql_client(read_requires_token=True)
    response = client.post("/graphql", json={"query": "{ __typename }"})
    assert response.status_code == 401
    held_build.set()
    assert gql.run(client, "{ __typename }", None, gql.reader) == {"data": {"__typename": "Query"}}
