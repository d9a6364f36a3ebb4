"""The version graphs load on a second thread while the shapes run (issue 13): the same quads
are committed as by the one-after-the-other path, a rejected or failing import leaves the store
as it was (multiset of N-Quads), readers never see the loading graph, and a process killed
mid-overlap leaves nothing after recovery."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from svckg.config import DATA_DIR
from svckg.errors import ValidationFailed
from svckg.ingest import pipeline, records
from svckg.ingest.base import SourceFile
from svckg.store.embedded import EmbeddedStore
from svckg.store.system import ensure_system_graphs
from tests.conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT))
from bench.landscape import write as write_landscape  # noqa: E402

TIMES = ("started", "ended")
EXTRA = (
    b'\n<https://w3id.org/svckg/id/overlap-x> <http://www.w3.org/2000/01/rdf-schema#label> "x" .\n'
)


@pytest.fixture(autouse=True)
def overlap_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """The overlap runs from 4 cores (OVERLAP_MIN_CPUS); tested here on any machine."""
    monkeypatch.setattr(pipeline, "OVERLAP_MIN_CPUS", 1)


@pytest.fixture(scope="module")
def landscape(tmp_path_factory: pytest.TempPathFactory) -> list[SourceFile]:
    path = tmp_path_factory.mktemp("landscape") / "landscape.nt"
    write_landscape(path, 20_000)
    return pipeline.read_sources([path])


def demo_files() -> list[SourceFile]:
    return pipeline.read_sources(sorted(DATA_DIR.glob("*.ttl")))


def quads(store: EmbeddedStore) -> Counter[str]:
    """Every quad of the import graphs (versions and their inferred edges), as a multiset:
    the system graphs' blank nodes differ per store, the provenance records carry times."""
    graphs = [g for g in store.graphs() if g.startswith(records.IMPORT_BASE)]
    assert graphs
    return Counter(str(q) for g in graphs for q in store.quads(graph=g))


def everything(store: EmbeddedStore) -> Counter[str]:
    return Counter(store.export(ox.RdfFormat.N_QUADS).decode().splitlines())


def record_fields(outcome: pipeline.ImportOutcome) -> list[dict]:
    out = []
    for s in outcome.sources:
        assert s.record is not None
        fields = s.record.to_json()
        out.append({k: v for k, v in fields.items() if k not in TIMES})
    return out


def fresh(path: Path) -> EmbeddedStore:
    store = EmbeddedStore(path)
    ensure_system_graphs(store)
    return store


@pytest.fixture
def demo_disk(tmp_path: Path) -> Iterator[EmbeddedStore]:
    """An on-disk store holding the demo, imported."""
    store = fresh(tmp_path / "demo")
    pipeline.import_sources(store, demo_files(), force=True)
    yield store
    store.close()


