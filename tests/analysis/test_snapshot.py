"""The persisted dependency index (``svckg.analysis.snapshot``) is never stale.

Every answer from an on-disk store (whose index may come from the snapshot, a refresh of it,
or a build) is compared with the answer of a *fresh in-memory copy* of the same quads (no
snapshot possible, index built from scratch), after every step of random sequences of
imports, import removals, Graph Store writes, writes by another tool, restarts and builds in
a child process (with writes landing while the child builds). A process
killed while it writes the snapshot, a damaged snapshot and a snapshot of another store
state are ignored.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svckg.analysis import offload, snapshot
from svckg.analysis.impact import impact
from svckg.analysis.index import DependencyIndex, get_index, invalidate, last_index
from svckg.analysis.trace import trace
from svckg.ingest import imports
from svckg.ingest.base import SourceFile
from svckg.ingest.pipeline import import_sources
from svckg.store.embedded import EmbeddedStore

ID = "https://w3id.org/svckg/id/"
SRC = Path(__file__).resolve().parents[2] / "src"
ASKED = ["mail-server", "db-server-1", "core-router", "identity-directory", "email-service"]
"""Demo elements whose impact is compared (plus what the steps add)."""
USED = ["mail-server", "db-server-1", "core-router", "monitoring-platform"]
SERVICES = ["email-service", "database-service", "backup-service"]


def _copy(store: EmbeddedStore) -> EmbeddedStore:
    fresh = EmbeddedStore(None)
    fresh.engine.bulk_extend(store.engine.quads_for_pattern(None, None, None, None))
    return fresh


def _types_as_multisets(value: Any) -> Any:
    """The JSON with every ``types`` list in sorted order (the order of a node's types is the
    engine's row order; the multiset is the answer)."""
    if isinstance(value, dict):
        return {k: sorted(v) if k == "types" else _types_as_multisets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_types_as_multisets(v) for v in value]
    return value


def answers(store: EmbeddedStore, extra: list[str]) -> dict[str, Any]:
    """Impact (two paths each) and trace JSON of the asked elements."""
    out: dict[str, Any] = {}
    for name in ASKED + extra:
        iri = ID + name
        out["impact " + name] = _types_as_multisets(impact(store, [iri], max_paths=2).to_json())
        out["trace " + name] = _types_as_multisets(trace(store, iri).to_json())
    return out


def fresh_answers(store: EmbeddedStore, extra: list[str]) -> dict[str, Any]:
    copy = _copy(store)
    try:
        return answers(copy, extra)
    finally:
        copy.close()


def _extra_ttl(k: int, version: int) -> bytes:
    used = USED[(k + version) % len(USED)]
    service = SERVICES[(k * 2 + version) % len(SERVICES)]
    return f"""
@prefix svc: <https://w3id.org/svckg#> .
@prefix id: <{ID}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
id:extra-{k} a svc:BackendService ; rdfs:label "Extra {k} v{version}"@en ;
    svc:usesResource id:{used} .
id:{service} svc:includesService id:extra-{k} .
""".encode()


class World:
    """An on-disk store the steps change, and what they added."""

    def __init__(self, path: Path):
        self.path = path
        self.store = EmbeddedStore(path)
        self.versions: dict[int, int] = {}
        self.loaded_from_snapshot = 0

    def extra(self) -> list[str]:
        return [f"extra-{k}" for k in sorted(self.versions)]

    def step(self, kind: str, k: int) -> None:
        getattr(self, kind)(k)

    def import_(self, k: int) -> None:
        version = self.versions.get(k, 0) + 1
        source = SourceFile(f"extra-{k}.ttl", _extra_ttl(k, version))
        import_sources(self.store, [source], force=True, allow_violations=True, validate=False)
        self.versions[k] = version

    def remove(self, k: int) -> None:
        if k in self.versions:
            imports.remove(self.store, f"extra-{k}-ttl")
            del self.versions[k]

    def graph_store(self, k: int) -> None:
        """A Graph Store PUT of a user graph, then a POST into it (a change inside a graph)."""
        graph = f"urn:gsp:{k}"
        turtle = f"<{ID}gsp-{k}> a <https://w3id.org/svckg#Application> ; "
        turtle += f"<https://w3id.org/svckg#usesResource> <{ID}{USED[k % len(USED)]}> ."
        self.store.load(turtle.encode(), graph, format=ox.RdfFormat.TURTLE, replace=True)
        get_index(self.store)
        more = f"<{ID}{SERVICES[k % len(SERVICES)]}> <https://w3id.org/svckg#includesService> "
        more += f"<{ID}gsp-{k}> ."
        self.store.load(more.encode(), graph, format=ox.RdfFormat.TURTLE)

    def restart(self, _k: int = 0) -> None:
        self.store.close()
        self.store = EmbeddedStore(self.path)
        index = get_index(self.store)
        assert index.snapshot_id is not None, "a clean restart must load the snapshot"
        assert index.build_seconds == 0.0
        self.loaded_from_snapshot += 1

    def other_tool(self, k: int) -> None:
        """A write by another program (raw pyoxigraph) between two svckg sessions."""
        self.store.close()
        engine = ox.Store(str(self.path))
        engine.add(
            ox.Quad(
                ox.NamedNode(f"{ID}tool-{k}"),
                ox.NamedNode("https://w3id.org/svckg#usesResource"),
                ox.NamedNode(f"{ID}{USED[k % len(USED)]}"),
                ox.NamedNode(f"urn:tool:{k}"),
            )
        )
        engine.flush()
        del engine
        self.store = EmbeddedStore(self.path)
        assert snapshot.load_for(self.store) is None, "another tool's write must be seen"

    def child_build(self, k: int) -> None:
        """No usable snapshot: the index built again by a child process (a server's
        background build); with ``k`` > 0, a change inside a graph and an import land while
        the child, its index built, waits (its result must be thrown away)."""
        (snapshot.snapshot_dir(self.path) / snapshot.MARKER).unlink(missing_ok=True)
        invalidate(self.store)
        release = self.path.parent / f"release-{time.monotonic_ns()}"
        if k:
            offload.CHILD_ARGS[:] = ["--hold-built", str(release)]
        built: list[DependencyIndex] = []
        worker = threading.Thread(target=lambda: built.append(get_index(self.store, offload=True)))
        try:
            worker.start()
            if k:
                held = release.with_name(release.name + ".held")
                deadline = time.monotonic() + 120
                while not held.exists() and time.monotonic() < deadline:
                    time.sleep(0.01)
                self.graph_store_post(k)
                self.import_(k)
                release.touch()
            worker.join(timeout=300)
        finally:
            offload.CHILD_ARGS.clear()
            release.touch()
        assert built and built[0].mapped is not None, "built by a child, loaded from its file"
        assert built[0].generation == self.store.generation

    def graph_store_post(self, k: int) -> None:
        """A Graph Store POST into a graph that exists (a change inside it) or a new one."""
        more = f"<{ID}{SERVICES[k % len(SERVICES)]}> <https://w3id.org/svckg#includesService> "
        more += f"<{ID}posted-{k}> . <{ID}posted-{k}> <https://w3id.org/svckg#usesResource> "
        more += f"<{ID}{USED[k % len(USED)]}> ."
        self.store.load(more.encode(), "urn:gsp:posted", format=ox.RdfFormat.TURTLE)


STEPS = st.lists(
    st.tuples(
        st.sampled_from(
            ["import_", "import_", "remove", "graph_store", "restart", "other_tool", "child_build"]
        ),
        st.integers(min_value=0, max_value=2),
    ),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS)
def test_answers_from_the_persisted_index_equal_a_fresh_build_after_every_step(
    demo_store: EmbeddedStore, tmp_path_factory: pytest.TempPathFactory, steps: list
) -> None:
    path = tmp_path_factory.mktemp("snap") / "store"
    seed = EmbeddedStore(path)
    seed.engine.bulk_extend(demo_store.engine.quads_for_pattern(None, None, None, None))
    seed.close()
    world = World(path)
    try:
        get_index(world.store)
        world.restart()
        for kind, k in steps:
            world.step(kind, k)
            assert answers(world.store, world.extra()) == fresh_answers(
                world.store, world.extra()
            ), (kind, k)
    finally:
        world.store.close()
    assert world.loaded_from_snapshot >= 1


def test_a_write_then_a_restart_never_reuses_the_old_snapshot(disk_demo: Path) -> None:
    world = World(disk_demo)
    try:
        before = answers(world.store, [])
        world.restart()
        world.import_(1)
        after = answers(world.store, ["extra-1"])
        world.store.close()
        world.store = EmbeddedStore(disk_demo)
        assert answers(world.store, ["extra-1"]) == after
        assert after == fresh_answers(world.store, ["extra-1"])
        assert after["impact core-router"] != before["impact core-router"]
    finally:
        world.store.close()


def test_a_damaged_snapshot_is_ignored(disk_demo: Path) -> None:
    store = EmbeddedStore(disk_demo)
    expected = answers(store, [])
    store.close()
    file = snapshot.snapshot_dir(disk_demo) / snapshot.SNAPSHOT
    data = bytearray(file.read_bytes())
    data[-5] ^= 0xFF  # in the arrays: the header (and the closed marker) still match
    file.write_bytes(bytes(data))
    store = EmbeddedStore(disk_demo)
    try:
        assert snapshot.load_for(store) is None
        assert answers(store, []) == expected
        assert last_index(store).build_seconds > 0  # type: ignore[union-attr]
    finally:
        store.close()


def test_a_snapshot_of_another_store_is_ignored(disk_demo: Path, tmp_path: Path) -> None:
    store = EmbeddedStore(disk_demo)
    get_index(store)
    store.close()
    other = tmp_path / "other"
    seed = EmbeddedStore(other)
    seed.load(
        f"<{ID}lonely> <https://w3id.org/svckg#dependsOn> <{ID}nothing> .".encode(),
        "urn:g",
        format=ox.RdfFormat.TURTLE,
    )
    seed.close()
    target = snapshot.snapshot_dir(other)
    target.mkdir(exist_ok=True)
    for name in (snapshot.SNAPSHOT, snapshot.MARKER):
        (target / name).write_bytes((snapshot.snapshot_dir(disk_demo) / name).read_bytes())
    store = EmbeddedStore(other)
    try:
        assert snapshot.load_for(store) is None
        assert [e.iri for e in impact(store, [ID + "nothing"]).impacted] == [ID + "lonely"]
    finally:
        store.close()


KILLED_WRITER = """
import sys
from pathlib import Path
from svckg.analysis import snapshot
from svckg.analysis.index import get_index
from svckg.ingest.base import SourceFile
from svckg.ingest.pipeline import import_sources
from svckg.store.embedded import EmbeddedStore

snapshot.PAUSE_HALFWAY_S = 120
store = EmbeddedStore(sys.argv[1])
source = SourceFile("extra-7.ttl", sys.stdin.buffer.read())
import_sources(store, [source], force=True, allow_violations=True, validate=False)
get_index(store)
print("closing", flush=True)
store.close()  # writes the snapshot: pauses half-way, killed there
"""


def test_a_process_killed_while_writing_the_snapshot_leaves_it_unused(disk_demo: Path) -> None:
    store = EmbeddedStore(disk_demo)
    before = answers(store, [])
    store.close()  # a valid snapshot of the state before the import
    folder = snapshot.snapshot_dir(disk_demo)
    assert (folder / snapshot.MARKER).exists()
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(disk_demo)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(_extra_ttl(7, 1))
        proc.stdin.close()
        assert proc.stdout.readline().strip() == b"closing"
        deadline = time.monotonic() + 60
        while not list(folder.glob(".index.snap.*.tmp")):
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "the snapshot write never started"
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert not (folder / snapshot.MARKER).exists()  # removed before the write began
    store = EmbeddedStore(disk_demo)
    try:
        assert snapshot.load_for(store) is None
        after = answers(store, ["extra-7"])
        assert after == fresh_answers(store, ["extra-7"])
        assert after["impact mail-server"] != before["impact mail-server"] or (
            after["impact db-server-1"] != before["impact db-server-1"]
        )
    finally:
        store.close()
    store = EmbeddedStore(disk_demo)  # the clean close above saved a complete snapshot
    try:
        assert snapshot.load_for(store) is not None
        assert answers(store, ["extra-7"]) == after
    finally:
        store.close()
