"""Property test: random small landscapes with two consumers (one an organization, the other an
organization or a person). The expected scope of each consumer is worked out here from how the
landscape was generated (not by :mod:`svckg.analysis.scope`), and no answer to a consumer token,
on any consumer route, names an IRI or label outside it.

Also the "via the provider's internal services" step: a touchpoint enabled by a hidden
application that uses a service in the band keeps its chain, the hidden run shown as one step.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svckg.analysis.scope import scope_of
from svckg.api.app import create_app
from svckg.config import Settings
from svckg.ingest.base import SourceFile
from svckg.ingest.pipeline import import_sources
from svckg.store.embedded import EmbeddedStore

sys.path.insert(0, str(Path(__file__).parent))
from scopekit import Consumer, leaks  # noqa: E402

ID = "https://w3id.org/svckg/id/"
SVC = "https://w3id.org/svckg#"
PREFIXES = (
    f"@prefix svc: <{SVC}> .\n@prefix id: <{ID}> .\n"
    "@prefix svcc: <https://w3id.org/svckg/concepts/> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
)


@dataclass
class Landscape:
    """Turtle lines, every element, and each consumer's expected full and named elements."""

    lines: list[str] = field(default_factory=list)
    elements: set[str] = field(default_factory=set)
    full: dict[str, set[str]] = field(default_factory=dict)
    named: dict[str, set[str]] = field(default_factory=dict)

    def add(self, local: str, cls: str, *props: str) -> str:
        self.elements.add(ID + local)
        body = " ; ".join((f"a svc:{cls}", f'rdfs:label "Name({local})"@en', *props))
        self.lines.append(f"id:{local} {body} .")
        return local

    def turtle(self) -> bytes:
        return (PREFIXES + "\n".join(self.lines) + "\n").encode()


def _pick(draw: st.DrawFn, items: list[str], least: int = 0) -> list[str]:
    if not items:
        return []
    return draw(st.lists(st.sampled_from(items), min_size=least, max_size=len(items), unique=True))


def _ids(items: list[str]) -> str:
    return ", ".join(f"id:{i}" for i in items)


def _services(
    draw: st.DrawFn, land: Landscape
) -> tuple[list[str], list[str], list[str], list[str]]:
    apps = [land.add(f"app-{i}", "Application") for i in range(draw(st.integers(1, 3)))]
    backends = []
    for i in range(draw(st.integers(1, 3))):
        uses = _pick(draw, apps, 1)
        backends.append(land.add(f"be-{i}", "BackendService", f"svc:usesResource {_ids(uses)}"))
    land.add("owner-1", "Person")
    cfs = []
    for i in range(draw(st.integers(1, 3))):
        parts = _pick(draw, backends, 1)
        cfs.append(
            land.add(
                f"cfs-{i}",
                "CustomerFacingService",
                f"svc:includesService {_ids(parts)}",
                "svc:ownedBy id:owner-1",
            )
        )
    offerings = []
    for i in range(draw(st.integers(1, 3))):
        offered = _pick(draw, cfs + backends, 1)
        offerings.append(
            land.add(f"off-{i}", "ServiceOffering", f"svc:offersService {_ids(offered)}")
        )
    return apps, backends, cfs, offerings


