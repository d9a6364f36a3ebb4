"""Shared helpers for the EA importer tests: the outside samples (``SVCKG_FIXTURES``) and the
project's own material in ``tests/ingest_ea/data``."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from svckg.config import Settings
from svckg.ingest.base import Staged
from tests.conftest import fixtures_dir, skip_unless_fixtures

FIXTURES = fixtures_dir()
OWN = Path(__file__).parent / "data"
"""Material the project wrote itself (tiny-shop): present in every clone."""
ARCHIMATE = FIXTURES / "archimate"
ARCHI_CSV = FIXTURES / "archi-csv"
XSD_DIR = ARCHIMATE / "xsd"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
ARCH = "http://www.opengroup.org/xsd/archimate/3.0/#"
SVC = "https://w3id.org/svckg#"


@pytest.fixture
def with_xsd(monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings turning on the schema check against the Open Group XSDs (outside material),
    for the importers; the CLI (the edge) sees them through SVCKG_ARCHIMATE_XSD_DIR."""
    skip_unless_fixtures()
    monkeypatch.setenv("SVCKG_ARCHIMATE_XSD_DIR", str(XSD_DIR))
    return Settings(archimate_xsd_dir=str(XSD_DIR))


def types_of(staged: Staged) -> dict[str, set[str]]:
    """Subject IRI -> its rdf:type IRIs."""
    out: dict[str, set[str]] = {}
    for t in staged.triples:
        if t.predicate.value == RDF_TYPE:
            out.setdefault(t.subject.value, set()).add(t.object.value)
    return out


def count_archimate_types(staged: Staged) -> Counter[str]:
    """How many nodes carry each archimate: type (local name)."""
    return Counter(
        t.object.value[len(ARCH) :]
        for t in staged.triples
        if t.predicate.value == RDF_TYPE and t.object.value.startswith(ARCH)
    )


def objects(staged: Staged, subject: str, predicate: str) -> list[ox.Term]:
    """Objects of ``subject predicate ?o`` in the staged triples."""
    return [
        t.object
        for t in staged.triples
        if t.subject.value == subject and t.predicate.value == predicate
    ]


class _Helpers:
    """The helpers above, handed to tests as the ``ea`` fixture (importlib mode cannot import
    conftest as a module)."""

    FIXTURES, ARCHIMATE, ARCHI_CSV, XSD_DIR, OWN = FIXTURES, ARCHIMATE, ARCHI_CSV, XSD_DIR, OWN
    RDF_TYPE, ARCH, SVC = RDF_TYPE, ARCH, SVC
    types_of = staticmethod(types_of)
    count_archimate_types = staticmethod(count_archimate_types)
    objects = staticmethod(objects)


@pytest.fixture(scope="session")
def ea() -> type[_Helpers]:
    """Paths, namespaces and triple helpers for the EA importer tests."""
    return _Helpers
