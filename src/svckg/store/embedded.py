"""Embedded store on pyoxigraph: an on-disk directory, or in memory when no path is given.

Opening is careful not to change a store it cannot use:

- a directory held by another process is detected from ``/proc/locks`` before the engine
  touches it (RocksDB would otherwise rotate the holder's ``LOG`` file) and reported with
  the holder's pid; the same directory opened twice in one process is refused too (a second
  RocksDB open in the same process silently drops the first one's lock);
- a non-empty directory that is not an Oxigraph store, or whose ``CURRENT``/``MANIFEST``
  files are missing or damaged, is refused before opening; if the engine still fails, the
  files it created (``LOCK``, a rotated ``LOG``) are removed again.

Writes and atomicity (pyoxigraph 0.5.13; figures from ``bench/store_bench.py``):

- :meth:`EmbeddedStore.update` runs in one transaction.
- :meth:`EmbeddedStore.load` parses the input once first (bad syntax writes nothing and
  gives the triple count), then:

  - in memory, and on disk up to :data:`ATOMIC_LOAD_LIMIT` triples, it is atomic: a plain
    load uses the transactional ``Store.load`` / ``Store.extend``; ``replace=True`` of a
    graph that holds data is one SPARQL update that writes only the difference
    (``DELETE DATA`` + ``INSERT DATA``; ``DROP`` + ``INSERT DATA`` when blank nodes are
    involved), so readers see the old graph or the new one, never an empty or half graph;
  - on disk above the limit it uses ``bulk_load`` / ``bulk_extend`` (about 4x faster on
    disk, not transactional; ``replace=True`` removes the graph first).

  Transactional writes on disk are slow (RocksDB writes every quad into six indexes in one
  batch): for big imports the pipeline should load each import into a fresh graph IRI
  (bulk, fast) and then drop the graph it replaces. Readers then see the old data until the
  drop and both for that short moment, never a half-empty graph.

Timeouts: pyoxigraph cannot cancel a query. With ``timeout_s`` the query runs and is fully
evaluated in a daemon worker thread (the engine releases the GIL); after ``timeout_s`` the
caller gets :class:`LimitExceeded` while the worker finishes in the background and its result
is dropped (it keeps one core busy until then).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pyoxigraph as ox

from svckg.errors import LimitExceeded, QueryError, StoreError
from svckg.store.base import (
    QUAD_FORMATS,
    Format,
    Graphs,
    Object,
    Predicate,
    QueryResult,
    ReaderDataset,
    Store,
    StoreBase,
    Subject,
    Triples,
    graph_node,
    has_blank,
    keep_blank_labels,
    split_lines,
    syntax_error,
    triples_format,
)
from svckg.store.guard import check_remote_access
from svckg.store.params import Term, bind_parameters, check_dataset
from svckg.store.results import result_from_bytes, serialize_result

ATOMIC_LOAD_LIMIT = 100_000
"""On disk, loads of up to this many triples run in one transaction; larger ones are bulk
loads. In-memory stores always load in one transaction (it is as fast as a bulk load)."""


_T = TypeVar("_T")
_LOCK_MESSAGE = re.compile(r"\block\b|/LOCK\b", re.IGNORECASE)
"""RocksDB's lock failures: "While lock file: .../LOCK: ...", "lock hold by current process"
(and not "block checksum mismatch")."""
_OPEN_PATHS: set[Path] = set()
BULK_LOAD_BYTES = 64 * 1024 * 1024
"""N-Triples bytes per engine bulk load call on disk (see ``EmbeddedStore._bulk_parts``)."""
_OPEN_LOCK = threading.Lock()


def lock_holder(lock_file: Path) -> int | None:
    """Pid of the process holding a POSIX/flock lock on ``lock_file`` (Linux), else None."""
    try:
        st = lock_file.stat()
        table = Path("/proc/locks").read_text()
    except OSError:
        return None
    device = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    for line in table.splitlines():
        fields = line.split()
        # "1: POSIX  ADVISORY  WRITE 6922 fe:00:2146921 0 EOF" ("->" marks blocked waiters)
        if "->" in fields:
            continue
        if len(fields) >= 6 and fields[5] == device:
            try:
                return int(fields[4])
            except ValueError:
                return None
    return None


def _check_directory(path: Path) -> None:
    """Refuse, without writing anything, a path that cannot be an Oxigraph store."""
    if path.exists() and not path.is_dir():
        raise StoreError(
            "the store path is a file, not a directory",
            where=str(path),
            hint="point SVCKG_STORE at a directory (it is created if missing)",
        )
    if not path.exists():
        return
    names = sorted(os.listdir(path))
    if not names:
        return
    current = path / "CURRENT"
    if not current.is_file():
        shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
        raise StoreError(
            f"the directory is not an svckg store: it holds files ({shown}) but no CURRENT file",
            where=str(path),
            hint="use an empty or new directory for the store, or move these files away",
        )
    try:
        manifest = current.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise _corrupt(path, f"its CURRENT file cannot be read ({exc})") from exc
    if not manifest.startswith("MANIFEST-") or "/" in manifest:
        raise _corrupt(path, f"its CURRENT file names no manifest ({manifest[:40]!r})")
    manifest_file = path / manifest
    if not manifest_file.is_file() or manifest_file.stat().st_size == 0:
        raise _corrupt(path, f"its manifest {manifest} is missing or empty")


def _corrupt(path: Path, detail: str) -> StoreError:
    return StoreError(
        f"the store is damaged: {detail}",
        where=str(path),
        hint="svckg left it unchanged; restore the directory from a backup, or move it away "
        "and rebuild the store by re-importing (svckg export/import)",
    )


def _restore_listing(path: Path, before: set[str]) -> None:
    """Undo what a failed engine open created: new files, and the rotated ``LOG``."""
    try:
        after = set(os.listdir(path))
    except OSError:
        return
    created = after - before
    rotated = sorted(n for n in created if n.startswith("LOG.old."))
    if "LOG" in before and rotated:
        os.replace(path / rotated[-1], path / "LOG")
        created.discard(rotated[-1])
        created.discard("LOG")
    for name in created:
        target = path / name
        if target.is_dir():
            shutil.rmtree(target, ignore_errors=True)
        else:
            target.unlink(missing_ok=True)


def _in_use(path: Path, pid: int | None) -> StoreError:
    who = f"pid {pid}" if pid else "pid unknown"
    return StoreError(
        f"store is in use by another process ({who})",
        where=str(path),
        hint="stop that process (e.g. a running 'svckg serve'), or use the HTTP API it serves, "
        "or point SVCKG_STORE at another directory",
    )


def _run_with_timeout(fn: Callable[[], _T], timeout_s: float, what: str) -> _T:
    """Run ``fn`` in a daemon thread; LimitExceeded if it is not done after ``timeout_s``."""
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the caller below
            box["error"] = exc

    worker = threading.Thread(target=work, name="svckg-query", daemon=True)
    worker.start()
    worker.join(timeout_s)
    if worker.is_alive():
        raise LimitExceeded(
            f"{what} ran over the timeout of {timeout_s:g} s",
            hint="narrow the query (anchor paths on a bound node, add LIMIT) or raise "
            "SVCKG_QUERY_TIMEOUT",
        )
    if "error" in box:
        raise box["error"]
    return box["value"]


MEMORY = ":memory:"
"""The store name that means an in-memory store."""
SIDE_DIRECTORY = "svckg-index"
"""Files svckg keeps inside the store directory (the index snapshot): never engine files."""


def disk_fingerprint(path: Path) -> str:
    """A digest of the engine's files (names, sizes, modification times, inodes).

    Every engine write appends to its log or adds files, and every read-write open rotates
    its manifest, so an unchanged digest between svckg closing the store and opening it
    again means nobody (svckg or another tool) opened it for writing meanwhile. The
    engine's text ``LOG`` files and its ``LOCK`` are left out (they change on any open)."""
    digest = hashlib.sha256()
    with os.scandir(path) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.name.startswith("LOG") or entry.name in ("LOCK", SIDE_DIRECTORY):
                continue
            st = entry.stat(follow_symlinks=False)
            digest.update(f"{entry.name}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}\n".encode())
    return digest.hexdigest()


