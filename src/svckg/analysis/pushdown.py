"""Where the impact and trace walks read the dependency graph: the index, or the engine.

The walks (:mod:`.impact`, :mod:`.trace`) are written once, against :class:`GraphSource`:

- :class:`IndexSource` answers from the in-memory :class:`~.index.DependencyIndex` (every
  edge of the store in one process: fastest once built).
- :class:`EngineSource` ("push-down") asks the store's engine, frontier by frontier, with
  batched ``VALUES`` queries through the Store protocol (embedded, ``oxigraph serve``,
  Virtuoso): memory grows with the answer, not with the store. The facts that describe a
  result (labels, types, owners, role assignments, bands of visibility, agreement targets)
  are read the same way for the result's nodes only, into a partial index, so both sources
  describe a node by the same rules (:meth:`~.index.DependencyIndex.add_fact`).

The edge rules are the index's: every (transitive) ``rdfs:subPropertyOf svc:dependsOn`` read
from the store; an asserted ``svc:dependsOn`` that no sub-property edge between the same two
nodes explains (``.../inferred`` graphs, the pipeline's materialized copies, skipped); and
``svc:member`` edges of redundancy groups. :func:`choose_source` picks the source from the
``impact_mode`` and ``index_memory_budget_mb`` settings.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Protocol

import pyoxigraph as ox

from svckg.analysis.index import (
    AT_TOUCHPOINT,
    COVERS,
    DEPENDS_ON,
    INFERRED_SUFFIX,
    IS_REPLACED_BY,
    MEMBER,
    SERVICE_CONSUMER_ROLE,
    DependencyIndex,
    cached_index,
    dependency_predicates,
    get_index,
    key_term,
    node_key,
)
from svckg.config import Settings
from svckg.namespaces import SVC
from svckg.store.base import Store
from svckg.store.cache import PerStore

Edges = Mapping[str, Sequence[tuple[str, str]]]
"""node -> [(asserted predicate, other node)]."""
Row = tuple[str, str, ox.NamedNode | ox.BlankNode | ox.Literal, str]
"""(node, predicate, the other term, graph) of a triple around a node."""
BATCH = 200
"""Nodes per query (one ``VALUES`` block; the HTTP form body takes this easily)."""
BYTES_PER_EDGE = 800
"""What the in-memory index costs per edge that :func:`edge_count` counts (materialized copies
included), descriptions included: measured by ``bench/bench_pushdown.py`` at 1 M triples,
+266 MB resident for 370,610 counted edges (750 B), rounded up."""
DESCRIBE_ROUNDS = 4
"""Hops from a result node to what describes it: element -> role assignment -> role ->
its successor concept (the longest chain the result types read)."""
_FOLLOW = frozenset(
    {
        SVC + "ownedBy",
        SVC + "target",
        AT_TOUCHPOINT,
        SVC + "agent",
        SVC + "role",
        SVC + "consumer",
        IS_REPLACED_BY,
    }
)
"""Objects of these facts are described in the next round (their labels, values...)."""
VISIBLE_ELEMENT = SVC + "visibleElement"
_REVERSE = frozenset(
    {VISIBLE_ELEMENT, SVC + "inContextOf", SVC + "governedBy", SVC + "hasBandOfVisibility"}
)
"""Facts read with the node as object: bands listing it, role assignments and relationships
in its context, relationships having a band."""


class GraphSource(Protocol):
    """What the walks read: edges of a frontier and, in ``index``, what describes a node."""

    mode: str
    """``index`` or ``engine`` (reported in the API's metadata and ``/metrics``)."""
    index: DependencyIndex
    """The facts (whole, or a partial index holding the nodes asked about so far)."""

    def dependents(self, keys: Sequence[str]) -> Edges:
        """Backward edges: at least ``keys`` -> [(predicate, dependent)]."""
        ...

    def needs(self, keys: Sequence[str]) -> Edges:
        """Forward edges: at least ``keys`` -> [(predicate, needed)] (groups: members)."""
        ...

    def describe(self, keys: Iterable[str]) -> None:
        """Make sure ``index`` can describe ``keys`` (a no-op for the whole index)."""
        ...


class IndexSource:
    """The in-memory index: every lookup is a dict access."""

    mode = "index"

    def __init__(self, index: DependencyIndex):
        self.index = index

    def dependents(self, keys: Sequence[str]) -> Edges:
        return self.index.backward

    def needs(self, keys: Sequence[str]) -> Edges:
        return self.index.forward

    def describe(self, keys: Iterable[str]) -> None:
        return None


class _Context:
    """What every push-down answer of one store state shares: the dependency predicates, the
    ontology (class hierarchy, layers) and the impact roles of types."""

    def __init__(self, store: Store):
        from svckg.analysis.impact import load_roles  # impact imports this module

        self.generation = store.generation
        self.predicates = dependency_predicates(store)
        template = DependencyIndex(self.generation, self.predicates)
        template.read_ontology(store)
        load_roles(store, template)
        self.template = template
        self.edge_set = self.predicates | {DEPENDS_ON, MEMBER}
        # the facts naming a node as object are read backwards, only for the nodes they
        # describe (a band's forward facts list every element it shows)
        self.fact_set = (template.fact_predicates - _REVERSE) | (
            {AT_TOUCHPOINT, COVERS} & self.predicates
        )
        self.layers = sorted(set(template.class_layer.values()))
        self.edge_count: int | None = None


_context = PerStore(_Context).get
"""The shared part, read again when the store changed."""


def _iri_text(key: str) -> str:
    """``<iri>`` of a key (validated by pyoxigraph, never pasted raw)."""
    return str(ox.NamedNode(key))


def _chunks(keys: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(keys), BATCH):
        yield keys[start : start + BATCH]


class EngineSource:
    """The push-down source: edges and facts asked of the engine for the nodes reached."""

    mode = "engine"

    def __init__(self, store: Store):
        self.store = store
        ctx = self._ctx = _context(store)
        index = DependencyIndex(ctx.generation, ctx.predicates)
        index.share_ontology(ctx.template)
        self.index = index
        self._backward: dict[str, list[tuple[str, str]]] = {}
        self._forward: dict[str, list[tuple[str, str]]] = {}
        self._facts_read: set[str] = set()
        self._reverse_read: set[str] = set()
        self._next: dict[str, set[str]] = {}
        """node -> the nodes its facts name that describe it (owners, assignments...)."""
        self._next_reverse: dict[str, set[str]] = {}
        """node -> the nodes whose incoming facts describe it (touchpoints, bands)."""

    # -- edges ---------------------------------------------------------------------------

    def dependents(self, keys: Sequence[str]) -> Edges:
        missing = [k for k in keys if k not in self._backward]
        if missing:
            found = self._edges(missing, backward=True)
            self._backward.update(found)
            self._read_facts([d for edges in found.values() for _, d in edges])
        return self._backward

    def needs(self, keys: Sequence[str]) -> Edges:
        missing = [k for k in keys if k not in self._forward]
        if missing:
            self._forward.update(self._edges(missing, backward=False))
        return self._forward

    def _edges(self, keys: list[str], *, backward: bool) -> dict[str, list[tuple[str, str]]]:
        """The edges of ``keys`` by the index's rules (see the module notes); reading the
        incoming triples also gives the facts that name the node as object."""
        seen: dict[tuple[str, str], dict[str, bool]] = {}
        """(node, other) -> predicate -> True when stated outside an inferred graph."""
        edge_predicates = self._ctx.edge_set
        wanted = self._ctx.edge_set | _REVERSE if backward else self._ctx.edge_set
        rows = self._around(keys, incoming=backward, predicates=wanted)
        if backward:
            rows = self._note_reverse(rows, keys)
        for node, p, term, graph in rows:
            other = node_key(term)
            if p in edge_predicates and other is not None:
                preds = seen.setdefault((node, other), {})
                preds[p] = preds.get(p, False) or not graph.endswith(INFERRED_SUFFIX)
        out: dict[str, list[tuple[str, str]]] = {k: [] for k in keys}
        predicates = self._ctx.predicates
        for (node, other), preds in seen.items():
            explained = any(p in predicates for p in preds)
            for p, asserted in preds.items():
                if p == DEPENDS_ON and (explained or not asserted):
                    continue
                out[node].append((p, other))
        return out

    def _around(
        self, keys: Iterable[str], *, incoming: bool, predicates: frozenset[str]
    ) -> Iterator[Row]:
        """(node, predicate, other term, graph) of every triple with ``predicates`` and a
        node of ``keys`` as object (``incoming``) or subject. One ``VALUES`` block of nodes
        and the predicates as a ``FILTER``: a second ``VALUES`` block for the predicates made
        pyoxigraph at times scan the whole predicate instead (30-100x slower); one ``UNION``
        branch per node was measured 1.5-3x slower than this."""
        named = sorted(k for k in keys if not k.startswith("_:"))
        pattern = "?x ?p ?n" if incoming else "?n ?p ?x"
        allowed = ", ".join(f"<{p}>" for p in sorted(predicates))
        for chunk in _chunks(named):
            nodes = " ".join(map(_iri_text, chunk))
            rows = self.store.query(
                f"SELECT ?n ?p ?x ?g WHERE {{ VALUES ?n {{ {nodes} }} "
                f"GRAPH ?g {{ {pattern} }} FILTER(?p IN ({allowed})) }}"
            )
            for row in rows:  # type: ignore[union-attr]
                n, p, g = row["n"].value, row["p"].value, row["g"].value  # type: ignore[index]
                yield n, p, row["x"], g  # type: ignore[index]
        for key in keys:
            if key.startswith("_:"):  # the embedded store matches blank nodes; others refuse
                term = key_term(key)
                pattern = {"object": term} if incoming else {"subject": term}
                for quad in self.store.quads(**pattern):  # type: ignore[arg-type]
                    other = quad.subject if incoming else quad.object
                    yield key, quad.predicate.value, other, node_key(quad.graph_name) or ""

    # -- facts ---------------------------------------------------------------------------

    def describe(self, keys: Iterable[str]) -> None:
        """Read what describes ``keys`` and, hop by hop, the nodes that describes (owners,
        role assignments and their roles, bands, relationships, targets)."""
        keys = set(keys)
        facts = keys | {SERVICE_CONSUMER_ROLE, *self._ctx.layers}
        reverse = keys
        done: set[str] = set()
        for _ in range(DESCRIBE_ROUNDS):
            self._read_facts(facts)
            self._read_reverse(reverse)
            done |= facts
            around = facts | reverse
            facts = {n for k in around for n in self._next.get(k, ())} - done
            reverse = {n for k in around for n in self._next_reverse.get(k, ())}
            if not facts and not reverse:
                break

    def _read_facts(self, keys: Iterable[str]) -> None:
        """Facts with ``keys`` as subject (noting the objects worth describing next)."""
        wanted = [k for k in set(keys) - self._facts_read]
        self._facts_read.update(wanted)
        add, fact_predicates = self.index.add_fact, self._ctx.fact_set
        for s, p, o, g in self._around(wanted, incoming=False, predicates=fact_predicates):
            if p not in fact_predicates:
                continue
            add(s, p, o, g)
            if p in _FOLLOW and (ok := node_key(o)) is not None:
                self._next.setdefault(s, set()).add(ok)
                if p == AT_TOUCHPOINT:  # the bands listing the touchpoint list the element
                    self._next_reverse.setdefault(s, set()).add(ok)
        self.index.settle(wanted)

    def _read_reverse(self, keys: Iterable[str]) -> None:
        """Facts with ``keys`` as object (see ``_REVERSE``), noting their subjects."""
        wanted = [k for k in set(keys) - self._reverse_read]
        rows = self._around(wanted, incoming=True, predicates=_REVERSE)
        for _ in self._note_reverse(rows, wanted):
            pass

    def _note_reverse(self, rows: Iterable[Row], keys: Iterable[str]) -> Iterator[Row]:
        """Record the ``_REVERSE`` facts among incoming ``rows`` of ``keys``; yields every
        row on."""
        self._reverse_read.update(keys)
        for row in rows:
            o, p, term, g = row
            if p in _REVERSE and (s := node_key(term)) is not None:
                self.index.add_fact(s, p, key_term(o), g)
                self._next.setdefault(o, set()).add(s)
                if p == VISIBLE_ELEMENT:  # a band: the relationships having it
                    self._next_reverse.setdefault(o, set()).add(s)
            yield row


# -- choosing -------------------------------------------------------------------------------


def edge_count(store: Store) -> int:
    """Dependency and member edges in the store (one COUNT; an upper bound: materialized
    copies count too), cached per store state."""
    ctx = _context(store)
    if ctx.edge_count is None:
        branches = " UNION ".join(f"{{ GRAPH ?g {{ ?s <{p}> ?o }} }}" for p in sorted(ctx.edge_set))
        rows = store.query(f"SELECT (COUNT(?s) AS ?n) WHERE {{ {branches} }}")
        ctx.edge_count = int(next(iter(rows))["n"].value)  # type: ignore[arg-type, index]
    return ctx.edge_count


def index_fits(store: Store, settings: Settings) -> bool:
    """Whether the whole index of ``store`` fits the memory budget."""
    return edge_count(store) * BYTES_PER_EDGE <= settings.index_memory_budget_mb * 1024 * 1024


def wants_index(store: Store, settings: Settings) -> bool:
    """Whether a server should build the index (the engine serves otherwise)."""
    if settings.impact_mode != "auto":
        return settings.impact_mode == "index"
    return index_fits(store, settings)


def choose_source(
    store: Store, settings: Settings | None = None, *, may_build: bool = True
) -> GraphSource:
    """The source that answers: the one ``settings.impact_mode`` names; in ``auto``, the
    index when one is built, else the engine when the index would not fit the memory budget
    or the caller may not wait for it (``may_build=False``: a server warming up), else the
    index, built now."""
    settings = settings or Settings()
    mode = settings.impact_mode
    if mode == "engine":
        return EngineSource(store)
    if mode == "index":
        return IndexSource(get_index(store))
    ready = cached_index(store)  # up to date without a full build (memory or snapshot)
    if ready is not None:
        return IndexSource(ready)
    if may_build and index_fits(store, settings):
        return IndexSource(get_index(store))
    return EngineSource(store)
