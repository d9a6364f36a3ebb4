"""Remote store: any SPARQL 1.1 Query / Update (and optionally Graph Store) endpoint over HTTP.

Results are parsed into pyoxigraph's result objects, so callers see the same types as with
the embedded store. svckg expects the endpoint's default graph to be the union of the named
graphs (start oxigraph with ``oxigraph serve --union-default-graph``; Fuseki:
``tdb:unionDefaultGraph true``; GraphDB and Virtuoso query all graphs by default);
``default_graph`` / ``named_graphs`` become ``default-graph-uri`` / ``named-graph-uri``.

Timeouts: ``timeout_s`` bounds the wait for an answer (LimitExceeded after it). The server
may go on evaluating the query: give it its own limit too (``oxigraph serve --timeout-s``).

Engines: what differs between engines (their own graphs, literal forms, endpoint paths) is a
:class:`svckg.store.dialects.Dialect`, detected from the first answer's ``Server`` header
unless given.

Several processes: every write through this object also replaces a change marker (a random
token in :data:`MARKER_GRAPH`, a graph of svckg's protected namespace that the store hides
like the engine's own), and :attr:`generation` reads the marker at most once per
:data:`MARKER_PERIOD_S`: when another process changed it, the generation moves, so every cache
keyed on it (the dependency index, the graph list) is refreshed. A SPARQL update carries the
marker in the same request (one transaction on engines that run a request as one, as
oxigraph does); a Graph Store write sends it in a second request right after, so a process
killed between the two leaves a change the other processes only see at the next write by
anyone (the marker is written after the data, never before: a reader that saw a new marker
always sees the data it announces). On an engine whose default graph is the union of all its
graphs and that gets no explicit dataset (oxigraph, generic), the marker's one triple is seen
by queries over the default graph, as svckg's other bookkeeping (import records, checksums)
is; on Virtuoso the dataset the store sends leaves it out.

Loads: with a Graph Store Protocol URL, ``load`` sends one request (POST adds, PUT
replaces; whether one request is one transaction is up to the server). Without one, it
sends ``INSERT DATA`` updates of at most :data:`INSERT_CHUNK` triples; ``replace=True``
puts ``DROP SILENT GRAPH`` and the first chunk in one request, so a replace of up to
:data:`INSERT_CHUNK` triples is atomic and a larger one is not. Triples with blank nodes all
go in the first request (a blank node label only means the same node within one request).
"""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pyoxigraph as ox

from svckg.errors import LimitExceeded, ParseError, QueryError, StoreError, SvckgError
from svckg.sparql_lexer import INVALID, KEYWORD, PUNCT, tokenize
from svckg.store.base import (
    QUAD_FORMATS,
    Format,
    Graphs,
    Object,
    Predicate,
    QueryResult,
    ReaderDataset,
    Store,
    StoreBase,
    Subject,
    Triples,
    graph_node,
    has_blank,
    parse_triples,
    split_lines,
    triples_format,
)
from svckg.store.dialects import Dialect, detect
from svckg.store.guard import check_remote_access
from svckg.store.params import Term, bind_parameters, check_dataset, term_text
from svckg.store.results import solutions_from_bytes, triples_from_bytes
from svckg.vocab import GRAPH

DATASET_TTL_S = 1.0
"""How long the list of svckg's graphs is trusted when the dialect sends it as the dataset and
no change marker is watched (other processes may add graphs; own writes refresh it at once)."""

EMPTY_DATASET_GRAPH = "urn:svckg:no-graph"
"""Stands for "no graph" in a dataset (the protocol cannot send an empty list)."""

INSERT_CHUNK = 50_000
"""Triples per ``INSERT DATA`` request when no Graph Store endpoint is configured."""

BULK_CHUNK_BYTES = 4 * 1024 * 1024
"""N-Triples bytes per request of a bulk load (well under engines' request limits)."""

CONNECT_TIMEOUT_S = 10.0
"""Limit for connecting to the endpoint and sending a request."""

TRANSIENT_RETRIES = 6
"""How often a request the engine failed transiently (:meth:`Dialect.is_transient`) is sent
again, after :data:`TRANSIENT_PAUSE_S` doubling each time (0.25 ... 8 s, 16 s in all: a
Virtuoso checkpoint on a loaded machine blocks transactions for seconds)."""
TRANSIENT_PAUSE_S = 0.25

