"""The project's default validator (SPARQL on pyoxigraph) enforces these shapes exactly as
pyshacl does, on the demo landscape and on every invalid example."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from svckg.config import DATA_DIR
from svckg.validation.shacl import validate_store

CASES = [DATA_DIR, *sorted((DATA_DIR / "invalid").glob("*.ttl"))]


def _files(case: Path) -> list[Path]:
    return sorted(case.glob("*.ttl")) if case.is_dir() else [case]


@pytest.mark.parametrize("case", CASES, ids=[p.stem for p in CASES])
def test_sparql_validator_matches_pyshacl(
    shapes: Graph, validation_graph: Callable[[Iterable[Path]], Graph], case: Path
) -> None:
    data = validation_graph(_files(case))
    store = ox.Store()
    store.load(data.serialize(format="nt"), format=ox.RdfFormat.N_TRIPLES)
    fast = validate_store(store, shapes, validator="sparql")
    reference = validate_store(store, shapes, validator="pyshacl")
    assert Counter(r.key() for r in fast.results) == Counter(r.key() for r in reference.results)
    for result in fast.results + reference.results:
        assert "{?" not in result.message and "{$" not in result.message, result.message
    if case.is_dir():
        assert reference.results == []
    else:
        assert reference.results
