"""The push-down source (batched queries on the engine) answers impact and trace with exactly
the JSON of the in-memory index: on the demo for every element, on the hand-written mail and
cycle graphs, and on random landscapes with redundancy groups, cycles, goals, parties and
materialized copies (hypothesis). Then the choice of the source, and the API saying which."""

from __future__ import annotations

import random
import sys

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svckg.analysis.impact import impact
from svckg.analysis.index import build_index, get_index
from svckg.analysis.pushdown import (
    EngineSource,
    IndexSource,
    choose_source,
    edge_count,
    wants_index,
)
from svckg.analysis.trace import trace
from svckg.config import ONTOLOGY_DIR, Settings, load_settings
from svckg.errors import InputError
from svckg.store.base import Store
from svckg.store.embedded import EmbeddedStore
from svckg.vocab import ALIGNMENTS_GRAPH, ONTOLOGY_GRAPH
from tests.analysis.conftest import MINI_ONTOLOGY, load
from tests.conftest import REPO_ROOT

ID = "https://w3id.org/svckg/id/"
SVC = "https://w3id.org/svckg#"
XSD_INT = "http://www.w3.org/2001/XMLSchema#integer"


def elements(store: Store) -> list[str]:
    """Every node with a dependency or member edge (the index's view, sorted)."""
    index = build_index(store)
    return sorted(set(index.forward) | set(index.backward))


def assert_same(store: Store, failed: list[str], paths: int = 1) -> dict:
    """Impact of ``failed`` from both sources: the same JSON, returned."""
    index = build_index(store)
    expected = impact(store, failed, max_paths=paths, source=IndexSource(index)).to_json()
    got = impact(store, failed, max_paths=paths, source=EngineSource(store)).to_json()
    assert got == expected, failed
    return expected


def assert_same_trace(store: Store, root: str) -> dict:
    index = build_index(store)
    expected = trace(store, root, source=IndexSource(index)).to_json()
    got = trace(store, root, source=EngineSource(store)).to_json()
    assert got == expected, root
    return expected


# -- the demo ---------------------------------------------------------------------------------


def test_demo_every_element_same_impact_and_trace(demo: EmbeddedStore) -> None:
    index = get_index(demo)
    keys = elements(demo)
    assert len(keys) > 100
    seen = {"impacted": 0, "agreements": 0, "parties": 0, "degraded": 0}
    for key in keys:
        for paths in (1, 3):
            expected = impact(demo, [key], max_paths=paths, source=IndexSource(index)).to_json()
            got = impact(demo, [key], max_paths=paths, source=EngineSource(demo)).to_json()
            assert got == expected, (key, paths)
        for name in ("impacted", "agreements", "parties"):
            seen[name] += bool(expected[name])
        seen["degraded"] += any(e["status"] == "degraded" for e in expected["impacted"])
        traced = trace(demo, key, source=IndexSource(index)).to_json()
        assert trace(demo, key, source=EngineSource(demo)).to_json() == traced, key
    # the comparison covered every part of the answer, not empty documents
    assert all(count > 0 for count in seen.values()), seen


def test_demo_several_failures_same_impact(demo: EmbeddedStore) -> None:
    keys = elements(demo)
    rng = random.Random(19)
    for _ in range(25):
        assert_same(demo, rng.sample(keys, rng.randint(2, 4)), paths=rng.randint(1, 4))


def test_mail_and_cycle_graphs(mail: EmbeddedStore, cycle_store: EmbeddedStore) -> None:
    down = assert_same(mail, [ID + "db1", ID + "db2"], paths=2)
    assert {e["iri"] for e in down["impacted"] if e["status"] == "down"} >= {ID + "db-group"}
    degraded = assert_same(mail, [ID + "db1"])
    assert {e["iri"]: e["status"] for e in degraded["impacted"]}[ID + "db-group"] == "degraded"
    for key in elements(mail):
        assert_same(mail, [key], paths=3)
        assert_same_trace(mail, key)
    for key in ("a", "b", "c", "d"):
        result = assert_same(cycle_store, [ID + key], paths=3)
        assert bool(result["impacted"]) is (key != "d")  # nothing depends on d
        assert_same_trace(cycle_store, ID + key)


def test_unknown_element_is_not_found_on_both(demo: EmbeddedStore) -> None:
    from svckg.errors import NotFound

    for source in (IndexSource(get_index(demo)), EngineSource(demo)):
        with pytest.raises(NotFound):
            impact(demo, ["id:nothing-here"], source=source)


# -- random landscapes --------------------------------------------------------------------------

