"""The dependency index built in a child process (``svckg.analysis.offload``) is the index a
process builds, and is never used for a state it did not see: a write during the child's
build discards its result; a child that dies leaves the build to the process; no child
outlives the store or the server that started it."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest

from svckg.analysis import offload, snapshot
from svckg.analysis.impact import impact
from svckg.analysis.index import DependencyIndex, build_index, get_index, invalidate
from svckg.store.embedded import EmbeddedStore
from tests.analysis.test_snapshot import ID, SRC, World, answers, fresh_answers
from tests.conftest import REPO_ROOT, _free_port

sys.path.insert(0, str(REPO_ROOT))
from bench.bench_cold import _children  # noqa: E402
from bench.landscape import generate, unit_iri  # noqa: E402

SVC = "https://w3id.org/svckg#"


def contents(index: DependencyIndex) -> dict[str, Any]:
    """Everything the index holds, decoded: each column as a dict of its values (lists in
    the order the index keeps), the predicates, the layers."""
    out: dict[str, Any] = {a: dict(c.items()) for a, c in index.columns().items()}
    out["dependency predicates"] = index.dependency_predicates
    out["layer order"] = dict(index.layer_order)
    return out


@pytest.fixture
def disk_landscape(tmp_path: Path) -> Path:
    """An on-disk store holding a generated landscape (bench/landscape.py), one graph."""
    path = tmp_path / "landscape"
    store = EmbeddedStore(path)
    store.bulk_load(generate(30_000, seed=7), "urn:landscape", format=ox.RdfFormat.N_TRIPLES)
    store.close()
    return path


@pytest.fixture(params=["--hold-built"])
def hold(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Path]:
    """Children started meanwhile wait, once the store is open (``--hold-open``) or the index
    built (``--hold-built``), until this file exists."""
    release = tmp_path / "release"
    offload.CHILD_ARGS[:] = [request.param, str(release)]
    try:
        yield release
    finally:
        offload.CHILD_ARGS.clear()
        release.touch()


def _wait_for(path: Path, proc: subprocess.Popen | None = None, log: Path | None = None) -> None:
    deadline = time.monotonic() + 120
    while not path.exists():
        if proc is not None:
            assert proc.poll() is None, log.read_text(errors="replace")[-3000:] if log else ""
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.01)


def _child_of(pid: int) -> int:
    """The index-building child of ``pid`` (exactly one)."""
    found = [
        c
        for c in _children(pid)
        if b"svckg.analysis.offload" in Path(f"/proc/{c}/cmdline").read_bytes()
    ]
    assert len(found) == 1, found
    return found[0]


def _exited(pid: int, reaped: bool) -> bool:
    """The process is gone (``reaped``), or at least no longer runs (a zombie whose reaping
    is up to the process that inherited it, once its parent exited)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
    return not reaped and "\nState:\tZ" in status


def _wait_exited(pid: int, reaped: bool = True) -> None:
    deadline = time.monotonic() + 60
    while not _exited(pid, reaped):
        assert time.monotonic() < deadline, Path(f"/proc/{pid}/status").read_text()
        time.sleep(0.05)


