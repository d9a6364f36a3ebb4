"""The caches of the fast path: parsed+validated documents (limits and the introspection
switch still hold on a cached document), plans shared across requests (directives with
variables still honoured) and whole-document answers (same JSON as the engine)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from svckg.analysis.impact import impact
from svckg.api.graphql.documents import CachedDocumentsFactory
from svckg.api.graphql.execution import _conforms
from svckg.api.graphql.router import build_for
from svckg.api.jsonbody import encode_json
from svckg.config import Settings
from svckg.store.embedded import EmbeddedStore

DEEP = (
    '{ node(id: "id:cloud-workplace") { ... on CustomerFacingService { includesService {'
    " usesResource { isUsedBy { ... on Service { usesResource { label } } } } } } } }"
)
INTROSPECT = "{ __schema { queryType { name } } }"
FAILED = ["id:identity-directory", "id:mail-server"]
WHOLE = """query($failed: [ID!]!) { impact(failed: $failed, maxPaths: 3) {
  failed { iri label types layer }
  impacted { iri label types layer distance status customerVisible visibleIn owners
             paths { s p o } }
  agreements { iri label types status covers targets { iri label metric value unit } }
  parties { role roleLabel agent agentLabel context contextLabel assignment relationship }
  owners { iri label elements }
  goalsAndPlans { iri label types distance path { s p o } }
} }"""


def _factory(**settings: object) -> CachedDocumentsFactory:
    """The document cache of the schema an app with ``settings`` uses."""
    built = build_for(Settings(store=":memory:", **settings))  # type: ignore[arg-type]
    factories = [e for e in built.schema.extensions if isinstance(e, CachedDocumentsFactory)]
    assert len(factories) == 1
    return factories[0]


def test_a_repeated_query_is_parsed_and_validated_once(
    demo_store: EmbeddedStore, gql_client: Callable[..., TestClient], gql: Any
) -> None:
    client = gql_client(store=demo_store)
    cache = _factory().cache
    query = "{ h11Repeat: namedQueries { name } }"
    before = cache.cache_info()
    answers = [gql.data(gql.run(client, query)) for _ in range(3)]
    after = cache.cache_info()
    assert answers[0]["h11Repeat"] and answers[0] == answers[1] == answers[2]
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 2)


def test_the_depth_limit_holds_on_a_cached_document(
    demo_store: EmbeddedStore, gql_client: Callable[..., TestClient], gql: Any
) -> None:
    shallow = gql_client(store=demo_store, graphql_max_depth=3)
    cache = _factory(graphql_max_depth=3).cache
    before = cache.cache_info()
    for _ in range(3):
        error = gql.error(gql.run(shallow, DEEP))
        assert "exceeds maximum operation depth" in error["message"]
    assert cache.cache_info().hits - before.hits == 2  # the verdict came from the cache
    deep = gql_client(store=demo_store, graphql_max_depth=8)  # other limits, other cache
    for _ in range(2):
        assert gql.data(gql.run(deep, DEEP))["node"]["includesService"]
    assert "exceeds maximum operation depth" in gql.error(gql.run(shallow, DEEP))["message"]


def test_the_token_limit_holds_on_every_request(
    demo_store: EmbeddedStore, gql_client: Callable[..., TestClient], gql: Any
) -> None:
    client = gql_client(store=demo_store, graphql_max_tokens=20)
    for _ in range(3):
        assert "token" in gql.error(gql.run(client, DEEP))["message"].lower()
        assert gql.data(gql.run(client, "{ namedQueries { name } }"))["namedQueries"]
    wide = gql_client(store=demo_store, graphql_max_tokens=1000)
    assert gql.data(gql.run(wide, DEEP))["node"]["includesService"]
    assert "token" in gql.error(gql.run(client, DEEP))["message"].lower()


def test_syntax_errors_say_where_every_time(
    demo_store: EmbeddedStore, gql_client: Callable[..., TestClient], gql: Any
) -> None:
    client = gql_client(store=demo_store)
    for _ in range(2):
        error = gql.error(gql.run(client, "{ namedQueries { name }"))
        assert "Syntax Error" in error["message"]
        assert error["locations"] == [{"line": 1, "column": 24}]


def test_the_introspection_switch_holds_on_a_cached_document(
    demo_store: EmbeddedStore, gql_client: Callable[..., TestClient], gql: Any
) -> None:
    closed = gql_client(store=demo_store, graphql_introspection=False)
    open_ = gql_client(store=demo_store)
    for client, allowed in ((closed, False), (open_, True), (closed, False), (open_, True)):
        for _ in range(2):
            answer = gql.run(client, INTROSPECT)
            if allowed:
                assert gql.data(answer)["__schema"]["queryType"]["name"] == "Query"
            else:
                assert answer["data"] is None
                assert "introspection has been disabled" in answer["errors"][0]["message"]


def test_a_whole_impact_document_is_the_engine_json_every_time(
    demo_store: EmbeddedStore, gql_client: Callable[..., TestClient], gql: Any
) -> None:
    client = gql_client(store=demo_store)
    expected = impact(demo_store, FAILED, max_paths=3).to_json()
    assert any(len(e["paths"]) > 1 for e in expected["impacted"])
    for _ in range(2):  # the second request reuses the shared plans
        got = gql.data(gql.run(client, WHOLE, {"failed": FAILED}))["impact"]
        assert got == expected
        assert [list(e) for e in got["impacted"]] == [list(e) for e in expected["impacted"]]


def test_partial_aliased_selections_are_projected(
    demo_store: EmbeddedStore, gql_client: Callable[..., TestClient], gql: Any
) -> None:
    client = gql_client(store=demo_store)
    query = """query($failed: [ID!]!) { impact(failed: $failed, maxPaths: 3) {
      impacted { status iri route: paths { o s } __typename } } }"""
    engine = impact(demo_store, FAILED, max_paths=3).to_json()["impacted"]
    expected = [
        {
            "status": e["status"],
            "iri": e["iri"],
            "route": [[{"o": step["o"], "s": step["s"]} for step in path] for path in e["paths"]],
            "__typename": "ImpactedElement",
        }
        for e in engine
    ]
    for _ in range(2):
        got = gql.data(gql.run(client, query, {"failed": FAILED}))["impact"]["impacted"]
        assert got == expected
        assert [list(e) for e in got] == [["status", "iri", "route", "__typename"]] * len(got)


def test_directives_with_variables_are_honoured_on_every_request(
    demo_store: EmbeddedStore, gql_client: Callable[..., TestClient], gql: Any
) -> None:
    client = gql_client(store=demo_store)
    query = """query($failed: [ID!]!, $all: Boolean!) { impact(failed: $failed) {
      failed { iri label types layer @include(if: $all) } } }"""
    for include in (True, False, True, False):
        answer = gql.data(gql.run(client, query, {"failed": FAILED, "all": include}))
        for element in answer["impact"]["failed"]:
            assert list(element) == (
                ["iri", "label", "types", "layer"] if include else ["iri", "label", "types"]
            )


def test_whole_checks_refuse_anything_but_the_exact_shape() -> None:
    edge = _conforms(("s", "p", "o"), [])
    row = _conforms(("iri", "paths"), [("paths", edge, 2)])
    good = {"iri": "a", "paths": [[{"s": "a", "p": "q", "o": "b"}], []]}
    assert row.one(good) and row.many([good, None]) and row.many([])
    assert row.one({"iri": "a", "paths": None})
    bad = [
        {"paths": good["paths"], "iri": "a"},  # keys in another order
        {"iri": "a"},  # a key missing
        {"iri": "a", "paths": [], "extra": 1},  # a key too many
        {"iri": "a", "paths": [[{"s": "a", "p": "q"}]]},  # an edge missing a key
        {"iri": "a", "paths": [{"s": "a", "p": "q", "o": "b"}]},  # one list level short
        {"iri": "a", "paths": [[("s", "p", "o")]]},  # not a dict
        ["iri", "paths"],
    ]
    for value in bad:
        assert not row.one(value), value
        assert not row.many([good, value]), value


def test_responses_are_compact_utf8_json() -> None:
    assert encode_json({"data": {"label": "Ærø", "n": [1, None]}}) == (
        '{"data":{"label":"Ærø","n":[1,null]}}'.encode()
    )
    assert encode_json({1: 2**70}) == b'{"1":1180591620717411303424}'  # the fallback encoder