ROLE_ONTOLOGY = """
@prefix svc: <https://w3id.org/svckg#> .
@prefix ex: <https://example.org/ext#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
svc:Party a owl:Class .
ex:Team a owl:Class ; rdfs:subClassOf svc:Party .
ex:Goal a owl:Class .
"""
ALIGNMENTS = """
@prefix ex: <https://example.org/ext#> .
@prefix svcm: <https://w3id.org/svckg/mapping#> .
ex:Goal svcm:impactRole svcm:GoalOrPlan .
"""
PREDICATES = [
    SVC + "usesResource",
    SVC + "includesService",
    "https://example.org/ext#runsOn",
    SVC + "dependsOn",
    SVC + "covers",
]
CLASSES = [
    SVC + "Application",
    SVC + "InfrastructureComponent",
    SVC + "CustomerFacingService",
    SVC + "Touchpoint",
    SVC + "ServiceLevelAgreement",
    "https://example.org/ext#Team",
    "https://example.org/ext#Goal",
    SVC + "BackendService",
]


def landscape_triples(seed: int, nodes: int, edges: int, groups: int) -> dict[str, list[str]]:
    """N-Triples lines by graph: a random dependency graph (cycles allowed) with groups,
    labels in several languages, owners, role assignments, bands and agreement targets, and
    materialized ``svc:dependsOn`` copies in an ``/inferred`` graph."""
    rng = random.Random(seed)
    node = [f"<{ID}n{i}>" for i in range(nodes)]
    data: list[str] = []
    inferred: list[str] = []
    for i, n in enumerate(node):
        for cls in rng.sample(CLASSES, rng.choice((0, 1, 1, 2))):
            data.append(f"{n} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{cls}> .")
        if rng.random() < 0.8:
            lang = rng.choice(("@en", "@de", ""))
            data.append(f'{n} <http://www.w3.org/2000/01/rdf-schema#label> "N {i % 5}"{lang} .')
        if rng.random() < 0.3:
            data.append(f"{n} <{SVC}ownedBy> <{ID}owner{rng.randrange(3)}> .")
        if rng.random() < 0.2:
            a = f"<{ID}assign{i}>"
            data += [
                f"{a} <{SVC}inContextOf> {n} .",
                f"{a} <{SVC}agent> <{ID}owner{rng.randrange(3)}> .",
                f"{a} <{SVC}role> <https://w3id.org/svckg/concepts/user> .",
            ]
        if rng.random() < 0.15:
            data.append(f"<{ID}band{i % 2}> <{SVC}visibleElement> {n} .")
    for i in range(3):
        data.append(f'<{ID}owner{i}> <http://www.w3.org/2000/01/rdf-schema#label> "Owner {i}" .')
    data.append(f"<{ID}rel0> <{SVC}hasBandOfVisibility> <{ID}band0> .")
    data.append(f"<{ID}rel0> <{SVC}governedBy> {node[0]} .")
    data.append(f"<{ID}rel0> <{SVC}consumer> <{ID}owner1> .")
    data.append(f"{node[0]} <{SVC}target> <{ID}t0> .")
    data.append(f'<{ID}t0> <{SVC}metric> "availability" .')
    for _ in range(edges):
        s, o = rng.sample(node, 2)
        p = rng.choice(PREDICATES)
        data.append(f"{s} <{p}> {o} .")
        if p != SVC + "dependsOn" and rng.random() < 0.5:
            inferred.append(f"{s} <{SVC}dependsOn> {o} .")
        elif rng.random() < 0.1:  # an asserted edge also stated by a sub-property
            data.append(f"{s} <{SVC}usesResource> {o} .")
    for g in range(groups):
        group = f"<{ID}group{g}>"
        data.append(f"{rng.choice(node)} <{SVC}dependsOnGroup> {group} .")
        for member in rng.sample(node, rng.randint(1, min(4, nodes))):
            data.append(f"{group} <{SVC}member> {member} .")
        if rng.random() < 0.7:
            data.append(f'{group} <{SVC}minimumRequired> "{rng.randint(1, 3)}"^^<{XSD_INT}> .')
    graph = "https://w3id.org/svckg/graph/import/random"
    return {graph: data, graph + "/inferred": inferred}


def landscape_store(store: Store, seed: int, nodes: int, edges: int, groups: int) -> Store:
    load(store, str(ONTOLOGY_GRAPH), MINI_ONTOLOGY + ROLE_ONTOLOGY)  # type: ignore[arg-type]
    load(store, str(ALIGNMENTS_GRAPH), ALIGNMENTS)  # type: ignore[arg-type]
    for graph, lines in landscape_triples(seed, nodes, edges, groups).items():
        if lines:
            store.load("\n".join(lines).encode(), graph)
    return store


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    nodes=st.integers(3, 14),
    edges=st.integers(2, 30),
    groups=st.integers(0, 3),
    paths=st.integers(1, 3),
)
def test_random_landscapes_same_json(
    seed: int, nodes: int, edges: int, groups: int, paths: int
) -> None:
    store = landscape_store(EmbeddedStore(None), seed, nodes, edges, groups)
    try:
        keys = elements(store)
        for key in keys:
            assert_same(store, [key], paths=paths)
            assert_same_trace(store, key)
        if len(keys) > 2:
            assert_same(store, random.Random(seed).sample(keys, 2), paths=paths)
    finally:
        store.close()


