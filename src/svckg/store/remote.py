"""Remote store: any SPARQL 1.1 Query / Update (and optionally Graph Store) endpoint over HTTP.

Results are parsed into pyoxigraph's result objects, so callers see the same types as with
the embedded store. svckg expects the endpoint's default graph to be the union of the named
graphs (start oxigraph with ``oxigraph serve --union-default-graph``; Fuseki:
``tdb:unionDefaultGraph true``; GraphDB and Virtuoso query all graphs by default);
``default_graph`` / ``named_graphs`` become ``default-graph-uri`` / ``named-graph-uri``.

Timeouts: ``timeout_s`` bounds the wait for an answer (LimitExceeded after it). The server
may go on evaluating the query: give it its own limit too (``oxigraph serve --timeout-s``).

Loads: with a Graph Store Protocol URL, ``load`` sends one request (POST adds, PUT
replaces; whether one request is one transaction is up to the server). Without one, it
sends ``INSERT DATA`` updates of at most :data:`INSERT_CHUNK` triples; ``replace=True``
puts ``DROP SILENT GRAPH`` and the first chunk in one request, so a replace of up to
:data:`INSERT_CHUNK` triples is atomic and a larger one is not. Triples with blank nodes all
go in the first request (a blank node label only means the same node within one request).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import httpx
import pyoxigraph as ox

from svckg.errors import LimitExceeded, QueryError, StoreError
from svckg.store.base import (
    QUAD_FORMATS,
    Format,
    Graphs,
    Object,
    Predicate,
    QueryResult,
    Store,
    StoreBase,
    Subject,
    Triples,
    graph_node,
    has_blank,
    parse_triples,
    triples_format,
)
from svckg.store.params import Term, bind_parameters, check_dataset, term_text
from svckg.store.results import solutions_from_bytes, triples_from_bytes

INSERT_CHUNK = 50_000
"""Triples per ``INSERT DATA`` request when no Graph Store endpoint is configured."""

CONNECT_TIMEOUT_S = 10.0
"""Limit for connecting to the endpoint and sending a request."""


_ACCEPT_QUERY = (
    "application/sparql-results+json, application/n-triples, "
    "application/sparql-results+xml;q=0.8, text/turtle;q=0.8, text/plain;q=0.5"
)


class RemoteStore(StoreBase):
    """A SPARQL 1.1 endpoint behind the :class:`svckg.store.base.Store` protocol.

    ``update_url`` defaults to ``query_url``; ``gsp_url`` (Graph Store Protocol) is optional
    and makes loads and exports faster. One keep-alive ``httpx.Client`` serves all requests.
    """

    def __init__(
        self,
        query_url: str,
        *,
        update_url: str | None = None,
        gsp_url: str | None = None,
        timeout_s: float = 30,
        token: str | None = None,
    ):
        """``token``: sent as ``Authorization: Bearer`` (an svckg server's token)."""
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.gsp_url = gsp_url
        self.timeout_s = timeout_s
        self._client = httpx.Client(
            timeout=_timeout(timeout_s),
            headers={"User-Agent": "svckg"}
            | ({"Authorization": f"Bearer {token}"} if token else {}),
        )
        self._generation = 0

    @property
    def exclusive(self) -> bool:
        """Never: other clients may write to the endpoint."""
        return False

    # -- HTTP ---------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        url: str,
        *,
        what: str,
        timeout_s: float | None = None,
        missing_ok: bool = False,
        **kwargs: Any,
    ) -> httpx.Response:
        """One request; transport and HTTP errors become svckg errors naming the URL
        (``missing_ok``: a 404 is returned, not raised)."""
        if timeout_s is not None:
            kwargs["timeout"] = _timeout(timeout_s)
        try:
            response = self._client.request(method, url, **kwargs)
        except httpx.ReadTimeout as exc:
            limit = timeout_s if timeout_s is not None else self.timeout_s
            raise LimitExceeded(
                f"{what} got no answer within {limit:g} s",
                where=url,
                hint="narrow the query (anchor paths on a bound node, add LIMIT) or raise "
                "SVCKG_QUERY_TIMEOUT",
            ) from exc
        except httpx.TransportError as exc:
            raise StoreError(
                f"cannot reach the SPARQL endpoint for {what}: {exc or type(exc).__name__}",
                where=url,
                hint="is the server running and the URL right? check SVCKG_STORE / "
                "SVCKG_REMOTE_UPDATE / SVCKG_REMOTE_GSP",
            ) from exc
        if response.status_code < 400 or (missing_ok and response.status_code == 404):
            return response
        message = response.text.strip()[:2000] or response.reason_phrase
        if response.status_code == 400:
            raise QueryError(
                f"the endpoint rejected the {what}: {message}",
                where=url,
                hint="fix the request text",
            )
        if response.status_code in (401, 403):
            hint = "the endpoint needs credentials or does not allow this operation"
        elif response.status_code in (404, 405):
            hint = "is this the right endpoint URL for this operation?"
        else:
            hint = "the endpoint failed; check its logs"
        raise StoreError(
            f"the endpoint answered HTTP {response.status_code} to the {what}: {message}",
            where=url,
            hint=hint,
        )

    # -- queries ------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        default_graph: Graphs = None,
        named_graphs: Graphs = None,
        substitutions: dict[str, Term] | None = None,
        timeout_s: float | None = None,
    ) -> QueryResult:
        """Run a SPARQL query (see :meth:`svckg.store.base.Store.query`)."""
        check_dataset(default_graph, named_graphs)
        form: list[tuple[str, str]] = [("query", bind_parameters(sparql, substitutions))]
        form += [("default-graph-uri", _checked_iri(g)) for g in default_graph or ()]
        form += [("named-graph-uri", _checked_iri(g)) for g in named_graphs or ()]
        response = self._send(
            "POST",
            self.query_url,
            what="query",
            timeout_s=timeout_s,
            data=dict(_group(form)),
            headers={"Accept": _ACCEPT_QUERY},
        )
        return _parse_answer(response, self.query_url)

    def update(self, sparql: str) -> None:
        """Run a SPARQL update (one request: atomic on endpoints that run it in one
        transaction, as oxigraph does)."""
        self._send("POST", self.update_url, what="update", data={"update": sparql})
        self._touch()

    # -- writes -------------------------------------------------------------------------

    def load(
        self, data: Triples, graph: str, *, format: Format = None, replace: bool = False
    ) -> int:
        """Add triples into named graph ``graph`` (see the module notes on atomicity).

        The data is parsed here first: bad syntax raises ParseError and sends nothing."""
        target = _checked_iri(graph)
        triples = _triples(data, graph, format)
        if replace and not triples:
            self.drop_graph(graph)
            return 0
        if self.gsp_url:
            body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
            self._send(
                "PUT" if replace else "POST",
                self.gsp_url,
                what="graph store load",
                params={"graph": target},
                content=body,
                headers={"Content-Type": "application/n-triples"},
            )
            self._touch()
            return len(triples)
        with_blank = [t for t in triples if has_blank(t)]
        plain = [t for t in triples if not has_blank(t)]
        first_size = max(INSERT_CHUNK - len(with_blank), 0)
        chunks = [with_blank + plain[:first_size]]
        rest = iter(plain[first_size:])
        chunks += [c for c in iter(lambda: list(itertools.islice(rest, INSERT_CHUNK)), [])]
        for index, chunk in enumerate(chunks):
            body = (ox.serialize(chunk, format=ox.RdfFormat.N_TRIPLES) or b"").decode()
            drop = f"DROP SILENT GRAPH <{target}> ;\n" if replace and index == 0 else ""
            if not chunk and not drop:
                continue
            self.update(f"{drop}INSERT DATA {{ GRAPH <{target}> {{\n{body}\n}} }}")
        return len(triples)

    def bulk_load(
        self, data: Triples, graph: str, *, format: Format = None, base_iri: str | None = None
    ) -> None:
        """As :meth:`load` (HTTP has no faster path; see
        :meth:`svckg.store.base.Store.bulk_load`)."""
        self.load(_triples(data, graph, format, base_iri), graph)

    def copy_graph(self, source: Store, graph: str, into: str | None = None) -> int:
        """Copy a graph of ``source`` in with :meth:`load` (see
        :meth:`svckg.store.base.Store.copy_graph`)."""
        return self.load([q.triple for q in source.quads(graph=graph)], into or graph)

    def insert_where(self, template: str, where: str, graph: str) -> None:
        """One ``INSERT`` update: no triple travels over the network (see
        :meth:`svckg.store.base.Store.insert_where`)."""
        self.update(f"INSERT {{ GRAPH <{_checked_iri(graph)}> {{ {template} }} }} {where}")

    def drop_graph(self, graph: str) -> None:
        """Remove a named graph and its triples (no error if absent)."""
        self.update(f"DROP SILENT GRAPH <{_checked_iri(graph)}>")

    # -- reads --------------------------------------------------------------------------

    def graphs(self) -> list[str]:
        """IRIs of the named graphs, sorted."""
        rows = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g {} }")
        assert isinstance(rows, ox.QuerySolutions)
        return sorted(row["g"].value for row in rows if isinstance(row["g"], ox.NamedNode))

    def count(self, graph: str | None = None) -> int:
        """Number of quads in ``graph`` (None: in all named graphs)."""
        target = f"<{_checked_iri(graph)}>" if graph is not None else "?g"
        rows = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {target} {{ ?s ?p ?o }} }}")
        assert isinstance(rows, ox.QuerySolutions)
        return int(next(iter(rows))["n"].value)

    def export(
        self, format: ox.RdfFormat = ox.RdfFormat.N_QUADS, graph: str | None = None
    ) -> bytes:
        """One graph (any format; quad formats keep its name) or all named graphs (quad
        formats). A graph is read with the Graph Store endpoint when there is one, else
        with a SELECT; the whole dataset always with a SELECT (portable: the Graph Store
        Protocol defines no dataset GET)."""
        if graph is None and format not in QUAD_FORMATS:
            raise QueryError(
                f"{format.name} holds a single graph: name the graph to export",
                hint="pass a graph IRI, or export the whole store as N-Quads or TriG",
            )
        if graph is not None:
            triples = self._graph_triples(_checked_iri(graph))
            if format in QUAD_FORMATS:
                node = ox.NamedNode(graph)
                quads = (ox.Quad(t.subject, t.predicate, t.object, node) for t in triples)
                return ox.serialize(quads, format=format) or b""
            return ox.serialize(triples, format=format) or b""
        return ox.serialize(self.quads(), format=format) or b""

    def _graph_triples(self, graph: str) -> list[ox.Triple]:
        if self.gsp_url:
            response = self._send(
                "GET",
                self.gsp_url,
                what="graph store read",
                missing_ok=True,
                params={"graph": graph},
                headers={"Accept": "application/n-triples"},
            )
            if response.status_code == 404:
                return []
            media = response.headers.get("content-type", "").split(";")[0].strip()
            fmt = ox.RdfFormat.from_media_type(media) if media else None
            return list(ox.parse(response.content, format=fmt or ox.RdfFormat.N_TRIPLES))
        return [ox.Triple(q.subject, q.predicate, q.object) for q in self.quads(graph=graph)]

    def quads(
        self,
        subject: Subject = None,
        predicate: Predicate = None,
        object: Object = None,
        graph: str | None = None,
    ) -> Iterator[ox.Quad]:
        """Quads of the named graphs matching a pattern (None: any). Blank nodes cannot be
        sent to an endpoint: a blank-node ``subject``/``object`` raises QueryError."""
        s = term_text(subject) if subject is not None else "?s"
        p = term_text(predicate) if predicate is not None else "?p"
        o = term_text(object) if object is not None else "?o"
        g = f"<{_checked_iri(graph)}>" if graph is not None else "?g"
        rows = self.query(f"SELECT * WHERE {{ GRAPH {g} {{ {s} {p} {o} }} }}")
        assert isinstance(rows, ox.QuerySolutions)
        fixed_graph = ox.NamedNode(graph) if graph is not None else None
        for row in rows:
            yield ox.Quad(
                subject if subject is not None else row["s"],
                predicate if predicate is not None else row["p"],
                object if object is not None else row["o"],
                fixed_graph if fixed_graph is not None else row["g"],
            )

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.close()


