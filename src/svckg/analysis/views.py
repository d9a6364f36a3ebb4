"""Each consumer's view, materialised: the triples of its scope in a store of its own.

A consumer token is answered from its view only, so the engine enforces the scope rather than
query rewriting: the view store (in memory, one per consumer) holds the consumer's named graph
``https://w3id.org/svckg/graph/view/<consumer>`` (the triples of :mod:`svckg.analysis.scope`)
and a copy of the public vocabulary graphs (ontology, concepts, alignments), and nothing
else. ``GRAPH ?g``, ``FROM``, property paths and ``DESCRIBE`` cannot reach what the store does
not hold.

What a view holds (from the main store's union of graphs):

- every triple of an element the scope describes in full whose object is a literal, an element
  of the scope or a vocabulary term;
- ``rdf:type`` (vocabulary or scope objects) and labels of the elements the scope only names.

The views live beside the main store, not in it: in the main store's union every reader would
see each viewed triple once per view (the union keeps duplicates: counts and non-DISTINCT
answers would change), and writing them would change the main store's generation, on which the
dependency index and the UI caches rebuild. Views are derived and cheap to rebuild (anchored
lookups), so they are rebuilt at start and refreshed after every write (see
:meth:`ConsumerViews.refresh`); a view is rewritten only when its triples changed.

>>> from svckg.store import memory_store
>>> main = memory_store()
>>> _ = main.load(b'''
... <urn:rel> <https://w3id.org/svckg#consumer> <urn:acme> .
... <urn:acme> <http://www.w3.org/2000/01/rdf-schema#label> "Acme" .
... <urn:rel> <https://w3id.org/svckg#provider> <urn:us> .
... <urn:us> <https://w3id.org/svckg#identifier> "internal-42" .
... ''', "urn:g")
>>> views = ConsumerViews(["urn:acme"])
>>> _ = views.refresh(main)
>>> sorted(t.object.value for t in views.view(main, "urn:acme").triples)
['Acme', 'urn:acme', 'urn:us']
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import quote

import pyoxigraph as ox

from svckg.analysis.scope import Scope, is_vocabulary, scopes_of
from svckg.store.base import Store
from svckg.store.embedded import EmbeddedStore
from svckg.store.system import loaded_checksums
from svckg.terms import LABEL_PREDICATE_IRIS, RDF_TYPE_IRI
from svckg.vocab import GRAPH, VOCABULARY_GRAPHS

VIEW_BASE = str(GRAPH) + "view/"
"""The views' graph names: ``<VIEW_BASE><consumer IRI, percent-encoded>``."""
_NAMING = frozenset((RDF_TYPE_IRI, *LABEL_PREDICATE_IRIS))


def view_graph(consumer: str) -> str:
    """The name of ``consumer``'s view graph.

    >>> view_graph("https://w3id.org/svckg/id/eva-holt")
    'https://w3id.org/svckg/graph/view/https%3A%2F%2Fw3id.org%2Fsvckg%2Fid%2Feva-holt'
    """
    return VIEW_BASE + quote(consumer, safe="")


def _visible_object(term: object, scope: Scope) -> bool:
    if isinstance(term, ox.Literal):
        return True
    if isinstance(term, ox.NamedNode):
        return term.value in scope or is_vocabulary(term.value)
    return False  # blank nodes: their description is not in the view


def view_triples(store: Store, scope: Scope) -> frozenset[ox.Triple]:
    """The triples of ``scope`` in ``store`` (see the module notes)."""
    out: set[ox.Triple] = set()
    for iri in scope.full:
        for quad in store.quads(subject=ox.NamedNode(iri)):
            if _visible_object(quad.object, scope):
                out.add(quad.triple)
    for iri in scope.named:
        for quad in store.quads(subject=ox.NamedNode(iri)):
            if quad.predicate.value in _NAMING and _visible_object(quad.object, scope):
                out.add(quad.triple)
    return frozenset(out)


