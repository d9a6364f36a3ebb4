"""The front door of SHACL validation: one call, either validator, one report model.

``Settings.validator`` picks the validator: ``sparql`` (the fast validator evaluating the
shapes as SPARQL on the store engine, default) or ``pyshacl`` (the reference).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from svckg.config import SHAPES_DIR, Settings
from svckg.errors import ParseError, ShapesError
from svckg.store.base import Store
from svckg.validation.fast.engine import FastValidator
from svckg.validation.fast.paths import path_from_report
from svckg.validation.report import ValidationReport, ValidationResult, term_text

VALIDATORS = ("sparql", "pyshacl")
DEFAULT_SHAPE_FILES = ("core.ttl", "recommended.ttl")
PROFILES = ("default", "strict")
"""Validation profiles: ``default`` applies ``shapes/default-profile.ttl`` (what ArchiMate
models cannot carry is a warning), ``strict`` keeps every core shape a violation."""
DEFAULT_PROFILE_FILE = SHAPES_DIR / "default-profile.ttl"
DEFAULT_SEVERITY = URIRef("https://w3id.org/svckg/shapes#defaultSeverity")


def load_shapes(paths: Sequence[str | Path] | None = None, profile: str | None = None) -> Graph:
    """The shapes graph: ``shapes/core.ttl`` + ``shapes/recommended.ttl`` unless ``paths``
    names other files, with the severities of ``profile`` (None: ``default``; callers pass
    ``Settings.shapes_profile``; see :data:`PROFILES`). Cached per files and profile; do not
    modify the returned graph."""
    files = (
        tuple(str(p) for p in paths)
        if paths is not None
        else tuple(str(SHAPES_DIR / name) for name in DEFAULT_SHAPE_FILES)
    )
    chosen = profile or "default"
    if chosen not in PROFILES:
        raise ShapesError(
            f"unknown validation profile {chosen!r}",
            where="profile",
            hint=f"use one of: {', '.join(PROFILES)} (SVCKG_SHAPES_PROFILE, --profile)",
        )
    return _load_shapes(files, chosen)


@lru_cache(maxsize=8)
def _load_shapes(files: tuple[str, ...], profile: str = "strict") -> Graph:
    graph = Graph()
    for name in files:
        path = Path(name)
        if not path.is_file():
            raise ShapesError(
                "shapes file not found", where=name, hint="check the path (shapes live in shapes/)"
            )
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises many parser exception types
            raise ParseError(
                f"cannot parse the shapes file: {exc}", source=name, hint="fix the Turtle syntax"
            ) from exc
    if profile == "default":
        _apply_default_profile(graph)
    return graph


def _apply_default_profile(graph: Graph) -> None:
    """Give the shapes ``default-profile.ttl`` names their default-profile severity (only
    shapes present in ``graph``: a caller's own shape files are left alone)."""
    overrides = Graph().parse(DEFAULT_PROFILE_FILE, format="turtle")
    for shape, severity in overrides.subject_objects(DEFAULT_SEVERITY):
        if (shape, SH.severity, None) in graph:
            graph.set((shape, SH.severity, severity))


_FAST: dict[int, tuple[Graph, FastValidator]] = {}


def fast_validator(shapes: Graph) -> FastValidator:
    """The FastValidator for ``shapes``, built once per shapes graph object."""
    entry = _FAST.get(id(shapes))
    if entry is None or entry[0] is not shapes:
        if len(_FAST) > 16:
            _FAST.clear()
        entry = _FAST[id(shapes)] = (shapes, FastValidator(shapes))
    return entry[1]


def validate_store(
    store: Store | ox.Store,
    shapes: Graph,
    *,
    default_graph: Sequence[str] | None = None,
    focus_nodes: Collection[str] | None = None,
    validator: str | None = None,
) -> ValidationReport:
    """Validate the union of the graphs ``default_graph`` names (None: all graphs) of a
    store (any :class:`svckg.store.base.Store`, or a bare pyoxigraph Store) against ``shapes``.

    ``focus_nodes`` (IRIs touched by a change) scopes the fast validator to what the change
    can affect; pyshacl always validates the whole data. ``validator`` is ``sparql`` or
    ``pyshacl``; None: the default (``sparql``); callers pass ``settings.validator``.
    """
    choice = validator or Settings().validator
    if choice not in VALIDATORS:
        raise ShapesError(
            f"unknown validator {choice!r}",
            where="Settings.validator",
            hint="use 'sparql' or 'pyshacl' (SVCKG_VALIDATOR)",
        )
    engine = _engine(store, default_graph)
    if choice == "sparql":
        graphs = [ox.NamedNode(g) for g in default_graph] if default_graph is not None else None
        return fast_validator(shapes).validate(
            engine, default_graph=graphs, focus_nodes=focus_nodes
        )
    return validate_pyshacl(store_to_graph(engine, default_graph), shapes)


def _engine(store: Store | ox.Store, graphs: Sequence[str] | None) -> ox.Store:
    """The pyoxigraph engine the validators read: the store's own when it runs in this
    process (both validators need an in-process engine: custom SPARQL functions, quad
    scans), else an in-memory copy of the ``graphs`` (None: all) of the store."""
    if isinstance(store, ox.Store):
        return store
    engine = getattr(store, "engine", None)
    if isinstance(engine, ox.Store):
        return engine
    if not isinstance(store, Store):
        raise TypeError("validate_store needs a svckg Store or a pyoxigraph Store")
    copy = ox.Store()
    for graph in graphs if graphs is not None else store.graphs():
        node = ox.NamedNode(graph)
        copy.bulk_extend(
            ox.Quad(q.subject, q.predicate, q.object, node) for q in store.quads(graph=graph)
        )
    return copy


def validate(
    data: Graph | Store | ox.Store, shapes: Graph, *, validator: str | None = None
) -> ValidationReport:
    """Validate an rdflib Graph, a svckg Store or a pyoxigraph Store (all its graphs).

    >>> from rdflib import Graph
    >>> shapes = Graph().parse(data='<urn:S> <http://www.w3.org/ns/shacl#targetNode> <urn:a> ;'
    ...     ' <http://www.w3.org/ns/shacl#class> <urn:C> .', format="turtle")
    >>> [r.constraint_component.split("#")[1] for r in validate(Graph(), shapes).results]
    ['ClassConstraintComponent']
    """
    if isinstance(data, Graph):
        if (validator or Settings().validator) == "pyshacl":
            return validate_pyshacl(data, shapes)
        store = ox.Store()
        store.extend(
            ox.Quad(_to_ox(s), _to_ox(p), _to_ox(o), ox.DefaultGraph()) for s, p, o in data
        )
        data = store
    return validate_store(data, shapes, validator=validator)


def _to_ox(node: Node):
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    if node.language:
        return ox.Literal(str(node), language=node.language)
    return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype or XSD.string)))


