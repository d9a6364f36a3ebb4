"""The UI router (svckg.api.ui): built pages and the viewer's JSON routes, in process.

Runs without a browser against the demo landscape imported through the real pipeline, and
against small hand-written graphs for the edge cases.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from svckg.api.app import create_app
from svckg.api.pages import page_html
from svckg.config import DATA_DIR, WEB_BUILD_DIR, Settings
from svckg.demo import load_demo
from svckg.errors import StoreError
from svckg.store.embedded import EmbeddedStore
from tests.conftest import fixture_path, requires_fixtures

SVC = "https://w3id.org/svckg#"
ID = "https://w3id.org/svckg/id/"
MAIL_SERVER = ID + "mail-server"


@pytest.fixture(scope="module")
def demo() -> Iterator[tuple[TestClient, EmbeddedStore]]:
    store = EmbeddedStore(None)
    load_demo(store)
    with TestClient(create_app(Settings(store=":memory:"), store=store)) as client:
        yield client, store
    store.close()


def _client_for(turtle: str, **settings: object) -> TestClient:
    store = EmbeddedStore(None)
    prefixes = (
        f"@prefix svc: <{SVC}> . @prefix id: <{ID}> . "
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . "
        "@prefix svcc: <https://w3id.org/svckg/concepts/> .\n"
    )
    store.load(
        (prefixes + turtle).encode(), "https://w3id.org/svckg/graph/t", format=ox.RdfFormat.TURTLE
    )
    return TestClient(create_app(Settings(store=":memory:", **settings), store=store))


def test_search_ranks_exact_match_first_case_insensitively(demo) -> None:
    client, _ = demo
    answer = client.get("/api/ui/search", params={"q": "MAIL SERVER"})
    assert answer.status_code == 200
    first = answer.json()["results"][0]
    assert first["iri"] == MAIL_SERVER
    assert first["layer"]["iri"].endswith("resource-layer")
    assert {t["iri"] for t in first["types"]} == {SVC + "Application"}


def test_search_matches_every_label_containing_the_text(demo) -> None:
    client, store = demo
    rows = store.query(
        "SELECT DISTINCT ?s WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l "
        "FILTER(isIRI(?s) && CONTAINS(LCASE(STR(?l)), 'mail')) }"
    )
    expected = {row["s"].value for row in rows}
    found = client.get("/api/ui/search", params={"q": "mail", "limit": 200}).json()["results"]
    assert expected and expected <= {r["iri"] for r in found}


def test_search_text_is_never_pasted_into_sparql(demo) -> None:
    client, store = demo
    before = store.count()
    for attack in ['") } } SELECT * WHERE { ?s ?p ?o } #', "' . ?s ?p ?o }", "\\u0022"]:
        answer = client.get("/api/ui/search", params={"q": attack})
        assert answer.status_code == 200, answer.text
        assert answer.json()["results"] == []
    assert store.count() == before


@pytest.mark.parametrize(
    ("params", "status", "fragment"),
    [
        ({"q": "   "}, 400, "search text is empty"),
        ({"q": "mail", "limit": 0}, 400, "limit 0 is out of range"),
        ({"q": "mail", "limit": 10_000}, 400, "limit 10000 is out of range"),
    ],
)
def test_search_bad_input(demo, params: dict, status: int, fragment: str) -> None:
    client, _ = demo
    answer = client.get("/api/ui/search", params=params)
    assert answer.status_code == status
    assert fragment in answer.json()["message"]


def test_node_groups_links_with_counts_that_match_the_data(demo) -> None:
    client, store = demo
    node = client.get("/api/ui/node", params={"iri": MAIL_SERVER}).json()
    assert node["label"] == "Mail server"
    groups = {(g["direction"], g["predicate"]): g["count"] for g in node["links"]}
    for (direction, predicate), count in groups.items():
        pattern = (
            f"<{MAIL_SERVER}> <{predicate}> ?x"
            if direction == "out"
            else f"?x <{predicate}> <{MAIL_SERVER}>"
        )
        rows = store.query(
            f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} FILTER(isIRI(?x)) }}"
        )
        assert int(next(iter(rows))["n"].value) == count, (direction, predicate)
    # the inferred svc:dependsOn never repeats a specific relation to the same element
    assert ("out", SVC + "dependsOn") not in groups
    assert (
        sum(lay["count"] for lay in node["layers"]) == node["counts"]["out"] + node["counts"]["in"]
    )
    assert {lit["value"] for lit in node["literals"]} >= {"Mail server"}


def test_node_accepts_curies_and_describes_ontology_terms(demo) -> None:
    client, _ = demo
    term = client.get("/api/ui/node", params={"iri": "svc:BackendService"}).json()
    assert term["iri"] == SVC + "BackendService"
    assert term["definition"]
    assert any(g["direction"] == "in" for g in term["links"])


@pytest.mark.parametrize(
    ("iri", "status", "fragment"),
    [
        ("not an iri", 400, "is not a valid IRI"),
        ("", 400, "is empty"),
        (ID + "no-such-element", 404, "no element"),
    ],
)
def test_node_bad_input(demo, iri: str, status: int, fragment: str) -> None:
    client, _ = demo
    answer = client.get("/api/ui/node", params={"iri": iri})
    assert answer.status_code == status
    assert fragment in answer.json()["message"]


def test_neighbours_are_bounded_and_say_how_many_match(demo) -> None:
    client, _ = demo
    everything = client.get("/api/ui/neighbours", params={"iri": MAIL_SERVER}).json()
    assert everything["total"] >= 2 and not everything["truncated"]
    one = client.get("/api/ui/neighbours", params={"iri": MAIL_SERVER, "limit": 1}).json()
    assert len(one["nodes"]) == 1 and one["truncated"] and one["total"] == everything["total"]
    for limit in (0, 201):
        answer = client.get("/api/ui/neighbours", params={"iri": MAIL_SERVER, "limit": limit})
        assert answer.status_code == 400 and "limit" in answer.json()["where"]
    bad = client.get("/api/ui/neighbours", params={"iri": MAIL_SERVER, "direction": "up"})
    assert bad.status_code == 400 and "direction" in bad.json()["message"]


def test_neighbours_filter_by_relation_direction_and_layer(demo) -> None:
    client, _ = demo
    node = client.get("/api/ui/node", params={"iri": MAIL_SERVER}).json()
    for group in node["links"]:
        answer = client.get(
            "/api/ui/neighbours",
            params={
                "iri": MAIL_SERVER,
                "predicate": group["predicate"],
                "direction": group["direction"],
            },
        ).json()
        assert answer["total"] == group["count"]
        for edge in answer["edges"]:
            assert edge["predicate"] == group["predicate"]
            assert (
                edge["source"] if group["direction"] == "out" else edge["target"]
            ) == MAIL_SERVER
    for layer in node["layers"]:
        answer = client.get(
            "/api/ui/neighbours", params={"iri": MAIL_SERVER, "layer": layer["iri"]}
        ).json()
        assert answer["total"] == layer["count"]
        assert {(n["layer"] or {"iri": "none"})["iri"] for n in answer["nodes"]} == {layer["iri"]}


def test_nodes_returns_links_among_them_and_names_the_missing(demo) -> None:
    client, _ = demo
    around = client.get("/api/ui/neighbours", params={"iri": MAIL_SERVER}).json()
    iris = [MAIL_SERVER, *(n["iri"] for n in around["nodes"]), ID + "gone"]
    answer = client.get("/api/ui/nodes", params={"iri": iris}).json()
    assert answer["missing"] == [ID + "gone"]
    assert {n["iri"] for n in answer["nodes"]} == set(iris[:-1])
    pairs = {(e["source"], e["target"]) for e in answer["edges"]}
    assert {(e["source"], e["target"]) for e in around["edges"]} <= pairs
    too_many = client.get("/api/ui/nodes", params={"iri": [f"{ID}n{i}" for i in range(301)]})
    assert too_many.status_code == 400 and "at most 300" in too_many.json()["message"]


def test_inferred_depends_on_is_shown_only_when_it_adds_something() -> None:
    client = _client_for(
        "id:a svc:usesResource id:b ; svc:dependsOn id:b , id:c . "
        "id:b rdfs:label 'B' . id:c rdfs:label 'C' ."
    )
    groups = {
        g["predicate"]: [s["iri"] for s in g["sample"]]
        for g in client.get("/api/ui/node", params={"iri": "id:a"}).json()["links"]
    }
    assert groups == {SVC + "usesResource": [ID + "b"], SVC + "dependsOn": [ID + "c"]}


def test_layer_comes_from_the_nearest_class_carrying_one() -> None:
    client = _client_for(
        "svc:Special rdfs:subClassOf svc:Kind . svc:Kind svc:layer svcc:backend-layer . "
        "svcc:backend-layer svc:layerOrder 2 ; rdfs:label 'backend layer' . "
        "svc:Loop rdfs:subClassOf svc:Loop2 . svc:Loop2 rdfs:subClassOf svc:Loop . "
        "id:x a svc:Special ; rdfs:label 'X' . id:y a svc:Loop ; rdfs:label 'Y' ."
    )
    x = client.get("/api/ui/node", params={"iri": "id:x"}).json()
    assert x["layer"] == {
        "iri": "https://w3id.org/svckg/concepts/backend-layer",
        "label": "backend layer",
        "order": 2,
    }
    assert client.get("/api/ui/node", params={"iri": "id:y"}).json()["layer"] is None


def test_data_routes_need_a_token_when_reading_is_protected() -> None:
    client = _client_for(
        "id:a rdfs:label 'A' .", read_requires_token=True, tokens="reader-token:reader"
    )
    assert client.get("/api/ui/search", params={"q": "a"}).status_code == 401
    ok = client.get(
        "/api/ui/search", params={"q": "a"}, headers={"Authorization": "Bearer reader-token"}
    )
    assert ok.status_code == 200 and ok.json()["results"][0]["iri"] == ID + "a"


PAGES = ["/", "/ui/sparql", "/ui/validate", "/ui/graphql"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_are_served_and_reference_no_outside_host(demo, path: str) -> None:
    client, _ = demo
    answer = client.get(path)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", answer.text)
    assert any(ref.startswith("/static/assets/") for ref in refs)
    outside = [r for r in refs if urlsplit(r).netloc or r.startswith("//")]
    assert outside == [], f"{path} references outside hosts: {outside}"
    for ref in refs:
        if ref.startswith("/static/"):
            assert client.get(ref).status_code == 200, ref


def test_missing_build_says_how_to_build(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as info:
        page_html("viewer", build_dir=tmp_path)
    assert "npm ci && npm run build" in info.value.describe()
    assert (WEB_BUILD_DIR / "swagger-ui" / "swagger-ui-bundle.js").exists()


TEAM_TTL = (
    b"@prefix svc: <https://w3id.org/svckg#> . @prefix id: <https://w3id.org/svckg/id/> .\n"
    b"@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    b'id:review-team a svc:Team ; rdfs:label "Review team"@en .\n'
)


def test_validate_reports_violations_with_source_lines_and_writes_nothing(demo) -> None:
    client, store = demo
    invalid = DATA_DIR / "invalid" / "sla-without-target.ttl"
    shape = invalid.read_text().splitlines()[0].split("svcsh:", 1)[1].strip()
    before = store.count()
    answer = client.post(
        "/api/ui/validate", files=[("file", (invalid.name, invalid.read_bytes(), "text/turtle"))]
    )
    assert answer.status_code == 200
    report = answer.json()["report"]
    assert report["conforms"] is False and report["violations"] >= 1
    hit = next(r for r in report["results"] if r["source_shape"].endswith("#" + shape))
    assert hit["severity"] == "Violation"
    assert hit["location"]["file"] == invalid.name
    subject_line = next(
        n
        for n, line in enumerate(invalid.read_text().splitlines(), 1)
        if line.startswith(f"id:{hit['focus_node'].rsplit('/', 1)[1]} ")
    )
    assert hit["location"]["line"] == subject_line
    assert store.count() == before


def test_validate_accepts_a_conforming_file_without_importing_it(demo) -> None:
    client, _ = demo
    answer = client.post(
        "/api/ui/validate", files=[("file", ("team.ttl", TEAM_TTL, "text/turtle"))]
    )
    assert answer.json() == {
        "files": ["team.ttl"],
        "report": {"conforms": True, "violations": 0, "warnings": 0, "results": []},
    }
    assert client.get("/api/ui/search", params={"q": "review team"}).json()["results"] == []


@pytest.mark.parametrize(
    ("kwargs", "status", "fragment"),
    [
        (
            {"files": [("file", ("bad.ttl", b"@prefix x: <a> .\nx:a x:b", "text/turtle"))]},
            400,
            "line 2",
        ),
        ({"data": {"not": "a file"}}, 415, "multipart/form-data"),
        (
            {"files": [("file", ("odd.bin", b"\x00\x01 binary", "application/octet-stream"))]},
            415,
            "odd.bin",
        ),
    ],
)
def test_validate_bad_uploads(demo, kwargs: dict, status: int, fragment: str) -> None:
    client, store = demo
    before = store.count()
    answer = client.post("/api/ui/validate", **kwargs)
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert fragment in f"{body['message']} {body['where']}"
    assert store.count() == before


def test_elements_with_too_many_links_are_not_counted_by_layer(
    demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, _ = demo
    from svckg.analysis import describe

    node = client.get("/api/ui/node", params={"iri": MAIL_SERVER}).json()
    links = node["counts"]["out"] + node["counts"]["in"]
    monkeypatch.setattr(describe, "MAX_LAYER_SCAN", links - 1)
    capped = client.get("/api/ui/node", params={"iri": MAIL_SERVER}).json()
    assert capped["layers"] is None and capped["links"] == node["links"]
    answer = client.get(
        "/api/ui/neighbours", params={"iri": MAIL_SERVER, "layer": node["layers"][0]["iri"]}
    )
    assert answer.status_code == 400 and "too many to filter by layer" in answer.json()["message"]


def test_search_sees_writes() -> None:
    client = _client_for("id:a rdfs:label 'Alpha' .")
    assert client.get("/api/ui/search", params={"q": "beta"}).json()["results"] == []
    store = client.app.state.store
    store.load(
        b'<https://w3id.org/svckg/id/b> <http://www.w3.org/2000/01/rdf-schema#label> "Beta" .',
        "https://w3id.org/svckg/graph/t",
        format=ox.RdfFormat.N_TRIPLES,
    )
    found = client.get("/api/ui/search", params={"q": "beta"}).json()["results"]
    assert [r["iri"] for r in found] == [ID + "b"]


FIXTURES = fixture_path("")
OWN_EA = Path(__file__).parents[1] / "ingest_ea" / "data"


@requires_fixtures
def test_validate_archimate_exchange_format_names_element_ids(demo) -> None:
    client, _ = demo
    model = FIXTURES / "archimate" / "archisurance.xml"
    answer = client.post(
        "/api/ui/validate",
        files=[("file", (model.name, model.read_bytes(), "application/xml"))],
        params={"profile": "strict"},  # issue 15: by default Archisurance has warnings only
    )
    report = answer.json()["report"]
    assert report["violations"] >= 1
    located = [r["location"] for r in report["results"] if r["severity"] == "Violation"]
    assert all(loc["file"] == model.name and loc["element_id"] for loc in located)
    ids = set(re.findall(r'identifier="([^"]+)"', model.read_text(encoding="utf-8")))
    assert {loc["element_id"] for loc in located} <= ids


def test_validate_the_own_archimate_model_names_element_ids(demo) -> None:
    """tiny-shop (the project's own exchange file) conforms with located warnings."""
    client, _ = demo
    model = OWN_EA / "tiny-shop.xml"
    answer = client.post(
        "/api/ui/validate",
        files=[("file", (model.name, model.read_bytes(), "application/xml"))],
    )
    report = answer.json()["report"]
    assert report["violations"] == 0 and report["warnings"] >= 1
    located = [r["location"] for r in report["results"]]
    assert located and all(loc["file"] == model.name and loc["element_id"] for loc in located)
    ids = set(re.findall(r'identifier="([^"]+)"', model.read_text(encoding="utf-8")))
    assert {loc["element_id"] for loc in located} <= ids


@pytest.mark.parametrize(
    "parts",
    [
        pytest.param(
            [
                fixture_path(f"archi-csv/test1-{k}.csv")
                for k in ("elements", "relations", "properties")
            ],
            marks=requires_fixtures,
            id="archi-test1",
        ),
        pytest.param(
            [OWN_EA / f"tiny-shop-{k}.csv" for k in ("elements", "relations", "properties")],
            id="tiny-shop",
        ),
    ],
)
def test_validate_an_archi_csv_export_as_one_set_with_rows(demo, parts: list[Path]) -> None:
    client, _ = demo
    answer = client.post(
        "/api/ui/validate",
        files=[("file", (p.name, p.read_bytes(), "text/csv")) for p in parts],
        params={"format": "archi-csv"},
    )
    body = answer.json()
    assert body["files"] == [p.name for p in parts]
    rows = [r["location"] for r in body["report"]["results"]]
    assert rows and all(loc["row"] and loc["file"] in body["files"] for loc in rows)


def test_neighbours_page_through_every_link_once(demo) -> None:
    client, _ = demo
    everything = client.get("/api/ui/neighbours", params={"iri": MAIL_SERVER}).json()
    seen = []
    for offset in range(everything["total"] + 1):
        page = client.get(
            "/api/ui/neighbours", params={"iri": MAIL_SERVER, "limit": 1, "offset": offset}
        ).json()
        seen += [(e["source"], e["predicate"], e["target"]) for e in page["edges"]]
        assert page["truncated"] == (offset + 1 < everything["total"])
    expected = [(e["source"], e["predicate"], e["target"]) for e in everything["edges"]]
    assert seen == expected and len(set(seen)) == len(seen)
    negative = client.get("/api/ui/neighbours", params={"iri": MAIL_SERVER, "offset": -1})
    assert negative.status_code == 400 and "offset" in negative.json()["where"]


def test_validate_takes_the_profile_as_a_form_field(demo) -> None:
    """Issue 15: a missing cost centre is a warning by default, a violation when strict."""
    client, _ = demo
    data = (DATA_DIR / "invalid" / "solution-without-cost-center.ttl").read_bytes()
    files = [("file", ("nocc.ttl", data, "text/turtle"))]
    default = client.post("/api/ui/validate", files=files).json()["report"]
    strict = client.post("/api/ui/validate", files=files, data={"profile": "strict"}).json()
    assert default["conforms"] is True and default["warnings"] >= 1
    assert strict["report"]["conforms"] is False and strict["report"]["violations"] == 1
    assert client.post("/api/ui/validate", files=files, data={"profile": "x"}).status_code == 400
