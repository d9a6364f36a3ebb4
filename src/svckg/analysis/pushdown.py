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
from typing import NamedTuple, Protocol

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
    stated_layers,
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
BYTES_PER_EDGE = 1_000
"""Peak memory of building the index, per edge that :func:`edge_count` counts (materialized
copies included), descriptions included: the build is what must fit (a server builds in a
child process, the CLI in its own). Measured with the flat index (``bench/bench_cold.py``,
5 M triples): 1,861 MB peak for 1,853,058 counted edges (1,004 B; 10 M: 3,599 MB). Serving
the built index costs far less (memory-mapped snapshot: 264 MB at 5 M, 142 B an edge), so a
valid snapshot is used whatever the budget."""
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
        template.read_ontology(store, declared_only=True)
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
        self.types_checked: set[str] = set()
        """Types met in answers whose own ``svc:layer`` was asked for (see
        :meth:`EngineSource._type_layers`)."""


_context = PerStore(_Context).get
"""The shared part, read again when the store changed."""


def _iri_text(key: str) -> str:
    """``<iri>`` of a key (validated by pyoxigraph, never pasted raw)."""
    return str(ox.NamedNode(key))


class _Part(NamedTuple):
    """One branch of a read: the triples with ``predicates`` around ``keys``."""

    kind: str
    """``in`` (keys as object) or ``out`` (keys as subject)."""
    keys: Sequence[str]
    predicates: frozenset[str]


_BRANCH = {
    "in": "GRAPH ?g {{ ?x{i} ?p ?n }} FILTER(?p IN ({allowed}))",
    "out": "GRAPH ?g {{ ?n ?p ?x{i} }} FILTER(?p IN ({allowed}))",
}
"""Each kind of :class:`_Part` as a ``UNION`` branch; ``?x<i>`` says which part a row is
of (the branches of one query bind distinct variables)."""


