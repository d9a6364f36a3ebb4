"""``svckg serve`` store preparation and ``svckg docs`` (the server itself runs in
``test_real_clients.py``)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

import svckg.cli  # noqa: F401  (registers every command on the app)
from svckg.cli.app import app
from svckg.cli.serve import prepare_store
from svckg.store.embedded import EmbeddedStore


def test_an_empty_store_gets_the_demo_and_a_used_one_is_left_alone() -> None:
    store = EmbeddedStore(None)
    ids = prepare_store(store)
    assert "services-ttl" in ids
    assert "https://w3id.org/svckg/graph/ontology" in store.graphs()
    count = store.count()
    assert prepare_store(store) == []
    assert store.count() == count
    other = EmbeddedStore(None)
    other.load(b"<urn:a> <urn:b> <urn:c> .", "urn:g")
    assert prepare_store(other) == []
    assert other.graphs() == ["urn:g"]


def test_docs_command_writes_the_ontology_pages(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["docs", "--out", str(tmp_path / "docs")])
    assert result.exit_code == 0, result.output
    index = tmp_path / "docs" / "index.html"
    assert index.is_file() and "CustomerFacingService" in index.read_text(encoding="utf-8")
    assert (tmp_path / "docs" / "concepts.html").is_file()
