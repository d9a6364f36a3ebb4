"""The import pipeline: stage, validate, commit (or reject whole).

1. **Stage**: check sizes, parse every source with its importer (:mod:`svckg.ingest.registry`).
2. **Validate** all staged sources *together* in a throw-away in-memory store holding the
   staged triples (one graph per source), the ``svc:dependsOn`` edges they entail, the
   ontology and concept schemes, and the main store's description of every node the staged
   data mentions (one hop, minus the graphs being replaced). The main store is not touched.
3. **Commit** each changed source as a new version graph (the Store's ``bulk_load``), its
   inferred edges in ``<version>/inferred``, then switch all provenance records in ONE update
   (all or none) and drop the replaced versions. A process killed before the switch leaves
   orphan graphs that :func:`svckg.ingest.records.recover` drops; the store then holds
   exactly the previous state.

The steps of one import are the methods of ``_Import`` (plan, check, write, record, commit);
its options are :class:`ImportOptions`. The pipeline uses the main store only through the
:class:`svckg.store.base.Store` protocol, so it runs the same on every backend.

Rules (:func:`reject_invalid`, also used by the Graph Store writes): violations reject the
import unless ``allow_violations`` (recorded); warnings inform: they are recorded and the
import goes ahead, unless ``fail_on="warning"``, when they reject it unless ``force``
(recorded); ``allow_violations`` implies ``force``. Which shapes give violations and which
warnings is the validation profile's choice (``Settings.shapes_profile``: ``default`` or
``strict``, see ``shapes/default-profile.ttl``). A source whose SHA-256 equals its
current version's is unchanged: nothing is written for it.

Cost (``bench/bench_import.py``, 1 M triples, 2 shared cores; figures in CPU seconds, which
vary less than wall time on a loaded machine): N-Triples and Turtle without blank nodes are
parsed once, into the in-memory engine that becomes the validation store (~1x of pyoxigraph's
raw in-memory bulk load); ``svc:dependsOn`` inference there (~0.3x); the SHACL shapes
(~2x of the raw in-memory load: about 230 queries, none dominant, over the validation store's
union default graph, 1.7x faster than over the list of its graphs); the commit's bulk load
into the store (1x: re-parsing the bytes costs the same as copying quads out of the
validation store, measured; in 64 MiB slices on disk, which bounds the loader's memory).
Peak memory at 1 M is the parse into the validation store (~0.8 GB), below the raw bulk
load's. Counts and inferred edges are reused from the validation store
(no count or inference query on the main store). The literal scan for values the store would
change is one fast search per ``"^^`` (0.3 s at 1 M).
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from svckg.config import Settings
from svckg.errors import InputError, TooLarge, ValidationFailed
from svckg.ingest import records
from svckg.ingest.archimate_messages import in_source_language
from svckg.ingest.base import SourceFile, Staged
from svckg.ingest.inference import dependency_subproperties, infer_dependencies
from svckg.ingest.rdf import STAGED_GRAPH, ParsedTriples
from svckg.ingest.registry import stage
from svckg.store import memory_store
from svckg.store.base import Store, keep_blank_labels
from svckg.terms import RDF_TYPE
from svckg.validation.report import SourceLocation, ValidationReport, ValidationResult
from svckg.vocab import VOCABULARY_GRAPHS

STAGED_BASE = "urn:svckg:staged:"
CONTEXT_GRAPH = "urn:svckg:context"
CONTEXT_BATCH = 400
"""Nodes per one-hop context query."""
OVERLAP_MAX_BYTES = 256 * 1024 * 1024
"""Largest import (bytes of its changed sources) whose version graphs are bulk-loaded while
it is validated: the load's working memory then adds to the validation store's, so larger
imports load after validation (a lower peak, the sum of the two times)."""
OVERLAP_MIN_CPUS = 4
"""Cores this process may use below which the load waits for validation: the engine's bulk
loader runs several threads of its own, and on 2 shared cores (measured, 1 M triples) the
overlap cost 3-4 more CPU seconds and was slower in wall time than one after the other."""

_IMPORT_LOCK = threading.Lock()
"""Imports in one process run one at a time (an import must not see another's graphs)."""

Progress = Callable[[str], None]
"""Called with a short phase description as the pipeline moves on (for progress bars)."""


@dataclass
class SourceOutcome:
    """What happened to one source of an import."""

    import_id: str
    source: str
    status: str
    """``created`` (first import), ``replaced`` (new version) or ``unchanged`` (same SHA-256)."""
    record: records.ImportRecord | None = None
    """The current record after the import."""


@dataclass
class ImportOutcome:
    """The result of :func:`import_sources`."""

    sources: list[SourceOutcome]
    report: ValidationReport
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds per phase: ``stage`` (read, parse check), ``vload`` / ``vinfer`` (staged data and
    its inferred edges into the validation store), ``context`` (system graphs and the one-hop
    description from the store), ``validate`` (shapes), ``load`` (bulk load and diff into the
    store), ``infer`` (dependsOn edges into the store), ``commit`` (provenance switch,
    dropping replaced versions); ``overlapped``: seconds the loader thread spent when the
    version graphs loaded during validation (``load`` is then the wait for it)."""

    @property
    def import_ids(self) -> list[str]:
        """Import ids, in the order of the sources."""
        return [s.import_id for s in self.sources]

    def to_json(self) -> dict[str, object]:
        """JSON-serializable dict (for the HTTP API and ``--format json``)."""
        return {
            "imports": [
                {
                    "import_id": s.import_id,
                    "source": s.source,
                    "status": s.status,
                    "record": s.record.to_json() if s.record else None,
                }
                for s in self.sources
            ],
            "report": self.report.to_json(),
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
        }


# -- reading and staging -------------------------------------------------------------------


def read_sources(
    paths: Iterable[str | Path], settings: Settings | None = None, *, uploads: bool = True
) -> list[SourceFile]:
    """Read files from disk, refusing missing files and (``uploads``) files over
    ``max_upload_bytes`` before reading them. ``uploads=False``: local files named on the
    command line, which the upload limit (an HTTP setting) does not cover."""
    settings = settings or Settings()
    files = []
    for path in map(Path, paths):
        if not path.is_file():
            raise InputError("no such file", where=str(path), hint="check the path")
        if uploads:
            _check_size(str(path), path.stat().st_size, settings)
        files.append(SourceFile.read(path))
    return files


def _check_size(name: str, size: int, settings: Settings) -> None:
    if size > settings.max_upload_bytes:
        raise TooLarge(
            f"the file is {size:,} bytes, over the limit of {settings.max_upload_bytes:,}",
            where=name,
            hint="split it, or raise SVCKG_MAX_UPLOAD_BYTES",
        )


def stage_sources(
    files: Sequence[SourceFile],
    *,
    format: str | None = None,
    mapping: Path | None = None,
    settings: Settings | None = None,
    uploads: bool = True,
) -> list[Staged]:
    """Check sizes (``uploads``: see :func:`read_sources`) and parse every source (nothing is
    written anywhere)."""
    settings = settings or Settings()
    if not files:
        raise InputError("no sources given", hint="name at least one file")
    names = [f.name for f in files]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InputError(
            f"two sources with the same name: {', '.join(dupes)}",
            hint="a source name identifies its import; rename one of them",
        )
    for f in files if uploads else ():
        _check_size(f.name, len(f.data), settings)
    return stage(files, format=format, mapping=mapping, settings=settings)


def _fingerprints(files: Sequence[SourceFile], staged: Sequence[Staged]) -> list[tuple[str, int]]:
    """(SHA-256, byte size) per staged source; a staged source built from several files
    (an Archi CSV set) hashes those files together."""
    by_name = {f.name: f for f in files}
    leftovers = [f for f in files if f.name not in {s.source for s in staged}]
    out = []
    for s in staged:
        f = by_name.get(s.source)
        if f is not None:
            out.append((hashlib.sha256(f.data).hexdigest(), len(f.data)))
            continue
        h = hashlib.sha256()
        if len([x for x in staged if x.source not in by_name]) == 1 and leftovers:
            for part in sorted(leftovers, key=lambda x: x.name):
                h.update(part.name.encode() + b"\0" + part.data + b"\0")
            out.append((h.hexdigest(), sum(len(p.data) for p in leftovers)))
        else:
            body = ox.serialize(sorted(s.triples, key=str), format=ox.RdfFormat.N_TRIPLES) or b""
            h.update(body)
            out.append((h.hexdigest(), len(body)))
    return out


# -- validation ----------------------------------------------------------------------------


def _load_into(target: Store, staged: Staged, graph: str) -> None:
    """Put a staged source's triples into the new graph ``graph`` (bulk-loading the checked
    bytes when the importer kept them)."""
    triples = staged.triples
    if isinstance(triples, ParsedTriples):
        p = triples.payload
        target.bulk_load(p.data, graph, format=p.format, base_iri=p.base_iri)
    else:
        target.bulk_load(triples, graph)


def _put_ntriples(store: Store, data: bytes, graph: str) -> None:
    """Add N-Triples to the new graph ``graph``, keeping blank node identifiers."""
    if data:
        store.bulk_load(keep_blank_labels(data), graph, format=ox.RdfFormat.N_TRIPLES)


def _add_context(
    store: Store, vstore: Store, graphs: list[str], exclude: set[str]
) -> tuple[int, set[str]]:
    """Copy the main store's description of every node the staged graphs mention (one hop)
    into the validation store; returns the number of triples copied and the nodes copied
    with their types only (two hops away: their description is partial by construction)."""
    data_graphs = [
        g for g in store.graphs() if g.startswith(records.IMPORT_BASE) and g not in exclude
    ]
    if not data_graphs:
        return 0, set()
    rows = vstore.query(
        "SELECT DISTINCT ?n WHERE { { ?n ?p ?o } UNION { ?s ?p ?n } FILTER(isIRI(?n)) }",
        default_graph=graphs,
    )
    nodes = [str(row["n"]) for row in rows]  # type: ignore[index]
    in_graphs = " ".join(f"<{g}>" for g in data_graphs)
    copied = _copy_from(store, in_graphs, nodes)
    # The classes of what those nodes point at, so that sh:class on a copied node's values
    # (an owner, a used resource) sees the value's type.
    seen = set(nodes)
    objects = {str(t.object) for t in copied if isinstance(t.object, ox.NamedNode)} - seen
    copied += _copy_from(store, in_graphs, sorted(objects), RDF_TYPE)
    vstore.bulk_load(copied, CONTEXT_GRAPH)
    return len(copied), {o[1:-1] for o in objects}


def _copy_from(
    store: Store,
    in_graphs: str,
    subjects: Sequence[str],
    predicate: ox.NamedNode | None = None,
) -> list[ox.Triple]:
    """The triples of ``subjects`` (N-Triples IRIs) in the given graphs, only those with
    ``predicate`` if given."""
    copied: list[ox.Triple] = []
    pattern = f"{predicate} ?o" if predicate is not None else "?p ?o"
    for i in range(0, len(subjects), CONTEXT_BATCH):
        values = " ".join(subjects[i : i + CONTEXT_BATCH])
        result = store.query(
            f"SELECT * WHERE {{ VALUES ?g {{ {in_graphs} }} VALUES ?s {{ {values} }} "
            f"GRAPH ?g {{ ?s {pattern} }} }}",
        )
        copied.extend(ox.Triple(r["s"], predicate or r["p"], r["o"]) for r in result)  # type: ignore[union-attr]
    return copied


def _locate(
    report: ValidationReport, staged: Sequence[Staged], vstore: Store, graphs: Sequence[str]
) -> ValidationReport:
    """Attach each result's source location: the importer's, else the file holding it."""
    located: list[ValidationResult] = []
    cache: dict[str, SourceLocation | None] = {}
    for r in report.results:
        if r.location is None:
            if r.focus_node not in cache:
                cache[r.focus_node] = _location_of(r.focus_node, staged, vstore, graphs)
            loc = cache[r.focus_node]
            if loc is not None:
                r = replace(r, location=loc)
        located.append(r)
    return ValidationReport(results=located)


def _location_of(
    node: str, staged: Sequence[Staged], vstore: Store, graphs: Sequence[str]
) -> SourceLocation | None:
    for s in staged:
        loc = s.locations.get(node)
        if loc is not None:
            return loc
    term: ox.NamedNode | ox.BlankNode
    term = ox.BlankNode(node[2:]) if node.startswith("_:") else ox.NamedNode(node)
    for s, g in zip(staged, graphs, strict=True):
        if next(vstore.quads(subject=term, graph=g), None) is not None:
            return SourceLocation(file=s.source)
    return None


def _release_engines(staged: Sequence[Staged]) -> None:
    """Drop the staging engines no validation took (``validate=False``, unchanged sources):
    the load reads the checked bytes, so an engine kept until the import returns would hold
    a second copy of every triple through the load and the commit."""
    for s in staged:
        if isinstance(s.triples, ParsedTriples):
            s.triples.take_engine()


def _return_freed_memory() -> None:
    """Give the pages the closed validation store freed back to the system before the load
    (glibc keeps them in its arenas otherwise: at 1 M triples RSS stayed at ~600 MB after the
    store was closed, 240 MB after this, and the load's own peak stacks on what is kept)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6").malloc_trim(0)


def _validation_store(staged: Sequence[Staged]) -> tuple[Store, list[str]]:
    """The throw-away validation store and each staged source's graph in it: the engine the
    first parse already filled (:meth:`ParsedTriples.take_engine`), else a new one."""
    graphs = [f"{STAGED_BASE}{i}" for i in range(len(staged))]
    for i, s in enumerate(staged):
        engine = s.triples.take_engine() if isinstance(s.triples, ParsedTriples) else None
        if engine is not None:
            graphs[i] = STAGED_GRAPH
            return memory_store(engine), graphs
    return memory_store(), graphs


def _validate(vstore: Store, graphs: list[str], settings: Settings) -> ValidationReport:
    from svckg.validation import shacl
    from svckg.validation.cycles import name_cycle_members

    # The validation store holds exactly these graphs: its union default graph is the same
    # dataset (same multiplicities) and the engine evaluates patterns over it in one index
    # range instead of one per listed graph (the shapes ran 1.7x faster at 1 M triples).
    dataset = None if set(vstore.graphs()) <= set(graphs) else graphs
    report = shacl.validate_store(
        vstore,
        shacl.load_shapes(profile=settings.shapes_profile),
        default_graph=dataset,
        validator=settings.validator,
    )
    return name_cycle_members(report, vstore, graphs)


@dataclass
class _Checked:
    report: ValidationReport
    timings: dict[str, float]
    inferred: list[bytes]
    """Per staged source, its inferred edges as N-Triples (reused at commit)."""
    counts: list[tuple[int, int]]
    """Per staged source, (triples, inferred edges) in its graphs here: the commit writes the
    same triples into new graphs, so an embedded store needs no count query there."""


def _check(
    store: Store,
    staged: Sequence[Staged],
    *,
    replacing: set[str],
    settings: Settings,
    subproperties: set[str],
    progress: Progress,
    on_inferred: Callable[[list[bytes]], None] | None = None,
) -> _Checked:
    """Build the validation store, infer, validate. The main store is only read.
    ``on_inferred`` gets the inferred edges (N-Triples per source) as soon as they are known,
    before the shapes run."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    vstore, graphs = _validation_store(staged)
    try:
        progress("loading staged data for validation")
        for s, g in zip(staged, graphs, strict=True):
            if g != STAGED_GRAPH:
                _load_into(vstore, s, g)
        triples = [vstore.count(g) for g in graphs]
        timings["vload"] = time.perf_counter() - t0
        t_infer = time.perf_counter()
        inferred = [infer_dependencies(vstore, g, f"{g}:inferred", subproperties) for g in graphs]
        edges = [vstore.export(ox.RdfFormat.N_TRIPLES, f"{g}:inferred") for g in graphs]
        if on_inferred is not None:
            on_inferred(edges)
        timings["vinfer"] = time.perf_counter() - t_infer
        t_context = time.perf_counter()
        for g in VOCABULARY_GRAPHS:
            vstore.copy_graph(store, g)
        progress("reading what the staged data refers to")
        context, typed_only = _add_context(store, vstore, graphs, replacing)
        timings["context"] = time.perf_counter() - t_context
        t1 = time.perf_counter()
        progress("validating against the shapes")
        all_graphs = [*graphs, *(f"{g}:inferred" for g in graphs), *VOCABULARY_GRAPHS]
        if context:
            all_graphs.append(CONTEXT_GRAPH)
        report = _validate(vstore, all_graphs, settings)
        # A node known here by its type alone (copied so that sh:class sees it) lacks the rest
        # of its description: shapes targeting its class would report what is not missing.
        report = ValidationReport(
            results=[r for r in report.results if r.focus_node not in typed_only]
        )
        report = _locate(report, staged, vstore, graphs)
        report = in_source_language(report, staged)
        findings = [f for s in staged for f in s.findings]
        if findings:
            report = ValidationReport(results=[*report.results, *findings])
        timings["validate"] = time.perf_counter() - t1
        return _Checked(report, timings, edges, list(zip(triples, inferred, strict=True)))
    finally:
        vstore.close()


def validate_sources(
    store: Store,
    files: Sequence[SourceFile],
    *,
    format: str | None = None,
    mapping: Path | None = None,
    settings: Settings | None = None,
) -> ValidationReport:
    """Validate sources as :func:`import_sources` would, writing nothing.

    Sources already imported under the same names are validated as replacements of their
    current versions."""
    settings = settings or Settings()
    staged = stage_sources(files, format=format, mapping=mapping, settings=settings)
    return validate_staged(store, staged, settings=settings)


def validate_staged(
    store: Store, staged: Sequence[Staged], *, settings: Settings | None = None
) -> ValidationReport:
    """:func:`validate_sources` for sources already staged."""
    settings = settings or Settings()
    _ensure_system(store)
    replacing: set[str] = set()
    for s in staged:
        rec = records.find_by_source(store, s.source)
        if rec is not None:
            replacing |= {rec.graph, rec.inferred_graph}
    return _check(
        store,
        staged,
        replacing=replacing,
        settings=settings,
        subproperties=dependency_subproperties(store),
        progress=lambda _msg: None,
    ).report


def _ensure_system(store: Store) -> None:
    from svckg.store.system import ensure_system_graphs

    ensure_system_graphs(store)


# -- the acceptance rule ------------------------------------------------------------------


FAIL_ON = ("violation", "warning")
"""What blocks a write: violations only (imports by default), or warnings too."""


def reject_invalid(
    report: ValidationReport,
    *,
    force: bool = False,
    allow_violations: bool = False,
    fail_on: str = "violation",
    nothing: str = "nothing was imported",
    fix_hint: str = "fix the data and import again (or --allow-violations, which is recorded)",
    force_hint: str = "fix the data, or import anyway with --force (recorded)",
    where: str | None = None,
) -> None:
    """The one rule every write obeys (imports and Graph Store writes): violations reject it
    unless ``allow_violations``; warnings reject it only with ``fail_on="warning"`` and then
    unless ``force``, which ``allow_violations`` implies. Raises :class:`ValidationFailed`
    (with the report) whose message ends in ``nothing`` (what was not done) and whose hint is
    ``fix_hint`` for violations, ``force_hint`` for warnings."""
    if fail_on not in FAIL_ON:
        raise InputError(
            f"unknown fail-on level {fail_on!r}",
            where="fail_on",
            hint=f"use one of: {', '.join(FAIL_ON)}",
        )
    if report.violations and not allow_violations:
        raise ValidationFailed(
            f"{len(report.violations)} violation(s), {len(report.warnings)} warning(s): {nothing}",
            report=report,
            where=where,
            hint=fix_hint,
        )
    if fail_on == "warning" and report.warnings and not (force or allow_violations):
        raise ValidationFailed(
            f"{len(report.warnings)} warning(s): {nothing}",
            report=report,
            where=where,
            hint=force_hint,
        )


# -- import --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportOptions:
    """How an import runs; the keyword options of :func:`import_sources` and
    :func:`import_staged`, declared here once."""

    force: bool = False
    """Import despite warnings when ``fail_on`` is ``warning`` (recorded)."""
    allow_violations: bool = False
    """Import despite violations (recorded); implies ``force``."""
    fail_on: str = "violation"
    """``violation``: warnings are recorded and the import goes ahead; ``warning``: they
    reject it too (unless ``force``)."""
    agent: str = "cli"
    """Who imports (recorded as the PROV agent)."""
    settings: Settings | None = None
    """None: the defaults (``Settings()``); the edge (CLI, app) passes its own."""
    validate: bool = True
    """False skips validation (recorded as not validated; for trusted bulk loads)."""
    progress: Progress | None = None
    """Called with a short phase description as the import moves on."""

    def say(self, message: str) -> None:
        """Report a phase to :attr:`progress`, if any."""
        if self.progress is not None:
            self.progress(message)


def import_sources(
    store: Store,
    files: Sequence[SourceFile],
    *,
    format: str | None = None,
    mapping: Path | None = None,
    **options: Any,
) -> ImportOutcome:
    """Import sources as one unit: every changed source becomes a new version of its import,
    or nothing is written. ``options`` are the fields of :class:`ImportOptions`.

    Raises InputError subclasses on unreadable input and :class:`ValidationFailed` (with
    ``.report``) when violations, or warnings without ``force``, reject the import.
    """
    opts = ImportOptions(**options)
    settings = opts.settings or Settings()
    t0 = time.perf_counter()
    opts.say("reading and parsing")
    staged = stage_sources(files, format=format, mapping=mapping, settings=settings)
    return _import_locked(store, files, staged, opts, time.perf_counter() - t0)


def import_staged(
    store: Store,
    files: Sequence[SourceFile],
    staged: Sequence[Staged],
    *,
    stage_seconds: float = 0.0,
    **options: Any,
) -> ImportOutcome:
    """:func:`import_sources` for sources already staged (by :func:`stage_sources`), so a
    caller can reject bad input before it even opens the store."""
    return _import_locked(store, files, staged, ImportOptions(**options), stage_seconds)


def _import_locked(
    store: Store,
    files: Sequence[SourceFile],
    staged: Sequence[Staged],
    opts: ImportOptions,
    stage_seconds: float,
) -> ImportOutcome:
    opts = replace(opts, settings=opts.settings or Settings())
    with _IMPORT_LOCK:
        return _Import(store, staged, opts, {"stage": stage_seconds}).run(files)


@dataclass
class _Plan:
    """Which staged sources changed, and what stands now for each."""

    outcomes: list[SourceOutcome]
    current: list[records.ImportRecord | None]
    """Per staged source, its import's current record (None: first import)."""
    prints: list[tuple[str, int]]
    """Per staged source, (SHA-256, byte size)."""
    changed: list[int]
    """Indexes of the sources to write (the others are unchanged)."""

    @property
    def replacing(self) -> set[str]:
        """The graphs the changed sources replace."""
        return {
            g for i in self.changed if (r := self.current[i]) for g in (r.graph, r.inferred_graph)
        }


@dataclass
class _Written:
    """One changed source in its new graphs, before it is recorded."""

    index: int
    graph: str
    triples: int
    inferred: int
    added: int = 0
    removed: int = 0
    truncated: bool = False

    @property
    def inferred_graph(self) -> str:
        return records.inferred_graph(self.graph)


@dataclass
class _Import:
    """One import, step by step: plan, check, write, record, commit."""

    store: Store
    staged: Sequence[Staged]
    opts: ImportOptions
    timings: dict[str, float]
    report: ValidationReport = field(default_factory=ValidationReport)
    new_graphs: list[str] = field(default_factory=list)
    diffs: list[ox.Triple] = field(default_factory=list)
    graphs: dict[int, str] = field(default_factory=dict)
    """Per changed source index, its new version graph."""
    loader: _Loader | None = None
    """Set while the version graphs load on a second thread during validation."""
    commit_started: float = 0.0

    def run(self, files: Sequence[SourceFile]) -> ImportOutcome:
        """Every step in turn; on any failure the new graphs are dropped again."""
        started = records.now()
        plan = self.plan(files)
        if not plan.changed:
            return ImportOutcome(plan.outcomes, ValidationReport(), self.timings)
        subproperties = dependency_subproperties(self.store)
        with contextlib.ExitStack() as hidden:
            try:
                if self.overlaps(plan):  # readers must not see the graphs loading from now on
                    hidden.enter_context(_readers_see_committed(self.store))
                    self.start_loading(plan)
                checked = self.check(plan, subproperties) if self.opts.validate else None
                _release_engines(self.staged)  # the load reads the payload: free the staged copy
                _return_freed_memory()
                reject_invalid(
                    self.report,
                    force=self.opts.force,
                    allow_violations=self.opts.allow_violations,
                    fail_on=self.opts.fail_on,
                )
                if self.loader is None:
                    hidden.enter_context(_readers_see_committed(self.store))
                new_records = self.write_all(plan, checked, subproperties, started)
            except BaseException:
                self.abandon()
                raise
            self.drop_replaced(plan)
        self.timings["commit"] = time.perf_counter() - self.commit_started
        for rec, i in zip(new_records, plan.changed, strict=True):
            plan.outcomes[i].record = rec
        return ImportOutcome(plan.outcomes, self.report, self.timings)

    def overlaps(self, plan: _Plan) -> bool:
        """Whether the version graphs load while validation runs (see OVERLAP_MAX_BYTES)."""
        size = sum(plan.prints[i][1] for i in plan.changed)
        beside = getattr(self.store, "loads_beside_reads", False)
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
        return (
            self.opts.validate
            and beside
            and size <= OVERLAP_MAX_BYTES
            and cores >= OVERLAP_MIN_CPUS
        )

    def start_loading(self, plan: _Plan) -> None:
        """Name every new version graph and queue its bulk load on the loader thread."""
        self.loader = _Loader()
        for i in plan.changed:
            graph = self.version_graph(plan, i)
            self.loader.submit(_load_into, self.store, self.staged[i], graph)

    def version_graph(self, plan: _Plan, i: int) -> str:
        """The new version graph of changed source ``i`` (named once)."""
        if i not in self.graphs:
            graph = records.new_version_graph(self.store, plan.outcomes[i].import_id)
            self.graphs[i] = graph
            self.new_graphs += [graph, records.inferred_graph(graph)]
        return self.graphs[i]

    def abandon(self) -> None:
        """Wait for the loader (a bulk load cannot be interrupted), then drop every new graph;
        best effort: :func:`records.recover` drops whatever remains."""
        if self.loader is not None:
            with contextlib.suppress(BaseException):
                self.loader.wait()
        for g in self.new_graphs:
            with contextlib.suppress(Exception):
                self.store.drop_graph(g)

    def write_all(
        self, plan: _Plan, checked: _Checked | None, subproperties: set[str], started: str
    ) -> list[records.ImportRecord]:
        """Write (or finish loading) every changed source, then commit."""
        t_load = time.perf_counter()
        self.opts.say("loading into the store")
        if self.loader is not None:
            self.loader.wait()
            self.timings["overlapped"] = self.loader.seconds
        written = [self.write(plan, i, checked, subproperties) for i in plan.changed]
        self.timings["load"] = time.perf_counter() - t_load - self.timings.get("infer", 0.0)
        self.commit_started = time.perf_counter()
        return self.commit(plan, written, started)

    def plan(self, files: Sequence[SourceFile]) -> _Plan:
        """Clean up after a killed import, give each source its import id, and find the
        sources whose SHA-256 differs from their current version's."""
        store = self.store
        _ensure_system(store)
        if store.exclusive:  # no other process can be importing
            records.recover(store)
        plan = _Plan([], [], _fingerprints(files, self.staged), [])
        taken: set[str] = set()
        for i, s in enumerate(self.staged):
            import_id = records.id_for_source(store, s.source, taken)
            taken.add(import_id)
            rec = records.find_by_source(store, s.source)
            plan.current.append(rec)
            if rec is not None and rec.sha256 == plan.prints[i][0]:
                plan.outcomes.append(SourceOutcome(import_id, s.source, "unchanged", rec))
            else:
                status = "replaced" if rec else "created"
                plan.outcomes.append(SourceOutcome(import_id, s.source, status))
                plan.changed.append(i)
        return plan

    def check(self, plan: _Plan, subproperties: set[str]) -> _Checked:
        """Validate the changed sources (the main store is only read; graphs loading
        meanwhile are no context)."""
        checked = _check(
            self.store,
            [self.staged[i] for i in plan.changed],
            replacing=plan.replacing | set(self.new_graphs),
            settings=self.opts.settings or Settings(),
            subproperties=subproperties,
            progress=self.opts.say,
            on_inferred=self.queue_inferred(plan) if self.loader is not None else None,
        )
        self.timings.update(checked.timings)
        self.report = checked.report
        return checked

    def queue_inferred(self, plan: _Plan) -> Callable[[list[bytes]], None]:
        """Queue the inferred edges' load behind the version graphs' on the loader thread."""

        def queue(edges: list[bytes]) -> None:
            assert self.loader is not None
            for i, data in zip(plan.changed, edges, strict=True):
                graph = records.inferred_graph(self.version_graph(plan, i))
                self.loader.submit(_put_ntriples, self.store, data, graph)

        return queue

    def write(
        self, plan: _Plan, i: int, checked: _Checked | None, subproperties: set[str]
    ) -> _Written:
        """Load source ``i`` into a new version graph, its inferred edges beside it, and
        compute its difference to the version it replaces."""
        store, prev = self.store, plan.current[i]
        graph = self.version_graph(plan, i)
        inf_graph = records.inferred_graph(graph)
        if self.loader is None:
            _load_into(store, self.staged[i], graph)
        t_infer = time.perf_counter()
        k = plan.changed.index(i)
        if checked is None:
            inferred = infer_dependencies(store, graph, inf_graph, subproperties)
        elif self.loader is None:  # computed in the validation store already
            _put_ntriples(store, checked.inferred[k], inf_graph)
        self.timings["infer"] = self.timings.get("infer", 0.0) + time.perf_counter() - t_infer
        if checked is not None and store.exclusive:
            # the same triples went into new graphs here: their counts there hold
            triples, inferred = checked.counts[k]
        else:
            triples = store.count(graph)
            if checked is not None:
                inferred = store.count(inf_graph)
        written = _Written(i, graph, triples, inferred, added=triples)
        if prev is not None:
            written.added, added_lines = _difference(store, graph, prev.graph)
            written.removed, removed_lines = _difference(store, prev.graph, graph)
            written.truncated = written.added > len(added_lines) or written.removed > len(
                removed_lines
            )
            self.diffs += records.diff_triples(graph, added_lines, removed_lines)
        return written

    def commit(
        self, plan: _Plan, written: list[_Written], started: str
    ) -> list[records.ImportRecord]:
        """Switch every provenance record to its new version in ONE update (all or none)."""
        self.opts.say("committing")
        ended = records.now()
        new_records = [self.record(plan, w, started, ended) for w in written]
        self.store.update(records.commit_update(new_records, self.diffs, ended))
        return new_records

    def record(self, plan: _Plan, w: _Written, started: str, ended: str) -> records.ImportRecord:
        """The provenance record of one written source."""
        s, prev, report, opts = self.staged[w.index], plan.current[w.index], self.report, self.opts
        return records.ImportRecord(
            import_id=plan.outcomes[w.index].import_id,
            source=s.source,
            graph=w.graph,
            inferred_graph=w.inferred_graph,
            version=int(w.graph.rsplit("/v", 1)[1]),
            sha256=plan.prints[w.index][0],
            byte_size=plan.prints[w.index][1],
            triple_count=w.triples,
            inferred_count=w.inferred,
            format=s.format,
            started=started,
            ended=ended,
            agent=opts.agent,
            validated=opts.validate,
            conforms=report.conforms,
            violations=len(report.violations),
            warnings=len(report.warnings),
            forced=opts.force or opts.allow_violations,
            allowed_violations=opts.allow_violations and bool(report.violations),
            added=w.added,
            removed=w.removed,
            diff_truncated=w.truncated,
            previous=prev.graph if prev else None,
            model_name=s.model_name,
            model_id=s.model_id,
        )

    def drop_replaced(self, plan: _Plan) -> None:
        """Drop the versions the import replaced (after the switch: a crash before this only
        leaves graphs :func:`records.recover` drops)."""
        for i in plan.changed:
            prev = plan.current[i]
            if prev is not None:
                self.store.drop_graph(prev.graph)
                self.store.drop_graph(prev.inferred_graph)
        if not self.store.exclusive:  # another process may have committed one meanwhile
            ids = [plan.outcomes[i].import_id for i in plan.changed]
            settle = records.settle_update(self.store, ids, records.now())
            if settle is not None:
                self.store.update(settle)
            for graph in records.superseded_graphs(self.store, ids):
                self.store.drop_graph(graph)


class _Loader:
    """Bulk loads into the main store on one worker thread, in the order submitted, while
    the import's thread validates (pyoxigraph releases the GIL while it loads)."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="svckg-load")
        self._futures: list[Future[None]] = []
        self.seconds = 0.0
        """Seconds the worker spent loading."""

    def submit(self, load: Callable[..., None], *args: Any) -> None:
        def timed() -> None:
            t0 = time.perf_counter()
            try:
                load(*args)
            finally:
                self.seconds += time.perf_counter() - t0

        self._futures.append(self._pool.submit(timed))

    def wait(self) -> None:
        """Return once every load has finished; raise the first one's failure."""
        try:
            for future in self._futures:
                future.result()
        finally:
            self._pool.shutdown(wait=True)


def _readers_see_committed(store: Store) -> contextlib.AbstractContextManager[None]:
    """While an import writes, other readers of the store (embedded or remote) see only the
    graphs the records call current (:meth:`svckg.store.base.StoreBase.hiding`): a version
    being loaded and a replaced one not yet dropped stay out of what they read."""
    hiding = getattr(store, "hiding", None)
    if hiding is None:
        return contextlib.nullcontext()
    return hiding(lambda: records.orphan_graphs(store))


def _difference(store: Store, graph: str, other: str) -> tuple[int, list[str]]:
    """How many triples of ``graph`` are not in ``other``, and the first DIFF_LIMIT of them
    (sorted N-Triples lines)."""
    where = (
        f"WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} "
        f"FILTER NOT EXISTS {{ GRAPH <{other}> {{ ?s ?p ?o }} }} }}"
    )
    rows = store.query(f"SELECT (COUNT(*) AS ?n) {where}")
    count = int(next(iter(rows))["n"].value)  # type: ignore[call-overload]
    if count == 0:
        return 0, []
    triples = list(store.query(f"CONSTRUCT {{ ?s ?p ?o }} {where} LIMIT {records.DIFF_LIMIT}"))  # type: ignore[call-overload]
    text = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode()
    return count, sorted(line + "\n" for line in text.splitlines() if line)
