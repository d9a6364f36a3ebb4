"""SHACL property paths: read from a shapes graph into a small model, written as SPARQL text."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from svckg.errors import ShapesError


@dataclass(frozen=True)
class Path:
    """A SHACL path: ``kind`` is ``predicate``, ``inverse``, ``sequence``, ``alternative``,
    ``zeroOrMore``, ``oneOrMore`` or ``zeroOrOne``; ``iri`` for predicates, ``parts`` else."""

    kind: str
    iri: str | None = None
    parts: tuple[Path, ...] = ()

    @property
    def is_predicate(self) -> bool:
        return self.kind == "predicate"

    def sparql(self) -> str:
        """The SPARQL 1.1 property path text.

        >>> Path("inverse", parts=(Path("predicate", "http://ex/p"),)).sparql()
        '^<http://ex/p>'
        """
        if self.kind == "predicate":
            return f"<{self.iri}>"
        if self.kind == "inverse":
            return f"^{self.parts[0].primary()}"
        if self.kind == "sequence":
            return "/".join(p.atom() for p in self.parts)
        if self.kind == "alternative":
            return "|".join(p.atom() for p in self.parts)
        suffix = {"zeroOrMore": "*", "oneOrMore": "+", "zeroOrOne": "?"}[self.kind]
        return f"{self.parts[0].atom()}{suffix}"  # ^<p>* = (^<p>)*: same pairs

    def atom(self) -> str:
        """The path as a member of a sequence or alternative, or the operand of ``*``, ``+``
        or ``?``: in parentheses unless it is one step (a predicate or ``^`` of a predicate).

        >>> Path("zeroOrOne", parts=(Path("predicate", "urn:p"),)).atom()
        '(<urn:p>?)'
        """
        text = self.sparql()
        one_step = self.kind == "predicate" or (
            self.kind == "inverse" and self.parts[0].kind == "predicate"
        )
        return text if one_step else f"({text})"

    def primary(self) -> str:
        """The path as the operand of ``^`` (the grammar's PathPrimary): in parentheses
        unless it is a predicate, so ``^(^<p>)``, never ``^^<p>``.

        >>> Path("inverse", parts=(Path("inverse", parts=(Path("predicate", "urn:p"),)),)).sparql()
        '^(^<urn:p>)'
        """
        return self.sparql() if self.kind == "predicate" else f"({self.sparql()})"

    def nullable(self) -> bool:
        """Can the path have length zero (so every focus node is its own value node)?

        >>> Path("zeroOrMore", parts=(Path("predicate", "urn:p"),)).nullable()
        True
        """
        if self.kind == "predicate":
            return False
        if self.kind in ("zeroOrMore", "zeroOrOne"):
            return True
        nulls = [p.nullable() for p in self.parts]
        return any(nulls) if self.kind == "alternative" else all(nulls)

    def pattern(self, focus: str, subject: str, value: str) -> str:
        """``focus`` (a group pattern binding ``subject``) joined with the path from
        ``subject`` to ``value``. A zero-length path in SPARQL matches only terms of the
        graph (bottom-up evaluation: ``VALUES ?s { :x } ?s :p* ?o`` gives nothing when :x is
        in no triple), but in SHACL a focus node is always its own value node along a
        nullable path, so that case is written out.

        >>> Path("zeroOrOne", parts=(Path("predicate", "urn:p"),)).pattern("F", "?s", "?o")
        '{ F ?s <urn:p>? ?o . } UNION { F BIND(?s AS ?o) }'
        """
        step = f"{focus} {subject} {self.sparql()} {value} ."
        if not self.nullable():
            return step
        return f"{{ {step} }} UNION {{ {focus} BIND({subject} AS {value}) }}"

    def text(self) -> str:
        """The result-path form used in reports: the IRI for a predicate, SPARQL otherwise.

        >>> Path("predicate", "http://ex/p").text()
        'http://ex/p'
        """
        return self.iri if self.kind == "predicate" and self.iri else self.sparql()

    def max_length(self) -> int | None:
        """The most steps the path can take (None: unbounded).

        >>> p, q = Path("predicate", "urn:p"), Path("predicate", "urn:q")
        >>> Path("sequence", parts=(p, q)).max_length()
        2
        """
        if self.kind == "predicate":
            return 1
        lengths = [p.max_length() for p in self.parts]
        if self.kind in ("zeroOrMore", "oneOrMore") or None in lengths:
            return None
        return sum(lengths) if self.kind == "sequence" else max(lengths)

    def steps(self, inverse: bool = False) -> set[str]:
        """Single-step SPARQL paths (``<p>`` or ``^<p>``) the path is made of.

        >>> sorted(Path("inverse", parts=(Path("predicate", "urn:p"),)).steps())
        ['^<urn:p>']
        """
        if self.kind == "predicate":
            return {f"^<{self.iri}>" if inverse else f"<{self.iri}>"}
        flip = not inverse if self.kind == "inverse" else inverse
        return set().union(*(p.steps(flip) for p in self.parts))

    def predicates(self) -> set[str]:
        """Every predicate IRI the path walks."""
        if self.kind == "predicate":
            return {self.iri} if self.iri else set()
        return set().union(*(p.predicates() for p in self.parts))


_UNARY = {
    SH.inversePath: "inverse",
    SH.zeroOrMorePath: "zeroOrMore",
    SH.oneOrMorePath: "oneOrMore",
    SH.zeroOrOnePath: "zeroOrOne",
}


def parse_path(graph: Graph, node: Node, *, shape: str, _depth: int = 0) -> Path:
    """Read the SHACL path at ``node``; raise ShapesError naming ``shape`` if malformed."""
    if _depth > 50:
        raise ShapesError(
            "path nests too deeply (a cycle?)", where=shape, hint="fix the sh:path of this shape"
        )
    if isinstance(node, URIRef):
        return Path("predicate", str(node))
    if not isinstance(node, BNode):
        raise ShapesError(
            f"sh:path is the literal {node.n3()}, not an IRI or a path node",
            where=shape,
            hint="give sh:path a property IRI or a SHACL path",
        )
    if (node, RDF.first, None) in graph:
        return _list_path(graph, node, "sequence", shape, _depth)
    alt = graph.value(node, SH.alternativePath)
    if alt is not None:
        if (alt, RDF.first, None) not in graph:
            raise ShapesError(
                "sh:alternativePath must be an RDF list",
                where=shape,
                hint="write sh:alternativePath ( ex:p ex:q )",
            )
        return _list_path(graph, alt, "alternative", shape, _depth)
    for pred, kind in _UNARY.items():
        inner = graph.value(node, pred)
        if inner is not None:
            return Path(kind, parts=(parse_path(graph, inner, shape=shape, _depth=_depth + 1),))
    raise ShapesError(
        "sh:path is a blank node that is no SHACL path",
        where=shape,
        hint="use an RDF list (sequence) or sh:inversePath, sh:alternativePath, "
        "sh:zeroOrMorePath, sh:oneOrMorePath, sh:zeroOrOnePath",
    )


_TOO_SHORT = {
    "sequence": (
        "a sequence path needs at least two members",
        "use the property IRI itself for a one-step path",
    ),
    "alternative": (
        "an alternative path needs at least two members",
        "list two or more paths in sh:alternativePath",
    ),
}


def _list_path(graph: Graph, items: Node, kind: str, shape: str, depth: int) -> Path:
    """A sequence or alternative path over the RDF list at ``items`` (two members or more)."""
    members = list(Collection(graph, items))
    if len(members) < 2:
        message, hint = _TOO_SHORT[kind]
        raise ShapesError(message, where=shape, hint=hint)
    return Path(
        kind, parts=tuple(parse_path(graph, m, shape=shape, _depth=depth + 1) for m in members)
    )


def path_from_report(graph: Graph, node: Node) -> str:
    """The report form (:meth:`Path.text`) of a result path stored in a results graph."""
    return parse_path(graph, node, shape="validation report").text()
