"""Small lexical work on SPARQL text the engine API cannot do for us.

pyoxigraph's ``update`` takes no protocol dataset, so the SPARQL 1.1 Protocol's
``using-graph-uri`` / ``using-named-graph-uri`` are applied by adding ``USING`` /
``USING NAMED`` clauses to every ``DELETE``/``INSERT ... WHERE`` operation. The scanner
skips strings, IRIs and comments, so keywords inside them are never touched.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from svckg.errors import QueryError

_IRI = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*(?::[A-Za-z0-9_\-.]*)?")
_VAR = re.compile(r"[?$][A-Za-z0-9_]+")


@dataclass(frozen=True)
class Token:
    """A bare word (keyword or prefixed name) outside strings, IRIs and comments."""

    text: str
    start: int
    depth: int
    """Brace depth: 0 outside every ``{ }`` group."""

    @property
    def keyword(self) -> str | None:
        """The upper-cased word when it can be a keyword (no prefix colon)."""
        return None if ":" in self.text else self.text.upper()


def words(text: str) -> Iterator[Token]:
    """Bare words of a SPARQL text with their brace depth.

    >>> [(t.text, t.depth) for t in words('INSERT { <a> <b> "WHERE" } WHERE { ?where ?p 1 }')]
    [('INSERT', 0), ('WHERE', 0)]
    """
    i, depth, n = 0, 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
        elif c in "\"'":
            triple = text[i : i + 3]
            if triple in ('"""', "'''"):
                end = text.find(triple, i + 3)
                while end > 0 and _escaped(text, end):
                    end = text.find(triple, end + 1)
                i = n if end < 0 else end + 3
            else:
                j = i + 1
                while j < n and text[j] != c and text[j] != "\n":
                    j += 2 if text[j] == "\\" else 1
                i = j + 1
        elif c == "<":
            m = _IRI.match(text, i)
            i = m.end() if m else i + 1
        elif c == "{":
            depth += 1
            i += 1
        elif c == "}":
            depth = max(0, depth - 1)
            i += 1
        elif c in "?$":
            m = _VAR.match(text, i)
            i = m.end() if m else i + 1
        elif c.isalpha() or c == "_":
            m = _WORD.match(text, i)
            assert m is not None
            if i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "_:-."):
                yield Token(m.group(), i, depth)
            i = m.end()
        else:
            i += 1


def _escaped(text: str, pos: int) -> bool:
    backslashes = 0
    while pos - 1 - backslashes >= 0 and text[pos - 1 - backslashes] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def add_using(update: str, using: list[str], using_named: list[str]) -> str:
    """Apply a protocol dataset to ``update``: add ``USING <g>`` / ``USING NAMED <g>`` before
    the ``WHERE`` of every ``DELETE``/``INSERT`` operation.

    Raises QueryError when the update names its own dataset (``USING`` or ``WITH``), which
    the protocol forbids together with the parameters.

    >>> add_using("INSERT { ?s a <T> } WHERE { ?s ?p ?o }", ["http://g"], [])
    'INSERT { ?s a <T> } USING <http://g> WHERE { ?s ?p ?o }'
    >>> add_using("DELETE WHERE { ?s ?p ?o }", ["http://g"], [])
    'DELETE WHERE { ?s ?p ?o }'
    """
    if not using and not using_named:
        return update
    clause = " ".join([f"USING <{g}>" for g in using] + [f"USING NAMED <{g}>" for g in using_named])
    inserts: list[int] = []
    previous: str | None = None
    for token in words(update):
        if token.depth != 0:
            continue
        keyword = token.keyword
        if keyword in ("USING", "WITH"):
            raise QueryError(
                f"the update has a {keyword} clause and the request has "
                "using-graph-uri/using-named-graph-uri parameters",
                where=f"update, offset {token.start}",
                hint="give the dataset either in the update text or as parameters, not both",
            )
        if keyword == "WHERE" and previous != "DELETE":
            inserts.append(token.start)
        previous = keyword
    for position in reversed(inserts):
        update = f"{update[:position]}{clause} {update[position:]}"
    return update


def _check_iri(iri: str, parameter: str) -> str:
    if not iri or not _IRI.fullmatch(f"<{iri}>") or ":" not in iri:
        raise QueryError(
            f"{parameter} is not an absolute IRI: {iri!r}",
            where=parameter,
            hint="give a full IRI such as https://example.org/g",
        )
    return iri


def check_iris(values: list[str], parameter: str) -> list[str]:
    """Validate graph IRIs given as protocol parameters.

    >>> check_iris(["http://example.org/g"], "default-graph-uri")
    ['http://example.org/g']
    """
    return [_check_iri(v, parameter) for v in values]