def store_to_graph(store: ox.Store, graphs: Sequence[str] | None = None) -> Graph:
    """A plain rdflib Graph of the union of ``graphs`` (None: all graphs), keeping blank
    node identifiers (so both validators name the same blank nodes)."""
    out = Graph()
    cache: dict = {}

    def conv(term) -> Node:
        node = cache.get(term)
        if node is None:
            node = cache[term] = _to_rdflib(term)
        return node

    targets = [ox.NamedNode(g) for g in graphs] if graphs is not None else [None]
    for target in targets:
        for q in store.quads_for_pattern(None, None, None, target):
            out.add((conv(q.subject), conv(q.predicate), conv(q.object)))
    return out


def _to_rdflib(term) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    dt = term.datatype.value
    return Literal(term.value, datatype=None if dt == str(XSD.string) else URIRef(dt))


def validate_pyshacl(data: Graph, shapes: Graph) -> ValidationReport:
    """Run pyshacl (no inference) on a plain rdflib graph and convert its report."""
    import pyshacl

    _conforms, results, _text = pyshacl.validate(
        data,
        shacl_graph=shapes,
        inference="none",
        abort_on_first=False,
        meta_shacl=False,
        advanced=False,
    )
    return from_pyshacl(results, shapes)


def from_pyshacl(results: Graph, shapes: Graph | None = None) -> ValidationReport:
    """Convert a pyshacl results graph into the one report model."""
    out: list[ValidationResult] = []
    for report in results.subjects(RDF.type, SH.ValidationReport):
        out += results_of(results, report, shapes)
    return ValidationReport(results=out)


def results_of(graph: Graph, report: Node, shapes: Graph | None = None) -> list[ValidationResult]:
    """The ``sh:result`` entries of the report node ``report`` in ``graph`` (a results graph,
    or a test manifest's expected report)."""
    return [_result(graph, node, shapes) for node in graph.objects(report, SH.result)]


def _result(g: Graph, node: Node, shapes: Graph | None) -> ValidationResult:
    severity = str(g.value(node, SH.resultSeverity) or SH.Violation)
    path_node = g.value(node, SH.resultPath)
    path = None
    if path_node is not None:
        source = g if isinstance(path_node, URIRef) or (path_node, None, None) in g else shapes
        path = path_from_report(source if source is not None else g, path_node)
    value = g.value(node, SH.value)
    constraint = g.value(node, SH.sourceConstraint)
    messages = sorted(str(m) for m in g.objects(node, SH.resultMessage))
    return ValidationResult(
        focus_node=_text(g.value(node, SH.focusNode)),
        severity=severity[len(str(SH)) :] if severity.startswith(str(SH)) else severity,
        message=messages[0] if messages else "",
        source_shape=_text(g.value(node, SH.sourceShape)),
        constraint_component=str(g.value(node, SH.sourceConstraintComponent)),
        path=path,
        value=_text(value) if value is not None else None,
        source_constraint=_text(constraint) if constraint is not None else None,
    )


def _text(node: Node | None) -> str:
    if isinstance(node, Literal) and node.datatype == XSD.string and node.language is None:
        node = Literal(str(node))
    return term_text(node) if node is not None else ""
