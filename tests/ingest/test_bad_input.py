"""Bad input never damages the store: the CLI says what and where, exits non-zero, and the
store (N-Quads export, and its files where nothing may write) is what it was."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from svckg.cli import main
from svckg.config import DATA_DIR
from svckg.ingest import records
from svckg.store.embedded import EmbeddedStore
from tests.conftest import REPO_ROOT  # noqa: E402

sys.path.insert(0, str(REPO_ROOT))
from bench.landscape import write as write_landscape  # noqa: E402


def run(capsys, *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(exit_.value.code or 0), out, err


def files_of(store: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(store)): p.read_bytes() for p in sorted(store.rglob("*")) if p.is_file()
    }


def settled_files(store: Path, timeout: float = 10.0) -> dict[str, bytes]:
    """The store's files once they stop changing (another process's engine may still be
    writing its own start-up state)."""
    deadline = time.monotonic() + timeout
    last = files_of(store)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = files_of(store)
        if now == last:
            return now
        last = now
    raise AssertionError("the store's files kept changing")


def export(store: Path) -> bytes:
    with EmbeddedStore(store) as s:
        return s.export()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An on-disk store with the demo landscape, imported once through the CLI."""
    store = tmp_path_factory.mktemp("demo") / "store"
    with pytest.raises(SystemExit) as exit_:
        main(
            ["import", "--store", str(store), "--force", *map(str, sorted(DATA_DIR.glob("*.ttl")))]
        )
    assert exit_.value.code == 0
    return store


@pytest.fixture
def demo_store(demo_template: Path, tmp_path: Path) -> Path:
    """A private copy of the demo store."""
    store = tmp_path / "store"
    shutil.copytree(demo_template, store)
    return store


CASES = {
    "malformed": (
        "bad.ttl",
        b'@prefix a: <http://x/> .\na:b a:c a:d .\na:b a:c "open .\n',
        "bad.ttl, line 3, column 9",
    ),
    "unknown format": ("notes.txt", b"hello", "cannot tell the format"),
    "empty": ("empty.ttl", b"", "the file is empty"),
    "not utf-8": ("latin1.ttl", b'<http://a> <http://b> "caf\xe9" .', "not UTF-8"),
    "no triples": ("c.ttl", b"# only a comment\n", "no triples"),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_files_change_nothing(case: str, demo_store: Path, tmp_path: Path, capsys) -> None:
    name, data, message = CASES[case]
    bad = tmp_path / name
    bad.write_bytes(data)
    good = DATA_DIR / "provider.ttl"
    before = export(demo_store)
    before_files = files_of(demo_store)
    code, _, err = run(capsys, "import", "--store", str(demo_store), str(good), str(bad))
    assert code == 2
    assert message in " ".join(err.split())
    assert files_of(demo_store) == before_files
    assert export(demo_store) == before


def test_the_upload_limit_does_not_cover_local_files(tmp_path: Path, capsys, monkeypatch) -> None:
    """Issue 13: the upload limit is an HTTP setting; the CLI imports a local file 200x over
    it (an upload over it is refused: tests/ingest/test_import_scale.py)."""
    monkeypatch.setenv("SVCKG_MAX_UPLOAD_BYTES", "1000")
    source = tmp_path / "big.nt"
    summary = write_landscape(source, 2000)
    assert source.stat().st_size > 200 * 1000
    store_dir = tmp_path / "store"
    code, out, err = run(capsys, "import", "--store", str(store_dir), "--force", str(source))
    assert code == 0, err
    assert "over the limit" not in err + out
    with EmbeddedStore(store_dir) as store:
        record = records.find_by_source(store, "big.nt")
        assert record is not None and record.triple_count == summary.triples


def test_violations_reject_and_change_nothing(demo_store: Path, capsys) -> None:
    before = export(demo_store)
    code, out, err = run(
        capsys,
        "import",
        "--store",
        str(demo_store),
        "--force",
        str(DATA_DIR / "invalid" / "sla-without-target.ttl"),
    )
    assert code == 1
    assert "sla-without-target.ttl, line 9" in out and "nothing was imported" in err
    assert export(demo_store) == before


def test_locked_store(demo_store: Path, tmp_path: Path, capsys) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time, pyoxigraph as ox; s = ox.Store(sys.argv[1]);"
            " print('open', flush=True); time.sleep(60)",
            str(demo_store),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        before_files = settled_files(demo_store)  # the holder's own engine settles first
        code, _, err = run(
            capsys, "import", "--store", str(demo_store), str(DATA_DIR / "provider.ttl")
        )
        assert code == 2
        assert f"in use by another process (pid {holder.pid})" in " ".join(err.split())
        assert files_of(demo_store) == before_files
    finally:
        holder.kill()
        holder.wait()


def test_corrupt_store(demo_store: Path, capsys) -> None:
    (demo_store / "CURRENT").write_bytes(b"garbage\n")
    before_files = files_of(demo_store)
    code, _, err = run(capsys, "import", "--store", str(demo_store), str(DATA_DIR / "provider.ttl"))
    assert code == 2 and "damaged" in err
    assert files_of(demo_store) == before_files


DRIVER = """
import sys
from svckg.ingest.pipeline import import_sources, read_sources
from svckg.store.embedded import EmbeddedStore
store = EmbeddedStore(sys.argv[1])
def say(msg):
    print(msg, flush=True)
import_sources(store, read_sources([sys.argv[2]]), format="ntriples", validate=False,
               progress=say)
print("done", flush=True)
"""


@pytest.mark.slow
def test_sigkill_mid_import_leaves_the_previous_state(demo_store: Path, tmp_path: Path) -> None:
    big = tmp_path / "landscape.nt"
    write_landscape(big, 400_000)
    before = export(demo_store)
    proc = subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(demo_store), str(big)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")},
    )
    try:
        for line in proc.stdout:
            if line.startswith("loading into the store"):
                break
        time.sleep(0.3)
        assert proc.poll() is None, "the import finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    with EmbeddedStore(demo_store) as store:
        records.recover(store)
        assert store.export() == before