@dataclass(frozen=True)
class View:
    """One consumer's view: its scope, its triples and the store that holds only them (and the
    vocabulary)."""

    consumer: str
    scope: Scope
    triples: frozenset[ox.Triple]
    store: EmbeddedStore

    @property
    def graph(self) -> str:
        """The view's graph name in :attr:`store`."""
        return view_graph(self.consumer)

    @property
    def graphs(self) -> list[str]:
        """Every graph a consumer's query sees as its default graph."""
        return [self.graph, *VOCABULARY_GRAPHS]

    def __contains__(self, iri: object) -> bool:
        return iri in self.scope or (isinstance(iri, str) and is_vocabulary(iri))


@dataclass
class ConsumerViews:
    """The views of the consumers some token is bound to, kept current with the main store
    (refreshed when its :attr:`~svckg.store.base.Store.generation` changed)."""

    consumers: Iterable[str]
    generation: int | None = None
    """The main store's generation the views were built at (None: never built)."""
    timings: dict[str, float] = field(default_factory=dict)
    _views: dict[str, View] = field(default_factory=dict)
    _vocabulary: dict[str, str] | None = None
    """The checksums of the vocabulary graphs the views hold a copy of."""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.consumers = tuple(sorted(set(self.consumers)))

    def view(self, store: Store, consumer: str) -> View:
        """``consumer``'s view, refreshed first when ``store`` changed since it was built."""
        if self.generation != store.generation or consumer not in self._views:
            self.refresh(store, only_if_stale=True, extra=(consumer,))
        return self._views[consumer]

    def refresh(
        self, store: Store, *, only_if_stale: bool = False, extra: Iterable[str] = ()
    ) -> dict[str, float]:
        """Bring every view in step with ``store``; returns seconds per phase (``scope``:
        deriving the scopes and triples, ``write``: rewriting the views that changed) and
        how many views changed."""
        with self._lock:
            generation = store.generation
            wanted = tuple(dict.fromkeys((*self.consumers, *extra)))
            if only_if_stale and generation == self.generation and set(wanted) <= set(self._views):
                return self.timings
            t0 = time.perf_counter()
            vocabulary = loaded_checksums(store)
            renew = vocabulary != self._vocabulary
            found = scopes_of(store, wanted)
            triples = {c: view_triples(store, s) for c, s in found.items()}
            t1 = time.perf_counter()
            copies: list[ox.Quad] = []
            changed = sum(self._update(store, found[c], triples[c], renew, copies) for c in wanted)
            self._vocabulary = vocabulary
            self.generation = generation
            self.timings = {
                "scope": t1 - t0,
                "write": time.perf_counter() - t1,
                "views": float(len(wanted)),
                "changed": float(changed),
            }
            return self.timings

    def _update(
        self,
        store: Store,
        scope: Scope,
        triples: frozenset[ox.Triple],
        renew: bool,
        copies: list[ox.Quad],
    ) -> bool:
        """Put one consumer's view in step; True when its triples were rewritten. A new view
        (or every view, when the vocabulary changed) gets a new store, swapped in whole; an
        existing one is rewritten in one transaction (readers see the old or the new view)."""
        consumer = scope.consumer
        old = self._views.get(consumer)
        if old is not None and old.triples == triples and not renew:
            if old.scope != scope:
                self._views[consumer] = View(consumer, scope, old.triples, old.store)
            return False
        target = _with_vocabulary(store, copies) if old is None or renew else old.store
        target.load(list(triples), view_graph(consumer), replace=True)
        self._views[consumer] = View(consumer, scope, triples, target)
        return True


def _with_vocabulary(store: Store, copies: list[ox.Quad]) -> EmbeddedStore:
    """A new in-memory store holding the vocabulary graphs of ``store`` (read once per refresh
    into ``copies``; the new store is not shared yet, so its engine is filled directly)."""
    if not copies:
        copies += [q for graph in VOCABULARY_GRAPHS for q in store.quads(graph=graph)]
    target = EmbeddedStore(None)
    target.engine.extend(copies)
    return target
