"""Imports and readers (issue 21): a server restarted after a crash between loading an
import's graph and switching its record serves none of it; readers never see half an import
nor two versions of one."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import httpx

from svckg.ingest import records
from svckg.ingest.base import SourceFile
from svckg.ingest.pipeline import import_sources
from svckg.store.embedded import EmbeddedStore

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


def _count(store: EmbeddedStore) -> int:
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
