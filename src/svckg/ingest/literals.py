"""Literals the store would change, found before they are changed.

The store engine (Oxigraph) keeps typed literals in canonical form and derived integer types
as ``xsd:integer``: ``"007"^^xsd:integer`` comes back as ``"7"``, ``"5"^^xsd:int`` as
``"5"^^xsd:integer``, ``"1.50"^^xsd:decimal`` as ``"1.5"`` (Oxigraph issue 1413). An import
holding such literals gets one located warning per literal, so nobody loses a datatype or a
lexical form without being told. Which forms survive is decided by the engine itself: each
candidate is stored in a throw-away store and read back (no table of rules to drift).

Datatypes that survive a round trip unchanged: ``xsd:string``, language-tagged strings,
``xsd:integer`` / ``xsd:decimal`` / ``xsd:double`` / ``xsd:float`` / ``xsd:boolean`` /
``xsd:date`` / ``xsd:dateTime`` in canonical form, and every datatype the engine does not
interpret (kept as written). Derived integer types (``xsd:int``, ``xsd:long``,
``xsd:short``, ``xsd:byte``, ``xsd:nonNegativeInteger``, ...) become ``xsd:integer``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import pyoxigraph as ox

from svckg.validation.report import SourceLocation, ValidationResult

XSD = "http://www.w3.org/2001/XMLSchema#"
SHAPE = "https://w3id.org/svckg/shapes#Import-literalChanged"
MAX_FINDINGS = 200
"""Located warnings per source; the rest are counted in one more warning."""
_TYPE_MARK = re.compile(rb'"\^\^(<[^>\s]+>|[A-Za-z][\w.-]*:[\w.-]*|:[\w.-]*)')
"""The end of a typed literal: a literal start makes the regex engine's fast search work."""
_LEXICAL = re.compile(rb'"((?:[^"\\\n]|\\.){0,200})"\Z')
"""The lexical form ending at the end of a window (at most 200 characters)."""
_BARE = re.compile(rb"[\s,(]([+-]?0\d+|\+\d+)(?=\s*[;.,)\]])")
_PREFIX = re.compile(rb"[pP][rR][eE][fF][iI][xX]\s+([\w.-]*):\s*<([^>]*)>")
"""``@prefix`` / ``PREFIX`` in any case (spelled out: IGNORECASE is ~3x slower here)."""
_SKIP = {XSD + "string"}


def _lines(data: bytes, offsets: list[int]) -> dict[int, int]:
    """Line number of each byte offset, counted in one pass."""
    out: dict[int, int] = {}
    line, last = 1, 0
    for at in sorted(set(offsets)):
        line += data.count(b"\n", last, at)
        last = at
        out[at] = line
    return out


def candidates_in_text(data: bytes, *, bare: bool = True) -> list[tuple[str, str, int]]:
    """(lexical form, datatype IRI, byte offset) of the typed and bare numeric literals in
    Turtle, TriG, N-Triples or N-Quads text whose datatype is an XSD type other than string.
    ``bare=False`` skips bare numbers (N-Triples and N-Quads have none).

    One fast pass finds each ``"^^datatype``; the lexical form is read back from there, and
    the prefixes only when a prefixed datatype turns up (a 130 MB N-Triples file: ~0.2 s).

    >>> found = candidates_in_text(b'@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\\n'
    ...                            b'<a> <b> "007"^^xsd:integer , 012 .')
    >>> [(v, d.rpartition("#")[2], at) for v, d, at in found]
    [('007', 'integer', 59), ('012', 'integer', 80)]
    """
    if b"XMLSchema#" not in data and not (bare and _BARE.search(data)):
        return []
    prefixes: dict[str, str] | None = None
    out: list[tuple[str, str, int]] = []
    for m in _TYPE_MARK.finditer(data):
        raw = m.group(1).decode(errors="replace")
        if raw.startswith("<"):
            datatype = raw[1:-1]
        else:
            if prefixes is None:
                prefixes = {
                    p.group(1).decode(): p.group(2).decode() for p in _PREFIX.finditer(data)
                }
            prefix, _, local = raw.partition(":")
            if prefix not in prefixes:
                continue
            datatype = prefixes[prefix] + local
        if not datatype.startswith(XSD) or datatype in _SKIP:
            continue
        start = max(0, m.start() - 202)
        lexical = _LEXICAL.search(data, start, m.start() + 1)
        if lexical is not None:
            out.append((lexical.group(1).decode(errors="replace"), datatype, lexical.start()))
    if bare:
        out += [(m.group(1).decode(), XSD + "integer", m.start(1)) for m in _BARE.finditer(data)]
    return out