class EngineSource:
    """The push-down source: edges and facts asked of the engine for the nodes reached.

    Each read is one query per ``BATCH`` nodes, its parts ``UNION`` branches (distinct
    variables say which): a walk level reads the facts of the dependents found (their roles
    are checked at once) and their incoming edges (the next level's) in one round trip; a
    describe round, the facts and the incoming facts of its nodes in one. The
    ontology-level nodes every answer describes (the service consumer role, the layers)
    ride along with the first read."""

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
        self._always_described = (SERVICE_CONSUMER_ROLE, *ctx.layers)
        """Described by every answer: read with the first query."""
        self._always = list(self._always_described)
        """Of those, what is not read yet."""

    # -- edges ---------------------------------------------------------------------------

    def dependents(self, keys: Sequence[str]) -> Edges:
        """Also reads, in one query, the facts of the dependents found (the walk checks their
        roles at once) and their own incoming edges (the next level's, read ahead)."""
        missing = [k for k in keys if k not in self._backward]
        if missing:  # the roots (later levels were read ahead)
            self._load(missing, missing)
        backward = self._backward
        found = dict.fromkeys(d for k in keys for _, d in backward.get(k, ()))
        ahead = [d for d in found if d not in backward]
        unread = [d for d in found if d not in self._facts_read]
        if ahead or unread:
            self._load(ahead, unread)
        return backward

    def _load(self, edges_of: list[str], facts_of: list[str]) -> None:
        """One read: the incoming edges (and reverse facts) of ``edges_of``, the facts of
        ``facts_of``."""
        ctx = self._ctx
        fresh = self._unread(facts_of)
        incoming, outgoing = self._read(
            _Part("in", edges_of, ctx.edge_set | _REVERSE), _Part("out", fresh, ctx.fact_set)
        )
        self._take_facts(outgoing)
        self.index.settle(fresh)
        self._backward.update(self._edges(edges_of, self._note_reverse(incoming, edges_of)))

    def needs(self, keys: Sequence[str]) -> Edges:
        missing = [k for k in keys if k not in self._forward]
        if missing:
            ctx = self._ctx
            fresh = self._unread(missing)
            outgoing, incoming = self._read(
                _Part("out", list(dict.fromkeys([*missing, *fresh])), ctx.edge_set | ctx.fact_set),
                _Part("in", [k for k in missing if k not in self._reverse_read], _REVERSE),
            )
            self._note_reverse(incoming, missing)
            fresh_set, missing_set = set(fresh), set(missing)
            self._take_facts([r for r in outgoing if r[0] in fresh_set])
            self.index.settle(fresh)
            edges = [r for r in outgoing if r[0] in missing_set]
            self._forward.update(self._edges(missing, edges))
        return self._forward

    def _edges(self, keys: list[str], rows: Iterable[Row]) -> dict[str, list[tuple[str, str]]]:
        """The edges of ``keys`` by the index's rules (see the module notes), from the
        ``rows`` around them (other predicates ignored)."""
        seen: dict[tuple[str, str], dict[str, bool]] = {}
        """(node, other) -> predicate -> True when stated outside an inferred graph."""
        edge_predicates = self._ctx.edge_set
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

    def _unread(self, keys: Iterable[str]) -> list[str]:
        """``keys`` whose facts are not read yet (plus, once, :attr:`_always`), now
        counted as read (the caller reads them)."""
        wanted = [k for k in dict.fromkeys([*self._always, *keys]) if k not in self._facts_read]
        self._always = []
        self._facts_read.update(wanted)
        return wanted

    def _read(self, *parts: _Part) -> list[list[Row]]:
        """The rows of each part: one query per ``BATCH`` nodes of every part (the parts'
        ``UNION``). A part is one ``VALUES`` block of nodes and the predicates as a
        ``FILTER``: a second ``VALUES`` block for the predicates made pyoxigraph at times
        scan the whole predicate instead (30-100x slower); one ``UNION`` branch per node was
        measured 1.5-3x slower. Blank nodes (which only the embedded store matches by id)
        are read by pattern, one node at a time."""
        out: list[list[Row]] = [[] for _ in parts]
        named = [sorted(k for k in part.keys if not k.startswith("_:")) for part in parts]
        rounds = max(((len(n) + BATCH - 1) // BATCH for n in named), default=0)
        for r in range(rounds):
            branches: list[str] = []
            present: list[int] = []
            for i, (part, keys) in enumerate(zip(parts, named, strict=True)):
                chunk = keys[r * BATCH : (r + 1) * BATCH]
                if not chunk or not part.predicates:
                    continue
                allowed = ", ".join(f"<{p}>" for p in sorted(part.predicates))
                nodes = " ".join(map(_iri_text, chunk))
                body = _BRANCH[part.kind].format(i=i, allowed=allowed)
                branches.append(f"{{ VALUES ?n {{ {nodes} }} {body} }}")
                present.append(i)
            if branches:
                self._collect(" UNION ".join(branches), parts, present, out)
        for i, part in enumerate(parts):
            out[i].extend(self._blank_rows(part))
        return out

    def _collect(
        self, union: str, parts: Sequence[_Part], present: list[int], out: list[list[Row]]
    ) -> None:
        """Run one read and sort its rows by part."""
        names = " ".join(f"?x{i}" for i in present)
        rows = self.store.query(f"SELECT ?n ?p ?g {names} WHERE {{ {union} }}")
        for row in rows:  # type: ignore[union-attr]
            for i in present:
                term = row[f"x{i}"]  # type: ignore[index]
                if term is not None:
                    n, p, g = row["n"].value, row["p"].value, row["g"].value  # type: ignore[index]
                    out[i].append((n, p, term, g))
                    break

    def _blank_rows(self, part: _Part) -> Iterator[Row]:
        """The rows of ``part`` around its blank nodes, by pattern (embedded store)."""
        incoming = part.kind == "in"
        for key in part.keys:
            if key.startswith("_:"):
                term = key_term(key)
                pattern = {"object": term} if incoming else {"subject": term}
                for quad in self.store.quads(**pattern):  # type: ignore[arg-type]
                    if quad.predicate.value in part.predicates:
                        other = quad.subject if incoming else quad.object
                        yield key, quad.predicate.value, other, node_key(quad.graph_name) or ""

    # -- facts ---------------------------------------------------------------------------

    def describe(self, keys: Iterable[str]) -> None:
        """Read what describes ``keys`` and, hop by hop, the nodes that describes (owners,
        role assignments and their roles, bands, relationships, targets): one query a hop."""
        keys = set(keys)
        facts = keys | set(self._always_described)
        reverse = keys
        done: set[str] = set()
        for _ in range(DESCRIBE_ROUNDS):
            wanted = self._unread(facts)
            backward = [k for k in reverse if k not in self._reverse_read]
            outgoing, incoming = self._read(
                _Part("out", wanted, self._ctx.fact_set), _Part("in", backward, _REVERSE)
            )
            self._take_facts(outgoing)
            self.index.settle(wanted)
            self._note_reverse(incoming, backward)
            done |= facts
            around = facts | reverse
            facts = {n for k in around for n in self._next.get(k, ())} - done
            reverse = {n for k in around for n in self._next_reverse.get(k, ())}
            if not facts and not reverse:
                break
        self._type_layers()

    def _type_layers(self) -> None:
        """Layers of the types met that the ontology read did not know (a class may be no
        more than a subject stating ``svc:layer``: the full index reads them all), and the
        labels of those layers."""
        ctx = self._ctx
        known, checked = ctx.template.superclasses, ctx.types_checked
        met = {t for types in self.index.types.values() for t in types}
        unknown = sorted(t for t in met - checked if t not in known and not t.startswith("_:"))
        if unknown:
            ctx.template.add_class_layers(stated_layers(self.store, unknown))
            checked.update(unknown)
        layers = {self.index.class_layer.get(t) for t in met} - {None}
        self._read_facts(layers - self._facts_read)  # type: ignore[arg-type]

    def _read_facts(self, keys: Iterable[str]) -> None:
        """Facts with ``keys`` as subject, in a read of their own."""
        wanted = [k for k in dict.fromkeys(keys) if k not in self._facts_read]
        if wanted:
            self._facts_read.update(wanted)
            (rows,) = self._read(_Part("out", wanted, self._ctx.fact_set))
            self._take_facts(rows)
            self.index.settle(wanted)

    def _take_facts(self, rows: Iterable[Row]) -> None:
        """Record facts (noting the objects worth describing next); other predicates are
        skipped."""
        add, fact_predicates = self.index.add_fact, self._ctx.fact_set
        for s, p, o, g in rows:
            if p not in fact_predicates:
                continue
            add(s, p, o, g)
            if p in _FOLLOW and (ok := node_key(o)) is not None:
                self._next.setdefault(s, set()).add(ok)
                if p == AT_TOUCHPOINT:  # the bands listing the touchpoint list the element
                    self._next_reverse.setdefault(s, set()).add(ok)

    def _note_reverse(self, rows: list[Row], keys: Iterable[str]) -> list[Row]:
        """Record the ``_REVERSE`` facts among incoming ``rows`` of ``keys``; returns the
        rows."""
        self._reverse_read.update(keys)
        for o, p, term, g in rows:
            if p in _REVERSE and (s := node_key(term)) is not None:
                self.index.add_fact(s, p, key_term(o), g)
                self._next.setdefault(o, set()).add(s)
                if p == VISIBLE_ELEMENT:  # a band: the relationships having it
                    self._next_reverse.setdefault(o, set()).add(s)
        return rows


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
