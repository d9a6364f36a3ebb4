"""Warnings inform, violations block: real ArchiMate models import by default; the strict
profile keeps today's catalogue violations; dependency cycles name every member."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import RDF, SH

from svckg.config import DATA_DIR, SHAPES_DIR, load_settings
from svckg.errors import ValidationFailed
from svckg.ingest import pipeline, records
from svckg.ingest.base import SourceFile
from svckg.store import memory_store
from svckg.store.system import ensure_system_graphs
from svckg.vocab import SVCSH
from tests.conftest import fixtures_dir, requires_fixtures

FIXTURES = fixtures_dir()
ARCHIMATE = FIXTURES / "archimate"
CSV = FIXTURES / "archi-csv"
STRICT = load_settings(shapes_profile="strict")

FIXTURE_MODELS = {
    "archisurance": [ARCHIMATE / "archisurance.xml"],
    "Sample1": [ARCHIMATE / "Sample1.xml"],
    "bendpoint": [ARCHIMATE / "bendpoint.test.xml"],
    **{
        f"csv-{prefix}": sorted(CSV.glob(f"{prefix}-*.csv"))
        for prefix in ("test1", "test2", "test3", "test4", "test5")
    },
}


def _files(paths: list[Path]) -> list[SourceFile]:
    return [SourceFile.read(p) for p in paths]


@requires_fixtures
@pytest.mark.parametrize("name", sorted(FIXTURE_MODELS))
def test_fixture_models_import_by_default_without_violations(name, memory_store) -> None:
    ensure_system_graphs(memory_store)
    outcome = pipeline.import_sources(memory_store, _files(FIXTURE_MODELS[name]))
    assert not outcome.report.violations, [r.message for r in outcome.report.violations]
    for s in outcome.sources:
        rec = records.find_by_source(memory_store, s.source)
        assert rec is not None and rec.conforms and not rec.forced
        assert rec.warnings == len(outcome.report.warnings)


@requires_fixtures
def test_strict_profile_still_rejects_archisurance(memory_store) -> None:
    ensure_system_graphs(memory_store)
    with pytest.raises(ValidationFailed) as err:
        pipeline.import_sources(
            memory_store, _files(FIXTURE_MODELS["archisurance"]), settings=STRICT
        )
    shapes = {r.source_shape.rpartition("#")[2] for r in err.value.report.violations}
    assert "Touchpoint-enabledBy" in shapes


def _expected(path: Path) -> set[str]:
    return {
        line.split(":", 1)[1].strip().removeprefix("svcsh:")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("# expect:")
    }


CORE_SHAPES = {
    str(s).rpartition("#")[2]
    for t in (SH.NodeShape, SH.PropertyShape)
    for s in Graph().parse(SHAPES_DIR / "core.ttl").subjects(RDF.type, t)
}


@pytest.mark.parametrize("path", sorted((DATA_DIR / "invalid").glob("*.ttl")), ids=lambda p: p.stem)
def test_strict_profile_rejects_every_core_example_as_core_ttl_says(path: Path) -> None:
    """Under the strict profile, each invalid example's core shapes are violations exactly as
    core.ttl (all sh:Violation) says; under the default profile, the same results are there,
    only some of them warnings."""
    expected = _expected(path) & CORE_SHAPES
    reports = {}
    for profile in ("strict", "default"):
        store = memory_store()
        try:
            reports[profile] = pipeline.validate_sources(
                store, [SourceFile.read(path)], settings=load_settings(shapes_profile=profile)
            )
        finally:
            store.close()
    strict = reports["strict"]
    got = {r.source_shape.rpartition("#")[2] for r in strict.violations}
    assert got == expected
    assert bool(strict.violations) == bool(expected)
    default = reports["default"]
    assert sorted((r.focus_node, r.source_shape) for r in default.results) == sorted(
        (r.focus_node, r.source_shape) for r in strict.results
    )


def test_default_profile_lowers_only_what_archimate_cannot_carry() -> None:
    profile = Graph().parse(SHAPES_DIR / "default-profile.ttl")
    lowered = {
        str(s).rpartition("#")[2]
        for s, o in profile.subject_objects(SVCSH.defaultSeverity)
        if o == SH.Warning
    }
    assert lowered <= CORE_SHAPES
    # value checks and real breakage stay violations
    for kept in (
        "Lifecycle-lifecycleStatus",
        "UniqueIdentifierShape",
        "CustomerFacingService-includesService",
        "RedundancyGroup-minimumRequiredBound",
        "RoleAssignment-agent",
    ):
        assert kept not in lowered


CYCLE = b"""@prefix svc: <https://w3id.org/svckg#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix id: <https://w3id.org/svckg/id/> .
id:a a svc:Application ; rdfs:label "Alpha" ; svc:dependsOn id:b .
id:b a svc:Application ; rdfs:label "Beta" ; svc:dependsOn id:c .
id:c a svc:Application ; rdfs:label "Gamma" ; svc:dependsOn id:a, id:d .
id:d a svc:Application ; rdfs:label "Delta" ; svc:dependsOn id:e .
id:e a svc:Application ; rdfs:label "Epsilon" ; svc:dependsOn id:d .
"""


def test_a_cycle_is_a_warning_naming_every_member(memory_store) -> None:
    ensure_system_graphs(memory_store)
    outcome = pipeline.import_sources(memory_store, [SourceFile("cycle.ttl", CYCLE)])
    cycles = [r for r in outcome.report.results if r.source_shape.endswith("DependencyCycleShape")]
    assert {r.severity for r in cycles} == {"Warning"}
    by_node = {r.focus_node.rpartition("/")[2]: r.message for r in cycles}
    assert sorted(by_node) == ["a", "b", "c", "d", "e"]
    for node in "abc":
        assert "3 elements" in by_node[node]
        for name in ("Alpha", "Beta", "Gamma"):
            assert f"'{name}'" in by_node[node]
        assert "Delta" not in by_node[node]
    assert "'Delta', 'Epsilon'" in by_node["d"] and "Alpha" not in by_node["d"]
    # strict: the same cycle is a violation
    with pytest.raises(ValidationFailed):
        pipeline.import_sources(memory_store, [SourceFile("cycle2.ttl", CYCLE)], settings=STRICT)


@requires_fixtures
def test_fail_on_warning_blocks_a_fixture_model(memory_store) -> None:
    ensure_system_graphs(memory_store)
    with pytest.raises(ValidationFailed, match="warning"):
        pipeline.import_sources(
            memory_store, _files(FIXTURE_MODELS["archisurance"]), fail_on="warning"
        )
    assert records.find_by_source(memory_store, "archisurance.xml") is None
