"""``svckg impact``, ``svckg trace`` and ``svckg queries`` through the real entry point, on an
on-disk store holding the demo landscape; bad input exits with code 2 and a clear message."""

from __future__ import annotations

import json

import pytest

from svckg.cli import main
from svckg.store.embedded import EmbeddedStore


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory, demo: EmbeddedStore) -> str:
    """A store directory holding a copy of the demo landscape (closed: the CLI opens it)."""
    path = tmp_path_factory.mktemp("cli") / "store"
    target = EmbeddedStore(path)
    target.engine.bulk_extend(list(demo.engine.quads_for_pattern(None, None, None, None)))
    target.close()
    return str(path)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(argv))
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


def test_impact_json_has_the_contract_fields(capsys, store_dir):
    code, out, _ = run(capsys, "impact", "id:db-server-1", "--format", "json", "--store", store_dir)
    assert code == 0
    data = json.loads(out)
    assert [f["iri"] for f in data["failed"]] == ["https://w3id.org/svckg/id/db-server-1"]
    found = {e["iri"].rsplit("/", 1)[1]: e for e in data["impacted"]}
    assert found["db-cluster"]["status"] == "degraded"
    assert found["clinical-systems-hosting"]["customerVisible"] is True
    assert found["database-service"]["paths"][0][-1]["o"].endswith("/db-server-1")
    assert {a["iri"].rsplit("/", 1)[1] for a in data["agreements"]} >= {"ola-database"}
    assert {"role", "roleLabel", "agent", "agentLabel", "context", "contextLabel"} <= set(
        data["parties"][0]
    )


def test_impact_of_two_members_is_down(capsys, store_dir):
    code, out, _ = run(
        capsys, "impact", "id:db-server-1", "id:db-server-2", "-f", "json", "--store", store_dir
    )
    found = {e["iri"].rsplit("/", 1)[1]: e["status"] for e in json.loads(out)["impacted"]}
    assert code == 0 and found["db-cluster"] == "down" and found["database-service"] == "down"


def test_impact_table_and_dot(capsys, store_dir):
    code, out, _ = run(capsys, "impact", "id:mail-server", "--store", store_dir)
    assert code == 0
    for words in (
        "Failed: Mail server",
        "Impacted elements",
        "Agreements at risk",
        "Affected parties",
        "Who to call",
        "E-mail",
    ):
        assert words in out
    code, out, _ = run(capsys, "impact", "id:mail-server", "-f", "dot", "--store", store_dir)
    assert code == 0 and out.startswith("digraph svckg {")
    assert (
        '"https://w3id.org/svckg/id/email-service" -> "https://w3id.org/svckg/id/mail-server"'
        in out
    )


def test_trace_table_json_dot(capsys, store_dir):
    code, out, _ = run(capsys, "trace", "id:cloud-workplace", "--store", store_dir)
    assert code == 0
    assert out.index("Backend layer") < out.index("Product layer") < out.index("Resource layer")
    code, out, _ = run(capsys, "trace", "id:cloud-workplace", "-f", "json", "--store", store_dir)
    data = json.loads(out)
    assert data["root"]["owners"][0]["label"] == "Ingrid Holm"
    assert [g["order"] for g in data["layers"]] == sorted(g["order"] for g in data["layers"])
    code, out, _ = run(capsys, "trace", "id:cloud-workplace", "-f", "dot", "--store", store_dir)
    assert code == 0 and "includesService" in out


def test_queries_list_and_run(capsys, store_dir):
    code, out, _ = run(capsys, "queries", "list", "-f", "json")
    assert code == 0
    names = {q["name"] for q in json.loads(out)}
    assert {"impact-affected-elements", "band-of-visibility", "dependency-cycles"} <= names
    code, out, _ = run(
        capsys,
        "queries",
        "run",
        "band-of-visibility",
        "--param",
        "relationship=id:rel-nordlight-vesterby",
        "-f",
        "json",
        "--store",
        store_dir,
    )
    assert code == 0
    data = json.loads(out)
    assert "element" in data["variables"]
    assert len(data["rows"]) == 6
    code, out, _ = run(
        capsys, "queries", "run", "cfs-without-agreement", "-f", "csv", "--store", store_dir
    )
    assert code == 0 and "citizen-case-portal" in out


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["impact", "id:no-such-element"], "no such element"),
        (["impact", '"db-server-1"'], "literal"),
        (["trace", "nope:x"], "unknown prefix"),
        (["queries", "run", "no-such-query"], "no named query"),
        (["queries", "run", "band-of-visibility"], "missing parameter"),
        (["queries", "run", "band-of-visibility", "--param", "relationship"], "name=value"),
        (
            [
                "queries",
                "run",
                "band-of-visibility",
                "--param",
                "relationship=id:x> } ; DROP ALL ; SELECT * { ?s ?p <y",
            ],
            "not a valid IRI",
        ),
    ],
)
def test_bad_input_exits_2_with_a_message(capsys, store_dir, demo, argv, words):
    code, out, err = run(capsys, *argv, "--store", store_dir)
    assert code == 2
    assert words in " ".join(err.split())
    after = EmbeddedStore(store_dir)
    try:
        assert sorted(after.export().splitlines()) == sorted(demo.export().splitlines())
    finally:
        after.close()


def test_a_missing_store_is_not_created(capsys, tmp_path):
    missing = tmp_path / "nowhere"
    code, _, err = run(capsys, "impact", "id:db-server-1", "--store", str(missing))
    assert code == 2 and "there is no store here" in " ".join(err.split())
    assert not missing.exists()


def test_queries_show_prints_the_sparql(capsys):
    code, out, _ = run(capsys, "queries", "show", "band-of-visibility")
    assert code == 0 and out.startswith("#+ summary:") and "?_relationship_iri" in out
