"""Render a :class:`ValidationReport` as a table, JSON or Turtle (one renderer per format).

New formats register in :data:`RENDERERS` (``RENDERERS["sarif"] = render_sarif``); the CLI's
``--format`` choices come from this dict.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Callable

from rich.console import Console
from rich.table import Table

from svckg.validation.report import SEVERITY_ORDER, ValidationReport
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


FIRST_PER_SHAPE = 5
"""Results shown per shape in the table unless every result is asked for (``--all``)."""


def render_table(report: ValidationReport, width: int = 160, limit: int | None = None) -> str:
    """Summary first (results by shape and severity, like a linter's statistics), then the
    first ``limit`` results of each shape (None: :data:`FIRST_PER_SHAPE`; 0: all of them),
    each as one block: severity, where, focus node, path, value, message. Plain text, so a
    report of thousands of results prints in well under a second."""
    per_shape = FIRST_PER_SHAPE if limit is None else limit
    groups: dict[str, list] = {}
    for r in report.sorted():
        groups.setdefault(r.source_shape, []).append(r)
    table = Table(title=summary(report), show_lines=False, expand=False)
    for column in ("shape", "severity", "results"):
        table.add_column(column, overflow="fold")
    for (shape, severity), n in Counter(
        (r.source_shape, r.severity) for r in report.results
    ).items():
        table.add_row(_short(shape), severity, str(n))
    out = io.StringIO()
    Console(file=out, width=width, color_system=None, highlight=False).print(table)
    hidden = 0
    for shape, items in groups.items():
        shown = items if per_shape <= 0 else items[:per_shape]
        severities = ", ".join(sorted({r.severity for r in items}, key=_severity_rank))
        out.write(f"\n{_short(shape)} ({severities}, {len(items)})\n")
        for r in shown:
            out.write(_block(r))
        if len(shown) < len(items):
            hidden += len(items) - len(shown)
            out.write(f"  ... {len(items) - len(shown)} more\n")
    if hidden:
        out.write(
            f"\n{hidden} more result(s) not shown: --all shows every result "
            "(JSON and SARIF always hold them all)\n"
        )
    return out.getvalue()


def _severity_rank(severity: str) -> int:
    return SEVERITY_ORDER.get(severity, 9)


def _block(r) -> str:  # noqa: ANN001
    where = r.location.describe() if r.location else ""
    details = " ".join(
        part
        for part in (
            _short(r.focus_node),
            f"path {_short(r.path)}" if r.path else "",
            f"value {_short(r.value)}" if r.value else "",
        )
        if part
    )
    head = f"  {r.severity}: {where}" if where else f"  {r.severity}:"
    return f"{head}\n    {details}\n    {r.message}\n"


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


def render(report: ValidationReport, fmt: str, *, all_results: bool = False) -> str:
    """Render ``report`` in format ``fmt`` (a key of :data:`RENDERERS`); the table shows the
    first results of each shape unless ``all_results``."""
    from svckg.errors import UnsupportedFormat

    try:
        renderer = RENDERERS[fmt]
    except KeyError:
        raise UnsupportedFormat(
            f"unknown report format {fmt!r}", hint=f"use one of: {', '.join(RENDERERS)}"
        ) from None
    if fmt == "table":
        return render_table(report, limit=0 if all_results else None)
    return renderer(report)
