"""The dependency index: the store's dependency edges as in-memory adjacency maps.

Built from the store with ``Store.quads(predicate=...)`` (one scan per predicate, so it works on
the embedded and the remote store alike) and cached per store object on ``store.generation``.
It is kept in step with commits: when the generation changes and the store only gained or lost
whole named graphs (what the import pipeline does: each import version is a new graph), only
the subjects of those graphs are re-read; any other change (an update inside an existing graph,
an ontology change) rebuilds it. Writes by *other* processes move the generation too on a
remote store watching the change marker (:mod:`svckg.store.remote`); otherwise they are
seen after :func:`invalidate`.

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
import gc
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from typing import Any, NamedTuple

import pyoxigraph as ox

from svckg.analysis.compact import (
    EDGES,
    INT,
    JSON,
    NODE,
    NODES,
    NODESET,
    TEXT,
    Column,
    GraphSubjects,
    Names,
)
from svckg.analysis.results import AffectedParty, Target
from svckg.namespaces import CONCEPT, SVC
from svckg.store.base import Store
from svckg.terms import label_rank

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
RDFS_SUBPROPERTY = "http://www.w3.org/2000/01/rdf-schema#subPropertyOf"
SKOS_PREFLABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"

DEPENDS_ON = SVC + "dependsOn"
MEMBER = SVC + "member"
COVERS = SVC + "covers"
INFERRED_SUFFIX = "/inferred"
"""Graphs whose name ends so hold materialized ``svc:dependsOn`` copies (never read as edges)."""
SERVICE_CONSUMER_ROLE = CONCEPT + "service-consumer"
"""Role given to the consumer (svc:consumer: an organization or a person) of a relationship
governed by an impacted agreement. Not svcc:user, the commercial "consumer"."""
CUSTOMER_FACING = (SVC + "Touchpoint", SVC + "ServiceInteraction")
"""Classes whose instances (and their subclasses') customers see."""
AT_TOUCHPOINT = SVC + "atTouchpoint"
IS_REPLACED_BY = "http://purl.org/dc/terms/isReplacedBy"

_SUBPROPERTIES = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?p WHERE { ?p rdfs:subPropertyOf+ <https://w3id.org/svckg#dependsOn> }
"""
# A class is what is declared one, or what states a superclass or a layer (a data file may
# extend the hierarchy without declaring its classes; the viewer and impact must agree on it).
# Read by pattern scans, not one SPARQL UNION (six seconds at a million triples).
_CLASS_TYPES = ("http://www.w3.org/2002/07/owl#Class", "http://www.w3.org/2000/01/rdf-schema#Class")
_LAYERS = """
PREFIX svc: <https://w3id.org/svckg#>
SELECT ?layer ?order WHERE { ?layer svc:layerOrder ?order }
"""
_ONTOLOGY_PREDICATES = frozenset(
    {RDFS_SUBCLASS, RDFS_SUBPROPERTY, SVC + "layer", SVC + "layerOrder"}
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


def _add(multi: MutableMapping[str, list[str]], key: str, value: str) -> None:
    values = multi.setdefault(key, [])
    if value not in values:
        values.append(value)


def _discard(multi: MutableMapping[str, list[str]], key: str, value: str) -> None:
    if key in multi:
        values = multi.setdefault(key, [])
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
        self.names = Names()
        """Every node key and graph name the columns mention, interned."""
        self.predicates = Names()
        names, preds = self.names, self.predicates
        self.forward = Column(EDGES, names, preds, dense=True)
        """dependent -> [(asserted predicate, what it needs)]; group -> [(svc:member, member)]."""
        self.backward = Column(EDGES, names, preds, dense=True)
        """needed -> [(asserted predicate, dependent)]; member -> [(svc:member, group)]."""
        self.minimum_required = Column(INT, names)
        self.labels = Column(TEXT, names)
        self.types = Column(NODES, names, dense=True)
        self.owners = Column(NODES, names)
        self.covers = Column(NODES, names)
        self.in_context_of = Column(NODES, names)
        self.assignments_by_context = Column(NODES, names)
        self.assignment_agent = Column(NODE, names)
        self.assignment_role = Column(NODE, names)
        self.governed_by = Column(NODES, names)
        self.relationships_by_agreement = Column(NODES, names)
        self.relationship_consumers = Column(NODES, names)
        self.bands_of = Column(NODES, names)
        """relationship -> its bands of visibility."""
        self.relationships_of_band = Column(NODES, names)
        self.visible_elements = Column(NODES, names)
        """band -> the elements it lists."""
        self.bands_listing = Column(NODES, names)
        """element -> the bands that list it."""
        self.replaced_by = Column(NODE, names)
        """deprecated concept -> its successor (dcterms:isReplacedBy), e.g. svcc:consumer ->
        svcc:user: role assignments naming the old concept are read as the new one."""
        self.targets = Column(NODES, names)
        self.target_values = Column(JSON, names)
        self.superclasses = Column(NODESET, names)
        """class -> all its (transitive) superclasses, itself excluded."""
        self.subclasses_below = Column(NODES, names)
        """class -> all its (transitive) subclasses, itself excluded (the inverse)."""
        self.class_layer = Column(NODE, names)
        """class -> layer concept, inherited from the nearest superclass that states one."""
        self.layer_order: dict[str, int] = {}
        self.graph_subjects = GraphSubjects(names)
        """named graph -> subjects it gave facts about (for refreshing after commits)."""
        self._raw_depends = Column(NODES, names)
        self._min_stated = Column(INT, names)
        self.snapshot_id: str | None = None
        """Checksum of the snapshot file this index was loaded from or saved to."""
        self.mapped: object | None = None
        """The snapshot's memory map the columns read from (kept open with the index)."""
        self.build_seconds = 0.0
        self.refresh_seconds = 0.0
        self._label_rank: dict[str, tuple[int, int, str]] = {}
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
        str_svc = SVC
        self._handlers: dict[str, Callable[[str, ox.NamedNode | ox.BlankNode | ox.Literal], None]]
        self._handlers = {
            DEPENDS_ON: self._multi_handler(self._raw_depends),
            MEMBER: self._member,
            str_svc + "minimumRequired": self._minimum,
            RDFS_LABEL: self._label_handler(RDFS_LABEL),
            SKOS_PREFLABEL: self._label_handler(SKOS_PREFLABEL),
            RDF_TYPE: self._multi_handler(self.types),
            str_svc + "ownedBy": self._multi_handler(self.owners),
            str_svc + "agent": self._single_handler(self.assignment_agent),
            str_svc + "role": self._single_handler(self.assignment_role),
            IS_REPLACED_BY: self._single_handler(self.replaced_by),
            str_svc + "consumer": self._multi_handler(self.relationship_consumers),
            str_svc + "target": self._multi_handler(self.targets),
            str_svc + "metric": self._value("metric"),
            str_svc + "targetValue": self._value("value"),
            str_svc + "unit": self._value("unit"),
        }
        for local, forward, reverse in self._paired():
            self._handlers[str_svc + local] = self._pair_handler(forward, reverse)

    # -- reading -----------------------------------------------------------------------

    @property
    def edge_count(self) -> int:
        """Number of edges (dependency and group member edges)."""
        return self.forward.value_count()

    @property
    def node_count(self) -> int:
        """Number of nodes with an edge (either way)."""
        forward, backward = self.forward, self.backward
        return len(forward) + sum(1 for k in backward if k not in forward)

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
            memo = frozenset([cls, *self.subclasses_below.get(cls, ())])
            self._subclass_memo[cls] = memo
        return memo

    def layer(self, key: str) -> str | None:
        """The layer concept of the node's most specific class that has a layer (of equally
        specific ones, the smallest type IRI's: not the order the engine listed types in)."""
        memo = self._layer_memo
        if key in memo:
            return memo[key]
        best: str | None = None
        best_depth = -1
        for t in sorted(self.types.get(key, ())):
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
        """Label, types (sorted: engines list them in any order), layer, visibility and
        owners of an element (memoized)."""
        found = self.described.get(key)
        if found is None:
            types = tuple(sorted(self.types.get(key, ())))
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

    def settle(self, subjects: Iterable[str] | None = None) -> None:
        """Derive what :meth:`add_fact` facts imply (group minimums) for ``subjects`` (all
        when None)."""
        self._settle(subjects)

    def reread(self, store: Store, subjects: Iterable[str]) -> None:
        """Forget what is known of ``subjects`` and read their facts again from ``store`` (a
        refresh after whole graphs were added or dropped)."""
        subjects = list(subjects)
        for s in subjects:
            self._forget(s)
        for s in subjects:
            for quad in store.quads(subject=key_term(s)):
                self._apply(s, quad.predicate.value, quad.object, node_key(quad.graph_name))
        self._settle(subjects)
        self._changed()

    def read_ontology(self, store: Store, *, declared_only: bool = False) -> None:
        """Read the class hierarchy and layers (a partial index needs them whole).

        ``declared_only``: read ``svc:layer`` only for the declared classes and those in
        the ``rdfs:subClassOf`` hierarchy, not for every subject stating one (instances may:
        66,459 of them at a million triples, 1.8 s to scan); a type that states a layer
        and nothing else is then added by :meth:`add_class_layers` when met."""
        self._read_ontology(store, declared_only)

    def add_class_layers(self, stated: Mapping[str, str]) -> None:
        """Layers of classes that only state one (``svc:layer``, no hierarchy): what a
        full :meth:`read_ontology` would have given them (their own, having no
        superclass). Classes already known are left alone."""
        for cls, layer in stated.items():
            if cls not in self.superclasses and cls not in self.class_layer:
                self.class_layer[cls] = layer

    def _edge(self, s: str, p: str, o: str) -> None:
        out = self.forward.setdefault(s, [])
        if (p, o) not in out:
            out.append((p, o))
            self.backward.setdefault(o, []).append((p, s))

    def _unedge(self, s: str, p: str, o: str) -> None:
        if (p, o) in self.forward.get(s, ()):
            out = self.forward.setdefault(s, [])
            out.remove((p, o))
            if not out:
                del self.forward[s]
            back = self.backward.setdefault(o, [])
            back.remove((p, s))
            if not back:
                del self.backward[o]

    def _member(self, s: str, o) -> None:
        ok = node_key(o)
        if ok is not None:
            self._edge(s, MEMBER, ok)

    def _minimum(self, s: str, o) -> None:
        if type(o) is ox.Literal:
            with contextlib.suppress(ValueError):
                self._min_stated[s] = int(o.value)

    def _label_handler(self, predicate: str):
        """Keep each node's best label by the one rule (:func:`svckg.terms.label_rank`), so
        impact, trace and the pages name an element alike."""

        def handle(s: str, o) -> None:
            if type(o) is not ox.Literal:
                return
            rank = label_rank(o, predicate)
            current = self._label_rank.get(s)
            if current is None or rank < current:
                self._label_rank[s] = rank
                self.labels[s] = o.value

        return handle

    @staticmethod
    def _multi_handler(target: MutableMapping[str, list[str]]):
        def handle(s: str, o) -> None:
            ok = node_key(o)
            if ok is not None:
                _add(target, s, ok)

        return handle

    @staticmethod
    def _pair_handler(
        forward: MutableMapping[str, list[str]], reverse: MutableMapping[str, list[str]]
    ):
        """For the links kept both ways (:meth:`_paired`): ``s -> o`` and ``o -> s``."""

        def handle(s: str, o) -> None:
            ok = node_key(o)
            if ok is not None:
                _add(forward, s, ok)
                _add(reverse, ok, s)

        return handle

    @staticmethod
    def _single_handler(target: MutableMapping[str, str]):
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
            self._handlers[DEPENDS_ON](s, o)
        else:
            handler = self._handlers.get(p)
            if handler is None:
                return
            handler(s, o)
        if graph is not None:
            self.graph_subjects.add(graph, s)

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
        for _, forward_map, reverse_map in self._paired():
            for o in forward_map.pop(s, ()):
                _discard(reverse_map, o, s)

    def _paired(self) -> tuple[tuple[str, Column, Column], ...]:
        """The links kept both ways (``svc:`` local name, ``s -> o`` and ``o -> s`` column):
        one table for the fact handlers and for forgetting a subject."""
        return (
            ("inContextOf", self.in_context_of, self.assignments_by_context),
            ("governedBy", self.governed_by, self.relationships_by_agreement),
            ("hasBandOfVisibility", self.bands_of, self.relationships_of_band),
            ("visibleElement", self.visible_elements, self.bands_listing),
        )

    # -- compact form --------------------------------------------------------------------

    def columns(self) -> dict[str, Column]:
        """Every column by attribute name (what the snapshot stores)."""
        out = {k: v for k, v in vars(self).items() if isinstance(v, Column)}
        out["graph_subjects"] = self.graph_subjects.column
        return out

    def freeze(self) -> None:
        """Fold every overlay into flat arrays (after a build, or a refresh that grew the
        overlays large) and keep the garbage collector off what is left."""
        for column in vars(self).values():
            if isinstance(column, Column):
                column.freeze()
        self.graph_subjects.freeze()
        self._label_rank.clear()

    @property
    def overlay_size(self) -> int:
        """Keys changed by refreshes since the last :meth:`freeze`."""
        return sum(c.overlay_size for c in self.columns().values())

    # -- ontology ----------------------------------------------------------------------

    def share_ontology(self, template: DependencyIndex) -> None:
        """Use ``template``'s class hierarchy, layers and role table (read once by
        :meth:`_read_ontology`) instead of reading them again: every field the ontology
        fills, so an index for a few nodes describes them by the same rules."""
        self.superclasses, self.subclasses_below = template.superclasses, template.subclasses_below
        self.class_layer, self.layer_order = template.class_layer, template.layer_order
        self.roles_by_type = template.roles_by_type

    def _read_ontology(self, store: Store, declared_only: bool = False) -> None:
        direct, stated = _class_statements(store, declared_only)
        closure = _closure(direct)
        below: dict[str, list[str]] = {}
        for cls, ancestors in closure.items():
            self.superclasses[cls] = ancestors
            for a in ancestors:
                below.setdefault(a, []).append(cls)
        for cls, subs in below.items():
            self.subclasses_below[cls] = sorted(subs)
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


def _class_statements(
    store: Store, declared_only: bool = False
) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Every class with its direct superclasses, and the layer each class states (the
    smallest IRI when several); ``declared_only``: see :meth:`DependencyIndex.read_ontology`."""
    direct: dict[str, list[str]] = {}
    stated: dict[str, str] = {}
    for cls_type in _CLASS_TYPES:
        for quad in store.quads(predicate=ox.NamedNode(RDF_TYPE), object=ox.NamedNode(cls_type)):
            if (cls := node_key(quad.subject)) is not None:
                direct.setdefault(cls, [])
    for quad in store.quads(predicate=ox.NamedNode(RDFS_SUBCLASS)):
        if (cls := node_key(quad.subject)) is not None:
            supers = direct.setdefault(cls, [])
            if (sk := node_key(quad.object)) is not None and sk not in supers:
                supers.append(sk)
    if declared_only:
        known = set(direct).union(*direct.values())
        stated = stated_layers(store, sorted(k for k in known if not k.startswith("_:")))
        for cls in stated:  # a class stating a layer is one (as in the full read)
            direct.setdefault(cls, [])
        return direct, stated
    for quad in store.quads(predicate=ox.NamedNode(SVC + "layer")):
        if (cls := node_key(quad.subject)) is not None:
            direct.setdefault(cls, [])
            if (lk := node_key(quad.object)) is not None:
                stated[cls] = min(lk, stated.get(cls, lk))
    return direct, stated


LAYER_BATCH = 200
"""Classes per ``svc:layer`` query (one ``VALUES`` block)."""


def stated_layers(store: Store, classes: Iterable[str]) -> dict[str, str]:
    """The layer each of ``classes`` (IRIs) states (the smallest IRI when several)."""
    stated: dict[str, str] = {}
    wanted = list(classes)
    for start in range(0, len(wanted), LAYER_BATCH):
        nodes = " ".join(str(ox.NamedNode(c)) for c in wanted[start : start + LAYER_BATCH])
        rows = store.query(f"SELECT ?c ?l WHERE {{ VALUES ?c {{ {nodes} }} ?c <{SVC}layer> ?l }}")
        for row in rows:  # type: ignore[union-attr]
            cls, lk = row["c"].value, node_key(row["l"])  # type: ignore[index]
            if lk is not None:
                stated[cls] = min(lk, stated.get(cls, lk))
    return stated


def _closure(direct: dict[str, list[str]]) -> dict[str, frozenset[str]]:
    """Class -> all its (transitive) superclasses, itself excluded."""
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
    return closure


def _scan(index: DependencyIndex, store: Store, predicate: str) -> None:
    apply = index.add_fact
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


Progress = Callable[[int, int], None]
"""``progress(done, total)``: steps of a full build (for a progress bar)."""


def build_index(store: Store, progress: Progress | None = None) -> DependencyIndex:
    """Read the dependency graph and its descriptions from ``store`` (no cache)."""
    started = time.perf_counter()
    generation = store.generation
    index = DependencyIndex(generation, dependency_predicates(store))
    subproperties = index.dependency_predicates
    index.read_ontology(store)
    others = sorted(index.fact_predicates)
    total = len(subproperties) + 1 + len(others) + 1
    step = 0
    for predicate in sorted(subproperties):
        _scan(index, store, predicate)
        step += 1
        if progress is not None:
            progress(step, total)
    for graph in store.graphs():
        if not graph.endswith(INFERRED_SUFFIX):
            for quad in store.quads(predicate=ox.NamedNode(DEPENDS_ON), graph=graph):
                s = node_key(quad.subject)
                if s is not None:
                    index.add_fact(s, DEPENDS_ON, quad.object, graph)
    for predicate in others:
        step += 1
        if progress is not None:
            progress(step, total)
        _scan(index, store, predicate)
    index.settle()
    for graph in store.graphs():
        index.graph_subjects.ensure(graph)
    index.freeze()
    if progress is not None:
        progress(total, total)
    index.build_seconds = time.perf_counter() - started
    return index


def refresh_index(store: Store, index: DependencyIndex) -> DependencyIndex:
    """Bring ``index`` in step with ``store`` after graphs were added or dropped; returns a
    rebuilt index when the change is not of that kind (or too large to be worth it)."""
    refreshed = _refresh(store, index)
    return build_index(store) if refreshed is None else refreshed


def _refresh(store: Store, index: DependencyIndex) -> DependencyIndex | None:
    """:func:`refresh_index` without the fallback: None when only a rebuild will do (the
    index may then have lost some graphs' facts: throw it away)."""
    started = time.perf_counter()
    generation = store.generation
    graphs = set(store.graphs())
    known = set(index.graph_subjects)
    added, removed = graphs - known, known - graphs
    if not added and not removed:
        return None  # something changed inside a graph: start over
    touched: set[str] = set()
    for graph in removed:
        touched |= index.graph_subjects.pop(graph)
    new_facts: list[ox.Quad] = []
    for graph in added:
        for quad in store.quads(graph=graph):
            if quad.predicate.value in _ONTOLOGY_PREDICATES:
                return None
            s = node_key(quad.subject)
            if s is not None:
                touched.add(s)
                new_facts.append(quad)
        index.graph_subjects.ensure(graph)
    if len(touched) > _FULL_REBUILD_SHARE * max(1, len(index.forward) + len(index.labels)):
        return None
    if any(
        s in index.superclasses or s in index.layer_order or s in index.dependency_predicates
        for s in touched
    ):
        return None
    if any(s.startswith("_:") for s in touched):
        return None  # blank nodes cannot be asked for by id on every store
    index.reread(store, touched)
    if index.overlay_size > _COMPACT_AT * max(1, len(index.names.names)):
        index.freeze()
    index.generation = generation
    index.snapshot_id = None
    index.refresh_seconds = time.perf_counter() - started
    return index


_COMPACT_AT = 0.05
"""Fold the refresh overlays into the arrays when they hold more keys than this share of
the nodes."""
_CACHE: weakref.WeakKeyDictionary[object, DependencyIndex] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def get_index(
    store: Store, progress: Progress | None = None, *, offload: bool = False
) -> DependencyIndex:
    """The index of ``store``: cached, loaded from a valid snapshot, refreshed or rebuilt
    when ``store.generation`` changed. ``offload``: a full build of an on-disk store runs in
    a child process (:mod:`svckg.analysis.offload`; for background builds, so the threads
    answering requests do not wait for the GIL behind it), in process when that fails."""
    with _LOCK:
        cached = _CACHE.get(store)
        if cached is not None and cached.generation == store.generation:
            return cached
        if cached is None:
            cached = _load_snapshot(store)
            if cached is not None and cached.generation == store.generation:
                _CACHE[store] = cached
                return cached
        if cached is None:
            index = _full_build(store, progress, offload)
        elif offload:
            index = _refresh(store, cached) or _full_build(store, progress, offload)
        else:
            index = refresh_index(store, cached)
        _CACHE[store] = index
        _attach_snapshot(store)
        gc.collect()  # the build's cycles first: frozen, they would never be freed
        gc.freeze()
        return index


def cached_index(store: Store) -> DependencyIndex | None:
    """An up-to-date index of ``store`` that needs no full build (cached and current, or
    loaded from a valid snapshot, or refreshed incrementally), else None: callers then ask
    the engine. Never blocks on a build running in another thread."""
    if not _LOCK.acquire(blocking=False):
        return None
    try:
        cached = _CACHE.get(store)
        if cached is not None and cached.generation == store.generation:
            return cached
        if cached is None:
            cached = _load_snapshot(store)
            if cached is None:
                return None
            _CACHE[store] = cached
            if cached.generation == store.generation:
                return cached
        refreshed = _refresh(store, cached)
        if refreshed is not None:
            return refreshed
        _CACHE.pop(store, None)
    finally:
        _LOCK.release()
    _rebuild_in_background(store)  # the engine answers meanwhile
    return None


def snapshot_index(store: Store) -> DependencyIndex | None:
    """The index of ``store``'s current state from its valid snapshot (memory-mapped, in
    milliseconds), else None; never builds: for a store whose build would not fit the memory
    budget, a snapshot made earlier still serves."""
    with _LOCK:
        cached = _CACHE.get(store)
        if cached is None:
            cached = _load_snapshot(store)
            if cached is None:
                return None
            _CACHE[store] = cached
        return cached if cached.generation == store.generation else None


_WARMING: weakref.WeakSet[Any] = weakref.WeakSet()
"""Stores whose index a background thread is building."""


def _rebuild_in_background(store: Store) -> None:
    """Start a background build of ``store``'s index unless one is running."""
    with _WARMING_LOCK:
        if store in _WARMING:
            return
        _WARMING.add(store)

    def finished(_index: object, _error: BaseException | None) -> None:
        with _WARMING_LOCK:
            _WARMING.discard(store)

    start_background_build(store, finished)


_WARMING_LOCK = threading.Lock()


def last_index(store: Store) -> DependencyIndex | None:
    """The index last built for ``store``, whatever its generation (for metrics and
    ``/readyz``: never waits for a build in progress)."""
    return _CACHE.get(store)


_BUILD_NICENESS = 10


def background_priority() -> None:
    """Lower the calling thread's priority (Linux: a thread has its own nice value), so a
    background build yields the processor to the threads answering requests."""
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), _BUILD_NICENESS)


def start_background_build(
    store: Store,
    done: Callable[[DependencyIndex | None, BaseException | None], None],
    wanted: Callable[[], bool] | None = None,
) -> threading.Thread:
    """Load or build the index of ``store`` in a daemon thread, then call ``done(index,
    error)``: the server opens its port at once and answers through the engine meanwhile.
    When ``wanted()`` (asked in the thread: it may query the store) is false, nothing is
    built and ``done(None, None)`` is called."""

    def run() -> None:
        background_priority()
        try:
            if wanted is not None and not wanted():
                done(None, None)
                return
            index = get_index(store, offload=True)
        except Exception as exc:  # reported by ``done``; the server keeps the engine path
            done(None, exc)
            return
        done(index, None)

    thread = threading.Thread(target=run, name="svckg-index", daemon=True)
    thread.start()
    return thread


def invalidate(store: Store) -> None:
    """Forget the cached index of ``store`` (after writes made by another process)."""
    with _LOCK:
        _CACHE.pop(store, None)


def _load_snapshot(store: Store) -> DependencyIndex | None:
    """A valid snapshot of ``store``'s state, or None (see :mod:`svckg.analysis.snapshot`)."""
    from svckg.analysis.snapshot import load_for

    index = load_for(store)
    if index is not None:
        _attach_snapshot(store)
    return index


def _full_build(store: Store, progress: Progress | None, offload: bool) -> DependencyIndex:
    if offload:
        from svckg.analysis.offload import build_in_child

        built = build_in_child(store)
        if built is not None:
            return built
    return _reload_built(store, build_index(store, progress))


def _reload_built(store: Store, index: DependencyIndex) -> DependencyIndex:
    from svckg.analysis.snapshot import reload_built

    return reload_built(store, index)


def _attach_snapshot(store: Store) -> None:
    from svckg.analysis.snapshot import attach

    attach(store, lambda: _CACHE.get(store))
