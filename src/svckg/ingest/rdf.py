"""RDF importer: Turtle, TriG, N-Triples, N-Quads, RDF/XML and JSON-LD into a :class:`Staged`.

Parsing uses pyoxigraph. Decisions, documented here once:

- **Relative IRIs** resolve against ``https://w3id.org/svckg/id/`` (``<crm>`` becomes
  ``id:crm``), so hand-written files may use short local IRIs.
- **Named graphs** (TriG, N-Quads, JSON-LD with ``@graph`` names): svckg keeps one named graph
  per import, so the triples of every graph in the file, default and named, go into the
  import's graph; the file's graph names are not kept.
- **Blank nodes** are renamed per source, deterministically (``_:<source hash>_<n>`` in order
  of first appearance; the parser's own labels for ``[]`` are random), so
  two files that both say ``_:b0`` do not merge, and re-importing the same file gives the same
  triples (the import diff stays empty).
- **Encoding**: UTF-8 only (a leading byte-order mark is accepted and dropped).

Large files without blank nodes stay as their bytes after one checking parse: the triples are
re-parsed on demand, and the pipeline bulk-loads the bytes (see :class:`ParsedTriples`). For
N-Triples and Turtle that checking parse is a bulk load into an in-memory engine, which the
pipeline then validates in (one parse for staging, validation and inference).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import overload

import pyoxigraph as ox

from svckg.errors import InputError, ParseError, UnsupportedFormat
from svckg.ingest.base import SourceFile, Staged
from svckg.ingest.safe_xml import check_xml
from svckg.validation.report import SourceLocation
from svckg.vocab import ID

BASE_IRI = str(ID)
"""Relative IRIs in imported files resolve against this base."""

OX_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}
"""svckg format keys -> pyoxigraph formats."""

_BOM = b"\xef\xbb\xbf"
STAGED_GRAPH = "urn:svckg:staged:parsed"
"""The graph of a staging engine (:meth:`ParsedTriples.take_engine`) holding the triples."""
_KEEP_AS_BYTES = {"turtle", "ntriples", "rdfxml"}
"""Triple formats the store's bulk loader reads as they are (no graph names to drop)."""


@dataclass(frozen=True)
class RdfPayload:
    """Serialized RDF that a store can bulk-load unchanged (same parse as :func:`parse`)."""

    data: bytes
    format: ox.RdfFormat
    base_iri: str = BASE_IRI


class ParsedTriples(Sequence[ox.Triple]):
    """The triples of a checked RDF document, kept as its bytes and re-parsed when iterated.

    Holds no Python object per triple, so a million-triple file costs its bytes only; the
    pipeline hands :attr:`payload` to the store's bulk loader. When the checking parse went
    straight into an engine (:func:`parse`: N-Triples and Turtle without blank nodes), that
    engine holds the triples in graph :data:`STAGED_GRAPH` until the pipeline takes it
    (:meth:`take_engine`) as its validation store: the one parse validation, inference and
    the commit's counts share.

    >>> t = ParsedTriples(RdfPayload(b"<http://x/a> <http://x/p> <http://x/b> .",
    ...                              ox.RdfFormat.N_TRIPLES), 1)
    >>> len(t), t[0].predicate.value
    (1, 'http://x/p')
    """

    def __init__(self, payload: RdfPayload, count: int, engine: ox.Store | None = None):
        self.payload = payload
        self._count = count
        self._engine = engine

    def take_engine(self) -> ox.Store | None:
        """The engine holding these triples in :data:`STAGED_GRAPH` (once: the taker owns it
        and may change it; later callers get None and load :attr:`payload` instead)."""
        engine, self._engine = self._engine, None
        return engine

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[ox.Triple]:
        for quad in ox.parse(
            self.payload.data, self.payload.format, base_iri=self.payload.base_iri
        ):
            yield quad.triple

    @overload
    def __getitem__(self, index: int) -> ox.Triple: ...
    @overload
    def __getitem__(self, index: slice) -> list[ox.Triple]: ...
    def __getitem__(self, index: int | slice) -> ox.Triple | list[ox.Triple]:
        return list(self)[index]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]


