"""Render a :class:`ValidationReport` as a table, JSON or Turtle (one renderer per format).

New formats register in :data:`RENDERERS` (``RENDERERS["sarif"] = render_sarif``); the CLI's
``--format`` choices come from this dict.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable

from rich.console import Console
from rich.table import Table

from svckg.validation.report import ValidationReport
from svckg.vocab import PREFIXES

Renderer = Callable[[ValidationReport], str]


def _short(text: str | None) -> str:
    """An IRI in prefixed form where a known prefix fits.

    >>> _short("https://w3id.org/svckg#ownedBy"), _short(None)
    ('svc:ownedBy', '')
    """
    if not text:
        return ""
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if text.startswith(ns) and len(text) > len(ns):
            return f"{prefix}:{text[len(ns) :]}"
    return text


def summary(report: ValidationReport) -> str:
    """One line: conforms or the counts.

    >>> summary(ValidationReport())
    'conforms: 0 violations, 0 warnings'
    """
    head = "conforms" if report.conforms else "does not conform"
    return f"{head}: {len(report.violations)} violations, {len(report.warnings)} warnings"


def render_table(report: ValidationReport, width: int = 160) -> str:
    """A plain-text table: severity, where, focus node, path, message."""
    table = Table(title=summary(report), show_lines=False, expand=False)
    for column in ("severity", "where", "focus node", "path", "value", "message"):
        table.add_column(column, overflow="fold")
    for r in report.sorted():
        table.add_row(
            r.severity,
            r.location.describe() if r.location else "",
            _short(r.focus_node),
            _short(r.path),
            _short(r.value),
            r.message,
        )
    out = io.StringIO()
    Console(file=out, width=width, color_system=None, highlight=False).print(table)
    return out.getvalue()


def render_json(report: ValidationReport) -> str:
    """The report as JSON (``ValidationReport.to_json``)."""
    return json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"


def render_turtle(report: ValidationReport) -> str:
    """The report as an ``sh:ValidationReport`` in Turtle."""
    graph = report.to_rdf()
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns)
    return graph.serialize(format="turtle")


SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {"Violation": "error", "Warning": "warning", "Info": "note"}


def render_sarif(report: ValidationReport) -> str:
    """The report as SARIF 2.1.0 for CI pipelines: one rule per shape, one result per
    validation result, located in the source file (line or row, column) where known.

    >>> import json
    >>> from svckg.validation.report import SourceLocation, ValidationResult
    >>> r = ValidationResult("https://w3id.org/svckg/id/x", "Violation", "No owner",
    ...     "https://w3id.org/svckg/shapes#S", "http://www.w3.org/ns/shacl#MinCountConstraintComponent",
    ...     location=SourceLocation(file="m.xml", line=7, element_id="x", element_name="CRM"))
    >>> run = json.loads(render_sarif(ValidationReport([r])))["runs"][0]
    >>> run["results"][0]["level"], run["results"][0]["locations"][0]["physicalLocation"]["region"]
    ('error', {'startLine': 7})
    """
    from svckg import __version__

    rules: dict[str, int] = {}
    rule_list: list[dict] = []
    results: list[dict] = []
    for r in report.sorted():
        if r.source_shape not in rules:
            rules[r.source_shape] = len(rule_list)
            rule_list.append(
                {
                    "id": _short(r.source_shape),
                    "name": _short(r.source_shape).split(":")[-1],
                    "fullDescription": {"text": r.message},
                    "helpUri": r.source_shape if r.source_shape.startswith("http") else None,
                    "properties": {"constraintComponent": _short(r.constraint_component)},
                }
            )
            rule_list[-1] = {k: v for k, v in rule_list[-1].items() if v is not None}
        location: dict = {
            "logicalLocations": [{"fullyQualifiedName": r.focus_node, "kind": "element"}]
        }
        loc = r.location
        if loc is not None:
            if loc.element_name:
                location["logicalLocations"][0]["name"] = loc.element_name
            if loc.file:
                file, _, sheet = loc.file.partition(" [")
                region = {}
                if loc.line or loc.row:
                    region["startLine"] = loc.line or loc.row
                if loc.column:
                    region["startColumn"] = loc.column
                physical: dict = {"artifactLocation": {"uri": file}}
                if region:
                    physical["region"] = region
                location["physicalLocation"] = physical
                if sheet:
                    location["properties"] = {"sheet": sheet.rstrip("]")}
        props = {"focusNode": r.focus_node, "constraintComponent": r.constraint_component}
        if r.path:
            props["resultPath"] = r.path
        if r.value is not None:
            props["value"] = r.value
        if loc is not None:
            props["where"] = loc.describe()
            if loc.element_id:
                props["sourceIdentifier"] = loc.element_id
            if loc.row is not None:
                props["row"] = loc.row
        results.append(
            {
                "ruleId": _short(r.source_shape),
                "ruleIndex": rules[r.source_shape],
                "level": _SARIF_LEVEL.get(r.severity, "note"),
                "message": {"text": r.message},
                "locations": [location],
                "properties": props,
            }
        )
    sarif = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "svckg",
                        "informationUri": "https://w3id.org/svckg",
                        "version": __version__,
                        "rules": rule_list,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(sarif, indent=2, ensure_ascii=False) + "\n"


RENDERERS: dict[str, Renderer] = {
    "table": render_table,
    "json": render_json,
    "turtle": render_turtle,
    "sarif": render_sarif,
}
"""Format name -> renderer; other modules add theirs (e.g. ``sarif``)."""


def render(report: ValidationReport, fmt: str) -> str:
    """Render ``report`` in format ``fmt`` (a key of :data:`RENDERERS`)."""
    from svckg.errors import UnsupportedFormat

    try:
        renderer = RENDERERS[fmt]
    except KeyError:
        raise UnsupportedFormat(
            f"unknown report format {fmt!r}", hint=f"use one of: {', '.join(RENDERERS)}"
        ) from None
    return renderer(report)
