"""The demo landscape imported through the pipeline onto a real engine behind the remote store
(``oxigraph serve`` and Virtuoso, on 127.0.0.1) gives exactly the embedded store's answers:
the import itself, every named query (rows compared as multisets), impact and trace."""

from __future__ import annotations

from collections import Counter

import pyoxigraph as ox
import pytest

from svckg.analysis.impact import impact
from svckg.analysis.queries import catalogue, run_named
from svckg.analysis.trace import trace
from svckg.demo import load_demo
from svckg.errors import LimitExceeded, StoreError
from svckg.ingest import imports
from svckg.store.base import Store

pytestmark = pytest.mark.remote

SVC = "https://w3id.org/svckg#"
ARGUMENT_CLASSES = {
    "relationship": "ServiceRelationship",
    "customer": "Organization",
    "service": "CustomerFacingService",
    "touchpoint": "Touchpoint",
    "ended": "Agreement",
}
"""For each parameter of the named queries, the class whose demo instances it is run with."""
KNOWN_GAPS = {
    "virtuoso": {
        "agreement-outcomes-targets",
        "coverage-loss",
        "impact-affected-elements",
        "impact-affected-parties",
        "partner-delivered",
        "relationship-agreement-kinds",
        "trace-touchpoint-enablers",
    }
}
"""Named queries Virtuoso 7.2.5 does not answer as the SPARQL 1.1 engines do: it evaluates a
property path with ``*`` or ``+`` wrongly inside ``EXISTS``, ``NOT EXISTS``, ``MINUS`` or a
correlated OPTIONAL sub-select (see :data:`VIRTUOSO_DEFECTS`), fails to compile some (SQ156
"unknown table for a column" on impact-affected-parties and coverage-loss) and answers a
projected boolean expression as ``1``/``0``. Rewrites tried (UNION branches, MINUS, OPTIONAL
sub-selects) hit the same defects; writing a zero-length step out as its own UNION branch
(``{ ?x p :c } UNION { ?x p/q+ :c }`` for ``?x p/q* :c``) avoids one of them and closed
cfs-without-agreement and impact-journeys-touchpoints. Listed exactly, so a fix or a new
difference fails this test."""
VIRTUOSO_DEFECTS = {
    "NOT EXISTS over a sequence path ending in *": (
        "SELECT ?service WHERE { ?service a svc:CustomerFacingService . FILTER NOT EXISTS "
        "{ ?service svc:lifecycleStatus/skos:broader* svcc:retired } }"
    ),
    "EXISTS over a + path inside ||": (
        "SELECT DISTINCT ?relation ?via WHERE { id:clinical-systems-hosting ?relation ?via . "
        "FILTER(?relation = svc:member || EXISTS { ?relation rdfs:subPropertyOf+ svc:dependsOn }) }"
    ),
}
"""Minimal queries behind :data:`KNOWN_GAPS`: the embedded store and Virtuoso must disagree on
each (when a Virtuoso release answers them right, the gaps above are worth retrying)."""
SLOW_ON = {"virtuoso": {"trace-service-composition"}}
"""Answered right or after a transaction timeout (SR171), depending on the machine's load."""
FAILED = (["id:mail-server"], ["id:db-server-1", "id:db-server-2"], ["id:core-router"])


@pytest.fixture(params=["remote", "virtuoso"], scope="module")
def engine_demo(request: pytest.FixtureRequest) -> Store:
    """The demo imported through the pipeline onto each engine (once per module)."""
    store = request.getfixturevalue(f"{request.param}_server_store")
    assert load_demo(store)
    return store


@pytest.fixture(scope="module")
def remote_server_store(oxigraph_server: str):
    from svckg.store.remote import RemoteStore

    base = oxigraph_server
    store = RemoteStore(f"{base}/query", update_url=f"{base}/update", gsp_url=f"{base}/store")
    store.update("DROP ALL")
    yield store
    store.update("DROP ALL")
    store.close()


