"""shapes/*.ttl: well-formed named shapes, the demo landscape conforms, each invalid example
fails with exactly the shapes its ``# expect:`` lines name."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, SKOS

from svckg.config import DATA_DIR, SHAPES_DIR
from svckg.vocab import CONCEPT, SVCSH

INVALID = sorted((DATA_DIR / "invalid").glob("*.ttl"))
SHAPE_FILES = {"core.ttl": SH.Violation, "recommended.ttl": SH.Warning}
STRUCTURAL = {
    RDF.type,
    SH.name,
    SH.description,
    SH.severity,
    SH.message,
    SH.property,
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.deactivated,
    SH.order,
    SH.group,
}


def _expected(path: Path) -> set[URIRef]:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# expect: "), f"{path.name}: first line must be '# expect: ...'"
    names = [ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("# expect:")]
    return {SVCSH[n.removeprefix("svcsh:")] for n in names}


def _named_shapes(graph: Graph) -> set[URIRef]:
    return {
        s
        for t in (SH.NodeShape, SH.PropertyShape)
        for s in graph.subjects(RDF.type, t)
        if isinstance(s, URIRef)
    }


@pytest.mark.parametrize("name", [*SHAPE_FILES, "ontology-style.ttl"])
def test_shapes_are_named_with_severity_and_message(name: str) -> None:
    graph = Graph().parse(SHAPES_DIR / name, format="turtle")
    shapes = _named_shapes(graph)
    assert len(shapes) >= 10
    for shape in shapes:
        assert str(shape).startswith(str(SVCSH)), shape
        assert graph.value(shape, SH.name) is not None, f"{shape} has no sh:name"
        severity = graph.value(shape, SH.severity)
        assert severity is not None, f"{shape} has no sh:severity"
        if name in SHAPE_FILES:
            assert severity == SHAPE_FILES[name], f"{shape} has severity {severity}"
        constraints = set(graph.predicates(shape, None)) - STRUCTURAL - {SH.path}
        if constraints - {SH.sparql}:
            assert graph.value(shape, SH.message) is not None, f"{shape} has no sh:message"
        for sparql in graph.objects(shape, SH.sparql):
            assert graph.value(sparql, SH.message) is not None, f"{shape} SPARQL has no message"
            assert graph.value(sparql, SH.prefixes) is not None


def test_core_and_recommended_do_not_share_shape_names() -> None:
    core = _named_shapes(Graph().parse(SHAPES_DIR / "core.ttl"))
    recommended = _named_shapes(Graph().parse(SHAPES_DIR / "recommended.ttl"))
    assert not core & recommended


@pytest.mark.parametrize(
    ("shape", "scheme"),
    [
        ("Lifecycle-lifecycleStatus", "LifecycleStatuses"),
        ("ServiceRelationship-relationshipType", "RelationshipTypes"),
        ("Agreement-agreementForm", "AgreementForms"),
        ("Capability-capabilityArea", "CapabilityAreas"),
        ("ServiceInteraction-interactionKind", "InteractionKinds"),
        ("ServiceLevelTarget-comparison", "TargetComparisons"),
    ],
)
def test_sh_in_lists_match_their_scheme(
    shapes: Graph, ontology_graph: Graph, shape: str, scheme: str
) -> None:
    """Concept-valued properties use sh:in; the list must be exactly the scheme's members."""
    listed = set(Collection(shapes, shapes.value(SVCSH[shape], SH["in"])))
    members = set(ontology_graph.subjects(SKOS.inScheme, CONCEPT[scheme]))
    assert listed == members


@pytest.mark.parametrize(
    ("shape", "scheme"),
    [("RoleAssignment-role", "StakeholderRoles"), ("JourneyStep-journeyStage", "JourneyStages")],
)
def test_open_schemes_accept_any_concept_of_the_scheme(
    shapes: Graph, shape: str, scheme: str
) -> None:
    """Issue 20: roles and stages are open lists: a concept with skos:inScheme the scheme."""
    node = SVCSH[shape]
    assert shapes.value(node, SH["in"]) is None
    assert shapes.value(node, SH["class"]) == SKOS.Concept
    [member] = Collection(shapes, shapes.value(node, SH["or"]))
    assert shapes.value(member, SH.path) == SKOS.inScheme
    assert shapes.value(member, SH.hasValue) == CONCEPT[scheme]


def test_demo_landscape_conforms(
    failures: Callable[[Iterable[Path]], set[tuple[URIRef, URIRef, URIRef]]],
) -> None:
    files = sorted(DATA_DIR.glob("*.ttl"))
    assert len(files) >= 5
    assert failures(files) == set()


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_example_fails_with_expected_shapes(
    failures: Callable[[Iterable[Path]], set[tuple[URIRef, URIRef, URIRef]]], path: Path
) -> None:
    found = {shape for shape, _, _ in failures([path])}
    assert found == _expected(path)


def test_invalid_examples_cover_the_required_kinds() -> None:
    expected = set().union(*(_expected(p) for p in INVALID))
    required = {
        "CustomerFacingService-composition",
        "ServiceSolution-ownedBy",
        "ServiceSolution-serviceCategory",
        "ServiceSolution-costCenter",
        "ServiceLevelAgreement-covers",
        "ServiceLevelAgreement-target",
        "ServiceLevelTarget-metric",
        "ServiceLevelTarget-targetValue",
        "RoleAssignment-agent",
        "RoleAssignment-role",
        "RoleAssignment-inContextOf",
        "JourneyStep-journeyStage",
        "JourneyStep-stepOrder",
        "Touchpoint-enabledBy",
        "RedundancyGroup-minimumRequired",
        "RedundancyGroup-minimumRequiredBound",
        "DependencyCycleShape",
        "UniqueIdentifierShape",
        "LiveDependsOnRetiredShape",
    }
    assert {SVCSH[n] for n in required} <= expected


def test_cycle_is_reported_on_every_element_of_the_cycle(
    failures: Callable[[Iterable[Path]], set[tuple[URIRef, URIRef, URIRef]]],
) -> None:
    found = failures([DATA_DIR / "invalid" / "dependency-cycle.ttl"])
    focus = {str(f).rsplit("/", 1)[-1] for _, f, _ in found}
    assert focus == {"app-a", "app-b", "app-c"}
    assert {sev for _, _, sev in found} == {SH.Violation}


def test_retired_dependency_is_a_warning_naming_each_live_dependent(
    shapes: Graph, validation_graph: Callable[[Iterable[Path]], Graph]
) -> None:
    _, report, _ = validate(
        validation_graph([DATA_DIR / "invalid" / "live-offering-uses-retired-service.ttl"]),
        shacl_graph=shapes,
        advanced=True,
    )
    pairs = {
        (_local(report.value(r, SH.focusNode)), _local(report.value(r, SH.value)))
        for r in report.subjects(RDF.type, SH.ValidationResult)
    }
    assert pairs == {
        ("legacy-fax-gateway", "fax-package"),
        ("legacy-fax-gateway", "office-communications"),
    }
    assert set(report.objects(None, SH.resultSeverity)) == {SH.Warning}


def _local(term: object) -> str:
    return str(term).rsplit("/", 1)[-1]