def _timeout(read_s: float) -> httpx.Timeout:
    """``read_s`` bounds the wait for the answer (the query timeout); connecting, sending and
    waiting for a pooled connection get their own fixed limit."""
    return httpx.Timeout(
        connect=CONNECT_TIMEOUT_S, read=read_s, write=CONNECT_TIMEOUT_S, pool=CONNECT_TIMEOUT_S
    )


def _group(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


def _triples(
    data: Triples, graph: str, format: Format, base_iri: str | None = None
) -> list[ox.Triple]:
    """The triples to send: given, or parsed from serialized data (ParseError: nothing sent)."""
    if not isinstance(data, bytes | bytearray | memoryview):
        return list(data)
    fmt = triples_format(format, graph)
    hint = "fix the data; nothing was sent"
    return parse_triples(bytes(data), fmt, graph, base_iri=base_iri, hint=hint)


def _checked_iri(value: str) -> str:
    return graph_node(value).value


def _parse_answer(response: httpx.Response, url: str) -> QueryResult:
    media = response.headers.get("content-type", "").split(";")[0].strip().lower()
    results_format = ox.QueryResultsFormat.from_media_type(media) if media else None
    try:
        if results_format is not None:
            return solutions_from_bytes(response.content, results_format)
        rdf_format = ox.RdfFormat.from_media_type(media) if media else None
        if rdf_format is not None and not rdf_format.supports_datasets:
            return triples_from_bytes(response.content, rdf_format)
    except SyntaxError as exc:
        raise StoreError(
            f"the endpoint sent an unreadable {media} answer: {exc}",
            where=url,
            hint="is this a SPARQL endpoint?",
        ) from exc
    raise StoreError(
        f"the endpoint answered with an unexpected content type {media or '(none)'!r}",
        where=url,
        hint="is this a SPARQL 1.1 query endpoint?",
    )