def parse(file: SourceFile, fmt: str) -> Staged:
    """Parse one RDF source into a :class:`Staged`.

    Raises :class:`ParseError` (with file, line, column) on malformed content,
    :class:`InputError` on an empty, triple-less or non-UTF-8 file, and
    :class:`UnsupportedFormat` for a format that is not RDF.

    >>> s = parse(SourceFile("a.ttl", b"@prefix svc: <https://w3id.org/svckg#> .\\n"
    ...                                 b"<crm> a svc:Application ."), "turtle")
    >>> s.source, len(s.triples), s.triples[0].subject.value
    ('a.ttl', 1, 'https://w3id.org/svckg/id/crm')
    >>> s.locations["https://w3id.org/svckg/id/crm"].line
    2
    """
    if fmt not in OX_FORMATS:
        raise UnsupportedFormat(
            f"{fmt!r} is not an RDF format",
            where=file.name,
            hint=f"use one of: {', '.join(OX_FORMATS)}",
        )
    data = check_text(file)
    rdf_format = OX_FORMATS[fmt]
    if rdf_format == ox.RdfFormat.RDF_XML:
        check_xml(data, file.name)
    engine: ox.Store | None = None
    if fmt in _KEEP_AS_BYTES and not _may_need_rewrite(data, rdf_format):
        engine = _parse_into_engine(file.name, data, rdf_format)
        count, needs_rewrite = len(engine), False
    else:
        count, needs_rewrite = _check(file.name, data, rdf_format)
    if count == 0:
        raise InputError(
            "the file holds no triples: nothing to import",
            where=file.name,
            hint="check it is the file you meant; comments and prefixes alone import nothing",
        )
    triples: Sequence[ox.Triple]
    if needs_rewrite or fmt not in _KEEP_AS_BYTES:
        triples = _rewrite(file.name, data, rdf_format)
    else:
        triples = ParsedTriples(RdfPayload(data, rdf_format), count, engine)
    from svckg.ingest import literals

    return Staged(
        source=file.name,
        format=fmt,
        triples=triples,  # type: ignore[arg-type]
        locations=TextLocations(file.name, data),
        findings=literals.findings(
            file.name,
            data,
            triples if isinstance(triples, list) else None,
            bare=fmt not in ("ntriples", "nquads"),
        ),
    )


def check_text(file: SourceFile) -> bytes:
    """The bytes of a text source without a UTF-8 byte-order mark; rejects empty and
    non-UTF-8 content with the position of the first bad byte.

    >>> check_text(SourceFile("x.ttl", b"\\xef\\xbb\\xbf<a> <b> <c> ."))
    b'<a> <b> <c> .'
    """
    data = file.data[len(_BOM) :] if file.data.startswith(_BOM) else file.data
    if not data or data.isspace():  # same as `not data.strip()`, without copying the bytes
        raise InputError(
            "the file is empty", where=file.name, hint="give a file with content, or leave it out"
        )
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[start : exc.start].decode("utf-8", errors="replace")) + 1
        raise ParseError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x})",
            source=file.name,
            line=line,
            column=column,
            hint="save the file as UTF-8 and import it again",
        ) from exc
    return data


def _check(name: str, data: bytes, rdf_format: ox.RdfFormat) -> tuple[int, bool]:
    """Parse once: count triples and tell whether blank nodes or graph names need rewriting.

    Per-triple type checks double the cost of this pass, so they run only when the bytes may
    hold blank nodes (``_:``, and ``[`` or ``(`` in Turtle) or the format may hold graphs."""
    try:
        if not _may_need_rewrite(data, rdf_format):
            return sum(1 for _ in ox.parse(data, rdf_format, base_iri=BASE_IRI)), False
        count = 0
        rewrite = False
        for quad in ox.parse(data, rdf_format, base_iri=BASE_IRI):
            count += 1
            if not rewrite and (
                isinstance(quad.subject, ox.BlankNode)
                or isinstance(quad.object, ox.BlankNode)
                or not isinstance(quad.graph_name, ox.DefaultGraph)
            ):
                rewrite = True
    except SyntaxError as exc:
        raise _parse_error(name, data, rdf_format, exc) from exc
    return count, rewrite


def _parse_into_engine(name: str, data: bytes, rdf_format: ox.RdfFormat) -> ox.Store:
    """The checking parse as a bulk load into a fresh in-memory engine (graph
    :data:`STAGED_GRAPH`): the same syntax errors, and the triples are ready to query."""
    engine = ox.Store()
    try:
        engine.bulk_load(data, rdf_format, base_iri=BASE_IRI, to_graph=ox.NamedNode(STAGED_GRAPH))
    except SyntaxError as exc:
        raise _parse_error(name, data, rdf_format, exc) from exc
    return engine


def _may_need_rewrite(data: bytes, rdf_format: ox.RdfFormat) -> bool:
    """False only when the bytes cannot hold a blank node or a named graph.

    >>> _may_need_rewrite(b"<http://a> <http://b> <http://c> .", ox.RdfFormat.N_TRIPLES)
    False
    >>> _may_need_rewrite(b"<http://a> <http://b> [] .", ox.RdfFormat.TURTLE)
    True
    """
    if rdf_format == ox.RdfFormat.N_TRIPLES:
        return b"_:" in data
    if rdf_format == ox.RdfFormat.TURTLE:
        return b"_:" in data or b"[" in data or b"(" in data
    return True


