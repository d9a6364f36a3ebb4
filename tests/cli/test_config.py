"""Settings at the edge: precedence (default < svckg.toml < SVCKG_* < flag) with the source of
each, ``svckg config`` and ``--version``, clear errors for a bad file, settings reaching the
importers through the app factory, and no library module reading the environment."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from svckg import __version__
from svckg.api.app import create_app
from svckg.cli import main
from svckg.config import Settings, describe, load_settings
from svckg.errors import InputError
from svckg.store.embedded import EmbeddedStore

SRC = Path(__file__).resolve().parents[2] / "src" / "svckg"
TINY_SHOP = Path(__file__).resolve().parents[1] / "ingest_ea" / "data" / "tiny-shop.xml"
EDGES = {"config.py", "cli/core.py", "api/app.py"}
"""The modules allowed to build settings from the environment."""


def run(capsys, *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(exit_.value.code or 0), out, err


def test_precedence_and_sources(tmp_path: Path) -> None:
    toml = tmp_path / "svckg.toml"
    toml.write_text('query_timeout_s = 7\nbase_iri = "https://ex.org/id/"\nstore = "a"\n')
    env = {"SVCKG_STORE": "b", "SVCKG_VALIDATOR": "pyshacl", "SVCKG_BASE_IRI": "https://e/"}
    s = load_settings(config_file=toml, env=env, store="c")
    assert (s.store, s.validator, s.base_iri, s.query_timeout_s) == (
        "c",
        "pyshacl",
        "https://e/",
        7,
    )
    assert s.sources["store"] == "flag"
    assert s.sources["validator"] == "environment SVCKG_VALIDATOR"
    assert s.sources["base_iri"] == "environment SVCKG_BASE_IRI"
    assert s.sources["query_timeout_s"] == f"file {toml}"
    assert s.sources["max_result_rows"] == "default" and s.max_result_rows == 100_000
    # a [svckg] table works too; production switches introspection off unless set
    toml.write_text("[svckg]\nproduction = true\n")
    p = load_settings(config_file=toml, env={})
    assert p.production and not p.graphql_introspection
    assert p.sources["graphql_introspection"].startswith(f"file {toml}")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colour = 'red'\n", "unknown setting 'colour'"),
        ("query_timeout_s = 'soon'\n", "query_timeout_s cannot be 'soon'"),
        ("max_result_rows = 1.5\n", "max_result_rows cannot be 1.5"),
        ("validator = 'fast'\n", "validator cannot be 'fast'"),
        ("store = \n", "cannot read the settings file"),
    ],
)
def test_bad_settings_file_is_a_located_error(tmp_path: Path, text: str, message: str) -> None:
    toml = tmp_path / "svckg.toml"
    toml.write_text(text)
    with pytest.raises(InputError, match=message) as err:
        load_settings(config_file=toml, env={})
    assert str(toml) in err.value.where


def test_bad_environment_value_names_the_variable() -> None:
    with pytest.raises(InputError, match="read_requires_token cannot be 'maybe'") as err:
        load_settings(env={"SVCKG_READ_REQUIRES_TOKEN": "maybe"})
    assert err.value.where == "SVCKG_READ_REQUIRES_TOKEN"


def test_svckg_config_prints_values_and_sources_never_tokens(
    capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "svckg.toml").write_text("max_result_rows = 10\n")
    monkeypatch.setenv("SVCKG_TOKENS", "very-secret-token:admin")
    code, out, _ = run(capsys, "config", "--store", ":memory:", "--format", "json")
    assert code == 0
    rows = {r["name"]: r for r in json.loads(out)}
    assert rows["store"] == {"name": "store", "value": "':memory:'", "source": "flag"}
    assert rows["max_result_rows"]["source"] == "file svckg.toml"
    assert rows["tokens"]["source"] == "environment SVCKG_TOKENS"
    code, table, _ = run(capsys, "config")
    assert code == 0 and "max_result_rows" in table and "file svckg.toml" in table
    assert "very-secret-token" not in out + table
    assert [r[0] for r in describe(Settings())] == list(rows)


def test_version(capsys) -> None:
    code, out, _ = run(capsys, "--version")
    assert (code, out.strip()) == (0, f"svckg {__version__}")


def test_app_settings_reach_the_importers() -> None:
    """create_app(Settings(base_iri=...)): an ArchiMate upload names things under that base."""
    base = "https://example.org/things/"
    store = EmbeddedStore(None)
    app = create_app(Settings(store=":memory:", base_iri=base, tokens="ed:editor"), store=store)
    with TestClient(app) as client:
        answer = client.post(
            "/api/imports",
            files=[("file", (TINY_SHOP.name, TINY_SHOP.read_bytes(), "application/xml"))],
            params={"force": "true"},
            headers={"authorization": "Bearer ed"},
        )
    assert answer.status_code == 201, answer.text
    rows = store.query(
        'SELECT ?s WHERE { ?s <http://purl.org/dc/terms/identifier> "id-web-server" }'
    )
    assert [r["s"].value for r in rows] == [base + "id-tiny-shop/id-web-server"]
    store.close()


def _reads_environment(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv"}:
            found.append(f"{node.attr} at line {node.lineno}")
        if isinstance(node, ast.Name) and node.id == "load_settings":
            found.append(f"load_settings at line {node.lineno}")
    return found


def test_no_library_module_reads_the_environment() -> None:
    offenders = {
        str(p.relative_to(SRC)): hits
        for p in sorted(SRC.rglob("*.py"))
        if str(p.relative_to(SRC)) not in EDGES and (hits := _reads_environment(p))
    }
    assert offenders == {}
    assert all((SRC / e).is_file() for e in EDGES)
