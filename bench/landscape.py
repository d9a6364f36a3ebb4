"""Synthetic layered service landscape for benchmarks: deterministic, any size.

The landscape follows the svckg layers bottom-up: shared infrastructure hubs, then per
*portfolio unit* (one service domain of the provider) infrastructure, a redundancy group,
applications, products, backend services, customer-facing services, offerings, a solution
with packages, customers with relationships, agreements, service level targets, bands of
visibility, role assignments, and a customer journey whose touchpoints are enabled by the
customer-facing services. Units repeat until the target triple count is reached, so every
size has the same shape; shared hubs give impact queries a realistic fan-in (hub 0 is the
busiest).

Usage::

    python bench/landscape.py 1M -o /tmp/landscape-1m.nt          # N-Triples (fastest)
    python bench/landscape.py 100k -o /tmp/l.ttl --format turtle  # Turtle with prefixes
    python bench/landscape.py 5M -o /tmp/l5.nt --seed 7 --summary /tmp/l5.json

From Python (other benchmarks)::

    from bench.landscape import generate, write, hub_iri
    data = generate(100_000)            # N-Triples bytes
    summary = write("/tmp/l.nt", 1_000_000)

Same ``target`` and ``seed`` give byte-identical output.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

SVC = "https://w3id.org/svckg#"
CONCEPT = "https://w3id.org/svckg/concepts/"
ID = "https://w3id.org/svckg/id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"

# Concept IRIs used as values (ontology/concepts.ttl); one table so they are easy to align.
LIFECYCLE = {k: CONCEPT + k for k in ("live", "pipeline", "retired")}
LAYER = {
    "resource": CONCEPT + "resource-layer",
    "backend": CONCEPT + "backend-layer",
    "product": CONCEPT + "product-layer",
    "service": CONCEPT + "service-layer",
}
ROLES = [CONCEPT + r for r in ("customer", "user", "sponsor", "buyer", "payer")]
STAGES = [
    CONCEPT + s for s in ("explore", "engage", "offer", "agree", "onboard", "co-create", "realize")
]
REL_TYPES = [CONCEPT + t for t in ("basic", "cooperative", "partnership")]
CHANNELS = [CONCEPT + c for c in ("portal", "phone", "email", "on-site")]
AGREEMENT_FORM = CONCEPT + "agreement-based"

SHARED_HUBS = 24
"""Shared infrastructure components (data centres, networks, identity) every unit uses."""

PREFIXES = {
    "svc": SVC,
    "svcc": CONCEPT,
    "id": ID,
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def hub_iri(n: int = 0) -> str:
    """IRI of shared infrastructure hub ``n`` (0 has the most dependents).

    >>> hub_iri()
    'https://w3id.org/svckg/id/bench-hub-0'
    """
    return f"{ID}bench-hub-{n}"


def unit_iri(kind: str, unit: int, n: int = 0) -> str:
    """IRI of element ``n`` of ``kind`` (``infra``, ``app``, ``cfs``...) in portfolio unit ``unit``.

    >>> unit_iri("cfs", 3, 1)
    'https://w3id.org/svckg/id/bench-u3-cfs-1'
    """
    return f"{ID}bench-u{unit}-{kind}-{n}"


@dataclass
class Summary:
    """What was generated: sizes and a few anchor IRIs for queries."""

    target: int
    seed: int
    triples: int = 0
    units: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    """Instances per class local name."""
    hub_dependents: dict[str, int] = field(default_factory=dict)
    """Direct ``svc:dependsOn`` dependents of each shared hub."""
    sample: dict[str, str] = field(default_factory=dict)
    """One IRI per kind (from unit 0), for parameterised queries."""


class _Emitter:
    """Builds N-Triples lines and keeps the counts."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.types: Counter[str] = Counter()

    def node(self, iri: str, cls: str, label: str) -> None:
        self.lines.append(f"<{iri}> <{RDF_TYPE}> <{SVC}{cls}> .\n")
        self.lines.append(f'<{iri}> <{RDFS_LABEL}> "{label}"@en .\n')
        self.types[cls] += 1

    def rel(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"<{s}> <{SVC}{p}> <{o}> .\n")

    def lit(self, s: str, p: str, value: str) -> None:
        self.lines.append(f'<{s}> <{SVC}{p}> "{value}" .\n')

    def num(self, s: str, p: str, value: object, datatype: str = XSD_INTEGER) -> None:
        self.lines.append(f'<{s}> <{SVC}{p}> "{value}"^^<{datatype}> .\n')


