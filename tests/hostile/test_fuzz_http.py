"""Standing fuzz of the HTTP surface (issue 21): schemathesis generates requests from the
OpenAPI description and GraphQL documents from the GraphQL schema (every query and mutation
field), Hypothesis adds hostile GraphQL variables, and all are sent with an editor token to a
real memory-capped server on 127.0.0.1. No answer may be a 500, none may be larger than the
size bound, and the server must be alive at the end. Bounded: a few examples per operation,
no example database, so it runs in CI."""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Any

import graphql
import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is in the dev extra")
from hypothesis import (  # noqa: E402
    HealthCheck,
    given,  # noqa: E402
    settings,
)
from hypothesis import strategies as st  # noqa: E402

from svckg.api.app import create_app  # noqa: E402
from svckg.api.graphql.router import build_for  # noqa: E402
from svckg.config import Settings  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from conftest import Server  # noqa: E402

MAX_RESPONSE_BYTES = 64 * 1024 * 1024
"""No answer of the demo store may be larger (the result-row limit keeps them small)."""

_APP_SETTINGS = Settings(store=":memory:")
OPENAPI = schemathesis.openapi.from_dict(create_app(_APP_SETTINGS).openapi())

BOUNDED = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)

FEW = settings(BOUNDED, max_examples=3)
"""GraphQL documents per root field (175 fields)."""


def _check(response: object, server: Server) -> None:
    status = response.status_code  # type: ignore[attr-defined]
    body = response.content  # type: ignore[attr-defined]
    assert status < 500 or status == 503, f"{status}: {body[:500]!r}"
    assert len(body) <= MAX_RESPONSE_BYTES
    assert server.proc.poll() is None, "the server died"


# removing the demo imports would starve the other examples (removal: tests/api/test_rest.py)
@OPENAPI.exclude(method="DELETE", path_regex="^/api/imports").parametrize()
@BOUNDED
def test_openapi_operations_never_answer_500(case, capped_server: Server) -> None:  # noqa: ANN001
    response = case.call(base_url=capped_server.base, headers=capped_server.auth(), timeout=60)
    _check(response, capped_server)


MUTATION_CLASSES_PER_SCHEMA = 12
"""hypothesis-graphql 0.13 (the only line that accepts graphql-core 3.3, which strawberry needs)
sizes its documents with a fixpoint over the root type's fields; for a root with many
object-typed fields (all 126 mutations: 84) the iteration settles on a spurious root below 1,
its size estimate turns negative, the search drives x towards 1 until y underflows to 0.0, and
``math.log`` raises "math domain error". Roots of up to 21 element classes (63 mutations) solve;
12 leave a margin. So mutations are fuzzed in a few schemas that each keep a slice of them."""


def _graphql_parts() -> list[tuple[str, Any]]:
    """The GraphQL schema in parts that schemathesis can generate from: the query root, then
    the mutations in slices (see :data:`MUTATION_CLASSES_PER_SCHEMA`)."""
    full = build_for(_APP_SETTINGS).schema.graphql_core_schema
    types = [t for n, t in full.type_map.items() if n not in ("Query", "Mutation")]
    types = [t for t in types if not t.name.startswith("__")]
    by_class: dict[str, list[str]] = {}
    for name in full.mutation_type.fields:
        element = name.removeprefix("create").removeprefix("update").removeprefix("delete")
        by_class.setdefault(element, []).append(name)
    classes = list(by_class)
    one_query = graphql.GraphQLObjectType("Query", {"node": full.query_type.fields["node"]})
    parts = [("query", graphql.GraphQLSchema(query=full.query_type, types=types))]
    for i in range(0, len(classes), MUTATION_CLASSES_PER_SCHEMA):
        names = [n for c in classes[i : i + MUTATION_CLASSES_PER_SCHEMA] for n in by_class[c]]
        root = graphql.GraphQLObjectType(
            "Mutation", {n: full.mutation_type.fields[n] for n in names}
        )
        parts.append((f"mutations-{i}", graphql.GraphQLSchema(one_query, root, types=types)))
    return parts


GRAPHQL_PARTS = _graphql_parts()


def test_graphql_parts_cover_every_root_field() -> None:
    full = build_for(_APP_SETTINGS).schema.graphql_core_schema
    queries = list(GRAPHQL_PARTS[0][1].query_type.fields)
    mutations = [n for _, part in GRAPHQL_PARTS[1:] for n in part.mutation_type.fields]
    assert queries == list(full.query_type.fields)
    assert sorted(mutations) == sorted(full.mutation_type.fields)
    assert len(mutations) == len(set(mutations))


@functools.cache
def _schemathesis_graphql(part: int) -> Any:
    return schemathesis.graphql.from_file(graphql.print_schema(GRAPHQL_PARTS[part][1]))


@pytest.mark.parametrize("part", range(len(GRAPHQL_PARTS)), ids=[p[0] for p in GRAPHQL_PARTS])
def test_graphql_documents_never_answer_500(part: int, capped_server: Server) -> None:
    """schemathesis' GraphQL cases (documents with generated arguments and selections)."""
    root = "Query." if part == 0 else "Mutation."
    operations = [o.ok() for o in _schemathesis_graphql(part).get_all_operations()]
    operations = [o for o in operations if o.label.startswith(root)]
    assert operations
    url = f"{capped_server.base}/graphql"
    for operation in operations:

        @FEW
        @given(operation.as_strategy())
        def run(case) -> None:  # noqa: ANN001
            response = case.call(base_url=url, headers=capped_server.auth(), timeout=60)
            _check(response, capped_server)

        run()


GRAPHQL_QUERIES = [
    ("query($v: ID!) { node(id: $v) { id __typename } }", st.text(max_size=300)),
    ("query($v: String!) { lookup(iri: $v) { id } }", st.text(max_size=300)),
    ("query($v: [ID!]!) { nodes(ids: $v) { id } }", st.lists(st.text(max_size=80), max_size=5)),
    ("query($v: Int!) { services(first: $v) { totalCount } }", st.integers(-(2**31), 2**31 - 1)),
    ("query($v: String) { services(first: 3, after: $v) { totalCount } }", st.text(max_size=80)),
    (
        "query($v: [ID!]!) { impact(failed: $v) { failed { iri } } }",
        st.lists(st.text(max_size=80), max_size=3),
    ),
]
"""Root fields with argument strategies that schemathesis' documents rarely reach: values sent
as variables (not literals in the document), long and arbitrary text, out-of-range integers."""


@pytest.mark.parametrize(("query", "values"), GRAPHQL_QUERIES, ids=lambda q: str(q)[:30])
def test_graphql_arguments_never_answer_500(query, values, capped_server: Server) -> None:  # noqa: ANN001
    import httpx

    @BOUNDED
    @given(values)
    def run(value: object) -> None:
        response = httpx.post(
            f"{capped_server.base}/graphql",
            json={"query": query, "variables": {"v": value}},
            timeout=60,
        )
        _check(response, capped_server)

    run()


def test_server_alive_after_the_fuzz(capped_server: Server) -> None:
    assert capped_server.alive()