def _consumer(
    draw: st.DrawFn, land: Landscape, name: str, person: bool, services: tuple[list[str], ...]
) -> None:
    apps, backends, cfs, offerings = services
    iri = ID + name
    full, named = {iri}, {ID + "prov"}
    land.add(name, "Person" if person else "Organization")
    members = [] if person else [f"{name}-p{i}" for i in range(draw(st.integers(0, 2)))]
    for m in members:
        full.add(ID + land.add(m, "Person", f"svc:memberOf id:{name}"))
    agreements = []
    for j in range(draw(st.integers(1, 2))):
        covered = _pick(draw, offerings + cfs, 1)
        target = land.add(f"{name}-t{j}", "ServiceLevelTarget")
        agreements.append(
            land.add(
                f"{name}-ag{j}",
                "ServiceLevelAgreement",
                f"svc:covers {_ids(covered)}",
                f"svc:target id:{target}",
            )
        )
        full |= {ID + target, *(ID + c for c in covered)}
        for c in covered:
            if c.startswith("off-"):
                offered = [x for x in cfs if f"id:{x}" in _offers(land, c)]
                full |= {ID + x for x in offered}
    full |= {ID + a for a in agreements}
    for k, agent in enumerate([name, *members]):
        ra = land.add(
            f"{name}-ra{k}",
            "RoleAssignment",
            f"svc:agent id:{agent}",
            "svc:role svcc:user",
            f"svc:inContextOf id:{agreements[0]}",
        )
        full.add(ID + ra)
    touchpoints, steps = [], []
    for k in range(draw(st.integers(1, 2))):
        enabler = draw(st.sampled_from(cfs + backends + apps))
        touchpoints.append(
            land.add(
                f"{name}-tp{k}",
                "Touchpoint",
                "svc:channel svcc:portal",
                f"svc:enabledBy id:{enabler}",
            )
        )
        steps.append(
            land.add(
                f"{name}-s{k}",
                "JourneyStep",
                "svc:journeyStage svcc:use",
                f"svc:stepOrder {k + 1}",
                f"svc:hasTouchpoint id:{touchpoints[-1]}",
            )
        )
    journey = land.add(
        f"{name}-j", "CustomerJourney", f"svc:journeyOf id:{name}", f"svc:hasStep {_ids(steps)}"
    )
    full |= {ID + x for x in (*touchpoints, *steps, journey)}
    band = _pick(draw, cfs + backends + apps + touchpoints)
    band_props = [f"svc:visibleElement {_ids(band)}"] if band else []
    land.add(f"{name}-band", "BandOfVisibility", *band_props)
    land.add(
        f"rel-{name}",
        "ServiceRelationship",
        "svc:provider id:prov",
        f"svc:consumer id:{name}",
        f"svc:governedBy {_ids(agreements)}",
        f"svc:hasBandOfVisibility id:{name}-band",
    )
    full |= {ID + f"{name}-band", ID + f"rel-{name}"}
    named |= {ID + b for b in band}
    land.full[iri], land.named[iri] = full, named - full


def _offers(land: Landscape, offering: str) -> str:
    return next(line for line in land.lines if line.startswith(f"id:{offering} "))


@st.composite
def landscapes(draw: st.DrawFn) -> Landscape:
    land = Landscape()
    land.add("prov", "Organization")
    services = _services(draw, land)
    _consumer(draw, land, "cons-a", False, services)
    _consumer(draw, land, "cons-b", draw(st.booleans()), services)
    return land


@contextmanager
def served(land: Landscape) -> Iterator[tuple[TestClient, EmbeddedStore]]:
    store = EmbeddedStore(None)
    import_sources(
        store, [SourceFile("landscape.ttl", land.turtle())], validate=False, agent="test"
    )
    tokens = f"tok-a:consumer:{ID}cons-a,tok-b:consumer:{ID}cons-b"
    app = create_app(Settings(store=":memory:", tokens=tokens, read_requires_token=True), store)
    with TestClient(app) as client:
        yield client, store
    store.close()


ANY_STEP = "<urn:x>|!<urn:x>|^<urn:x>|!^<urn:x>"
"""A property path step along any predicate, either way."""


def _answers(
    client: TestClient, token: str, land: Landscape, consumer: str
) -> Iterator[httpx.Response]:
    headers = {"authorization": f"Bearer {token}"}
    visible = sorted(land.full[consumer] | land.named[consumer])
    hidden = sorted(land.elements - set(visible))
    sparql = [
        (
            "CONSTRUCT { ?s ?p ?o } WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
            "application/n-triples",
        ),
        (
            f"SELECT DISTINCT ?x WHERE {{ <{consumer}> ({ANY_STEP})* ?x }}",
            "application/sparql-results+json",
        ),
        ("DESCRIBE " + " ".join(f"<{h}>" for h in hidden), "application/n-triples"),
    ]
    for query, accept in sparql:
        yield client.get("/sparql", params={"query": query}, headers={**headers, "accept": accept})
    yield client.get(
        "/rdf-graphs",
        params={"default": ""},
        headers={**headers, "accept": "application/n-triples"},
    )
    yield client.get("/api/ui/search", params={"q": "Name", "limit": "100"}, headers=headers)
    yield client.get("/api/ui/catalogue/cfs", headers=headers)
    ids = ", ".join(f'"{h}"' for h in hidden)
    gql = (
        f"{{ nodes(ids: [{ids}]) {{ id }} "
        "services(first: 100) { edges { node { id label } } } "
        "people(first: 100) { edges { node { id label } } } }"
    )
    yield client.post("/graphql", json={"query": gql}, headers=headers)
    for element in visible:
        yield client.get("/api/impact", params={"element": element, "paths": "3"}, headers=headers)
        yield client.get("/api/trace", params={"element": element}, headers=headers)
        yield client.get("/api/ui/neighbours", params={"iri": element}, headers=headers)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(landscapes())
