"""The ArchiMate <-> svckg mapping, read from ``ontology/alignments.ttl`` (the one place it
lives) and the class hierarchy of ``ontology/svckg.ttl``; plus the IRI rules of imported
ArchiMate things, shared by the exchange-format and Archi CSV importers and the exporter."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from svckg.config import ONTOLOGY_DIR, Settings
from svckg.errors import InputError
from svckg.terms import local_name
from svckg.vocab import ARCHIMATE, MAPPING, SVC

SVCM = str(MAPPING)
"""Namespace of the mapping vocabulary used in alignments.ttl (prefix ``svcm:``)."""


@dataclass(frozen=True)
class RelationshipType:
    """One ArchiMate relationship type: its direct-edge predicate and dependent end."""

    name: str
    edge: str
    dependent: str | None  # "source" | "target" | None (no dependency)


@dataclass(frozen=True)
class DependencyRule:
    """Chooses an svc dependency property from the dependent's and the dependee's classes."""

    priority: int
    dependent_classes: frozenset[str]
    dependee_classes: frozenset[str]
    property: str


@dataclass(frozen=True)
class Alignment:
    """Everything the importers and the exporter need from alignments.ttl."""

    element_class: dict[str, str]
    """ArchiMate element type -> svc class IRI (types absent here stay archimate: only)."""
    consumer_class: dict[str, str]
    """Element type -> svc class when the element serves an element of a consumer type."""
    consumer_types: frozenset[str]
    element_types: frozenset[str]
    relationship_types: dict[str, RelationshipType]
    aliases: dict[str, str]
    """Alternative names (ArchiMate 2.1, Archi CSV) -> canonical type name."""
    rules: tuple[DependencyRule, ...]
    fallback_property: str
    superclasses: dict[str, frozenset[str]]
    """svc class IRI -> itself and all its superclasses (from the ontology)."""
    export_types: tuple[tuple[str, str], ...]
    """(svc class IRI, ArchiMate element type) pairs, most specific class first."""
    connector_types: frozenset[str] = frozenset()
    """Relationship connectors (junctions): relationships pass through them."""
    impact_roles: dict[str, str] = field(default_factory=dict)
    """ArchiMate element type -> ``goal-or-plan`` or ``party``: such elements never get a
    status in impact analysis (see ``svcm:impactRole``)."""
    labels: dict[str, str] = field(default_factory=dict)
    """ArchiMate type -> its label ("Business Service")."""

    def canonical(self, type_name: str) -> str:
        """The canonical ArchiMate type name for ``type_name`` (aliases resolved)."""
        return self.aliases.get(type_name, type_name)

    def is_a(self, cls: str, candidates: frozenset[str]) -> bool:
        """True when ``cls`` is one of ``candidates`` or a subclass of one."""
        if not candidates:
            return True
        return bool(self.superclasses.get(cls, frozenset({cls})) & candidates)

    def dependency_property(self, dependent_cls: str | None, dependee_cls: str | None) -> str:
        """The svc property of a dependency edge between instances of these classes.

        >>> a = load_alignment()
        >>> a.dependency_property(str(SVC.CustomerFacingService), str(SVC.BackendService))
        'https://w3id.org/svckg#includesService'
        >>> a.dependency_property(None, str(SVC.Application))
        'https://w3id.org/svckg#dependsOn'
        """
        if dependent_cls is not None and dependee_cls is not None:
            for rule in self.rules:
                if self.is_a(dependent_cls, rule.dependent_classes) and self.is_a(
                    dependee_cls, rule.dependee_classes
                ):
                    return rule.property
        return self.fallback_property

    def export_type(self, classes: set[str]) -> str:
        """The ArchiMate element type the exporter writes for a node with these classes."""
        for cls, type_name in self.export_types:
            if cls in classes:
                return type_name
        return "Grouping"


ALIGNMENTS_FILE = ONTOLOGY_DIR / "alignments.ttl"
ONTOLOGY_FILE = ONTOLOGY_DIR / "svckg.ttl"


def _local(iri: object) -> str:
    return local_name(str(iri))


@lru_cache(maxsize=4)
def load_alignment(alignments: Path = ALIGNMENTS_FILE, ontology: Path = ONTOLOGY_FILE) -> Alignment:
    """Read the mapping from ``alignments.ttl`` and the class hierarchy from the ontology.

    >>> load_alignment().element_class["Node"]
    'https://w3id.org/svckg#InfrastructureComponent'
    >>> load_alignment().canonical("UsedBy")
    'Serving'
    """
    g = Graph()
    try:
        g.parse(alignments, format="turtle")
        if ontology.exists():
            g.parse(ontology, format="turtle")
    except (OSError, SyntaxError, ValueError) as exc:  # rdflib raises BadSyntax(SyntaxError)
        raise InputError(
            f"cannot read the ArchiMate mapping: {exc}",
            where=str(alignments),
            hint="fix ontology/alignments.ttl or ontology/svckg.ttl",
        ) from exc
    m = lambda name: URIRef(SVCM + name)  # noqa: E731
    arch = str(ARCHIMATE)

    def arch_types(kind: str) -> list[URIRef]:
        return [t for t in g.subjects(RDF.type, m(kind)) if str(t).startswith(arch)]

    element_class: dict[str, str] = {}
    consumer_class: dict[str, str] = {}
    consumer_types: set[str] = set()
    aliases: dict[str, str] = {}
    element_types = {_local(t) for t in arch_types("ElementType")}
    for t in arch_types("ElementType"):
        name = _local(t)
        if (cls := g.value(t, m("mapsToClass"))) is not None:
            element_class[name] = str(cls)
        if (cls := g.value(t, m("mapsToClassWhenServingConsumer"))) is not None:
            consumer_class[name] = str(cls)
        if g.value(t, m("consumerType")) == Literal(True):
            consumer_types.add(name)
    relationship_types: dict[str, RelationshipType] = {}
    for t in arch_types("RelationshipType"):
        end = g.value(t, m("dependent"))
        dependent = {m("Source"): "source", m("Target"): "target"}.get(end) if end else None
        edge = g.value(t, m("edgeProperty"))
        name = _local(t)
        relationship_types[name] = RelationshipType(
            name, str(edge) if edge else arch + name[0].lower() + name[1:], dependent
        )
    for t in arch_types("ElementType") + arch_types("RelationshipType"):
        for alt in g.objects(t, m("alternativeName")):
            aliases[str(alt)] = _local(t)
    rules = sorted(
        (
            DependencyRule(
                int(g.value(r, m("priority")) or 1000),
                frozenset(str(c) for c in g.objects(r, m("dependentClass"))),
                frozenset(str(c) for c in g.objects(r, m("dependeeClass"))),
                str(g.value(r, m("property"))),
            )
            for r in g.subjects(RDF.type, m("DependencyRule"))
        ),
        key=lambda r: r.priority,
    )
    connector_types = {
        _local(t) for t in arch_types("ElementType") if g.value(t, m("relationshipConnector"))
    }
    roles = {m("GoalOrPlan"): "goal-or-plan", m("Party"): "party"}
    impact_roles = {
        _local(t): roles[role]
        for t in arch_types("ElementType")
        if (role := g.value(t, m("impactRole"))) in roles
    }
    fallback = g.value(m("mapping"), m("fallbackProperty")) or SVC.dependsOn
    superclasses = _superclasses(g)
    exports = []
    for t in arch_types("ElementType"):
        for cls in g.objects(t, m("exportClass")):
            depth = len(superclasses.get(str(cls), ())) if cls != OWL.Thing else -1
            exports.append((depth, str(cls), _local(t)))
    exports.sort(key=lambda e: (-e[0], e[1]))
    return Alignment(
        element_class=element_class,
        consumer_class=consumer_class,
        consumer_types=frozenset(consumer_types),
        element_types=frozenset(element_types),
        relationship_types=relationship_types,
        aliases=aliases,
        rules=tuple(rules),
        fallback_property=str(fallback),
        superclasses=superclasses,
        export_types=tuple((cls, name) for _, cls, name in exports),
        connector_types=frozenset(connector_types),
        impact_roles=impact_roles,
        labels={
            _local(t): str(label)
            for t in arch_types("ElementType") + arch_types("RelationshipType")
            if (label := g.value(t, RDFS.label)) is not None
        },
    )


def through_junctions(
    relationships: Iterable[tuple[str, str, str]], junctions: set[str]
) -> list[tuple[str, str, str]]:
    """The relationships junctions stand for: for every path A -> J1 -> ... -> Jn -> B through
    junctions, (A, B, type of the last leg). ArchiMate requires every relationship at a
    junction to be of the same type, so that is the type of the whole path.

    >>> rels = [("a", "j", "Serving"), ("b", "j", "Serving"), ("j", "k", "Serving"),
    ...         ("k", "c", "Serving"), ("j", "d", "Serving")]
    >>> sorted(through_junctions(rels, {"j", "k"}))  # doctest: +NORMALIZE_WHITESPACE
    [('a', 'c', 'Serving'), ('a', 'd', 'Serving'), ('b', 'c', 'Serving'),
     ('b', 'd', 'Serving')]
    """
    incoming: dict[str, list[str]] = {}
    outgoing: list[tuple[str, str, str]] = []
    for s, t, kind in relationships:
        if t in junctions:
            incoming.setdefault(t, []).append(s)
        if s in junctions and t not in junctions:
            outgoing.append((s, t, kind))
    origins: dict[str, list[str]] = {}

    def origins_of(junction: str) -> list[str]:
        found = origins.get(junction)
        if found is None:
            found, seen, todo = [], {junction}, [junction]
            while todo:
                for s in incoming.get(todo.pop(), ()):
                    if s in junctions:
                        if s not in seen:
                            seen.add(s)
                            todo.append(s)
                    elif s not in found:
                        found.append(s)
            origins[junction] = found
        return found

    return list(
        dict.fromkeys((a, t, kind) for j, t, kind in outgoing for a in origins_of(j) if a != t)
    )


def _superclasses(g: Graph) -> dict[str, frozenset[str]]:
    direct: dict[str, set[str]] = {}
    for sub, sup in g.subject_objects(RDFS.subClassOf):
        if isinstance(sub, URIRef) and isinstance(sup, URIRef):
            direct.setdefault(str(sub), set()).add(str(sup))
    closure: dict[str, frozenset[str]] = {}
    for cls in direct:
        seen, todo = {cls}, [cls]
        while todo:
            for sup in direct.get(todo.pop(), ()):
                if sup not in seen:
                    seen.add(sup)
                    todo.append(sup)
        closure[cls] = frozenset(seen)
    return closure


# ---------------------------------------------------------------------------
# IRIs of imported ArchiMate things
# ---------------------------------------------------------------------------

_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """A lower-case, dash-separated slug.

    >>> slug("Archisurance Test Model!")
    'archisurance-test-model'
    """
    return _SLUG.sub("-", text.lower()).strip("-") or "model"


def encode(identifier: str) -> str:
    """Percent-encode a source identifier for use as one IRI path segment.

    >>> encode("id-12 3/x")
    'id-12%203%2Fx'
    """
    return quote(identifier, safe="-._~")


def model_base(model_key: str, base_iri: str | None = None) -> str:
    """Base IRI of one model's things: ``<base>/<model key>/`` (the key percent-encoded).

    >>> model_base("id-11f5304f", "https://w3id.org/svckg/id/")
    'https://w3id.org/svckg/id/id-11f5304f/'
    """
    base = base_iri if base_iri is not None else Settings().base_iri
    if not base.endswith(("/", "#")):
        base += "/"
    return f"{base}{encode(model_key)}/"


def generated_id(*parts: str) -> str:
    """A stable identifier for a source row that has none: ``gen-`` + a hash of ``parts``.

    >>> generated_id("BusinessActor", "Name")
    'gen-80ad6eae1924'
    """
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"gen-{digest[:12]}"