def changed(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, str]]:
    """For each (lexical form, datatype), what the store gives back, where it differs."""
    distinct = list(dict.fromkeys(pairs))
    if not distinct:
        return {}
    store = ox.Store()
    p = ox.NamedNode("urn:svckg:p")
    store.extend(
        ox.Quad(ox.NamedNode(f"urn:svckg:l{i}"), p, ox.Literal(v, datatype=ox.NamedNode(d)))
        for i, (v, d) in enumerate(distinct)
    )
    out: dict[tuple[str, str], tuple[str, str]] = {}
    for q in store.quads_for_pattern(None, p, None, None):
        i = int(q.subject.value.rpartition("l")[2])
        lit = q.object
        after = (lit.value, lit.datatype.value)  # type: ignore[union-attr]
        if after != distinct[i]:
            out[distinct[i]] = after
    return out


def findings(
    name: str, data: bytes, triples: Sequence[ox.Triple] | None, *, bare: bool = True
) -> list[ValidationResult]:
    """Located warnings for the literals of one RDF source the store would change.

    ``triples`` is the parsed list when the importer kept one (RDF/XML, JSON-LD, blank
    nodes); otherwise the text is scanned (``bare``: see :func:`candidates_in_text`)."""
    found: list[tuple[str, str, int | None]] = []
    if isinstance(triples, list):
        for t in triples:
            o = t.object
            if (
                isinstance(o, ox.Literal)
                and o.language is None
                and o.datatype.value.startswith(XSD)
                and o.datatype.value not in _SKIP
            ):
                found.append((o.value, o.datatype.value, None))
    if not found:
        found = list(candidates_in_text(data, bare=bare))  # type: ignore[arg-type]
    changes = changed((v, d) for v, d, _ in found)
    hits: list[tuple[str, str, int | None]] = []
    hidden = 0
    for value, datatype, at in found:
        if (value, datatype) not in changes:
            continue
        if len(hits) >= MAX_FINDINGS:
            hidden += 1
            continue
        if at is None:
            pos = data.find(f'"{value}"'.encode())
            at = pos if pos >= 0 else None
        hits.append((value, datatype, at))
    lines = _lines(data, [at for _, _, at in hits if at is not None])
    out = [
        _warning(name, v, d, changes[(v, d)], lines.get(at) if at is not None else None)
        for v, d, at in hits
    ]
    if hidden:
        out.append(
            ValidationResult(
                focus_node=name,
                severity="Warning",
                message=f"{hidden} more literal(s) the store will change, as above.",
                source_shape=SHAPE,
                constraint_component="",
                location=SourceLocation(file=name),
            )
        )
    return out


def _short(datatype: str) -> str:
    return "xsd:" + datatype[len(XSD) :] if datatype.startswith(XSD) else f"<{datatype}>"


def _warning(
    name: str, value: str, datatype: str, after: tuple[str, str], line: int | None
) -> ValidationResult:
    new_value, new_type = after
    return ValidationResult(
        focus_node=name,
        severity="Warning",
        message=f'The literal "{value}"^^{_short(datatype)} will be stored as '
        f'"{new_value}"^^{_short(new_type)} (the store keeps canonical forms and xsd:integer '
        "for derived integer types): write it that way, or keep the original as a string.",
        source_shape=SHAPE,
        constraint_component="",
        value=f'"{value}"^^<{datatype}>',
        location=SourceLocation(file=name, line=line),
    )
