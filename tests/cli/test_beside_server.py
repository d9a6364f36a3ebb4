"""The CLI beside a running server: with ``svckg serve`` holding the store directory, the
README tour's command-line examples work, each saying in one dim line that it went to the
server's API; a holder that is not an svckg server stays the clear "in use" error."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, _free_port, running_server

ADMIN = "beside-admin-token-8c1"
SVCKG = str(Path(sys.executable).parent / "svckg")


def tour_commands() -> list[list[str]]:
    """The ``svckg ...`` lines of the README's command-line tour (comments dropped)."""
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("The same from the command line", 1)[1].split("```sh", 1)[1]
    block = block.split("```", 1)[0]
    lines = [ln.split("  #", 1)[0].strip() for ln in block.splitlines()]
    return [shlex.split(ln) for ln in lines if ln.startswith("svckg ")]


def cli(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [SVCKG, *argv[1:]], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.slow
def test_the_readme_tour_runs_while_serve_holds_the_store(tmp_path: Path) -> None:
    store = tmp_path / "store"
    env = {**os.environ, "SVCKG_STORE": str(store), "SVCKG_TOKENS": f"{ADMIN}:admin"}
    env["PYTHONPATH"] = str(REPO_ROOT / "src")
    commands = tour_commands()
    assert len(commands) >= 10 and any(c[1] == "import" for c in commands)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    argv = [SVCKG, "serve", "--port", str(port), "--log-level", "warning"]
    served: dict[str, str] = {}
    with running_server(argv, f"{base}/readyz", tmp_path / "serve.log", env=env):
        assert json.loads((store / "svckg-server.json").read_text())["url"] == base
        for command in commands:
            if "--output" in command:
                command[command.index("--output") + 1] = str(tmp_path / "model.xml")
            done = cli(command, env)
            expected = 1 if command[1] == "validate" else 0
            assert done.returncode == expected, (command, done.stdout, done.stderr)
            notes = [ln for ln in done.stderr.splitlines() if "held by svckg serve" in ln]
            if command[1:3] == ["queries", "list"]:  # the catalogue: no store needed
                assert notes == [], done.stderr
            else:
                assert len(notes) == 1 and base in notes[0], (command, done.stderr)
            served[" ".join(command)] = done.stdout
        backup = cli(["svckg", "backup", str(tmp_path / "online-backup")], env)
        assert backup.returncode == 0, backup.stderr
    assert not (store / "svckg-server.json").exists()  # removed at the graceful stop
    # the server committed the import; local runs (no server now) answer the same
    local = cli(["svckg", "imports", "list", "--format", "json"], env)
    assert "tiny-shop.xml" in [i["source"] for i in json.loads(local.stdout)]
    for key in ("svckg impact id:mail-server --format json", "svckg queries list"):
        again = cli(shlex.split(key), env)
        assert "held by svckg serve" not in again.stderr
        assert again.stdout == served[key]
    assert (tmp_path / "model.xml").stat().st_size > 1000
    count_all = ["svckg", "query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"]
    count = cli(count_all, env)
    restored = str(tmp_path / "restored")
    back = cli(["svckg", "restore", str(tmp_path / "online-backup"), "--store", restored], env)
    assert back.returncode == 0, back.stderr
    copy = cli([*count_all, "--store", restored], env)
    assert re.findall(r"\d+", copy.stdout) == re.findall(r"\d+", count.stdout)


HOLDER = """
import sys, time, pyoxigraph
store = pyoxigraph.Store(sys.argv[1])
print("holding", flush=True)
time.sleep(60)
"""


def test_a_holder_that_is_not_svckg_stays_a_clear_error(tmp_path: Path) -> None:
    store = tmp_path / "store"
    env = {**os.environ, "SVCKG_STORE": str(store), "PYTHONPATH": str(REPO_ROOT / "src")}
    assert cli(["svckg", "init"], env).returncode == 0
    # a stale server file naming some other process must not fool the CLI
    (store / "svckg-server.json").write_text(json.dumps({"url": "http://127.0.0.1:9", "pid": 1}))
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(store)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        done = cli(["svckg", "imports", "list"], env)
        assert done.returncode == 2
        assert f"in use by another process (pid {holder.pid})" in " ".join(done.stderr.split())
        assert "held by svckg serve" not in done.stderr
    finally:
        holder.kill()
        holder.wait(timeout=10)
