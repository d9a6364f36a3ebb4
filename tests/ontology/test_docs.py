"""svckg.docs renders the ontology with pyLODE and the concept schemes to HTML."""

from __future__ import annotations

from pathlib import Path

import pytest

from svckg.docs import render_ontology_docs
from svckg.errors import InputError


def test_renders_ontology_and_concepts(tmp_path: Path) -> None:
    index = render_ontology_docs(tmp_path / "docs")
    assert index == tmp_path / "docs" / "index.html"
    html = index.read_text(encoding="utf-8")
    assert "https://w3id.org/svckg#CustomerFacingService" in html
    assert "customer-facing service" in html
    assert "depends on" in html
    concepts = (tmp_path / "docs" / "concepts.html").read_text(encoding="utf-8")
    for text in ("svcc:co-create", "svcc:mobile-app", "people and knowledge", "StakeholderRoles"):
        assert text in concepts


def test_bad_turtle_is_reported_and_nothing_written(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix svc: <https://w3id.org/svckg#> .\nsvc:A a \n", encoding="utf-8")
    out = tmp_path / "docs"
    with pytest.raises(InputError) as info:
        render_ontology_docs(out, ontology_file=bad)
    assert str(bad) in str(info.value)
    assert not out.exists()


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        render_ontology_docs(tmp_path / "docs", concepts_file=tmp_path / "nope.ttl")


def test_unloadable_pylode_gives_an_actionable_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pyLODE 3.4.1 fails on import; the error names the fix and nothing is written."""
    import sys

    from svckg.errors import SvckgError

    monkeypatch.setitem(sys.modules, "pylode", None)  # makes `import pylode` raise ImportError
    with pytest.raises(SvckgError, match="pylode>=3.0,<3.4"):
        render_ontology_docs(tmp_path / "docs")
    assert not (tmp_path / "docs").exists()
