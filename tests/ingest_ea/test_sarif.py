"""`svckg validate` on EA sources: located results as a table, JSON and SARIF 2.1.0."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from svckg.cli.app import app
from svckg.validation.render import render_sarif
from svckg.validation.report import SourceLocation, ValidationReport, ValidationResult
from tests.conftest import fixture_path, requires_fixtures, skip_unless_fixtures

ARCHISURANCE = fixture_path("archimate/archisurance.xml")
LEVELS = {"error", "warning", "note", "none"}


def _lines_by_identifier(path=ARCHISURANCE) -> dict[str, int]:
    root = etree.parse(str(path)).getroot()
    return {el.get("identifier"): el.sourceline for el in root.iter() if el.get("identifier")}


@pytest.fixture(scope="module")
def sarif(tmp_path_factory) -> dict:
    skip_unless_fixtures()
    store = str(tmp_path_factory.mktemp("sarif") / "store")
    # the strict profile: Archisurance's catalogue gaps are violations there (SARIF errors)
    result = CliRunner().invoke(
        app,
        [
            "validate",
            str(ARCHISURANCE),
            "--format",
            "sarif",
            "--store",
            store,
            "--profile",
            "strict",
        ],
    )
    assert result.exit_code == 1, result.output  # violations
    return json.loads(result.stdout)


def test_sarif_document_shape(sarif: dict) -> None:
    assert sarif["version"] == "2.1.0" and sarif["$schema"].endswith("sarif-2.1.0.json")
    (run,) = sarif["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "svckg" and driver["rules"]
    rule_ids = [r["id"] for r in driver["rules"]]
    assert len(rule_ids) == len(set(rule_ids))
    assert run["results"]
    for res in run["results"]:
        assert res["level"] in LEVELS
        assert res["message"]["text"]
        assert rule_ids[res["ruleIndex"]] == res["ruleId"]
    levels = {r["level"] for r in run["results"]}
    assert "error" in levels


def test_sarif_results_point_at_the_element_line(sarif: dict) -> None:
    lines = _lines_by_identifier()
    for res in sarif["runs"][0]["results"]:
        (loc,) = res["locations"]
        physical = loc["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == "archisurance.xml"
        ident = res["properties"]["sourceIdentifier"]
        assert physical["region"]["startLine"] == lines[ident]
        assert loc["logicalLocations"][0]["fullyQualifiedName"].endswith("/" + ident)


@requires_fixtures
def test_table_and_json_show_locations(tmp_path) -> None:
    store = str(tmp_path / "store")
    runner = CliRunner()
    table = runner.invoke(
        app, ["validate", str(ARCHISURANCE), "--store", store, "--profile", "strict"]
    )
    assert table.exit_code == 1
    default = runner.invoke(app, ["validate", str(ARCHISURANCE), "--store", store])
    assert default.exit_code == 0, "a correct ArchiMate model has warnings only by default"
    failing = runner.invoke(
        app, ["validate", str(ARCHISURANCE), "--store", store, "--fail-on", "warning"]
    )
    assert failing.exit_code == 1
    assert "archisurance.xml, line" in table.stdout and "id-1202" in table.stdout
    js = runner.invoke(app, ["validate", str(ARCHISURANCE), "--format", "json", "--store", store])
    body = json.loads(js.stdout)
    located = [r for r in body["results"] if r["location"]]
    assert located and len(located) == len(body["results"])
    claim = [r["location"] for r in located if r["location"]["element_id"] == "id-1202"]
    assert claim and claim[0]["line"] == 221 and claim[0]["file"] == "archisurance.xml"


def test_sarif_for_rows_and_sheets() -> None:
    r = ValidationResult(
        focus_node="https://w3id.org/svckg/id/inv/S1",
        severity="Warning",
        message="No owner",
        source_shape="https://w3id.org/svckg/shapes#X",
        constraint_component="http://www.w3.org/ns/shacl#MinCountConstraintComponent",
        location=SourceLocation(file="inv.xlsx [Services]", row=4, column=2, element_id="S1"),
    )
    unlocated = ValidationResult("urn:x", "Info", "note", "urn:s", "urn:c")
    run = json.loads(render_sarif(ValidationReport([r, unlocated])))["runs"][0]
    first, second = run["results"]
    loc = first["locations"][0]
    assert loc["physicalLocation"] == {
        "artifactLocation": {"uri": "inv.xlsx"},
        "region": {"startLine": 4, "startColumn": 2},
    }
    assert loc["properties"] == {"sheet": "Services"} and first["level"] == "warning"
    assert "physicalLocation" not in second["locations"][0] and second["level"] == "note"


def test_sarif_on_the_own_model_points_at_element_lines(tmp_path) -> None:
    """tiny-shop conforms with warnings: exit 0, every result a located SARIF warning."""
    model = Path(__file__).parent / "data" / "tiny-shop.xml"
    result = CliRunner().invoke(
        app, ["validate", str(model), "--format", "sarif", "--store", str(tmp_path / "s")]
    )
    assert result.exit_code == 0, result.output
    results = json.loads(result.stdout)["runs"][0]["results"]
    lines = _lines_by_identifier(model)
    assert results and {r["level"] for r in results} == {"warning"}
    for res in results:
        region = res["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] == lines[res["properties"]["sourceIdentifier"]]
