"""Content negotiation: the one place that parses ``Accept`` headers and names media types.

>>> negotiate("text/turtle;q=0.5, application/n-triples", ["text/turtle", "application/n-triples"])
'application/n-triples'
>>> negotiate("text/html", ["text/turtle"]) is None
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox

RESULTS_TYPES: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
"""SELECT results: media type -> serializer (first one is the default)."""

BOOLEAN_TYPES: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
}
"""ASK results (CSV and TSV have no boolean form)."""

RDF_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
"""Graphs (CONSTRUCT, DESCRIBE, Graph Store, linked data): media type -> serializer."""

ALIASES: dict[str, str] = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
    "application/x-turtle": "text/turtle",
    "text/plain": "application/n-triples",
    "application/json+ld": "application/ld+json",
    "text/tsv": "text/tab-separated-values",
}
"""Common but unofficial spellings clients send, mapped to the official media type."""

RDF_ALIASES: dict[str, str] = {
    "application/json": "application/ld+json",
    "application/xml": "application/rdf+xml",
    "text/xml": "application/rdf+xml",
}
"""For graph results, ``application/json`` means JSON-LD and ``application/xml`` RDF/XML."""


@dataclass(frozen=True)
class MediaRange:
    """One entry of an Accept header."""

    type: str
    subtype: str
    q: float
    params: tuple[tuple[str, str], ...] = ()

    @property
    def specificity(self) -> int:
        """2 for ``type/subtype``, 1 for ``type/*``, 0 for ``*/*``."""
        return (self.type != "*") + (self.subtype != "*")

    def matches(self, media_type: str) -> bool:
        """Does ``media_type`` (``type/subtype``) fall in this range?"""
        mtype, _, subtype = media_type.partition("/")
        return self.type in ("*", mtype) and self.subtype in ("*", subtype)


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an Accept header into media ranges, best first (q, then specificity).

    A missing or empty header is ``*/*``. Malformed entries are skipped.

    >>> [(r.type, r.subtype, r.q) for r in parse_accept("text/*;q=0.3, text/turtle")]
    [('text', 'turtle', 1.0), ('text', '*', 0.3)]
    """
    if not header or not header.strip():
        return [MediaRange("*", "*", 1.0)]
    ranges: list[MediaRange] = []
    for part in header.split(","):
        pieces = [p.strip() for p in part.split(";")]
        mtype = pieces[0].lower()
        if "/" not in mtype:
            if mtype == "*":
                mtype = "*/*"
            else:
                continue
        main, _, sub = mtype.partition("/")
        q = 1.0
        params: list[tuple[str, str]] = []
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            key, value = key.strip().lower(), value.strip().strip('"')
            if key == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
            elif key:
                params.append((key, value))
        ranges.append(MediaRange(main, sub, q, tuple(params)))
    return sorted(ranges, key=lambda r: (-r.q, -r.specificity))


def _quality(ranges: list[MediaRange], media_type: str) -> float:
    """q of the most specific range matching ``media_type`` (0 when none does)."""
    best: MediaRange | None = None
    for r in ranges:
        if r.matches(media_type) and (best is None or r.specificity > best.specificity):
            best = r
    return best.q if best else 0.0


NEGOTIATED_CACHE = 512
"""Answers of :func:`negotiate` kept per (Accept, offers, aliases): clients send the same few
Accept headers again and again (the lean ``/sparql`` path asks on every request)."""
CACHED_ACCEPT_CHARS = 256
"""Longest Accept header whose answer is kept (so the cache holds at most ~130 KB)."""


def negotiate(
    accept: str | None, offers: list[str], aliases: dict[str, str] | None = None
) -> str | None:
    """The offered media type the client prefers, or None if it accepts none of them.

    Ties go to the earlier offer, so list the server's default first. ``aliases`` maps
    unofficial names the client may send (``application/json``) onto offered types.

    >>> negotiate(None, ["application/sparql-results+json", "text/csv"])
    'application/sparql-results+json'
    >>> negotiate("application/json", ["application/sparql-results+json"], ALIASES)
    'application/sparql-results+json'
    """
    if accept is not None and len(accept) > CACHED_ACCEPT_CHARS:
        return _negotiate(accept, offers, ALIASES if aliases is None else aliases)
    table = None if aliases is None else tuple(aliases.items())
    return _negotiated(accept, tuple(offers), table)


@lru_cache(maxsize=NEGOTIATED_CACHE)
def _negotiated(
    accept: str | None, offers: tuple[str, ...], aliases: tuple[tuple[str, str], ...] | None
) -> str | None:
    return _negotiate(accept, offers, ALIASES if aliases is None else dict(aliases))


def _negotiate(accept: str | None, offers: Sequence[str], table: dict[str, str]) -> str | None:
    ranges = parse_accept(accept)
    expanded: list[MediaRange] = []
    for r in ranges:
        expanded.append(r)
        alias = table.get(f"{r.type}/{r.subtype}")
        if alias:
            main, _, sub = alias.partition("/")
            expanded.append(MediaRange(main, sub, r.q, r.params))
    best, best_q = None, 0.0
    for offer in offers:
        q = _quality(expanded, offer)
        if q > best_q:
            best, best_q = offer, q
    return best


def prefers_html(accept: str | None) -> bool:
    """True when the client is a browser: it names ``text/html`` explicitly and ranks it
    at least as high as any RDF or results type.

    >>> prefers_html("text/html,application/xhtml+xml,*/*;q=0.8")
    True
    >>> prefers_html("text/turtle, */*;q=0.1")
    False
    """
    ranges = parse_accept(accept)
    html_q = max((r.q for r in ranges if (r.type, r.subtype) == ("text", "html")), default=0.0)
    others = (
        r.q
        for r in ranges
        if r.specificity == 2
        and f"{r.type}/{r.subtype}" not in ("text/html", "application/xhtml+xml")
    )
    return html_q > 0.0 and html_q >= max(others, default=0.0)


def media_type_of(content_type: str | None) -> tuple[str, dict[str, str]]:
    """Split a Content-Type header into the lower-cased media type and its parameters.

    >>> media_type_of("text/turtle; charset=UTF-8")
    ('text/turtle', {'charset': 'UTF-8'})
    """
    if not content_type:
        return "", {}
    pieces = [p.strip() for p in content_type.split(";")]
    params: dict[str, str] = {}
    for param in pieces[1:]:
        key, _, value = param.partition("=")
        if key.strip():
            params[key.strip().lower()] = value.strip().strip('"')
    return pieces[0].lower(), params


def rdf_format_for_upload(content_type: str | None) -> ox.RdfFormat | None:
    """The RDF parser for an uploaded body's Content-Type (None when not an RDF type).

    >>> rdf_format_for_upload("text/turtle; charset=utf-8") == ox.RdfFormat.TURTLE
    True
    """
    media, _ = media_type_of(content_type)
    media = RDF_ALIASES.get(media, ALIASES.get(media, media))
    if media in RDF_TYPES:
        return RDF_TYPES[media]
    try:
        return ox.RdfFormat.from_media_type(media) if media else None
    except Exception:  # pyoxigraph raises ValueError on odd input
        return None
