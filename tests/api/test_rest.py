"""REST routes: named queries, impact, trace (the CLI's JSON) and imports."""

from __future__ import annotations

import pytest

from svckg.analysis.impact import impact
from svckg.analysis.queries import catalogue
from svckg.analysis.trace import trace
from svckg.config import DATA_DIR


@pytest.fixture
def demo(make_client, demo_store):  # noqa: ANN001, ANN201
    return make_client(store=demo_store)


def test_catalogue_lists_every_named_query(demo) -> None:  # noqa: ANN001
    response = demo.get("/api/queries")
    assert response.status_code == 200
    names = [q["name"] for q in response.json()]
    assert names == [q.name for q in catalogue()]
    first = response.json()[0]
    assert {"summary", "description", "tags", "parameters"} <= set(first)
    text = demo.get(f"/api/queries/{names[0]}/sparql")
    assert text.headers["content-type"].startswith("application/sparql-query")
    assert "#+ summary" in text.text


def test_run_named_query_with_a_curie(demo) -> None:  # noqa: ANN001
    response = demo.get(
        "/api/queries/impact-affected-elements", params={"failed": "id:mail-server"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["variables"]
    affected = {row[body["variables"][0]] for row in body["rows"]}
    assert "https://w3id.org/svckg/id/email-service" in affected


def test_named_query_errors(demo) -> None:  # noqa: ANN001
    unknown = demo.get("/api/queries/no-such-query")
    assert unknown.status_code == 404
    assert "known queries" in unknown.json()["hint"]
    missing = demo.get("/api/queries/impact-affected-elements")
    assert missing.status_code == 400
    assert "missing parameter" in missing.json()["message"]
    extra = demo.get(
        "/api/queries/impact-affected-elements", params={"failed": "id:mail-server", "bogus": "1"}
    )
    assert extra.status_code == 400
    twice = demo.get("/api/queries/impact-affected-elements?failed=id:a&failed=id:b")
    assert twice.status_code == 400


def test_impact_and_trace_answer_the_cli_json(demo, demo_store) -> None:  # noqa: ANN001
    response = demo.get("/api/impact", params=[("element", "id:mail-server"), ("paths", "2")])
    assert response.status_code == 200, response.text
    assert response.json() == impact(demo_store, ["id:mail-server"], max_paths=2).to_json()
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-length"] == str(len(response.content))
    assert any(e["iri"].endswith("/email-service") for e in response.json()["impacted"])
    traced = demo.get("/api/trace", params={"element": "id:cloud-workplace"})
    assert traced.status_code == 200
    assert traced.json() == trace(demo_store, "id:cloud-workplace").to_json()


def test_impact_and_trace_errors(demo) -> None:  # noqa: ANN001
    assert demo.get("/api/impact", params={"element": "id:nothing-here"}).status_code == 404
    assert demo.get("/api/trace", params={"element": '"literal"'}).status_code == 400


def _files(*names: str) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("file", (n, (DATA_DIR / n).read_bytes(), "text/turtle")) for n in names]


def test_import_lifecycle(make_client, as_editor, as_admin) -> None:  # noqa: ANN001
    client = make_client()
    names = sorted(p.name for p in DATA_DIR.glob("*.ttl"))
    uploaded = client.post(
        "/api/imports", files=_files(*names), params={"force": "true"}, headers=as_editor
    )
    assert uploaded.status_code == 201, uploaded.text
    statuses = {i["source"]: i["status"] for i in uploaded.json()["imports"]}
    assert statuses == dict.fromkeys(names, "created")
    listed = client.get("/api/imports").json()
    assert sorted(r["source"] for r in listed) == names
    import_id = next(r["import_id"] for r in listed if r["source"] == "services.ttl")
    shown = client.get(f"/api/imports/{import_id}")
    assert shown.status_code == 200 and shown.json()["triple_count"] > 0
    diff = client.get(f"/api/imports/{import_id}/diff")
    assert diff.status_code == 200 and diff.json()["added_count"] == shown.json()["triple_count"]
    again = client.post("/api/imports", files=_files("services.ttl"), headers=as_editor)
    assert again.json()["imports"][0]["status"] == "unchanged"
    removed = client.delete(f"/api/imports/{import_id}", headers=as_admin)
    assert removed.status_code == 200 and removed.json()["import_id"] == import_id
    assert client.get(f"/api/imports/{import_id}").status_code == 404
    assert client.delete(f"/api/imports/{import_id}", headers=as_admin).status_code == 404


def test_rejected_upload_answers_422_with_the_report(make_client, as_editor) -> None:  # noqa: ANN001
    client = make_client()
    data = (DATA_DIR / "invalid" / "sla-without-target.ttl").read_bytes()
    response = client.post(
        "/api/imports", files=[("file", ("sla.ttl", data, "text/turtle"))], headers=as_editor
    )
    assert response.status_code == 422
    report = response.json()["report"]
    assert report["violations"] == 1
    assert report["results"][0]["location"]["file"] == "sla.ttl"
    assert client.get("/api/imports").json() == []


def test_bad_uploads(make_client, as_editor) -> None:  # noqa: ANN001
    client = make_client(max_upload_bytes=2000)
    big = [("file", ("big.ttl", b"#" * 5000, "text/turtle"))]
    assert client.post("/api/imports", files=big, headers=as_editor).status_code == 413
    raw = client.post(
        "/api/imports",
        content=b"<a> <b> <c> .",
        headers={"content-type": "text/turtle", **as_editor},
    )
    assert raw.status_code == 415
    broken = [("file", ("broken.ttl", b"@prefix x: <http://x/> .\nx:a x:b .", "text/turtle"))]
    response = client.post("/api/imports", files=broken, headers=as_editor)
    assert response.status_code == 400
    assert "broken.ttl" in (response.json()["where"] or "")
    no_files = client.post("/api/imports", data={"x": "1"}, headers=as_editor)
    assert no_files.status_code in (400, 415)
    assert client.post("/api/imports", files=_files("services.ttl")).status_code == 401


def test_upload_warnings_inform_unless_fail_on_warning(make_client, as_editor) -> None:  # noqa: ANN001
    """Issue 15: warnings are recorded and the upload goes ahead; ``fail_on=warning`` (query
    parameter or form field) makes them block; ``profile=strict`` turns the catalogue rules
    back into violations."""
    client = make_client()
    data = (DATA_DIR / "invalid" / "solution-without-cost-center.ttl").read_bytes()

    def post(name: str, **kwargs):  # noqa: ANN003, ANN202
        files = [("file", (name, data, "text/turtle"))]
        return client.post("/api/imports", files=files, headers=as_editor, **kwargs)

    field = post("a.ttl", data={"fail_on": "warning"})
    assert field.status_code == 422 and field.json()["report"]["violations"] == 0
    query = post("a.ttl", params={"fail_on": "warning"})
    assert query.status_code == 422
    strict = post("a.ttl", data={"profile": "strict"})
    assert strict.status_code == 422 and strict.json()["report"]["violations"] == 1
    assert post("a.ttl", params={"profile": "lenient"}).status_code == 400
    assert client.get("/api/imports").json() == []
    ok = post("a.ttl")
    assert ok.status_code == 201, ok.text
    (record,) = [i["record"] for i in ok.json()["imports"]]
    assert record["warnings"] >= 1 and record["violations"] == 0


@pytest.mark.parametrize(
    "name",
    [
        "offering-value-propositions",
        "package-stakeholders",
        "partner-delivered",
        "journey-pains-opportunities",
        "opportunity-scores",
        "relationship-agreement-kinds",
        "portfolio-structure",
        "agreement-outcomes-targets",
    ],
)
def test_method_questions_answer_through_rest(demo, demo_store, name) -> None:  # noqa: ANN001
    """Issue 20: CQ15-22 are listed and answered by REST as the engine answers them."""
    from svckg.analysis.queries import run_named

    listed = {q["name"]: q for q in demo.get("/api/queries").json()}
    assert any(t.startswith("CQ") for t in listed[name]["tags"])
    body = demo.get(f"/api/queries/{name}").json()
    variables, rows = run_named(demo_store, name, {})
    assert rows and body["variables"] == variables
    assert [[row[v] for v in variables] for row in body["rows"]] == [
        [None if t is None else t.value for t in row] for row in rows
    ]
