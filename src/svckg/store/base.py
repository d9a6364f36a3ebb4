"""The Store protocol: what every backend (embedded pyoxigraph, remote SPARQL) offers.

All svckg data lives in named graphs; queries see the union of all graphs as their
default graph unless ``default_graph`` narrows it. Results are pyoxigraph's own
result objects for both backends (the remote store parses the endpoint's answer
into them), so callers handle one result type.

Writes come in two kinds. ``load``, ``update`` and ``drop_graph`` are the careful ones (see
each backend's notes on atomicity). ``bulk_load``, ``copy_graph`` and ``insert_where`` are
the fast ones, named after pyoxigraph's non-transactional ``bulk_load`` / ``bulk_extend``:
meant for a graph no reader looks at yet (a new import version, a throw-away validation
store), they may leave a partial graph behind when they fail. Every write, of either kind,
changes :attr:`Store.generation`, the number caches (the dependency index) key on; on a
remote store shared by several svckg processes it also moves on their writes.

Opening a store by name is :func:`svckg.store.open_store` (in the package, so that this
module does not import the backends).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol, Self, TypeVar, runtime_checkable

import pyoxigraph as ox

from svckg.errors import ParseError, QueryError
from svckg.store.params import text_dataset

QUAD_FORMATS = (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG)
"""Serializations that carry several graphs."""

Triples = bytes | Iterable[ox.Triple]
"""What a load takes: serialized RDF in a triples format, or pyoxigraph triples."""
Format = ox.RdfFormat | None
"""An RDF serialization; None: the operation's default."""
Graphs = Sequence[str] | None
"""Graph IRIs; None: not given."""
Subject = ox.NamedNode | ox.BlankNode | None
Predicate = ox.NamedNode | None
Object = ox.NamedNode | ox.BlankNode | ox.Literal | None
"""Positions of a quad pattern; None matches anything."""
Substitutions = dict[str, ox.NamedNode | ox.Literal | ox.BlankNode]
"""Variable name (without ``?``) -> the term it is bound to."""


def triples_format(format: ox.RdfFormat | None, graph: str) -> ox.RdfFormat:
    """The format ``load()`` parses (N-Triples by default); a quad format is refused, since a
    load fills one named graph."""
    fmt = format or ox.RdfFormat.N_TRIPLES
    if fmt in QUAD_FORMATS:
        raise ParseError(
            f"{fmt.name} holds several graphs; load() fills one named graph",
            source=graph,
            hint="use a triples format (N-Triples, Turtle, RDF/XML, JSON-LD)",
        )
    return fmt


def parse_triples(
    data: bytes, fmt: ox.RdfFormat, source: str, *, base_iri: str | None = None, hint: str
) -> list[ox.Triple]:
    """Parse serialized triples; bad syntax raises ParseError (line, column) with ``hint``."""
    try:
        return [q.triple for q in ox.parse(data, format=fmt, base_iri=base_iri)]
    except SyntaxError as exc:
        raise syntax_error(exc, source, fmt, hint) from exc


def syntax_error(
    exc: SyntaxError, source: str, fmt: ox.RdfFormat, hint: str, lines_before: int = 0
) -> ParseError:
    """The ParseError for the engine parser's SyntaxError (``lines_before``: lines of the
    whole data before the part that was parsed)."""
    return ParseError(
        f"invalid {fmt.name}: {exc.msg}",
        source=source,
        line=exc.lineno + lines_before if exc.lineno else None,
        column=exc.offset,
        hint=hint,
    )


def split_lines(data: bytes, size: int) -> Iterator[bytes]:
    """``data`` in slices of about ``size`` bytes, each ending at a line end.

    >>> list(split_lines(b"a\\nbb\\nc\\n", 3))
    [b'a\\nbb\\n', b'c\\n']
    """
    start = 0
    while start < len(data):
        end = data.find(b"\n", min(start + size, len(data)) - 1)
        end = len(data) if end < 0 else end + 1
        yield data[start:end]
        start = end


def keep_blank_labels(data: bytes) -> Triples:
    """N-Triples ready for :meth:`Store.bulk_load` with their blank node labels kept: the
    bytes when they hold no blank node, else the parsed triples (the engine's loader gives
    the blank nodes of serialized data fresh labels; triple objects keep theirs)."""
    if b"_:" not in data:
        return data
    return [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]


def has_blank(triple: ox.Triple) -> bool:
    """Whether ``triple`` has a blank node (whose label means something only in one request
    or one store)."""
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)


def graph_node(value: str) -> ox.NamedNode:
    """The graph IRI ``value`` as a node; QueryError when it is not a valid IRI."""
    try:
        return ox.NamedNode(value)
    except ValueError as exc:
        raise QueryError(f"not a valid graph IRI: {value!r} ({exc})") from exc


COMMITTED_READ_TRIES = 3
"""How often a read during an import is run again when a write landed while it ran."""

