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
from svckg.validation.fast.cycles import cycle_predicates
from svckg.validation.fast.paths import Path
from svckg.validation.fast.reach import query_reach
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
            results = [r for c in shape.constraints for r in self.check(shape, c, focus)]
        finally:
            self.active.discard(key)
        self.cache[key] = results
        return results

    def check(self, shape: Shape, c, focus) -> list[Raw]:
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
        self.reach = SparqlReach(self.model)

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
        along the steps the shapes read (their paths, and the triple patterns of their
        SHACL-SPARQL queries, :class:`SparqlReach`), as many steps as they look
        (:func:`scope_steps`). A SHACL-SPARQL constraint whose reach cannot be read from its
        query is evaluated on all its focus nodes."""
        run = _Run(self.model, store, _graph_kwargs(default_graph))
        raws: list[Raw] = []
        if focus_nodes is None:
            for shape in self.model.top:
                raws.extend(run.evaluate(shape.node, self._targets(run, shape)))
            return ValidationReport(results=_convert(raws))
        scope = _Scope(run, self._affected(run, focus_nodes))
        for shape in self.model.top:
            raws.extend(self._scoped(run, scope, shape))
        return ValidationReport(results=_convert(raws))

    def _targets(self, run: _Run, shape: Shape) -> TargetFocus:
        return TargetFocus(shape, run.subclasses(shape.target_classes))

    def _scoped(self, run: _Run, scope: _Scope, shape: Shape) -> list[Raw]:
        """A top shape in a scoped run: its affected targets, and all its targets for the
        constraints whose reach is unknown (the whole shape when one is nested)."""
        if shape.node in self.reach.rerun_shapes:
            return run.evaluate(shape.node, self._targets(run, shape))
        rerun = [c for c in shape.constraints if id(c) in self.reach.rerun_constraints]
        out = [r for c in rerun for r in run.check(shape, c, self._targets(run, shape))]
        nodes = scope.targets(shape)
        if not nodes:
            return out
        if not rerun:
            return out + run.evaluate(shape.node, NodesFocus(nodes))
        focus = NodesFocus(nodes)
        rest = [c for c in shape.constraints if id(c) not in self.reach.rerun_constraints]
        return out + [r for c in rest for r in run.check(shape, c, focus)]

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
        along the single steps of the shapes' paths and SHACL-SPARQL patterns; then along
        the steps of unbounded SPARQL paths to a fixpoint, and the bounded steps again from
        what that found; and the nodes on a cycle through a touched node, for the cycle
        idiom. Blank nodes are replaced by the IRIs that lead to them."""
        nodes: set[Term] = {_parse_node(t) for t in touched}
        steps = set().union(*(p.steps() for p in self.model.paths())) | self.reach.steps
        depth = scope_steps(self.model, self.reach.depth) if steps else 0
        found = _walk(run, nodes, set(nodes), steps, depth)
        if self.reach.closure:
            closed = _closure(run, found, self.reach.closure)
            found = _walk(run, closed, closed - found, steps, depth)
        for predicates in self.reach.cycles:
            found |= _on_cycles(run, nodes, predicates)
        return sorted(_named(run, found), key=str)


def _walk(run: _Run, nodes: set[Term], frontier: set[Term], steps: set[str], depth: int) -> set:
    """``nodes`` and every node reaching ``frontier`` within ``depth`` of the ``steps``."""
    nodes = set(nodes)
    for _ in range(depth):
        named = _named(run, frontier)
        if not named:
            break
        query = (
            f"SELECT DISTINCT ?x WHERE {{ {_values('t', named)} ?x {'|'.join(sorted(steps))} ?t }}"
        )
        frontier = {r[0] for r in run.select(query)} - nodes
        nodes |= frontier
    return nodes


def _closure(run: _Run, nodes: set[Term], steps: frozenset[str]) -> set[Term]:
    """``nodes`` and every node reaching them along one or more of the ``steps``."""
    named = _named(run, nodes)
    if not named:
        return set(nodes)
    query = (
        f"SELECT DISTINCT ?x WHERE {{ {_values('t', named)} ?x ({'|'.join(sorted(steps))})+ ?t }}"
    )
    return set(nodes) | {r[0] for r in run.select(query)}


