"""The dependency index: the store's dependency edges as in-memory adjacency maps.

Built from the store with ``Store.quads(predicate=...)`` (one scan per predicate, so it works on
the embedded and the remote store alike) and cached per store object on ``store.generation``:
the first analysis after a write through that object rebuilds it. Writes made by *other*
processes to a shared on-disk or remote store are seen after :func:`invalidate` (or a new store
object).

What it holds:

- ``forward`` / ``backward``: every edge of every (transitive) ``rdfs:subPropertyOf
  svc:dependsOn`` read from the store's ontology (never hard-coded), each edge keeping its
  asserted predicate; plain ``svc:dependsOn`` edges that no sub-property edge explains (the
  pipeline's materialized ones are explained, so they are not counted twice); and the
  ``svc:member`` edges of redundancy groups (group -> alternative), which are not a dependency
  sub-property: the impact engine treats groups specially.
- ``minimum_required``: every redundancy group (subject of ``svc:member``) with its
  ``svc:minimumRequired`` (1 when absent).
- labels, types, class hierarchy and layers, owners, role assignments, relationships, bands of
  visibility and agreement targets, looked up in batch at build time.

Nodes are keyed by their IRI string; blank nodes by ``_:`` + their id.
"""

from __future__ import annotations

import contextlib
import threading
import time
import weakref
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from svckg.store.base import Store
from svckg.vocab import CONCEPT, SVC

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
SKOS_PREFLABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"

DEPENDS_ON = str(SVC.dependsOn)
MEMBER = str(SVC.member)
COVERS = str(SVC.covers)

_SUBPROPERTIES = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?p WHERE { ?p rdfs:subPropertyOf+ <https://w3id.org/svckg#dependsOn> }
"""


def node_key(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str | None:
    """The index key of an RDF term: an IRI, ``_:id`` for a blank node, None for a literal.

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


@dataclass
class DependencyIndex:
    """Adjacency maps of the dependency graph plus what results need to describe a node."""

    generation: int
    dependency_predicates: frozenset[str]
    forward: dict[str, list[tuple[str, str]]]
    """dependent -> [(asserted predicate, what it needs)]; groups -> [(svc:member, member)]."""
    backward: dict[str, list[tuple[str, str]]]
    """needed thing -> [(asserted predicate, dependent)]; member -> [(svc:member, group)]."""
    minimum_required: dict[str, int]
    labels: dict[str, str]
    types: dict[str, tuple[str, ...]]
    superclasses: dict[str, frozenset[str]]
    """class -> all its (transitive) superclasses, itself excluded."""
    class_layer: dict[str, str]
    """class -> layer concept, inherited from the nearest superclass that states one."""
    layer_order: dict[str, int]
    owners: dict[str, tuple[str, ...]]
    assignments_by_context: dict[str, tuple[str, ...]]
    assignment_agent: dict[str, str]
    assignment_role: dict[str, str]
    relationships_by_agreement: dict[str, tuple[str, ...]]
    relationship_consumers: dict[str, tuple[str, ...]]
    visible_in: dict[str, tuple[str, ...]]
    """element -> relationships whose band of visibility lists it."""
    targets: dict[str, tuple[str, ...]]
    target_values: dict[str, dict[str, str]]
    """service level target -> {"metric", "value", "unit"} (those present)."""
    build_seconds: float = 0.0
    _layer_memo: dict[str, str | None] = field(default_factory=dict, repr=False)
    _subclass_memo: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)

    @property
    def edge_count(self) -> int:
        """Number of edges (dependency and group member edges)."""
        return sum(len(v) for v in self.forward.values())

    def contains(self, key: str) -> bool:
        """True when the node has a dependency edge, a type or a label in the store."""
        return (
            key in self.forward or key in self.backward or key in self.types or key in self.labels
        )

    def label(self, key: str) -> str:
        """The node's label (rdfs:label or skos:prefLabel, English first), else its IRI end."""
        found = self.labels.get(key)
        if found is not None:
            return found
        tail = key.rstrip("/#")
        return tail.rsplit("#", 1)[-1].rsplit("/", 1)[-1] or key

    def is_a(self, key: str, cls: str) -> bool:
        """True when one of the node's types is ``cls`` or one of its subclasses."""
        return any(t == cls or cls in self.superclasses.get(t, ()) for t in self.types.get(key, ()))

    def subclasses(self, cls: str) -> frozenset[str]:
        """``cls`` and every class below it."""
        memo = self._subclass_memo.get(cls)
        if memo is None:
            memo = frozenset([cls] + [c for c, sup in self.superclasses.items() if cls in sup])
            self._subclass_memo[cls] = memo
        return memo

    def layer(self, key: str) -> str | None:
        """The layer concept of the node's most specific class that has a layer (else a layer
        stated on the node itself)."""
        if key in self._layer_memo:
            return self._layer_memo[key]
        types = self.types.get(key, ())
        best: str | None = None
        best_depth = -1
        for t in types:
            layer = self.class_layer.get(t)
            if layer is None:
                continue
            depth = len(self.superclasses.get(t, ()))
            if depth > best_depth:
                best, best_depth = layer, depth
        if best is None:
            best = self.class_layer.get(key)  # a layer stated on the instance itself
        self._layer_memo[key] = best
        return best

    def member_count(self, group: str) -> int:
        """Number of alternatives of a redundancy group."""
        return sum(1 for p, _ in self.forward.get(group, ()) if p == MEMBER)


