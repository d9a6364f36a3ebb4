"""impact, trace and namedQuery answer exactly what the analysis engine and the CLI JSON say."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from svckg.analysis.impact import impact
from svckg.analysis.queries import catalogue, run_named
from svckg.analysis.trace import trace
from svckg.store.embedded import EmbeddedStore

PATH = "{ s p o }"
IMPACT = f"""query($failed: [ID!]!, $paths: Int!) {{ impact(failed: $failed, maxPaths: $paths) {{
  failed {{ iri label types layer }}
  impacted {{ iri label types layer distance status customerVisible visibleIn owners
             paths {PATH} }}
  agreements {{ iri label types status covers targets {{ iri label metric value unit }} }}
  parties {{ role roleLabel agent agentLabel context contextLabel assignment relationship }}
  owners {{ iri label elements }}
  goalsAndPlans {{ iri label types distance path {PATH} }}
}} }}"""
TRACE = f"""query($from: ID!) {{ trace(from: $from) {{
  root {{ iri label types layer owners {{ iri label }} }}
  layers {{ layer label order elements {{ iri label types layer distance
            owners {{ iri label }} path {PATH} }} }}
  owners {{ iri label elements }}
}} }}"""


@pytest.fixture
def client(demo_store: EmbeddedStore, gql_client: Callable[..., TestClient]) -> TestClient:
    return gql_client(store=demo_store)


@pytest.mark.parametrize(
    ("failed", "paths"),
    [(["id:hypervisor-cluster"], 1), (["id:identity-directory", "id:mail-server"], 3)],
)
def test_impact_is_the_cli_json(
    client: TestClient, demo_store: EmbeddedStore, gql: Any, failed: list[str], paths: int
) -> None:
    expected = impact(demo_store, failed, max_paths=paths).to_json()
    assert expected["impacted"] and expected["agreements"] and expected["parties"]
    got = gql.data(gql.run(client, IMPACT, {"failed": failed, "paths": paths}))["impact"]
    assert got == expected


def test_trace_is_the_cli_json(client: TestClient, demo_store: EmbeddedStore, gql: Any) -> None:
    expected = trace(demo_store, "id:cloud-workplace").to_json()
    assert expected["layers"]
    got = gql.data(gql.run(client, TRACE, {"from": "id:cloud-workplace"}))["trace"]
    assert got == expected


def test_named_queries_list_and_run(
    client: TestClient, demo_store: EmbeddedStore, gql: Any
) -> None:
    listed = gql.data(gql.run(client, "{ namedQueries { name parameters { name kind } } }"))
    assert [q["name"] for q in listed["namedQueries"]] == [q.name for q in catalogue()]
    query = """query($name: String!, $params: JSON) { namedQuery(name: $name, params: $params) {
        variables rows } }"""
    params = {"failed": "id:hypervisor-cluster"}
    got = gql.data(gql.run(client, query, {"name": "impact-affected-elements", "params": params}))[
        "namedQuery"
    ]
    variables, rows = run_named(demo_store, "impact-affected-elements", params)
    assert got["variables"] == variables
    assert rows and got["rows"] == [
        {v: (None if t is None else t.value) for v, t in zip(variables, row, strict=True)}
        for row in rows
    ]


@pytest.mark.parametrize(
    ("query", "variables", "code", "words"),
    [
        (IMPACT, {"failed": ["id:no-such-element"], "paths": 1}, "NotFound", "no such element"),
        (IMPACT, {"failed": [], "paths": 1}, "QueryError", "no failed element"),
        (IMPACT, {"failed": ["id:mail-server"], "paths": 0}, "QueryError", "max_paths"),
        (TRACE, {"from": '"a literal"'}, "QueryError", "literal"),
        (
            '{ namedQuery(name: "no-such-query") { rows } }',
            {},
            "NotFound",
            "no named query",
        ),
        (
            '{ namedQuery(name: "impact-affected-elements") { rows } }',
            {},
            "QueryError",
            "missing parameter",
        ),
        (
            '{ namedQuery(name: "impact-affected-elements", params: {failed: 3}) { rows } }',
            {},
            "QueryError",
            "params must be",
        ),
    ],
)
def test_analysis_errors(
    client: TestClient, gql: Any, query: str, variables: dict[str, Any], code: str, words: str
) -> None:
    error = gql.error(gql.run(client, query, variables))
    assert error["extensions"]["code"] == code
    assert words in error["message"]


METHOD_QUERIES = [
    "offering-value-propositions",
    "package-stakeholders",
    "partner-delivered",
    "journey-pains-opportunities",
    "opportunity-scores",
    "relationship-agreement-kinds",
    "portfolio-structure",
    "agreement-outcomes-targets",
]


@pytest.mark.parametrize("name", METHOD_QUERIES)
def test_method_questions_answer_through_graphql(
    client: TestClient, demo_store: EmbeddedStore, gql: Any, name: str
) -> None:
    """Issue 20: CQ15-22 come from the same catalogue: GraphQL runs them as the engine does."""
    query = "query($name: String!) { namedQuery(name: $name) { variables rows } }"
    got = gql.data(gql.run(client, query, {"name": name}))["namedQuery"]
    variables, rows = run_named(demo_store, name, {})
    assert rows and got["variables"] == variables
    assert got["rows"] == [
        {v: (None if t is None else t.value) for v, t in zip(variables, row, strict=True)}
        for row in rows
    ]
