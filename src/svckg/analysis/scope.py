"""A consumer's scope: what one service consumer may see of the provider's graph.

Derived from the graph, never configured by hand (ITIL 4, *Drive Stakeholder Value*: the band
of visibility of a service relationship). For a consumer ``C`` (an organization, or a person
for B2C consumers) the scope holds:

- **described in full** (every literal, and every link to another element of the scope):
  ``C`` itself, its people (``svc:memberOf C``), the role assignments of ``C`` and its people,
  the service relationships whose ``svc:consumer`` is ``C``, their agreements
  (``svc:governedBy``) and the agreements' targets (``svc:target``), the offerings and
  services the agreements cover (``svc:covers``) and the customer-facing services those
  offerings offer (``svc:offersService``), the relationships' bands of visibility, and the
  journeys of ``C`` (``svc:journeyOf``) with their steps and touchpoints;
- **named only** (``rdf:type`` and labels): the elements listed in the band of visibility of
  its relationships (``svc:visibleElement``) and the providers of its relationships.

Everything else is behind the line of visibility: backend services, resources, owners,
other consumers, personas, pain points. The vocabulary (ontology and concept schemes) is public
and stays visible to every consumer.

>>> from svckg.store import memory_store
>>> store = memory_store()
>>> _ = store.load(b'''
... <urn:rel> <https://w3id.org/svckg#consumer> <urn:acme> .
... <urn:rel> <https://w3id.org/svckg#hasBandOfVisibility> <urn:band> .
... <urn:band> <https://w3id.org/svckg#visibleElement> <urn:portal> .
... <urn:portal> <https://w3id.org/svckg#usesResource> <urn:db> .
... ''', "urn:g")
>>> sorted(consumer_scope(store, "urn:acme"))
['urn:acme', 'urn:band', 'urn:portal', 'urn:rel']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from svckg.store.base import Store
from svckg.vocab import PREFIXES

FULL = "full"
NAMED = "named"

_SCOPE_QUERY = """
PREFIX svc: <https://w3id.org/svckg#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?_org ?x ?kind WHERE {
  VALUES ?_org { CONSUMERS }
  { VALUES (?_org ?x) { SELVES } BIND("full" AS ?kind) }
  UNION { ?x svc:memberOf ?_org . BIND("full" AS ?kind) }
  UNION { ?x svc:agent ?_org . BIND("full" AS ?kind) }
  UNION { ?person svc:memberOf ?_org . ?x svc:agent ?person . BIND("full" AS ?kind) }
  UNION { ?x svc:consumer ?_org . BIND("full" AS ?kind) }
  UNION { ?rel svc:consumer ?_org . ?rel svc:governedBy ?x . BIND("full" AS ?kind) }
  UNION { ?rel svc:consumer ?_org . ?rel svc:governedBy/svc:target ?x . BIND("full" AS ?kind) }
  UNION { ?rel svc:consumer ?_org . ?rel svc:governedBy/svc:covers ?x . BIND("full" AS ?kind) }
  UNION {
    ?rel svc:consumer ?_org . ?rel svc:governedBy/svc:covers/svc:offersService ?x .
    ?x a ?type . ?type rdfs:subClassOf* svc:CustomerFacingService .
    BIND("full" AS ?kind)
  }
  UNION { ?rel svc:consumer ?_org . ?rel svc:hasBandOfVisibility ?x . BIND("full" AS ?kind) }
  UNION { ?x svc:journeyOf ?_org . BIND("full" AS ?kind) }
  UNION { ?journey svc:journeyOf ?_org . ?journey svc:hasStep ?x . BIND("full" AS ?kind) }
  UNION {
    ?journey svc:journeyOf ?_org . ?journey svc:hasStep/svc:hasTouchpoint ?x .
    BIND("full" AS ?kind)
  }
  UNION {
    ?rel svc:consumer ?_org . ?rel svc:hasBandOfVisibility/svc:visibleElement ?x .
    BIND("named" AS ?kind)
  }
  UNION { ?rel svc:consumer ?_org . ?rel svc:provider ?x . BIND("named" AS ?kind) }
  FILTER (isIRI(?x))
}
"""

_CONSUMERS_QUERY = """
SELECT DISTINCT ?c WHERE { ?rel <https://w3id.org/svckg#consumer> ?c FILTER (isIRI(?c)) }
"""


@dataclass(frozen=True)
class Scope:
    """The elements a consumer sees: ``full`` ones with their whole description inside the
    scope, ``named`` ones (band elements, providers) with their types and labels only."""

    consumer: str
    full: frozenset[str]
    named: frozenset[str]

    @property
    def iris(self) -> frozenset[str]:
        """Every element of the scope."""
        return self.full | self.named

    def __contains__(self, iri: object) -> bool:
        return iri in self.full or iri in self.named


def scope_of(store: Store, consumer: str) -> Scope:
    """The :class:`Scope` of ``consumer`` (an IRI) in ``store``; an element reached both ways
    counts as ``full``. A consumer with no relationship sees itself only (if it exists)."""
    return scopes_of(store, [consumer])[consumer]


def scopes_of(store: Store, consumers: Sequence[str]) -> dict[str, Scope]:
    """The scopes of several consumers, by one query (parsing the query text costs more than
    answering it for one consumer)."""
    if not consumers:
        return {}
    nodes = [str(ox.NamedNode(c)) for c in consumers]  # validated IRIs, never pasted text
    selves = " ".join(f"({n} {n})" for n in nodes)
    rows = store.query(_SCOPE_QUERY.replace("CONSUMERS", " ".join(nodes)).replace("SELVES", selves))
    full: dict[str, set[str]] = {c: set() for c in consumers}
    named: dict[str, set[str]] = {c: set() for c in consumers}
    for row in rows:  # type: ignore[union-attr]
        (full if row["kind"].value == FULL else named)[row["_org"].value].add(row["x"].value)
    out = {}
    for c in consumers:
        if not _exists(store, c):
            full[c].discard(c)
        out[c] = Scope(c, frozenset(full[c]), frozenset(named[c] - full[c]))
    return out


def consumer_scope(store: Store, org_iri: str) -> frozenset[str]:
    """The IRIs visible to consumer ``org_iri`` (see the module notes); the shortcut for
    code that only filters by IRI (incidents, status pages)."""
    return scope_of(store, org_iri).iris


def consumers(store: Store) -> list[str]:
    """Every IRI that is the ``svc:consumer`` of a service relationship, sorted."""
    return sorted(row["c"].value for row in store.query(_CONSUMERS_QUERY))  # type: ignore[union-attr]


def is_vocabulary(iri: str) -> bool:
    """Whether ``iri`` is a term of the public vocabulary (ontology, concepts, standard RDF
    namespaces): such terms are visible to every consumer.

    >>> is_vocabulary("https://w3id.org/svckg#CustomerFacingService")
    True
    >>> is_vocabulary("https://w3id.org/svckg/id/cloud-workplace")
    False
    """
    return iri.startswith(_VOCABULARY_NAMESPACES)


_VOCABULARY_NAMESPACES = tuple(ns for prefix, ns in PREFIXES.items() if prefix != "id")


def _exists(store: Store, iri: str) -> bool:
    node = ox.NamedNode(iri)
    return next(store.quads(subject=node), None) is not None or (
        next(store.quads(object=node), None) is not None
    )
