"""What differs between SPARQL engines behind the remote store, in one place.

svckg speaks standard SPARQL 1.1 (Query, Update, Graph Store Protocol) to any engine. Where an
engine departs from the standard or adds its own data, the difference is a field of a
:class:`Dialect`, so nothing outside ``store/`` knows which engine it talks to:

- **Its own graphs.** Virtuoso keeps system graphs in the same quad store (its quad-map
  schema ``virtrdf#``, LDP and its own service description). Its default graph is the union
  of *all* graphs, those included, and ``GRAPH ?g`` ranges over them. With
  ``explicit_dataset`` the remote store sends every query that names no dataset itself with
  the dataset svckg means: default and named graphs = the named graphs that are not the
  engine's (``default-graph-uri`` / ``named-graph-uri``; a list read at most once a second
  and after each own write). svckg never sends ``DROP ALL`` (on Virtuoso it would delete the
  quad-map schema and break the server). Virtuoso's ``DEFINE input:default-graph-exclude``
  pragma was tried and rejected: with it, ``GRAPH <g>`` patterns matched nothing (7.2.5).
- **The default graph of updates.** Virtuoso refuses ``INSERT DATA`` without ``GRAPH`` ("no
  plain default graph specified"); its dialect names one (``DEFINE input:default-graph-uri``)
  that, like the embedded store's default graph, is not among the named graphs svckg lists.
  Only for updates that name no ``GRAPH``: naming a default graph empties the named graphs
  of the update's ``WHERE``.
- **Partial datasets.** The protocol says naming only default graphs leaves no named graphs
  (and the reverse); Virtuoso keeps all of them, so the dialect names a graph that does not
  exist for the missing part.
- **Answer formats.** Virtuoso answers ``CONSTRUCT`` in SPARQL JSON results when the
  ``Accept`` header lists that first; the store asks for RDF or results by the query form.
- **``COUNT(*)``.** Virtuoso answers ``COUNT(*)`` over a graph outside the dataset with 1,
  not 0; the store counts ``COUNT(?s)``, which it answers right.
- **Blank nodes** come back as ``nodeID://b1234``; the dialect turns them into plain labels.
- **Literal forms.** Virtuoso answers ``xsd:boolean`` as ``"1"``/``"0"`` (valid but not
  canonical); the dialect rewrites them to ``true``/``false`` so results compare equal to the
  embedded store's. Numbers come back canonical (``"007"^^xsd:integer`` as ``"7"``), as
  Oxigraph stores them too; language tags come back lower-cased, as Oxigraph keeps them.
- **Endpoints.** Oxigraph serves ``/query``, ``/update`` and ``/store``; Virtuoso serves
  queries and updates on ``/sparql`` (updates need the ``SPARQL_UPDATE`` role for the
  anonymous user, or ``/sparql-auth`` with digest authentication) and the Graph Store
  Protocol on ``/sparql-graph-crud`` (``/sparql-graph-crud-auth`` with credentials).
- **Listing graphs.** ``GRAPH ?g {}`` matches every named graph in SPARQL 1.1; Virtuoso
  answers it with no rows, so its dialect lists graphs with ``GRAPH ?g { ?s ?p ?o }``,
  grouped by ``?g``: Virtuoso 7.2 plans the same pattern with ``DISTINCT`` so badly that at
  a million triples it had not answered after 10 minutes (``GROUP BY``: 3 s).
- **Transient failures.** With several writers, Virtuoso answers 500 with ``SR171``
  (transaction timed out waiting for a lock) or ``SR172`` / SQL state ``40001`` (deadlock)
  after rolling the transaction back; the store sends such a request again, a few times.
- **Query length.** Virtuoso's HTTP server refuses request lines over about 10 kB; svckg
  always POSTs queries (form-encoded), which has no such limit.

:func:`detect` picks the dialect from the ``Server`` header of the endpoint's first answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from svckg.sparql_lexer import KEYWORD, tokenize

XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


@dataclass(frozen=True)
class Dialect:
    """How one engine family differs from plain SPARQL 1.1 (see the module notes)."""

    name: str
    system_graph_prefixes: tuple[str, ...] = ()
    """Named graphs whose IRI starts with one of these belong to the engine, not to svckg."""
    numeric_booleans: bool = False
    """The engine answers ``xsd:boolean`` as ``"1"``/``"0"``."""
    endpoint_paths: tuple[str, str, str] = ("/query", "/update", "/store")
    """Query, update and Graph Store paths under the server's base URL."""
    graph_list_query: str = "SELECT DISTINCT ?g WHERE { GRAPH ?g {} }"
    """A query whose ``?g`` lists the named graphs."""
    explicit_dataset: bool = False
    """Send the dataset (svckg's named graphs) with every query that names none."""
    default_update_graph: str | None = None
    """The graph an update without ``GRAPH`` writes to, when the engine needs one named."""
    transient_errors: tuple[str, ...] = ()
    """Codes in a 5xx answer that mean the engine rolled the request back for a reason that
    passes (deadlock, lock wait timeout): the store sends it again."""

    def is_transient(self, answer: str) -> bool:
        """Whether a 5xx ``answer`` is one the request may simply be sent again after.

        >>> VIRTUOSO.is_transient("Virtuoso 40001 Error SR172: Transaction deadlocked")
        True
        >>> VIRTUOSO.is_transient("Virtuoso 37000 Error SP030: syntax error")
        False
        """
        return any(code in answer for code in self.transient_errors)

    def update_text(self, sparql: str) -> str:
        """``sparql`` (an update) with the engine's default graph named where it needs one."""
        if self.default_update_graph is None or _mentions_graph(sparql):
            return sparql
        return f"DEFINE input:default-graph-uri <{self.default_update_graph}>\n{sparql}"

    def is_system_graph(self, iri: str, base_url: str = "") -> bool:
        """Whether the named graph ``iri`` is the engine's own (never shown, never dropped)."""
        if iri == self.default_update_graph or (base_url and iri.startswith(base_url)):
            return True
        return iri.startswith(self.system_graph_prefixes) if self.system_graph_prefixes else False

    def graph_filter(self, variable: str, hidden: frozenset[str]) -> str:
        """A FILTER keeping the engine's own graphs out of ``?variable`` ('' if none).

        >>> VIRTUOSO.graph_filter("g", frozenset({"http://v/b", "http://v/a"}))
        'FILTER (?g NOT IN (<http://v/a>, <http://v/b>))'
        """
        if not hidden:
            return ""
        return f"FILTER (?{variable} NOT IN ({', '.join(f'<{g}>' for g in sorted(hidden))}))"

    def canonical_results(self, body: bytes, media_type: str) -> bytes:
        """SPARQL JSON results with the engine's literal forms made canonical.

        >>> raw = b'{"head":{"vars":["b"]},"results":{"bindings":[{"b":{"type":"typed-literal",'
        >>> raw += b'"datatype":"http://www.w3.org/2001/XMLSchema#boolean","value":"1"}}]}}'
        >>> b'"true"' in VIRTUOSO.canonical_results(raw, "application/sparql-results+json")
        True
        """
        if not self.numeric_booleans or media_type != "application/sparql-results+json":
            return body
        if XSD_BOOLEAN.encode() not in body and b"nodeID://" not in body:
            return body
        document = orjson.loads(body)
        for row in document.get("results", {}).get("bindings", ()):
            for term in row.values():
                value = term.get("value")
                if term.get("datatype") == XSD_BOOLEAN and value in ("1", "0"):
                    term["value"] = "true" if value == "1" else "false"
                elif term.get("type") == "bnode" and value.startswith("nodeID://"):
                    term["value"] = value[len("nodeID://") :]
        return orjson.dumps(document)