@pytest.fixture(scope="module")
def virtuoso_server_store(virtuoso_server: str):
    from svckg.store.remote import RemoteStore

    store = RemoteStore(f"{virtuoso_server}/sparql", gsp_url=f"{virtuoso_server}/sparql-graph-crud")
    for graph in store.graphs():
        store.drop_graph(graph)
    yield store
    for graph in store.graphs():
        store.drop_graph(graph)
    store.close()


def _instances(store: Store, local: str, limit: int = 3) -> list[str]:
    rows = store.query(
        f"SELECT DISTINCT ?x WHERE {{ ?x a <{SVC}{local}> }} ORDER BY ?x LIMIT {limit}"
    )
    assert isinstance(rows, ox.QuerySolutions)
    return [row["x"].value for row in rows]


def _calls(demo: Store) -> list[tuple[str, dict[str, str]]]:
    calls: list[tuple[str, dict[str, str]]] = []
    for query in catalogue():
        if not query.parameters:
            calls.append((query.name, {}))
        for parameter in query.parameters:
            if parameter.kind == "string":
                calls.append((query.name, {parameter.name: "mail"}))
            elif parameter.name == "failed":
                calls += [(query.name, {"failed": f[0]}) for f in FAILED]
            else:
                for iri in _instances(demo, ARGUMENT_CLASSES[parameter.name]):
                    calls.append((query.name, {parameter.name: iri}))
    return calls


def _rows(store: Store, name: str, params: dict[str, str]) -> Counter:
    variables, rows = run_named(store, name, params)
    return Counter(tuple(str(t) if t is not None else None for t in row) for row in rows)


def test_the_import_records_match(engine_demo: Store, demo_store: Store) -> None:
    def summary(store: Store) -> list[tuple]:
        return sorted(
            (r.import_id, r.version, r.sha256, r.triple_count, r.inferred_count)
            for r in imports.list_imports(store)
        )

    assert summary(engine_demo) == summary(demo_store)
    assert engine_demo.count() == demo_store.count()


def test_every_named_query_gives_the_same_rows(engine_demo: Store, demo_store: Store) -> None:
    calls = _calls(demo_store)
    assert len(calls) > len(catalogue()), "every parameterised query runs with demo values"
    differ = []
    for name, params in calls:
        try:
            same = _rows(engine_demo, name, params) == _rows(demo_store, name, params)
        except (StoreError, LimitExceeded) as exc:  # the engine failed or timed out: say which
            differ.append((name, params, str(exc).split("\n", 1)[0][-160:]))
            continue
        if not same:
            differ.append((name, params, "different rows"))
    engine = engine_demo.dialect.name
    found = {name for name, _, _ in differ} - SLOW_ON.get(engine, set())
    assert found == KNOWN_GAPS.get(engine, set()), differ


def test_the_virtuoso_defects_behind_the_gaps_reproduce(
    engine_demo: Store, demo_store: Store
) -> None:
    prefixes = (
        "PREFIX svc: <https://w3id.org/svckg#> PREFIX svcc: <https://w3id.org/svckg/concepts/> "
        "PREFIX id: <https://w3id.org/svckg/id/> "
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
    )
    for what, query in VIRTUOSO_DEFECTS.items():
        expected = Counter(tuple(map(str, row)) for row in demo_store.query(prefixes + query))
        answered = Counter(tuple(map(str, row)) for row in engine_demo.query(prefixes + query))
        assert expected, what
        if engine_demo.dialect.name == "virtuoso":
            assert answered != expected, f"Virtuoso now answers '{what}' right: retry KNOWN_GAPS"
        else:  # the defects are Virtuoso's: the SPARQL 1.1 engines agree on them
            assert answered == expected, what


def test_impact_and_trace_give_the_same_json(engine_demo: Store, demo_store: Store) -> None:
    for failed in FAILED:
        assert impact(engine_demo, failed).to_json() == impact(demo_store, failed).to_json()
    for service in _instances(demo_store, "CustomerFacingService", limit=10):
        assert trace(engine_demo, service).to_json() == trace(demo_store, service).to_json()
