"""Every page, at 1400 and 800 px: axe-core (from web/node_modules, injected into the page)
finds no serious or critical problem, and the page uses the one navigation bar. Also the
resource page's asserted/inferred split and the class tree's counts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from svckg.api.app import create_app
from svckg.config import Settings
from svckg.demo import load_demo
from svckg.store.embedded import EmbeddedStore
from tests.conftest import REPO_ROOT as PROJECT_ROOT

AXE = PROJECT_ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
MAIL = "https://w3id.org/svckg/id/mail-server"
PAGES = {
    "viewer": f"/#n={quote(MAIL, safe='')}&f={quote(MAIL, safe='')}&impact=1",
    "catalogue": "/ui/catalogue",
    "classes": "/ui/classes",
    "imports": "/ui/imports",
    "sparql": "/ui/sparql",
    "validate": "/ui/validate",
    "graphiql": "/graphql",
    "resource": "/id/email-service",
    "term": "/resource?iri=" + quote("https://w3id.org/svckg#BackendService", safe=""),
    "endpoint": "/sparql",
    "api-docs": "/docs",
}
READY = {
    "viewer": "#impacted-list li",
    "catalogue": "#catalogue-table tbody tr",
    "classes": "#class-tree li",
    "imports": "#imports-table tbody tr",
    "sparql": "#query-picker optgroup",
    "graphiql": ".graphiql-container",
    "resource": "#svckg-neighbourhood canvas",
    "term": "#svckg-neighbourhood canvas",
    "api-docs": ".swagger-ui .info .title",
}


@pytest.mark.browser
@pytest.mark.parametrize("width", [1400, 800])
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_nothing_serious(page, ui_server: str, shot: Callable, name: str, width: int):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `cd web && npm ci`", pytrace=False)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(ui_server + PAGES[name], wait_until="networkidle")
    if name in READY:
        page.wait_for_selector(READY[name], state="attached")
    if name != "api-docs":  # swagger-ui has its own header; every svckg page has the bar
        assert page.locator("header.site nav a").count() >= 6, "not the shared navigation"
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"
    )
    shot(page, f"40-a11y-{name}-{width}")
    serious = [v for v in found if v["impact"] in ("serious", "critical")]
    assert not serious, f"{name} at {width}px: {serious}"


@pytest.fixture(scope="module")
def demo() -> Iterator[tuple[TestClient, EmbeddedStore]]:
    store = EmbeddedStore(None)
    load_demo(store)
    with TestClient(create_app(Settings(store=":memory:"), store=store)) as client:
        yield client, store
    store.close()


def test_class_tree_counts_match_sparql(demo) -> None:
    client, store = demo
    view = client.get("/api/ui/classes").json()
    flat: dict[str, dict] = {}

    def walk(node: dict) -> None:
        flat[node["iri"]] = node
        for child in node["children"]:
            walk(child)

    for root in view["roots"]:
        walk(root)
    assert len(flat) == view["classes"]
    for iri in ("https://w3id.org/svckg#Agreement", "https://w3id.org/svckg#BackendService"):
        direct = store.query(
            "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s a ?c }", substitutions={"c": ox.NamedNode(iri)}
        )
        total = store.query(
            "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?k <http://www.w3.org/2000/01/rdf-schema#"
            "subClassOf>* ?c . ?s a ?k }",
            substitutions={"c": ox.NamedNode(iri)},
        )
        assert flat[iri]["count"] == int(next(iter(direct))["n"].value)
        assert flat[iri]["total"] == int(next(iter(total))["n"].value)
    agreement = flat["https://w3id.org/svckg#Agreement"]
    assert agreement["total"] > agreement["count"] and agreement["children"]
    props = {p["iri"]: p for p in view["properties"]}
    owned = props["https://w3id.org/svckg#ownedBy"]
    assert owned["range"] and owned["label"] == "owned by"


def test_resource_page_shows_inferred_apart_and_folded(demo) -> None:
    client, store = demo
    html = client.get("/id/email-service", headers={"Accept": "text/html"}).text
    inferred = {
        (q.predicate.value, q.object.value)
        for q in store.quads(ox.NamedNode("https://w3id.org/svckg/id/email-service"), None, None)
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.endswith("/inferred")
    }
    assert inferred, "the demo infers something about e-mail"
    assert '<details class="inferred" id="inferred-out">' in html
    assert f"Inferred by the reasoner ({len(inferred)})" in html
    # a triple both stated and inferred is listed once, as stated
    asserted_part = html.split('id="asserted-out"', 1)[1].split("</table>", 1)[0]
    assert "uses resource" in asserted_part
    assert 'badge">inferred' not in asserted_part
    assert '<link rel="stylesheet" href="/static/style.css">' in html
