"""Shared helpers for the EA importer tests: the real fixtures under ../shared/fixtures."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from svckg.config import PROJECT_ROOT
from svckg.ingest.base import Staged

FIXTURES = PROJECT_ROOT.parent / "shared" / "fixtures"
ARCHIMATE = FIXTURES / "archimate"
ARCHI_CSV = FIXTURES / "archi-csv"
XSD_DIR = ARCHIMATE / "xsd"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
ARCH = "http://www.opengroup.org/xsd/archimate/3.0/#"
SVC = "https://w3id.org/svckg#"


@pytest.fixture
def with_xsd(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Turn on the schema check against the Open Group XSDs."""
    monkeypatch.setenv("SVCKG_ARCHIMATE_XSD_DIR", str(XSD_DIR))
    return XSD_DIR


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

    FIXTURES, ARCHIMATE, ARCHI_CSV, XSD_DIR = FIXTURES, ARCHIMATE, ARCHI_CSV, XSD_DIR
    RDF_TYPE, ARCH, SVC = RDF_TYPE, ARCH, SVC
    types_of = staticmethod(types_of)
    count_archimate_types = staticmethod(count_archimate_types)
    objects = staticmethod(objects)


@pytest.fixture(scope="session")
def ea() -> type[_Helpers]:
    """Paths, namespaces and triple helpers for the EA importer tests."""
    return _Helpers
