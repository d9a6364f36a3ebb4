"""SHACL-SPARQL: prefix declarations, the pre-binding rules, and pre-bound query text.

Pre-binding follows the SHACL specification (section 5.2.1.1): every occurrence of a pre-bound
variable (``$this``, ``$value``, ``$currentShape``, component parameters) is replaced by its
value, including inside nested groups, which plain solution joins would not do. Tokens come
from the one SPARQL lexer (:mod:`svckg.sparql_lexer`), so variables, keywords, strings, IRIs and
comments mean here what they mean to the named-query binder.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from itertools import pairwise, takewhile

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, SH
from rdflib.term import Node

from svckg.errors import ShapesError
from svckg.sparql_lexer import COMMENT, STRING, Token, splice, tokenize

PREBOUND = ("this", "currentShape", "shapesGraph")
_FORBIDDEN = ("MINUS", "SERVICE", "VALUES")


def prefixes_of(graph: Graph, node: Node, where: str) -> dict[str, str]:
    """Prefixes declared (``sh:declare``) on the ``sh:prefixes`` nodes of ``node`` and on
    the ontologies they ``owl:imports`` (within the shapes graph)."""
    out: dict[str, str] = {}
    todo = list(graph.objects(node, SH.prefixes))
    seen: set[Node] = set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for decl in graph.objects(current, SH.declare):
            prefix, ns = graph.value(decl, SH.prefix), graph.value(decl, SH.namespace)
            if prefix is None or ns is None:
                raise ShapesError(
                    "sh:declare needs sh:prefix and sh:namespace",
                    where=where,
                    hint="complete the prefix declaration",
                )
            out[str(prefix)] = str(ns)
        todo.extend(graph.objects(current, OWL.imports))
    return out


def strip_strings(text: str) -> str:
    """The query with each string literal and comment replaced by ``""`` (for keyword checks).

    >>> strip_strings('SELECT ?x { ?x <urn:a#b> "SELECT" } # WHERE')
    'SELECT ?x { ?x <urn:a#b> "" } ""'
    """
    return splice(
        text,
        (
            (t.start, t.end, '""')
            for t in tokenize(text, comments=True)
            if t.kind in (STRING, COMMENT)
        ),
    )


def check_query(
    text: str, prefixes: dict[str, str], where: str, prebound: tuple[str, ...] = PREBOUND
) -> None:
    """Raise ShapesError (naming ``where``) unless the query parses and keeps the
    pre-binding rules: no MINUS, SERVICE or VALUES, no ``AS $this``, and every sub-query
    returns ``$this``. Pass the query as :func:`group_this` rewrote it."""
    probe = text.replace("$PATH", "<urn:svckg:path>")
    try:
        ox.Store().query(probe, prefixes=prefixes)
    except SyntaxError as exc:
        raise ShapesError(
            f"SHACL-SPARQL query does not parse: {describe_error(text, exc)}",
            where=where,
            hint="fix the query (declare its prefixes with sh:prefixes)",
        ) from exc
    except RuntimeError:
        pass  # parsed; failed only for lack of bindings here
    problem = _prebinding_problem(_tokens(text), prebound)
    if problem is not None:
        message, hint = problem
        raise ShapesError(message, where=where, hint=hint)


def _prebinding_problem(
    tokens: Sequence[Token], prebound: tuple[str, ...]
) -> tuple[str, str] | None:
    """The (message, hint) of the first pre-binding rule the query's tokens break, if any."""
    if any(t.keyword in _FORBIDDEN for t in tokens):
        return (
            "SHACL-SPARQL query uses MINUS, SERVICE or VALUES, which queries "
            "with pre-bound variables may not use",
            "rewrite the query without them",
        )
    if any(t.variable == "shapesGraph" for t in tokens):
        return (
            "SHACL-SPARQL query uses $shapesGraph, which this validator does not "
            "support (it is optional in SHACL)",
            "query the data graph only",
        )
    if any(a.keyword == "AS" and b.variable in prebound for a, b in pairwise(tokens)):
        return (
            "SHACL-SPARQL query binds a pre-bound variable with AS",
            "do not assign $this, $currentShape or $shapesGraph",
        )
    selects = [i for i, t in enumerate(tokens) if t.keyword == "SELECT"]
    for start in selects[1:]:
        head = takewhile(lambda t: t.keyword != "WHERE" and not t.punct("{"), tokens[start:])
        if not any(t.variable == "this" for t in head):
            return (
                "a sub-query of the SHACL-SPARQL query does not return $this",
                "add $this to the sub-query's SELECT",
            )
    return None


