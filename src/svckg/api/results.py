"""Serialize query results and graphs with pyoxigraph's own serializers.

The one place that turns engine results into response bytes, enforcing the maximum
number of result rows without building Python objects for every row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import islice

import pyoxigraph as ox

from svckg.api.conneg import BOOLEAN_TYPES, RDF_ALIASES, RDF_TYPES, RESULTS_TYPES, negotiate
from svckg.errors import LimitExceeded, NotAcceptable
from svckg.vocab import PREFIXES

TEXT_TYPES = {"text/turtle", "text/csv", "text/tab-separated-values", "application/n-triples"}


def content_type(media_type: str) -> str:
    """The Content-Type header value (with ``charset=utf-8`` for text formats).

    >>> content_type("text/turtle")
    'text/turtle; charset=utf-8'
    """
    return f"{media_type}; charset=utf-8" if media_type in TEXT_TYPES else media_type


def _too_many(count: int, max_rows: int, what: str) -> LimitExceeded:
    return LimitExceeded(
        f"the result has more than {max_rows} {what} (counted {count})",
        hint="add a LIMIT or narrow the query; the maximum is SVCKG_MAX_RESULT_ROWS",
    )


def serialize_solutions(solutions: ox.QuerySolutions, media_type: str, max_rows: int) -> bytes:
    """SELECT results in ``media_type``; LimitExceeded past ``max_rows`` rows.

    The rows are counted on the engine's TSV output, which is then converted (in the
    engine) to the requested format."""
    tsv = solutions.serialize(format=ox.QueryResultsFormat.TSV)
    rows = tsv.count(b"\n") - 1 if tsv else 0
    if rows > max_rows:
        raise _too_many(rows, max_rows, "rows")
    target = RESULTS_TYPES[media_type]
    if target == ox.QueryResultsFormat.TSV:
        return tsv
    parsed = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
    return parsed.serialize(format=target)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
"""Characters no XML 1.0 document may hold (escaped or not)."""


def check_xml_output(data: bytes, media_type: str) -> bytes:
    """``data`` unless it is RDF/XML holding a character XML 1.0 forbids (a literal with
    U+0000): then NotAcceptable, since the document would not be well-formed."""
    if media_type == "application/rdf+xml" and _NOT_XML.search(data.decode("utf-8", "replace")):
        raise NotAcceptable(
            "the data holds a character that RDF/XML cannot carry (a control character such "
            "as U+0000 in a literal)",
            hint="ask for text/turtle, application/n-triples or application/ld+json",
        )
    return data


def serialize_triples(triples: Iterable[ox.Triple], media_type: str, max_rows: int) -> bytes:
    """A graph in ``media_type``; LimitExceeded past ``max_rows`` triples."""
    items = list(islice(triples, max_rows + 1))
    if len(items) > max_rows:
        raise _too_many(len(items), max_rows, "triples")
    fmt = RDF_TYPES[media_type]
    prefixes = PREFIXES if fmt == ox.RdfFormat.TURTLE else None
    return check_xml_output(ox.serialize(items, format=fmt, prefixes=prefixes), media_type)


def choose(accept: str | None, offers: dict, aliases: dict | None = None) -> str:
    """Pick the response media type among ``offers``; NotAcceptable when nothing fits.

    >>> choose("text/csv", RESULTS_TYPES)
    'text/csv'
    """
    media = negotiate(accept, list(offers), aliases)
    if media is None:
        raise NotAcceptable(
            f"none of the accepted types ({accept}) is available",
            hint="accept one of: " + ", ".join(offers),
        )
    return media


def render(result: object, accept: str | None, max_rows: int) -> tuple[bytes, str]:
    """Serialize any query result (SELECT, ASK, CONSTRUCT/DESCRIBE) for the client.

    Returns ``(body, media_type)``."""
    if isinstance(result, ox.QueryBoolean):
        media = choose(accept, BOOLEAN_TYPES)
        return result.serialize(format=BOOLEAN_TYPES[media]), media
    if isinstance(result, ox.QuerySolutions):
        media = choose(accept, RESULTS_TYPES)
        return serialize_solutions(result, media, max_rows), media
    media = choose(accept, RDF_TYPES, RDF_ALIASES)
    return serialize_triples(result, media, max_rows), media  # type: ignore[arg-type]