class EmbeddedStore(StoreBase):
    """pyoxigraph Store behind the :class:`svckg.store.base.Store` protocol.

    >>> store = EmbeddedStore(None)
    >>> store.load(b'<http://e/a> <http://e/p> "1" .', "http://e/g")
    1
    >>> store.graphs(), store.count()
    (['http://e/g'], 1)
    >>> [row["o"].value for row in store.query("SELECT ?o WHERE { ?s ?p ?o }")]
    ['1']
    """

    loads_beside_reads = True
    """pyoxigraph's ``bulk_load`` runs without the GIL; reads see committed snapshots."""

    def __init__(self, path: str | Path | None = None):
        """Open ``path`` on disk; ``None`` or ``":memory:"`` gives a throw-away store."""
        in_memory = path is None or str(path) == MEMORY
        self.path = None if in_memory else Path(path).resolve()
        self._generation = 0
        self.opened_fingerprint: str | None = None
        """:func:`disk_fingerprint` of the directory just before this open (None: new or in
        memory)."""
        self.close_hooks: list[Callable[[], None]] = []
        """Run by :meth:`close` once the engine has let the files go (the index snapshot)."""
        if self.path is None:
            self._store: ox.Store | None = ox.Store()
            return
        self._store = None
        if (self.path / "CURRENT").is_file():
            self.opened_fingerprint = disk_fingerprint(self.path)
        self._store = self._open_disk(self.path)

    def adopt(self, engine: ox.Store) -> None:
        """Use ``engine`` (an in-memory pyoxigraph store already holding data) instead of this
        in-memory store's own (the import pipeline validates where its parse loaded)."""
        if self.path is not None:
            raise StoreError("only an in-memory store adopts an engine", where=str(self.path))
        self._store = engine
        self._touch()

    @staticmethod
    def _open_disk(path: Path) -> ox.Store:
        with _OPEN_LOCK:
            if path in _OPEN_PATHS:
                raise StoreError(
                    "store is already open in this process",
                    where=str(path),
                    hint="reuse the open EmbeddedStore (a second open would break its lock)",
                )
            _check_directory(path)
            lock_file = path / "LOCK"
            pid = lock_holder(lock_file) if lock_file.exists() else None
            if pid is not None:
                if pid == os.getpid():
                    raise StoreError(
                        "store is already open in this process (by another pyoxigraph Store)",
                        where=str(path),
                        hint="reuse the open store object",
                    )
                raise _in_use(path, pid)
            created = not path.exists()
            before = set() if created else set(os.listdir(path))
            try:
                path.mkdir(parents=True, exist_ok=True)
                store = ox.Store(str(path))
            except (OSError, RuntimeError) as exc:
                message = str(exc)
                if created:
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    _restore_listing(path, before)
                if _LOCK_MESSAGE.search(message):
                    raise _in_use(path, lock_holder(lock_file)) from exc
                if isinstance(exc, PermissionError) or "permission" in message.lower():
                    raise StoreError(
                        f"cannot open the store: {message}",
                        where=str(path),
                        hint="check the directory's owner and permissions",
                    ) from exc
                raise _corrupt(path, message) from exc
            _OPEN_PATHS.add(path)
            return store

    # -- state -------------------------------------------------------------------------

    @property
    def exclusive(self) -> bool:
        """Always: the directory lock (or memory) keeps other processes out."""
        return True

    @property
    def engine(self) -> ox.Store:
        """The pyoxigraph store, for modules that need engine-specific speed.

        Writes made directly on the engine do not change :attr:`generation`: write through
        the store's methods (``bulk_load`` and ``copy_graph`` are as fast)."""
        if self._store is None:
            raise StoreError("the store is closed", where=str(self.path or ":memory:"))
        return self._store

    # -- queries -------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        default_graph: Graphs = None,
        named_graphs: Graphs = None,
        substitutions: dict[str, Term] | None = None,
        timeout_s: float | None = None,
    ) -> QueryResult:
        """Run a SPARQL query (see :meth:`svckg.store.base.Store.query`)."""
        check_remote_access(sparql, self.remote_endpoints)
        engine = self.engine
        check_dataset(default_graph, named_graphs)
        textual = {
            k: v for k, v in (substitutions or {}).items() if not isinstance(v, ox.BlankNode)
        }
        blank = {k: v for k, v in (substitutions or {}).items() if isinstance(v, ox.BlankNode)}
        sparql = bind_parameters(sparql, textual)
        kwargs: dict[str, Any] = {}
        if blank:
            kwargs["substitutions"] = {ox.Variable(k.lstrip("?$")): v for k, v in blank.items()}

        def read(dataset: ReaderDataset | None) -> QueryResult:
            more = _dataset_kwargs(dataset, default_graph, named_graphs)
            if timeout_s is None:
                return run(more)
            kind, data = _run_with_timeout(
                lambda: serialize_result(run(more)), timeout_s, "the query"
            )
            return result_from_bytes(kind, data)

        def run(dataset: dict[str, Any]) -> QueryResult:
            try:
                return engine.query(sparql, **kwargs, **dataset)
            except SyntaxError as exc:
                raise QueryError(f"SPARQL syntax error: {exc}", hint="fix the query text") from exc
            except (RuntimeError, OSError) as exc:  # e.g. a blank-node parameter not bound
                if "SERVICE" in sparql.upper():  # never echo what another host answered
                    raise QueryError("cannot run the query: a SERVICE call failed") from exc
                if isinstance(exc, OSError):
                    raise
                raise QueryError(f"cannot run the query: {exc}") from exc

        return self.committed_read(sparql, default_graph, named_graphs, read)

    def update(self, sparql: str) -> None:
        """Run a SPARQL update in one transaction."""
        check_remote_access(sparql, self.remote_endpoints)
        try:
            self.engine.update(sparql)
        except SyntaxError as exc:
            raise QueryError(
                f"SPARQL update syntax error: {exc}", hint="fix the update text"
            ) from exc
        except (OSError, RuntimeError) as exc:
            raise StoreError(
                f"the update failed: {exc}", where=str(self.path or ":memory:")
            ) from exc
        self._touch()

    # -- writes -------------------------------------------------------------------------

    def load(
        self, data: Triples, graph: str, *, format: Format = None, replace: bool = False
    ) -> int:
        """Add triples into named graph ``graph`` (see the module notes on atomicity).

        ``data`` is serialized RDF in a triples format (default N-Triples) or pyoxigraph
        triples. Bad syntax raises ParseError (with line and column) and writes nothing."""
        engine = self.engine
        target = _iri(graph)
        fmt = triples_format(format, graph)
        raw: bytes | None = None
        triples: list[ox.Triple] = []
        if isinstance(data, bytes | bytearray | memoryview):
            raw = bytes(data)
            try:  # validate and count first: a bad input must write nothing
                count = sum(1 for _ in ox.parse(raw, format=fmt))
            except SyntaxError as exc:
                raise syntax_error(exc, graph, fmt, "fix the data; nothing was written") from exc
        else:
            triples = list(data)
            count = len(triples)
        has_data = replace and next(engine.quads_for_pattern(None, None, None, target), None)
        atomic = self.path is None or count <= ATOMIC_LOAD_LIMIT
        try:
            if has_data and atomic:
                engine.update(
                    _replace_update(engine, target, raw, fmt, triples, self.path is not None)
                )
            else:
                if has_data:
                    engine.remove_graph(target)
                if raw is not None:
                    loader = engine.load if atomic else engine.bulk_load
                    loader(raw, fmt, to_graph=target)
                else:
                    quads = (ox.Quad(t.subject, t.predicate, t.object, target) for t in triples)
                    (engine.extend if atomic else engine.bulk_extend)(quads)
        except (OSError, RuntimeError, SyntaxError) as exc:
            raise StoreError(
                f"loading into {graph} failed: {exc}", where=str(self.path or ":memory:")
            ) from exc
        if count or has_data:
            self._touch()
        return count

    def bulk_load(
        self, data: Triples, graph: str, *, format: Format = None, base_iri: str | None = None
    ) -> None:
        """Add triples by pyoxigraph's ``bulk_load`` / ``bulk_extend`` (see
        :meth:`svckg.store.base.Store.bulk_load`: fast, not atomic, for a new graph)."""
        engine = self.engine
        node = _iri(graph)
        try:
            if isinstance(data, bytes | bytearray | memoryview):
                fmt = triples_format(format, graph)
                done = 0
                for part in self._bulk_parts(bytes(data), fmt):
                    try:
                        engine.bulk_load(part, fmt, base_iri=base_iri, to_graph=node)
                    except SyntaxError as exc:
                        lines = bytes(data).count(b"\n", 0, done)
                        raise syntax_error(exc, graph, fmt, "fix the data", lines) from exc
                    done += len(part)
            else:
                engine.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, node) for t in data)
        finally:
            self._touch()

    def _bulk_parts(self, data: bytes, fmt: ox.RdfFormat) -> Iterable[bytes]:
        """On disk, N-Triples without blank nodes in slices of :data:`BULK_LOAD_BYTES`
        (whole lines): the engine's bulk loader holds its whole input's working set in memory
        (measured at 1 M triples: 875 MB peak for the 130 MB file at once, 587 MB in 64 MiB
        slices, 319 MB in 32 MiB slices; smaller slices cost more CPU). Blank node labels
        only mean one node within one call."""
        if self.path is None or fmt != ox.RdfFormat.N_TRIPLES or b"_:" in data:
            return (data,)
        return split_lines(data, BULK_LOAD_BYTES)

    def copy_graph(self, source: Store, graph: str, into: str | None = None) -> int:
        """Copy a graph of ``source`` in by ``bulk_extend`` (see
        :meth:`svckg.store.base.Store.copy_graph`)."""
        node = _iri(into or graph)
        copied = [
            ox.Quad(q.subject, q.predicate, q.object, node) for q in source.quads(graph=graph)
        ]
        self.engine.bulk_extend(copied)
        self._touch()
        return len(copied)

    def insert_where(self, template: str, where: str, graph: str) -> None:
        """In memory one ``INSERT`` update (a transaction is as fast as a bulk write there and
        needs no serialization); on disk a CONSTRUCT bulk-loaded (see
        :meth:`svckg.store.base.Store.insert_where`)."""
        if self.path is None:
            self.update(f"INSERT {{ GRAPH <{_iri(graph).value}> {{ {template} }} }} {where}")
            return
        result = self.query(f"CONSTRUCT {{ {template} }} {where}")
        assert isinstance(result, ox.QueryTriples)
        data = result.serialize(format=ox.RdfFormat.N_TRIPLES) or b""
        if data:
            self.bulk_load(keep_blank_labels(data), graph, format=ox.RdfFormat.N_TRIPLES)

    def drop_graph(self, graph: str) -> None:
        """Remove a named graph and its triples (no error if absent)."""
        node = _iri(graph)
        if self.engine.contains_named_graph(node):
            self.engine.remove_graph(node)
            self._touch()

    # -- reads --------------------------------------------------------------------------

    def graphs(self) -> list[str]:
        """IRIs of the named graphs, sorted."""
        return sorted(g.value for g in self.engine.named_graphs() if isinstance(g, ox.NamedNode))

    def count(self, graph: str | None = None) -> int:
        """Number of quads in ``graph`` (None: in all named graphs)."""
        if not self.readable(graph):
            return 0
        if graph is None and self.reader_dataset("", None, None) is not None:
            rows = self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
            return int(next(iter(rows))["n"].value)  # type: ignore[call-overload]
        if graph is None:
            engine = self.engine
            in_default = sum(
                1 for _ in engine.quads_for_pattern(None, None, None, ox.DefaultGraph())
            )
            return len(engine) - in_default
        rows = self.engine.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {_iri(graph)} {{ ?s ?p ?o }} }}"
        )
        return int(next(iter(rows))["n"].value)

    def export(
        self, format: ox.RdfFormat = ox.RdfFormat.N_QUADS, graph: str | None = None
    ) -> bytes:
        """One graph (any format; quad formats keep its name) or the dataset (quad formats)."""
        engine = self.engine
        if graph is None:
            if format not in QUAD_FORMATS:
                raise QueryError(
                    f"{format.name} holds a single graph: name the graph to export",
                    hint="pass a graph IRI, or export the whole store as N-Quads or TriG",
                )
            if self.reader_dataset("", None, None) is None:
                return engine.dump(format=format) or b""
            return ox.serialize(self.quads(), format=format) or b""
        if not self.readable(graph):
            return ox.serialize([], format=format) or b""
        node = _iri(graph)
        if format in QUAD_FORMATS:
            return (
                ox.serialize(engine.quads_for_pattern(None, None, None, node), format=format) or b""
            )
        return engine.dump(format=format, from_graph=node) or b""

    def quads(
        self,
        subject: Subject = None,
        predicate: Predicate = None,
        object: Object = None,
        graph: str | None = None,
    ) -> Iterator[ox.Quad]:
        """Quads matching a pattern (None: any)."""
        node = _iri(graph) if graph is not None else None
        dataset = self.reader_dataset("", None, None)
        found = self.engine.quads_for_pattern(subject, predicate, object, node)
        if dataset is None:
            return iter(found)
        visible = {ox.DefaultGraph(), *(ox.NamedNode(g) for g in dataset.named)}
        return (q for q in found if q.graph_name in visible)

    def backup(self, directory: str | Path) -> Path:
        """A consistent copy of the on-disk store in ``directory`` (new), made online: readers
        and writers go on meanwhile (an engine checkpoint; on the same file system its
        immutable files are hard links). The copy opens as a store of its own."""
        if self.path is None:
            raise StoreError(
                "an in-memory store has no files to back up",
                where=MEMORY,
                hint="use an on-disk store, or save the data with 'svckg export'",
            )
        target = Path(directory).resolve()
        if target.exists():
            raise StoreError(
                "the backup directory already exists",
                where=str(target),
                hint="name a new directory (svckg never writes over a backup)",
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.engine.backup(str(target))
        except (OSError, RuntimeError) as exc:
            shutil.rmtree(target, ignore_errors=True)
            raise StoreError(
                f"the backup failed: {exc}", where=str(target), hint="check space and permissions"
            ) from exc
        return target

    def close(self) -> None:
        """Flush and release the store (the directory lock goes with the last reference)."""
        if self._store is None:
            return
        if self.path is not None:
            try:
                self._store.flush()
            finally:
                with _OPEN_LOCK:
                    _OPEN_PATHS.discard(self.path)
        self._store = None
        hooks, self.close_hooks = self.close_hooks, []
        for hook in hooks:
            hook()

    def __del__(self) -> None:
        if getattr(self, "_store", None) is not None and self.path is not None:
            with _OPEN_LOCK:
                _OPEN_PATHS.discard(self.path)


def _dataset_kwargs(
    dataset: ReaderDataset | None, default_graph: Graphs, named_graphs: Graphs
) -> dict[str, Any]:
    """The engine's dataset arguments: the reader's dataset during an import
    (:meth:`StoreBase.reader_dataset`), else the one asked for (None: the union)."""
    if dataset is not None:
        default: list[Any] = [_iri(g) for g in dataset.default]
        if dataset.union:
            default.insert(0, ox.DefaultGraph())
        return {"default_graph": default, "named_graphs": [_iri(g) for g in dataset.named]}
    if default_graph is None and named_graphs is None:
        return {"use_default_graph_as_union": True}
    # SPARQL protocol: the dataset is exactly what is given
    return {
        "default_graph": [_iri(g) for g in default_graph or ()],
        "named_graphs": [_iri(g) for g in named_graphs or ()],
    }


def _replace_update(
    engine: ox.Store,
    target: ox.NamedNode,
    raw: bytes | None,
    fmt: ox.RdfFormat,
    triples: list[ox.Triple],
    diff: bool,
) -> str:
    """One SPARQL update that turns graph ``target`` into the new triples.

    With ``diff`` (on disk, where every written quad costs) and no blank nodes it writes
    only the difference (``DELETE DATA`` + ``INSERT DATA``): re-importing a file with few
    changes touches few quads. Otherwise (in memory, or blank nodes, whose labels cannot be
    compared) it drops the graph and inserts everything."""
    new = list(ox.parse(raw, format=fmt)) if raw is not None else triples
    old = (
        [
            ox.Triple(q.subject, q.predicate, q.object)
            for q in engine.quads_for_pattern(None, None, None, target)
        ]
        if diff
        else []
    )
    if diff and new and not any(map(has_blank, new)) and not any(map(has_blank, old)):
        new_keys, old_keys = set(map(str, new)), set(map(str, old))
        removed = " .\n".join(old_keys - new_keys)
        added = " .\n".join(new_keys - old_keys)
        return (
            f"DELETE DATA {{ GRAPH {target} {{\n{removed}\n}} }} ;\n"
            f"INSERT DATA {{ GRAPH {target} {{\n{added}\n}} }}"
        )
    body = (ox.serialize(new, format=ox.RdfFormat.N_TRIPLES) or b"").decode()
    return f"DROP SILENT GRAPH {target} ;\nINSERT DATA {{ GRAPH {target} {{\n{body}\n}} }}"


_iri = graph_node


def restore(backup: str | Path, target: str | Path, *, force: bool = False) -> int:
    """Copy the store backed up in ``backup`` into ``target``, a new or empty store directory
    (a store holding data only with ``force``); returns the quads restored. All or nothing:
    the copy is checked in a sibling directory before it takes the target's place."""
    source, dest = Path(backup).resolve(), Path(target).resolve()
    if not (source / "CURRENT").is_file():
        raise StoreError(
            "not an svckg backup: the directory holds no store",
            where=str(source),
            hint="name a directory made by 'svckg backup'",
        )
    _check_directory(dest)
    if dest.exists() and os.listdir(dest):
        existing = EmbeddedStore(dest)  # refuses a store held by a running server
        try:
            held = existing.count()
        finally:
            existing.close()
        if held and not force:
            raise StoreError(
                f"the store is not empty ({held:,} quads)",
                where=str(dest),
                hint="restore into a new or empty directory, or pass --force to replace it",
            )
    staging = dest.with_name(f".{dest.name}.restoring")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(source, staging)
    (staging / "LOCK").unlink(missing_ok=True)
    try:
        check = EmbeddedStore(staging)
        restored = check.count()
        check.close()
    except StoreError:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    old = dest.with_name(f".{dest.name}.replaced")
    if dest.exists():
        shutil.rmtree(old, ignore_errors=True)
        os.replace(dest, old)
    os.replace(staging, dest)
    shutil.rmtree(old, ignore_errors=True)
    return restored
