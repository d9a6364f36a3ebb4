"""Messages in the source's own language, readable reports at any size, and the literals
the store would change."""

from __future__ import annotations

import json
import time
from collections import Counter
from xml.sax.saxutils import escape

from typer.testing import CliRunner

from svckg.cli.app import app
from svckg.config import load_settings
from svckg.ingest import pipeline
from svckg.ingest.base import SourceFile
from svckg.store import memory_store
from svckg.validation.render import FIRST_PER_SHAPE, render
from svckg.validation.report import SourceLocation, ValidationReport, ValidationResult
from tests.conftest import fixtures_dir, requires_fixtures

NS3 = "http://www.opengroup.org/xsd/archimate/3.0/"
CSV = fixtures_dir() / "archi-csv"
STRICT = load_settings(shapes_profile="strict")
ISSUE_EXAMPLE = (
    "Business service 'Claim Registration' is realised by nothing: add a Realization from the "
    "business process or application service that provides it."
)


def _exchange(elements: dict[str, tuple[str, str]], rels: list[tuple[str, str, str]]) -> bytes:
    els = "".join(
        f'<element identifier="{i}" xsi:type="{t}"><name>{escape(n)}</name></element>'
        for i, (t, n) in elements.items()
    )
    rel = "".join(
        f'<relationship identifier="r{k}" xsi:type="{t}" source="{s}" target="{o}"/>'
        for k, (t, s, o) in enumerate(rels)
    )
    return (
        f'<model xmlns="{NS3}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'identifier="m"><name>m</name><elements>{els}</elements>'
        f"<relationships>{rel}</relationships></model>"
    ).encode()


CLAIMS = _exchange(
    {"s1": ("BusinessService", "Claim Registration"), "c": ("BusinessRole", "Customer")},
    [("Serving", "s1", "c")],
)


def _validate(files: list[SourceFile], settings=STRICT) -> ValidationReport:  # noqa: ANN001
    store = memory_store()
    try:
        return pipeline.validate_sources(store, files, settings=settings)
    finally:
        store.close()


def test_archimate_elements_get_archimate_messages_in_every_format() -> None:
    report = _validate([SourceFile("claims.xml", CLAIMS)])
    (cfs,) = [
        r for r in report.results if r.source_shape.endswith("CustomerFacingService-composition")
    ]
    assert cfs.message == ISSUE_EXAMPLE
    assert cfs.location.file == "claims.xml" and cfs.location.element_id == "s1"
    assert cfs.location.line == 1
    body = json.loads(render(report, "json"))
    assert ISSUE_EXAMPLE in [r["message"] for r in body["results"]]
    sarif = json.loads(render(report, "sarif"))
    assert ISSUE_EXAMPLE in [r["message"]["text"] for r in sarif["runs"][0]["results"]]
    assert ISSUE_EXAMPLE in render(report, "table")


@requires_fixtures
def test_archi_csv_elements_get_archimate_messages() -> None:
    files = [SourceFile.read(p) for p in sorted(CSV.glob("test1-*.csv"))]
    report = _validate(files)
    touch = [r for r in report.results if r.source_shape.endswith("Touchpoint-enabledBy")]
    assert touch and all(r.message.startswith("Business interface '") for r in touch)
    assert all("add a Serving relationship" in r.message for r in touch)


def test_svckg_sources_keep_the_svckg_message() -> None:
    ttl = (
        b"@prefix svc: <https://w3id.org/svckg#> .\n"
        b'<cfs> a svc:CustomerFacingService ; <http://www.w3.org/2000/01/rdf-schema#label> "X" .\n'
    )
    report = _validate([SourceFile("cfs.ttl", ttl)])
    (cfs,) = [
        r for r in report.results if r.source_shape.endswith("CustomerFacingService-composition")
    ]
    assert cfs.message.startswith("Customer-facing service is built from nothing")


