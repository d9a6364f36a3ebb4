"""What a SHACL-SPARQL query reads around its focus node, for scoped validation.

A scoped run validates only the focus nodes a change can affect: the touched nodes and every
node that reaches them along the steps the shapes read. A SHACL-SPARQL query reads along its
own triple patterns, which the shapes' paths do not declare. :func:`query_reach` reads the
patterns with the one SPARQL lexer (:mod:`svckg.sparql_lexer`) and answers with the single
steps to walk back from a touched node to the focus nodes that can see it, and how many
(``depth``); steps of ``+`` / ``*`` paths are walked to a fixpoint (``closure``). When the
patterns cannot be read that way (a variable predicate, a negated property set, a pattern
not connected to ``$this``, a collection), it answers None: the caller re-runs that
constraint on all its focus nodes.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from svckg.sparql_lexer import BNODE, IRI, NUMBER, PNAME, STRING, VAR, Token, tokenize

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_SKIP_TO_GROUP_END = {"GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET"}
_RESET = {"OPTIONAL", "UNION", "MINUS", "WHERE", "EXISTS", "NOT", "LATERAL"}
_UNREADABLE = {"VALUES", "SERVICE"}


@dataclass(frozen=True)
class Reach:
    """``steps``: SPARQL single steps (``<p>``: the focus side is the subject, ``^<p>``: the
    object) walked ``depth`` times back from touched nodes; ``closure``: steps walked to a
    fixpoint."""

    steps: frozenset[str]
    depth: int
    closure: frozenset[str]


class _Unreadable(Exception):
    """The query's patterns cannot be read into a reach."""


@dataclass(frozen=True)
class _Path:
    """A predicate or property path: its IRIs with their direction, its length."""

    iris: tuple[tuple[str, bool], ...]  # (iri, inverted)
    length: int
    unbounded: bool


def query_reach(
    text: str, prefixes: dict[str, str], roots: Sequence[str] = ("this",)
) -> Reach | None:
    """The reach of the query's triple patterns from the variables ``roots``, or None.

    >>> r = query_reach("SELECT $this WHERE { $this <urn:dep> ?d . ?d <urn:st> <urn:x> }", {})
    >>> sorted(r.steps), r.depth
    (['<urn:dep>', '<urn:st>'], 2)
    >>> query_reach("SELECT $this WHERE { $this ?p ?o }", {}) is None
    True
    """
    try:
        edges = _Reader(list(tokenize(text)), prefixes).edges()
    except _Unreadable:
        return None
    return _reach(edges, roots)


def _reach(edges: list[tuple[tuple, _Path, tuple]], roots: Sequence[str]) -> Reach | None:
    dist = _distances(edges, [("v", r) for r in roots])
    if any(n[0] == "v" and n not in dist for s, _p, o in edges for n in (s, o)):
        return None  # a pattern not connected to the focus node: reads the whole data
    steps: set[str] = set()
    closure: set[str] = set()
    for s, path, o in edges:
        if s not in dist or o not in dist:
            continue  # two constants: nothing to walk
        forward = dist[s] <= dist[o]  # the focus side is the subject side
        backward = dist[o] <= dist[s]
        target = closure if path.unbounded else steps
        for iri, inverted in path.iris:
            if forward:
                target.add(f"^<{iri}>" if inverted else f"<{iri}>")
            if backward:
                target.add(f"<{iri}>" if inverted else f"^<{iri}>")
    depth = max(dist.values(), default=0)
    return Reach(frozenset(steps), depth, frozenset(closure))


def _distances(edges: list[tuple[tuple, _Path, tuple]], roots: list[tuple]) -> dict:
    """Path-length distances from the roots over variables (constants end a walk)."""
    near: dict[tuple, list[tuple[tuple, int]]] = {}
    for s, path, o in edges:
        weight = 1 if path.unbounded else max(path.length, 1)
        near.setdefault(s, []).append((o, weight))
        near.setdefault(o, []).append((s, weight))
    dist: dict[tuple, int] = {}
    heap = [(0, r) for r in roots]
    while heap:
        d, node = heapq.heappop(heap)
        if node in dist:
            continue
        dist[node] = d
        if node[0] != "v":
            continue  # a constant is reached, never walked through
        for other, weight in near.get(node, ()):
            if other not in dist:
                heapq.heappush(heap, (d + weight, other))
    return dist


