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
from functools import lru_cache

from svckg.errors import QueryError
from svckg.sparql_lexer import (
    BNODE,
    INVALID,
    IRI,
    KEYWORD,
    LANG,
    NUMBER,
    PNAME,
    STRING,
    VAR,
    Token,
    is_iri,
    tokenize,
)


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


# -- queries bounded by their text ------------------------------------------------------------

LEAN_MAX_CHARS = 2000
"""Longest query text :func:`runs_lean` looks at (longer ones are isolated)."""
_NOT_LEAN = frozenset({"SERVICE", "ORDER", "GROUP", "HAVING", "VALUES", "LOAD", "EXISTS"})
"""Keywords anywhere in the text that send a query to isolation: a remote call, sorting (the
engine fault on mixed values aborts the process), grouping, inline data, a pattern inside an
expression."""
_CONSTANTS = frozenset({IRI, PNAME, STRING, NUMBER})
_TERMS = _CONSTANTS | {VAR, BNODE}


LEAN_CACHE = 1024
"""Query texts whose verdicts are kept (clients repeat the same queries; a text is at most
:data:`LEAN_MAX_CHARS` long, so the cache holds at most about 2 MB)."""


@lru_cache(maxsize=LEAN_CACHE)
def runs_lean(query: str) -> bool:
    """Whether the query's own text bounds its work, so the server may run it in its own
    process (a thread with the time limit) instead of a forked child (:mod:`svckg.api.guard`),
    which costs a fork per request.

    Lean: short, lexes cleanly, no ``SERVICE`` / ``ORDER`` / ``GROUP`` / ``HAVING`` /
    ``VALUES``, and its WHERE group (the last top-level ``{ }``) holds no nested group,
    no filter, path or other operator: nothing, or ONE triple pattern with a constant subject
    or object, which the engine answers from one index range (bounded by that node's
    degree). ``ASK {}``, ``DESCRIBE <x>``, ``SELECT ?p ?o { <x> ?p ?o } LIMIT 10`` are lean;
    ``?s ?p ?o``, joins, paths and sorting are not: an expensive query can never pass as
    lean (a cheap one that does not is only slower).

    >>> runs_lean("ASK {}"), runs_lean("SELECT ?p ?o WHERE { <urn:x> ?p ?o } LIMIT 5")
    (True, True)
    >>> runs_lean("SELECT * { ?s ?p ?o }"), runs_lean("ASK { <urn:x> <urn:p>+ ?o }")
    (False, False)
    >>> runs_lean("SELECT * { <urn:x> ?p ?o } ORDER BY ?o")
    False
    >>> runs_lean("SELECT (EXISTS { ?a ?b ?c . ?d ?e ?f } AS ?x) {}")
    False
    """
    terms = _lean_terms(query)
    return terms is not None and (
        not terms or (len(terms) == 3 and (terms[0] in _CONSTANTS or terms[2] in _CONSTANTS))
    )


@lru_cache(maxsize=LEAN_CACHE)
def runs_instant(query: str) -> bool:
    """Whether a lean query does constant work: no triple pattern at all and no ``DESCRIBE``
    (whose answer grows with the node's degree), so it may run on the event loop without a
    thread hop (:mod:`svckg.api.sparql_asgi`).

    >>> runs_instant("ASK {}"), runs_instant("SELECT (1 AS ?x) WHERE {}")
    (True, True)
    >>> runs_instant("DESCRIBE <urn:x>"), runs_instant("ASK { <urn:x> ?p ?o }")
    (False, False)
    >>> runs_instant("SELECT * { ?s ?p ?o }"), runs_instant("ASK { SERVICE <urn:s> {} }")
    (False, False)
    """
    return (
        len(query) <= LEAN_MAX_CHARS
        and _lean_terms(query) == []
        and not any(t.keyword == "DESCRIBE" for t in tokenize(query))
    )


def _lean_terms(query: str) -> list[str] | None:
    """The term kinds of the WHERE group of a query that may be lean (see :func:`runs_lean`),
    None when it is not."""
    if len(query) > LEAN_MAX_CHARS:
        return None
    tokens = list(tokenize(query))
    if any(t.kind == INVALID or t.keyword in _NOT_LEAN for t in tokens):
        return None
    groups = _top_groups(tokens)
    construct = any(t.keyword == "CONSTRUCT" for t in tokens)
    if groups is None or len(groups) > (2 if construct else 1):
        return None
    return _terms(groups[-1] if groups else [])


def _top_groups(tokens: list[Token]) -> list[list[Token]] | None:
    """The tokens inside each top-level ``{ }`` (a CONSTRUCT template, the WHERE group);
    None when a group nests another (sub-queries, ``GRAPH``, ``OPTIONAL``, ``UNION``) or the
    braces do not balance."""
    depth, start = 0, -1
    groups: list[list[Token]] = []
    for i, t in enumerate(tokens):
        if t.punct("{"):
            depth += 1
            if depth > 1:
                return None
            start = i
        elif t.punct("}"):
            depth -= 1
            if depth < 0:
                return None
            groups.append(tokens[start + 1 : i])
    return groups if depth == 0 else None


def _terms(group: list[Token]) -> list[str] | None:
    """The kinds of the terms of a group of at most one triple pattern (a literal with its
    language or datatype is one term; ``a`` is a constant predicate); None on anything else
    (a keyword such as ``FILTER``, an operator, a second pattern)."""
    kinds: list[str] = []
    i = 0
    while i < len(group):
        t = group[i]
        if t.kind in _TERMS:
            kinds.append(t.kind)
        elif t.keyword in ("A", "TRUE", "FALSE"):
            kinds.append(IRI)
        elif (t.kind == LANG or t.punct("^^")) and kinds and kinds[-1] == STRING:
            i += 1 if t.kind == LANG else 2  # the datatype after ^^ belongs to the literal
            continue
        elif not (t.punct(".") and i == len(group) - 1):
            return None
        i += 1
    return kinds if len(kinds) in (0, 3) else None