def _shared(e: _Emitter) -> None:
    provider = ID + "bench-provider"
    e.node(provider, "Organization", "Benchmark Provider Ltd")
    ops = ID + "bench-team-ops"
    e.node(ops, "Team", "Core Operations")
    kinds = ("Data centre", "Core network", "Identity platform", "Storage cluster")
    for h in range(SHARED_HUBS):
        iri = hub_iri(h)
        e.node(iri, "InfrastructureComponent", f"{kinds[h % len(kinds)]} {h}")
        e.rel(iri, "ownedBy", ops)
        e.rel(iri, "lifecycleStatus", LIFECYCLE["live"])
        e.rel(iri, "layer", LAYER["resource"])


def _pick_hub(rng: random.Random) -> int:
    # Skewed: hub 0 takes ~1/3 of all hub edges, the rest spread geometrically.
    h = 0
    while rng.random() < 0.66 and h < SHARED_HUBS - 1:
        h += 1 if rng.random() < 0.5 else 2
    return min(h, SHARED_HUBS - 1)


@dataclass
class _Unit:
    """One business unit being emitted: its number, the shared random source and hub counts.

    The sections are emitted in a fixed order: the random draws (and so the data) depend on it.
    """

    e: _Emitter
    u: int
    rng: random.Random
    hub_edges: Counter[str]

    def iri(self, kind: str, n: int = 0) -> str:
        return unit_iri(kind, self.u, n)

    def status(self) -> str:
        r = self.rng.random()
        return LIFECYCLE["live"] if r < 0.9 else LIFECYCLE["pipeline" if r < 0.96 else "retired"]

    def owned_element(self, iri: str, cls: str, label: str, owner: str, layer: str) -> None:
        """An element with its owner, a lifecycle status and its layer."""
        self.e.node(iri, cls, label)
        self.e.rel(iri, "ownedBy", owner)
        self.e.rel(iri, "lifecycleStatus", self.status())
        self.e.rel(iri, "layer", LAYER[layer])


def _people(unit: _Unit) -> tuple[list[str], list[str]]:
    """The unit's domain, teams and people: (teams, people)."""
    e, u, iri = unit.e, unit.u, unit.iri
    domain = iri("domain")
    e.node(domain, "ServiceDomain", f"Domain {u}")
    e.rel(domain, "ownedBy", ID + "bench-provider")
    teams = [iri("team", t) for t in range(2)]
    people = [iri("person", p) for p in range(4)]
    for t, team in enumerate(teams):
        e.node(team, "Team", f"Team {u}.{t}")
    for p, person in enumerate(people):
        e.node(person, "Person", f"Person {u}.{p}")
    return teams, people


def _resources(unit: _Unit, teams: list[str]) -> list[str]:
    """Servers (each on a shared hub), a redundancy group and applications: the apps."""
    e, u, iri = unit.e, unit.u, unit.iri
    infra = [iri("infra", i) for i in range(6)]
    for i, node in enumerate(infra):
        unit.owned_element(node, "InfrastructureComponent", f"Server {u}.{i}", teams[0], "resource")
        hub = hub_iri(_pick_hub(unit.rng))
        e.rel(node, "dependsOn", hub)
        unit.hub_edges[hub] += 1

    group = iri("group")
    e.node(group, "RedundancyGroup", f"Cluster {u}")
    e.rel(group, "member", infra[4])
    e.rel(group, "member", infra[5])
    e.num(group, "minimumRequired", 1)

    apps = [iri("app", a) for a in range(8)]
    for a, app in enumerate(apps):
        unit.owned_element(app, "Application", f"Application {u}.{a}", teams[a % 2], "resource")
        e.rel(app, "dependsOn", infra[a % 4])
        if a % 3 == 0:
            e.rel(app, "dependsOnGroup", group)
        else:
            e.rel(app, "dependsOn", infra[(a + 1) % 4])
    return apps


def _services(
    unit: _Unit, teams: list[str], people: list[str], apps: list[str]
) -> tuple[list[str], list[str]]:
    """Products, backend and customer-facing services: (products, customer-facing services)."""
    e, u, iri, rng = unit.e, unit.u, unit.iri, unit.rng
    products = [iri("product", p) for p in range(4)]
    for p, product in enumerate(products):
        unit.owned_element(product, "Product", f"Product {u}.{p}", people[p % 4], "product")
        e.rel(product, "usesResource", apps[2 * p])
        e.rel(product, "usesResource", apps[2 * p + 1])

    backend = [iri("bes", b) for b in range(6)]
    for b, bes in enumerate(backend):
        unit.owned_element(
            bes, "BackendService", f"Backend service {u}.{b}", teams[b % 2], "backend"
        )
        e.rel(bes, "usesResource", apps[b])
        e.rel(bes, "usesResource", apps[(b + 3) % 8])
        e.rel(bes, "includesProduct", products[b % 4])
        if rng.random() < 0.15 and u > 0:  # a few cross-unit dependencies
            other = rng.randrange(u)
            e.rel(bes, "usesResource", unit_iri("app", other, rng.randrange(8)))

    cfs_list = [iri("cfs", c) for c in range(3)]
    for c, cfs in enumerate(cfs_list):
        label = f"Customer service {u}.{c}"
        unit.owned_element(cfs, "CustomerFacingService", label, people[c], "service")
        for b in (2 * c, 2 * c + 1, (2 * c + 2) % 6):
            e.rel(cfs, "includesService", backend[b])
        e.rel(cfs, "includesProduct", products[c])
    return products, cfs_list


