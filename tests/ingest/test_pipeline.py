"""The import pipeline on real stores: commit, replace, reject whole, provenance, diff, remove."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from svckg.config import load_settings
from svckg.errors import InputError, ValidationFailed
from svckg.ingest import imports, pipeline, records
from svckg.ingest.base import SourceFile, Staged
from svckg.validation.report import SourceLocation
from svckg.vocab import PROVENANCE_GRAPH

PREFIXES = b"""@prefix svc: <https://w3id.org/svckg#> .
@prefix svcc: <https://w3id.org/svckg/concepts/> .
@prefix id: <https://w3id.org/svckg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""
TEAM = PREFIXES + b'id:team-a a svc:Team ; rdfs:label "Team A"@en .\n'
SOLUTION = (
    PREFIXES
    + b"""
id:sol a svc:ServiceSolution ; rdfs:label "Workplace"@en ;
    svc:ownedBy id:team-a ; svc:serviceCategory "Workplace" ; svc:costCenter "CC-1" ;
    svc:lifecycleStatus svcc:live .
"""
)
APPS = (
    PREFIXES
    + b"""
id:crm a svc:Application ; rdfs:label "CRM"@en ; svc:ownedBy id:team-a .
id:db a svc:InfrastructureComponent ; rdfs:label "DB"@en ; svc:ownedBy id:team-a .
id:crm-product a svc:Product ; rdfs:label "CRM product"@en ; svc:ownedBy id:team-a ;
    svc:lifecycleStatus svcc:live ; svc:usesResource id:crm , id:db .
"""
)
NO_COST_CENTER = (
    PREFIXES
    + b"""
id:sol2 a svc:ServiceSolution ; rdfs:label "Hosting"@en ;
    svc:ownedBy id:team-a ; svc:serviceCategory "Hosting" .
"""
)


@pytest.fixture
def store(memory_store):
    """An in-memory store holding the system graphs, as every svckg store does."""
    from svckg.store.system import ensure_system_graphs

    ensure_system_graphs(memory_store)
    return memory_store


def src(name: str, data: bytes) -> SourceFile:
    return SourceFile(name, data)


def dump(store) -> bytes:
    return store.export(ox.RdfFormat.N_QUADS)


def test_import_commits_one_graph_per_source_with_provenance(store) -> None:
    out = pipeline.import_sources(
        store, [src("team.ttl", TEAM), src("apps.ttl", APPS)], agent="alice"
    )
    assert [s.status for s in out.sources] == ["created", "created"]
    assert out.import_ids == ["team-ttl", "apps-ttl"]
    rec = imports.show(store, "apps-ttl")
    assert rec.graph == records.version_graph("apps-ttl", 1)
    assert rec.triple_count == store.count(rec.graph) == 12
    assert rec.byte_size == len(APPS) and len(rec.sha256) == 64
    assert (rec.agent, rec.validated, rec.conforms, rec.violations) == ("alice", True, True, 0)
    assert rec.started <= rec.ended and rec.format == "turtle"
    # usesResource entails dependsOn, kept in the import's inference graph
    inferred = {(q.subject.value, q.object.value) for q in store.quads(graph=rec.inferred_graph)}
    assert inferred == {
        ("https://w3id.org/svckg/id/crm-product", "https://w3id.org/svckg/id/crm"),
        ("https://w3id.org/svckg/id/crm-product", "https://w3id.org/svckg/id/db"),
    }
    assert rec.inferred_count == 2
    prov = store.query(
        "PREFIX prov: <http://www.w3.org/ns/prov#> ASK { ?a a prov:Activity ; "
        "prov:wasAssociatedWith ?ag ; prov:startedAtTime ?t ; prov:generated ?v . "
        "?v prov:wasGeneratedBy ?a }",
        default_graph=[str(PROVENANCE_GRAPH)],
    )
    assert bool(prov)


def test_reimporting_the_same_bytes_changes_nothing(store) -> None:
    pipeline.import_sources(store, [src("team.ttl", TEAM)])
    before = dump(store)
    out = pipeline.import_sources(store, [src("team.ttl", TEAM)])
    assert out.sources[0].status == "unchanged"
    assert dump(store) == before


