"""Validation messages in the source's own language for elements from ArchiMate and Archi.

An Archi modeller reads "Business service 'Claim Registration' is realised by nothing: add a
Realization from the business process ..." where the shape says "Customer-facing service is
built from nothing: add svc:includesService ...". The templates are in
``shapes/archimate-messages.ttl``; the ArchiMate type of an element is read from the staged
triples of the sources that came from ArchiMate, Archi or Archi CSV. The table, JSON and
SARIF renderers all print the same message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache

from rdflib import Graph, URIRef

from svckg.config import SHAPES_DIR
from svckg.ingest.base import Staged
from svckg.terms import RDF_TYPE_IRI
from svckg.validation.report import ValidationReport, ValidationResult
from svckg.vocab import ARCHIMATE

MESSAGES_FILE = SHAPES_DIR / "archimate-messages.ttl"
ARCHIMATE_MESSAGE = URIRef("https://w3id.org/svckg/shapes#archimateMessage")
EA_FORMATS = frozenset({"archimate", "archi", "archi-csv"})


@lru_cache(maxsize=1)
def templates() -> dict[str, str]:
    """Source shape IRI -> its ArchiMate message template."""
    g = Graph().parse(MESSAGES_FILE, format="turtle")
    return {str(s): str(o) for s, o in g.subject_objects(ARCHIMATE_MESSAGE)}


def type_label(type_name: str) -> str:
    """The ArchiMate type as a sentence starts: ``Business service``.

    >>> type_label("BusinessService"), type_label("Node")
    ('Business service', 'Node')
    """
    from svckg.ingest.mapping import load_alignment

    label = load_alignment().labels.get(type_name, type_name)
    words = label.split()
    return " ".join([words[0], *(w.lower() for w in words[1:])]) if words else type_name


def in_source_language(report: ValidationReport, staged: Sequence[Staged]) -> ValidationReport:
    """``report`` with the results on ArchiMate-sourced elements worded in ArchiMate terms."""
    known = templates()
    wanted = {r.focus_node for r in report.results if r.source_shape in known}
    ea = [s for s in staged if s.format in EA_FORMATS]
    if not wanted or not ea:
        return report
    arch = str(ARCHIMATE)
    types: dict[str, str] = {}
    for s in ea:
        for t in s.triples:
            if (
                t.subject.value in wanted
                and t.predicate.value == RDF_TYPE_IRI
                and t.object.value.startswith(arch)
            ):
                types[t.subject.value] = t.object.value[len(arch) :]
    if not types:
        return report
    return ValidationReport(results=[_worded(r, types, known) for r in report.results])


def _worded(r: ValidationResult, types: dict[str, str], known: dict[str, str]) -> ValidationResult:
    kind = types.get(r.focus_node)
    template = known.get(r.source_shape)
    if kind is None or template is None:
        return r
    name = (r.location.element_name if r.location else None) or r.focus_node.rpartition("/")[2]
    message = template.format(Type=type_label(kind), name=name, message=r.message)
    return replace(r, message=message)