def _catalogue(
    unit: _Unit, people: list[str], products: list[str], cfs_list: list[str]
) -> list[str]:
    """The solution with its packages, and the offerings: the offerings."""
    e, u, iri = unit.e, unit.u, unit.iri
    solution = iri("solution")
    e.node(solution, "ServiceSolution", f"Solution {u}")
    e.rel(solution, "ownedBy", people[0])
    e.rel(iri("domain"), "hasSolution", solution)
    e.lit(solution, "serviceCategory", ("Workplace", "Hosting", "Business apps")[u % 3])
    e.lit(solution, "costCenter", f"CC-{1000 + u}")
    packages = [iri("package", k) for k in range(2)]
    for k, package in enumerate(packages):
        e.node(package, "ServicePackage", f"Package {u}.{k}")
        e.rel(solution, "hasPackage", package)
        e.rel(package, "offersService", cfs_list[k])
        e.rel(package, "offersService", cfs_list[2])

    offerings = [iri("offering", o) for o in range(2)]
    for o, offering in enumerate(offerings):
        e.node(offering, "ServiceOffering", f"Offering {u}.{o}")
        e.rel(offering, "lifecycleStatus", unit.status())
        e.rel(offering, "offersService", cfs_list[o])
        e.rel(offering, "includesProduct", products[o + 2])
    return offerings


def _customer(unit: _Unit, k: int, offerings: list[str], cfs_list: list[str]) -> None:
    """Customer ``k``: its SLA with two targets, the relationship, band and role assignments."""
    e, u, iri = unit.e, unit.u, unit.iri
    customer = iri("customer", k)
    e.node(customer, "Organization", f"Customer {u}.{k}")
    sla = iri("sla", k)
    e.node(sla, "ServiceLevelAgreement", f"SLA {u}.{k}")
    e.rel(sla, "covers", offerings[k % 2])
    e.rel(sla, "agreementForm", AGREEMENT_FORM)
    for t in range(2):
        slt = iri(f"slt{k}", t)
        e.node(slt, "ServiceLevelTarget", f"Target {u}.{k}.{t}")
        e.rel(sla, "target", slt)
        e.lit(slt, "metric", ("availability", "max interruptions")[t])
        e.num(slt, "targetValue", ("99.5", "3")[t], XSD_DECIMAL)
    rel = iri("relationship", k)
    e.node(rel, "ServiceRelationship", f"Relationship {u}.{k}")
    e.rel(rel, "provider", ID + "bench-provider")
    e.rel(rel, "consumer", customer)
    e.rel(rel, "governedBy", sla)
    e.rel(rel, "relationshipType", REL_TYPES[unit.rng.randrange(3)])
    band = iri("band", k)
    e.node(band, "BandOfVisibility", f"Band {u}.{k}")
    e.rel(rel, "hasBandOfVisibility", band)
    e.rel(band, "visibleElement", cfs_list[k])
    e.rel(band, "visibleElement", iri("touchpoint", k))
    for r in range(2):
        person = iri(f"contact{k}", r)
        e.node(person, "Person", f"Contact {u}.{k}.{r}")
        ra = iri(f"role{k}", r)
        e.node(ra, "RoleAssignment", f"Role {u}.{k}.{r}")
        e.rel(ra, "agent", person)
        e.rel(ra, "role", ROLES[(k + r) % len(ROLES)])
        e.rel(ra, "inContextOf", sla)


def _journey(unit: _Unit, cfs_list: list[str]) -> None:
    e, u, iri = unit.e, unit.u, unit.iri
    journey = iri("journey")
    e.node(journey, "CustomerJourney", f"Journey {u}")
    for s in range(4):
        step = iri("step", s)
        e.node(step, "JourneyStep", f"Step {u}.{s}")
        e.rel(journey, "hasStep", step)
        e.rel(step, "journeyStage", STAGES[(s * 2) % len(STAGES)])
        e.num(step, "stepOrder", s + 1)
        tp = iri("touchpoint", s)
        e.node(tp, "Touchpoint", f"Touchpoint {u}.{s}")
        e.rel(step, "hasTouchpoint", tp)
        e.rel(tp, "enabledBy", cfs_list[s % 3])
        e.rel(tp, "channel", CHANNELS[s % len(CHANNELS)])


