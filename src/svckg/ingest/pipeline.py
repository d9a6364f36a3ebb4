"""The import pipeline: stage, validate, commit (or reject whole).

1. **Stage**: check sizes, parse every source with its importer (:mod:`svckg.ingest.registry`).
2. **Validate** all staged sources *together* in a throw-away in-memory store holding the
   staged triples (one graph per source), the ``svc:dependsOn`` edges they entail, the
   ontology and concept schemes, and the main store's description of every node the staged
   data mentions (one hop, minus the graphs being replaced). The main store is not touched.
3. **Commit** each changed source as a new version graph (bulk load), its inferred edges in
   ``<version>/inferred``, then switch all provenance records in ONE update (all or none) and
   drop the replaced versions. A process killed before the switch leaves orphan graphs that
   :func:`svckg.ingest.records.recover` drops; the store then holds exactly the previous state.

Rules: violations reject the import unless ``allow_violations`` (recorded); warnings reject it
unless ``force`` (recorded); ``allow_violations`` implies ``force``. A source whose SHA-256
equals its current version's is unchanged: nothing is written for it.

Cost (``bench/bench_import.py``, 1 M triples in memory, 2 cores): the checking parse at staging
(~0.4x of pyoxigraph's raw bulk load; it keeps bad input out of the store) + the bulk load
(1x) + ``svc:dependsOn`` inference (~0.35x: one ``INSERT ... WHERE`` in memory, one CONSTRUCT
bulk-loaded on disk) + one count (~0.1x) is about 1.9x. Re-using parsed Python objects
instead costs more than it saves: building ``Quad`` objects for 1 M triples takes longer than
the bulk loader's own parse. Validated imports count and infer in the in-memory validation
store and reuse both at commit (no count or inference query on the main store).
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyoxigraph as ox

from svckg.config import Settings, load_settings
from svckg.errors import InputError, TooLarge, ValidationFailed
from svckg.ingest import records
from svckg.ingest.base import Staged
from svckg.ingest.inference import DEPENDS_ON, dependency_subproperties
from svckg.ingest.rdf import ParsedTriples
from svckg.ingest.base import SourceFile
from svckg.ingest.registry import stage
from svckg.store.base import Store
from svckg.store.embedded import EmbeddedStore
from svckg.validation.report import SourceLocation, ValidationReport, ValidationResult
from svckg.vocab import VOCABULARY_GRAPHS

"""Graphs copied into every validation store."""
STAGED_BASE = "urn:svckg:staged:"
CONTEXT_GRAPH = "urn:svckg:context"
CONTEXT_BATCH = 400
"""Nodes per one-hop context query."""

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
    dropping replaced versions)."""

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


def read_sources(paths: Iterable[str | Path], settings: Settings | None = None) -> list[SourceFile]:
    """Read files from disk, refusing missing files and files over ``max_upload_bytes``
    before reading them."""
    settings = settings or load_settings()
    files = []
    for path in map(Path, paths):
        if not path.is_file():
            raise InputError("no such file", where=str(path), hint="check the path")
        size = path.stat().st_size
        _check_size(str(path), size, settings)
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
) -> list[Staged]:
    """Check sizes and parse every source (nothing is written anywhere)."""
    settings = settings or load_settings()
    if not files:
        raise InputError("no sources given", hint="name at least one file")
    names = [f.name for f in files]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InputError(
            f"two sources with the same name: {', '.join(dupes)}",
            hint="a source name identifies its import; rename one of them",
        )
    for f in files:
        _check_size(f.name, len(f.data), settings)
    return stage(files, format=format, mapping=mapping)


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
    """Put a staged source's triples into ``graph`` (bulk-loading bytes when it can)."""
    triples = staged.triples
    engine = getattr(target, "engine", None)
    if isinstance(triples, ParsedTriples) and isinstance(engine, ox.Store):
        p = triples.payload
        engine.bulk_load(p.data, p.format, base_iri=p.base_iri, to_graph=ox.NamedNode(graph))
    else:
        target.load(triples if isinstance(triples, list) else list(triples), graph)


def _entailment_where(graph: str, subproperties: set[str]) -> str:
    """The WHERE clause matching every (?s, ?o) whose ``svc:dependsOn`` edge ``graph`` entails.

    The rule of :func:`svckg.ingest.inference.dependency_edges`: an edge of any sub-property
    of ``svc:dependsOn`` to a non-literal, unless ``graph`` asserts the ``dependsOn`` edge
    itself. (``VALUES`` + ``MINUS`` inside one ``GRAPH`` evaluates in ~60 % of the time of a
    ``UNION`` per sub-property with ``FILTER NOT EXISTS`` on pyoxigraph 0.5.13.)"""
    values = " ".join(f"<{p}>" for p in sorted(subproperties))
    return (
        f"WHERE {{ GRAPH <{graph}> {{ VALUES ?p {{ {values} }} ?s ?p ?o FILTER(!isLiteral(?o)) "
        f"MINUS {{ ?s <{DEPENDS_ON.value}> ?o }} }} }}"
    )


