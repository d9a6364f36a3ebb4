"""The viewer's impact panel: who to call grouped by team, agreements with targets, parties by
role, journeys hit, and the CSV/JSON export of the same result (route and browser)."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from svckg.api.app import create_app
from svckg.config import Settings
from svckg.demo import load_demo
from svckg.store.embedded import EmbeddedStore

ID = "https://w3id.org/svckg/id/"
MAIL_SERVER = ID + "mail-server"


@pytest.fixture(scope="module")
def demo() -> Iterator[TestClient]:
    store = EmbeddedStore(None)
    load_demo(store)
    with TestClient(create_app(Settings(store=":memory:"), store=store)) as client:
        yield client
    store.close()


def test_panel_adds_groupings_to_the_engines_answer(demo) -> None:
    engine = demo.get("/api/impact", params={"element": MAIL_SERVER, "paths": 3}).json()
    panel = demo.get("/api/ui/impact", params={"element": MAIL_SERVER}).json()
    for key in ("failed", "impacted", "agreements", "parties", "owners"):
        assert panel[key] == engine[key], key
    # every owner appears under each team it is called through, with the same elements
    called = Counter(o["iri"] for g in panel["callList"] for o in g["owners"])
    assert set(called) == {o["iri"] for o in engine["owners"]}
    # a person is grouped under the team they are a member of (demo: Ingrid Holm)
    workplace = next(g for g in panel["callList"] if g["team"] == ID + "nordlight-workplace-team")
    ingrid = next(o for o in workplace["owners"] if o["iri"] == ID + "ingrid-holm")
    owner = next(o for o in engine["owners"] if o["iri"] == ID + "ingrid-holm")
    assert [e["iri"] for e in ingrid["elements"]] == owner["elements"]
    assert all(e["label"] for e in ingrid["elements"])
    # parties by role: the same multiset of parties, grouped
    grouped = [p for r in panel["partiesByRole"] for p in r["parties"]]
    assert Counter(json.dumps(p, sort_keys=True) for p in grouped) == Counter(
        json.dumps(p, sort_keys=True) for p in engine["parties"]
    )
    assert all(p["role"] == r["role"] for r in panel["partiesByRole"] for p in r["parties"])
    experience = [i for i in engine["impacted"] if i["layer"].endswith("/experience-layer")]
    assert panel["journeys"] == experience and experience


def test_csv_holds_the_same_result_as_json(demo) -> None:
    params = {"element": MAIL_SERVER}
    report = demo.get("/api/ui/impact", params={**params, "format": "json"}).json()
    response = demo.get("/api/ui/impact", params={**params, "format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    sections = Counter(r["section"] for r in rows)
    assert sections["failed"] == len(report["failed"])
    assert sections["impacted"] == len(report["impacted"])
    assert sections["agreement"] == len(report["agreements"])
    assert sections["party"] == len(report["parties"])
    assert sections["journey"] == len(report["journeys"])
    assert sections["call"] == sum(len(g["owners"]) for g in report["callList"])
    impacted = {r["iri"]: r["status"] for r in rows if r["section"] == "impacted"}
    assert impacted == {i["iri"]: i["status"] for i in report["impacted"]}
    sla = next(a for a in report["agreements"] if a["targets"])
    row = next(r for r in rows if r["section"] == "agreement" and r["iri"] == sla["iri"])
    assert all(t["label"] in row["detail"] for t in sla["targets"])


def test_csv_cells_never_start_a_formula() -> None:
    store = EmbeddedStore(None)
    store.load(
        b"@prefix svc: <https://w3id.org/svckg#> . @prefix id: <https://w3id.org/svckg/id/> .\n"
        b"@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        b'id:db a svc:InfrastructureComponent ; rdfs:label "=HYPERLINK(\\"http://x\\")" .\n'
        b'id:app a svc:Application ; rdfs:label "@SUM(1)" ; svc:dependsOn id:db .\n',
        "https://w3id.org/svckg/graph/t",
        format=ox.RdfFormat.TURTLE,
    )
    client = TestClient(create_app(Settings(store=":memory:"), store=store))
    text = client.get("/api/ui/impact", params={"element": ID + "db", "format": "csv"}).text
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert '\'=HYPERLINK("http://x")' in cells and "'@SUM(1)" in cells
    assert not any(c[:1] in "=+@" for c in cells if c)


@pytest.mark.parametrize(
    ("params", "status", "fragment"),
    [
        ({}, 400, "element"),
        ({"element": "id:no-such-element"}, 404, "no-such-element"),
        ({"element": MAIL_SERVER, "format": "xlsx"}, 400, "format"),
    ],
)
def test_bad_input(demo, params: dict, status: int, fragment: str) -> None:
    response = demo.get("/api/ui/impact", params=params)
    assert response.status_code == status, response.text
    assert fragment in response.text


@pytest.mark.browser
def test_panel_lists_and_exports_in_the_browser(
    page, ui_server: str, shot: Callable, tmp_path: Path
) -> None:
    import httpx

    page.goto(f"{ui_server}/#n={MAIL_SERVER}&f={MAIL_SERVER}&impact=1")
    page.wait_for_selector("#call li")
    report = httpx.get(f"{ui_server}/api/ui/impact", params={"element": MAIL_SERVER}).json()
    assert page.locator("#call li").count() == sum(len(g["owners"]) for g in report["callList"])
    assert page.locator("#call h4").all_text_contents() == [
        g["teamLabel"] for g in report["callList"]
    ]
    assert page.locator("#parties h4").count() == len(report["partiesByRole"])
    assert page.locator("#journeys li").count() == len(report["journeys"])
    assert page.locator("#agreements .target").count() == sum(
        len(a["targets"]) for a in report["agreements"]
    )
    shot(page, "25-impact-panel")
    for name, check in (
        ("CSV", lambda p: p.read_text().startswith("section,iri,label")),
        ("JSON", lambda p: json.loads(p.read_text())["impacted"] == report["impacted"]),
    ):
        with page.expect_download() as info:
            page.locator("#impact-results .export a", has_text=name).click()
        saved = tmp_path / info.value.suggested_filename
        info.value.save_as(saved)
        assert check(saved), name
    with page.expect_download() as info:
        page.get_by_role("button", name="Save PNG").click()
    png = tmp_path / "graph.png"
    info.value.save_as(png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
