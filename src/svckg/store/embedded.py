"""Embedded store on pyoxigraph: an on-disk directory, or in memory when no path is given."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import pyoxigraph as ox

from svckg.errors import QueryError, StoreError
from svckg.store.base import QueryResult


class EmbeddedStore:
    """pyoxigraph Store behind the :class:`svckg.store.base.Store` protocol."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else None
        try:
            if self.path is None:
                self._store = ox.Store()
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.path))
        except OSError as exc:
            raise StoreError(
                f"cannot open the store: {exc}",
                where=str(self.path),
                hint="is another svckg process using it? stop it, or point SVCKG_STORE elsewhere",
            ) from exc
        self._generation = 0

    @property
    def generation(self) -> int:
        return self._generation

    @property
    def engine(self) -> ox.Store:
        """The pyoxigraph store, for modules that need engine-specific speed."""
        return self._store

    def _touch(self) -> None:
        self._generation += 1

    def query(
        self,
        sparql: str,
        *,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        substitutions: dict[str, ox.NamedNode | ox.Literal | ox.BlankNode] | None = None,
        timeout_s: float | None = None,
    ) -> QueryResult:
        kwargs: dict = {}
        if default_graph is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graph]
        else:
            kwargs["use_default_graph_as_union"] = True
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        if substitutions:
            kwargs["substitutions"] = {ox.Variable(k): v for k, v in substitutions.items()}
        try:
            return self._store.query(sparql, **kwargs)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}", hint="fix the query text") from exc

    def update(self, sparql: str) -> None:
        try:
            self._store.update(sparql)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL update syntax error: {exc}") from exc
        finally:
            self._touch()

    def load(
        self,
        data: bytes | Iterable[ox.Triple],
        graph: str,
        *,
        format: ox.RdfFormat | None = None,
        replace: bool = False,
    ) -> int:
        target = ox.NamedNode(graph)
        if isinstance(data, bytes):
            triples = list(ox.parse(data, format=format or ox.RdfFormat.N_TRIPLES))
        else:
            triples = list(data)
        quads = [ox.Quad(t.subject, t.predicate, t.object, target) for t in triples]
        if replace:
            self._store.remove_graph(target) if self._store.contains_named_graph(target) else None
        self._store.bulk_extend(quads)
        self._touch()
        return len(quads)

    def drop_graph(self, graph: str) -> None:
        node = ox.NamedNode(graph)
        if self._store.contains_named_graph(node):
            self._store.remove_graph(node)
            self._touch()

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def count(self, graph: str | None = None) -> int:
        g = ox.NamedNode(graph) if graph else None
        return sum(1 for _ in self._store.quads_for_pattern(None, None, None, g))

    def export(self, format: ox.RdfFormat = ox.RdfFormat.N_QUADS, graph: str | None = None) -> bytes:
        out = io.BytesIO()
        if graph is not None:
            self._store.dump(out, format, from_graph=ox.NamedNode(graph))
        else:
            self._store.dump(out, format)
        return out.getvalue()

    def quads(self, subject=None, predicate=None, object=None, graph=None) -> Iterator[ox.Quad]:
        g = ox.NamedNode(graph) if graph else None
        return iter(self._store.quads_for_pattern(subject, predicate, object, g))

    def close(self) -> None:
        self._store.flush() if self.path is not None else None
        del self._store
