"""The SPARQL console's parameters: a named query run with a parameter missing answers with an
error naming it (REST route, console bind route and browser), never with every element."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from svckg.api.app import create_app
from svckg.config import Settings
from svckg.demo import load_demo
from svckg.store.embedded import EmbeddedStore

ID = "https://w3id.org/svckg/id/"
QUERY = "impact-affected-elements"


@pytest.fixture(scope="module")
def demo() -> Iterator[TestClient]:
    store = EmbeddedStore(None)
    load_demo(store)
    with TestClient(create_app(Settings(store=":memory:"), store=store)) as client:
        yield client
    store.close()


def test_rest_route_names_the_missing_parameter(demo) -> None:
    response = demo.get(f"/api/queries/{QUERY}")
    assert response.status_code == 400
    assert "missing parameter(s) failed" in response.json()["message"]
    bound = demo.get(f"/api/queries/{QUERY}", params={"failed": "id:mail-server"}).json()
    assert bound["rows"]


def test_bind_route_binds_as_the_rest_route_runs(demo) -> None:
    text = demo.get(f"/api/queries/{QUERY}/sparql").text
    missing = demo.post("/api/ui/sparql/bind", json={"query": text, "name": QUERY})
    assert missing.status_code == 400
    assert "failed" in missing.json()["message"] and QUERY in missing.json()["message"]
    empty = demo.post(
        "/api/ui/sparql/bind", json={"query": text, "params": {"failed": "  "}, "name": QUERY}
    )
    assert empty.status_code == 400 and "failed" in empty.json()["message"]
    bound = demo.post(
        "/api/ui/sparql/bind", json={"query": text, "params": {"failed": "id:mail-server"}}
    ).json()
    assert "?_failed_iri" not in bound["query"] and f"<{ID}mail-server>" in bound["query"]
    assert bound["parameters"] == [{"name": "failed", "variable": "_failed_iri", "kind": "iri"}]
    via_sparql = demo.post(
        "/sparql",
        data={"query": bound["query"]},
        headers={"Accept": "application/sparql-results+json"},
    ).json()["results"]["bindings"]
    via_rest = demo.get(f"/api/queries/{QUERY}", params={"failed": "id:mail-server"}).json()
    assert len(via_sparql) == len(via_rest["rows"])
    # unbound, the same text matches far more: the error above is what keeps users from it
    unbound = demo.post(
        "/sparql", data={"query": text}, headers={"Accept": "application/sparql-results+json"}
    ).json()["results"]["bindings"]
    assert len(unbound) > len(via_sparql)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"query": "SELECT * { ?_x_iri ?p ?o }", "params": {"x": "not an iri"}}, "x"),
        ({"query": "SELECT * { ?s ?p ?o }", "params": {"nope": "id:a"}}, "nope"),
        ({"query": "SELECT * { ?s ?p ?_n_integer }", "params": {"n": "12a"}}, "integer"),
        ({"params": {}}, "query"),
    ],
)
def test_bind_route_bad_input(demo, body: dict, fragment: str) -> None:
    response = demo.post("/api/ui/sparql/bind", json=body)
    assert response.status_code == 400, response.text
    assert fragment in response.text


def test_a_value_is_bound_as_a_term_never_as_text(demo) -> None:
    evil = '"} DROP ALL ; INSERT DATA { <a:b> <a:c> <a:d> } #'
    bound = demo.post(
        "/api/ui/sparql/bind",
        json={"query": "SELECT ?s { ?s ?p ?_text }", "params": {"text": evil}},
    ).json()["query"]
    assert "DROP ALL" in bound and '\\"} DROP ALL' in bound  # escaped inside one literal


@pytest.mark.browser
def test_console_form_errors_then_runs(page, ui_server: str, shot: Callable) -> None:
    page.goto(f"{ui_server}/ui/sparql")
    page.wait_for_selector("#sparql-status:has-text('named queries in the picker')")
    page.select_option("#query-picker", QUERY)
    page.wait_for_selector("#param-failed")
    assert "PREFIX id: <https://w3id.org/svckg/id/>" in page.evaluate(
        "() => window.svckgYasgui.getTab().getYasqe().getValue()"
    )
    page.locator(".yasqe_queryButton").first.click()
    page.wait_for_selector("#sparql-status.error")
    assert "missing parameter(s) failed" in page.text_content("#sparql-status")
    assert page.locator(".yasr table.dataTable tbody tr").count() == 0
    shot(page, "26-sparql-missing-parameter")
    page.get_by_label("failed").fill("id:mail-server")
    page.locator(".yasqe_queryButton").first.click()
    rows = page.locator(".yasr table.dataTable tbody tr")
    rows.first.wait_for()
    expected = httpx.get(
        f"{ui_server}/api/queries/{QUERY}", params={"failed": "id:mail-server"}
    ).json()["rows"]
    page.wait_for_function(
        "n => document.querySelectorAll('.yasr table.dataTable tbody tr').length === n",
        arg=len(expected),
    )
    # results are short: id: is declared
    assert "id:cloud-workplace" in page.text_content(".yasr table.dataTable tbody")
    shot(page, "27-sparql-named-query-bound")