def test_reimport_replaces_the_graph_and_keeps_a_diff(store) -> None:
    pipeline.import_sources(store, [src("team.ttl", TEAM), src("apps.ttl", APPS)])
    old = imports.show(store, "apps-ttl")
    changed = APPS.replace(b'"DB"@en', b'"Database"@en')
    out = pipeline.import_sources(store, [src("apps.ttl", changed)])
    assert out.sources[0].status == "replaced"
    rec = imports.show(store, "apps-ttl")
    assert rec.version == 2 and rec.previous == old.graph
    assert old.graph not in store.graphs() and old.inferred_graph not in store.graphs()
    d = imports.diff(store, "apps-ttl")
    assert (d.added_count, d.removed_count, d.truncated) == (1, 1, False)
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    assert d.added == [f'<https://w3id.org/svckg/id/db> {label} "Database"@en .']
    assert d.removed[0].endswith('"DB"@en .')
    assert [r.version for r in records.history(store, "apps-ttl")] == [1, 2]


def test_sources_are_validated_together(store) -> None:
    # alone, the solution's owner is untyped: a violation, and nothing is written
    before = dump(store)
    with pytest.raises(ValidationFailed) as err:
        pipeline.import_sources(store, [src("sol.ttl", SOLUTION)])
    report = err.value.report
    assert {r.focus_node for r in report.violations} == {"https://w3id.org/svckg/id/sol"}
    assert report.violations[0].location == SourceLocation(file="sol.ttl", line=6)
    assert dump(store) == before
    # together with the file that types it, it conforms
    pipeline.import_sources(store, [src("sol.ttl", SOLUTION), src("team.ttl", TEAM)])
    # and later alone again, the store's description of id:team-a is the context
    out = pipeline.import_sources(store, [src("sol.ttl", SOLUTION.replace(b"CC-1", b"CC-2"))])
    assert out.sources[0].status == "replaced" and out.report.conforms


def test_one_bad_source_rejects_all(store) -> None:
    bad = PREFIXES + b"id:gadget a svc:Product ; svc:lifecycleStatus svcc:sunset .\n"
    before = dump(store)
    with pytest.raises(ValidationFailed) as err:
        pipeline.import_sources(store, [src("team.ttl", TEAM), src("bad.ttl", bad)], force=True)
    assert "nothing was imported" in str(err.value)
    locs = {r.location.file for r in err.value.report.violations}
    assert locs == {"bad.ttl"}
    assert dump(store) == before


def test_warnings_inform_unless_fail_on_warning_and_force_is_recorded(store) -> None:
    shapes_warn = (
        PREFIXES
        + b"""
id:idle a svc:BackendService ; rdfs:label "Idle"@en ; svc:ownedBy id:team-a ;
    svc:lifecycleStatus svcc:live .
"""
    )
    pipeline.import_sources(store, [src("team.ttl", TEAM)])
    before = dump(store)
    with pytest.raises(ValidationFailed, match="warning") as err:
        pipeline.import_sources(store, [src("idle.ttl", shapes_warn)], fail_on="warning")
    assert err.value.report.conforms and err.value.report.warnings
    assert dump(store) == before
    out = pipeline.import_sources(
        store, [src("idle.ttl", shapes_warn)], fail_on="warning", force=True
    )
    rec = out.sources[0].record
    assert rec.forced and rec.conforms and rec.warnings == len(out.report.warnings) > 0
    # by default warnings inform: the import goes ahead and records how many there were
    out = pipeline.import_sources(store, [src("idle2.ttl", shapes_warn.replace(b"idle", b"id2"))])
    rec = out.sources[0].record
    assert not rec.forced and rec.conforms and rec.warnings == len(out.report.warnings) > 0


def test_unknown_fail_on_is_refused(store) -> None:
    with pytest.raises(InputError, match="fail-on"):
        pipeline.import_sources(store, [src("team.ttl", TEAM)], fail_on="error")


def test_violations_only_with_allow_violations_recorded(store) -> None:
    # a missing cost centre is a violation under the strict profile (a warning by default)
    strict = load_settings(shapes_profile="strict")
    pipeline.import_sources(store, [src("team.ttl", TEAM)])
    with pytest.raises(ValidationFailed):
        pipeline.import_sources(
            store, [src("nocc.ttl", NO_COST_CENTER)], force=True, settings=strict
        )
    out = pipeline.import_sources(
        store, [src("nocc.ttl", NO_COST_CENTER)], allow_violations=True, settings=strict
    )
    rec = imports.show(store, out.import_ids[0])
    assert rec.allowed_violations and not rec.conforms and rec.violations == 1


def test_remove_drops_graphs_and_keeps_history(store) -> None:
    pipeline.import_sources(store, [src("team.ttl", TEAM)])
    rec = imports.remove(store, "team-ttl")
    assert rec.graph not in store.graphs()
    assert imports.list_imports(store) == []
    assert [r.current for r in records.history(store, "team-ttl")] == [False]
    again = pipeline.import_sources(store, [src("team.ttl", TEAM)])
    assert again.sources[0].status == "created"
    assert imports.show(store, "team-ttl").version == 2