_T = TypeVar("_T")


class _Asking(threading.local):
    active = False
    """True on a thread while it works out what :meth:`StoreBase.hiding` hides."""


_ASKING = _Asking()


@dataclass(frozen=True)
class ReaderDataset:
    """The dataset of a read during an import (:meth:`StoreBase.reader_dataset`): the graphs
    merged into the default graph, those ``GRAPH`` sees, and whether it stands for the union
    of all graphs (the embedded engine then adds its default graph)."""

    default: list[str]
    named: list[str]
    union: bool


class StoreBase:
    """What both backends share: the write counter behind :attr:`Store.generation`, and use
    as a context manager (closing on exit)."""

    _generation = 0
    remote_endpoints: frozenset[str] = frozenset()
    """Endpoints ``SERVICE`` / ``LOAD`` may fetch (:mod:`svckg.store.guard`); none unless
    :func:`svckg.store.open_store` was given some."""

    loads_beside_reads = False
    """True when ``bulk_load`` into a new graph may run on another thread while this one
    reads (the engine releases the GIL and isolates reads): the import pipeline then loads
    the version graph while it validates."""

    _writer: tuple[int, Callable[[], Iterable[str]]] | None = None
    _visible: tuple[int, frozenset[str]] | None = None

    @property
    def generation(self) -> int:
        """Changes on every write made through this object (cache key)."""
        return self._generation

    def _touch(self) -> None:
        self._generation += 1

    # -- readers during a write ------------------------------------------------------------

    @contextmanager
    def hiding(self, uncommitted: Callable[[], Iterable[str]]) -> Iterator[None]:
        """While the block runs (an import on this thread), reads on other threads do not see
        the graphs ``uncommitted()`` names at that moment (a version being loaded, a replaced
        one not yet dropped): readers never see half an import nor two versions of one.
        Union reads get the committed graphs as their dataset; a dataset that names a hidden
        graph (protocol, ``FROM``, a pattern read of one graph) reads it as empty. Engine
        independent: a remote store sends that dataset with the query. ``uncommitted`` runs
        on a reader's thread (once per write) and its own reads are not hidden."""
        self._visible = None
        self._writer = (threading.get_ident(), uncommitted)
        try:
            yield
        finally:
            self._writer = None

    def _visible_graphs(self) -> frozenset[str] | None:
        """The graphs reads on this thread may see while :meth:`hiding` is active on another
        thread (None: all). Computed once per :attr:`generation` (a write moves it; listing
        the graphs may be a heavy query on a remote engine): the graphs are listed before
        ``uncommitted()`` is asked, so a graph created in between (the first chunk of a load)
        is in neither and stays out."""
        writer = self._writer
        if writer is None or writer[0] == threading.get_ident() or _ASKING.active:
            return None
        generation = self.generation
        cached = self._visible
        if cached is not None and cached[0] == generation:
            return cached[1]
        _ASKING.active = True  # what this reads is not hidden (and does not recurse)
        try:
            listed = self.graphs()
            visible = frozenset(listed) - frozenset(writer[1]())
        finally:
            _ASKING.active = False
        self._visible = (generation, visible)
        return visible

    def reader_dataset(
        self, sparql: str, default_graph: Graphs, named_graphs: Graphs
    ) -> ReaderDataset | None:
        """The dataset a query gets while :meth:`hiding` is active on another thread: the one
        asked for (protocol lists, else the text's ``FROM``, else all graphs) without the
        graphs that are not committed; None when nothing is hidden (the query runs as
        asked)."""
        visible = self._visible_graphs()
        if visible is None:
            return None
        if default_graph is None and named_graphs is None:
            try:
                from_text = text_dataset(sparql)
            except ValueError:  # a dataset this module cannot read: as written
                return None
            if from_text is None:
                union = sorted(visible)
                return ReaderDataset(union, union, union=True)
            default_graph, named_graphs = from_text
        return ReaderDataset(
            [g for g in default_graph or () if g in visible],
            [g for g in named_graphs or () if g in visible],
            union=False,
        )

    def readable(self, graph: str | None) -> bool:
        """Whether a read of ``graph`` alone may see it now (False: :meth:`hiding` hides it
        from this thread; None, the union, is always readable)."""
        if graph is None:
            return True
        dataset = self.reader_dataset("", None, None)
        return dataset is None or graph in dataset.named

    def committed_read(
        self,
        sparql: str,
        default_graph: Graphs,
        named_graphs: Graphs,
        run: Callable[[ReaderDataset | None], _T],
    ) -> _T:
        """``run`` with :meth:`reader_dataset`'s answer; while an import runs on another
        thread, again (up to :data:`COMMITTED_READ_TRIES` times) when a write landed
        meanwhile: the record switch and the drop of the replaced version between listing
        the graphs and reading them would otherwise leave neither version visible."""
        if self._writer is None:  # no import: no extra work (the generation may be a query)
            return run(None)
        for _ in range(COMMITTED_READ_TRIES):
            before = self.generation
            dataset = self.reader_dataset(sparql, default_graph, named_graphs)
            result = run(dataset)
            if dataset is None or self.generation == before:
                break
        return result

    def close(self) -> None:
        """Release the store."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
"""SELECT -> QuerySolutions, ASK -> QueryBoolean, CONSTRUCT/DESCRIBE -> QueryTriples."""


@runtime_checkable
class Store(Protocol):
    """A quad store reached through SPARQL 1.1 semantics."""

    @property
    def generation(self) -> int:
        """A number that changes on every write made through this object (cache key), and
        on a remote store with the change marker on, within about a second of a write by
        another svckg process (:mod:`svckg.store.remote`): so a cache keyed on it sees the
        other processes' writes too. Reading it may cost one small query a second."""

    @property
    def exclusive(self) -> bool:
        """True when no other process can write to this store while this object is open (the
        embedded store holds its directory's lock, or lives in memory). The import pipeline
        then cleans up what a killed import left, and trusts the counts of what it wrote."""

    def query(
        self,
        sparql: str,
        *,
        default_graph: Graphs = None,
        named_graphs: Graphs = None,
        substitutions: Substitutions | None = None,
        timeout_s: float | None = None,
    ) -> QueryResult:
        """Run a SPARQL query. Without ``default_graph`` and ``named_graphs`` the default
        graph is the union of all graphs and GRAPH sees every named graph. As in the SPARQL
        protocol, once either is given the dataset is exactly what is given: ``default_graph``
        lists the graphs merged into the default graph, ``named_graphs`` those GRAPH can see
        (the one not given is empty; an empty list is a QueryError).
        ``substitutions`` binds variables (by name, without ``?``) to terms safely, never by
        pasting text: see :mod:`svckg.store.params` (the variable becomes a constant; in a
        SELECT projection it stays a column). Raises QueryError on bad syntax (with the
        parser's message) or a bad parameter, LimitExceeded after ``timeout_s`` seconds."""

    def update(self, sparql: str) -> None:
        """Run a SPARQL update atomically (one transaction / one request)."""

    def load(
        self, data: Triples, graph: str, *, format: Format = None, replace: bool = False
    ) -> int:
        """Add triples (or serialized RDF in a triples ``format``, default N-Triples) into
        named graph ``graph``; ``replace`` swaps the graph's content for the new triples
        (an empty input removes the graph). Returns the number of triples given. Bad syntax
        raises ParseError (line, column) and writes nothing. Atomicity limits: see each
        backend's module notes."""

    def bulk_load(
        self, data: Triples, graph: str, *, format: Format = None, base_iri: str | None = None
    ) -> None:
        """Add triples to named graph ``graph`` by the backend's fastest path (pyoxigraph's
        non-transactional ``bulk_load`` / ``bulk_extend``): for a graph no reader uses yet.
        Not atomic, and serialized data is not checked first: bad syntax raises ParseError
        and may leave part of the data. Blank nodes of serialized data get fresh labels;
        triple objects keep theirs (see :func:`keep_blank_labels`)."""

    def copy_graph(self, source: Store, graph: str, into: str | None = None) -> int:
        """Copy named graph ``graph`` of ``source`` (another store, or this one) into this
        store's graph ``into`` (default: the same name), as :meth:`bulk_load` does; returns
        the number of triples copied."""

    def insert_where(self, template: str, where: str, graph: str) -> None:
        """Add to named graph ``graph`` what ``CONSTRUCT { template } where`` gives (``where``
        is the full ``WHERE { ... }`` clause), by the backend's fastest path: one
        ``INSERT { GRAPH <graph> { template } } where`` update, or (on disk, where a
        transactional insert is ~5x slower) a CONSTRUCT bulk-loaded. For a new graph, as
        :meth:`bulk_load`. Blank nodes keep their identity."""

    def drop_graph(self, graph: str) -> None:
        """Remove a named graph and its triples (no error if absent)."""

    def graphs(self) -> list[str]:
        """IRIs of the named graphs, sorted."""

    def count(self, graph: str | None = None) -> int:
        """Number of quads in ``graph`` (None: in all named graphs)."""

    def export(
        self, format: ox.RdfFormat = ox.RdfFormat.N_QUADS, graph: str | None = None
    ) -> bytes:
        """Serialize one graph (any format; quad formats keep the graph name) or, with
        ``graph=None``, every named graph (quad formats only: a triples format without a
        graph is a QueryError). A graph that does not exist gives empty output."""

    def quads(
        self,
        subject: Subject = None,
        predicate: Predicate = None,
        object: Object = None,
        graph: str | None = None,
    ) -> Iterator[ox.Quad]:
        """Quads matching a pattern (None: any). The remote store cannot match blank nodes
        given as ``subject``/``object`` (QueryError)."""

    def close(self) -> None:
        """Release the store (locks, connections)."""
