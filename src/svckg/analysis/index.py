"""The dependency index: the store's dependency edges as in-memory adjacency maps.

Built from the store with ``Store.quads(predicate=...)`` (one scan per predicate, so it works on
the embedded and the remote store alike) and cached per store object on ``store.generation``.
It is kept in step with commits: when the generation changes and the store only gained or lost
whole named graphs (what the import pipeline does: each import version is a new graph), only
the subjects of those graphs are re-read; any other change (an update inside an existing graph,
an ontology change) rebuilds it. Writes by *other* processes are seen after :func:`invalidate`.

What it holds:

- ``forward`` / ``backward``: every edge of every (transitive) ``rdfs:subPropertyOf
  svc:dependsOn`` read from the store (never hard-coded), each edge keeping its asserted
  predicate; asserted ``svc:dependsOn`` edges that no sub-property edge explains (the
  pipeline's materialized copies in ``.../inferred`` graphs are skipped); and the ``svc:member``
  edges of redundancy groups (group -> alternative), which are not a dependency sub-property:
  the impact engine treats groups specially.
- ``minimum_required``: every redundancy group (subject of ``svc:member``) with its
  ``svc:minimumRequired`` (1 when absent).
- what results need to describe a node (labels, types, owners, role assignments,
  relationships, bands of visibility, agreement targets) and the ontology's class hierarchy and
  layers.

Nodes are keyed by their IRI string; blank nodes by ``_:`` + their id.
"""

from __future__ import annotations

import contextlib
import threading
import time
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import NamedTuple

import pyoxigraph as ox

from svckg.analysis.results import AffectedParty, Target
from svckg.store.base import Store
from svckg.vocab import CONCEPT, SVC

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
RDFS_SUBPROPERTY = "http://www.w3.org/2000/01/rdf-schema#subPropertyOf"
SKOS_PREFLABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"

DEPENDS_ON = str(SVC.dependsOn)
MEMBER = str(SVC.member)
COVERS = str(SVC.covers)
INFERRED_SUFFIX = "/inferred"
"""Graphs whose name ends so hold materialized ``svc:dependsOn`` copies (never read as edges)."""
SERVICE_CONSUMER_ROLE = str(CONCEPT["service-consumer"])
"""Role given to the consumer (svc:consumer: an organization or a person) of a relationship
governed by an impacted agreement. Not svcc:user, the commercial "consumer"."""
CUSTOMER_FACING = (str(SVC.Touchpoint), str(SVC.ServiceInteraction))
"""Classes whose instances (and their subclasses') customers see."""
AT_TOUCHPOINT = str(SVC.atTouchpoint)
IS_REPLACED_BY = "http://purl.org/dc/terms/isReplacedBy"