def test_recover_drops_graphs_no_record_names(store) -> None:
    pipeline.import_sources(store, [src("team.ttl", TEAM)])
    live = set(store.graphs())
    orphan = records.version_graph("team-ttl", 7)
    store.load(
        [
            ox.Triple(
                ox.NamedNode("http://x/a"), ox.NamedNode("http://x/p"), ox.NamedNode("http://x/b")
            )
        ],
        orphan,
    )
    assert records.recover(store) == [orphan]
    assert set(store.graphs()) == live


def test_the_pipeline_does_not_care_which_importer_staged(store) -> None:
    """A Staged from any importer: plain triple list, its own locations in the report."""
    node = ox.NamedNode("https://w3id.org/svckg/id/el-1")
    triples = [
        ox.Triple(
            node,
            ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            ox.NamedNode("https://w3id.org/svckg#ServiceSolution"),
        ),
    ]
    loc = SourceLocation(file="model.xml", element_id="el-1", element_name="Billing")
    staged = Staged(
        source="model.xml",
        format="archimate",
        triples=triples,
        locations={node.value: loc},
        model_name="Model",
        model_id="m-1",
    )
    strict = load_settings(shapes_profile="strict")  # an ownerless solution is a violation
    with pytest.raises(ValidationFailed) as err:
        pipeline.import_staged(
            store, [SourceFile("model.xml", b"<model/>")], [staged], settings=strict
        )
    assert {r.location for r in err.value.report.violations} == {loc}
    out = pipeline.import_staged(
        store,
        [SourceFile("model.xml", b"<model/>")],
        [staged],
        allow_violations=True,
        settings=strict,
    )
    rec = out.sources[0].record
    assert (rec.model_name, rec.model_id, rec.format, rec.triple_count) == (
        "Model",
        "m-1",
        "archimate",
        1,
    )


def test_import_without_validation_is_recorded(store) -> None:
    out = pipeline.import_sources(store, [src("sol.ttl", SOLUTION)], validate=False)
    rec = out.sources[0].record
    assert not rec.validated and rec.triple_count == 6


@pytest.mark.remote
def test_import_replace_remove_on_a_remote_store(remote_store) -> None:
    out = pipeline.import_sources(remote_store, [src("team.ttl", TEAM), src("apps.ttl", APPS)])
    assert out.import_ids == ["team-ttl", "apps-ttl"]
    changed = APPS.replace(b'"DB"@en', b'"Database"@en')
    pipeline.import_sources(remote_store, [src("apps.ttl", changed)])
    d = imports.diff(remote_store, "apps-ttl")
    assert (d.added_count, d.removed_count) == (1, 1)
    first = out.sources[1].record.graph  # named with a random part on a shared store
    assert first.endswith("/v1") and first not in remote_store.graphs()
    imports.remove(remote_store, "apps-ttl")
    assert [r.import_id for r in imports.list_imports(remote_store)] == ["team-ttl"]


def test_inferred_graphs_match_the_inference_rule(store) -> None:
    """The engine-side entailment equals svckg.ingest.inference.dependency_edges."""
    from svckg.config import DATA_DIR
    from svckg.demo import load_demo
    from svckg.ingest.inference import dependency_edges, dependency_subproperties

    load_demo(store)
    subproperties = dependency_subproperties(store)
    total = 0
    for rec in imports.list_imports(store):
        asserted = [q.triple for q in store.quads(graph=rec.graph)]
        expected = set(dependency_edges(asserted, subproperties))
        got = {q.triple for q in store.quads(graph=rec.inferred_graph)}
        assert got == expected and rec.inferred_count == len(expected)
        total += len(got)
    assert total > 0 and len(imports.list_imports(store)) == len(list(DATA_DIR.glob("*.ttl")))


def test_outcome_serializes_to_json(store) -> None:
    import json

    out = pipeline.import_sources(store, [src("team.ttl", TEAM)])
    data = json.loads(json.dumps(out.to_json()))
    assert data["imports"][0]["status"] == "created"
    assert data["imports"][0]["record"]["triple_count"] == 2
    assert data["report"]["conforms"] is True


