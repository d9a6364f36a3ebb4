"""Turn serialized SPARQL results back into pyoxigraph result objects.

Used by the remote store (answers arrive over HTTP) and by the embedded store's timeout
path (the worker thread materializes results so the caller never blocks on a lazy
iterator). pyoxigraph's result classes cannot be built directly: SELECT/ASK results come
from :func:`pyoxigraph.parse_query_results`, CONSTRUCT/DESCRIBE triples from a tiny
in-memory store queried with ``CONSTRUCT WHERE { ?s ?p ?o }``.
"""

from __future__ import annotations

import pyoxigraph as ox

from svckg.store.base import QueryResult

SOLUTIONS_FORMAT = ox.QueryResultsFormat.TSV
"""How the embedded timeout path passes SELECT results between threads: TSV is lossless
(terms in N-Triples syntax) and about 1.7x faster to write and read than JSON here."""
BOOLEAN_FORMAT = ox.QueryResultsFormat.JSON
"""ASK results (TSV has no boolean form)."""


def serialize_result(result: QueryResult) -> tuple[str, bytes]:
    """Fully evaluate ``result``; return ``("solutions" | "boolean" | "triples", bytes)``."""
    if isinstance(result, ox.QueryTriples):
        return "triples", result.serialize(format=ox.RdfFormat.N_TRIPLES) or b""
    if isinstance(result, ox.QueryBoolean):
        return "boolean", result.serialize(format=BOOLEAN_FORMAT) or b""
    return "solutions", result.serialize(format=SOLUTIONS_FORMAT) or b""


def solutions_from_bytes(
    data: bytes, format: ox.QueryResultsFormat = BOOLEAN_FORMAT
) -> ox.QuerySolutions | ox.QueryBoolean:
    """Parse SPARQL results (SELECT or ASK) into pyoxigraph objects.

    >>> bool(solutions_from_bytes(b'{"head":{},"boolean":true}'))
    True
    >>> rows = solutions_from_bytes(b"?x\\n<http://e/a>\\n", ox.QueryResultsFormat.TSV)
    >>> [row["x"].value for row in rows]
    ['http://e/a']
    """
    return ox.parse_query_results(data, format)


def triples_from_bytes(
    data: bytes, format: ox.RdfFormat = ox.RdfFormat.N_TRIPLES
) -> ox.QueryTriples:
    """Parse serialized triples into a :class:`pyoxigraph.QueryTriples`.

    >>> t = triples_from_bytes(b'<http://e/s> <http://e/p> "o" .\\n')
    >>> [str(x.object) for x in t]
    ['"o"']
    """
    scratch = ox.Store()
    scratch.load(data, format)
    return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")


def result_from_bytes(kind: str, data: bytes) -> QueryResult:
    """Inverse of :func:`serialize_result`."""
    if kind == "triples":
        return triples_from_bytes(data)
    if kind == "boolean":
        return solutions_from_bytes(data, BOOLEAN_FORMAT)
    return solutions_from_bytes(data, SOLUTIONS_FORMAT)
