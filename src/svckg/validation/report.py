"""One validation report model for both validators, rendered as table rows, JSON or RDF."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True)
class SourceLocation:
    """Where a focus node came from in the imported source."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    row: int | None = None
    element_id: str | None = None
    element_name: str | None = None

    def describe(self) -> str:
        """Human-readable location, e.g. ``model.xml, element id-12 'CRM'``."""
        parts = [self.file] if self.file else []
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        if self.element_id:
            name = f" '{self.element_name}'" if self.element_name else ""
            parts.append(f"element {self.element_id}{name}")
        return ", ".join(parts)


@dataclass(frozen=True)
class ValidationResult:
    """One ``sh:ValidationResult``.

    Terms are strings made by :func:`term_text`: an IRI as itself, a literal in N-Triples
    form (``"42"^^<...#integer>``), a blank node as ``_:id``. ``path`` is the SPARQL
    property-path form of the result path (an IRI for a plain predicate).
    ``source_constraint`` is the ``sh:sourceConstraint`` (the ``sh:sparql`` node of a
    SHACL-SPARQL constraint; None for core components)."""

    focus_node: str
    severity: str  # Violation | Warning | Info
    message: str
    source_shape: str
    constraint_component: str
    path: str | None = None
    value: str | None = None
    location: SourceLocation | None = None
    source_constraint: str | None = None

    def key(self) -> tuple:
        """What a result says apart from its message and location. Reports are compared as
        multisets of keys (``collections.Counter``): two results with equal keys are still
        two results (e.g. ``sh:class A, B`` failing on one value)."""
        return (
            self.focus_node,
            self.path,
            self.value,
            self.source_shape,
            self.constraint_component,
            self.source_constraint,
            self.severity,
        )


@dataclass
class ValidationReport:
    """The outcome of validating a data graph."""

    results: list[ValidationResult] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        """True when there is no result of severity Violation (SHACL: no result at all)."""
        return not self.violations

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Warning"]

    def sorted(self) -> list[ValidationResult]:
        """Results by severity, then shape, then focus node."""
        return sorted(
            self.results,
            key=lambda r: (
                SEVERITY_ORDER.get(r.severity, 9),
                r.source_shape,
                r.focus_node,
                r.path or "",
            ),
        )

    def to_json(self) -> dict:
        """JSON-serializable dict."""
        return {
            "conforms": self.conforms,
            "violations": len(self.violations),
            "warnings": len(self.warnings),
            "results": [asdict(r) for r in self.sorted()],
        }

    def to_rdf(self) -> Graph:
        """The report as an ``sh:ValidationReport`` graph."""
        g = Graph()
        g.bind("sh", SH)
        report = BNode()
        g.add((report, RDF.type, SH.ValidationReport))
        g.add((report, SH.conforms, Literal(self.conforms)))
        for r in self.sorted():
            node = BNode()
            g.add((report, SH.result, node))
            g.add((node, RDF.type, SH.ValidationResult))
            g.add((node, SH.focusNode, _term(r.focus_node)))
            g.add((node, SH.resultSeverity, SH[r.severity]))
            g.add((node, SH.resultMessage, Literal(r.message)))
            g.add((node, SH.sourceShape, _term(r.source_shape)))
            g.add((node, SH.sourceConstraintComponent, URIRef(r.constraint_component)))
            if r.path and _is_iri(r.path):
                g.add((node, SH.resultPath, URIRef(r.path)))
            if r.value is not None:
                g.add((node, SH.value, _term(r.value)))
            if r.source_constraint is not None:
                g.add((node, SH.sourceConstraint, _term(r.source_constraint)))
        return g


def term_text(node: object) -> str:
    """The string form of an rdflib or pyoxigraph term used in :class:`ValidationResult`.

    >>> term_text(URIRef("https://w3id.org/svckg#Service"))
    'https://w3id.org/svckg#Service'
    >>> term_text(Literal(3))
    '"3"^^<http://www.w3.org/2001/XMLSchema#integer>'
    """
    if isinstance(node, URIRef):
        return str(node)
    if isinstance(node, BNode):
        return f"_:{node}"
    if isinstance(node, Literal):
        return node.n3()
    text = str(node)  # pyoxigraph terms print in N-Triples form
    if text.startswith("<") and text.endswith(">"):
        return text[1:-1]
    return text


def _is_iri(text: str) -> bool:
    return not text.startswith(("_:", '"', "^", "(")) and " " not in text and ":" in text


def _term(text: str) -> Node:
    if text.startswith("_:"):
        return BNode(text[2:])
    if text.startswith('"'):
        from rdflib.util import from_n3

        return from_n3(text)
    return URIRef(text)
