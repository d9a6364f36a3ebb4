"""The browser UI in real headless Chromium against svckg serving the demo landscape.

Each step saves a screenshot in ``test-artifacts/ui/``. The ``page`` fixture blocks and
records every request to a host other than the test server: the UI must work offline.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, quote

import httpx
import pytest

from svckg.config import DATA_DIR
from tests.conftest import fixture_path, requires_fixtures

pytestmark = pytest.mark.browser

MAIL_SERVER = "https://w3id.org/svckg/id/mail-server"


def _open_mail_server(page, ui_server: str) -> None:
    page.goto(f"{ui_server}/")
    page.get_by_label("Search by label").fill("mail server")
    page.wait_for_selector("#search-results li[role=option]")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_selector("#details h1:text-is('Mail server')")


def _graph_nodes(page) -> list[dict]:
    return page.evaluate(
        "() => window.svckgViewer.cy.nodes().map(n => ({id: n.id(), classes: n.classes()}))"
    )


def test_search_open_and_expand(page, ui_server: str, shot: Callable) -> None:
    """Search by label with the keyboard, open the element, expand one relation by its count."""
    page.goto(f"{ui_server}/")
    shot(page, "01-viewer-empty")
    page.get_by_label("Search by label").fill("mail")
    options = page.locator("#search-results li[role=option]")
    options.first.wait_for()
    assert "Mail server" in options.all_text_contents()[0]
    shot(page, "02-search-results")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_selector("#details h1:text-is('Mail server')")
    assert [n["id"] for n in _graph_nodes(page)] == [MAIL_SERVER]
    # the relation groups show their counts before anything is expanded
    expand = page.locator(
        "button.expand[data-direction=out][data-predicate='https://w3id.org/svckg#usesResource']"
    )
    count = int(re.sub(r"\D", "", expand.text_content()))
    expected = httpx.get(
        f"{ui_server}/api/ui/neighbours",
        params={
            "iri": MAIL_SERVER,
            "direction": "out",
            "predicate": "https://w3id.org/svckg#usesResource",
        },
    ).json()["total"]
    assert count == expected >= 1
    expand.click()
    page.wait_for_function(f"() => window.svckgViewer.cy.nodes().length === {1 + expected}")
    edges = page.evaluate(
        "() => window.svckgViewer.cy.edges().map(e => [e.data('source'), e.data('target')])"
    )
    assert len(edges) == expected and all(source == MAIL_SERVER for source, _ in edges)
    assert "Added" in page.text_content("#expand-status")
    # the permalink names every node and the selection; opening it restores the view
    fragment = parse_qs(page.url.split("#", 1)[1])
    assert set(fragment["n"]) == {n["id"] for n in _graph_nodes(page)}
    assert fragment["s"] == [MAIL_SERVER]
    shot(page, "03-expanded")
    page.goto("about:blank")
    page.goto(
        f"{ui_server}/#"
        + "&".join(f"n={quote(i, safe='')}" for i in fragment["n"])
        + f"&s={quote(MAIL_SERVER, safe='')}"
    )
    page.wait_for_selector("#details h1:text-is('Mail server')")
    page.wait_for_function(f"() => window.svckgViewer.cy.nodes().length === {1 + expected}")
    assert page.evaluate("() => window.svckgViewer.cy.edges().length") == expected
    shot(page, "04-permalink-restored")
    # keyboard: focus the graph, walk to another element with the arrows, open it with Enter
    page.focus("#graph")
    page.keyboard.press("ArrowRight")
    announced = page.text_content("#graph-focus")
    assert re.search(rf"\(\d+ of {1 + expected}\)$", announced)
    selected = page.evaluate("() => window.svckgViewer.cy.nodes(':selected').data('label')")
    assert announced.startswith(selected)
    if selected == "Mail server":
        page.keyboard.press("ArrowRight")
        selected = page.evaluate("() => window.svckgViewer.cy.nodes(':selected').data('label')")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#details h1:text-is('{selected}')")


def test_impact_overlay(page, ui_server: str, shot: Callable) -> None:
    """Mark an element failed, run impact: down/degraded nodes highlighted, customer-visible
    ones marked, agreements and parties listed, paths shown on hover."""
    _open_mail_server(page, ui_server)
    page.get_by_role("button", name="Mark as failed").click()
    page.get_by_role("button", name="Run impact").click()
    page.wait_for_selector("#impacted-list li")
    expected = httpx.get(
        f"{ui_server}/api/impact", params={"element": MAIL_SERVER, "paths": 3}
    ).json()
    impacted = {i["iri"]: i for i in expected["impacted"]}
    assert impacted, "the demo's mail server must impact something"
    listed = page.eval_on_selector_all("#impacted-list li", "els => els.map(e => e.dataset.iri)")
    assert set(listed) == set(impacted)
    nodes = {n["id"]: n["classes"] for n in _graph_nodes(page)}
    assert "failed" in nodes[MAIL_SERVER]
    for iri, item in impacted.items():
        if iri in nodes:
            assert ("degraded" if item["status"] == "degraded" else "down") in nodes[iri]
            assert ("visible" in nodes[iri]) == bool(item["customerVisible"])
    assert any(item["customerVisible"] for item in impacted.values())
    assert page.locator("#impacted-list .badge.visible").count() == sum(
        1 for i in impacted.values() if i["customerVisible"]
    )
    assert page.locator("#agreements li").count() == len(expected["agreements"])
    assert page.locator("#parties li").count() == len(expected["parties"])
    shot(page, "05-impact")
    # hover the farthest drawn element: its path to the failed element is highlighted
    far = max((i for i in impacted.values() if i["iri"] in nodes), key=lambda i: i["distance"])
    position = page.evaluate(
        "iri => { const n = window.svckgViewer.cy.getElementById(iri);"
        " const p = n.renderedPosition(); const b = document.getElementById('graph')"
        ".getBoundingClientRect(); return {x: b.left + p.x, y: b.top + p.y}; }",
        far["iri"],
    )
    page.mouse.move(position["x"], position["y"])
    page.wait_for_selector("#tooltip", state="visible")
    highlighted = page.evaluate("() => window.svckgViewer.cy.edges('.path').length")
    assert highlighted >= far["distance"]
    assert "Mail server" in page.text_content("#tooltip")
    shot(page, "06-impact-path-hover")


def test_sparql_console_runs_a_query(page, ui_server: str, shot: Callable) -> None:
    """YASGUI on /sparql with the named queries in one picker (issue 17: not a tab each);
    running the default query shows rows."""
    page.goto(f"{ui_server}/ui/sparql")
    page.wait_for_selector("#sparql-status:has-text('named queries in the picker')")
    names = {q["name"] for q in httpx.get(f"{ui_server}/api/queries").json()}
    picker = page.eval_on_selector_all("#query-picker option", "els => els.map(e => e.value)")
    assert set(picker) - {""} == names and len(picker) == len(names) + 1
    assert page.locator(".yasgui .tabsList .tab a[role=tab]").count() == 1
    page.evaluate(
        "() => window.svckgYasgui.getTab().getYasqe().setValue("
        "'PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\\n"
        "SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?label LIMIT 7')"
    )
    page.locator(".yasqe_queryButton").first.click()
    rows = page.locator(".yasr table.dataTable tbody tr")
    rows.first.wait_for()
    assert rows.count() == 7
    shot(page, "07-sparql-results")
    # typing a svckg prefix adds its declaration (prefixes preset, no prefix.cc lookup)
    page.evaluate("() => window.svckgYasgui.getTab().getYasqe().setValue('SELECT * WHERE { ?s a ')")
    page.evaluate(
        "() => { const y = window.svckgYasgui.getTab().getYasqe(); y.focus();"
        " y.setCursor(y.lineCount(), 0); }"
    )
    page.keyboard.type("svc:")
    page.wait_for_function(
        "() => window.svckgYasgui.getTab().getYasqe().getValue()"
        ".includes('PREFIX svc: <https://w3id.org/svckg#>')"
    )


def test_validation_page_shows_the_violation(page, ui_server: str, shot: Callable) -> None:
    """Uploading an invalid file shows its violation grouped by shape, with the element and
    where it is in the file; nothing is imported."""
    invalid: Path = DATA_DIR / "invalid" / "sla-without-target.ttl"
    shape = invalid.read_text().splitlines()[0].split("svcsh:", 1)[1].strip()
    before = httpx.get(f"{ui_server}/api/ui/search", params={"q": "sla"}).json()["results"]
    page.goto(f"{ui_server}/ui/validate")
    page.get_by_label("File", exact=True).set_input_files(str(invalid))
    page.get_by_role("button", name="Validate").click()
    page.wait_for_selector("#report .report-group")
    status = page.text_content("#validate-status")
    assert "does not conform" in status
    groups = page.locator(".report-group", has_text=shape)
    assert groups.count() == 1
    violation = groups.locator("tr.result[data-severity=Violation]")
    assert violation.count() >= 1
    assert invalid.name in violation.first.text_content()
    assert page.get_by_role("button", name="Import").is_disabled()
    after = httpx.get(f"{ui_server}/api/ui/search", params={"q": "sla"}).json()["results"]
    assert after == before
    shot(page, "08-validation-violation")


def test_graphiql_runs_a_query_against_graphql(page, ui_server: str, shot: Callable) -> None:
    """The GraphiQL bundle renders without outside requests and POSTs to /graphql."""
    page.goto(f"{ui_server}/graphql")
    page.wait_for_selector(".graphiql-container .graphiql-query-editor .CodeMirror")
    page.evaluate(
        "() => document.querySelector('.graphiql-query-editor .CodeMirror')"
        ".CodeMirror.setValue('{ __typename }')"
    )
    page.locator(".graphiql-execute-button").click()
    page.wait_for_function(
        "() => (document.querySelector('.graphiql-response') || {}).textContent"
        "?.includes('__typename')"
    )
    assert '"Query"' in page.text_content(".graphiql-response")
    shot(page, "11-graphiql")


def test_resource_page_neighbourhood(page, ui_server: str, shot: Callable) -> None:
    """The resource page of an element draws its neighbourhood graph."""
    page.goto(f"{ui_server}/id/mail-server", wait_until="networkidle")
    container = page.locator("#svckg-neighbourhood")
    assert container.count() == 1, "the resource page does not include the neighbourhood graph"
    page.wait_for_function("() => document.querySelector('#svckg-neighbourhood canvas') !== null")
    assert "linked elements" in (container.get_attribute("aria-label") or "")
    shot(page, "12-resource-page")
    # the ontology's own terms are documented the same way
    page.goto(f"{ui_server}/resource?iri={quote('https://w3id.org/svckg#BackendService', safe='')}")
    page.wait_for_function("() => document.querySelector('#svckg-neighbourhood canvas') !== null")
    assert page.text_content("h1") == "backend service"


@pytest.mark.parametrize(
    "model",
    [
        pytest.param(fixture_path("archimate/archisurance.xml"), marks=requires_fixtures),
        Path(__file__).parents[1] / "ingest_ea" / "data" / "tiny-shop.xml",
    ],
    ids=["archisurance", "tiny-shop"],
)
def test_validation_page_groups_an_archimate_report_by_shape_and_element(
    page, ui_server: str, shot: Callable, model: Path
) -> None:
    """An ArchiMate exchange-format model: one group per shape, one row per result, each
    naming the model's element id (archisurance has violations, tiny-shop only warnings)."""
    expected = httpx.post(
        f"{ui_server}/api/ui/validate",
        files=[("file", (model.name, model.read_bytes(), "application/xml"))],
    ).json()["report"]
    page.goto(f"{ui_server}/ui/validate")
    page.get_by_label("File", exact=True).set_input_files(str(model))
    page.get_by_label("Format").select_option("archimate")
    page.get_by_role("button", name="Validate").click()
    page.wait_for_selector("#report .report-group")
    shapes = {r["source_shape"] for r in expected["results"]}
    assert page.locator(".report-group").count() == len(shapes)
    assert page.locator("tr.result").count() == len(expected["results"])
    severity = "Violation" if expected["violations"] else "Warning"
    first = next(r for r in expected["results"] if r["severity"] == severity)
    row = page.locator(f"tr.result[data-severity={severity}]").first
    assert f"element {first['location']['element_id']}" in row.text_content()
    shot(page, f"09-validation-archimate-{model.stem}")


