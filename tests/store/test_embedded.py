"""Embedded-store behaviour the protocol does not cover: locks, damage, persistence, bulk."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

import svckg.store.embedded as embedded
from svckg.errors import StoreError
from svckg.store.embedded import EmbeddedStore

E = "http://example.org/"
G = f"{E}graph/one"
DATA = f'<{E}a> <{E}p> "1" .\n<{E}b> <{E}p> "2" .\n'.encode()

TRY_OPEN = """
import json, sys
from svckg.errors import StoreError
from svckg.store import embedded
from svckg.store.embedded import EmbeddedStore
if len(sys.argv) > 2:  # simulate a system without /proc/locks
    embedded.lock_holder = lambda lock_file: None
try:
    store = EmbeddedStore(sys.argv[1])
    print(json.dumps({"opened": True, "count": store.count()}))
except StoreError as exc:
    print(json.dumps({"opened": False, "error": str(exc)}))
"""

HOLD_OPEN = """
import sys
from svckg.store.embedded import EmbeddedStore
store = EmbeddedStore(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
store.close()
"""


def snapshot(path: Path) -> dict[str, tuple[int, bytes]]:
    """Name -> (size, content) of every file except LOCK (opening LOCK would drop a POSIX
    lock this process holds)."""
    return {
        name: (os.path.getsize(path / name), b"" if name == "LOCK" else (path / name).read_bytes())
        for name in sorted(os.listdir(path))
    }


def settled_snapshot(path: Path) -> dict[str, tuple[int, bytes]]:
    """A snapshot taken once the holder's background work (RocksDB compacts right after an
    open) has stopped changing the files: two equal snapshots 0.2 s apart."""
    deadline = time.monotonic() + 15
    previous = snapshot(path)
    while time.monotonic() < deadline:
        time.sleep(0.2)
        current = snapshot(path)
        if current == previous:
            return current
        previous = current
    raise AssertionError(f"{path} kept changing for 15 s")


def run_python(code: str, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def make_store(path: Path) -> None:
    with EmbeddedStore(path) as store:
        store.load(DATA, G)


def test_persistence_across_reopen(tmp_path: Path) -> None:
    make_store(tmp_path / "s")
    with EmbeddedStore(tmp_path / "s") as store:
        assert store.graphs() == [G]
        assert store.count(G) == 2


def test_locked_by_this_process_for_another(tmp_path: Path) -> None:
    path = tmp_path / "s"
    with EmbeddedStore(path) as store:
        store.load(DATA, G)
        store.engine.flush()
        before = settled_snapshot(path)
        answer = run_python(TRY_OPEN, str(path))
        assert answer["opened"] is False
        assert "in use by another process" in answer["error"]
        assert f"pid {os.getpid()}" in answer["error"]
        assert str(path) in answer["error"]
        assert snapshot(path) == before, "a refused open changes nothing"
        assert store.count(G) == 2


def test_lock_found_by_the_engine_when_proc_locks_is_missing(tmp_path: Path) -> None:
    """Without /proc/locks the engine's own lock error is reported, and the LOG file it
    rotated on the way is put back."""
    path = tmp_path / "s"
    with EmbeddedStore(path) as store:
        store.load(DATA, G)
        store.engine.flush()
        before = settled_snapshot(path)
        answer = run_python(TRY_OPEN, str(path), "no-proc-locks")
        assert answer["opened"] is False
        assert "in use by another process (pid unknown)" in answer["error"]
        assert snapshot(path) == before
        assert store.count(G) == 2


def test_locked_by_another_process(tmp_path: Path) -> None:
    path = tmp_path / "s"
    make_store(path)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_OPEN, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        before = settled_snapshot(path)
        with pytest.raises(StoreError) as info:
            EmbeddedStore(path)
        assert f"pid {holder.pid}" in str(info.value)
        assert info.value.hint and "another directory" in info.value.hint
        assert snapshot(path) == before
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(timeout=30)
    with EmbeddedStore(path) as store:
        assert store.count(G) == 2


def test_second_open_in_the_same_process_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s"
    with EmbeddedStore(path) as first:
        with pytest.raises(StoreError, match="already open in this process"):
            EmbeddedStore(path)
        assert embedded.lock_holder(path / "LOCK") == os.getpid(), "first keeps its lock"
        first.load(DATA, G)
    with EmbeddedStore(path) as again:  # closed: may be opened again
        assert again.count() == 2


def test_directory_with_foreign_files(tmp_path: Path) -> None:
    path = tmp_path / "notastore"
    path.mkdir()
    (path / "notes.txt").write_text("hello\n")
    before = snapshot(path)
    with pytest.raises(StoreError) as info:
        EmbeddedStore(path)
    assert "not an svckg store" in str(info.value) and "notes.txt" in str(info.value)
    assert str(path) in str(info.value)
    assert snapshot(path) == before


def test_garbage_current_file(tmp_path: Path) -> None:
    path = tmp_path / "s"
    make_store(path)
    (path / "CURRENT").write_bytes(b"\x00\xffgarbage")
    before = snapshot(path)
    with pytest.raises(StoreError, match="damaged") as info:
        EmbeddedStore(path)
    assert info.value.hint and "backup" in info.value.hint
    assert snapshot(path) == before


def test_truncated_store(tmp_path: Path) -> None:
    path = tmp_path / "s"
    make_store(path)
    for name in os.listdir(path):
        if name.endswith(".sst"):
            file = path / name
            with file.open("r+b") as handle:
                handle.truncate(file.stat().st_size // 2)
    before = snapshot(path)
    with pytest.raises(StoreError, match="damaged") as info:
        EmbeddedStore(path)
    assert str(path) in str(info.value)
    assert snapshot(path) == before, "the engine's LOG rotation and LOCK file are undone"


def test_path_is_a_file(tmp_path: Path) -> None:
    path = tmp_path / "file"
    path.write_text("x")
    with pytest.raises(StoreError, match="is a file"):
        EmbeddedStore(path)


def test_closed_store_is_an_error(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "s")
    store.close()
    store.close()  # idempotent
    with pytest.raises(StoreError, match="closed"):
        store.graphs()


@pytest.mark.parametrize("where", ["memory", "disk"])
def test_bulk_path_above_the_atomic_limit(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embedded, "ATOMIC_LOAD_LIMIT", 3)
    store = EmbeddedStore(None if where == "memory" else tmp_path / "s")
    lines = "".join(f'<{E}s{i}> <{E}p> "{i}" .\n' for i in range(10)).encode()
    assert store.load(lines, G) == 10
    assert store.load(lines[: lines.index(b"\n") + 1] * 1, G, replace=True) == 1
    assert store.count(G) == 1
    assert store.load(lines, G, replace=True) == 10
    assert store.count(G) == 10
    store.close()


def test_blank_node_parameter_uses_native_binding(memory_store: EmbeddedStore) -> None:
    memory_store.load(f'_:x <{E}p> "1" .'.encode(), G)
    node = next(memory_store.quads()).subject
    assert isinstance(node, ox.BlankNode)
    rows = memory_store.query("SELECT ?s ?o WHERE { ?s ?p ?o }", substitutions={"s": node})
    assert [r["o"].value for r in rows] == ["1"]