def _rewrite(name: str, data: bytes, rdf_format: ox.RdfFormat) -> list[ox.Triple]:
    """All triples as objects: graph names dropped, blank nodes renamed for this source."""
    prefix = "b" + hashlib.sha256(name.encode()).hexdigest()[:12] + "_"
    renamed: dict[str, ox.BlankNode] = {}

    def rename(node: ox.BlankNode) -> ox.BlankNode:
        new = renamed.get(node.value)
        if new is None:
            new = renamed[node.value] = ox.BlankNode(f"{prefix}{len(renamed)}")
        return new

    triples: list[ox.Triple] = []
    seen: set[ox.Triple] = set()
    for quad in ox.parse(data, rdf_format, base_iri=BASE_IRI):
        s, o = quad.subject, quad.object
        if isinstance(s, ox.BlankNode):
            s = rename(s)
        if isinstance(o, ox.BlankNode):
            o = rename(o)
        triple = ox.Triple(s, quad.predicate, o)
        if triple not in seen:  # the same triple in two graphs is one triple here
            seen.add(triple)
            triples.append(triple)
    return triples


_POSITION = re.compile(r"line (\d+)(?: between columns (\d+)| column (\d+))?")


def _parse_error(name: str, data: bytes, rdf_format: ox.RdfFormat, exc: SyntaxError) -> ParseError:
    """Map pyoxigraph's SyntaxError to a ParseError with file, line and column."""
    message = str(exc.msg or exc)
    line, column = exc.lineno, exc.offset
    detail = re.sub(r"^Parser error (?:at|between) .*?: ", "", message)
    if line is None:
        match = _POSITION.search(message)
        if match:
            line = int(match.group(1))
            column = int(match.group(2) or match.group(3) or 0) or None
    if line is None and rdf_format == ox.RdfFormat.RDF_XML:
        line, column = _xml_position(data)
    return ParseError(
        f"malformed {rdf_format.name}: {detail}",
        source=name,
        line=line,
        column=column,
        hint="fix the file at that position and import it again",
    )


def _xml_position(data: bytes) -> tuple[int | None, int | None]:
    """Line and column of the first XML well-formedness error (pyoxigraph gives none)."""
    from lxml import etree

    try:
        etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as err:
        line, column = err.position
        return line, (column + 1 if column is not None else None)
    return None, None


_TOKEN = re.compile(rb"<([^<>\s\"{}|^`\\]*)>|(?<![\w:/#.<\"'-])([A-Za-z][\w.-]*)?:([\w-][\w.-]*)")
_PREFIX_DECL = re.compile(rb"(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)
_JSON_OR_XML_IRI = re.compile(rb"[\"']((?:https?|urn|file):[^\"'\s<>]+)[\"']")


LOCATE_MAX_BYTES = 32 * 1024 * 1024
"""Files above this size get the file name only in locations (no line scan)."""


class TextLocations(dict[str, SourceLocation]):
    """Node IRI -> line of its first mention in the source text, found when first asked.

    The scan runs once, on the first look-up (only nodes with validation results are ever
    looked up), so importing a large file costs nothing here; files over
    :data:`LOCATE_MAX_BYTES` are not scanned. Nodes not found are simply absent.

    >>> text = b"@prefix id: <https://w3id.org/svckg/id/> .\\n\\nid:x a id:Y ."
    >>> loc = TextLocations("a.ttl", text)
    >>> loc.get("https://w3id.org/svckg/id/x")
    SourceLocation(file='a.ttl', line=3, column=None, row=None, element_id=None, element_name=None)
    >>> "https://w3id.org/svckg/id/nothing" in loc
    False
    """

    def __init__(self, file: str, data: bytes):
        super().__init__()
        self._file = file
        self._data: bytes | None = data

    def _scan(self) -> None:
        data, self._data = self._data, None
        if data is None or len(data) > LOCATE_MAX_BYTES:
            return
        prefixes = {
            (m.group(1) or b"").decode(): m.group(2).decode() for m in _PREFIX_DECL.finditer(data)
        }
        for pattern in (_TOKEN, _JSON_OR_XML_IRI):
            line, last = 1, 0
            for m in pattern.finditer(data):
                if pattern is _TOKEN and m.group(1) is None:
                    ns = prefixes.get((m.group(2) or b"").decode())
                    if ns is None:
                        continue
                    iri = ns + m.group(3).decode(errors="replace")
                else:
                    raw = m.group(1).decode(errors="replace")
                    iri = raw if ":" in raw else BASE_IRI + raw
                if dict.__contains__(self, iri):
                    continue
                line += data.count(b"\n", last, m.start())
                last = m.start()
                dict.__setitem__(self, iri, SourceLocation(file=self._file, line=line))

    def get(self, key: str, default: SourceLocation | None = None) -> SourceLocation | None:  # type: ignore[override]
        self._scan()
        return dict.get(self, key, default)

    def __getitem__(self, key: str) -> SourceLocation:
        self._scan()
        return dict.__getitem__(self, key)

    def __contains__(self, key: object) -> bool:
        self._scan()
        return dict.__contains__(self, key)

    def __len__(self) -> int:
        self._scan()
        return dict.__len__(self)

    def __iter__(self) -> Iterator[str]:
        self._scan()
        return dict.__iter__(self)

    def items(self):  # type: ignore[override]
        self._scan()
        return dict.items(self)