def test_a_larger_landscape_covers_every_part() -> None:
    """One fixed larger landscape: the comparison meets goals, parties, groups that hold and
    groups that fall, and cycles (so the random ones are not all trivial)."""
    store = landscape_store(EmbeddedStore(None), 7, 40, 120, 6)
    seen = {"goalsAndPlans": 0, "parties": 0, "agreements": 0, "degraded": 0, "group down": 0}
    try:
        for key in elements(store):
            result = assert_same(store, [key], paths=2)
            assert_same_trace(store, key)
            for name in ("goalsAndPlans", "parties", "agreements"):
                seen[name] += bool(result[name])
            statuses = {e["iri"]: e["status"] for e in result["impacted"]}
            seen["degraded"] += "degraded" in statuses.values()
            seen["group down"] += any(
                k.startswith(ID + "group") and v == "down" for k, v in statuses.items()
            )
    finally:
        store.close()
    assert all(count > 0 for count in seen.values()), seen


# -- choosing the source ----------------------------------------------------------------------


def test_settings_name_the_mode() -> None:
    chosen = load_settings(
        env={"SVCKG_IMPACT_MODE": "engine", "SVCKG_INDEX_MEMORY_BUDGET_MB": "7"}, store=":memory:"
    )
    assert (chosen.impact_mode, chosen.index_memory_budget_mb) == ("engine", 7)
    with pytest.raises(InputError, match="impact_mode"):
        load_settings(env={"SVCKG_IMPACT_MODE": "magic"}, store=":memory:")


def test_choice_follows_settings_budget_and_warm_up(make_store) -> None:  # noqa: ANN001
    store = make_store()
    assert edge_count(store) >= 10
    assert choose_source(store, Settings(impact_mode="engine")).mode == "engine"
    tiny = Settings(index_memory_budget_mb=0)
    assert not wants_index(store, tiny)
    assert choose_source(store, tiny).mode == "engine"  # no index built: the budget decides
    assert choose_source(store, Settings(), may_build=False).mode == "engine"
    assert choose_source(store, Settings()).mode == "index"  # fits: built now
    assert choose_source(store, tiny).mode == "index"  # once built, the index answers
    assert choose_source(store, Settings(impact_mode="index")).mode == "index"


def test_literal_root_is_refused_by_both(demo: EmbeddedStore) -> None:
    from svckg.errors import QueryError

    for source in (IndexSource(get_index(demo)), EngineSource(demo)):
        with pytest.raises(QueryError):
            trace(demo, '"literal"', source=source)


def test_blank_node_dependents_on_the_embedded_store(memory_store: EmbeddedStore) -> None:
    uses = ox.NamedNode(SVC + "usesResource")
    load(memory_store, str(ONTOLOGY_GRAPH), MINI_ONTOLOGY)
    memory_store.load(
        [
            ox.Triple(ox.BlankNode("x1"), uses, ox.NamedNode(ID + "a")),
            ox.Triple(ox.BlankNode("x2"), uses, ox.BlankNode("x1")),
        ],
        "https://w3id.org/svckg/graph/import/blank",
    )
    result = assert_same(memory_store, [ID + "a"], paths=2)
    assert len(result["impacted"]) == 2


class _Counting:
    """A store wrapper counting the rows push-down reads (everything else passes through)."""

    def __init__(self, store: Store):
        self._store, self.rows, self.queries = store, 0, 0

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(self._store, name)

    def query(self, sparql: str, **kwargs):  # noqa: ANN003, ANN201
        rows = list(self._store.query(sparql, **kwargs))  # type: ignore[arg-type]
        self.rows, self.queries = self.rows + len(rows), self.queries + 1
        return rows


def test_push_down_reads_the_answer_not_the_graph() -> None:
    """On a generated landscape of 20 k triples, the impact of a leaf reads a few hundred rows
    from the engine (proportional to the answer), never the whole graph."""
    sys.path.insert(0, str(REPO_ROOT))
    from bench.landscape import generate, unit_iri

    store = EmbeddedStore(None)
    try:
        store.load(
            (ONTOLOGY_DIR / "svckg.ttl").read_bytes(), str(ONTOLOGY_GRAPH),
            format=ox.RdfFormat.TURTLE,
        )  # fmt: skip
        store.load(generate(20_000), "https://w3id.org/svckg/graph/import/bench")
        expected = impact(store, [unit_iri("infra", 0)], source=IndexSource(build_index(store)))
        counting = _Counting(store)
        source = EngineSource(counting)  # type: ignore[arg-type]
        counting.rows = counting.queries = 0  # the per-store context (ontology) aside
        got = impact(counting, [unit_iri("infra", 0)], source=source)  # type: ignore[arg-type]
        assert got.to_json() == expected.to_json()
        answer = len(expected.to_json()["impacted"])
        assert answer > 20
        assert counting.rows < 30 * answer < store.count() / 10, (counting.rows, answer)
    finally:
        store.close()


