"""Mutations: editor token, validated against the shapes before they commit, nothing written
when rejected."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from svckg.api.graphql.writes import SOURCE
from svckg.ingest import records
from svckg.store.embedded import EmbeddedStore
from svckg.validation.shacl import load_shapes

CREATE_BES = """mutation($input: BackendServiceInput!, $id: ID) {
  createBackendService(input: $input, id: $id, force: true) {
    id label lifecycleStatus { id } ownedBy { id } usesResource { id __typename } } }"""
CREATE_CFS = """mutation($input: CustomerFacingServiceInput!) {
  createCustomerFacingService(input: $input, force: true) { id includesService { id } } }"""
UPDATE_CFS = """mutation($id: ID!, $input: CustomerFacingServiceInput!) {
  updateCustomerFacingService(id: $id, input: $input, force: true) {
    id label includesService { id } lifecycleStatus { id } } }"""
DELETE_BES = "mutation($id: ID!) { deleteBackendService(id: $id, force: true) }"
CREATE_APP = """mutation { createApplication(id: "id:print-server-test",
  input: {label: "Print server", ownedBy: ["id:erik-dahl"]}, force: true) { id } }"""
APP = "https://w3id.org/svckg/id/print-server-test"
BES_INPUT = {
    "label": "Print service",
    "ownedBy": ["id:erik-dahl"],
    "lifecycleStatus": "svcc:live",
    "usesResource": [APP],
}


@pytest.fixture
def client(fresh_demo_store: EmbeddedStore, gql_client: Callable[..., TestClient]) -> TestClient:
    return gql_client(store=fresh_demo_store)


@pytest.fixture
def strict_client(
    fresh_demo_store: EmbeddedStore, gql_client: Callable[..., TestClient]
) -> TestClient:
    """A server on the strict validation profile (the catalogue rules are violations)."""
    return gql_client(store=fresh_demo_store, shapes_profile="strict")


def _shape_message(name: str) -> str:
    from rdflib import URIRef
    from rdflib.namespace import SH

    return str(load_shapes().value(URIRef(f"https://w3id.org/svckg/shapes#{name}"), SH.message))


def test_writing_needs_an_editor_token(
    client: TestClient, fresh_demo_store: EmbeddedStore, gql: Any
) -> None:
    before = fresh_demo_store.count()
    anonymous = gql.error(gql.run(client, CREATE_BES, {"input": BES_INPUT}))
    assert anonymous["extensions"]["code"] == "Unauthorized"
    reader = gql.error(gql.run(client, CREATE_BES, {"input": BES_INPUT}, token=gql.reader))
    assert reader["extensions"]["code"] == "Forbidden"
    assert fresh_demo_store.count() == before


def test_create_update_delete_round_trip(
    client: TestClient, fresh_demo_store: EmbeddedStore, gql: Any
) -> None:
    app = gql.data(gql.run(client, CREATE_APP, token=gql.editor))
    assert app == {"createApplication": {"id": APP}}
    made = gql.data(gql.run(client, CREATE_BES, {"input": BES_INPUT}, token=gql.editor))
    bes = made["createBackendService"]
    assert bes["label"] == "Print service"
    assert bes["id"].startswith("https://w3id.org/svckg/id/print-service-")
    assert bes["ownedBy"] == [{"id": "https://w3id.org/svckg/id/erik-dahl"}]
    assert bes["lifecycleStatus"] == {"id": "https://w3id.org/svckg/concepts/live"}
    assert bes["usesResource"] == [{"id": APP, "__typename": "Application"}]
    rec = records.find_by_source(fresh_demo_store, SOURCE)
    assert rec is not None and rec.agent == "graphql" and rec.validated

    # the inverse reads the new edge; the inferred dependsOn edge makes it part of impact
    used = gql.data(
        gql.run(
            client,
            '{ node(id: "id:print-server-test") { ... on Resource { isUsedBy { id } } } }',
        )
    )
    assert bes["id"] in [u["id"] for u in used["node"]["isUsedBy"]]
    hit = gql.data(
        gql.run(client, '{ impact(failed: ["id:print-server-test"]) { impacted { iri } } }')
    )
    assert bes["id"] in [e["iri"] for e in hit["impact"]["impacted"]]

    cfs_input = {"label": "Printing", "includesService": [bes["id"]], "ownedBy": ["id:erik-dahl"]}
    cfs = gql.data(gql.run(client, CREATE_CFS, {"input": cfs_input}, token=gql.editor))
    cfs_id = cfs["createCustomerFacingService"]["id"]
    changed = gql.data(
        gql.run(
            client,
            UPDATE_CFS,
            {
                "id": cfs_id,
                "input": {"label": "Printing and scanning", "lifecycleStatus": "svcc:live"},
            },
            token=gql.editor,
        )
    )["updateCustomerFacingService"]
    assert changed["label"] == "Printing and scanning"
    assert changed["includesService"] == [{"id": bes["id"]}]  # not given: untouched
    assert changed["lifecycleStatus"] == {"id": "https://w3id.org/svckg/concepts/live"}

    # a CFS of another import still needs nothing of ours: deleting the CFS first works
    gone = gql.data(
        gql.run(
            client,
            "mutation($id: ID!) { deleteCustomerFacingService(id: $id, force: true) }",
            {"id": cfs_id},
            token=gql.editor,
        )
    )
    assert gone == {"deleteCustomerFacingService": cfs_id}
    gql.data(gql.run(client, DELETE_BES, {"id": bes["id"]}, token=gql.editor))
    gql.data(
        gql.run(
            client, 'mutation { deleteApplication(id: "id:print-server-test") }', token=gql.editor
        )
    )
    after = gql.data(gql.run(client, "query($id: ID!) { node(id: $id) { id } }", {"id": bes["id"]}))
    assert after == {"node": None}
    assert records.find_by_source(fresh_demo_store, SOURCE) is None


def test_a_violation_is_a_structured_error_and_writes_nothing(
    strict_client: TestClient, fresh_demo_store: EmbeddedStore, gql: Any
) -> None:
    # strict profile (issue 15): an empty customer-facing service is a warning by default
    client = strict_client
    before = fresh_demo_store.count()
    answer = gql.run(client, CREATE_CFS, {"input": {"label": "Empty CFS"}}, token=gql.editor)
    error = gql.error(answer)
    assert answer["data"] is None
    extensions = error["extensions"]
    assert extensions["code"] == "ValidationFailed"
    assert extensions["report"]["violations"] >= 1
    assert _shape_message("CustomerFacingService-composition") in extensions["messages"]
    assert fresh_demo_store.count() == before

    wrong_class = {"label": "Odd CFS", "includesService": ["id:cloud-workplace"]}
    error = gql.error(gql.run(client, CREATE_CFS, {"input": wrong_class}, token=gql.editor))
    assert (
        _shape_message("CustomerFacingService-includesService") in error["extensions"]["messages"]
    )
    assert fresh_demo_store.count() == before


def test_update_with_a_violation_keeps_the_old_values(
    strict_client: TestClient, fresh_demo_store: EmbeddedStore, gql: Any
) -> None:
    client = strict_client  # strict profile: an empty customer-facing service is a violation
    gql.data(gql.run(client, CREATE_APP, token=gql.editor))
    bes = gql.data(gql.run(client, CREATE_BES, {"input": BES_INPUT}, token=gql.editor))
    bes_id = bes["createBackendService"]["id"]
    cfs_input = {"label": "Printing", "includesService": [bes_id]}
    cfs_id = gql.data(gql.run(client, CREATE_CFS, {"input": cfs_input}, token=gql.editor))[
        "createCustomerFacingService"
    ]["id"]
    before = fresh_demo_store.count()
    error = gql.error(
        gql.run(
            client, UPDATE_CFS, {"id": cfs_id, "input": {"includesService": []}}, token=gql.editor
        )
    )
    assert error["extensions"]["code"] == "ValidationFailed"
    assert fresh_demo_store.count() == before
    read = gql.data(
        gql.run(
            client,
            "query($id: ID!) { node(id: $id) { ... on CustomerFacingService {"
            " includesService { id } } } }",
            {"id": cfs_id},
        )
    )
    assert read["node"]["includesService"] == [{"id": bes_id}]


@pytest.mark.parametrize(
    ("query", "variables", "code", "words"),
    [
        (
            UPDATE_CFS,
            {"id": "id:cloud-workplace", "input": {"label": "X"}},
            "InputError",
            "defined by import",
        ),
        (DELETE_BES, {"id": "id:email-service"}, "InputError", "defined by import"),
        (DELETE_BES, {"id": "id:never-made-here"}, "NotFound", "no element"),
        (DELETE_BES, {"id": "id:print-server-test"}, "InputError", "not a BackendService"),
        (CREATE_BES, {"input": {**BES_INPUT, "ownedBy": ['"Erik"']}}, "QueryError", "literal"),
        (CREATE_BES, {"input": {**BES_INPUT, "label": " "}}, "InputError", "label is empty"),
        (
            CREATE_BES,
            {"input": BES_INPUT, "id": "id:cloud-workplace"},
            "InputError",
            "already exists",
        ),
    ],
)
def test_bad_writes_say_what_and_write_nothing(
    client: TestClient,
    fresh_demo_store: EmbeddedStore,
    gql: Any,
    query: str,
    variables: dict[str, Any],
    code: str,
    words: str,
) -> None:
    gql.data(gql.run(client, CREATE_APP, token=gql.editor))
    before = fresh_demo_store.count()
    error = gql.error(gql.run(client, query, variables, token=gql.editor))
    assert error["extensions"]["code"] == code, error
    assert words in error["message"]
    assert error["extensions"]["where"]
    assert fresh_demo_store.count() == before