def _infer(store: Store, graph: str, into: str, subproperties: set[str]) -> int:
    """Write the ``svc:dependsOn`` edges the triples of ``graph`` entail into the new graph
    ``into``; returns how many.

    In memory and remote: one ``INSERT ... WHERE`` (in memory a transaction is as fast as a
    bulk write and needs no serialization; remote, no triple travels over the network). On
    disk a transactional INSERT is ~5x slower: the edges are built by one CONSTRUCT,
    serialized and bulk-loaded.
    """
    if not subproperties:
        return 0
    d = DEPENDS_ON.value
    where = _entailment_where(graph, subproperties)
    engine = getattr(store, "engine", None)
    if isinstance(engine, ox.Store) and getattr(store, "path", None) is not None:
        result = engine.query(f"CONSTRUCT {{ ?s <{d}> ?o }} {where}")
        _put_ntriples(store, result.serialize(format=ox.RdfFormat.N_TRIPLES) or b"", into)  # type: ignore[union-attr]
    else:
        store.update(f"INSERT {{ GRAPH <{into}> {{ ?s <{d}> ?o }} }} {where}")
    return store.count(into)


def _put_ntriples(store: Store, data: bytes, graph: str) -> None:
    """Add N-Triples to ``graph``, keeping blank node identifiers."""
    if data:
        engine = getattr(store, "engine", None)
        node = ox.NamedNode(graph)
        if isinstance(engine, ox.Store) and b"_:" not in data:
            engine.bulk_load(data, ox.RdfFormat.N_TRIPLES, to_graph=node)
        else:  # the parser would rename blank nodes; objects keep them
            store.load([q.triple for q in ox.parse(data, ox.RdfFormat.N_TRIPLES)], graph)


def _copy_graph(source: Store, target: EmbeddedStore, graph: str, into: str) -> None:
    node = ox.NamedNode(into)
    target.engine.bulk_extend(
        ox.Quad(q.subject, q.predicate, q.object, node) for q in source.quads(graph=graph)
    )


RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def _add_context(store: Store, vstore: EmbeddedStore, graphs: list[str], exclude: set[str]) -> int:
    """Copy the main store's description of every node the staged graphs mention (one hop)
    into the validation store; returns the number of triples copied."""
    data_graphs = [
        g for g in store.graphs() if g.startswith(records.IMPORT_BASE) and g not in exclude
    ]
    if not data_graphs:
        return 0
    rows = vstore.query(
        "SELECT DISTINCT ?n WHERE { { ?n ?p ?o } UNION { ?s ?p ?n } FILTER(isIRI(?n)) }",
        default_graph=graphs,
    )
    nodes = [str(row["n"]) for row in rows]
    in_graphs = " ".join(f"<{g}>" for g in data_graphs)
    target = ox.NamedNode(CONTEXT_GRAPH)
    copied = _copy_from(store, in_graphs, nodes, target)
    # The classes of what those nodes point at, so that sh:class on a copied node's values
    # (an owner, a used resource) sees the value's type.
    seen = set(nodes)
    objects = {str(q.object) for q in copied if isinstance(q.object, ox.NamedNode)} - seen
    copied += _copy_from(store, in_graphs, sorted(objects), target, RDF_TYPE)
    vstore.engine.bulk_extend(copied)
    return len(copied)


def _copy_from(
    store: Store,
    in_graphs: str,
    subjects: Sequence[str],
    target: ox.NamedNode,
    predicate: ox.NamedNode | None = None,
) -> list[ox.Quad]:
    """The quads of ``subjects`` (N-Triples IRIs) in the given graphs, only those with
    ``predicate`` if given, moved into graph ``target``."""
    copied: list[ox.Quad] = []
    pattern = f"{predicate} ?o" if predicate is not None else "?p ?o"
    for i in range(0, len(subjects), CONTEXT_BATCH):
        values = " ".join(subjects[i : i + CONTEXT_BATCH])
        result = store.query(
            f"SELECT * WHERE {{ VALUES ?g {{ {in_graphs} }} VALUES ?s {{ {values} }} "
            f"GRAPH ?g {{ ?s {pattern} }} }}",
        )
        copied.extend(ox.Quad(r["s"], predicate or r["p"], r["o"], target) for r in result)
    return copied