LAYER_ONLY = """
@prefix svc: <https://w3id.org/svckg#> .
@prefix ex: <https://example.org/ext#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:Widget svc:layer ex:widget-layer , ex:zz-layer .
ex:widget-layer rdfs:label "Widget layer" .
ex:Gadget rdfs:subClassOf ex:Thing .
ex:Thing svc:layer ex:thing-layer .
ex:thing-layer rdfs:label "Thing layer" .
"""


def test_classes_known_only_by_their_layer(memory_store: EmbeddedStore) -> None:
    """A type that only states ``svc:layer`` (undeclared, no hierarchy), and a class whose
    superclass is known only by its ``rdfs:subClassOf`` object and its layer: the cheap
    ontology read of push-down still gives them the full index's layers (and labels)."""
    load(memory_store, str(ONTOLOGY_GRAPH), MINI_ONTOLOGY)
    load(memory_store, "https://w3id.org/svckg/graph/import/widgets", LAYER_ONLY)
    memory_store.load(
        "\n".join(
            [
                f"<{ID}w1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
                "<https://example.org/ext#Widget> .",
                f"<{ID}g1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
                "<https://example.org/ext#Gadget> .",
                f"<{ID}w1> <{SVC}usesResource> <{ID}g1> .",
                f"<{ID}g1> <{SVC}usesResource> <{ID}a> .",
            ]
        ).encode(),
        "https://w3id.org/svckg/graph/import/nodes",
    )
    result = assert_same(memory_store, [ID + "a"])
    layers = {e["iri"]: e["layer"] for e in result["impacted"]}
    assert layers == {
        ID + "w1": "https://example.org/ext#widget-layer",  # the smallest IRI of two
        ID + "g1": "https://example.org/ext#thing-layer",
    }
    traced = assert_same_trace(memory_store, ID + "w1")
    assert {g["label"] for g in traced["layers"]} == {"Thing layer", "no layer"}


def test_context_does_not_scan_instance_layers() -> None:
    """The push-down context (ontology, roles) reads the classes, not every subject stating
    ``svc:layer``: on a landscape whose elements each state one, it reads far fewer rows."""
    from svckg.analysis.pushdown import _Context

    store = EmbeddedStore(None)
    try:
        load(store, str(ONTOLOGY_GRAPH), MINI_ONTOLOGY)
        lines = [
            f"<{ID}e{i}> <{SVC}layer> <https://w3id.org/svckg/concepts/resource-layer> ."
            for i in range(3000)
        ]
        store.load("\n".join(lines).encode(), "https://w3id.org/svckg/graph/import/layers")
        counting = _CountingQuads(store)
        context = _Context(counting)  # type: ignore[arg-type]
        assert SVC + "Resource" in context.template.class_layer
        assert counting.rows < 300, counting.rows
        assert ID + "e1" in build_index(store).class_layer  # the full index reads them all
    finally:
        store.close()


class _CountingQuads(_Counting):
    """Counts the rows of pattern reads too."""

    def quads(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        found = list(self._store.quads(*args, **kwargs))
        self.rows += len(found)
        return found


def test_types_are_listed_sorted_whatever_the_row_order(memory_store: EmbeddedStore) -> None:
    """Engines list a node's types in their own order (the embedded store by term hash,
    ``oxigraph serve`` otherwise): impact and trace list them sorted, from both sources."""
    load(memory_store, str(ONTOLOGY_GRAPH), MINI_ONTOLOGY)
    classes = [f"https://example.org/ext#C{i}" for i in (7, 3, 9, 1, 5, 8)]
    lines = [f"<{ID}x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{c}> ." for c in classes]
    lines.append(f"<{ID}x> <{SVC}usesResource> <{ID}a> .")
    memory_store.load("\n".join(lines).encode(), "https://w3id.org/svckg/graph/import/types")
    rows = memory_store.query(f"SELECT ?t WHERE {{ <{ID}x> a ?t }}")
    assert [r["t"].value for r in rows] != sorted(classes)  # the engine's own order
    result = assert_same(memory_store, [ID + "a"])
    assert result["impacted"][0]["types"] == sorted(classes)
    traced = assert_same_trace(memory_store, ID + "x")
    assert traced["root"]["types"] == sorted(classes)
