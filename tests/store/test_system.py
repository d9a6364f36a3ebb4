"""ensure_system_graphs: loads the system files, is idempotent, refreshes on change."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from svckg.config import ONTOLOGY_DIR
from svckg.errors import ParseError
from svckg.store.base import Store
from svckg.store.system import SYSTEM_GRAPH, ensure_system_graphs, loaded_checksums
from svckg.vocab import ALIGNMENTS_GRAPH, CONCEPTS_GRAPH, ONTOLOGY_GRAPH

ONT, CON, ALI = str(ONTOLOGY_GRAPH), str(CONCEPTS_GRAPH), str(ALIGNMENTS_GRAPH)
PREFIX = "@prefix e: <http://example.org/> .\n"


@pytest.fixture(params=["memory", "remote"])
def store(request: pytest.FixtureRequest) -> Store:
    return request.getfixturevalue(f"{request.param}_store")


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {
        "ontology": tmp_path / "svckg.ttl",
        "concepts": tmp_path / "concepts.ttl",
        "alignments": tmp_path / "alignments.ttl",
    }
    paths["ontology"].write_text(PREFIX + "e:Service a e:Class .\ne:Product a e:Class .\n")
    paths["concepts"].write_text(PREFIX + "e:customer a e:Concept .\n")
    paths["alignments"].write_text(PREFIX + "e:Service e:closeMatch e:CFS .\n")
    return paths


def labels(store: Store, graph: str) -> set[str]:
    rows = store.query(f"SELECT ?s WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return {row["s"].value.rsplit("/", 1)[-1] for row in rows}


def test_loads_each_file_into_its_graph(store: Store, files: dict[str, Path]) -> None:
    assert ensure_system_graphs(store, **files) is True
    assert set(store.graphs()) == {ONT, CON, ALI, SYSTEM_GRAPH}
    assert labels(store, ONT) == {"Service", "Product"}
    assert labels(store, CON) == {"customer"}
    assert labels(store, ALI) == {"Service"}
    assert set(loaded_checksums(store)) == {ONT, CON, ALI}


def test_idempotent(store: Store, files: dict[str, Path]) -> None:
    ensure_system_graphs(store, **files)
    generation = store.generation
    assert ensure_system_graphs(store, **files) is False
    assert store.generation == generation, "nothing rewritten"


def test_refreshes_only_the_changed_file(store: Store, files: dict[str, Path]) -> None:
    ensure_system_graphs(store, **files)
    sums = loaded_checksums(store)
    files["ontology"].write_text(PREFIX + "e:Offering a e:Class .\n")
    assert ensure_system_graphs(store, **files) is True
    assert labels(store, ONT) == {"Offering"}, "old triples gone, new ones in"
    after = loaded_checksums(store)
    assert after[ONT] != sums[ONT]
    assert after[CON] == sums[CON] and after[ALI] == sums[ALI]


def test_missing_alignments_drops_its_graph(store: Store, files: dict[str, Path]) -> None:
    ensure_system_graphs(store, **files)
    files["alignments"].unlink()
    assert ensure_system_graphs(store, **files) is True
    assert ALI not in store.graphs()
    assert ALI not in loaded_checksums(store)
    assert ensure_system_graphs(store, **files) is False


def test_bad_file_keeps_the_previous_graph(store: Store, files: dict[str, Path]) -> None:
    ensure_system_graphs(store, **files)
    files["concepts"].write_text(PREFIX + "e:broken a \n")
    with pytest.raises(ParseError) as info:
        ensure_system_graphs(store, **files)
    assert str(files["concepts"]) in str(info.value) and info.value.line is not None
    assert labels(store, CON) == {"customer"}


def test_missing_required_file(store: Store, files: dict[str, Path]) -> None:
    files["ontology"].unlink()
    with pytest.raises(ParseError, match="missing"):
        ensure_system_graphs(store, **files)


def test_a_deleted_graph_is_reloaded(store: Store, files: dict[str, Path]) -> None:
    ensure_system_graphs(store, **files)
    store.drop_graph(CON)
    assert ensure_system_graphs(store, **files) is True
    assert labels(store, CON) == {"customer"}


def test_package_files(memory_store: Store) -> None:
    """The real ontology/ files load (they are written by another engineer)."""
    if not (ONTOLOGY_DIR / "svckg.ttl").is_file():
        pytest.fail("ontology/svckg.ttl is missing")
    assert ensure_system_graphs(memory_store) is True
    assert memory_store.count(ONT) > 0 and memory_store.count(CON) > 0
    svc_service = ox.NamedNode("https://w3id.org/svckg#Service")
    assert any(True for _ in memory_store.quads(subject=svc_service, graph=ONT))
