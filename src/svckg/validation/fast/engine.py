"""FastValidator: SHACL Core and SHACL-SPARQL evaluated as SPARQL queries on pyoxigraph.

One query per shape and constraint component over all focus nodes; nested shapes (sh:node,
sh:not, sh:and, sh:or, sh:xone, sh:qualifiedValueShape, sh:property) are evaluated in batch
over all value nodes, with the value nodes expressed as a sub-query, never one node at a time.
Scoped validation (``focus_nodes``) evaluates only the focus nodes a change can affect.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDFS, XSD
from rdflib.term import Node

from svckg.errors import ShapesError
from svckg.validation.fast.components import (
    CHECKS,
    ILL_TYPED_FUNCTION,
    Raw,
    Term,
    constraint_name,
    fill_message,
    ill_typed,
    sparql_term,
)
from svckg.validation.fast.paths import Path
from svckg.validation.fast.shapes import Shape, ShapesModel, parse_shapes
from svckg.validation.report import ValidationReport, ValidationResult, term_text

_CUSTOM_FUNCTIONS = {ox.NamedNode(ILL_TYPED_FUNCTION): ill_typed}


class TargetFocus:
    """The focus nodes of a shape's targets.

    ``classes`` is the closure of the target classes under ``rdfs:subClassOf`` in the data
    (an index lookup per class beats a property path per node). The pattern may bind a node
    more than once: every query using it is DISTINCT or aggregates with COUNT(DISTINCT)."""

    depth = 0
    whole = True

    def __init__(self, shape: Shape, classes: list[Term]):
        self.shape, self.classes = shape, classes

    def pattern(self, var: str) -> str:
        s = self.shape
        parts = []
        if self.classes:
            parts.append(f"{_values(var + '_c', self.classes)} ?{var} a ?{var}_c .")
        nodes = [sparql_term(n) for n in s.target_nodes if not isinstance(n, BNode)]
        if nodes:
            parts.append(f"VALUES ?{var} {{ {' '.join(nodes)} }}")
        parts += [f"?{var} {sparql_term(p)} ?{var}_o ." for p in s.target_subjects_of]
        parts += [f"?{var}_s {sparql_term(p)} ?{var} ." for p in s.target_objects_of]
        if not parts:
            return f"VALUES ?{var} {{ }}"
        if len(parts) == 1:
            return parts[0]
        union = " UNION ".join(f"{{ {p} }}" for p in parts)
        return f"{{ {union} }}"


class NodesFocus:
    """An explicit list of focus nodes (IRIs and literals)."""

    depth = 0
    whole = False

    def __init__(self, nodes: list[Term]):
        self.nodes = nodes

    def pattern(self, var: str) -> str:
        return _values(var, self.nodes)


class ValuesFocus:
    """The value nodes of a path over the focus nodes of ``parent``."""

    whole = False

    def __init__(self, parent, path: Path):
        self.parent, self.path = parent, path
        self.depth = parent.depth + 1

    def pattern(self, var: str) -> str:
        inner = f"f{self.depth}"
        values = self.path.pattern(self.parent.pattern(inner), f"?{inner}", f"?{var}")
        return f"{{ SELECT DISTINCT ?{var} WHERE {{ {values} }} }}"


def _values(var: str, nodes: Iterable[Term]) -> str:
    return f"VALUES ?{var} {{ {' '.join(str(n) for n in nodes)} }}"


class _Scope:
    """The affected nodes of a scoped validation, with what targets them: their types and the
    predicates they are subject or object of (three queries for all shapes)."""

    def __init__(self, run: _Run, nodes: list[Term]):
        self.run, self.nodes = run, nodes
        self.types: dict[Term, set[Term]] = {}
        self.subject_of: dict[Term, set[Term]] = {}
        self.object_of: dict[Term, set[Term]] = {}
        if not nodes:
            return
        values = _values("x", nodes)
        for target, pattern in (
            (self.types, "?x a ?p"),
            (self.subject_of, "?x ?p ?o"),
            (self.object_of, "?o ?p ?x"),
        ):
            for row in run.select(f"SELECT DISTINCT ?x ?p WHERE {{ {values} {pattern} }}"):
                target.setdefault(row[0], set()).add(row[1])

    def targets(self, shape: Shape) -> list[Term]:
        """The affected nodes that are focus nodes of ``shape``'s targets."""
        classes = set(self.run.subclasses(shape.target_classes))
        explicit = {_ox_term(n) for n in shape.target_nodes}
        subjects_of = {_ox_term(p) for p in shape.target_subjects_of}
        objects_of = {_ox_term(p) for p in shape.target_objects_of}
        return [
            n
            for n in self.nodes
            if n in explicit
            or self.types.get(n, set()) & classes
            or self.subject_of.get(n, set()) & subjects_of
            or self.object_of.get(n, set()) & objects_of
        ]


