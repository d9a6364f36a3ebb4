"""data/*.ttl: the demo landscape has what the other parts of svckg are tested against."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from svckg.config import DATA_DIR, ONTOLOGY_DIR
from svckg.vocab import CONCEPT, ID, SVC


@pytest.fixture(scope="module")
def demo() -> Graph:
    graph = Graph()
    for f in sorted(DATA_DIR.glob("*.ttl")):
        graph.parse(f, format="turtle")
    return graph


def _count(graph: Graph, cls: URIRef) -> int:
    return len(set(graph.subjects(RDF.type, cls)))


def test_size_and_iris(demo: Graph) -> None:
    assert 400 <= len(demo) <= 1600  # issue 20 added the method questions 15-22: ~1300
    for s in set(demo.subjects()):
        assert isinstance(s, URIRef) and str(s).startswith(str(ID)), s
        local = str(s)[len(str(ID)) :]
        assert local == local.lower() and " " not in local and "_" not in local, s


def test_every_instance_has_english_label(demo: Graph) -> None:
    for s in set(demo.subjects(RDF.type, None)):
        labels = [o for o in demo.objects(s, RDFS.label) if isinstance(o, Literal)]
        assert [lab.language for lab in labels] == ["en"], s


def test_services_products_offerings_have_lifecycle_status(demo: Graph) -> None:
    classes = [
        SVC.CustomerFacingService,
        SVC.BackendService,
        SVC.Product,
        SVC.ServiceSolution,
        SVC.ServicePackage,
    ]
    for cls in classes:
        for s in demo.subjects(RDF.type, cls):
            assert demo.value(s, SVC.lifecycleStatus) is not None, s
    statuses = set(demo.objects(None, SVC.lifecycleStatus))
    assert {CONCEPT.live, CONCEPT.retired, CONCEPT.development} <= statuses


def test_nothing_live_depends_on_a_retired_element(demo: Graph) -> None:
    """Retired elements are in the demo, but only retired elements still use them."""
    retired = set(demo.subjects(SVC.lifecycleStatus, CONCEPT.retired))
    assert retired
    for element in retired:
        for user, _, _ in demo.triples((None, None, element)):
            assert demo.value(user, SVC.lifecycleStatus) == CONCEPT.retired, (user, element)


def test_landscape_has_every_kind_of_element(demo: Graph) -> None:
    assert _count(demo, SVC.CustomerFacingService) >= 4
    assert _count(demo, SVC.BackendService) >= 12
    assert _count(demo, SVC.Product) >= 3
    assert _count(demo, SVC.Application) >= 5
    assert _count(demo, SVC.InfrastructureComponent) >= 4
    assert _count(demo, SVC.ServicePackage) >= 3
    assert _count(demo, SVC.ServiceLevelAgreement) >= 3
    assert _count(demo, SVC.OperationalLevelAgreement) >= 1
    assert _count(demo, SVC.UnderpinningContract) >= 1
    assert _count(demo, SVC.CustomerJourney) >= 3
    assert _count(demo, SVC.Capability) >= 4
    customers = set(demo.objects(None, SVC.consumer)) - {ID["nordlight-it"]}
    assert len(customers) >= 3
    for customer in customers:
        assert (None, SVC.journeyOf, customer) in demo, customer


def test_redundancy_group_and_single_point_of_failure(demo: Graph) -> None:
    group = ID["db-cluster"]
    assert set(demo.objects(group, SVC.member)) == {ID["db-server-1"], ID["db-server-2"]}
    assert demo.value(group, SVC.minimumRequired).toPython() == 1
    router = ID["core-router"]
    assert (None, SVC.member, router) not in demo
    assert len(set(demo.subjects(SVC.usesResource, router))) >= 3


def test_supplier_with_underpinning_contract(demo: Graph) -> None:
    uc = ID["uc-skyvault-datacentre"]
    assert (uc, RDF.type, SVC.UnderpinningContract) in demo
    assert demo.value(uc, SVC.supplier) == ID["skyvault-datacentres"]
    assert demo.value(uc, SVC.covers) is not None


def test_consumer_roles_held_in_context_of_agreements_and_offerings(demo: Graph) -> None:
    contexts: dict[URIRef, set[URIRef]] = {}
    for ra in demo.subjects(RDF.type, SVC.RoleAssignment):
        context = demo.value(ra, SVC.inContextOf)
        contexts.setdefault(demo.value(ra, SVC.role), set()).update(demo.objects(context, RDF.type))
    for role in ("customer", "user", "sponsor", "buyer", "payer"):
        kinds = contexts.get(CONCEPT[role], set())
        assert kinds & {SVC.ServiceLevelAgreement, SVC.ServicePackage, SVC.ServiceSolution}, role


def test_bands_of_visibility_on_relationships(demo: Graph) -> None:
    bands = list(demo.objects(None, SVC.hasBandOfVisibility))
    assert len(bands) >= 3
    for band in bands:
        assert len(set(demo.objects(band, SVC.visibleElement))) >= 3


def _ontology_terms() -> set[URIRef]:
    ontology = Graph().parse(ONTOLOGY_DIR / "svckg.ttl", format="turtle")
    return {s for s in ontology.subjects() if isinstance(s, URIRef)}


@pytest.mark.parametrize(
    "path",
    sorted(DATA_DIR.glob("*.ttl")) + sorted((DATA_DIR / "invalid").glob("*.ttl")),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_every_svc_term_used_is_declared(path: Path) -> None:
    """Catches typos such as svc:ownedby: an undeclared term would silently escape the shapes."""
    graph = Graph().parse(path, format="turtle")
    used = set(graph.predicates()) | set(graph.objects(None, RDF.type))
    used = {t for t in used if str(t).startswith(str(SVC))}
    assert used - _ontology_terms() == set()


def test_every_concept_used_by_the_demo_exists(demo: Graph) -> None:
    concepts = Graph().parse(ONTOLOGY_DIR / "concepts.ttl", format="turtle")
    used = {o for o in demo.objects() if str(o).startswith(str(CONCEPT))}
    assert used and used <= set(concepts.subjects())


def test_inverse_properties_are_never_asserted(demo: Graph) -> None:
    ontology = Graph().parse(ONTOLOGY_DIR / "svckg.ttl", format="turtle")
    inverses = set(ontology.objects(None, OWL.inverseOf))
    assert len(inverses) >= 10
    assert {p for p in demo.predicates() if p in inverses} == set()


def test_journey_steps_are_numbered_from_one(demo: Graph) -> None:
    for journey in demo.subjects(RDF.type, SVC.CustomerJourney):
        orders = sorted(
            demo.value(s, SVC.stepOrder).toPython() for s in demo.objects(journey, SVC.hasStep)
        )
        assert orders == list(range(1, len(orders) + 1)), journey
