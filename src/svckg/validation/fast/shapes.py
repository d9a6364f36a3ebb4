"""Read a SHACL shapes graph (rdflib) into a typed model; malformed shapes raise ShapesError.

Every constraint parameter in the ``sh:`` namespace must be one this validator knows: an
unknown one (a typo such as ``sh:minCout``) is an error naming the shape, never a silent pass.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

from svckg.errors import ShapesError
from svckg.validation.fast.paths import Path, parse_path
from svckg.validation.fast.sparql import check_query, group_this, prefixes_of
from svckg.validation.report import term_text

SHAPE_REFERENCES = (SH.node, SH.property, SH["not"], SH.qualifiedValueShape)
LIST_REFERENCES = (SH["and"], SH["or"], SH.xone)

# sh: predicates allowed on a shape that are not constraint parameters of their own.
NON_CONSTRAINT = {
    SH.select,
    SH.ask,
    SH.parameter,
    SH.labelTemplate,
    SH.validator,
    SH.nodeValidator,
    SH.propertyValidator,
    SH.optional,
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.severity,
    SH.message,
    SH.deactivated,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.defaultValue,
    SH.path,
    SH.flags,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
    SH.qualifiedValueShapesDisjoint,
    SH.ignoredProperties,
    SH.declare,
    SH.prefixes,
    SH.rule,
    SH.shapesGraph,
    SH.entailment,
    SH.suggestedShapesGraph,
}
# Constraint parameters: each maps to its constraint component's local name.
PARAMETERS = {
    SH["class"]: "Class",
    SH.datatype: "Datatype",
    SH.nodeKind: "NodeKind",
    SH.minCount: "MinCount",
    SH.maxCount: "MaxCount",
    SH.minExclusive: "MinExclusive",
    SH.minInclusive: "MinInclusive",
    SH.maxExclusive: "MaxExclusive",
    SH.maxInclusive: "MaxInclusive",
    SH.minLength: "MinLength",
    SH.maxLength: "MaxLength",
    SH.pattern: "Pattern",
    SH.languageIn: "LanguageIn",
    SH.uniqueLang: "UniqueLang",
    SH.equals: "Equals",
    SH.disjoint: "Disjoint",
    SH.lessThan: "LessThan",
    SH.lessThanOrEquals: "LessThanOrEquals",
    SH["not"]: "Not",
    SH["and"]: "And",
    SH["or"]: "Or",
    SH.xone: "Xone",
    SH.node: "Node",
    SH.property: "Property",
    SH.qualifiedValueShape: "QualifiedValueShape",
    SH.closed: "Closed",
    SH.hasValue: "HasValue",
    SH["in"]: "In",
    SH.sparql: "SPARQL",
}
PROPERTY_ONLY = {
    "MinCount",
    "MaxCount",
    "UniqueLang",
    "LessThan",
    "LessThanOrEquals",
    "QualifiedValueShape",
}
SINGLE_VALUED = {"Datatype", "NodeKind", "In", "LanguageIn", "UniqueLang", "Closed"}
"""Parameters SHACL allows once per shape (counts and lengths are checked as integers)."""
NODE_KINDS = {"IRI", "BlankNode", "Literal", "BlankNodeOrIRI", "BlankNodeOrLiteral", "IRIOrLiteral"}
SH_NS = str(SH)


@dataclass(frozen=True)
class Constraint:
    """One constraint: ``component`` (local name, e.g. ``MinCount``) and its parameter value
    (an rdflib term, a list of terms for list parameters, or a SPARQL constraint)."""

    component: str
    value: object
    extra: dict = field(default_factory=dict)

    @property
    def iri(self) -> str:
        if self.component == "Custom":
            return str(self.value.node)
        return f"{SH_NS}{self.component}ConstraintComponent"


@dataclass(frozen=True)
class SparqlConstraint:
    """A SHACL-SPARQL ``sh:sparql`` constraint: its SELECT query and its own message."""

    node: Node
    select: str
    prefixes: dict[str, str]
    messages: tuple[str, ...]
    deactivated: bool = False


@dataclass(frozen=True)
class SparqlValidator:
    """A validator of a SPARQL-based constraint component: an ASK or a SELECT query."""

    kind: str  # ask | select
    query: str
    prefixes: dict[str, str]
    messages: tuple[str, ...]


@dataclass(frozen=True)
class CustomComponent:
    """A SPARQL-based constraint component declared in the shapes graph."""

    node: Node
    params: tuple[tuple[URIRef, bool], ...]  # (parameter path, optional?)
    validator: SparqlValidator | None
    node_validator: SparqlValidator | None
    property_validator: SparqlValidator | None

    def for_shape(self, is_property: bool) -> SparqlValidator | None:
        """The validator that applies to a node shape or a property shape."""
        specific = self.property_validator if is_property else self.node_validator
        return specific or self.validator


@dataclass
class Shape:
    """A node or property shape and its constraints."""

    node: Node
    path: Path | None = None
    target_classes: list[URIRef] = field(default_factory=list)
    target_nodes: list[Node] = field(default_factory=list)
    target_subjects_of: list[URIRef] = field(default_factory=list)
    target_objects_of: list[URIRef] = field(default_factory=list)
    severity: str = "Violation"
    messages: tuple[str, ...] = ()
    deactivated: bool = False
    constraints: list[Constraint] = field(default_factory=list)

    @property
    def name(self) -> str:
        return term_text(self.node)

    @property
    def is_property(self) -> bool:
        return self.path is not None

    @property
    def has_targets(self) -> bool:
        return bool(
            self.target_classes
            or self.target_nodes
            or self.target_subjects_of
            or self.target_objects_of
        )


@dataclass
class ShapesModel:
    """Every shape of a shapes graph; ``top`` are the shapes that have targets."""

    shapes: dict[Node, Shape]
    top: list[Shape]
    siblings: dict[Node, list[Node]] = field(default_factory=dict)
    """For each property shape with a qualified value shape: the qualified value shapes of
    its sibling property shapes (for ``sh:qualifiedValueShapesDisjoint``)."""

    def paths(self) -> list[Path]:
        """Every path of every shape (for scoped validation)."""
        return [s.path for s in self.shapes.values() if s.path is not None]


def parse_shapes(graph: Graph) -> ShapesModel:
    """Read every shape of ``graph`` into a :class:`ShapesModel`; raise ShapesError if bad."""
    nodes = _shape_nodes(graph)
    components = _components(graph)
    shapes = {n: _parse_shape(graph, n, components) for n in nodes}
    for n in _implicit_classes(graph):
        if n in shapes and isinstance(n, URIRef) and n not in shapes[n].target_classes:
            shapes[n].target_classes.append(n)
    siblings: dict[Node, list[Node]] = {}
    for shape in shapes.values():
        children = [c.value for c in shape.constraints if c.component == "Property"]
        quals = {
            ch: [c.value for c in shapes[ch].constraints if c.component == "QualifiedValueShape"]
            for ch in children
        }
        for ch, own in quals.items():
            if own:
                others = [q for other, qs in quals.items() if other != ch for q in qs]
                siblings.setdefault(ch, []).extend(others)
    top = [s for s in shapes.values() if s.has_targets and not s.deactivated]
    return ShapesModel(shapes=shapes, top=top, siblings=siblings)


def _implicit_classes(graph: Graph) -> set[Node]:
    """Nodes that are SHACL instances of rdfs:Class in the shapes graph (SHACL 2.1.3.3): typed
    rdfs:Class, owl:Class (a subclass of rdfs:Class by the OWL vocabulary), or any class the
    shapes graph makes a subclass of them, transitively. A shape among them targets its
    instances implicitly."""
    metaclasses: set[Node] = {RDFS.Class, OWL.Class}
    todo = list(metaclasses)
    while todo:
        for sub in graph.subjects(RDFS.subClassOf, todo.pop()):
            if sub not in metaclasses:
                metaclasses.add(sub)
                todo.append(sub)
    return {n for m in metaclasses for n in graph.subjects(RDF.type, m)}


def _shape_nodes(graph: Graph) -> set[Node]:
    found: set[Node] = set()
    for cls in (SH.NodeShape, SH.PropertyShape):
        found.update(graph.subjects(RDF.type, cls))
    for pred in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.path):
        found.update(graph.subjects(pred, None))
    for pred in SHAPE_REFERENCES:
        found.update(o for o in graph.objects(None, pred))
    for pred in LIST_REFERENCES:
        for lst in graph.objects(None, pred):
            found.update(_list(graph, lst, where="shape list", pred=pred))
    # Anything carrying a core constraint parameter is a shape too.
    for pred in PARAMETERS:
        if pred not in (SH.property, SH.sparql):
            found.update(
                s
                for s in graph.subjects(pred, None)
                if (s, RDF.type, SH.ConstraintComponent) not in graph
            )
    # Parameter declarations of constraint components are not shapes.
    found.difference_update(graph.objects(None, SH.parameter))
    return {n for n in found if not isinstance(n, Literal)}


def _list(graph: Graph, node: Node, *, where: str, pred: URIRef) -> list[Node]:
    if node != RDF.nil and (node, RDF.first, None) not in graph:
        raise ShapesError(
            f"{_qname(pred)} must be an RDF list, got {term_text(node)}",
            where=where,
            hint=f"write {_qname(pred)} ( ... )",
        )
    return list(Collection(graph, node))


def _qname(iri: URIRef) -> str:
    return f"sh:{iri[len(SH_NS) :]}" if str(iri).startswith(SH_NS) else f"<{iri}>"


def _one(graph: Graph, node: Node, pred: URIRef, where: str) -> Node | None:
    values = list(graph.objects(node, pred))
    if len(values) > 1:
        raise ShapesError(
            f"{_qname(pred)} has {len(values)} values, expected one",
            where=where,
            hint=f"keep a single {_qname(pred)}",
        )
    return values[0] if values else None


def _int(graph: Graph, node: Node, pred: URIRef, where: str) -> int | None:
    value = _one(graph, node, pred, where)
    if value is None:
        return None
    if (
        not isinstance(value, Literal)
        or not isinstance(value.toPython(), int)
        or isinstance(value.toPython(), bool)
        or value.toPython() < 0
    ):
        raise ShapesError(
            f"{_qname(pred)} must be a non-negative xsd:integer, got {term_text(value)}",
            where=where,
            hint="fix the number",
        )
    return int(value.toPython())


def _bool(graph: Graph, node: Node, pred: URIRef, where: str) -> bool:
    value = _one(graph, node, pred, where)
    return isinstance(value, Literal) and value.toPython() is True


def _messages(graph: Graph, node: Node) -> tuple[str, ...]:
    msgs = [m for m in graph.objects(node, SH.message) if isinstance(m, Literal)]
    msgs.sort(key=lambda m: (m.language not in (None, "en"), str(m)))
    return tuple(str(m) for m in msgs)


def _components(graph: Graph) -> list[CustomComponent]:
    classes, todo = {SH.ConstraintComponent}, [SH.ConstraintComponent]
    while todo:
        for sub in graph.subjects(RDFS.subClassOf, todo.pop()):
            if sub not in classes:
                classes.add(sub)
                todo.append(sub)
    nodes = {n for c in classes for n in graph.subjects(RDF.type, c)}
    out = []
    for node in nodes:
        where = f"constraint component {term_text(node)}"
        params = []
        for p in graph.objects(node, SH.parameter):
            path = graph.value(p, SH.path)
            if not isinstance(path, URIRef):
                raise ShapesError(
                    "a parameter's sh:path must be an IRI",
                    where=where,
                    hint="give each sh:parameter an IRI sh:path",
                )
            params.append((path, _bool(graph, p, SH.optional, where)))
        out.append(
            CustomComponent(
                node=node,
                params=tuple(params),
                validator=_validator(graph, graph.value(node, SH.validator), where),
                node_validator=_validator(graph, graph.value(node, SH.nodeValidator), where),
                property_validator=_validator(
                    graph, graph.value(node, SH.propertyValidator), where
                ),
            )
        )
    return out


def _validator(graph: Graph, node: Node | None, where: str) -> SparqlValidator | None:
    if node is None:
        return None
    ask, select = graph.value(node, SH.ask), graph.value(node, SH.select)
    if (ask is None) == (select is None):
        raise ShapesError(
            "a SPARQL validator needs exactly one of sh:ask or sh:select",
            where=where,
            hint="fix the validator",
        )
    prefixes = prefixes_of(graph, node, where)
    text = group_this(str(ask if ask is not None else select))
    check_query(text, prefixes, where)
    return SparqlValidator(
        "ask" if ask is not None else "select", text, prefixes, _messages(graph, node)
    )


def param_name(path: URIRef) -> str:
    """The SPARQL variable name of a parameter: the local name of its path."""
    return re.split(r"[#/:]", str(path))[-1]


def _custom(
    graph: Graph, node: Node, components: list[CustomComponent], is_property: bool
) -> list[Constraint]:
    out = []
    for comp in components:
        present = {p: list(graph.objects(node, p)) for p, _ in comp.params}
        if not any(present.values()) or any(not present[p] for p, opt in comp.params if not opt):
            continue
        if comp.for_shape(is_property) is None:
            continue
        names = [p for p in present if present[p]]
        for combo in itertools.product(*(present[p] for p in names)):
            out.append(
                Constraint(
                    "Custom",
                    comp,
                    {"params": {param_name(p): v for p, v in zip(names, combo, strict=True)}},
                )
            )
    return out


def _parse_shape(graph: Graph, node: Node, components: list[CustomComponent]) -> Shape:
    where = f"shape {term_text(node)}"
    path_node = _one(graph, node, SH.path, where)
    shape = Shape(node=node)
    if path_node is not None:
        shape.path = parse_path(graph, path_node, shape=where)
    shape.target_classes = [o for o in graph.objects(node, SH.targetClass)]
    shape.target_nodes = list(graph.objects(node, SH.targetNode))
    shape.target_subjects_of = list(graph.objects(node, SH.targetSubjectsOf))
    shape.target_objects_of = list(graph.objects(node, SH.targetObjectsOf))
    severity = _one(graph, node, SH.severity, where)
    if severity is not None:
        if not isinstance(severity, URIRef):
            raise ShapesError(
                f"sh:severity must be an IRI, got {term_text(severity)}",
                where=where,
                hint="use sh:Violation, sh:Warning or sh:Info",
            )
        text = str(severity)
        shape.severity = text[len(SH_NS) :] if text.startswith(SH_NS) else text
    shape.messages = _messages(graph, node)
    shape.deactivated = _bool(graph, node, SH.deactivated, where)
    shape.constraints += _custom(graph, node, components, shape.path is not None)
    for pred in set(graph.predicates(node, None)):
        if not str(pred).startswith(SH_NS) or pred in NON_CONSTRAINT:
            continue
        if pred not in PARAMETERS:
            raise ShapesError(
                f"unknown SHACL constraint parameter {_qname(pred)}",
                where=where,
                hint="check the spelling against SHACL Core",
            )
        component = PARAMETERS[pred]
        if component in PROPERTY_ONLY and shape.path is None:
            raise ShapesError(
                f"{_qname(pred)} is only allowed on property shapes (shapes with sh:path)",
                where=where,
                hint="add sh:path",
            )
        if component in SINGLE_VALUED:
            _one(graph, node, pred, where)  # SHACL: a shape has at most one value
        for value in graph.objects(node, pred):
            shape.constraints.append(_constraint(graph, node, pred, component, value, where))
    return shape


def _constraint(
    graph: Graph, node: Node, pred: URIRef, component: str, value: Node, where: str
) -> Constraint:
    if component in ("And", "Or", "Xone"):
        return Constraint(component, tuple(_list(graph, value, where=where, pred=pred)))
    if component in ("In", "LanguageIn"):
        items = tuple(_list(graph, value, where=where, pred=pred))
        if component == "LanguageIn" and not all(isinstance(i, Literal) for i in items):
            raise ShapesError(
                "sh:languageIn members must be literals",
                where=where,
                hint='write sh:languageIn ( "en" "fi" )',
            )
        return Constraint(component, items)
    if component in ("MinCount", "MaxCount", "MinLength", "MaxLength"):
        return Constraint(component, _int(graph, node, pred, where))
    if component in (
        "Class",
        "Datatype",
        "Equals",
        "Disjoint",
        "LessThan",
        "LessThanOrEquals",
    ) and not isinstance(value, URIRef):
        raise ShapesError(
            f"{_qname(pred)} must be an IRI, got {term_text(value)}",
            where=where,
            hint="give the class, datatype or property IRI",
        )
    if component == "NodeKind":
        kind = str(value)[len(SH_NS) :] if str(value).startswith(SH_NS) else ""
        if kind not in NODE_KINDS:
            raise ShapesError(
                f"sh:nodeKind {term_text(value)} is not a SHACL node kind",
                where=where,
                hint="use sh:IRI, sh:Literal, sh:BlankNode, ...",
            )
        return Constraint(component, kind)
    if component == "Pattern":
        flags = _one(graph, node, SH.flags, where)
        flag_text = str(flags) if flags is not None else ""
        try:
            re.compile(str(value))
        except re.error as exc:
            raise ShapesError(
                f"sh:pattern {str(value)!r} is not a valid regular expression: {exc}",
                where=where,
                hint="fix the pattern",
            ) from exc
        return Constraint(component, str(value), {"flags": flag_text})
    if component in ("UniqueLang", "Closed"):
        if not (isinstance(value, Literal) and value.datatype == XSD.boolean):
            raise ShapesError(
                f"{_qname(pred)} must be true or false",
                where=where,
                hint=f"write {_qname(pred)} true",
            )
        active = str(value) == "true"  # only the literal true activates it (not "1")
        extra = {}
        if component == "Closed":
            ignored = _one(graph, node, SH.ignoredProperties, where)
            extra["ignored"] = (
                tuple(_list(graph, ignored, where=where, pred=SH.ignoredProperties))
                if ignored
                else ()
            )
            extra["allowed"] = tuple(
                p
                for ps in graph.objects(node, SH.property)
                for p in graph.objects(ps, SH.path)
                if isinstance(p, URIRef)
            )
        return Constraint(component, active, extra)
    if component == "QualifiedValueShape":
        return Constraint(
            component,
            value,
            {
                "min": _int(graph, node, SH.qualifiedMinCount, where),
                "max": _int(graph, node, SH.qualifiedMaxCount, where),
                "disjoint": _bool(graph, node, SH.qualifiedValueShapesDisjoint, where),
            },
        )
    if component == "SPARQL":
        return Constraint(component, _sparql(graph, value, where))
    return Constraint(component, value)


def _sparql(graph: Graph, node: Node, where: str) -> SparqlConstraint:
    select = _one(graph, node, SH.select, where)
    if select is None:
        raise ShapesError(
            "sh:sparql constraint has no sh:select query",
            where=where,
            hint="add sh:select with a SELECT query",
        )
    where = f"{where}, sh:sparql constraint {term_text(node)}"
    prefixes = prefixes_of(graph, node, where)
    text = group_this(str(select))
    check_query(text, prefixes, where)
    return SparqlConstraint(
        node=node,
        select=text,
        prefixes=prefixes,
        messages=_messages(graph, node),
        deactivated=_bool(graph, node, SH.deactivated, where),
    )