def _ox_term(node: Node) -> Term | None:
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        dt = node.datatype or XSD.string
        return ox.Literal(str(node), datatype=ox.NamedNode(str(dt)))
    return None


class _Run:
    """One validation run: the store, the default graph and the caches."""

    def __init__(self, model: ShapesModel, store: ox.Store, kwargs: dict):
        self.model, self.store, self.kwargs = model, store, kwargs
        self.cache: dict[tuple[Node, str], list[Raw]] = {}
        self.active: set[tuple[Node, str]] = set()
        self.closures: dict[tuple[str, ...], list[Term]] = {}

    def select(self, query: str, **kwargs) -> ox.QuerySolutions:
        return self.store.query(query, **self.kwargs, **kwargs, custom_functions=_CUSTOM_FUNCTIONS)

    def edges(self, predicates: list[str]) -> Iterable[tuple[str, str]]:
        """(subject, object) of every triple with one of the predicates whose object is not a
        literal, in the data, as the terms' ``value`` strings (IRIs always contain a colon,
        blank node identifiers never do, so the two cannot be confused)."""
        graphs = self.kwargs.get("default_graph") or [None]
        for predicate in predicates:
            for graph in graphs:
                for q in self.store.quads_for_pattern(None, ox.NamedNode(predicate), None, graph):
                    if not isinstance(q.object, ox.Literal):
                        yield q.subject.value, q.object.value

    def subclasses(self, classes: list[Node]) -> list[Term]:
        """The classes and all their subclasses in the data (rdfs:subClassOf*)."""
        named = tuple(sorted(sparql_term(c) for c in classes if isinstance(c, URIRef)))
        if not named:
            return []
        if named not in self.closures:
            query = (
                f"SELECT DISTINCT ?c WHERE {{ VALUES ?t {{ {' '.join(named)} }} "
                f"?c <{RDFS.subClassOf}>* ?t }}"
            )
            self.closures[named] = [row[0] for row in self.select(query)]
        return self.closures[named]

    def values_of(self, shape: Shape, focus):
        return ValuesFocus(focus, shape.path) if shape.path is not None else focus

    def failing(self, shape: Node, focus) -> set[Term]:
        return {r.anchor for r in self.evaluate(shape, focus)}

    def evaluate(self, node: Node, focus) -> list[Raw]:
        shape = self.model.shapes.get(node)
        if shape is None:
            if isinstance(node, Literal):
                raise ShapesError(
                    f"{term_text(node)} is used as a shape",
                    where="shapes graph",
                    hint="sh:node, sh:property, sh:not... take shape nodes",
                )
            return []  # a shape with no constraints at all: everything conforms
        if shape.deactivated:
            return []
        key = (node, focus.pattern("x"))
        if key in self.cache:
            return self.cache[key]
        if key in self.active:
            return []  # recursive shape: treated as conforming
        self.active.add(key)
        try:
            results = [r for c in shape.constraints for r in self._check(shape, c, focus)]
        finally:
            self.active.discard(key)
        self.cache[key] = results
        return results

    def _check(self, shape: Shape, c, focus) -> list[Raw]:
        try:
            if c.component == "QualifiedValueShape":
                from svckg.validation.fast.components import check_qualified

                siblings = self.model.siblings.get(shape.node, [])
                siblings = [s for s in siblings if s != c.value]
                return list(check_qualified(self, shape, c, focus, siblings))
            return list(CHECKS[c.component](self, shape, c, focus))
        except (SyntaxError, RuntimeError, ValueError) as exc:
            raise ShapesError(
                f"the engine cannot evaluate this constraint: {exc}",
                where=f"shape {shape.name}, {constraint_name(c)}",
                hint="check the constraint's value (functions a query calls must be SPARQL "
                "built-ins)",
            ) from exc


