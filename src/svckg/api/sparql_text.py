"""Small lexical work on SPARQL text the engine API cannot do for us.

pyoxigraph's ``update`` takes no protocol dataset, so the SPARQL 1.1 Protocol's
``using-graph-uri`` / ``using-named-graph-uri`` are applied by adding ``USING`` /
``USING NAMED`` clauses to every ``DELETE``/``INSERT ... WHERE`` operation. The words come
from the one SPARQL lexer (:mod:`svckg.sparql_lexer`), which skips strings, IRIs and comments,
so keywords inside them are never touched.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from svckg.errors import QueryError
from svckg.sparql_lexer import KEYWORD, PNAME, Token, is_iri, tokenize


@dataclass(frozen=True)
class Word(Token):
    """A bare word (keyword or prefixed name) outside strings, IRIs and comments."""

    depth: int = 0
    """Brace depth: 0 outside every ``{ }`` group."""


def words(text: str) -> Iterator[Word]:
    """Bare words of a SPARQL text with their brace depth.

    >>> [(t.text, t.depth) for t in words('INSERT { <a> <b> "WHERE" } WHERE { ?where ?p 1 }')]
    [('INSERT', 0), ('WHERE', 0)]
    """
    depth = 0
    for token in tokenize(text):
        if token.punct("{"):
            depth += 1
        elif token.punct("}"):
            depth = max(0, depth - 1)
        elif token.kind in (KEYWORD, PNAME):
            yield Word(token.kind, token.text, token.start, depth)


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
    if not iri or not is_iri(iri) or ":" not in iri:
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
