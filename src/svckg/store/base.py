"""The Store protocol: what every backend (embedded pyoxigraph, remote SPARQL) offers.

All svckg data lives in named graphs; queries see the union of all graphs as their
default graph unless ``default_graph`` narrows it. Results are pyoxigraph's own
result objects for both backends (the remote store parses the endpoint's answer
into them), so callers handle one result type.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol, runtime_checkable

import pyoxigraph as ox

from svckg.config import Settings
from svckg.errors import ParseError

QUAD_FORMATS = (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG)
"""Serializations that carry several graphs."""


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


QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
"""SELECT -> QuerySolutions, ASK -> QueryBoolean, CONSTRUCT/DESCRIBE -> QueryTriples."""


@runtime_checkable
class Store(Protocol):
    """A quad store reached through SPARQL 1.1 semantics."""

    @property
    def generation(self) -> int:
        """A number that changes on every write made through this object (cache key)."""

    def query(
        self,
        sparql: str,
        *,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        substitutions: dict[str, ox.NamedNode | ox.Literal | ox.BlankNode] | None = None,
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
        self,
        data: bytes | Iterable[ox.Triple],
        graph: str,
        *,
        format: ox.RdfFormat | None = None,
        replace: bool = False,
    ) -> int:
        """Add triples (or serialized RDF in a triples ``format``, default N-Triples) into
        named graph ``graph``; ``replace`` swaps the graph's content for the new triples
        (an empty input removes the graph). Returns the number of triples given. Bad syntax
        raises ParseError (line, column) and writes nothing. Atomicity limits: see each
        backend's module notes."""

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
        subject: ox.NamedNode | ox.BlankNode | None = None,
        predicate: ox.NamedNode | None = None,
        object: ox.NamedNode | ox.BlankNode | ox.Literal | None = None,
        graph: str | None = None,
    ) -> Iterator[ox.Quad]:
        """Quads matching a pattern (None: any). The remote store cannot match blank nodes
        given as ``subject``/``object`` (QueryError)."""

    def close(self) -> None:
        """Release the store (locks, connections)."""


def open_store(settings: Settings) -> Store:
    """Open the store ``settings.store`` names: a directory, ``:memory:`` or an http(s) URL."""
    target = settings.store
    if target.startswith(("http://", "https://")):
        from svckg.store.remote import RemoteStore

        return RemoteStore(
            target,
            update_url=settings.remote_update,
            gsp_url=settings.remote_gsp,
            timeout_s=settings.query_timeout_s,
        )
    from svckg.store.embedded import EmbeddedStore

    return EmbeddedStore(target)
