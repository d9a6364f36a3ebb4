"""Query parameters shared by both stores: safe variable binding and the query dataset.

Both stores use this one function, so a parameterised query means the same thing on the
embedded engine and on any remote endpoint. Each occurrence of the variable is replaced by
the term's N-Triples form as serialized by pyoxigraph (IRIs are validated when the
:class:`pyoxigraph.NamedNode` is built, literals are escaped), never by pasting caller text.
A small tokenizer skips strings, IRIs and comments, so ``?x`` inside them is left alone.

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

import re
from collections.abc import Mapping, Sequence

import pyoxigraph as ox

from svckg.errors import QueryError

Term = ox.NamedNode | ox.Literal | ox.BlankNode

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n\r]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'''(?:[^'\\]|\\.|'(?!''))*'''
              |"(?:[^"\\\n\r]|\\.)*"
              |'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
  | (?P<bnode>_:[\w.\-]*)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<pname>(?:[A-Za-z][\w.\-]*)?:[\w.\-:%\\]*)
  | (?P<word>[A-Za-z_]\w*)
  | (?P<punct>[{}()*])
    """,
    re.VERBOSE | re.DOTALL,
)


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
    out: list[str] = []
    seen: set[str] = set()
    last = 0
    depth = 0  # parenthesis depth
    projection_depth: int | None = None  # depth of the SELECT whose projection we are in
    previous_word = ""
    values_next = False  # just after the keyword VALUES
    values_list: int | None = None  # depth of a VALUES (?a ?b) variable list
    for match in _TOKEN.finditer(sparql):
        kind = match.lastgroup
        token = match.group()
        if kind in ("comment", "string", "iri", "lang", "bnode", "pname"):
            previous_word = ""
            continue
        if kind == "punct":
            if token == "(":
                depth += 1
                if values_next:
                    values_list, values_next = depth, False
            elif token == ")":
                if values_list == depth:
                    values_list = None
                depth -= 1
            elif token == "{":
                projection_depth = None
                values_next = False
            previous_word = ""
            continue
        if kind == "word":
            upper = token.upper()
            if upper == "SELECT":
                projection_depth = depth
            elif upper in ("WHERE", "FROM"):
                projection_depth = None
            values_next = upper == "VALUES"
            previous_word = upper
            continue
        # a variable
        name = token[1:]
        in_values = values_next or values_list is not None
        values_next = False
        if name not in texts:
            previous_word = ""
            continue
        if in_values:
            raise QueryError(
                f"?{name} gets its values from the query's VALUES clause so it cannot be a "
                "parameter",
                hint=f"rename the parameter or drop ?{name} from the VALUES clause",
            )
        if previous_word == "AS":
            raise QueryError(
                f"?{name} is assigned by the query ('AS ?{name}') so it cannot be a parameter",
                hint=f"rename the parameter or drop the assignment to ?{name}",
            )
        seen.add(name)
        replacement = texts[name]
        if projection_depth is not None and depth == projection_depth:
            replacement = f"({replacement} AS {token})"
        out.append(sparql[last : match.start()])
        out.append(replacement)
        last = match.end()
        previous_word = ""
    missing = sorted(set(texts) - seen)
    if missing:
        names = ", ".join(f"?{n}" for n in missing)
        raise QueryError(
            f"query parameter(s) {names} do not occur in the query",
            hint="check the parameter names against the query's variables",
        )
    out.append(sparql[last:])
    return "".join(out)


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