def _locate(
    report: ValidationReport, staged: Sequence[Staged], vstore: EmbeddedStore, graphs: Sequence[str]
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
    node: str, staged: Sequence[Staged], vstore: EmbeddedStore, graphs: Sequence[str]
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


def _validate(vstore: EmbeddedStore, graphs: list[str], settings: Settings) -> ValidationReport:
    from svckg.validation import shacl

    return shacl.validate_store(
        vstore.engine, shacl.load_shapes(), default_graph=graphs, validator=settings.validator
    )


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
) -> _Checked:
    """Build the validation store, infer, validate. The main store is only read."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    vstore = EmbeddedStore(None)
    try:
        graphs = [f"{STAGED_BASE}{i}" for i in range(len(staged))]
        progress("loading staged data for validation")
        for s, g in zip(staged, graphs, strict=True):
            _load_into(vstore, s, g)
        triples = [vstore.count(g) for g in graphs]
        timings["vload"] = time.perf_counter() - t0
        t_infer = time.perf_counter()
        inferred = [_infer(vstore, g, f"{g}:inferred", subproperties) for g in graphs]
        timings["vinfer"] = time.perf_counter() - t_infer
        t_context = time.perf_counter()
        for g in VOCABULARY_GRAPHS:
            _copy_graph(store, vstore, g, g)
        progress("reading what the staged data refers to")
        context = _add_context(store, vstore, graphs, replacing)
        timings["context"] = time.perf_counter() - t_context
        t1 = time.perf_counter()
        progress("validating against the shapes")
        all_graphs = [*graphs, *(f"{g}:inferred" for g in graphs), *VOCABULARY_GRAPHS]
        if context:
            all_graphs.append(CONTEXT_GRAPH)
        report = _validate(vstore, all_graphs, settings)
        report = _locate(report, staged, vstore, graphs)
        timings["validate"] = time.perf_counter() - t1
        edges = [vstore.export(ox.RdfFormat.N_TRIPLES, f"{g}:inferred") for g in graphs]
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
    settings = settings or load_settings()
    staged = stage_sources(files, format=format, mapping=mapping, settings=settings)
    return validate_staged(store, staged, settings=settings)


def validate_staged(
    store: Store, staged: Sequence[Staged], *, settings: Settings | None = None
) -> ValidationReport:
    """:func:`validate_sources` for sources already staged."""
    settings = settings or load_settings()
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


# -- import --------------------------------------------------------------------------------


def import_sources(
    store: Store,
    files: Sequence[SourceFile],
    *,
    format: str | None = None,
    force: bool = False,
    allow_violations: bool = False,
    agent: str = "cli",
    mapping: Path | None = None,
    settings: Settings | None = None,
    validate: bool = True,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Import sources as one unit: every changed source becomes a new version of its import,
    or nothing is written.

    Raises InputError subclasses on unreadable input and :class:`ValidationFailed` (with
    ``.report``) when violations, or warnings without ``force``, reject the import.
    ``validate=False`` skips validation (recorded as not validated; for trusted bulk loads).
    """
    settings = settings or load_settings()
    t0 = time.perf_counter()
    (progress or (lambda _msg: None))("reading and parsing")
    staged = stage_sources(files, format=format, mapping=mapping, settings=settings)
    return import_staged(
        store,
        files,
        staged,
        force=force,
        allow_violations=allow_violations,
        agent=agent,
        settings=settings,
        validate=validate,
        progress=progress,
        stage_seconds=time.perf_counter() - t0,
    )


def import_staged(
    store: Store,
    files: Sequence[SourceFile],
    staged: Sequence[Staged],
    *,
    force: bool = False,
    allow_violations: bool = False,
    agent: str = "cli",
    settings: Settings | None = None,
    validate: bool = True,
    progress: Progress | None = None,
    stage_seconds: float = 0.0,
) -> ImportOutcome:
    """:func:`import_sources` for sources already staged (by :func:`stage_sources`), so a
    caller can reject bad input before it even opens the store."""
    with _IMPORT_LOCK:
        return _import(
            store,
            files,
            staged,
            force=force,
            allow_violations=allow_violations,
            agent=agent,
            settings=settings or load_settings(),
            validate=validate,
            progress=progress or (lambda _msg: None),
            stage_seconds=stage_seconds,
        )


