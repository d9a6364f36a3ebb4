"""Fixtures of the analysis tests.

- ``mail``, ``make_store``, ``cycle_store``: small hand-written graphs on a mini ontology (only
  what the engine reads: dependency sub-properties, classes, layers): a mail service with a
  redundancy group, an agreement, a journey and a band of visibility. ``ex:runsOn`` is a
  sub-property of a sub-property of ``svc:dependsOn``: the engine must follow it because the
  ontology says so, not because it knows the name.
- ``demo`` (session, read-only) and ``fresh_demo`` (a private copy): the demo landscape loaded
  through the import pipeline by :func:`svckg.demo.load_demo`; ``disk_demo``: an on-disk copy
  of it (a closed directory, no index snapshot).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from svckg.store.embedded import EmbeddedStore
from svckg.vocab import ONTOLOGY_GRAPH

PREFIXES = """
@prefix svc: <https://w3id.org/svckg#> .
@prefix svcc: <https://w3id.org/svckg/concepts/> .
@prefix id: <https://w3id.org/svckg/id/> .
@prefix ex: <https://example.org/ext#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
"""

MINI_ONTOLOGY = (
    PREFIXES
    + """
svc:includesService rdfs:subPropertyOf svc:dependsOn .
svc:usesResource rdfs:subPropertyOf svc:dependsOn .
svc:offersService rdfs:subPropertyOf svc:dependsOn .
svc:covers rdfs:subPropertyOf svc:dependsOn .
svc:hasStep rdfs:subPropertyOf svc:dependsOn .
svc:hasTouchpoint rdfs:subPropertyOf svc:dependsOn .
svc:enabledBy rdfs:subPropertyOf svc:dependsOn .
svc:dependsOnGroup rdfs:subPropertyOf svc:dependsOn .
ex:runsOn rdfs:subPropertyOf svc:usesResource .

svc:Service a owl:Class ; svc:layer svcc:service-layer .
svc:CustomerFacingService a owl:Class ; rdfs:subClassOf svc:Service ; svc:layer svcc:service-layer .
svc:BackendService a owl:Class ; rdfs:subClassOf svc:Service ; svc:layer svcc:backend-layer .
svc:ServiceOffering a owl:Class ; svc:layer svcc:service-layer .
svc:Resource a owl:Class ; svc:layer svcc:resource-layer .
svc:Application a owl:Class ; rdfs:subClassOf svc:Resource .
svc:InfrastructureComponent a owl:Class ; rdfs:subClassOf svc:Resource .
svc:RedundancyGroup a owl:Class ; svc:layer svcc:resource-layer .
svc:Touchpoint a owl:Class ; svc:layer svcc:experience-layer .
ex:KioskTouchpoint a owl:Class ; rdfs:subClassOf svc:Touchpoint .
svc:JourneyStep a owl:Class ; svc:layer svcc:experience-layer .
svc:CustomerJourney a owl:Class ; svc:layer svcc:experience-layer .
svc:Agreement a owl:Class ; svc:layer svcc:stakeholder-layer .
svc:ServiceLevelAgreement a owl:Class ; rdfs:subClassOf svc:Agreement .

svcc:experience-layer skos:prefLabel "Experience layer"@en ; svc:layerOrder 0 .
svcc:service-layer skos:prefLabel "Service layer"@en ; svc:layerOrder 1 .
svcc:backend-layer skos:prefLabel "Backend layer"@en ; svc:layerOrder 2 .
svcc:resource-layer skos:prefLabel "Resource layer"@en ; svc:layerOrder 4 .
svcc:stakeholder-layer skos:prefLabel "Stakeholder layer"@en ; svc:layerOrder 6 .
svcc:user skos:prefLabel "user"@en .
svcc:service-consumer skos:prefLabel "service consumer"@en .
"""
)

MAIL_LANDSCAPE = (
    PREFIXES
    + """
id:cfs-mail a svc:CustomerFacingService ; rdfs:label "Mail"@en ;
    svc:includesService id:bes-mail ; svc:ownedBy id:alice .
id:bes-mail a svc:BackendService ; rdfs:label "Mail backend"@en ;
    svc:usesResource id:app-mail ; svc:dependsOnGroup id:db-group ; svc:ownedBy id:ops-team .
id:db-group a svc:RedundancyGroup ; rdfs:label "Mail databases"@en ;
    svc:member id:db1 , id:db2 ; svc:minimumRequired 1 .
id:app-mail a svc:Application ; rdfs:label "Mail server"@en ; ex:runsOn id:vm1 ;
    svc:ownedBy id:ops-team .