_AGGREGATES = {"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"}
_MODIFIERS_END = {"HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES"}


def group_this(text: str) -> str:
    """The query with ``$this`` added to the GROUP BY of every aggregating (sub-)SELECT that
    projects ``$this`` without grouping by it.

    Under pre-binding ``$this`` is a constant, so grouping by it changes no group; without
    it the text is not SPARQL (a projected variable outside GROUP BY), although SHACL
    queries write it so (the RDF Data Cube integrity constraints project ``$this`` from a
    sub-select grouped by another variable).

    >>> group_this("SELECT $this (COUNT(?o) AS ?n) WHERE { ?o <urn:p> $this } GROUP BY ?o")
    'SELECT $this (COUNT(?o) AS ?n) WHERE { ?o <urn:p> $this } GROUP BY ?o $this'
    >>> group_this("SELECT $this (COUNT(?o) AS ?n) { ?o <urn:p> $this }")
    'SELECT $this (COUNT(?o) AS ?n) { ?o <urn:p> $this } GROUP BY $this'
    """
    tokens = _tokens(text)
    edits = [
        e for i, t in enumerate(tokens) if t.keyword == "SELECT" for e in _group_edit(tokens, i)
    ]
    return splice(text, sorted(edits))


def _group_edit(tokens: Sequence[Token], start: int) -> list[tuple[int, int, str]]:
    """The edit adding ``$this`` to the grouping of the SELECT at ``start`` (if it needs one)."""
    head, i, depth = [], start + 1, 0
    while i < len(tokens) and not (
        depth == 0 and (tokens[i].punct("{") or tokens[i].keyword == "WHERE")
    ):
        depth += tokens[i].punct("(") - tokens[i].punct(")")
        head.append((tokens[i], depth))
        i += 1
    projects_this = any(t.variable == "this" and d == 0 for t, d in head)
    while i < len(tokens) and not tokens[i].punct("{"):
        i += 1
    close = _closing(tokens, i)
    if not projects_this or close is None:
        return []
    modifiers = list(takewhile(lambda t: not t.punct("}"), tokens[close + 1 :]))
    words = {t.keyword for t in modifiers}
    aggregates = (
        "GROUP" in words or "HAVING" in words or any(t.keyword in _AGGREGATES for t, _ in head)
    )
    if not aggregates:
        return []
    if "GROUP" not in words:
        end = tokens[close].end
        return [(end, end, " GROUP BY $this")]
    group = list(
        takewhile(
            lambda t: t.keyword not in _MODIFIERS_END,
            modifiers[[t.keyword for t in modifiers].index("GROUP") :],
        )
    )
    if any(t.variable == "this" for t in group) or not (
        group[-1].kind == "var" or group[-1].punct(")")
    ):
        return []  # grouped by $this already, or a clause the engine will report
    end = group[-1].end
    return [(end, end, " $this")]


def _closing(tokens: Sequence[Token], i: int) -> int | None:
    """The index of the ``}`` closing the ``{`` at ``i``."""
    depth = 0
    for j in range(i, len(tokens)):
        depth += tokens[j].punct("{") - tokens[j].punct("}")
        if depth == 0:
            return j
    return None


_CLAUSES = (
    "SELECT",
    "WHERE",
    "FILTER",
    "BIND",
    "OPTIONAL",
    "GROUP",
    "HAVING",
    "ORDER",
    "LIMIT",
    "OFFSET",
    "VALUES",
    "UNION",
    "MINUS",
    "GRAPH",
    "SERVICE",
    "EXISTS",
    "ASK",
)


