"""ontology/concepts.ttl: the fixed concept names, their schemes, labels and layer order."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from svckg.vocab import CONCEPT, SVC

REQUIRED = {
    "StakeholderRoles": "customer user sponsor buyer payer consumer service-owner product-owner "
    "solution-owner lead-architect supplier partner",
    "ArchitectureLayers": "experience-layer service-layer backend-layer product-layer "
    "resource-layer capability-layer stakeholder-layer",
    "LifecycleStatuses": "pipeline live retired",
    "JourneyStages": "explore engage offer agree onboard co-create realize get-information buy "
    "deliver use add-ons maintenance disposal",
    "RelationshipTypes": "basic cooperative partnership",
    "AgreementForms": "obligation-based agreement-based promise-based social-rules",
    "CapabilityAreas": "people-and-knowledge processes technologies information",
    "Channels": "portal phone email on-site chat mobile-app",
}
LAYER_ORDER = {
    "experience-layer": 0,
    "service-layer": 1,
    "backend-layer": 2,
    "product-layer": 3,
    "resource-layer": 4,
    "capability-layer": 5,
    "stakeholder-layer": 6,
}


@pytest.mark.parametrize("scheme", sorted(REQUIRED))
def test_required_concepts_in_scheme(concepts: Graph, scheme: str) -> None:
    iri = CONCEPT[scheme]
    assert (iri, RDF.type, SKOS.ConceptScheme) in concepts
    members = set(concepts.subjects(SKOS.inScheme, iri))
    missing = {CONCEPT[n] for n in REQUIRED[scheme].split()} - members
    assert not missing


def test_every_concept_has_scheme_label_definition(concepts: Graph) -> None:
    all_concepts = set(concepts.subjects(RDF.type, SKOS.Concept))
    assert len(all_concepts) > 60
    for c in all_concepts:
        assert str(c).startswith(str(CONCEPT)) and "/" not in str(c)[len(str(CONCEPT)) :]
        assert list(concepts.objects(c, SKOS.inScheme)), c
        for p in (SKOS.prefLabel, SKOS.definition):
            values = [o for o in concepts.objects(c, p) if isinstance(o, Literal)]
            assert [v.language for v in values] == ["en"], (c, p)


def test_layer_order(concepts: Graph) -> None:
    for name, order in LAYER_ORDER.items():
        assert concepts.value(CONCEPT[name], SVC.layerOrder).toPython() == order


def test_pipeline_narrower_statuses(concepts: Graph) -> None:
    for name in ("ideation", "development"):
        assert (CONCEPT[name], SKOS.broader, CONCEPT.pipeline) in concepts
        assert (CONCEPT[name], SKOS.inScheme, CONCEPT.LifecycleStatuses) in concepts


def test_channels_are_channel_instances(concepts: Graph) -> None:
    for name in REQUIRED["Channels"].split():
        assert (CONCEPT[name], RDF.type, SVC.Channel) in concepts


def test_journey_stage_collections_are_ordered(concepts: Graph) -> None:
    def members(collection: URIRef) -> list[str]:
        head = concepts.value(collection, SKOS.memberList)
        return [str(c)[len(str(CONCEPT)) :] for c in concepts.items(head)]

    assert members(CONCEPT.ITILJourneySteps) == REQUIRED["JourneyStages"].split()[:7]
    assert members(CONCEPT.ServitizationStages) == REQUIRED["JourneyStages"].split()[7:]
