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


SECOND_WAVE_CLASSES = ["ValueProposition", "Measurement", "Feedback", "Price"]
SECOND_WAVE_FIELDS = {
    "ServiceInteraction": ["atTouchpoint", "enabledBy", "interactionKind"],
    "Touchpoint": ["hostsInteraction"],
    "Service": ["requiresCapability", "deliveredBy"],
    "Capability": ["deliveredBy", "isCapabilityFor"],
    "ServiceOffering": ["hasValueProposition", "targets", "hasPrice"],
    "ValueProposition": ["targets", "customerJob", "relievesPain", "createsGain"],
    "Agreement": ["commitsTo"],
    "ServiceLevelTarget": ["comparison", "measuresRequirement", "measuredBy"],
    "Measurement": ["measures", "observedValue", "observedAt"],
    "Feedback": ["about", "givenBy", "satisfactionScore", "feedbackText", "observedAt"],
    "Price": ["amount", "currency", "chargingUnit"],
    "Opportunity": ["investmentScore", "changeLevelScore"],
}


def test_gql_schema_picks_up_the_second_wave_terms_from_the_ontology(server: str) -> None:
    """Issue 20: the new classes and properties reach GraphQL from ontology/svckg.ttl alone:
    no file of the GraphQL package names them, yet introspection shows them and they answer."""
    from pathlib import Path

    import svckg.api.graphql as package

    sources = " ".join(p.read_text() for p in Path(package.__file__).parent.glob("*.py"))
    for name in [*SECOND_WAVE_CLASSES, "atTouchpoint", "requiresCapability", "commitsTo"]:
        assert name not in sources, f"{name} is hand-written in the GraphQL package"

    with _client(server) as session:
        schema = session.client.schema
        assert schema is not None
        for name in SECOND_WAVE_CLASSES:
            assert schema.get_type(name) is not None, name
        for type_name, fields in SECOND_WAVE_FIELDS.items():
            found = schema.get_type(type_name)
            assert found is not None, type_name
            assert set(fields) <= set(found.fields), (type_name, set(fields) - set(found.fields))
        interaction = schema.get_type("ServiceInteraction")
        assert "Touchpoint" not in {i.name for i in interaction.interfaces}  # its own class
        assert "AssignedCharacteristic" in {i.name for i in schema.get_type("Price").interfaces}

        got = session.execute(
            gql(
                """{
                  measurements(first: 20) { totalCount edges { node {
                    id observedValue observedAt measures { id } } } }
                  feedbacks(first: 5) { edges { node { id satisfactionScore
                    about { id } givenBy { id } } } }
                  interaction: node(id: "id:si-aurora-laptop-handover") {
                    ... on ServiceInteraction { atTouchpoint { id } } }
                  package: node(id: "id:workplace-personal") {
                    ... on ServicePackage { hasPrice { amount currency }
                      hasValueProposition { targets { id } } } }
                }"""
            )
        )
    base = "https://w3id.org/svckg/id/"
    measured = {
        e["node"]["id"].removeprefix(base): (
            e["node"]["measures"]["id"].removeprefix(base),
            e["node"]["observedValue"],
        )
        for e in got["measurements"]["edges"]
    }
    assert got["measurements"]["totalCount"] == 5
    assert measured["m-aurora-availability-2026-11"] == (
        "sla-aurora-workplace-availability",
        "99.2",
    )
    [feedback] = [e["node"] for e in got["feedbacks"]["edges"]]
    assert feedback == {
        "id": base + "fb-nilsen-laptop-handover",
        "satisfactionScore": 2,  # svc:satisfactionScore is functional: one Int
        "about": [{"id": base + "tp-aurora-laptop-handover"}],
        "givenBy": [{"id": base + "sara-nilsen"}],
    }
    assert got["interaction"]["atTouchpoint"] == [{"id": base + "tp-aurora-laptop-handover"}]
    assert got["package"]["hasPrice"] == [{"amount": 19.0, "currency": "EUR"}]
    targets = {t["id"] for vp in got["package"]["hasValueProposition"] for t in vp["targets"]}
    assert targets == {base + "segment-individual-professionals", base + "persona-freelance-nurse"}
