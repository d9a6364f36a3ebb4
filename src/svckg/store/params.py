"""Query parameters shared by both stores: safe variable binding and the query dataset.

Both stores use this one function, so a parameterised query means the same thing on the
embedded engine and on any remote endpoint. Each occurrence of the variable is replaced by
the term's N-Triples form as serialized by pyoxigraph (IRIs are validated when the
:class:`pyoxigraph.NamedNode` is built, literals are escaped), never by pasting caller text.
The one SPARQL lexer (:mod:`svckg.sparql_lexer`) skips strings, IRIs and comments, so ``?x``
inside them is left alone, and reads variable names by the SPARQL 1.1 ``VARNAME`` rule.

Rules (SEP-0007 style "substitution", the variable becomes a constant):

- in a ``SELECT`` projection the variable is kept as a column: ``?v`` becomes
  ``(<term> AS ?v)``;
- a variable assigned by the query (``... AS ?v``, ``VALUES ?v``) cannot be a parameter
  (QueryError);
- a parameter that does not occur in the query is an error (a typo, most of the time);
- blank nodes cannot be written into query text (they would become variables): QueryError.
  The embedded store binds them with pyoxigraph's native substitution instead.
- ``SELECT *`` does not list substituted variables (they are no longer variables).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyoxigraph as ox

from svckg.errors import QueryError
from svckg.sparql_lexer import VAR, QueryNames, Token, splice, tokenize

Term = ox.NamedNode | ox.Literal | ox.BlankNode


def term_text(term: Term) -> str:
    """The SPARQL text of an IRI or literal (its N-Triples form).

    >>> term_text(ox.Literal('say "hi"} DROP ALL'))
    '"say \\\\"hi\\\\"} DROP ALL"'
    >>> term_text(ox.NamedNode("https://w3id.org/svckg/id/x"))
    '<https://w3id.org/svckg/id/x>'
    """
    if isinstance(term, ox.NamedNode | ox.Literal):
        return str(term)
    if isinstance(term, ox.BlankNode):
        raise QueryError(
            f"a blank node ({term}) cannot be passed as a query parameter to this store",
            hint="pass the IRI of the resource instead",
        )
    raise QueryError(
        f"a query parameter must be a pyoxigraph NamedNode or Literal, not {type(term).__name__}",
        hint="wrap values with pyoxigraph.NamedNode(...) or pyoxigraph.Literal(...)",
    )


def bind_parameters(sparql: str, substitutions: Mapping[str, Term] | None) -> str:
    """Return ``sparql`` with each variable in ``substitutions`` (name without ``?``) bound.

    >>> q = "SELECT ?label WHERE { ?_x_iri rdfs:label ?label }"
    >>> bind_parameters(q, {"_x_iri": ox.NamedNode("http://e/a")})
    'SELECT ?label WHERE { <http://e/a> rdfs:label ?label }'
    >>> bind_parameters("SELECT ?v WHERE { ?s ?p ?v }", {"v": ox.Literal("1")})
    'SELECT ("1" AS ?v) WHERE { ?s ?p "1" }'
    """
    if not substitutions:
        return sparql
    texts = {name.lstrip("?$"): term_text(term) for name, term in substitutions.items()}
    clauses = _Clauses()
    edits: list[tuple[int, int, str]] = []
    seen: set[str] = set()
    for token in tokenize(sparql):
        name = token.variable
        if name is None or name not in texts:
            clauses.step(token)
            continue
        _check_free(name, clauses)
        seen.add(name)
        replacement = texts[name]
        if clauses.projected():
            replacement = f"({replacement} AS {token.text})"
        edits.append((token.start, token.end, replacement))
        clauses.step(token)
    missing = sorted(set(texts) - seen)
    if missing:
        names = ", ".join(f"?{n}" for n in missing)
        raise QueryError(
            f"query parameter(s) {names} do not occur in the query",
            hint="check the parameter names against the query's variables",
        )
    return splice(sparql, edits)


class _Clauses:
    """Where the scan stands: parenthesis depth, the SELECT projection, VALUES lists and
    the keyword just before."""

    def __init__(self) -> None:
        self.depth = 0  # parenthesis depth
        self.projection_depth: int | None = None  # depth of the SELECT whose projection we are in
        self.previous_word = ""
        self.values_next = False  # just after the keyword VALUES
        self.values_list: int | None = None  # depth of a VALUES (?a ?b) variable list

    def projected(self) -> bool:
        """Is a variable here a bare column of a SELECT projection?"""
        return self.projection_depth is not None and self.depth == self.projection_depth

    def in_values(self) -> bool:
        """Does a variable here get its values from a VALUES clause?"""
        return self.values_next or self.values_list is not None

    def step(self, token: Token) -> None:
        """Move past ``token``."""
        keyword = token.keyword
        if keyword is not None:
            if keyword == "SELECT":
                self.projection_depth = self.depth
            elif keyword in ("WHERE", "FROM"):
                self.projection_depth = None
            self.values_next = keyword == "VALUES"
            self.previous_word = keyword
            return
        self.previous_word = ""
        if token.kind == VAR:
            self.values_next = False
        elif token.punct("("):
            self.depth += 1
            if self.values_next:
                self.values_list, self.values_next = self.depth, False
        elif token.punct(")"):
            if self.values_list == self.depth:
                self.values_list = None
            self.depth -= 1
        elif token.punct("{"):
            self.projection_depth = None
            self.values_next = False


def _check_free(name: str, clauses: _Clauses) -> None:
    """Refuse a parameter the query itself gives values to (VALUES or ``AS ?name``)."""
    if clauses.in_values():
        raise QueryError(
            f"?{name} gets its values from the query's VALUES clause so it cannot be a parameter",
            hint=f"rename the parameter or drop ?{name} from the VALUES clause",
        )
    if clauses.previous_word == "AS":
        raise QueryError(
            f"?{name} is assigned by the query ('AS ?{name}') so it cannot be a parameter",
            hint=f"rename the parameter or drop the assignment to ?{name}",
        )


def check_dataset(default_graph: Sequence[str] | None, named_graphs: Sequence[str] | None) -> None:
    """Refuse empty graph lists: the SPARQL protocol cannot send "no graph", and an empty
    default graph is almost always a caller's bug (None means the union of all graphs).

    >>> check_dataset(None, ["http://e/g"])
    >>> check_dataset([], None)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    svckg.errors.QueryError: default_graph is an empty list (pass None ...)
    """
    for name, value in (("default_graph", default_graph), ("named_graphs", named_graphs)):
        if value is not None and len(value) == 0:
            raise QueryError(
                f"{name} is an empty list",
                hint="pass None to query the union of all graphs, or name at least one graph",
            )


def text_dataset(sparql: str) -> tuple[list[str], list[str]] | None:
    """The ``FROM`` and ``FROM NAMED`` IRIs of a query's text (``BASE`` and prefixed names
    resolved by :class:`svckg.sparql_lexer.QueryNames`); None when it names no dataset.
    ValueError when one cannot be read here (an undeclared prefix: the engine refuses it).

    >>> text_dataset("PREFIX e: <http://e/> SELECT * FROM e:a FROM NAMED <http://e/b> {}")
    (['http://e/a'], ['http://e/b'])
    >>> text_dataset("BASE <http://e/> SELECT * FROM <a> {}")
    (['http://e/a'], [])
    >>> text_dataset("SELECT * { ?s ?p ?o }") is None
    True
    """
    names = QueryNames()
    default: list[str] = []
    named: list[str] = []
    tokens = list(tokenize(sparql))
    i = 0
    while i < len(tokens):
        if tokens[i].keyword in ("BASE", "PREFIX"):
            i = names.declare(tokens, i)
            continue
        if tokens[i].keyword == "FROM":
            into, i = (named, i + 2) if _keyword(tokens, i + 1) == "NAMED" else (default, i + 1)
            iri = names.iri(tokens[i]) if i < len(tokens) else None
            if iri is None:
                raise ValueError(tokens[i].text if i < len(tokens) else "FROM")
            into.append(iri)
        i += 1
    return (default, named) if default or named else None


def _keyword(tokens: list[Token], i: int) -> str | None:
    return tokens[i].keyword if i < len(tokens) else None