class FastValidator:
    """Validate pyoxigraph data against a SHACL shapes graph with SPARQL queries.

    >>> from rdflib import Graph
    >>> shapes = Graph().parse(data='''@prefix sh: <http://www.w3.org/ns/shacl#> .
    ... <urn:S> sh:targetClass <urn:C> ; sh:property [ sh:path <urn:p> ; sh:minCount 1 ] .''',
    ...     format="turtle")
    >>> store = ox.Store()
    >>> store.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode(
    ...     "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode("urn:C"),
    ...     ox.NamedNode("urn:g")))
    >>> [r.focus_node for r in FastValidator(shapes).validate(store).results]
    ['urn:a']
    """

    def __init__(self, shapes: Graph):
        self.model = parse_shapes(shapes)

    def validate(
        self,
        store: ox.Store,
        *,
        default_graph: list[ox.NamedNode] | None = None,
        focus_nodes: Collection[str] | None = None,
    ) -> ValidationReport:
        """Validate the union of all graphs (or of ``default_graph``).

        With ``focus_nodes`` (scoped validation) only the focus nodes a change can affect are
        evaluated: pass the subjects of the added triples and the subjects and objects of
        the removed ones (IRIs, or ``_:id``); the validator adds every node reaching them
        along the shapes' path steps, as many steps as the shapes look (:func:`scope_steps`).
        SHACL-SPARQL constraints are evaluated on those nodes too, but what their queries
        reach beyond the shapes' paths is not tracked."""
        run = _Run(self.model, store, _graph_kwargs(default_graph))
        raws: list[Raw] = []
        if focus_nodes is None:
            for shape in self.model.top:
                focus = TargetFocus(shape, run.subclasses(shape.target_classes))
                raws.extend(run.evaluate(shape.node, focus))
            return ValidationReport(results=_convert(raws))
        scope = _Scope(run, self._affected(run, focus_nodes))
        for shape in self.model.top:
            nodes = scope.targets(shape)
            if nodes:
                raws.extend(run.evaluate(shape.node, NodesFocus(nodes)))
        return ValidationReport(results=_convert(raws))

    def affected(
        self,
        store: ox.Store,
        touched: Collection[str],
        *,
        default_graph: list[ox.NamedNode] | None = None,
    ) -> list[str]:
        """The nodes a scoped validation of ``touched`` evaluates (see :meth:`validate`)."""
        run = _Run(self.model, store, _graph_kwargs(default_graph))
        return [ox_text(t) for t in self._affected(run, touched)]

    def _affected(self, run: _Run, touched: Collection[str]) -> list[Term]:
        """The touched nodes and every node reaching them, within :func:`scope_steps` steps,
        along the single steps of the shapes' paths. Blank nodes are replaced by the IRIs
        that lead to them."""
        nodes: set[Term] = {_parse_node(t) for t in touched}
        steps = set().union(*(p.steps() for p in self.model.paths()))
        frontier = nodes
        for _ in range(scope_steps(self.model) if steps else 0):
            named = _named(run, frontier)
            if not named:
                break
            query = (
                f"SELECT DISTINCT ?x WHERE {{ {_values('t', named)} "
                f"?x {'|'.join(sorted(steps))} ?t }}"
            )
            found = {r[0] for r in run.select(query)} - nodes
            nodes |= found
            frontier = found
        return sorted(_named(run, nodes), key=str)


