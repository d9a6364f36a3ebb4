"""Catalogue lists (/ui/catalogue and /api/ui/catalogue): every instance of a list's class and
its subclasses once, sorted, filtered and paged; writes are seen; bad input is named."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator

import httpx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from svckg.api.app import create_app
from svckg.api.catalogue import KINDS
from svckg.config import Settings
from svckg.demo import load_demo
from svckg.store.embedded import EmbeddedStore

SVC = "https://w3id.org/svckg#"
ID = "https://w3id.org/svckg/id/"


@pytest.fixture(scope="module")
def demo() -> Iterator[tuple[TestClient, EmbeddedStore]]:
    store = EmbeddedStore(None)
    load_demo(store)
    with TestClient(create_app(Settings(store=":memory:"), store=store)) as client:
        yield client, store
    store.close()


def _instances(store: EmbeddedStore, cls: str) -> set[str]:
    """Instances of ``cls`` or a subclass, by SPARQL (not the code under test)."""
    rows = store.query(
        "SELECT DISTINCT ?s WHERE { ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?root ."
        " ?s a ?c FILTER(isIRI(?s)) }",
        substitutions={"root": ox.NamedNode(cls)},
    )
    return {r[0].value for r in rows}


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_list_holds_every_instance_once(demo, kind: str) -> None:
    client, store = demo
    expected = _instances(store, SVC + KINDS[kind][1])
    counts = {x["kind"]: x["count"] for x in client.get("/api/ui/catalogue").json()["lists"]}
    assert counts[kind] == len(expected)
    seen: Counter = Counter()
    offset = 0
    while True:
        page = client.get(f"/api/ui/catalogue/{kind}", params={"offset": offset, "limit": 4}).json()
        seen.update(r["iri"] for r in page["rows"])
        offset += 4
        if offset >= page["total"]:
            break
    assert seen == Counter(expected)  # each exactly once across pages


def test_sort_by_each_column_both_ways(demo) -> None:
    client, _ = demo
    labels = [
        r["label"].lower()
        for r in client.get("/api/ui/catalogue/backend", params={"limit": 200}).json()["rows"]
    ]
    assert labels == sorted(labels) and len(labels) > 3
    down = client.get("/api/ui/catalogue/backend", params={"limit": 200, "order": "desc"}).json()[
        "rows"
    ]
    assert [r["label"].lower() for r in down] == sorted(labels, reverse=True)
    owners = client.get("/api/ui/catalogue/backend", params={"limit": 200, "sort": "owner"}).json()[
        "rows"
    ]
    firsts = [r["owners"][0]["label"].lower() for r in owners if r["owners"]]
    assert firsts == sorted(firsts)
    # rows without an owner come last when sorted by owner
    assert all(r["owners"] for r in owners[: len(firsts)])


def test_filter_matches_label_class_owner_or_status(demo) -> None:
    client, _ = demo
    every = client.get("/api/ui/catalogue/cfs", params={"limit": 200}).json()["rows"]
    owner = every[0]["owners"][0]["label"]
    by_owner = client.get("/api/ui/catalogue/cfs", params={"q": owner.upper()}).json()
    assert by_owner["total"] == sum(
        1 for r in every if any(o["label"] == owner for o in r["owners"])
    )
    nothing = client.get("/api/ui/catalogue/cfs", params={"q": "'} DROP ALL"}).json()
    assert nothing["total"] == 0 and nothing["rows"] == []


@pytest.mark.parametrize(
    ("path", "params", "fragment"),
    [
        ("/api/ui/catalogue/services", {}, "no catalogue list"),
        ("/api/ui/catalogue/cfs", {"sort": "iri"}, "cannot sort"),
        ("/api/ui/catalogue/cfs", {"order": "up"}, "order"),
        ("/api/ui/catalogue/cfs", {"limit": 0}, "limit"),
        ("/api/ui/catalogue/cfs", {"limit": 201}, "limit"),
        ("/api/ui/catalogue/cfs", {"offset": -1}, "offset"),
    ],
)
def test_bad_input(demo, path: str, params: dict, fragment: str) -> None:
    response = demo[0].get(path, params=params)
    assert response.status_code == 400, response.text
    assert fragment in response.json()["message"]


def test_lists_see_writes() -> None:
    store = EmbeddedStore(None)
    load_demo(store)
    client = TestClient(create_app(Settings(store=":memory:"), store=store))
    before = client.get("/api/ui/catalogue/applications").json()["total"]
    store.load(
        f"<{ID}new-app> a <{SVC}Application> ; "
        '<http://www.w3.org/2000/01/rdf-schema#label> "Aardvark tracker" .'.encode(),
        "https://w3id.org/svckg/graph/t",
        format=ox.RdfFormat.TURTLE,
    )
    after = client.get("/api/ui/catalogue/applications").json()
    assert after["total"] == before + 1
    assert after["rows"][0]["label"] == "Aardvark tracker"


@pytest.mark.browser
def test_catalogue_page_sorts_filters_pages_and_links(page, ui_server: str, shot: Callable) -> None:
    page.goto(f"{ui_server}/ui/catalogue?kind=parties")
    page.wait_for_selector("#catalogue-table tbody tr")
    total = httpx.get(f"{ui_server}/api/ui/catalogue/parties").json()["total"]
    assert str(total) in page.text_content("#list-caption")
    assert page.locator("#catalogue-table tbody tr").count() == min(total, 50)
    shot(page, "30-catalogue-parties")
    page.get_by_role("button", name="Name").click()
    page.wait_for_selector("th[data-sort=label][aria-sort=descending]")
    names = page.eval_on_selector_all(
        "#catalogue-table tbody tr td:first-child", "els => els.map(e => e.textContent)"
    )
    assert [n.lower() for n in names] == sorted((n.lower() for n in names), reverse=True)
    page.get_by_label("Filter").fill("vesterby")
    page.wait_for_selector("#list-status:has-text('match')")
    expected = httpx.get(f"{ui_server}/api/ui/catalogue/parties", params={"q": "vesterby"}).json()[
        "total"
    ]
    assert page.locator("#catalogue-table tbody tr").count() == expected >= 1
    assert "q=vesterby" in page.url
    shot(page, "31-catalogue-filtered")
    page.get_by_label("Filter").fill("")
    page.get_by_role("link", name="Backend services").click()
    page.wait_for_selector("#list-caption:has-text('Backend services')")
    page.wait_for_selector("#catalogue-table tbody tr")
    link = page.locator("#catalogue-table tbody tr a", has_text="Show in graph").first
    iri = page.locator("#catalogue-table tbody tr").first.get_attribute("data-iri")
    link.click()
    page.wait_for_function(
        "iri => window.svckgViewer && window.svckgViewer.cy.getElementById(iri).nonempty()",
        arg=iri,
    )
