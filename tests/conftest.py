"""Shared fixtures: stores for every backend and a real oxigraph server on 127.0.0.1.

- ``memory_store``: a fresh in-memory :class:`EmbeddedStore`.
- ``disk_store``: a fresh on-disk :class:`EmbeddedStore` in ``tmp_path``.
- ``oxigraph_server`` (session): base URL of a real ``oxigraph serve`` process started with
  ``--union-default-graph``; query at ``/query``, update at ``/update``, GSP at ``/store``.
  Stopped by PID at the end of the session.
- ``remote_store``: a :class:`RemoteStore` on that server, emptied before each test.
- ``demo_store`` (session): the ontology and the demo landscape imported through the
  pipeline, in memory; tests must not write to it. ``fresh_demo_store``: a private copy.
- ``svckg_server`` (session): a callable ``svckg_server(name, env)`` -> context manager that
  runs ``svckg serve`` on a fresh in-memory demo store on a free 127.0.0.1 port, yields its
  base URL and stops it by PID (its log is checked for tracebacks and tokens).

Outside test material (the W3C suites, the ArchiMate and Archi CSV samples) is found through
one setting, ``SVCKG_FIXTURES`` (default ``../shared/fixtures`` beside the repository): use
:func:`fixtures_dir`, :func:`fixture_path`, :func:`fixture_bytes`, the ``requires_fixtures``
mark or :func:`skip_unless_fixtures`, so a clone without it skips those tests with the one
reason :data:`FIXTURES_REASON` (``.ci/test-fresh`` checks no other skip happens). Import them
with ``from tests.conftest import ...`` (pytest registers this module under that name).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import httpx
import pytest

from svckg.store.embedded import EmbeddedStore
from svckg.store.remote import RemoteStore

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES_REASON = (
    "outside test material not found: set SVCKG_FIXTURES=<dir with archimate/, archi-csv/, "
    "w3c-shacl/, w3c-sparql11/> (default ../shared/fixtures beside the repo; CI has it)"
)


def fixtures_dir() -> Path:
    """Where the outside test material is: ``$SVCKG_FIXTURES``, else ../shared/fixtures."""
    configured = os.environ.get("SVCKG_FIXTURES")
    return Path(configured) if configured else REPO_ROOT.parent / "shared" / "fixtures"


def have_fixtures() -> bool:
    """Is the outside test material there?"""
    return fixtures_dir().is_dir()


def fixture_path(rel: str) -> Path:
    """Path of one piece of outside material (no I/O: safe at module level)."""
    return fixtures_dir() / rel


def skip_unless_fixtures() -> None:
    """Skip the running test, with the one reason, when the outside material is absent."""
    if not have_fixtures():
        pytest.skip(FIXTURES_REASON)


def fixture_bytes(rel: str) -> bytes:
    """The bytes of one piece of outside material; skips the test when it is absent."""
    skip_unless_fixtures()
    return fixture_path(rel).read_bytes()


requires_fixtures = pytest.mark.skipif(not have_fixtures(), reason=FIXTURES_REASON)
"""Mark for tests (or ``pytest.param``s) that need the outside material."""


def _skip_reason(report: pytest.TestReport) -> str:
    return report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)


def _other_skips(stats: dict) -> list[pytest.TestReport]:
    """Skips for any reason but the missing outside material (``xfail`` is not a skip)."""
    return [
        r
        for r in stats.get("skipped", [])
        if not hasattr(r, "wasxfail") and not _skip_reason(r).endswith(FIXTURES_REASON)
    ]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line saying how many tests the missing outside material skipped, and what to do;
    with ``SVCKG_STRICT_SKIPS=1`` (CI) every other skip is listed and fails the run, so no
    skip can hide missing work."""
    stats = terminalreporter.stats
    skipped = [r for r in stats.get("skipped", []) if _skip_reason(r).endswith(FIXTURES_REASON)]
    if skipped:
        terminalreporter.write_line(f"{len(skipped)} tests skipped: {FIXTURES_REASON}", yellow=True)
    if os.environ.get("SVCKG_STRICT_SKIPS") == "1":
        for report in _other_skips(stats):
            terminalreporter.write_line(
                f"SVCKG_STRICT_SKIPS: skipped for another reason: {report.nodeid}: "
                f"{_skip_reason(report)}",
                red=True,
            )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Under ``SVCKG_STRICT_SKIPS=1`` a skip for another reason than the outside material fails
    the run (exit 1) even when every test passed."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    strict = os.environ.get("SVCKG_STRICT_SKIPS") == "1"
    if strict and reporter and exitstatus == 0 and _other_skips(reporter.stats):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(
    argv: list[str],
    ready_url: str,
    log_path: Path,
    *,
    env: dict[str, str] | None = None,
    timeout_s: float = 90.0,
) -> Iterator[subprocess.Popen]:
    """Start ``argv`` (a server on 127.0.0.1), wait until ``ready_url`` answers, and stop the
    process by PID afterwards (SIGTERM, then SIGKILL)."""
    with log_path.open("wb") as log:
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            deadline = time.monotonic() + timeout_s
            while True:
                if proc.poll() is not None:
                    tail = log_path.read_text(errors="replace")[-3000:]
                    raise RuntimeError(f"{argv[0]} exited with code {proc.returncode}:\n{tail}")
                try:
                    httpx.get(ready_url, timeout=1.0)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"no answer on {ready_url} in {timeout_s} s") from None
                    time.sleep(0.1)
            yield proc
        finally:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