def _mentions_graph(sparql: str) -> bool:
    return any(t.kind == KEYWORD and t.text.upper() == "GRAPH" for t in tokenize(sparql))


GENERIC = Dialect("generic")
"""Any SPARQL 1.1 engine whose default graph is the union of its named graphs."""

OXIGRAPH = Dialect("oxigraph")
"""``oxigraph serve --union-default-graph``."""

VIRTUOSO = Dialect(
    "virtuoso",
    system_graph_prefixes=(
        "http://www.openlinksw.com/",
        "http://www.w3.org/ns/ldp#",
        "http://localuriqaserver/",
        "http://www.w3.org/2002/07/owl#",
        "urn:activitystreams-owl:map",
    ),
    numeric_booleans=True,
    endpoint_paths=("/sparql", "/sparql", "/sparql-graph-crud"),
    graph_list_query="SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    explicit_dataset=True,
    default_update_graph="urn:svckg:default-graph",
    transient_errors=("Error SR171", "Error SR172", "40001 Error"),
)
"""OpenLink Virtuoso (tested: Virtuoso Open Source 7.2 from Debian)."""

DIALECTS = {d.name: d for d in (GENERIC, OXIGRAPH, VIRTUOSO)}


def detect(server_header: str) -> Dialect:
    """The dialect of an engine from the ``Server`` header it sends.

    >>> detect("Virtuoso/07.20.3240 (Linux) x86_64-pc-linux-gnu").name
    'virtuoso'
    >>> detect("").name
    'generic'
    """
    header = server_header.lower()
    if header.startswith("virtuoso"):
        return VIRTUOSO
    if "oxigraph" in header:
        return OXIGRAPH
    return GENERIC


def by_name(name: str) -> Dialect | None:
    """The dialect called ``name`` (``auto``: None, detect it from the first answer)."""
    if name == "auto":
        return None
    try:
        return DIALECTS[name]
    except KeyError:
        known = ", ".join(["auto", *DIALECTS])
        raise ValueError(f"unknown SPARQL engine dialect {name!r}: use one of {known}") from None