class _Reader:
    """Reads the triple patterns of a query's groups (heads, modifiers and expressions are
    skipped, except the groups of EXISTS inside expressions)."""

    def __init__(self, tokens: list[Token], prefixes: dict[str, str]):
        self.tokens, self.prefixes = tokens, prefixes
        self.i = 0
        self.found: list[tuple[tuple, _Path, tuple]] = []
        self.fresh = 0

    def edges(self) -> list[tuple[tuple, _Path, tuple]]:
        while self.i < len(self.tokens):
            token = self.tokens[self.i]
            self.i += 1
            if token.punct("{"):
                self._group()
        return self.found

    def _group(self) -> None:
        """Triples up to the ``}`` closing the group just opened."""
        subject: tuple | None = None
        state = 0  # 0 subject, 1 predicate, 2 object, 3 after object
        while self.i < len(self.tokens):
            token = self.tokens[self.i]
            self.i += 1
            word = token.keyword
            if token.punct("}"):
                return
            if token.punct("{"):
                self._group()
                state = 0
            elif word in _UNREADABLE:
                raise _Unreadable(word)
            elif word in ("FILTER", "BIND"):
                self._expression()
                state = 0
            elif word == "SELECT":
                self._skip_head()
            elif word in _SKIP_TO_GROUP_END:
                self._skip_modifiers()
            elif word == "GRAPH":
                self.i += 1
                state = 0
            elif word in _RESET or token.punct("."):
                state = 0
            elif token.punct(";"):
                state = 1
            elif token.punct(","):
                state = 2
            elif state == 0:
                subject, state = self._node(token), 1
            elif state == 1:
                self.i -= 1
                predicate, state = self._path(), 2
            elif state == 2:
                self.found.append((subject, predicate, self._node(token)))
                state = 3
            else:
                raise _Unreadable(token.text)

    def _node(self, token: Token) -> tuple:
        """A subject or object: a variable, a constant, or a blank node property list."""
        if token.kind == VAR:
            return ("v", token.variable)
        if token.kind == BNODE:
            return ("v", token.text)
        if token.punct("["):
            return self._blank()
        if token.kind in (IRI, PNAME, NUMBER) or token.keyword in ("TRUE", "FALSE"):
            return ("c", token.text)
        if token.kind == STRING:
            following = self.tokens[self.i] if self.i < len(self.tokens) else None
            if following is not None and following.kind == "lang":
                self.i += 1
            elif following is not None and following.punct("^^"):
                self.i += 2
            return ("c", token.text)
        raise _Unreadable(token.text)

    def _blank(self) -> tuple:
        """``[ p o ; ... ]``: a fresh variable with its own triples."""
        self.fresh += 1
        node = ("v", f"[]{self.fresh}")
        while not self.tokens[self.i].punct("]"):
            predicate = self._path()
            self.found.append((node, predicate, self._node(self._next())))
            while self.tokens[self.i].punct(","):
                self.i += 1
                self.found.append((node, predicate, self._node(self._next())))
            if self.tokens[self.i].punct(";"):
                self.i += 1
        self.i += 1
        return node

    def _next(self) -> Token:
        if self.i >= len(self.tokens):
            raise _Unreadable("end of query")
        token = self.tokens[self.i]
        self.i += 1
        return token

    def _path(self) -> _Path:
        """path := sequence ('|' sequence)*: as long as its longest alternative."""
        return self._joined("|", self._sequence, max)

    def _sequence(self) -> _Path:
        """sequence := element ('/' element)*: as long as its steps together."""
        return self._joined("/", self._element, sum)

    def _joined(
        self, separator: str, part: Callable[[], _Path], length: Callable[[Iterable[int]], int]
    ) -> _Path:
        """Parts read by ``part`` between ``separator`` tokens, as one path of ``length``."""
        parts = [part()]
        while self.i < len(self.tokens) and self.tokens[self.i].punct(separator):
            self.i += 1
            parts.append(part())
        return _Path(
            tuple(x for p in parts for x in p.iris),
            length(p.length for p in parts),
            any(p.unbounded for p in parts),
        )

    def _element(self) -> _Path:
        token = self._next()
        inverted = token.punct("^")
        if inverted:
            token = self._next()
        if token.punct("("):
            inner = self._path()
            if not self._next().punct(")"):
                raise _Unreadable("path group")
        else:
            inner = _Path(((self._iri(token), False),), 1, False)
        if inverted:
            inner = _Path(
                tuple((i, not inv) for i, inv in inner.iris), inner.length, inner.unbounded
            )
        following = self.tokens[self.i] if self.i < len(self.tokens) else None
        if following is not None and following.punct("*", "+", "?"):
            self.i += 1
            unbounded = following.text != "?"
            return _Path(inner.iris, inner.length, inner.unbounded or unbounded)
        return inner

    def _iri(self, token: Token) -> str:
        """A predicate IRI (a variable or a negated set cannot be followed: unreadable)."""
        if token.kind == IRI:
            return token.text[1:-1]
        if token.keyword == "A":
            return RDF_TYPE
        if token.kind == PNAME:
            prefix, local = token.text.split(":", 1)
            if prefix in self.prefixes:
                return self.prefixes[prefix] + local
        raise _Unreadable(token.text)

    def _expression(self) -> None:
        """Skip a FILTER / BIND expression, reading the groups of EXISTS inside it."""
        depth = 0
        while self.i < len(self.tokens):
            token = self._next()
            if token.punct("{"):
                self._group()
                if depth == 0:
                    return
            elif token.punct("("):
                depth += 1
            elif token.punct(")"):
                depth -= 1
                if depth == 0:
                    return

    def _skip_head(self) -> None:
        """Skip a SELECT clause up to its WHERE group (which the caller then reads)."""
        while self.i < len(self.tokens) and not self.tokens[self.i].punct("{"):
            self.i += 1

    def _skip_modifiers(self) -> None:
        """Skip GROUP BY / HAVING / ORDER BY / LIMIT / OFFSET up to the enclosing ``}``."""
        while self.i < len(self.tokens) and not self.tokens[self.i].punct("}"):
            if self.tokens[self.i].punct("{"):
                raise _Unreadable("group in a solution modifier")
            self.i += 1