def test_validation_page_imports_a_conforming_file_with_a_token(
    page, ui_server: str, shot: Callable, tmp_path: Path, editor_token: str
) -> None:
    """A conforming file can be imported only with an editor token; then it is searchable."""
    upload = tmp_path / "browser-review-team.ttl"
    upload.write_text(
        "@prefix svc: <https://w3id.org/svckg#> . @prefix id: <https://w3id.org/svckg/id/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        'id:browser-review-team a svc:Team ; rdfs:label "Browser review team"@en .\n'
    )
    page.goto(f"{ui_server}/ui/validate")
    page.get_by_label("File", exact=True).set_input_files(str(upload))
    page.get_by_role("button", name="Validate").click()
    page.wait_for_selector("#report h2:text-is('The file conforms')")
    assert "Enter an editor token" in page.text_content("#validate-status")
    assert page.get_by_role("button", name="Import").is_disabled()
    page.get_by_label("Editor token").fill(editor_token)
    page.get_by_role("button", name="Import").click()
    page.wait_for_selector("#validate-status:has-text('Imported')")
    assert "browser-review-team.ttl (created" in page.text_content("#validate-status")
    shot(page, "10-validation-imported")
    found = httpx.get(f"{ui_server}/api/ui/search", params={"q": "browser review team"}).json()
    assert [r["iri"] for r in found["results"]] == ["https://w3id.org/svckg/id/browser-review-team"]


def test_api_docs_page_loads_offline(page, ui_server: str, shot: Callable) -> None:
    """The OpenAPI docs (swagger-ui from web/dist/swagger-ui) render with no outside request."""
    page.goto(f"{ui_server}/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert page.locator("#operations-tag-ui").count() == 1
    shot(page, "13-api-docs")