def test_no_answer_to_a_consumer_names_anything_outside_its_view(land: Landscape) -> None:
    with served(land) as (client, store):
        state = client.app.state.svckg
        for token, name in (("tok-a", "cons-a"), ("tok-b", "cons-b")):
            consumer = ID + name
            expected = land.full[consumer] | land.named[consumer]
            scope = scope_of(store, consumer)
            assert scope.full == land.full[consumer]
            assert scope.named == land.named[consumer]
            view = state.views.view(store, consumer)
            hidden = frozenset(land.elements - expected)
            labels = frozenset(f"Name({h[len(ID) :]})" for h in hidden)
            who = Consumer(consumer, token, view, hidden, labels)
            for answer in _answers(client, token, land, consumer):
                assert answer.status_code == 200, (answer.url, answer.text[:300])
                assert not leaks(answer.text, who), (answer.url, leaks(answer.text, who))
            ids = ", ".join(f'"{h}"' for h in hidden)
            nodes = client.post(
                "/graphql",
                json={"query": f"{{ nodes(ids: [{ids}]) {{ id }} }}"},
                headers={"authorization": f"Bearer {token}"},
            ).json()
            assert nodes["data"]["nodes"] == [None] * len(hidden)


def test_a_chain_through_internal_services_is_one_step() -> None:
    land = Landscape()
    land.add("prov", "Organization")
    land.add("portal", "CustomerFacingService")
    land.add("db", "InfrastructureComponent")
    land.add("api", "Application", "svc:usesResource id:db")
    land.add("gateway", "Application", "svc:usesResource id:api")
    land.add("acme", "Organization")
    land.add("tp", "Touchpoint", "svc:channel svcc:portal", "svc:enabledBy id:gateway")
    land.add(
        "s",
        "JourneyStep",
        "svc:journeyStage svcc:use",
        "svc:stepOrder 1",
        "svc:hasTouchpoint id:tp",
    )
    land.add("j", "CustomerJourney", "svc:journeyOf id:acme", "svc:hasStep id:s")
    land.add("band", "BandOfVisibility", "svc:visibleElement id:portal, id:db")
    land.add(
        "rel",
        "ServiceRelationship",
        "svc:provider id:prov",
        "svc:consumer id:acme",
        "svc:hasBandOfVisibility id:band",
    )
    tokens = f"tok:consumer:{ID}acme"
    store = EmbeddedStore(None)
    import_sources(store, [SourceFile("l.ttl", land.turtle())], validate=False, agent="test")
    app = create_app(Settings(store=":memory:", tokens=tokens, read_requires_token=True), store)
    with TestClient(app) as client:
        headers = {"authorization": "Bearer tok"}
        answer = client.get("/api/impact", params={"element": ID + "db"}, headers=headers).json()
        touchpoint = next(e for e in answer["impacted"] if e["iri"] == ID + "tp")
        assert touchpoint["paths"] == [[{"s": ID + "tp", "p": SVC + "dependsOn", "o": ID + "db"}]]
        assert touchpoint["distance"] == 1
        assert {e["iri"] for e in answer["impacted"]} == {ID + x for x in ("tp", "s", "j")}
        reader_view = client.get("/api/ui/impact", params={"element": ID + "db"}, headers=headers)
        assert "gateway" not in reader_view.text and "Name(api)" not in reader_view.text
        traced = client.get("/api/trace", params={"element": ID + "tp"}, headers=headers).json()
        shown = {e["iri"]: e["path"] for layer in traced["layers"] for e in layer["elements"]}
        assert shown == {ID + "db": [{"s": ID + "tp", "p": SVC + "dependsOn", "o": ID + "db"}]}
    store.close()