def _pairs(
    store: Store, predicate: str
) -> Iterable[tuple[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
    """(subject key, object term) of every quad with ``predicate``."""
    for quad in store.quads(predicate=ox.NamedNode(predicate)):
        s = node_key(quad.subject)
        if s is not None:
            yield s, quad.object


def _multi(store: Store, predicate: str) -> dict[str, tuple[str, ...]]:
    """subject -> distinct object keys (literals skipped)."""
    out: dict[str, list[str]] = defaultdict(list)
    for s, o in _pairs(store, predicate):
        ok = node_key(o)
        if ok is not None and ok not in out[s]:
            out[s].append(ok)
    return {k: tuple(v) for k, v in out.items()}


def _single(store: Store, predicate: str) -> dict[str, str]:
    """subject -> one object key (the smallest, for stable results)."""
    out: dict[str, str] = {}
    for s, o in _pairs(store, predicate):
        ok = node_key(o)
        if ok is not None and (s not in out or ok < out[s]):
            out[s] = ok
    return out


def _labels(store: Store) -> dict[str, str]:
    """Best label per node: English, then no language, then any; rdfs:label over prefLabel."""
    ranked: dict[str, tuple[int, str]] = {}
    for rank_base, predicate in ((0, RDFS_LABEL), (3, SKOS_PREFLABEL)):
        for s, o in _pairs(store, predicate):
            if type(o) is not ox.Literal:
                continue
            lang = o.language
            rank = rank_base + (0 if lang == "en" else 1 if lang is None else 2)
            current = ranked.get(s)
            if (
                current is None
                or rank < current[0]
                or (rank == current[0] and o.value < current[1])
            ):
                ranked[s] = (rank, o.value)
    return {k: v for k, (_, v) in ranked.items()}


def _closure(direct: dict[str, tuple[str, ...]]) -> dict[str, frozenset[str]]:
    """Transitive closure of a class -> superclasses map (cycles tolerated)."""
    out: dict[str, frozenset[str]] = {}
    for start in direct:
        seen: set[str] = set()
        stack = list(direct[start])
        while stack:
            c = stack.pop()
            if c in seen or c == start:
                continue
            seen.add(c)
            stack.extend(direct.get(c, ()))
        out[start] = frozenset(seen)
    return out


def build_index(store: Store) -> DependencyIndex:
    """Read the dependency graph and its descriptions from ``store`` (no cache)."""
    started = time.perf_counter()
    generation = store.generation
    rows = store.query(_SUBPROPERTIES)
    subproperties = frozenset(
        row["p"].value
        for row in rows
        if isinstance(row["p"], ox.NamedNode)  # type: ignore[index]
    ) - {DEPENDS_ON}

    forward: dict[str, list[tuple[str, str]]] = defaultdict(list)
    backward: dict[str, list[tuple[str, str]]] = defaultdict(list)
    seen: set[tuple[str, str, str]] = set()
    explained: set[tuple[str, str]] = set()

    def add(s: str, p: str, o: str) -> None:
        edge = (s, p, o)
        if edge in seen:
            return
        seen.add(edge)
        forward[s].append((p, o))
        backward[o].append((p, s))

    for predicate in sorted(subproperties):
        for s, obj in _pairs(store, predicate):
            o = node_key(obj)
            if o is not None:
                add(s, predicate, o)
                explained.add((s, o))
    for s, obj in _pairs(store, DEPENDS_ON):
        o = node_key(obj)
        if o is not None and (s, o) not in explained:
            add(s, DEPENDS_ON, o)
    groups: set[str] = set()
    for s, obj in _pairs(store, MEMBER):
        o = node_key(obj)
        if o is not None:
            add(s, MEMBER, o)
            groups.add(s)
    minimum_required = {g: 1 for g in groups}
    for s, obj in _pairs(store, str(SVC.minimumRequired)):
        if s in minimum_required and type(obj) is ox.Literal:
            with contextlib.suppress(ValueError):
                minimum_required[s] = int(obj.value)

    types = _multi(store, RDF_TYPE)
    superclasses = _closure(_multi(store, RDFS_SUBCLASS))
    stated_layer = _single(store, str(SVC.layer))
    class_layer: dict[str, str] = {}
    for cls in set(stated_layer) | set(superclasses):
        if cls in stated_layer:
            class_layer[cls] = stated_layer[cls]
            continue
        ancestors = sorted(
            (a for a in superclasses.get(cls, ()) if a in stated_layer),
            key=lambda a: -len(superclasses.get(a, ())),
        )
        if ancestors:
            class_layer[cls] = stated_layer[ancestors[0]]
    for t in {t for ts in types.values() for t in ts}:
        superclasses.setdefault(t, frozenset())
    layer_order: dict[str, int] = {}
    for s, o in _pairs(store, str(SVC.layerOrder)):
        if type(o) is ox.Literal:
            with contextlib.suppress(ValueError):
                layer_order[s] = int(o.value)

    target_values: dict[str, dict[str, str]] = defaultdict(dict)
    for name, predicate in (("metric", SVC.metric), ("value", SVC.targetValue), ("unit", SVC.unit)):
        for s, o in _pairs(store, str(predicate)):
            target_values[s][name] = o.value

    by_context: dict[str, list[str]] = defaultdict(list)
    for assignment, contexts in _multi(store, str(SVC.inContextOf)).items():
        for c in contexts:
            by_context[c].append(assignment)
    by_agreement: dict[str, list[str]] = defaultdict(list)
    for rel, agreements in _multi(store, str(SVC.governedBy)).items():
        for a in agreements:
            by_agreement[a].append(rel)
    band_relationships: dict[str, list[str]] = defaultdict(list)
    for rel, bands in _multi(store, str(SVC.hasBandOfVisibility)).items():
        for b in bands:
            band_relationships[b].append(rel)
    visible_in: dict[str, list[str]] = defaultdict(list)
    for band, elements in _multi(store, str(SVC.visibleElement)).items():
        for e in elements:
            for rel in band_relationships.get(band, [band]):
                if rel not in visible_in[e]:
                    visible_in[e].append(rel)

    return DependencyIndex(
        generation=generation,
        dependency_predicates=subproperties,
        forward=dict(forward),
        backward=dict(backward),
        minimum_required=minimum_required,
        labels=_labels(store),
        types=types,
        superclasses=superclasses,
        class_layer=class_layer,
        layer_order=layer_order,
        owners=_multi(store, str(SVC.ownedBy)),
        assignments_by_context={k: tuple(v) for k, v in by_context.items()},
        assignment_agent=_single(store, str(SVC.agent)),
        assignment_role=_single(store, str(SVC.role)),
        relationships_by_agreement={k: tuple(v) for k, v in by_agreement.items()},
        relationship_consumers=_multi(store, str(SVC.consumer)),
        visible_in={k: tuple(v) for k, v in visible_in.items()},
        targets=_multi(store, str(SVC.target)),
        target_values=dict(target_values),
        build_seconds=time.perf_counter() - started,
    )


_CACHE: weakref.WeakKeyDictionary[object, DependencyIndex] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def get_index(store: Store) -> DependencyIndex:
    """The cached index of ``store``, rebuilt when ``store.generation`` has changed."""
    with _LOCK:
        cached = _CACHE.get(store)
        if cached is not None and cached.generation == store.generation:
            return cached
        index = build_index(store)
        _CACHE[store] = index
        return index


def invalidate(store: Store) -> None:
    """Forget the cached index of ``store`` (after writes made by another process)."""
    with _LOCK:
        _CACHE.pop(store, None)


CUSTOMER_ROLE = str(CONCEPT.consumer)
"""Role given to consumer organizations of relationships governed by an impacted agreement."""