MAX_SCOPE_STEPS = 8
"""Scoped validation walks back at most this many steps (for unbounded paths)."""
_SHAPE_REFS = {"Node", "Property", "Not", "QualifiedValueShape", "And", "Or", "Xone"}


def _children(shape: Shape) -> list[Node]:
    out: list[Node] = []
    for c in shape.constraints:
        if c.component in _SHAPE_REFS:
            out.extend(c.value if isinstance(c.value, tuple) else [c.value])
    return out


def scope_steps(model: ShapesModel) -> int:
    """How many path steps away from a focus node its validation can look: the longest
    chain of paths through nested shapes (unbounded paths count as MAX_SCOPE_STEPS)."""
    memo: dict[Node, int] = {}

    def depth(node: Node, stack: frozenset) -> int:
        shape = model.shapes.get(node)
        if shape is None or node in stack:
            return 0
        if node not in memo:
            own = shape.path.max_length() if shape.path is not None else 0
            own = MAX_SCOPE_STEPS if own is None else own
            below = [depth(ch, stack | {node}) for ch in _children(shape)]
            memo[node] = min(MAX_SCOPE_STEPS, own + max(below, default=0))
        return memo[node]

    return max((depth(s.node, frozenset()) for s in model.top), default=0)


def _graph_kwargs(default_graph: list[ox.NamedNode] | None) -> dict:
    if default_graph is not None:
        return {"default_graph": default_graph}
    return {"use_default_graph_as_union": True}


def _parse_node(text: str) -> Term:
    return ox.BlankNode(text[2:]) if text.startswith("_:") else ox.NamedNode(text)


def _named(run: _Run, nodes: Iterable[Term]) -> list[Term]:
    """IRIs among ``nodes``; each blank node is replaced by the IRIs that reach it."""
    out: set[Term] = set()
    for node in nodes:
        if not isinstance(node, ox.BlankNode):
            out.add(node)
            continue
        todo, seen = [node], {node}
        while todo:
            current = todo.pop()
            for quad in run.store.quads_for_pattern(None, None, current, None):
                subject = quad.subject
                if isinstance(subject, ox.NamedNode):
                    out.add(subject)
                elif subject not in seen and len(seen) < 1000:
                    seen.add(subject)
                    todo.append(subject)
    return list(out)


_XSD_STRING = str(XSD.string)


def ox_text(term: Term) -> str:
    """:func:`term_text` of a pyoxigraph term, written as rdflib writes the same term.

    >>> ox_text(ox.Literal("3", datatype=ox.NamedNode(str(XSD.integer))))
    '"3"^^<http://www.w3.org/2001/XMLSchema#integer>'
    """
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if term.language:
        return Literal(term.value, lang=term.language).n3()
    dt = term.datatype.value
    return Literal(term.value, datatype=None if dt == _XSD_STRING else URIRef(dt)).n3()


def _convert(raws: list[Raw]) -> list[ValidationResult]:
    """Raw results as report results, one for one: a result is never merged with another
    that reads the same (SHACL's report is a multiset)."""
    texts: dict[Term, str] = {}

    def text(term: Term) -> str:
        if term not in texts:
            texts[term] = ox_text(term)
        return texts[term]

    out: list[ValidationResult] = []
    for r in raws:
        focus, value = text(r.focus), (text(r.value) if r.value is not None else None)
        message = r.message
        if r.shape.messages and not r.component.endswith("#SPARQLConstraintComponent"):
            message = fill_message(
                r.shape.messages[0], {"this": focus, "value": value or "", "PATH": r.path or ""}
            )
        out.append(
            ValidationResult(
                focus_node=focus,
                severity=r.shape.severity,
                message=message,
                source_shape=term_text(r.shape.node),
                constraint_component=r.component,
                path=r.path,
                value=value,
                source_constraint=term_text(r.source) if r.source is not None else None,
            )
        )
    return out