def _on_cycles(run: _Run, touched: set[Term], predicates: tuple[str, ...]) -> set[Term]:
    """The nodes on a cycle of ``predicates`` through a touched node: reachable from one
    (forward closure) and reaching one within that set (walked back in Python)."""
    named = _named(run, touched)
    if not named:
        return set()
    step = "|".join(f"<{p}>" for p in predicates)
    forward = {
        r[0]
        for r in run.select(f"SELECT DISTINCT ?x WHERE {{ {_values('t', named)} ?t ({step})+ ?x }}")
    }
    on_cycle: set[Term] = set()
    todo = [t for t in named if t in forward]
    while todo:
        node = todo.pop()
        if node in on_cycle:
            continue
        on_cycle.add(node)
        for p in predicates:
            for quad in run.store.quads_for_pattern(None, ox.NamedNode(p), node, None):
                if quad.subject in forward and quad.subject not in on_cycle:
                    todo.append(quad.subject)
    return on_cycle


class SparqlReach:
    """What the SHACL-SPARQL constraints of a shapes model read, for scoped validation
    (:mod:`reach`): bounded steps and the depth per shape, closure steps, the predicate
    sets of cycle-idiom constraints, and the constraints (by ``id``) or top shapes to
    re-run on all focus nodes because their reach cannot be read."""

    def __init__(self, model: ShapesModel):
        self.steps: set[str] = set()
        self.closure: set[str] = set()
        self.cycles: set[tuple[str, ...]] = set()
        self.depth: dict[Node, int] = {}
        self.rerun_constraints: set[int] = set()
        unknown: set[Node] = set()
        for shape in model.shapes.values():
            for c in shape.constraints:
                if not self._read(shape, c):
                    self.rerun_constraints.add(id(c))
                    unknown.add(shape.node)
        self.rerun_shapes = {
            s.node for s in model.top if (_subtree(model, s.node) - {s.node}) & unknown
        }

    def _read(self, shape: Shape, c) -> bool:
        """Record the reach of ``c`` (a no-op for core components); False if unknown."""
        if c.component == "SPARQL" and not c.value.deactivated:
            query, prefixes, roots = c.value.select, c.value.prefixes, ("this",)
        elif c.component == "Custom":
            validator = c.value.for_shape(shape.path is not None)
            query, prefixes = validator.query, validator.prefixes
            if shape.path is not None:
                query = query.replace("$PATH", shape.path.sparql())
            roots = ("this", "value")
        else:
            return True
        cycle = cycle_predicates(query, prefixes)
        if cycle is not None:
            self.cycles.add(tuple(cycle))
            return True
        reach = query_reach(query, prefixes, roots)
        if reach is None:
            return False
        self.steps |= reach.steps
        self.closure |= reach.closure
        self.depth[shape.node] = max(self.depth.get(shape.node, 0), reach.depth)
        return True


def _subtree(model: ShapesModel, node: Node) -> set[Node]:
    """``node`` and every shape nested under it."""
    seen, todo = set(), [node]
    while todo:
        current = todo.pop()
        if current in seen or current not in model.shapes:
            continue
        seen.add(current)
        todo.extend(_children(model.shapes[current]))
    return seen


MAX_SCOPE_STEPS = 8
"""Scoped validation walks back at most this many steps (for unbounded paths)."""
_SHAPE_REFS = {"Node", "Property", "Not", "QualifiedValueShape", "And", "Or", "Xone"}


def _children(shape: Shape) -> list[Node]:
    out: list[Node] = []
    for c in shape.constraints:
        if c.component in _SHAPE_REFS:
            out.extend(c.value if isinstance(c.value, tuple) else [c.value])
    return out


def scope_steps(model: ShapesModel, sparql: dict[Node, int] | None = None) -> int:
    """How many path steps away from a focus node its validation can look: the longest
    chain of paths through nested shapes and SHACL-SPARQL patterns (``sparql``: the depth
    of each shape's queries; unbounded paths count as MAX_SCOPE_STEPS)."""
    memo: dict[Node, int] = {}
    sparql = sparql or {}

    def depth(node: Node, stack: frozenset) -> int:
        shape = model.shapes.get(node)
        if shape is None or node in stack:
            return 0
        if node not in memo:
            own = shape.path.max_length() if shape.path is not None else 0
            own = MAX_SCOPE_STEPS if own is None else own
            below = [depth(ch, stack | {node}) for ch in _children(shape)]
            below.append(sparql.get(node, 0))
            memo[node] = min(MAX_SCOPE_STEPS, own + max(below))
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