MARKER_GRAPH = str(GRAPH["changes"])
"""The graph of the change marker (svckg's namespace: raw writes through svckg are refused)."""
MARKER_PREDICATE = "http://purl.org/dc/terms/identifier"
MARKER_PERIOD_S = 1.0
"""How often, at most, :attr:`RemoteStore.generation` reads the change marker."""
MARKER_QUERY = (
    f"SELECT ?token WHERE {{ GRAPH <{MARKER_GRAPH}> {{ <{MARKER_GRAPH}> <{MARKER_PREDICATE}> "
    "?token } }"
)


def marker_update(token: str) -> str:
    """The update that replaces the change marker by ``token`` (``DROP`` rather than
    ``DELETE WHERE``: a ``WHERE`` may see no named graph under an engine's update defaults).

    >>> "INSERT DATA" in marker_update("abc")
    True
    """
    return (
        f"DROP SILENT GRAPH <{MARKER_GRAPH}> ;\n"
        f"INSERT DATA {{ GRAPH <{MARKER_GRAPH}> {{ <{MARKER_GRAPH}> <{MARKER_PREDICATE}> "
        f'"{token}" }} }}'
    )


def with_marker(update: str, token: str) -> str | None:
    """``update`` followed by the marker update in the same request; None when the lexer
    cannot read the text to its end (then the marker goes in a request of its own).

    >>> with_marker("INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> 1 } } ;", "t").count(";")
    2
    >>> with_marker("PREFIX e: <urn:e>", "t").count(";")
    1
    >>> with_marker('INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> "x } }', "t") is None
    True
    """
    tokens = list(tokenize(update))
    if any(t.kind == INVALID for t in tokens):
        return None
    operations = any(t.kind == KEYWORD and t.keyword not in ("BASE", "PREFIX") for t in tokens)
    closed = bool(tokens) and tokens[-1].kind == PUNCT and tokens[-1].text == ";"
    separator = ";" if operations and not closed else ""
    return f"{update}\n{separator}\n{marker_update(token)}"


_ACCEPT_QUERY = (
    "application/sparql-results+json, application/n-triples, "
    "application/sparql-results+xml;q=0.8, text/turtle;q=0.8, text/plain;q=0.5"
)