@pytest.mark.parametrize("fixture", ["disk_demo", "disk_landscape"])
def test_a_child_builds_the_index_the_process_builds(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    path: Path = request.getfixturevalue(fixture)
    store = EmbeddedStore(path)
    try:
        child = get_index(store, offload=True)
        assert child.mapped is not None  # memory-mapped from the file the child wrote
        assert child.generation == store.generation
        local = build_index(store)
        assert local.edge_count > 0
        assert contents(child) == contents(local)
        assert list(child.names.names) == list(local.names.names)
        assert not list(snapshot.snapshot_dir(path).glob(".child-*"))  # renamed in place
    finally:
        store.close()
    store = EmbeddedStore(path)  # the clean close recorded the child's snapshot
    try:
        loaded = snapshot.load_for(store)
        assert loaded is not None
        assert contents(loaded) == contents(local)
    finally:
        store.close()


def test_the_server_path_builds_in_a_child_and_answers_as_a_fresh_build(
    disk_landscape: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = EmbeddedStore(disk_landscape)
    try:
        with caplog.at_level(logging.INFO, logger="svckg.index"):
            index = get_index(store, offload=True)
        assert index.mapped is not None and index.build_seconds > 0
        assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
        element = unit_iri("infra", 0)
        copy = EmbeddedStore(None)
        copy.engine.bulk_extend(store.engine.quads_for_pattern(None, None, None, None))
        assert impact(store, [element]).to_json() == impact(copy, [element]).to_json()
        assert impact(store, [element]).impacted
        copy.close()
    finally:
        store.close()


def _change_inside_and_add(world: World) -> None:
    """A change inside an existing graph, then a new graph: an index of the state before
    both, refreshed for the new graph only, would miss the first."""
    graph = "urn:gsp:inside"
    more = f"<{ID}email-service> <{SVC}includesService> <{ID}inside-1> .\n"
    more += f"<{ID}inside-1> <{SVC}usesResource> <{ID}core-router> ."
    world.store.load(more.encode(), graph, format=ox.RdfFormat.TURTLE)
    world.import_(1)


@pytest.mark.parametrize("hold", ["--hold-built", "--hold-open"], indirect=True)
def test_a_write_during_the_child_build_discards_its_result(
    disk_demo: Path, hold: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Held once built, the child read the state before the writes: its index is thrown
    away. Held once open, it may read the state before them, part of it, or fail (the
    engine removed files its view still named): thrown away too. Either way a second child
    builds the state after the writes."""
    world = World(disk_demo)
    graph = "urn:gsp:inside"  # exists before the build: the write below changes it
    world.store.load(
        f"<{ID}inside-0> <{SVC}usesResource> <{ID}mail-server> .".encode(),
        graph,
        format=ox.RdfFormat.TURTLE,
    )
    built: dict[str, Any] = {}

    def build() -> None:
        built["index"] = get_index(world.store, offload=True)

    try:
        with caplog.at_level(logging.INFO, logger="svckg.index"):
            worker = threading.Thread(target=build)
            worker.start()
            _wait_for(hold.with_name(hold.name + ".held"))
            _change_inside_and_add(world)
            hold.touch()
            worker.join(timeout=300)
        assert not worker.is_alive()
        index = built["index"]
        extra = ["extra-1", "inside-1"]
        assert answers(world.store, extra) == fresh_answers(world.store, extra)
        assert ID + "inside-1" in index.names.ids
        assert "a write landed during the index build" in caplog.text
        assert index.mapped is not None  # the second child's result, not an in-process build
        assert index.generation == world.store.generation
    finally:
        world.store.close()


def test_a_killed_child_leaves_the_build_to_the_process(
    disk_demo: Path, hold: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = snapshot.snapshot_dir(disk_demo)
    folder.mkdir()
    left = [folder / ".child-old.snap", folder / "..child-old.snap.1.tmp"]  # a killed server's
    for file in left:
        file.write_bytes(b"partial")
    store = EmbeddedStore(disk_demo)
    built: dict[str, Any] = {}
    worker = threading.Thread(target=lambda: built.update(index=get_index(store, offload=True)))
    try:
        worker.start()
        _wait_for(hold.with_name(hold.name + ".held"))
        child = _child_of(os.getpid())
        os.kill(child, signal.SIGKILL)
        worker.join(timeout=300)
        assert not worker.is_alive()
        assert "the index build in a child process failed" in caplog.text
        assert built["index"].build_seconds > 0
        assert answers(store, []) == fresh_answers(store, [])
        assert not [f for f in folder.iterdir() if "child-" in f.name]
        _wait_exited(child)
    finally:
        store.close()


def test_closing_the_store_stops_its_child(disk_demo: Path, hold: Path) -> None:
    store = EmbeddedStore(disk_demo)
    errors: list[BaseException] = []

    def build() -> None:
        try:
            get_index(store, offload=True)
        except Exception as exc:  # the store closed under the in-process fallback
            errors.append(exc)

    worker = threading.Thread(target=build)
    worker.start()
    _wait_for(hold.with_name(hold.name + ".held"))
    child = _child_of(os.getpid())
    store.close()
    _wait_exited(child)  # killed and reaped by the close, not left for the hold's 120 s
    worker.join(timeout=300)
    assert not worker.is_alive()
    invalidate(store)


def test_stores_without_files_build_in_process(fresh_demo_store: EmbeddedStore) -> None:
    assert offload.build_in_child(fresh_demo_store) is None
    index = get_index(fresh_demo_store, offload=True)
    assert index.mapped is None and index.build_seconds > 0


# -- a real server --------------------------------------------------------------------------

SERVE = """
import sys
from svckg.analysis import offload
offload.CHILD_ARGS[:] = ["--hold-built", sys.argv[1]]
from svckg.cli import main
main(sys.argv[2:])
"""


def _serve(store: Path, release: Path, port: int, log: Path) -> subprocess.Popen:
    argv = [sys.executable, "-c", SERVE, str(release), "serve", "--no-demo", "--store"]
    argv += [str(store), "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    env = {**os.environ, "PYTHONPATH": str(SRC), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(argv, stdout=log.open("wb"), stderr=subprocess.STDOUT, env=env)


def _impact(base: str, element: str) -> httpx.Response:
    response = httpx.get(f"{base}/api/impact", params={"element": element}, timeout=60)
    assert response.status_code == 200, response.text
    return response


@pytest.mark.parametrize("how", ["kill the child", "stop the server", "kill the server"])
def test_a_server_answers_while_its_child_builds_and_leaves_no_child(
    how: str, disk_demo: Path, demo_store: EmbeddedStore, tmp_path: Path
) -> None:
    release, log = tmp_path / "release", tmp_path / "serve.log"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    expected = impact(demo_store, [ID + "mail-server"]).to_json()
    proc = _serve(disk_demo, release, port, log)
    try:
        _wait_for(release.with_name("release.held"), proc, log)
        child = _child_of(proc.pid)
        response = _impact(base, ID + "mail-server")
        assert response.headers["x-svckg-walk-mode"] == "engine"
        assert response.json() == expected
        if how == "kill the child":
            os.kill(child, signal.SIGKILL)
            deadline = time.monotonic() + 120
            while httpx.get(f"{base}/readyz", timeout=10).json().get("mode") != "index":
                assert time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
                time.sleep(0.1)
            response = _impact(base, ID + "mail-server")
            assert response.headers["x-svckg-walk-mode"] == "index"
            assert response.json() == expected
            os.kill(proc.pid, signal.SIGTERM)
        elif how == "stop the server":
            os.kill(proc.pid, signal.SIGTERM)
        else:
            os.kill(proc.pid, signal.SIGKILL)  # the child sees its stdin close
        proc.wait(timeout=120)
        _wait_exited(child, reaped=False)  # the server is gone: no one left to reap it
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        release.touch()
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, text[-3000:]
    if how != "kill the server":
        assert proc.returncode == 0, text[-3000:]
        assert "could not be built" not in text, text[-3000:]
        assert "child process failed" not in text or how == "kill the child", text[-3000:]