@pytest.mark.parametrize("validate", [True, False])
def test_inferred_edges_keep_blank_nodes(store, validate: bool) -> None:
    data = (
        PREFIXES
        + b"""
[] a svc:Product ; rdfs:label "Anonymous product"@en ; svc:ownedBy id:team-a ;
   svc:lifecycleStatus svcc:live ; svc:usesResource id:db .
id:db a svc:InfrastructureComponent ; rdfs:label "DB"@en ; svc:ownedBy id:team-a .
"""
    )
    out = pipeline.import_sources(
        store, [src("team.ttl", TEAM), src("anon.ttl", data)], validate=validate
    )
    rec = out.sources[1].record
    (edge,) = list(store.quads(graph=rec.inferred_graph))
    uses = ox.NamedNode("https://w3id.org/svckg#usesResource")
    (product,) = {q.subject for q in store.quads(predicate=uses, graph=rec.graph)}
    assert isinstance(edge.subject, ox.BlankNode) and edge.subject == product


SVC = "https://w3id.org/svckg#"
ID = "https://w3id.org/svckg/id/"
ENTAILMENT_CASES = f"""<{ID}p1> <{SVC}usesResource> <{ID}r1> .
<{ID}p1> <{SVC}usesResource> <{ID}r1> .
<{ID}p1> <{SVC}usesResource> <{ID}r2> .
<{ID}p1> <{SVC}dependsOn> <{ID}r2> .
<{ID}p1> <{SVC}includesProduct> <{ID}r1> .
<{ID}p1> <{SVC}usesResource> "not a node" .
<{ID}p2> <{SVC}dependsOnGroup> <{ID}g1> .
<{ID}p2> <{ID}unrelated> <{ID}r1> .
""".encode()
"""N-Triples (kept as bytes by the importer) with a duplicate line, an edge already asserted,
one edge through two sub-properties, a literal object and a predicate outside the ontology."""


def _edges_by_rule(store, rec) -> set[ox.Triple]:
    from svckg.ingest.inference import dependency_edges, dependency_subproperties

    asserted = [q.triple for q in store.quads(graph=rec.graph)]
    return set(dependency_edges(asserted, dependency_subproperties(store)))


@pytest.mark.parametrize("validate", [True, False])
def test_counts_and_entailed_edges_are_exact(store, validate: bool) -> None:
    """Validated imports reuse the validation store's counts and edges; both paths must give
    the graph's distinct triples and exactly the rule's edges, once each."""
    out = pipeline.import_sources(
        store,
        [src("cases.nt", ENTAILMENT_CASES)],
        validate=validate,
        allow_violations=True,
    )
    rec = out.sources[0].record
    assert rec.triple_count == store.count(rec.graph) == 7  # 8 lines, one duplicate
    got = [q.triple for q in store.quads(graph=rec.inferred_graph)]
    d = ox.NamedNode(SVC + "dependsOn")
    expected = {
        ox.Triple(ox.NamedNode(ID + "p1"), d, ox.NamedNode(ID + "r1")),
        ox.Triple(ox.NamedNode(ID + "p2"), d, ox.NamedNode(ID + "g1")),
    }
    assert set(got) == expected == _edges_by_rule(store, rec)
    assert rec.inferred_count == len(got) == 2


def test_validated_and_unvalidated_imports_write_the_same_graphs(memory_store, tmp_path) -> None:
    """The same sources give the same data and inferred graphs and counts either way."""
    from svckg.config import DATA_DIR
    from svckg.store.embedded import EmbeddedStore
    from svckg.store.system import ensure_system_graphs

    files = pipeline.read_sources(sorted(DATA_DIR.glob("*.ttl")))
    results = []
    for validate, target in ((True, memory_store), (False, EmbeddedStore(tmp_path / "s"))):
        ensure_system_graphs(target)
        out = pipeline.import_sources(target, files, validate=validate, force=True)
        results.append(
            [
                (
                    r.triple_count,
                    r.inferred_count,
                    {q.triple for q in target.quads(graph=r.graph)},
                    {q.triple for q in target.quads(graph=r.inferred_graph)},
                )
                for r in (s.record for s in out.sources)
            ]
        )
        if validate is False:
            target.close()
    assert results[0] == results[1]
    assert sum(inferred for _, inferred, _, _ in results[0]) > 0


@pytest.mark.remote
@pytest.mark.parametrize("validate", [True, False])
def test_remote_inference_matches_the_rule(remote_store, validate: bool) -> None:
    from svckg.store.system import ensure_system_graphs

    ensure_system_graphs(remote_store)
    out = pipeline.import_sources(
        remote_store,
        [src("cases.nt", ENTAILMENT_CASES)],
        validate=validate,
        allow_violations=True,
    )
    rec = out.sources[0].record
    got = {q.triple for q in remote_store.quads(graph=rec.inferred_graph)}
    assert got == _edges_by_rule(remote_store, rec) and len(got) == rec.inferred_count == 2
    assert rec.triple_count == 7