def _big_report(n: int = 12_750) -> ValidationReport:
    return ValidationReport(
        [
            ValidationResult(
                f"https://w3id.org/svckg/id/e{i}",
                "Violation" if i % 7 == 0 else "Warning",
                f"Element {i} has no owner: add svc:ownedBy.",
                f"https://w3id.org/svckg/shapes#Shape{i % 9}",
                "http://www.w3.org/ns/shacl#MinCountConstraintComponent",
                path="https://w3id.org/svckg#ownedBy",
                location=SourceLocation(file="big.ttl", line=i + 1),
            )
            for i in range(n)
        ]
    )


def test_a_big_report_prints_summary_first_and_fast() -> None:
    report = _big_report()
    best = min(_timed(lambda: render(report, "table")) for _ in range(3))
    assert best < 1.0, f"table of 12,750 results took {best:.2f} s"
    text = render(report, "table")
    summary, _, rest = text.partition("\n\n")
    by_shape = Counter((r.source_shape.rpartition("#")[2], r.severity) for r in report.results)
    for (shape, severity), n in by_shape.items():
        assert any(shape in line and severity in line and str(n) in line
                   for line in summary.splitlines()), (shape, severity)  # fmt: skip
    assert text.index("Shape0") < text.index("Element 0 has no owner")
    shown = rest.count("has no owner")
    shapes = {r.source_shape for r in report.results}
    assert shown == FIRST_PER_SHAPE * len(shapes)
    assert "--all" in text
    full = render(report, "table", all_results=True)
    assert full.count("has no owner") == len(report.results)
    best_all = min(_timed(lambda: render(report, "table", all_results=True)) for _ in range(3))
    assert best_all < 1.0, f"--all table took {best_all:.2f} s"
    assert len(json.loads(render(report, "json"))["results"]) == len(report.results)


def _timed(fn) -> float:  # noqa: ANN001
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def test_cli_all_option(tmp_path) -> None:
    ttl = b"@prefix svc: <https://w3id.org/svckg#> .\n" + b"".join(
        f"<s{i}> a svc:Service .\n".encode() for i in range(12)
    )
    src = tmp_path / "many.ttl"
    src.write_bytes(ttl)
    runner = CliRunner()
    short = runner.invoke(app, ["validate", str(src), "--store", ":memory:"])
    full = runner.invoke(app, ["validate", str(src), "--store", ":memory:", "--all"])
    assert short.exit_code == full.exit_code == 0
    assert short.stdout.count("many.ttl, line") < full.stdout.count("many.ttl, line")
    assert "--all shows every result" in short.stdout


LITERALS = b"""@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix svc: <https://w3id.org/svckg#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<x> rdfs:label "X" ;
    <https://example.org/code> "007"^^xsd:integer ;
    <https://example.org/size> "5"^^xsd:int ;
    <https://example.org/fine> "5"^^xsd:integer , "text" .
"""


def test_literals_the_store_would_change_are_warned_with_file_and_line(memory_store) -> None:
    from svckg.store.system import ensure_system_graphs

    ensure_system_graphs(memory_store)
    outcome = pipeline.import_sources(memory_store, [SourceFile("codes.ttl", LITERALS)])
    changed = [
        r for r in outcome.report.results if r.source_shape.endswith("Import-literalChanged")
    ]
    assert sorted((r.location.file, r.location.line) for r in changed) == [
        ("codes.ttl", 5),
        ("codes.ttl", 6),
    ]
    assert {r.severity for r in changed} == {"Warning"}
    text = " ".join(r.message for r in changed)
    assert '"007"^^xsd:integer will be stored as "7"^^xsd:integer' in text
    assert '"5"^^xsd:int will be stored as "5"^^xsd:integer' in text
    stored = memory_store.query(
        'ASK { ?x <https://example.org/code> "7"^^<http://www.w3.org/2001/XMLSchema#integer> }'
    )
    assert stored, "the engine did canonicalise it, as the warning said"
    record = outcome.sources[0].record
    assert record.warnings >= 2 and record.violations == 0
