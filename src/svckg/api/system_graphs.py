"""System graphs are not writable through the raw channels (SPARQL Update, Graph Store).

svckg's own graph namespace (``https://w3id.org/svckg/graph/``) holds the import version
graphs and their inference graphs, the provenance graph (the import records), the system
graph and the vocabulary graphs. They change only through the import pipeline, which keeps
the records and the data in step and validates what it writes: a raw ``DROP GRAPH`` of an
import graph would leave a record saying the import is current, and an ``INSERT DATA`` into
it would bypass validation. The only graph of the namespace raw writes may touch is the
Graph Store's default graph (``graph/default``).

An update is checked by its tokens (:mod:`svckg.sparql_lexer`): every graph it may write
(``INSERT``/``DELETE`` templates, ``WITH``, ``DROP``/``CLEAR``/``CREATE``, ``ADD``/``MOVE``/
``COPY``, ``LOAD ... INTO``) must be outside the namespace. ``DROP ALL`` / ``CLEAR NAMED``
and templates writing ``GRAPH ?variable`` may touch any graph, so they are refused;
text the lexer cannot read (``\\u`` escapes outside strings) is refused too.

>>> update_targets("PREFIX g: <https://w3id.org/svckg/graph/> DROP GRAPH g:provenance")
['https://w3id.org/svckg/graph/provenance']
>>> check_update("INSERT DATA { GRAPH <urn:mine> { <urn:a> <urn:b> <urn:c> } }", [])
"""

from __future__ import annotations

from svckg.errors import Forbidden
from svckg.ingest.records import IMPORT_BASE
from svckg.sparql_lexer import INVALID, IRI, PNAME, VAR, QueryNames, Token, tokenize
from svckg.vocab import GRAPH, PROVENANCE_GRAPH, SYSTEM_GRAPH, VOCABULARY_GRAPHS

NAMESPACE = str(GRAPH)
WRITABLE = {str(GRAPH["default"])}
"""Graphs of the namespace that raw writes may touch (the Graph Store's default graph)."""
ANY_GRAPH = "*"
"""Stands for "every graph" (DROP ALL, a template writing GRAPH ?g)."""


def _kind(graph: str) -> str:
    if graph.startswith(IMPORT_BASE):
        return "an import's graph"
    if graph == str(PROVENANCE_GRAPH):
        return "the provenance graph (the import records)"
    if graph in VOCABULARY_GRAPHS or graph == str(SYSTEM_GRAPH):
        return "a vocabulary graph"
    return "a graph of svckg's reserved namespace"


def is_protected(graph: str) -> bool:
    """Whether raw writes must leave ``graph`` alone."""
    return graph == ANY_GRAPH or (graph.startswith(NAMESPACE) and graph not in WRITABLE)


def forbidden(graph: str, route: str) -> Forbidden:
    """The 403 for a raw write (by ``route``) touching a system graph."""
    if graph == ANY_GRAPH:
        return Forbidden(
            "the update may write every graph (DROP/CLEAR ALL or NAMED, or GRAPH ?variable in "
            "a template), system graphs included",
            where=route,
            hint="name the graphs you write; import data with POST /api/imports",
        )
    return Forbidden(
        f"<{graph}> is {_kind(graph)}: it changes only through the import pipeline",
        where=route,
        hint="import with POST /api/imports; remove an import with DELETE /api/imports/{id} "
        "(admin); write your own graphs outside " + NAMESPACE,
    )


def check_graph(graph: str, route: str) -> None:
    """Forbidden when a raw write by ``route`` would touch a system graph."""
    if is_protected(graph):
        raise forbidden(graph, route)


def check_update(update: str, existing: list[str], route: str = "/sparql") -> None:
    """Forbidden when the SPARQL update may write a system graph. "Every graph" (DROP ALL,
    GRAPH ?var) is refused when ``existing`` (the store's graphs, read under the write
    lock) holds a system graph, as every svckg store does once it holds its vocabulary."""
    for graph in update_targets(update):
        if graph == ANY_GRAPH and not any(is_protected(g) for g in existing):
            continue
        check_graph(graph, route)


def update_targets(update: str) -> list[str]:
    """The graphs ``update`` may write (:data:`ANY_GRAPH` for "every graph")."""
    tokens = list(tokenize(update))
    if any(t.kind == INVALID for t in tokens):
        return [ANY_GRAPH]  # the engine may read what the lexer cannot: refuse
    names = QueryNames()
    out: list[str] = []
    i = 0
    while i < len(tokens):
        word = tokens[i].keyword
        if word in ("BASE", "PREFIX") and i + 1 < len(tokens):
            i = names.declare(tokens, i)
            continue
        if word in ("INSERT", "DELETE"):
            i = _template(tokens, i + 1, names, out)
            continue
        if word in ("WITH", "DROP", "CLEAR", "CREATE", "ADD", "MOVE", "COPY", "INTO"):
            i = _operation(tokens, i, names, out)
            continue
        i += 1
    return out


def _template(tokens: list[Token], i: int, names: QueryNames, out: list[str]) -> int:
    """Collect the graphs of the template block starting at ``i`` (after INSERT/DELETE)."""
    if i < len(tokens) and tokens[i].keyword in ("DATA", "WHERE"):
        i += 1
    if i >= len(tokens) or not tokens[i].punct("{"):
        return i
    depth = 0
    while i < len(tokens):
        token = tokens[i]
        if token.punct("{"):
            depth += 1
        elif token.punct("}"):
            depth -= 1
            if depth == 0:
                return i + 1
        elif token.keyword == "GRAPH" and i + 1 < len(tokens):
            _target(tokens[i + 1], names, out)
        i += 1
    return i


def _operation(tokens: list[Token], i: int, names: QueryNames, out: list[str]) -> int:
    """Graph-management operations up to the next ``;``: every graph they name is written
    (MOVE empties its source too); ALL and NAMED mean every graph."""
    word = tokens[i].keyword
    i += 1
    if word in ("ADD", "COPY"):  # the source is only read: the graphs after TO are written
        while i < len(tokens) and tokens[i].keyword != "TO" and not tokens[i].punct(";"):
            i += 1
    while i < len(tokens) and not tokens[i].punct(";"):
        token = tokens[i]
        if token.keyword in ("ALL", "NAMED") and word in ("DROP", "CLEAR"):
            out.append(ANY_GRAPH)
        elif token.kind in (IRI, PNAME, VAR):
            _target(token, names, out)
        if word == "WITH" or token.punct("{") or token.keyword in ("INSERT", "DELETE"):
            return i + 1 if word == "WITH" else i
        i += 1
    return i


def _target(token: Token, names: QueryNames, out: list[str]) -> None:
    if token.kind == VAR:
        out.append(ANY_GRAPH)
        return
    iri = names.iri(token)
    out.append(iri if iri is not None else ANY_GRAPH)
