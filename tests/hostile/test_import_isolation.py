"""Imports and readers (issue 21): a server restarted after a crash between loading an
import's graph and switching its record serves none of it; readers never see half an import
nor two versions of one."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from svckg.analysis.impact import impact
from svckg.ingest import pipeline, records
from svckg.ingest.base import SourceFile
from svckg.ingest.pipeline import import_sources
from svckg.store import remote
from svckg.store.base import Store
from svckg.store.embedded import EmbeddedStore
from svckg.store.remote import RemoteStore

sys.path.insert(0, str(Path(__file__).parent))
from conftest import start_server  # noqa: E402

SVC = "https://w3id.org/svckg#"
MARK = "https://w3id.org/svckg/id/crash-marker"


def _big_ttl(n: int, label: str) -> bytes:
    head = (
        "@prefix svc: <https://w3id.org/svckg#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    )
    body = "".join(
        f'<https://w3id.org/svckg/id/app-{i}> a svc:Application ; rdfs:label "{label} {i}" .\n'
        for i in range(n)
    )
    return (head + body).encode()


def test_restart_after_a_crash_mid_import_serves_none_of_it(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    data = tmp_path / "crash.ttl"
    data.write_text(f"@prefix svc: <https://w3id.org/svckg#> .\n<{MARK}> a svc:Application .\n")
    # an import killed (SIGKILL) after loading its graph, before its record is switched
    code = (
        "import os, signal\nfrom svckg.ingest import pipeline\n"
        "from svckg.store.embedded import EmbeddedStore\n"
        "def killed(*a, **k): os.kill(os.getpid(), signal.SIGKILL)\n"
        "pipeline._Import.commit = killed\n"
        f"s = EmbeddedStore({str(store_dir)!r})\n"
        f"pipeline.import_sources(s, pipeline.read_sources([{str(data)!r}]), force=True)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=180)
    assert done.returncode == -9, done.stderr[-2000:]
    left = EmbeddedStore(store_dir)
    assert records.orphan_graphs(left), "the crash left the loaded graph behind"
    left.close()

    base, log, ctx = start_server(tmp_path, store=str(store_dir))
    with ctx:
        r = httpx.get(
            f"{base}/sparql",
            params={"query": f"ASK {{ <{MARK}> ?p ?o }}"},
            headers={"accept": "application/sparql-results+json"},
            timeout=30,
        )
        assert r.json()["boolean"] is False
        assert all(rec["source"] != "crash.ttl" for rec in httpx.get(f"{base}/api/imports").json())
    store = EmbeddedStore(store_dir)
    assert records.orphan_graphs(store) == []
    store.close()


def _count(store: Store) -> int:
    rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a <{SVC}Application> }}")
    return int(next(iter(rows))["n"].value)


def test_readers_never_see_half_an_import() -> None:
    store = EmbeddedStore(None)
    before = _count(store)
    seen: list[int] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            seen.append(_count(store))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        first = import_sources(
            store, [SourceFile("big.ttl", _big_ttl(60_000, "v1"))], validate=False
        )
        after_first = _count(store)
        second = import_sources(
            store, [SourceFile("big.ttl", _big_ttl(60_000, "v2"))], validate=False
        )
        after_second = _count(store)
    finally:
        stop.set()
        reader.join(60)
    assert first.sources[0].status == "created" and second.sources[0].status == "replaced"
    assert after_first == after_second == before + 60_000
    assert len(seen) > 3, "the reader ran during the imports"
    partial = [n for n in seen if n not in (before, after_first)]
    assert partial == [], f"readers saw {sorted(set(partial))[:5]}"


ROOT = "https://w3id.org/svckg/id/isolation-root"


def _dependent_ttl(n: int, label: str) -> bytes:
    """``n`` applications that each depend on :data:`ROOT` (so impact counts them)."""
    body = "".join(
        f'<https://w3id.org/svckg/id/dep-{i}> a svc:Application ; rdfs:label "{label} {i}" ; '
        f"svc:dependsOn <{ROOT}> .\n"
        for i in range(n)
    )
    return _big_ttl(0, label) + body.encode()


def _readers_during_two_imports(store: Store, n: int) -> None:
    """Import ``n`` dependents of a root, then a new version of them, while another thread
    counts them (SPARQL through the store) and asks impact of the root; every read sees the
    state before or after an import, never a part nor two versions."""
    root = f'<{ROOT}> a svc:Application ; rdfs:label "root" .\n'.encode()
    import_sources(store, [SourceFile("root.ttl", _big_ttl(0, "r") + root)], validate=False)
    before = _count(store)
    seen: list[tuple[int, int]] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                seen.append((_count(store), impact(store, [ROOT]).count))
            except BaseException as exc:  # reported below: a failing reader is a failure
                errors.append(exc)
                return

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for label in ("v1", "v2"):
            import_sources(
                store, [SourceFile("deps.ttl", _dependent_ttl(n, label))], validate=False
            )
            assert _count(store) == before + n
    finally:
        stop.set()
        reader.join(120)
    assert errors == [], errors
    assert len(seen) > 3, "the reader ran during the imports"
    counts = [c for c, _ in seen if c not in (before, before + n)]
    assert counts == [], f"SPARQL counts {sorted(set(counts))[:5]} (before {before}, n {n})"
    # the count and impact are read one after the other: each is checked on its own
    affected = [a for _, a in seen if a not in (0, n)]
    assert affected == [], f"impact counts {sorted(set(affected))[:5]} (n {n})"


def test_readers_of_an_oxigraph_server_never_see_half_an_import(
    remote_store: RemoteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(remote, "BULK_CHUNK_BYTES", 128 * 1024)  # many partial states
    _readers_during_two_imports(remote_store, 6_000)


def _reads_of(store: EmbeddedStore, graph: str) -> dict[str, int]:
    """Every way a reader can name one graph explicitly, with what it sees of it."""
    where = f"{{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"

    def n(rows: object) -> int:
        return int(next(iter(rows))["n"].value)  # type: ignore[call-overload]

    return {
        "GRAPH <g>": n(store.query(f"SELECT (COUNT(*) AS ?n) {where}")),
        "FROM NAMED <g>": n(store.query(f"SELECT (COUNT(*) AS ?n) FROM NAMED <{graph}> {where}")),
        "FROM <g>": n(store.query(f"SELECT (COUNT(*) AS ?n) FROM <{graph}> {{ ?s ?p ?o }}")),
        "named-graph-uri": n(store.query(f"SELECT (COUNT(*) AS ?n) {where}", named_graphs=[graph])),
        "default-graph-uri": n(
            store.query("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", default_graph=[graph])
        ),
        "count(graph)": store.count(graph),
        "quads(graph)": sum(1 for _ in store.quads(graph=graph)),
        "export(graph)": store.export(graph=graph).count(b"\n"),
    }


def test_explicit_reads_of_a_loading_graph_see_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """A reader that names the graph being loaded (found on the engine while the import
    waits before its record switch) sees it empty whichever way it names it; after the
    switch it sees it whole."""
    store = EmbeddedStore(None)
    initial = set(store.graphs())
    found: list[dict[str, int]] = []
    commit = pipeline._Import.commit

    def read_then_commit(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        def read() -> None:
            for node in store.engine.named_graphs():
                graph = getattr(node, "value", "")
                if graph.startswith(records.IMPORT_BASE) and graph not in initial:
                    found.append(_reads_of(store, graph))

        reader = threading.Thread(target=read)  # another thread: not the importing one
        reader.start()
        reader.join(60)
        return commit(self, *args, **kwargs)

    monkeypatch.setattr(pipeline._Import, "commit", read_then_commit)
    done = import_sources(store, [SourceFile("big.ttl", _big_ttl(60_000, "v1"))], validate=False)
    assert found, "the reader found no loading graph"
    assert all(set(seen.values()) == {0} for seen in found), found[:3]
    after = _reads_of(store, done.sources[0].record.graph)
    assert after["GRAPH <g>"] == after["count(graph)"] == after["quads(graph)"] == 120_000
