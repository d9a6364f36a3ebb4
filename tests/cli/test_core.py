"""The core CLI commands, run in-process through the real entry point ``svckg.cli.main``."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from svckg.cli import main
from svckg.config import DATA_DIR

INVALID = DATA_DIR / "invalid"
DEMO = sorted(DATA_DIR.glob("*.ttl"))


def run(capsys, *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(exit_.value.code or 0), out, err


@pytest.fixture
def store(tmp_path: Path, capsys) -> str:
    path = str(tmp_path / "store")
    code, out, _ = run(capsys, "init", "--store", path)
    assert code == 0 and "ready" in out
    return path


def test_init_import_list_show_remove(store: str, capsys) -> None:
    code, out, _ = run(capsys, "import", "--store", store, "--force", *map(str, DEMO))
    assert code == 0 and "created" in out
    code, out, _ = run(capsys, "imports", "list", "--store", store, "--format", "json")
    rows = json.loads(out)
    assert sorted(r["source"] for r in rows) == [p.name for p in DEMO]
    assert all(r["validated"] and r["triple_count"] > 0 for r in rows)
    code, out, _ = run(capsys, "imports", "show", "services-ttl", "--store", store, "-f", "json")
    assert json.loads(out)["graph"].endswith("/import/services-ttl/v1")
    code, out, _ = run(capsys, "imports", "diff", "services-ttl", "--store", store)
    assert code == 0 and "first import" in out
    code, out, _ = run(capsys, "imports", "remove", "journeys-ttl", "--store", store)
    assert code == 0 and "removed journeys-ttl" in out
    code, _, err = run(capsys, "imports", "show", "journeys-ttl", "--store", store)
    assert code == 2 and "no import with id 'journeys-ttl'" in err


def test_reimport_diff(store: str, tmp_path: Path, capsys) -> None:
    src = tmp_path / "team.ttl"
    src.write_text(
        "@prefix svc: <https://w3id.org/svckg#> .\n"
        '<team-a> a svc:Team ; <http://www.w3.org/2000/01/rdf-schema#label> "A" .\n'
    )
    assert run(capsys, "import", str(src), "--store", store)[0] == 0
    src.write_text(src.read_text().replace('"A"', '"Team A"'))
    code, out, _ = run(capsys, "import", str(src), "--store", store)
    assert code == 0 and "replaced" in out
    code, out, err = run(capsys, "imports", "diff", "team-ttl", "--store", store)
    assert out.count("\n+ ") + out.startswith("+ ") == 1 and '"Team A"' in out
    assert "- <https://w3id.org/svckg/id/team-a>" in out and "+1 -1" in err


def test_global_store_option_and_environment(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("SVCKG_STORE", str(tmp_path / "unused"))  # restored after the test
    path = str(tmp_path / "g")
    src = tmp_path / "team.ttl"
    src.write_text("<team-a> a <https://w3id.org/svckg#Team> .\n")
    assert run(capsys, "--store", path, "import", str(src), "--force")[0] == 0
    monkeypatch.setenv("SVCKG_STORE", path)
    code, out, _ = run(capsys, "imports", "list", "-f", "json")
    assert [r["import_id"] for r in json.loads(out)] == ["team-ttl"]


@pytest.mark.parametrize("fmt", ["table", "json", "turtle"])
def test_validate_exit_codes_and_formats(fmt: str, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # no store here: validation runs against the ontology alone
    code, out, _ = run(capsys, "validate", "-f", fmt, str(INVALID / "sla-without-target.ttl"))
    assert code == 1
    if fmt == "json":
        assert json.loads(out)["violations"] >= 1
    elif fmt == "turtle":
        g = rdflib.Graph().parse(data=out, format="turtle")
        assert (None, rdflib.SH.conforms, rdflib.Literal(False)) in g
    else:
        assert "sla-without-target.ttl, line 9" in " ".join(out.split()) or "line 9" in out
    assert not (tmp_path / ".svckg").exists()
    code, _, _ = run(capsys, "validate", "-f", fmt, *map(str, DEMO))
    assert code == 0
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .")
    code, _, err = run(capsys, "validate", str(bad))
    assert code == 2 and "bad.ttl, line 1" in err


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "tsv"])
def test_query_formats(fmt: str, store: str, capsys) -> None:
    q = (
        "SELECT ?c WHERE { GRAPH <https://w3id.org/svckg/graph/ontology> "
        "{ <https://w3id.org/svckg#Service> a ?c } } ORDER BY ?c"
    )
    code, out, _ = run(capsys, "query", q, "--store", store, "-f", fmt)
    assert code == 0
    if fmt == "json":
        values = [b["c"]["value"] for b in json.loads(out)["results"]["bindings"]]
        assert "http://www.w3.org/2002/07/owl#Class" in values
    else:
        assert "owl" in out and "Class" in out


def test_query_construct_and_file(store: str, tmp_path: Path, capsys) -> None:
    rq = tmp_path / "q.rq"
    rq.write_text(
        "CONSTRUCT { ?s a ?c } WHERE { GRAPH <https://w3id.org/svckg/graph/ontology> "
        "{ ?s a ?c } } LIMIT 3"
    )
    code, out, _ = run(capsys, "query", str(rq), "--store", store, "-f", "turtle")
    assert code == 0 and len(rdflib.Graph().parse(data=out, format="turtle")) == 3
    code, _, err = run(capsys, "query", "SELECT WHERE {", "--store", store)
    assert code == 2 and "syntax" in err.lower()


def test_export(store: str, tmp_path: Path, capsys) -> None:
    assert run(capsys, "import", "--store", store, "--force", *map(str, DEMO))[0] == 0
    out_file = tmp_path / "all.nq"
    assert run(capsys, "export", "--store", store, "-o", str(out_file))[0] == 0
    quads = list(ox.parse(out_file.read_bytes(), ox.RdfFormat.N_QUADS))
    graphs = {q.graph_name.value for q in quads}
    assert "https://w3id.org/svckg/graph/import/provider-ttl/v1" in graphs
    code, out, _ = run(
        capsys,
        "export",
        "--store",
        store,
        "-f",
        "turtle",
        "--graph",
        "https://w3id.org/svckg/graph/import/provider-ttl/v1",
    )
    assert code == 0
    assert len(rdflib.Graph().parse(data=out, format="turtle")) == sum(
        q.graph_name.value.endswith("provider-ttl/v1") for q in quads
    )
    code, _, err = run(capsys, "export", "--store", store, "--graph", "http://nowhere/")
    assert code == 2 and "no graph" in err


def test_commands_refuse_a_missing_store(tmp_path: Path, capsys) -> None:
    code, _, err = run(capsys, "imports", "list", "--store", str(tmp_path / "none"))
    assert code == 2 and "svckg init" in err
    assert not (tmp_path / "none").exists()