def test_whitespace_only_input_is_rejected_as_empty() -> None:
    from svckg.errors import InputError
    from svckg.ingest import rdf

    with pytest.raises(InputError, match="empty"):
        rdf.check_text(SourceFile("blank.ttl", b" \t\r\n\x0b\x0c"))
    assert rdf.check_text(SourceFile("x.nt", b"\n <a> <b> <c> .\n")) == b"\n <a> <b> <c> .\n"


def test_context_carries_the_types_of_what_referenced_nodes_point_at(store) -> None:
    """A new element that uses an existing resource validates: the resource's owner (a team
    described in another import) keeps its class in the validation context, so the
    resource's sh:class check on svc:ownedBy still sees a party."""
    from svckg.demo import load_demo

    load_demo(store)
    before = dump(store)
    new = (
        PREFIXES
        + b"""
id:backup-team a svc:Team ; rdfs:label "Backup team"@en .
id:new-backup-service a svc:BackendService ; rdfs:label "Backup"@en ;
    svc:lifecycleStatus svcc:live ; svc:ownedBy id:backup-team ;
    svc:usesResource id:hypervisor-cluster .
"""
    )
    report = pipeline.validate_sources(store, [src("backup.ttl", new)])
    assert [r.message for r in report.violations] == []
    assert dump(store) == before


JOURNEY = (
    PREFIXES
    + b"""
id:j a svc:CustomerJourney ; rdfs:label "Journey"@en ; svc:hasStep id:j-1 .
id:j-1 a svc:JourneyStep ; rdfs:label "Step"@en ; svc:journeyStage svcc:use ; svc:stepOrder 1 .
"""
)


def test_nodes_two_hops_away_are_not_judged_on_their_partial_description(store) -> None:
    """Issue 20: the context copies the types of what the mentioned nodes point at, for
    sh:class; a shape targeting such a node's class saw only its type (a journey step without
    stage or order) and refused a valid import."""
    pipeline.import_sources(store, [src("journey.ttl", JOURNEY)])
    more = (
        PREFIXES
        + b'id:org a svc:Organization ; rdfs:label "Org"@en .\nid:j svc:journeyOf id:org .\n'
    )
    out = pipeline.import_sources(store, [src("more.ttl", more)])
    assert out.report.results == []
    broken = PREFIXES + b"id:j-1 svc:stepOrder 2 .\n"  # the step itself is judged: two orders
    with pytest.raises(ValidationFailed) as caught:
        pipeline.import_sources(store, [src("broken.ttl", broken)])
    assert [r.source_shape.rsplit("#")[-1] for r in caught.value.report.violations] == [
        "JourneyStep-stepOrder"
    ]


def test_unvalidated_imports_free_the_staging_engine_before_the_load(
    memory_store, monkeypatch
) -> None:  # noqa: ANN001,E501
    """With ``validate=False`` no validation takes the engine the checking parse filled: it is
    dropped before the load (not kept through the commit), and the same triples land."""
    from svckg.ingest.rdf import ParsedTriples
    from svckg.store.system import ensure_system_graphs

    lines = [
        f"<{ID}app{i}> <{SVC}dependsOn> <{ID}app{i + 1}> .\n"
        f'<{ID}app{i}> <http://www.w3.org/2000/01/rdf-schema#label> "App {i}"@en .\n'
        for i in range(50)
    ]
    data = "".join(lines + lines[:3]).encode()  # three repeated triples: a set of 100
    files = [SourceFile("apps.nt", data)]
    probe = pipeline.stage_sources(files)
    assert isinstance(probe[0].triples, ParsedTriples)
    assert probe[0].triples.take_engine() is not None, "not staged into an engine"
    staged = pipeline.stage_sources(files)
    held_at_load: list[object] = []
    real = pipeline._load_into

    def spy(target, s, graph) -> None:  # noqa: ANN001
        held_at_load.append(s.triples.take_engine())
        real(target, s, graph)

    monkeypatch.setattr(pipeline, "_load_into", spy)
    ensure_system_graphs(memory_store)
    out = pipeline.import_staged(memory_store, files, staged, validate=False, force=True)
    assert held_at_load == [None]
    rec = out.sources[0].record
    expected = {q.triple for q in ox.parse(data, ox.RdfFormat.N_TRIPLES)}
    got = [q.triple for q in memory_store.quads(graph=rec.graph)]
    assert len(got) == len(set(got)) == rec.triple_count == len(expected) == 100
    assert set(got) == expected