_ACCEPT_GRAPH = "application/n-triples, text/turtle;q=0.8, application/sparql-results+json;q=0.5"


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
        dialect: Dialect | None = None,
        token: str | None = None,
        change_marker: bool = False,
    ):
        """``token``: sent as ``Authorization: Bearer`` (an svckg server's token).
        ``change_marker``: write and watch the change marker (see the module notes; what
        :func:`svckg.store.open_store` does unless ``SVCKG_REMOTE_CHANGE_MARKER`` is off);
        off, this is a plain SPARQL client (and a client of an svckg server must leave it off:
        the server tracks its own writes and refuses writes to its namespace)."""
        self.query_url = query_url
        self._dialect = dialect
        self._system_graphs: frozenset[str] | None = None
        self._dataset: tuple[float, int, list[str]] | None = None
        self.update_url = update_url or query_url
        self.gsp_url = gsp_url
        self.timeout_s = timeout_s
        self._client = httpx.Client(
            timeout=_timeout(timeout_s),
            headers={"User-Agent": "svckg"}
            | ({"Authorization": f"Bearer {token}"} if token else {}),
        )
        self._generation = 0
        self.change_marker = change_marker
        self._marker_lock = threading.Lock()
        self._marker_seen: frozenset[str] | None = None
        self._marker_checked = float("-inf")
        self.marker_checks = 0
        """How many times the marker was read (for tests and metrics)."""

    @property
    def generation(self) -> int:
        """Changes on every write through this object and, within
        :data:`MARKER_PERIOD_S`, on every write by another process that writes the marker.
        One thread reads the marker at a time; the others meanwhile get the current value."""
        if (
            self.change_marker
            and time.monotonic() - self._marker_checked >= MARKER_PERIOD_S
            and self._marker_lock.acquire(blocking=False)
        ):
            try:
                if time.monotonic() - self._marker_checked >= MARKER_PERIOD_S:
                    self._check_marker()
            finally:
                self._marker_lock.release()
        return self._generation

    def _check_marker(self) -> None:
        """Read the marker (one tiny query); a change seen since the last read moves the
        generation. Read before the caller reads data, so data read afterwards is at least
        as new as the marker seen."""
        self._marker_checked = time.monotonic()
        self.marker_checks += 1
        rows = self._ask(MARKER_QUERY)
        assert isinstance(rows, ox.QuerySolutions)
        seen = frozenset(row["token"].value for row in rows if row["token"] is not None)
        if self._marker_seen is not None and seen != self._marker_seen:
            self._generation += 1
        self._marker_seen = seen

    def _touch(self) -> None:
        """After a write that could not carry the marker (a Graph Store request): replace
        the marker in a request of its own, then move the generation."""
        token = None
        if self.change_marker:
            token = uuid.uuid4().hex
            update = marker_update(token)
            self._send(
                "POST", self.update_url, what="change marker update", data={"update": update}
            )
        self._written(token)

    def _written(self, token: str | None) -> None:
        """An own write is done: move the generation; the marker now holds ``token`` (so
        the next check does not count this write again). Waits for a marker read in flight,
        so that read's older answer cannot overwrite ``token``."""
        with self._marker_lock:
            self._generation += 1
            if token is not None:
                self._marker_seen = frozenset({token})

    @property
    def dialect(self) -> Dialect:
        """The engine's dialect: given, or detected from the ``Server`` header of an answer."""
        if self._dialect is None:
            response = self._send(
                "GET",
                self.query_url,
                what="query",
                params={"query": "ASK {}"},
                headers={"Accept": _ACCEPT_QUERY},
            )
            self._dialect = detect(response.headers.get("server", ""))
        return self._dialect

    def _hidden(self) -> frozenset[str]:
        """The engine's own named graphs (read once; see :mod:`svckg.store.dialects`)."""
        if self._system_graphs is None:
            dialect = self.dialect
            found: frozenset[str] = frozenset()
            if dialect.system_graph_prefixes:
                rows = self._ask(dialect.graph_list_query)
                assert isinstance(rows, ox.QuerySolutions)
                base = self.query_url.rsplit("/", 1)[0]
                found = frozenset(
                    row["g"].value
                    for row in rows
                    if isinstance(row["g"], ox.NamedNode)
                    and dialect.is_system_graph(row["g"].value, base)
                )
            if dialect.default_update_graph:
                found |= {dialect.default_update_graph}
            self._system_graphs = found | {MARKER_GRAPH}
        return self._system_graphs

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
            response = self._request(method, url, **kwargs)
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

    def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send one request; an answer the engine's dialect calls transient (a deadlock or
        lock wait the engine rolled back, as writers on one engine cause) is sent again, up
        to :data:`TRANSIENT_RETRIES` times with a growing pause."""
        for attempt in range(TRANSIENT_RETRIES + 1):
            response = self._client.request(method, url, **kwargs)
            dialect = self._dialect
            if (
                response.status_code < 500
                or dialect is None
                or attempt == TRANSIENT_RETRIES
                or not dialect.is_transient(response.text)
            ):
                break
            time.sleep(TRANSIENT_PAUSE_S * 2**attempt)
        return response

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
        check_remote_access(sparql, self.remote_endpoints)
        check_dataset(default_graph, named_graphs)
        text = bind_parameters(sparql, substitutions)

        def read(dataset: ReaderDataset | None) -> QueryResult:
            default, named = default_graph, named_graphs
            if dataset is not None:  # an import runs: its dataset, sent with the query
                default = dataset.default or [EMPTY_DATASET_GRAPH]
                named = dataset.named or [EMPTY_DATASET_GRAPH]
            elif self.dialect.explicit_dataset and not _names_dataset(text):
                if default is None and named is None:
                    default = named = self._svckg_graphs()
                elif default is None or named is None:
                    default = default or [EMPTY_DATASET_GRAPH]
                    named = named or [EMPTY_DATASET_GRAPH]
            return self._ask(text, default, named, timeout_s)

        return self.committed_read(text, default_graph, named_graphs, read)

    def _svckg_graphs(self) -> list[str]:
        """The named graphs that are not the engine's (at least one: a graph that does not
        exist stands for none), re-read when the generation moves (an own write, or a
        marker another process changed); without the marker, also when a second old."""
        now = time.monotonic()
        generation = self.generation
        cached = self._dataset
        if (
            cached is None
            or cached[1] != generation
            or (not self.change_marker and now - cached[0] > DATASET_TTL_S)
        ):
            graphs = self.graphs() or [EMPTY_DATASET_GRAPH]
            # aged from when the list arrived: a listing slower than the TTL (Virtuoso under
            # load: seconds) must not make every query list the graphs again
            cached = (time.monotonic(), generation, graphs)
            self._dataset = cached
        return cached[2]

    def _ask(
        self,
        text: str,
        default_graph: Graphs = None,
        named_graphs: Graphs = None,
        timeout_s: float | None = None,
    ) -> QueryResult:
        """Send a query as written (the dialect already applied)."""
        form: list[tuple[str, str]] = [("query", text)]
        form += [("default-graph-uri", _checked_iri(g)) for g in default_graph or ()]
        form += [("named-graph-uri", _checked_iri(g)) for g in named_graphs or ()]
        response = self._send(
            "POST",
            self.query_url,
            what="query",
            timeout_s=timeout_s,
            data=dict(_group(form)),
            headers={"Accept": _accept(text)},
        )
        return _parse_answer(response, self.query_url, self.dialect)

    def update(self, sparql: str) -> None:
        """Run a SPARQL update (one request: atomic on endpoints that run it in one
        transaction, as oxigraph does)."""
        check_remote_access(sparql, self.remote_endpoints)
        text = self.dialect.update_text(sparql)
        token = uuid.uuid4().hex if self.change_marker else None
        together = with_marker(text, token) if token else None
        self._send("POST", self.update_url, what="update", data={"update": together or text})
        if together is None:
            self._touch()
        else:
            self._written(token)

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
        """Add triples to a new graph by the engine's bulk path: N-Triples chunks of about
        :data:`BULK_CHUNK_BYTES`, each one Graph Store ``POST`` (one ``INSERT DATA`` without
        a Graph Store URL). N-Triples bytes without blank nodes go as they are (never parsed
        here); other data is serialized chunk by chunk; data with blank nodes goes through
        :meth:`load` (their labels only mean one node within one request). Not atomic (see
        :meth:`svckg.store.base.Store.bulk_load`): the import pipeline drops the graph when a
        chunk fails."""
        chunks = ntriples_chunks(data, graph, format, base_iri)
        if chunks is None:
            self.load(_triples(data, graph, format, base_iri), graph)
            return
        target = _checked_iri(graph)
        lines = 0
        try:
            for body in chunks:
                try:
                    self._post_ntriples(target, body)
                except (QueryError, StoreError) as exc:
                    raise _chunk_error(exc, body, graph, lines) from exc
                lines += body.count(b"\n")
        finally:
            self._touch()

    def _post_ntriples(self, target: str, body: bytes) -> None:
        """Add one N-Triples chunk to graph ``target`` in one request (no marker, no lexer:
        svckg wrote the text)."""
        if self.gsp_url:
            self._send(
                "POST",
                self.gsp_url,
                what="graph store bulk load",
                params={"graph": target},
                content=body,
                headers={"Content-Type": "application/n-triples"},
            )
            return
        text = f"INSERT DATA {{ GRAPH <{target}> {{\n{body.decode()}\n}} }}"
        self._send("POST", self.update_url, what="bulk load update", data={"update": text})

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
        rows = self._ask(self.dialect.graph_list_query)
        assert isinstance(rows, ox.QuerySolutions)
        hidden = self._hidden()
        return sorted(
            row["g"].value
            for row in rows
            if isinstance(row["g"], ox.NamedNode) and row["g"].value not in hidden
        )

    def count(self, graph: str | None = None) -> int:
        """Number of quads in ``graph`` (None: in all named graphs)."""
        if graph is not None:
            where = f"GRAPH <{_checked_iri(graph)}> {{ ?s ?p ?o }}"
        else:
            where = f"GRAPH ?g {{ ?s ?p ?o }} {self.dialect.graph_filter('g', self._hidden())}"
        rows = self.query(f"SELECT (COUNT(?s) AS ?n) WHERE {{ {where} }}")
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
            triples = self._graph_triples(_checked_iri(graph)) if self.readable(graph) else []
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
        hide = self.dialect.graph_filter("g", self._hidden()) if graph is None else ""
        rows = self.query(f"SELECT * WHERE {{ GRAPH {g} {{ {s} {p} {o} }} {hide} }}")
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


def _accept(sparql: str) -> str:
    """The Accept header for a query: RDF for CONSTRUCT/DESCRIBE, results otherwise (some
    engines answer a graph query in the first format listed)."""
    for token in tokenize(sparql):
        if token.kind == KEYWORD:
            form = token.text.upper()
            if form in ("CONSTRUCT", "DESCRIBE"):
                return _ACCEPT_GRAPH
            if form in ("SELECT", "ASK"):
                return _ACCEPT_QUERY
    return _ACCEPT_QUERY


def _names_dataset(sparql: str) -> bool:
    """Whether the query text has its own ``FROM`` / ``FROM NAMED`` (then it keeps it)."""
    return any(t.kind == KEYWORD and t.text.upper() == "FROM" for t in tokenize(sparql))


def _checked_iri(value: str) -> str:
    return graph_node(value).value


def _parse_answer(response: httpx.Response, url: str, dialect: Dialect) -> QueryResult:
    media = response.headers.get("content-type", "").split(";")[0].strip().lower()
    results_format = ox.QueryResultsFormat.from_media_type(media) if media else None
    try:
        if results_format is not None:
            body = dialect.canonical_results(response.content, media)
            return solutions_from_bytes(body, results_format)
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


def ntriples_chunks(
    data: Triples, graph: str, format: Format, base_iri: str | None = None
) -> Iterator[bytes] | None:
    """``data`` as N-Triples chunks of about :data:`BULK_CHUNK_BYTES` (whole lines), produced
    as they are sent; None when the data has blank nodes (they must go in one request).

    >>> nt = b"<http://a> <http://b> <http://c> .\\n" * 3
    >>> [len(c) for c in ntriples_chunks(nt, "http://g", None)] == [len(nt)]
    True
    >>> ntriples_chunks(b"_:x <http://b> <http://c> .", "http://g", None) is None
    True
    """
    if isinstance(data, bytes | bytearray | memoryview):
        data = bytes(data)
        fmt = triples_format(format, graph)
        if b"_:" in data and fmt == ox.RdfFormat.N_TRIPLES:
            return None
        if fmt == ox.RdfFormat.N_TRIPLES:
            return split_lines(data, BULK_CHUNK_BYTES)
        data = _triples(data, graph, format, base_iri)
    triples = data if isinstance(data, list) else list(data)
    if any(has_blank(t) for t in triples):
        return None
    return _serialized(triples)


def _serialized(triples: list[ox.Triple]) -> Iterator[bytes]:
    """N-Triples chunks of triples (about :data:`BULK_CHUNK_BYTES` each at ~130 bytes a
    triple)."""
    step = max(1, BULK_CHUNK_BYTES // 130)
    for i in range(0, len(triples), step):
        yield ox.serialize(triples[i : i + step], format=ox.RdfFormat.N_TRIPLES) or b""


def _chunk_error(exc: SvckgError, body: bytes, graph: str, lines_before: int) -> SvckgError:
    """What a refused bulk chunk means: a ParseError at the chunk's first bad line (counted
    in the whole data) when the chunk is not N-Triples, as on the embedded store; else the
    endpoint's own error. The chunk is parsed here only once the engine refused it (engines
    answer bad syntax with 400 or 500 alike)."""
    try:
        for _ in ox.parse(body, format=ox.RdfFormat.N_TRIPLES):
            pass
    except SyntaxError as syntax:
        line = syntax.lineno + lines_before if syntax.lineno else None
        return ParseError(
            f"invalid N_TRIPLES: {syntax.msg}",
            source=graph,
            line=line,
            column=syntax.offset,
            hint="fix the data (the lines before it may be in the graph already)",
        )
    return exc
