"""Spreadsheet import (CSV and XLSX) with a YAML mapping, and its located errors."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from svckg.errors import InputError, ParseError
from svckg.ingest import pipeline, tabular
from svckg.ingest.base import SourceFile
from svckg.ingest.registry import detect_format

SVC = "https://w3id.org/svckg#"
ID = "https://w3id.org/svckg/id/inventory/"
MAPPING = """
model: inventory
name: Service inventory
entities:
  - sheet: Teams
    class: svc:Team
    id: Team ID
    label: Team
  - sheet: Services
    class_column: Kind
    class_values: {CFS: svc:CustomerFacingService, BES: svc:BackendService}
    id: ID
    label: Name
    columns:
      Owner: {property: svc:ownedBy, lookup: label}
      Includes: {property: svc:includesService, lookup: id, separator: ";"}
      Status: {property: svc:lifecycleStatus, values: {Live: svcc:live, Retired: svcc:retired}}
      Cost center: svc:costCenter
      Notes: {property: rdfs:comment, language: en}
"""
SERVICES = (
    "ID,Kind,Name,Owner,Includes,Status,Cost center,Notes\n"
    'S1,CFS,Workplace,Platform team,S2; S3,Live,CC-1,"Desk, laptop\nand phone"\n'
    "S2,BES,Hosting,Platform team,,Live,CC-2,\n"
    "S3,BES,Identity,Platform team,,Retired,,\n"
)


@pytest.fixture
def mapping(tmp_path: Path) -> Path:
    path = tmp_path / "inventory.yaml"
    path.write_text(MAPPING, encoding="utf-8")
    return path


def _xlsx(services: str = SERVICES) -> bytes:
    wb = Workbook()
    teams = wb.active
    teams.title = "Teams"
    teams.append(["Team ID", "Team"])
    teams.append(["T1", "Platform team"])
    ws = wb.create_sheet("Services")
    import csv

    for row in csv.reader(io.StringIO(services)):
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _edges(staged) -> set[tuple[str, str, str]]:
    return {(t.subject.value, t.predicate.value, t.object.value) for t in staged.triples}


def test_xlsx_with_two_sheets_and_lookups(mapping: Path) -> None:
    f = SourceFile("inventory.xlsx", _xlsx())
    assert detect_format(f.name, f.data) == "tabular"
    staged = tabular.parse(f, mapping)
    assert (staged.model_name, staged.model_id, staged.format) == (
        "Service inventory",
        "inventory",
        "tabular",
    )
    edges = _edges(staged)
    assert (
        ID + "S1",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
        SVC + "CustomerFacingService",
    ) in edges
    assert (ID + "S1", SVC + "includesService", ID + "S2") in edges
    assert (ID + "S1", SVC + "includesService", ID + "S3") in edges
    assert (ID + "S2", SVC + "ownedBy", ID + "T1") in edges
    assert (ID + "S3", SVC + "lifecycleStatus", "https://w3id.org/svckg/concepts/retired") in edges
    assert (ID + "S1", SVC + "costCenter", "CC-1") in edges
    note = next(
        t.object
        for t in staged.triples
        if t.predicate.value == "http://www.w3.org/2000/01/rdf-schema#comment"
    )
    assert (note.value, note.language) == ("Desk, laptop\nand phone", "en")
    loc = staged.locations[ID + "S2"]
    assert (loc.file, loc.row, loc.column, loc.element_id, loc.element_name) == (
        "inventory.xlsx [Services]",
        3,
        1,
        "S2",
        "Hosting",
    )


def test_csv_gives_the_same_services(mapping: Path, tmp_path: Path) -> None:
    csv_map = tmp_path / "csv.yaml"
    # a CSV holds one sheet: the services, owners left out
    csv_map.write_text(
        MAPPING.split("  - sheet: Teams")[0]
        + "  - sheet: Services"
        + MAPPING.split("  - sheet: Services")[1].replace(
            "      Owner: {property: svc:ownedBy, lookup: label}\n", ""
        ),
        encoding="utf-8",
    )
    staged = tabular.parse(SourceFile("services.csv", SERVICES.encode()), csv_map)
    xlsx = tabular.parse(SourceFile("inventory.xlsx", _xlsx()), mapping)
    ours = _edges(staged)
    theirs = {e for e in _edges(xlsx) if e[1] != SVC + "ownedBy" and "/T1" not in e[0]}
    assert ours == theirs
    assert staged.locations[ID + "S3"].row == 4  # a record with a line break is one row
    assert staged.locations[ID + "S3"].file == "services.csv"
    assert staged.locations[ID + "S3"].line == 5  # ...and starts on file line 5


def test_missing_mapping_says_to_pass_one() -> None:
    with pytest.raises(InputError, match="--mapping FILE.yaml"):
        tabular.parse(SourceFile("s.csv", b"ID\n1\n"), None)


@pytest.mark.parametrize(
    ("services", "message", "where"),
    [
        (
            SERVICES.replace("Owner,", "Responsible,"),
            "missing column 'Owner'",
            "inventory.xlsx [Services], row 1",
        ),
        (
            SERVICES.replace("S2; S3", "S2; S9"),
            "no row has the identifier 'S9'",
            "inventory.xlsx [Services], row 2, column 5 (Includes)",
        ),
        (
            SERVICES.replace("BES,Hosting,Platform team", "BES,Hosting,Nobody"),
            "no row has the label 'Nobody'",
            "inventory.xlsx [Services], row 3, column 4 (Owner)",
        ),
        (
            SERVICES.replace("Retired", "Sunset"),
            "'Sunset' is not one of",
            "inventory.xlsx [Services], row 4, column 6 (Status)",
        ),
        (
            SERVICES.replace("S3,BES", ",BES"),
            "empty identifier",
            "inventory.xlsx [Services], row 4, column 1 (ID)",
        ),
        (
            SERVICES.replace("S3,BES", "S2,BES"),
            "duplicate identifier 'S2'",
            "inventory.xlsx [Services], row 4, column 1 (ID)",
        ),
        (
            SERVICES.replace("S2,BES", "S2,XYZ"),
            "'XYZ' is not one of the class values",
            "inventory.xlsx [Services], row 3, column 2 (Kind)",
        ),
    ],
)
def test_bad_cells_are_located(mapping: Path, services: str, message: str, where: str) -> None:
    with pytest.raises(InputError) as err:
        tabular.parse(SourceFile("inventory.xlsx", _xlsx(services)), mapping)
    assert message in err.value.message
    assert err.value.where == where


def test_bad_mapping_and_bad_workbook(tmp_path: Path, mapping: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("entities:\n  - id: ID\n    columns: {a: [\n", encoding="utf-8")
    with pytest.raises(ParseError) as err:
        tabular.parse(SourceFile("s.csv", b"ID\n1\n"), broken)
    assert err.value.line is not None
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("entities:\n  - id: ID\n    class: foo:Bar\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown prefix in 'foo:Bar'"):
        tabular.parse(SourceFile("s.csv", b"ID\n1\n"), unknown)
    with pytest.raises(ParseError, match="not a readable XLSX workbook"):
        tabular.parse(SourceFile("x.xlsx", b"PK\x03\x04 not really a zip"), mapping)
    with pytest.raises(InputError, match="no sheet named 'Teams'"):
        wb = Workbook()
        buf = io.BytesIO()
        wb.save(buf)
        tabular.parse(SourceFile("x.xlsx", buf.getvalue()), mapping)


def test_spreadsheet_through_the_pipeline(memory_store, mapping: Path) -> None:
    f = SourceFile("inventory.xlsx", _xlsx())
    report = pipeline.validate_sources(memory_store, [f], mapping=mapping)
    # every result points back at a sheet row
    for r in report.results:
        if r.focus_node.startswith(ID):
            assert r.location is not None and r.location.row is not None
    out = pipeline.import_sources(memory_store, [f], mapping=mapping, allow_violations=True)
    assert out.sources[0].record.model_id == "inventory"
    ask = memory_store.query(f"ASK {{ <{ID}S1> <{SVC}includesService> <{ID}S2> }}")
    assert bool(ask)