def _import(
    store: Store,
    files: Sequence[SourceFile],
    staged: Sequence[Staged],
    *,
    force: bool,
    allow_violations: bool,
    agent: str,
    settings: Settings,
    validate: bool,
    progress: Progress,
    stage_seconds: float,
) -> ImportOutcome:
    say = progress
    force = force or allow_violations
    started = records.now()
    timings: dict[str, float] = {"stage": stage_seconds}
    prints = _fingerprints(files, staged)

    _ensure_system(store)
    if isinstance(store, EmbeddedStore):  # exclusive: no other process can be importing
        records.recover(store)

    outcomes: list[SourceOutcome] = []
    changed: list[int] = []
    current: dict[int, records.ImportRecord | None] = {}
    taken: set[str] = set()
    for i, s in enumerate(staged):
        import_id = records.id_for_source(store, s.source, taken)
        taken.add(import_id)
        rec = records.find_by_source(store, s.source)
        current[i] = rec
        if rec is not None and rec.sha256 == prints[i][0]:
            outcomes.append(SourceOutcome(import_id, s.source, "unchanged", rec))
        else:
            outcomes.append(SourceOutcome(import_id, s.source, "replaced" if rec else "created"))
            changed.append(i)
    if not changed:
        return ImportOutcome(outcomes, ValidationReport(), timings)

    todo = [staged[i] for i in changed]
    replacing = {g for i in changed if (r := current[i]) for g in (r.graph, r.inferred_graph)}
    subproperties = dependency_subproperties(store)
    report = ValidationReport()
    checked: _Checked | None = None
    if validate:
        checked = _check(
            store,
            todo,
            replacing=replacing,
            settings=settings,
            subproperties=subproperties,
            progress=say,
        )
        timings.update(checked.timings)
        report = checked.report
    if report.violations and not allow_violations:
        raise ValidationFailed(
            f"{len(report.violations)} violation(s), {len(report.warnings)} warning(s): "
            "nothing was imported",
            report=report,
            hint="fix the data and import again (or --allow-violations, which is recorded)",
        )
    if report.warnings and not force:
        raise ValidationFailed(
            f"{len(report.warnings)} warning(s): nothing was imported",
            report=report,
            hint="fix the data, or import anyway with --force (recorded)",
        )

    t2 = time.perf_counter()
    say("loading into the store")
    new_graphs: list[str] = []
    new_records: list[records.ImportRecord] = []
    diffs: list[ox.Triple] = []
    try:
        for i in changed:
            s, out, prev = staged[i], outcomes[i], current[i]
            graph = records.version_graph(out.import_id, records.next_version(store, out.import_id))
            inf_graph = records.inferred_graph(graph)
            new_graphs += [graph, inf_graph]
            _load_into(store, s, graph)
            t_infer = time.perf_counter()
            if checked is None:
                inferred = _infer(store, graph, inf_graph, subproperties)
            else:  # computed in the validation store already
                _put_ntriples(store, checked.inferred[changed.index(i)], inf_graph)
            timings["infer"] = timings.get("infer", 0.0) + time.perf_counter() - t_infer
            if checked is not None and isinstance(store, EmbeddedStore):
                # the same triples went into new graphs here: their counts there hold
                triple_count, inferred = checked.counts[changed.index(i)]
            else:
                triple_count = store.count(graph)
                if checked is not None:
                    inferred = store.count(inf_graph)
            added, removed = triple_count, 0
            added_lines: list[str] = []
            removed_lines: list[str] = []
            truncated = False
            if prev is not None:
                added, added_lines = _difference(store, graph, prev.graph)
                removed, removed_lines = _difference(store, prev.graph, graph)
                truncated = added > len(added_lines) or removed > len(removed_lines)
                diffs += records.diff_triples(graph, added_lines, removed_lines)
            new_records.append(
                records.ImportRecord(
                    import_id=out.import_id,
                    source=s.source,
                    graph=graph,
                    inferred_graph=inf_graph,
                    version=int(graph.rsplit("/v", 1)[1]),
                    sha256=prints[i][0],
                    byte_size=prints[i][1],
                    triple_count=triple_count,
                    inferred_count=inferred,
                    format=s.format,
                    started=started,
                    ended="",
                    agent=agent,
                    validated=validate,
                    conforms=report.conforms,
                    violations=len(report.violations),
                    warnings=len(report.warnings),
                    forced=force,
                    allowed_violations=allow_violations and bool(report.violations),
                    added=added,
                    removed=removed,
                    diff_truncated=truncated,
                    previous=prev.graph if prev else None,
                    model_name=s.model_name,
                    model_id=s.model_id,
                )
            )
        timings["load"] = time.perf_counter() - t2 - timings.get("infer", 0.0)
        t3 = time.perf_counter()
        say("committing")
        ended = records.now()
        new_records = [replace(r, ended=ended) for r in new_records]
        store.update(records.commit_update(new_records, diffs, ended))
    except BaseException:
        for g in new_graphs:  # best effort; recover() drops whatever remains
            with contextlib.suppress(Exception):
                store.drop_graph(g)
        raise
    for i in changed:
        prev = current[i]
        if prev is not None:
            store.drop_graph(prev.graph)
            store.drop_graph(prev.inferred_graph)
    timings["commit"] = time.perf_counter() - t3
    for rec, i in zip(new_records, changed, strict=True):
        outcomes[i].record = rec
    return ImportOutcome(outcomes, report, timings)


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