id:vm1 a svc:InfrastructureComponent ; rdfs:label "VM 1"@en .
id:db1 a svc:InfrastructureComponent ; rdfs:label "DB 1"@en .
id:db2 a svc:InfrastructureComponent ; rdfs:label "DB 2"@en .
id:mail-offering a svc:ServiceOffering ; rdfs:label "Mail offering"@en ;
    svc:offersService id:cfs-mail .
id:mail-sla a svc:ServiceLevelAgreement ; rdfs:label "Mail SLA"@en ;
    svc:covers id:mail-offering ; svc:target id:mail-availability .
id:mail-availability rdfs:label "Mail availability"@en ; svc:metric "availability" ;
    svc:targetValue "99.5"^^xsd:decimal ; svc:unit "%" .
id:webmail a ex:KioskTouchpoint ; rdfs:label "Webmail"@en ; svc:enabledBy id:cfs-mail .
id:read-mail a svc:JourneyStep ; rdfs:label "Read mail"@en ; svc:hasTouchpoint id:webmail .
id:mail-journey a svc:CustomerJourney ; rdfs:label "Mail journey"@en ; svc:hasStep id:read-mail .
id:acme-rel svc:provider id:nordlight ; svc:consumer id:acme ; svc:governedBy id:mail-sla ;
    svc:hasBandOfVisibility id:acme-band .
id:acme-band svc:visibleElement id:cfs-mail .
id:acme rdfs:label "Acme"@en .
id:bob-uses-mail svc:agent id:bob ; svc:role svcc:user ; svc:inContextOf id:mail-offering .
id:bob rdfs:label "Bob"@en .
id:alice rdfs:label "Alice"@en .
id:ops-team rdfs:label "Operations team"@en .
"""
)

CYCLE = (
    PREFIXES
    + """
id:a svc:usesResource id:b ; rdfs:label "A"@en .
id:b svc:usesResource id:c ; rdfs:label "B"@en .
id:c svc:usesResource id:a ; rdfs:label "C"@en .
id:d svc:usesResource id:c , id:a ; rdfs:label "D"@en .
"""
)


def load(store: EmbeddedStore, graph: str, turtle: str) -> None:
    """Load Turtle text into a named graph."""
    store.load(turtle.encode(), graph, format=ox.RdfFormat.TURTLE)


def mail_store(*extra: tuple[str, str]) -> EmbeddedStore:
    """An in-memory store with the mini ontology, the mail landscape and ``extra`` graphs."""
    store = EmbeddedStore(None)
    load(store, str(ONTOLOGY_GRAPH), MINI_ONTOLOGY)
    load(store, "https://w3id.org/svckg/graph/import/mail", MAIL_LANDSCAPE)
    for graph, turtle in extra:
        load(store, graph, turtle)
    return store


@pytest.fixture
def mail() -> Iterator[EmbeddedStore]:
    """The mail landscape on the mini ontology, in memory."""
    store = mail_store()
    yield store
    store.close()


@pytest.fixture
def make_store() -> Iterator[Callable[..., EmbeddedStore]]:
    """Factory: ``make_store((graph, turtle), ...)`` -> mail landscape plus extra graphs."""
    made: list[EmbeddedStore] = []

    def factory(*extra: tuple[str, str]) -> EmbeddedStore:
        made.append(mail_store(*extra))
        return made[-1]

    yield factory
    for store in made:
        store.close()


@pytest.fixture
def cycle_store() -> Iterator[EmbeddedStore]:
    """A dependency cycle a -> b -> c -> a, with d depending on c and a."""
    store = EmbeddedStore(None)
    load(store, str(ONTOLOGY_GRAPH), MINI_ONTOLOGY)
    load(store, "https://w3id.org/svckg/graph/import/cycle", CYCLE)
    yield store
    store.close()


@pytest.fixture(scope="session")
def demo(demo_store: EmbeddedStore) -> EmbeddedStore:
    """The demo landscape shared by the session (root ``demo_store``): do not write to it."""
    return demo_store


@pytest.fixture
def fresh_demo(fresh_demo_store: EmbeddedStore) -> EmbeddedStore:
    """A private copy of the demo landscape that a test may change."""
    return fresh_demo_store


@pytest.fixture
def disk_demo(demo_store: EmbeddedStore, tmp_path: Path) -> Iterator[Path]:
    """An on-disk copy of the demo landscape (closed: tests open it)."""
    path = tmp_path / "store"
    store = EmbeddedStore(path)
    store.engine.bulk_extend(demo_store.engine.quads_for_pattern(None, None, None, None))
    store.close()
    yield path