_SUBPROPERTIES = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?p WHERE { ?p rdfs:subPropertyOf+ <https://w3id.org/svckg#dependsOn> }
"""
# A class is what is declared one, or what states a superclass or a layer (a data file may
# extend the hierarchy without declaring its classes; the viewer and impact must agree on it).
_CLASSES = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX svc: <https://w3id.org/svckg#>
SELECT ?class ?super ?layer WHERE {
  { ?class a owl:Class } UNION { ?class a rdfs:Class }
  UNION { ?class rdfs:subClassOf [] } UNION { ?class svc:layer [] }
  OPTIONAL { ?class rdfs:subClassOf ?super }
  OPTIONAL { ?class svc:layer ?layer }
}
"""
_LAYERS = """
PREFIX svc: <https://w3id.org/svckg#>
SELECT ?layer ?order WHERE { ?layer svc:layerOrder ?order }
"""
_ONTOLOGY_PREDICATES = frozenset(
    {RDFS_SUBCLASS, RDFS_SUBPROPERTY, str(SVC.layer), str(SVC.layerOrder)}
)
_FULL_REBUILD_SHARE = 0.2
"""Rebuild instead of refreshing when the changed graphs hold more subjects than this share."""


def node_key(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.DefaultGraph) -> str | None:
    """The index key of an RDF term: an IRI, ``_:id`` for a blank node, None otherwise.

    >>> node_key(ox.NamedNode("https://x.org/a")), node_key(ox.BlankNode("b1"))
    ('https://x.org/a', '_:b1')
    """
    if type(term) is ox.NamedNode:
        return term.value
    if type(term) is ox.BlankNode:
        return "_:" + term.value
    return None


def key_term(key: str) -> ox.NamedNode | ox.BlankNode:
    """The RDF term of an index key (inverse of :func:`node_key`)."""
    return ox.BlankNode(key[2:]) if key.startswith("_:") else ox.NamedNode(key)


def _add(multi: dict[str, list[str]], key: str, value: str) -> None:
    values = multi.get(key)
    if values is None:
        multi[key] = [value]
    elif value not in values:
        values.append(value)


def _discard(multi: dict[str, list[str]], key: str, value: str) -> None:
    values = multi.get(key)
    if values is not None:
        with contextlib.suppress(ValueError):
            values.remove(value)
        if not values:
            del multi[key]


class ElementFacts(NamedTuple):
    """What results say of an element, whatever asks (read once per index state)."""

    label: str
    types: tuple[str, ...]
    layer: str | None
    customer_visible: bool
    """An instance of a customer-facing class, or listed by a band of visibility."""
    visible_in: tuple[str, ...]
    """Relationships whose band of visibility lists the element."""
    owners: tuple[str, ...]


class DependencyIndex:
    """Adjacency maps of the dependency graph plus what results need to describe a node."""

    def __init__(self, generation: int, dependency_predicates: frozenset[str]):
        self.generation = generation
        self.dependency_predicates = dependency_predicates
        self.forward: dict[str, list[tuple[str, str]]] = {}
        """dependent -> [(asserted predicate, what it needs)]; group -> [(svc:member, member)]."""
        self.backward: dict[str, list[tuple[str, str]]] = {}
        """needed -> [(asserted predicate, dependent)]; member -> [(svc:member, group)]."""
        self.minimum_required: dict[str, int] = {}
        self.labels: dict[str, str] = {}
        self.types: dict[str, list[str]] = {}
        self.owners: dict[str, list[str]] = {}
        self.covers: dict[str, list[str]] = {}
        self.in_context_of: dict[str, list[str]] = {}
        self.assignments_by_context: dict[str, list[str]] = {}
        self.assignment_agent: dict[str, str] = {}
        self.assignment_role: dict[str, str] = {}
        self.governed_by: dict[str, list[str]] = {}
        self.relationships_by_agreement: dict[str, list[str]] = {}
        self.relationship_consumers: dict[str, list[str]] = {}
        self.bands_of: dict[str, list[str]] = {}
        """relationship -> its bands of visibility."""
        self.relationships_of_band: dict[str, list[str]] = {}
        self.visible_elements: dict[str, list[str]] = {}
        """band -> the elements it lists."""
        self.bands_listing: dict[str, list[str]] = {}
        """element -> the bands that list it."""
        self.replaced_by: dict[str, str] = {}
        """deprecated concept -> its successor (dcterms:isReplacedBy), e.g. svcc:consumer ->
        svcc:user: role assignments naming the old concept are read as the new one."""
        self.targets: dict[str, list[str]] = {}
        self.target_values: dict[str, dict[str, str]] = {}
        self.superclasses: dict[str, frozenset[str]] = {}
        """class -> all its (transitive) superclasses, itself excluded."""
        self.class_layer: dict[str, str] = {}
        """class -> layer concept, inherited from the nearest superclass that states one."""
        self.layer_order: dict[str, int] = {}
        self.graph_subjects: dict[str, set[str]] = {}
        """named graph -> subjects it gave facts about (for refreshing after commits)."""
        self.build_seconds = 0.0
        self.refresh_seconds = 0.0
        self._raw_depends: dict[str, list[str]] = {}
        self._min_stated: dict[str, int] = {}
        self._label_rank: dict[str, tuple[int, str]] = {}
        self._subclass_memo: dict[str, frozenset[str]] = {}
        self._customer_classes: frozenset[str] | None = None
        # derived per-node answers, emptied whenever the facts change (:meth:`_changed`)
        self._layer_memo: dict[str, str | None] = {}
        self.described: dict[str, ElementFacts] = {}
        """Facts already read by :meth:`facts` (engines read it first, for speed; never
        write it)."""
        self._targets_of: dict[str, list[Target]] = {}
        self._parties_in: dict[str, list[AffectedParty]] = {}
        self.roles_by_type: dict[str, str] | None = None
        """type -> impact role (goal or plan, party), loaded by :mod:`svckg.analysis.impact`;
        None until then."""
        self.impact_roles: dict[str, str | None] = {}
        """element -> its impact role (None: it can go down), filled by the impact engine."""
        str_svc = str(SVC)
        self._handlers: dict[str, Callable[[str, ox.NamedNode | ox.BlankNode | ox.Literal], None]]
        self._handlers = {
            DEPENDS_ON: self._depends_on,
            MEMBER: self._member,
            str_svc + "minimumRequired": self._minimum,
            RDFS_LABEL: self._label,
            SKOS_PREFLABEL: self._label,
            RDF_TYPE: self._type,
            str_svc + "ownedBy": self._multi_handler(self.owners),
            str_svc + "inContextOf": self._context,
            str_svc + "agent": self._single_handler(self.assignment_agent),
            str_svc + "role": self._single_handler(self.assignment_role),
            IS_REPLACED_BY: self._single_handler(self.replaced_by),
            str_svc + "governedBy": self._governed,
            str_svc + "consumer": self._multi_handler(self.relationship_consumers),
            str_svc + "hasBandOfVisibility": self._band,
            str_svc + "visibleElement": self._visible,
            str_svc + "target": self._multi_handler(self.targets),
            str_svc + "metric": self._value("metric"),
            str_svc + "targetValue": self._value("value"),
            str_svc + "unit": self._value("unit"),
        }

    # -- reading -----------------------------------------------------------------------

    @property
    def edge_count(self) -> int:
        """Number of edges (dependency and group member edges)."""
        return sum(len(v) for v in self.forward.values())

    def contains(self, key: str) -> bool:
        """True when the index knows something about the node."""
        return (
            key in self.forward or key in self.backward or key in self.types or (key in self.labels)
        )

    def label(self, key: str) -> str:
        """The node's label (rdfs:label or skos:prefLabel, English first), else its IRI end."""
        found = self.labels.get(key)
        if found is not None:
            return found
        tail = key.rstrip("/#")
        return tail.rsplit("#", 1)[-1].rsplit("/", 1)[-1] or key

    def subclasses(self, cls: str) -> frozenset[str]:
        """``cls`` and every class below it."""
        memo = self._subclass_memo.get(cls)
        if memo is None:
            memo = frozenset([cls] + [c for c, sup in self.superclasses.items() if cls in sup])
            self._subclass_memo[cls] = memo
        return memo

    def layer(self, key: str) -> str | None:
        """The layer concept of the node's most specific class that has a layer."""
        memo = self._layer_memo
        if key in memo:
            return memo[key]
        best: str | None = None
        best_depth = -1
        for t in self.types.get(key, ()):
            layer = self.class_layer.get(t)
            if layer is not None:
                depth = len(self.superclasses.get(t, ()))
                if depth > best_depth:
                    best, best_depth = layer, depth
        memo[key] = best
        return best

    def member_count(self, group: str) -> int:
        """Number of alternatives of a redundancy group."""
        return sum(1 for p, _ in self.forward.get(group, ()) if p == MEMBER)

    def visible_in(self, key: str) -> list[str]:
        """Relationships whose band of visibility lists the element, or lists a touchpoint the
        element (a service interaction) happens at (``svc:atTouchpoint``); sorted."""
        out: set[str] = set()
        listed = [key] + [o for p, o in self.forward.get(key, ()) if p == AT_TOUCHPOINT]
        for element in listed:
            for band in self.bands_listing.get(element, ()):
                out.update(self.relationships_of_band.get(band, (band,)))
        return sorted(out)

    def role(self, concept: str) -> str:
        """The role concept to report: the successor of a deprecated concept, else itself."""
        return self.replaced_by.get(concept, concept)

    @property
    def customer_classes(self) -> frozenset[str]:
        """The customer-facing classes and every class below them."""
        if self._customer_classes is None:
            found: frozenset[str] = frozenset()
            for cls in CUSTOMER_FACING:
                found |= self.subclasses(cls)
            self._customer_classes = found
        return self._customer_classes

    def facts(self, key: str) -> ElementFacts:
        """Label, types, layer, visibility and owners of an element (memoized)."""
        found = self.described.get(key)
        if found is None:
            types = tuple(self.types.get(key, ()))
            visible_in = tuple(self.visible_in(key))
            customer = self.customer_classes
            found = ElementFacts(
                self.label(key),
                types,
                self.layer(key),
                bool(visible_in) or any(t in customer for t in types),
                visible_in,
                tuple(sorted(self.owners.get(key, ()))),
            )
            self.described[key] = found
        return found

    def targets_of(self, agreement: str) -> list[Target]:
        """The service level targets of an agreement, by label (memoized: do not change)."""
        found = self._targets_of.get(agreement)
        if found is None:
            found = []
            for t in self.targets.get(agreement, ()):
                values = self.target_values.get(t, {})
                found.append(
                    Target(
                        iri=t,
                        label=self.label(t),
                        metric=values.get("metric"),
                        value=values.get("value"),
                        unit=values.get("unit"),
                    )
                )
            found.sort(key=lambda t: (t.label, t.iri))
            self._targets_of[agreement] = found
        return found

    def parties_in(self, context: str) -> list[AffectedParty]:
        """Role holders in the context of an element and, for an agreement, the consumers of
        the relationships it governs (memoized: do not change)."""
        found = self._parties_in.get(context)
        if found is not None:
            return found
        found = []
        context_label = self.label(context)
        for assignment in self.assignments_by_context.get(context, ()):
            agent = self.assignment_agent.get(assignment)
            role = self.assignment_role.get(assignment)
            if agent is not None and role is not None:
                role = self.role(role)
                found.append(
                    AffectedParty(
                        role,
                        self.label(role),
                        agent,
                        self.label(agent),
                        context,
                        context_label,
                        assignment=assignment,
                    )
                )
        for relationship in self.relationships_by_agreement.get(context, ()):
            for consumer in self.relationship_consumers.get(relationship, ()):
                found.append(
                    AffectedParty(
                        SERVICE_CONSUMER_ROLE,
                        self.label(SERVICE_CONSUMER_ROLE),
                        consumer,
                        self.label(consumer),
                        context,
                        context_label,
                        relationship=relationship,
                    )
                )
        self._parties_in[context] = found
        return found

    def _changed(self) -> None:
        """Forget every derived per-node answer (the facts changed)."""
        self._layer_memo.clear()
        self.described.clear()
        self._targets_of.clear()
        self._parties_in.clear()
        self.roles_by_type = None
        self.impact_roles.clear()

    # -- facts (one handler per predicate; full builds and refreshes share them) -------

    @property
    def fact_predicates(self) -> frozenset[str]:
        """The predicates whose facts describe a node (edges of svc:dependsOn excluded)."""
        return frozenset(self._handlers) - {DEPENDS_ON}

    def add_fact(self, s: str, p: str, o, graph: str | None = None) -> None:
        """Record one fact read elsewhere: the push-down source (:mod:`.pushdown`) fills a
        partial index with the facts of a result's nodes only, by the same rules."""
        self._apply(s, p, o, graph)

    def settle(self, subjects: Iterable[str]) -> None:
        """Derive what :meth:`add_fact` facts imply (group minimums) for ``subjects``."""
        self._settle(subjects)

    def read_ontology(self, store: Store) -> None:
        """Read the class hierarchy and layers (a partial index needs them whole)."""
        self._read_ontology(store)

    def _edge(self, s: str, p: str, o: str) -> None:
        out = self.forward.setdefault(s, [])
        if (p, o) not in out:
            out.append((p, o))
            self.backward.setdefault(o, []).append((p, s))

    def _unedge(self, s: str, p: str, o: str) -> None:
        out = self.forward.get(s)
        if out is not None and (p, o) in out:
            out.remove((p, o))
            if not out:
                del self.forward[s]
            back = self.backward[o]
            back.remove((p, s))
            if not back:
                del self.backward[o]

    def _depends_on(self, s: str, o) -> None:
        ok = node_key(o)
        if ok is not None:
            _add(self._raw_depends, s, ok)

    def _member(self, s: str, o) -> None:
        ok = node_key(o)
        if ok is not None:
            self._edge(s, MEMBER, ok)

    def _minimum(self, s: str, o) -> None:
        if type(o) is ox.Literal:
            with contextlib.suppress(ValueError):
                self._min_stated[s] = int(o.value)

    def _label(self, s: str, o) -> None:
        if type(o) is not ox.Literal:
            return
        lang = o.language
        rank = (0 if lang == "en" else 1 if lang is None else 2, o.value)
        current = self._label_rank.get(s)
        if current is None or rank < current:
            self._label_rank[s] = rank
            self.labels[s] = o.value

    def _type(self, s: str, o) -> None:
        ok = node_key(o)
        if ok is not None:
            _add(self.types, s, ok)

    def _context(self, s: str, o) -> None:
        ok = node_key(o)
        if ok is not None:
            _add(self.in_context_of, s, ok)
            _add(self.assignments_by_context, ok, s)

    def _governed(self, s: str, o) -> None:
        ok = node_key(o)
        if ok is not None:
            _add(self.governed_by, s, ok)
            _add(self.relationships_by_agreement, ok, s)

    def _band(self, s: str, o) -> None:
        ok = node_key(o)
        if ok is not None:
            _add(self.bands_of, s, ok)
            _add(self.relationships_of_band, ok, s)

    def _visible(self, s: str, o) -> None:
        ok = node_key(o)
        if ok is not None:
            _add(self.visible_elements, s, ok)
            _add(self.bands_listing, ok, s)

    @staticmethod
    def _multi_handler(target: dict[str, list[str]]):
        def handle(s: str, o) -> None:
            ok = node_key(o)
            if ok is not None:
                _add(target, s, ok)

        return handle

    @staticmethod
    def _single_handler(target: dict[str, str]):
        def handle(s: str, o) -> None:
            ok = node_key(o)
            if ok is not None and (s not in target or ok < target[s]):
                target[s] = ok

        return handle

    def _value(self, name: str):
        def handle(s: str, o) -> None:
            self.target_values.setdefault(s, {})[name] = o.value

        return handle

    def _apply(self, s: str, p: str, o, graph: str | None) -> None:
        """Record one fact (no-op for predicates the index does not use)."""
        if p in self.dependency_predicates:
            ok = node_key(o)
            if ok is not None:
                self._edge(s, p, ok)
                if p == COVERS:
                    _add(self.covers, s, ok)
        elif p == DEPENDS_ON:
            if graph is not None and graph.endswith(INFERRED_SUFFIX):
                return
            self._depends_on(s, o)
        else:
            handler = self._handlers.get(p)
            if handler is None:
                return
            handler(s, o)
        if graph is not None:
            subjects = self.graph_subjects.get(graph)
            if subjects is None:
                self.graph_subjects[graph] = {s}
            else:
                subjects.add(s)

    def _settle(self, subjects: Iterable[str] | None = None) -> None:
        """Derived facts: unexplained svc:dependsOn edges and group minimums."""
        raw = self._raw_depends
        for s in raw if subjects is None else [s for s in subjects if s in raw]:
            explained = {o for p, o in self.forward.get(s, ()) if p in self.dependency_predicates}
            for o in raw[s]:
                if o not in explained:
                    self._edge(s, DEPENDS_ON, o)
        groups = (
            {s for s, edges in self.forward.items() if any(p == MEMBER for p, _ in edges)}
            if subjects is None
            else {s for s in subjects if any(p == MEMBER for p, _ in self.forward.get(s, ()))}
        )
        for g in groups:
            self.minimum_required[g] = self._min_stated.get(g, 1)

    def _forget(self, s: str) -> None:
        """Remove every fact about subject ``s``."""
        for p, o in list(self.forward.get(s, ())):
            self._unedge(s, p, o)
        for name in (
            "labels",
            "assignment_agent",
            "assignment_role",
            "replaced_by",
            "minimum_required",
            "target_values",
        ):
            getattr(self, name).pop(s, None)
        for store_map in (
            self.types,
            self.owners,
            self.covers,
            self.relationship_consumers,
            self.targets,
            self._raw_depends,
        ):
            store_map.pop(s, None)
        self._label_rank.pop(s, None)
        self._min_stated.pop(s, None)
        for forward_map, reverse_map in (
            (self.in_context_of, self.assignments_by_context),
            (self.governed_by, self.relationships_by_agreement),
            (self.bands_of, self.relationships_of_band),
            (self.visible_elements, self.bands_listing),
        ):
            for o in forward_map.pop(s, ()):
                _discard(reverse_map, o, s)

    # -- ontology ----------------------------------------------------------------------

    def _read_ontology(self, store: Store) -> None:
        direct: dict[str, list[str]] = defaultdict(list)
        stated: dict[str, str] = {}
        for row in store.query(_CLASSES):
            cls = node_key(row["class"])
            if cls is None:
                continue
            direct.setdefault(cls, [])
            sup = row["super"]
            if sup is not None and (sk := node_key(sup)) is not None and sk not in direct[cls]:
                direct[cls].append(sk)
            layer = row["layer"]
            if layer is not None and (lk := node_key(layer)) is not None:
                stated[cls] = min(lk, stated.get(cls, lk))
        closure: dict[str, frozenset[str]] = {}
        for start in direct:
            seen: set[str] = set()
            stack = list(direct[start])
            while stack:
                c = stack.pop()
                if c in seen or c == start:
                    continue
                seen.add(c)
                stack.extend(direct.get(c, ()))
            closure[start] = frozenset(seen)
        self.superclasses = closure
        for cls, ancestors in closure.items():
            if cls in stated:
                self.class_layer[cls] = stated[cls]
                continue
            with_layer = [a for a in ancestors if a in stated]
            if with_layer:
                nearest = max(with_layer, key=lambda a: (len(closure.get(a, ())), a))
                self.class_layer[cls] = stated[nearest]
        for row in store.query(_LAYERS):
            layer = node_key(row["layer"])
            if layer is not None and type(row["order"]) is ox.Literal:
                with contextlib.suppress(ValueError):
                    self.layer_order[layer] = int(row["order"].value)


def _scan(index: DependencyIndex, store: Store, predicate: str) -> None:
    apply = index._apply
    for quad in store.quads(predicate=ox.NamedNode(predicate)):
        s = node_key(quad.subject)
        if s is not None:
            apply(s, predicate, quad.object, node_key(quad.graph_name))


def dependency_predicates(store: Store) -> frozenset[str]:
    """Every (transitive) sub-property of ``svc:dependsOn`` the store states, itself excluded."""
    return frozenset(
        row["p"].value  # type: ignore[index]
        for row in store.query(_SUBPROPERTIES)
        if isinstance(row["p"], ox.NamedNode)  # type: ignore[index]
    ) - {DEPENDS_ON}


def build_index(store: Store) -> DependencyIndex:
    """Read the dependency graph and its descriptions from ``store`` (no cache)."""
    started = time.perf_counter()
    generation = store.generation
    index = DependencyIndex(generation, dependency_predicates(store))
    subproperties = index.dependency_predicates
    index._read_ontology(store)
    for predicate in sorted(subproperties):
        _scan(index, store, predicate)
    for graph in store.graphs():
        if not graph.endswith(INFERRED_SUFFIX):
            for quad in store.quads(predicate=ox.NamedNode(DEPENDS_ON), graph=graph):
                s = node_key(quad.subject)
                if s is not None:
                    index._apply(s, DEPENDS_ON, quad.object, graph)
    for predicate in index._handlers:
        if predicate != DEPENDS_ON:
            _scan(index, store, predicate)
    index._settle()
    for graph in store.graphs():
        index.graph_subjects.setdefault(graph, set())
    index.build_seconds = time.perf_counter() - started
    return index


def refresh_index(store: Store, index: DependencyIndex) -> DependencyIndex:
    """Bring ``index`` in step with ``store`` after graphs were added or dropped; returns a
    rebuilt index when the change is not of that kind (or too large to be worth it)."""
    started = time.perf_counter()
    generation = store.generation
    graphs = set(store.graphs())
    known = set(index.graph_subjects)
    added, removed = graphs - known, known - graphs
    if not added and not removed:
        return build_index(store)  # something changed inside a graph: start over
    touched: set[str] = set()
    for graph in removed:
        touched |= index.graph_subjects.pop(graph)
    new_facts: list[ox.Quad] = []
    for graph in added:
        for quad in store.quads(graph=graph):
            if quad.predicate.value in _ONTOLOGY_PREDICATES:
                return build_index(store)
            s = node_key(quad.subject)
            if s is not None:
                touched.add(s)
                new_facts.append(quad)
        index.graph_subjects.setdefault(graph, set())
    if len(touched) > _FULL_REBUILD_SHARE * max(1, len(index.forward) + len(index.labels)):
        return build_index(store)
    if touched & (set(index.superclasses) | set(index.layer_order) | index.dependency_predicates):
        return build_index(store)
    if any(s.startswith("_:") for s in touched):
        return build_index(store)  # blank nodes cannot be asked for by id on every store
    for s in touched:
        index._forget(s)
        for subjects in index.graph_subjects.values():
            subjects.discard(s)
    for s in touched:
        for quad in store.quads(subject=key_term(s)):
            index._apply(s, quad.predicate.value, quad.object, node_key(quad.graph_name))
    index._settle(touched)
    index._changed()
    index.generation = generation
    index.refresh_seconds = time.perf_counter() - started
    return index


_CACHE: weakref.WeakKeyDictionary[object, DependencyIndex] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def get_index(store: Store) -> DependencyIndex:
    """The index of ``store``: cached, refreshed or rebuilt when ``store.generation`` changed."""
    with _LOCK:
        cached = _CACHE.get(store)
        if cached is not None and cached.generation == store.generation:
            return cached
        index = build_index(store) if cached is None else refresh_index(store, cached)
        _CACHE[store] = index
        return index


def cached_index(store: Store) -> DependencyIndex | None:
    """The index last built for ``store``, if any (never builds; for metrics)."""
    with _LOCK:
        return _CACHE.get(store)


def invalidate(store: Store) -> None:
    """Forget the cached index of ``store`` (after writes made by another process)."""
    with _LOCK:
        _CACHE.pop(store, None)