@pytest.fixture(scope="session")
def svckg_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[[str, dict[str, str]], AbstractContextManager[str]]:
    """Factory: ``with svckg_server(name, env) as base_url:`` runs ``svckg serve --store
    :memory:`` (the demo is loaded into the empty store) with ``env`` added to the
    environment; afterwards the log must hold no traceback and no value of ``*TOKENS``."""

    @contextmanager
    def serve(name: str, env: dict[str, str]) -> Iterator[str]:
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        log_path = tmp_path_factory.mktemp(name) / "serve.log"
        cli = Path(sys.executable).parent / "svckg"
        argv = [
            str(cli),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--store",
            ":memory:",
            "--log-level",
            "warning",
        ]
        full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **env}
        with running_server(argv, f"{base}/api/queries", log_path, env=full_env):
            yield base
        log_text = log_path.read_text(errors="replace")
        assert "Traceback" not in log_text, log_text[-3000:]
        secrets = [t.split(":")[0] for t in env.get("SVCKG_TOKENS", "").split(",") if t]
        assert not any(secret in log_text for secret in secrets), "a token was logged"

    return serve


def _oxigraph_binary() -> str:
    """The ``oxigraph`` CLI installed next to the running interpreter (the venv's)."""
    candidate = Path(sys.executable).parent / "oxigraph"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("oxigraph")
    if found is None:
        raise RuntimeError(
            f"oxigraph server binary not found next to {sys.executable} nor on PATH: "
            "install the dev extras (pip install -e '.[dev]')"
        )
    return found


@pytest.fixture
def memory_store() -> Iterator[EmbeddedStore]:
    """A fresh in-memory embedded store."""
    store = EmbeddedStore(None)
    yield store
    store.close()


@pytest.fixture(scope="session")
def demo_store() -> Iterator[EmbeddedStore]:
    """The demo landscape (``svckg.demo.load_demo``), shared: do not write to it."""
    from svckg.demo import load_demo

    store = EmbeddedStore(None)
    load_demo(store)
    state = (store.generation, store.count())
    yield store
    # comparisons against the demo (engines agree, differential tests) are only sound if no
    # test changed it: a write here is a test bug, reported with the session's result
    assert (store.generation, store.count()) == state, (
        "a test wrote to the shared demo_store: use fresh_demo_store"
    )
    store.close()


@pytest.fixture
def fresh_demo_store(demo_store: EmbeddedStore) -> Iterator[EmbeddedStore]:
    """A private copy of the demo landscape that a test may change."""
    store = EmbeddedStore(None)
    store.engine.bulk_extend(demo_store.engine.quads_for_pattern(None, None, None, None))
    yield store
    store.close()


@pytest.fixture
def disk_store(tmp_path: Path) -> Iterator[EmbeddedStore]:
    """A fresh on-disk embedded store in a temporary directory."""
    store = EmbeddedStore(tmp_path / "store")
    yield store
    store.close()


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL (``http://127.0.0.1:PORT``) of a real oxigraph server for this session."""
    location = tmp_path_factory.mktemp("oxigraph-server")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    argv = [
        _oxigraph_binary(),
        "serve",
        "--location",
        str(location),
        "--bind",
        f"127.0.0.1:{port}",
        "--union-default-graph",
    ]
    log_path = location.parent / f"oxigraph-{port}.log"
    with running_server(argv, f"{base}/query?query=ASK%7B%7D", log_path, timeout_s=30):
        yield base


@pytest.fixture
def remote_store(oxigraph_server: str) -> Iterator[RemoteStore]:
    """A RemoteStore on the session's oxigraph server, emptied before the test."""
    store = RemoteStore(
        f"{oxigraph_server}/query",
        update_url=f"{oxigraph_server}/update",
        gsp_url=f"{oxigraph_server}/store",
    )
    store.update("DROP ALL")
    yield store
    store.close()


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CaseMode = 2
DirsAllowed = ., {dir}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 10
MaxQueryCostEstimationTime = 400
"""
"""A private Virtuoso: its own database directory, loopback ports, no service started."""

VIRTUOSO_GRANTS = (
    "GRANT SPARQL_UPDATE TO \"SPARQL\"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);"
)
"""Let the anonymous SPARQL user update and use the Graph Store endpoint (loopback only)."""


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a real Virtuoso Open Source 7 on 127.0.0.1 for this session (``/sparql``,
    ``/sparql-graph-crud``), stopped by PID at the end. Installed by ``make setup``; set
    ``SVCKG_REQUIRE_VIRTUOSO=1`` (CI does) to fail rather than skip when it is missing."""
    binary, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if not binary or not isql:
        reason = "Virtuoso not installed (Debian package virtuoso-opensource; `make setup`)"
        if os.environ.get("SVCKG_REQUIRE_VIRTUOSO") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    location = tmp_path_factory.mktemp("virtuoso")
    sql_port, http_port = _free_port(), _free_port()
    ini = location / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=location, sql_port=sql_port, http_port=http_port))
    base = f"http://127.0.0.1:{http_port}"
    argv = [binary, "-f", "-c", str(ini)]
    log_path = location.parent / f"virtuoso-{http_port}.log"
    with running_server(argv, f"{base}/sparql?query=ASK%7B%7D", log_path, timeout_s=90):
        subprocess.run(
            [isql, f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={VIRTUOSO_GRANTS}"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        yield base


@pytest.fixture
def virtuoso_store(virtuoso_server: str) -> Iterator[RemoteStore]:
    """A RemoteStore on the session's Virtuoso (dialect detected), its svckg graphs dropped
    before the test (never ``DROP ALL``: Virtuoso keeps its own schema in graphs)."""
    store = RemoteStore(f"{virtuoso_server}/sparql", gsp_url=f"{virtuoso_server}/sparql-graph-crud")
    for graph in store.graphs():
        store.drop_graph(graph)
    yield store
    store.close()
