"""Namespaces, graph names and the contract terms of the svckg vocabulary.

The one place for vocabulary IRIs in Python code; ``tests/ontology`` checks every
term here exists in ``ontology/svckg.ttl``.
"""

from __future__ import annotations

from rdflib import Namespace

from svckg import namespaces
from svckg.namespaces import PREFIXES

SVC = Namespace(namespaces.SVC)
"""The ontology namespace (prefix ``svc:``)."""
CONCEPT = Namespace(namespaces.CONCEPT)
"""SKOS concepts and concept schemes (prefix ``svcc:``)."""
SVCSH = Namespace(namespaces.SVCSH)
"""Shapes (prefix ``svcsh:``)."""
ID = Namespace(namespaces.ID)
"""Resources minted by svckg (prefix ``id:``); served under ``/id/``."""
GRAPH = Namespace(namespaces.GRAPH)
"""Named graphs that svckg manages."""
ARCHIMATE = Namespace(namespaces.ARCHIMATE)
"""ArchiMate element and relationship types (prefix ``archimate:``)."""
MAPPING = Namespace(namespaces.MAPPING)
"""The ArchiMate mapping vocabulary of ``ontology/alignments.ttl`` (prefix ``svcm:``)."""

ONTOLOGY_GRAPH = GRAPH["ontology"]
CONCEPTS_GRAPH = GRAPH["concepts"]
ALIGNMENTS_GRAPH = GRAPH[namespaces.ALIGNMENTS_GRAPH.removeprefix(namespaces.GRAPH)]
PROVENANCE_GRAPH = GRAPH[namespaces.PROVENANCE_GRAPH.removeprefix(namespaces.GRAPH)]
"""PROV-O records of every import."""
SYSTEM_GRAPH = GRAPH["system"]
"""svckg's own bookkeeping (checksums of the system graphs)."""
VOCABULARY_GRAPHS = (str(ONTOLOGY_GRAPH), str(CONCEPTS_GRAPH), str(ALIGNMENTS_GRAPH))
"""The graphs every store holds from the package's own files (ontology, concepts, alignments)."""

PREFIXES = PREFIXES  # re-exported: their home is svckg.namespaces (no rdflib)


def sparql_prefixes() -> str:
    """PREFIX lines for every namespace above.

    >>> "PREFIX svc: <https://w3id.org/svckg#>" in sparql_prefixes()
    True
    """
    return "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items()) + "\n"


CONTRACT_CLASSES = [
    "Organization",
    "Person",
    "Team",
    "RoleAssignment",
    "ServiceRelationship",
    "Service",
    "CustomerFacingService",
    "BackendService",
    "Product",
    "ServiceOffering",
    "ServiceDomain",
    "ServiceSolution",
    "ServicePackage",
    "ServiceFeature",
    "Resource",
    "Application",
    "InfrastructureComponent",
    "InformationAsset",
    "Process",
    "ValueStream",
    "Capability",
    "Agreement",
    "ServiceLevelAgreement",
    "OperationalLevelAgreement",
    "UnderpinningContract",
    "ServiceLevelTarget",
    "CustomerJourney",
    "JourneyStep",
    "Touchpoint",
    "ServiceInteraction",
    "Channel",
    "Persona",
    "CustomerSegment",
    "BandOfVisibility",
    "RedundancyGroup",
    "Outcome",
    "Risk",
    "Cost",
    # second wave (issue 20)
    "ValueProposition",
    "Measurement",
    "Feedback",
    "Price",
]
"""Class local names of the public vocabulary contract (DOMAIN.md section 2)."""

DEPENDENCY_PROPERTIES = [
    "includesService",
    "includesProduct",
    "usesResource",
    "offersService",
    "covers",
    "hasStep",
    "hasTouchpoint",
    "enabledBy",
    "realizedBy",
    "dependsOnGroup",
    # second wave (issue 20)
    "atTouchpoint",
    "deliveredBy",
    "requiresCapability",
]
"""Contract sub-properties of ``svc:dependsOn`` (dependent -> what it needs)."""

CONTRACT_PROPERTIES = ["dependsOn", *DEPENDENCY_PROPERTIES] + [
    "member",
    "minimumRequired",
    "ownedBy",
    "provider",
    "consumer",
    "governedBy",
    "agent",
    "role",
    "inContextOf",
    "hasBandOfVisibility",
    "visibleElement",
    "journeyStage",
    "stepOrder",
    "lifecycleStatus",
    "serviceCategory",
    "costCenter",
    "layer",
    "target",
    "metric",
    "targetValue",
    # second wave (issue 20)
    "hasValueProposition",
    "targets",
    "measures",
    "observedValue",
    "observedAt",
    "about",
    "givenBy",
    "hasPrice",
    "commitsTo",
]
"""Property local names of the public vocabulary contract."""