def spy_on_loader(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of what the loader thread ran (proves the overlap happened)."""
    ran: list[str] = []
    submit = pipeline._Loader.submit

    def spied(self, load: Callable[..., None], *args) -> None:  # noqa: ANN001
        ran.append(load.__name__)
        submit(self, load, *args)

    monkeypatch.setattr(pipeline._Loader, "submit", spied)
    return ran


@pytest.mark.parametrize("which", ["landscape", "demo"])
def test_overlapped_and_sequential_imports_commit_the_same_quads(
    which: str, landscape: list[SourceFile], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = landscape if which == "landscape" else demo_files()
    results = []
    for limit in (0, pipeline.OVERLAP_MAX_BYTES):
        monkeypatch.setattr(pipeline, "OVERLAP_MAX_BYTES", limit)
        store = fresh(tmp_path / f"store-{limit}")
        try:
            first = pipeline.import_sources(store, files, force=True)
            # a second version of the first source: the diff is computed after the overlap
            data = files[0].data.replace(b"Team", b"Crew", 40) + EXTRA
            changed = SourceFile(files[0].name, data)
            second = pipeline.import_sources(store, [changed], allow_violations=True)
            assert ("overlapped" in first.timings) is (limit > 0)
            results.append(
                (quads(store), record_fields(first), record_fields(second), first.report.results)
            )
        finally:
            store.close()
    assert results[0][0] == results[1][0]
    assert results[0][1:3] == results[1][1:3]
    assert Counter(map(repr, results[0][3])) == Counter(map(repr, results[1][3]))
    assert results[0][2][0]["added"] > 0 and results[0][2][0]["version"] == 2


def test_a_rejected_overlapped_import_leaves_the_store_as_it_was(
    landscape: list[SourceFile], demo_disk: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran = spy_on_loader(monkeypatch)
    before = everything(demo_disk)
    with pytest.raises(ValidationFailed):  # the landscape has warnings
        pipeline.import_sources(demo_disk, landscape, fail_on="warning")
    assert "_load_into" in ran and "_put_ntriples" in ran
    assert everything(demo_disk) == before
    assert records.orphan_graphs(demo_disk) == []


def test_a_load_failing_on_the_loader_thread_leaves_nothing(
    landscape: list[SourceFile], demo_disk: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = demo_disk
    real = pipeline._put_ntriples

    def half(*args) -> None:  # noqa: ANN002
        real(*args)  # the inferred edges are written, then the engine fails
        raise OSError("disk full")

    before = everything(store)
    monkeypatch.setattr(pipeline, "_put_ntriples", half)
    with pytest.raises(OSError, match="disk full"):
        pipeline.import_sources(store, landscape, force=True)
    assert everything(store) == before
    monkeypatch.setattr(pipeline, "_put_ntriples", real)
    outcome = pipeline.import_sources(store, landscape, force=True)
    assert outcome.sources[0].status == "created"


def _wait_for_new_graph(store: EmbeddedStore, known: set[str], timeout: float = 60) -> str:
    """A graph the engine holds that ``known`` does not (read from the engine, not hidden)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        new = {g.value for g in store.engine.named_graphs()} - known
        if new:
            return sorted(new)[0]
        time.sleep(0.02)
    raise AssertionError("the loader never created the version graph")


def test_validation_failing_mid_overlap_waits_for_the_load_and_drops_it(
    landscape: list[SourceFile], demo_disk: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = demo_disk
    before = everything(store)
    known = {g.value for g in store.engine.named_graphs()}

    def failing(*_args, **_kwargs) -> None:
        _wait_for_new_graph(store, known)
        raise RuntimeError("the validator broke")

    monkeypatch.setattr(pipeline, "_validate", failing)
    with pytest.raises(RuntimeError, match="validator broke"):
        pipeline.import_sources(store, landscape, force=True)
    assert everything(store) == before
    assert {g.value for g in store.engine.named_graphs()} == known


def test_readers_do_not_see_the_graph_loading_during_validation(
    landscape: list[SourceFile], demo_disk: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = demo_disk
    union = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    ask = "ASK { <https://w3id.org/svckg/id/bench-hub-0> ?p ?o }"

    def read(graph: str | None = None) -> tuple[int, bool, int]:
        n = int(next(iter(store.query(union)))["n"].value)  # type: ignore[call-overload]
        return n, bool(store.query(ask)), store.count(graph) if graph else 0

    before = read()
    known = {g.value for g in store.engine.named_graphs()}
    seen: list[tuple[int, bool, int]] = []
    loading: list[str] = []
    real = pipeline._validate

    def watched(*args, **kwargs):  # noqa: ANN202
        loading.append(_wait_for_new_graph(store, known))
        reader = threading.Thread(target=lambda: seen.append(read(loading[0])))
        reader.start()
        reader.join(60)
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "_validate", watched)
    pipeline.import_sources(store, landscape, force=True)
    after = read(loading[0])
    # the graph is there (the engine lists it) and readers on other threads read nothing of
    # it; once committed they read all of it
    assert store.engine.contains_named_graph(ox.NamedNode(loading[0]))
    assert seen == [before]
    assert after[1] is True and after[0] > before[0] and after[2] > 0


KILLER = """
import os, signal, sys, time
from svckg.ingest import pipeline
from svckg.store.embedded import EmbeddedStore

store = EmbeddedStore(sys.argv[1])
known = {g.value for g in store.engine.named_graphs()}

def killed(*args, **kwargs):
    deadline = time.monotonic() + 60
    while not {g.value for g in store.engine.named_graphs()} - known:
        if time.monotonic() > deadline:
            sys.exit("the loader never created the version graph")
        time.sleep(0.01)
    os.kill(os.getpid(), signal.SIGKILL)  # the version graph is (being) loaded

pipeline.OVERLAP_MIN_CPUS = 1
pipeline._validate = killed
pipeline.import_sources(store, pipeline.read_sources([sys.argv[2]]), force=True)
"""


def test_a_process_killed_mid_overlap_leaves_nothing(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    with fresh(store_dir) as store:
        pipeline.import_sources(store, demo_files(), force=True)
        before = everything(store)
    data = tmp_path / "landscape.nt"
    write_landscape(data, 20_000)
    done = subprocess.run(
        [sys.executable, "-c", KILLER, str(store_dir), str(data)],
        capture_output=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")},
        check=False,
    )
    assert done.returncode == -9, done.stderr[-2000:]
    with EmbeddedStore(store_dir) as store:
        assert records.orphan_graphs(store), "the kill left the loaded graph behind"
        records.recover(store)
        assert everything(store) == before


@pytest.mark.parametrize("which", ["landscape", "demo"])
def test_the_union_dataset_validates_as_the_listed_graphs(
    which: str, landscape: list[SourceFile], memory_store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shapes run over the validation store's union default graph (it holds exactly the
    listed graphs): the same results, as a multiset, as over the list of graphs."""
    from svckg.validation import shacl

    bad = SourceFile(
        "bad.ttl", b"<https://w3id.org/svckg/id/x> a <https://w3id.org/svckg#ServiceSolution> ."
    )
    files = landscape if which == "landscape" else [*demo_files(), bad]
    ensure_system_graphs(memory_store)
    datasets: list[object] = []
    real = shacl.validate_store
    as_list = False

    def spied(store, shapes, *, default_graph=None, **kwargs):  # noqa: ANN001, ANN202
        datasets.append(default_graph)
        if as_list:  # the graphs the validation store holds, named one by one
            default_graph = store.graphs()
        return real(store, shapes, default_graph=default_graph, **kwargs)

    monkeypatch.setattr(shacl, "validate_store", spied)
    union = pipeline.validate_sources(memory_store, files)
    as_list = True
    listed = pipeline.validate_sources(memory_store, files)
    assert datasets == [None, None]
    assert union.results
    assert Counter(map(repr, union.results)) == Counter(map(repr, listed.results))