def _unit(e: _Emitter, u: int, rng: random.Random, hub_edges: Counter[str]) -> None:
    """Every element of business unit ``u``, section by section."""
    unit = _Unit(e, u, rng, hub_edges)
    teams, people = _people(unit)
    apps = _resources(unit, teams)
    products, cfs_list = _services(unit, teams, people, apps)
    offerings = _catalogue(unit, people, products, cfs_list)
    for k in range(3):
        _customer(unit, k, offerings, cfs_list)
    _journey(unit, cfs_list)


def iter_ntriples(target: int, seed: int = 42, summary: Summary | None = None) -> Iterator[str]:
    """N-Triples lines of a landscape of about ``target`` triples (whole units, never fewer).

    >>> lines = list(iter_ntriples(2_000))
    >>> len(lines) >= 2_000 and lines == list(iter_ntriples(2_000))
    True
    """
    rng = random.Random(seed)
    summary = summary if summary is not None else Summary(target=target, seed=seed)
    hub_edges: Counter[str] = Counter()
    e = _Emitter()
    _shared(e)
    emitted = 0
    u = 0
    while emitted < target:
        _unit(e, u, rng, hub_edges)
        u += 1
        emitted += len(e.lines)
        yield from e.lines
        e.lines = []
    summary.triples, summary.units = emitted, u
    summary.counts = dict(sorted(e.types.items()))
    summary.hub_dependents = {h: hub_edges[h] for h in map(hub_iri, range(SHARED_HUBS))}
    summary.sample = {
        k: unit_iri(k, 0)
        for k in (
            "infra",
            "app",
            "product",
            "bes",
            "cfs",
            "offering",
            "sla",
            "touchpoint",
            "journey",
            "customer",
            "group",
        )
    }
    summary.sample["hub"] = hub_iri(0)


def generate(target: int, seed: int = 42) -> bytes:
    """The whole landscape as N-Triples bytes (fine up to a few million triples)."""
    return "".join(iter_ntriples(target, seed)).encode()


def write(path: str | Path, target: int, seed: int = 42, fmt: str = "ntriples") -> Summary:
    """Write the landscape to ``path`` as ``ntriples`` or ``turtle``; return its summary."""
    summary = Summary(target=target, seed=seed)
    path = Path(path)
    if fmt == "ntriples":
        with path.open("w", encoding="utf-8") as out:
            buf: list[str] = []
            for line in iter_ntriples(target, seed, summary):
                buf.append(line)
                if len(buf) >= 100_000:
                    out.write("".join(buf))
                    buf.clear()
            out.write("".join(buf))
    elif fmt == "turtle":
        import pyoxigraph as ox

        triples = ox.parse(
            "".join(iter_ntriples(target, seed, summary)), format=ox.RdfFormat.N_TRIPLES
        )
        ox.serialize((q.triple for q in triples), str(path), ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    else:
        raise ValueError(f"unknown format {fmt!r}: use ntriples or turtle")
    return summary


def parse_size(text: str) -> int:
    """``100k``, ``1M``, ``5M`` or a plain number.

    >>> parse_size("100k"), parse_size("1M"), parse_size("2500")
    (100000, 1000000, 2500)
    """
    t = text.strip().lower().replace("_", "")
    factor = {"k": 1_000, "m": 1_000_000}.get(t[-1:], 1)
    return int(float(t[:-1] if factor > 1 else t) * factor)


def main(argv: list[str] | None = None) -> int:
    """Command line: write a landscape file and print (or save) its summary."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("size", help="target triples: 100k, 1M, 5M or a number")
    ap.add_argument("-o", "--output", required=True, help="output file")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument(
        "--format",
        choices=("ntriples", "turtle"),
        default=None,
        help="default: from the extension (.ttl -> turtle), else ntriples",
    )
    ap.add_argument("--summary", help="also write the summary as JSON here")
    args = ap.parse_args(argv)
    fmt = args.format or ("turtle" if args.output.endswith(".ttl") else "ntriples")
    t0 = time.perf_counter()
    summary = write(args.output, parse_size(args.size), args.seed, fmt)
    elapsed = time.perf_counter() - t0
    text = json.dumps(asdict(summary), indent=2)
    if args.summary:
        Path(args.summary).write_text(text + "\n", encoding="utf-8")
    print(
        f"{summary.triples} triples in {summary.units} units -> {args.output} ({elapsed:.1f} s)",
        file=sys.stderr,
    )
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