def describe_error(text: str, exc: Exception) -> str:
    """Where a query the engine rejects goes wrong, in the query's own words: the clause
    (the nearest SPARQL construct keyword before the error), the line and its text. The
    engine's own message names parser tokens ("expected ENCODE_FOR_URI") and is left out.

    >>> describe_error("SELECT $this WHERE { $this ?p }", SyntaxError("error at 1:32: expected x"))
    "in the WHERE clause, line 1: 'SELECT $this WHERE { $this ?p }'"
    """
    found = re.search(r"(\d+):(\d+)", str(exc))
    if found is None:
        return "the engine cannot read it (check the SPARQL syntax)"
    line, column = int(found.group(1)), int(found.group(2))
    lines = text.splitlines() or [""]
    line = min(max(line, 1), len(lines))
    offset = sum(len(x) + 1 for x in lines[: line - 1]) + max(column - 1, 0)
    clause = "query"
    for token in _tokens(text):
        if token.start > offset:
            break
        if token.keyword in _CLAUSES:
            clause = {"GROUP": "GROUP BY", "ORDER": "ORDER BY"}.get(token.keyword, token.keyword)
    nested = sum(1 for t in _tokens(text) if t.keyword == "SELECT" and t.start < offset) > 1
    where = f"the {clause} clause" + (" of a sub-select" if nested else "")
    return f"in {where}, line {line}: {lines[line - 1].strip()!r}"


def prebind(text: str, bindings: dict[str, str]) -> str:
    """Replace each pre-bound ``$var`` / ``?var`` by its SPARQL text, and ``bound($var)`` by
    ``(true)``. A bare variable in a SELECT clause, and in GROUP BY / ORDER BY, stays as it
    is (unbound: the caller knows its value).

    >>> prebind("SELECT $this ?v WHERE { $this <urn:p> ?v }", {"this": "<urn:a>"})
    'SELECT $this ?v WHERE { <urn:a> <urn:p> ?v }'
    >>> prebind("ASK { FILTER(bound( ?this )) }", {"this": "<urn:a>"})
    'ASK { FILTER((true)) }'
    """
    if not bindings:
        return text
    return splice(text, _Prebinder(bindings).edits(_tokens(text)))


@lru_cache(maxsize=256)
def _tokens(text: str) -> tuple[Token, ...]:
    """The tokens of a shape's query, read once: it is pre-bound again for every focus node."""
    return tuple(tokenize(text))


class _Prebinder:
    """The pre-binding scan: which clause each token stands in (SELECT head, GROUP BY /
    ORDER BY, elsewhere) and the parenthesis depth within a SELECT head."""

    def __init__(self, bindings: dict[str, str]) -> None:
        self.bindings = bindings
        self.head = True  # in a SELECT clause (before its first '{')
        self.depth = 0  # parenthesis depth since the last SELECT
        self.keep = False  # in GROUP BY / ORDER BY

    def edits(self, tokens: Sequence[Token]) -> Iterator[tuple[int, int, str]]:
        """The (start, end, replacement) edits for ``tokens``."""
        skip_to = 0
        for i, token in enumerate(tokens):
            if i < skip_to:
                continue
            if token.keyword == "BOUND" and self._bound_variable(tokens[i : i + 4]):
                skip_to = i + 4
                yield token.start, tokens[i + 3].end, "(true)"
                continue
            name = token.variable
            if name in self.bindings and not (self.keep or (self.head and self.depth == 0)):
                yield token.start, token.end, self.bindings[name]
            self._step(token)

    def _bound_variable(self, window: Sequence[Token]) -> bool:
        """Is ``window`` ``BOUND ( ?var )`` for a pre-bound variable?"""
        return (
            len(window) == 4
            and window[1].punct("(")
            and window[2].variable in self.bindings
            and window[3].punct(")")
        )

    def _step(self, token: Token) -> None:
        keyword = token.keyword
        if keyword == "SELECT":
            self.head, self.depth = True, 0
        elif keyword in ("GROUP", "ORDER"):
            self.keep = True
        elif keyword in ("HAVING", "LIMIT", "OFFSET") or token.punct("}"):
            self.keep = False
        elif token.punct("{"):
            self.head, self.keep = False, False
        elif token.punct("("):
            self.depth += 1
        elif token.punct(")"):
            self.depth -= 1


def iri(node: Node) -> str | None:
    """SPARQL text of an IRI node, None for anything else."""
    return f"<{node}>" if isinstance(node, URIRef) else None
