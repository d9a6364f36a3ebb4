"""Import records: the PROV-O description of every import, read and written in one place.

Model (all in ``vocab.PROVENANCE_GRAPH``), for import id ``crm-ttl``, third version::

    <.../graph/import/crm-ttl>  a prov:Entity ; svc:importId "crm-ttl" ;
        dcterms:source "crm.ttl" ; svc:currentVersion <.../graph/import/crm-ttl/v3> .
    <.../import/crm-ttl/v3>  a prov:Entity ;          # the named graph holding the triples
        prov:specializationOf <.../import/crm-ttl> ; svc:version 3 ;
        prov:wasGeneratedBy <.../v3/activity> ; prov:wasDerivedFrom <.../v3/source> ;
        prov:wasRevisionOf <.../v2> ; svc:inferenceGraph <.../v3/inferred> ;
        svc:tripleCount 1200 ; svc:inferredCount 300 ; dcterms:format "turtle" ;
        svc:modelName "..." ; svc:modelId "..." ;
        svc:addedCount 3 ; svc:removedCount 1 ; svc:addedTriples "<nt>" ;
        svc:removedTriples "<nt>" ; svc:diffTruncated false ;
        prov:invalidatedAtTime "..."^^xsd:dateTime .        # once superseded or removed
    <.../v3/source> a prov:Entity ; dcterms:title "crm.ttl" ; svc:sha256 "..." ;
        svc:byteSize 51234 .
    <.../v3/activity> a prov:Activity ; prov:used <.../v3/source> ;
        prov:generated <.../v3> ; prov:startedAtTime ... ; prov:endedAtTime ... ;
        prov:wasAssociatedWith <.../id/agent/alice> ; svc:validated true ;
        svc:conforms true ; svc:violationCount 0 ; svc:warningCount 2 ;
        svc:forced true ; svc:allowedViolations false .
    <.../id/agent/alice> a prov:Agent ; rdfs:label "alice" .

The import's data lives in the version graph and its ``/inferred`` graph; the *current* version
is the one ``svc:currentVersion`` names. Switching versions is one small update, so readers and
a killed process see the old version or the new one: :func:`recover` drops every import graph
no current version names (left by a killed import, or superseded and not yet dropped).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pyoxigraph as ox

from svckg.errors import NotFound
from svckg.namespaces import GRAPH, ID, PREFIXES, PROVENANCE_GRAPH, SVC
from svckg.store.base import Store
from svckg.terms import RDF_TYPE_IRI, RDFS_LABEL_IRI

IMPORT_BASE = str(GRAPH) + "import/"
"""Every import graph IRI starts with this."""
AGENT_BASE = str(ID) + "agent/"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"

PROVENANCE_TERMS = (
    "importId",
    "currentVersion",
    "version",
    "inferenceGraph",
    "tripleCount",
    "inferredCount",
    "modelName",
    "modelId",
    "addedCount",
    "removedCount",
    "addedTriples",
    "removedTriples",
    "diffTruncated",
    "sha256",
    "byteSize",
    "validated",
    "conforms",
    "violationCount",
    "warningCount",
    "forced",
    "allowedViolations",
)
"""``svc:`` properties the records use (besides PROV-O and Dublin Core terms)."""


def slugify(name: str) -> str:
    """A short, stable import id from a source name.

    >>> slugify("Provider Services.ttl"), slugify("ÄÖ//x"), slugify("...")
    ('provider-services-ttl', 'x', 'import')
    """
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60].strip("-")
    return slug or "import"


def import_iri(import_id: str) -> str:
    """The stable IRI of an import (not a graph; its versions are).

    >>> import_iri("crm-ttl")
    'https://w3id.org/svckg/graph/import/crm-ttl'
    """
    return IMPORT_BASE + import_id


def version_graph(import_id: str, version: int) -> str:
    """The named graph of one version of an import."""
    return f"{IMPORT_BASE}{import_id}/v{version}"


def new_version_graph(store: Store, import_id: str) -> str:
    """The graph of the next version of ``import_id``. On a store other processes may write
    (not :attr:`~svckg.store.base.Store.exclusive`: several svckg processes on one engine)
    the name carries a random part before ``/v<version>``, so two processes importing the
    same source at once never write into one graph (both may number their version alike;
    the one that commits last is current, see :func:`superseded_graphs`)."""
    version = next_version(store, import_id)
    if store.exclusive:
        return version_graph(import_id, version)
    return f"{IMPORT_BASE}{import_id}/{secrets.token_hex(4)}/v{version}"


def inferred_graph(graph: str) -> str:
    """The inference graph tied to an import version graph."""
    return graph + "/inferred"


@dataclass(frozen=True)
class ImportRecord:
    """One import version as the provenance graph describes it."""

    import_id: str
    source: str
    graph: str
    inferred_graph: str
    version: int
    sha256: str
    byte_size: int
    triple_count: int
    inferred_count: int
    format: str
    started: str
    ended: str
    agent: str
    validated: bool
    conforms: bool
    violations: int
    warnings: int
    forced: bool
    allowed_violations: bool
    added: int
    removed: int
    diff_truncated: bool
    previous: str | None = None
    model_name: str | None = None
    model_id: str | None = None
    current: bool = True

    def to_json(self) -> dict[str, object]:
        """JSON-serializable dict (for the API and ``--format json``)."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class Diff:
    """Triples added and removed by an import version relative to the previous one."""

    import_id: str
    graph: str
    previous: str | None
    added_count: int
    removed_count: int
    added: list[str]
    """N-Triples lines (at most :data:`DIFF_LIMIT`)."""
    removed: list[str]
    truncated: bool


DIFF_LIMIT = 2_000
"""At most this many added and this many removed triples are kept per version (the counts are
always exact); larger diffs say ``truncated``."""


def now() -> str:
    """The current UTC time as an xsd:dateTime lexical form."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _lit(value: object) -> ox.Literal:
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))
    return ox.Literal(str(value))


def _time(value: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + "dateTime"))


def record_triples(rec: ImportRecord) -> list[ox.Triple]:
    """The provenance triples of a new import version (the current pointer is separate)."""
    n = ox.NamedNode
    imp, ver = n(import_iri(rec.import_id)), n(rec.graph)
    act, src = n(rec.graph + "/activity"), n(rec.graph + "/source")
    agent = n(AGENT_BASE + slugify(rec.agent))
    svc = str(SVC)
    t = ox.Triple
    out = [
        t(imp, n(RDF_TYPE_IRI), n(PROV + "Entity")),
        t(imp, n(svc + "importId"), _lit(rec.import_id)),
        t(imp, n(DCTERMS + "source"), _lit(rec.source)),
        t(ver, n(RDF_TYPE_IRI), n(PROV + "Entity")),
        t(ver, n(PROV + "specializationOf"), imp),
        t(ver, n(svc + "version"), _lit(rec.version)),
        t(ver, n(PROV + "wasGeneratedBy"), act),
        t(ver, n(PROV + "wasDerivedFrom"), src),
        t(ver, n(svc + "inferenceGraph"), n(rec.inferred_graph)),
        t(ver, n(svc + "tripleCount"), _lit(rec.triple_count)),
        t(ver, n(svc + "inferredCount"), _lit(rec.inferred_count)),
        t(ver, n(DCTERMS + "format"), _lit(rec.format)),
        t(ver, n(svc + "addedCount"), _lit(rec.added)),
        t(ver, n(svc + "removedCount"), _lit(rec.removed)),
        t(ver, n(svc + "diffTruncated"), _lit(rec.diff_truncated)),
        t(src, n(RDF_TYPE_IRI), n(PROV + "Entity")),
        t(src, n(DCTERMS + "title"), _lit(rec.source)),
        t(src, n(svc + "sha256"), _lit(rec.sha256)),
        t(src, n(svc + "byteSize"), _lit(rec.byte_size)),
        t(act, n(RDF_TYPE_IRI), n(PROV + "Activity")),
        t(act, n(PROV + "used"), src),
        t(act, n(PROV + "generated"), ver),
        t(act, n(PROV + "startedAtTime"), _time(rec.started)),
        t(act, n(PROV + "endedAtTime"), _time(rec.ended)),
        t(act, n(PROV + "wasAssociatedWith"), agent),
        t(act, n(svc + "validated"), _lit(rec.validated)),
        t(act, n(svc + "conforms"), _lit(rec.conforms)),
        t(act, n(svc + "violationCount"), _lit(rec.violations)),
        t(act, n(svc + "warningCount"), _lit(rec.warnings)),
        t(act, n(svc + "forced"), _lit(rec.forced)),
        t(act, n(svc + "allowedViolations"), _lit(rec.allowed_violations)),
        t(agent, n(RDF_TYPE_IRI), n(PROV + "Agent")),
        t(agent, n(RDFS_LABEL_IRI), _lit(rec.agent)),
    ]
    if rec.previous:
        out.append(t(ver, n(PROV + "wasRevisionOf"), n(rec.previous)))
    if rec.model_name:
        out.append(t(ver, n(svc + "modelName"), _lit(rec.model_name)))
    if rec.model_id:
        out.append(t(ver, n(svc + "modelId"), _lit(rec.model_id)))
    return out


def diff_triples(graph: str, added: list[str], removed: list[str]) -> list[ox.Triple]:
    """The stored diff text of a version (N-Triples lines as literals, bounded)."""
    ver = ox.NamedNode(graph)
    out = []
    if added:
        out.append(ox.Triple(ver, ox.NamedNode(str(SVC) + "addedTriples"), _lit("".join(added))))
    if removed:
        out.append(
            ox.Triple(ver, ox.NamedNode(str(SVC) + "removedTriples"), _lit("".join(removed)))
        )
    return out


def commit_update(records: list[ImportRecord], extra: list[ox.Triple], ended: str) -> str:
    """One SPARQL update that makes ``records`` the current versions of their imports (and
    marks the versions they replace as invalidated), adding ``extra`` provenance triples."""
    prov = f"<{PROVENANCE_GRAPH}>"
    body = ox.serialize(
        [t for r in records for t in record_triples(r)] + extra, format=ox.RdfFormat.N_TRIPLES
    ).decode()
    parts = []
    for r in records:
        imp = f"<{import_iri(r.import_id)}>"
        parts.append(
            f"DELETE {{ GRAPH {prov} {{ {imp} <{SVC}currentVersion> ?old }} }}\n"
            f"INSERT {{ GRAPH {prov} {{ ?old <{PROV}invalidatedAtTime> "
            f'"{ended}"^^<{XSD}dateTime> }} }}\n'
            f"WHERE {{ GRAPH {prov} {{ {imp} <{SVC}currentVersion> ?old }} }}"
        )
    pointers = "".join(
        f"<{import_iri(r.import_id)}> <{SVC}currentVersion> <{r.graph}> .\n" for r in records
    )
    parts.append(f"INSERT DATA {{ GRAPH {prov} {{\n{body}{pointers}}} }}")
    return " ;\n".join(parts)


def settle_update(store: Store, import_ids: list[str], ended: str) -> str | None:
    """The SPARQL update that leaves ``import_ids`` one ``svc:currentVersion`` pointer each
    (the :func:`_winner`), marking the versions it drops as invalidated; None when each
    already has at most one."""
    prov = f"<{PROVENANCE_GRAPH}>"
    wanted = set(import_ids)
    rows = store.query(
        f"SELECT ?id ?v WHERE {{ ?imp <{SVC}importId> ?id ; <{SVC}currentVersion> ?v }}",
        default_graph=[str(PROVENANCE_GRAPH)],
    )
    named: dict[str, set[str]] = {}
    for row in rows:
        if row["id"].value in wanted:
            named.setdefault(row["id"].value, set()).add(row["v"].value)
    doubled = {i for i, graphs in named.items() if len(graphs) > 1}
    if not doubled:
        return None
    current = {r.graph for r in all_versions(store) if r.current and r.import_id in doubled}
    losers = [(i, g) for i in sorted(doubled) for g in sorted(named[i]) if g not in current]
    stamp = f'"{ended}"^^<{XSD}dateTime>'
    return (
        f"DELETE DATA {{ GRAPH {prov} {{\n"
        + "".join(f"<{import_iri(i)}> <{SVC}currentVersion> <{g}> .\n" for i, g in losers)
        + f"}} }} ;\nINSERT DATA {{ GRAPH {prov} {{\n"
        + "".join(f"<{g}> <{PROV}invalidatedAtTime> {stamp} .\n" for _, g in losers)
        + "} }"
    )


def remove_update(import_id: str, ended: str) -> str:
    """One SPARQL update that makes ``import_id`` have no current version."""
    prov = f"<{PROVENANCE_GRAPH}>"
    imp = f"<{import_iri(import_id)}>"
    return (
        f"DELETE {{ GRAPH {prov} {{ {imp} <{SVC}currentVersion> ?old }} }}\n"
        f"INSERT {{ GRAPH {prov} {{ ?old <{PROV}invalidatedAtTime> "
        f'"{ended}"^^<{XSD}dateTime> }} }}\n'
        f"WHERE {{ GRAPH {prov} {{ {imp} <{SVC}currentVersion> ?old }} }}"
    )


_RECORDS = f"""
PREFIX prov: <{PROV}>
PREFIX dcterms: <{DCTERMS}>
PREFIX svc: <{SVC}>
PREFIX rdfs: <{PREFIXES["rdfs"]}>
SELECT ?imp ?id ?source ?ver ?cur ?version ?sha ?size ?triples ?inferred ?infgraph ?format
       ?started ?ended ?agent ?validated ?conforms ?viol ?warn ?forced ?allowed ?added ?removed
       ?truncated ?previous ?modelName ?modelId
WHERE {{
  ?imp svc:importId ?id ; dcterms:source ?source .
  ?ver prov:specializationOf ?imp ; svc:version ?version ; prov:wasGeneratedBy ?act ;
       prov:wasDerivedFrom ?src ; svc:tripleCount ?triples ; svc:inferredCount ?inferred ;
       svc:inferenceGraph ?infgraph ; dcterms:format ?format ; svc:addedCount ?added ;
       svc:removedCount ?removed ; svc:diffTruncated ?truncated .
  ?src svc:sha256 ?sha ; svc:byteSize ?size .
  ?act prov:startedAtTime ?started ; prov:endedAtTime ?ended ;
       prov:wasAssociatedWith/rdfs:label ?agent ; svc:validated ?validated ;
       svc:conforms ?conforms ; svc:violationCount ?viol ; svc:warningCount ?warn ;
       svc:forced ?forced ; svc:allowedViolations ?allowed .
  OPTIONAL {{ ?imp svc:currentVersion ?cur }}
  OPTIONAL {{ ?ver prov:wasRevisionOf ?previous }}
  OPTIONAL {{ ?ver svc:modelName ?modelName }}
  OPTIONAL {{ ?ver svc:modelId ?modelId }}
  FILTER_HERE
}}
"""


def _records(store: Store, filter_: str = "") -> list[ImportRecord]:
    rows = store.query(
        _RECORDS.replace("FILTER_HERE", filter_), default_graph=[str(PROVENANCE_GRAPH)]
    )
    out: list[ImportRecord] = []
    pointers: dict[str, set[str]] = {}
    for r in rows:

        def v(name: str, row: ox.QuerySolution = r) -> str | None:
            term = row[name]
            return None if term is None else term.value

        out.append(
            ImportRecord(
                import_id=v("id") or "",
                source=v("source") or "",
                graph=v("ver") or "",
                inferred_graph=v("infgraph") or "",
                version=int(v("version") or 0),
                sha256=v("sha") or "",
                byte_size=int(v("size") or 0),
                triple_count=int(v("triples") or 0),
                inferred_count=int(v("inferred") or 0),
                format=v("format") or "",
                started=v("started") or "",
                ended=v("ended") or "",
                agent=v("agent") or "",
                validated=v("validated") == "true",
                conforms=v("conforms") == "true",
                violations=int(v("viol") or 0),
                warnings=int(v("warn") or 0),
                forced=v("forced") == "true",
                allowed_violations=v("allowed") == "true",
                added=int(v("added") or 0),
                removed=int(v("removed") or 0),
                diff_truncated=v("truncated") == "true",
                previous=v("previous"),
                model_name=v("modelName"),
                model_id=v("modelId"),
                current=False,
            )
        )
        if v("cur") is not None:
            pointers.setdefault(v("id") or "", set()).add(v("cur") or "")
    return _with_current(out, pointers)


def _with_current(rows: list[ImportRecord], pointers: dict[str, set[str]]) -> list[ImportRecord]:
    """One record per version, exactly one of them current per import: the one
    :func:`_winner` picks among the versions its ``svc:currentVersion`` pointers name (a
    version appears once per pointer in the query's rows)."""
    versions = {rec.graph: rec for rec in rows}
    winners = {
        win.graph
        for named in pointers.values()
        if (win := _winner([versions[g] for g in named if g in versions])) is not None
    }
    out = [replace(rec, current=rec.graph in winners) for rec in versions.values()]
    return sorted(out, key=lambda rec: (rec.import_id, rec.version, rec.graph))


def _winner(candidates: list[ImportRecord]) -> ImportRecord | None:
    """Which of several versions an import's pointers name is current: the one whose import
    ended last, then the greatest graph IRI. Two processes committing one import at the same
    moment can both leave a pointer (engines isolate each update by snapshot, so neither
    sees the other's); every process picks the same one by this rule, and
    :func:`settle_update` removes the others' pointers."""
    return max(candidates, key=lambda rec: (rec.ended, rec.graph), default=None)


def list_imports(store: Store) -> list[ImportRecord]:
    """The current version of every import, by id."""
    return [r for r in _records(store) if r.current]


def all_versions(store: Store) -> list[ImportRecord]:
    """Every recorded version of every import (removed ones included), by id then version."""
    return _records(store)


def history(store: Store, import_id: str) -> list[ImportRecord]:
    """Every recorded version of an import, oldest first (removed ones included)."""
    lit = ox.Literal(import_id)
    return _records(store, f"FILTER(?id = {lit})")


def get(store: Store, import_id: str) -> ImportRecord:
    """The current version of ``import_id``; NotFound if there is none."""
    for rec in history(store, import_id):
        if rec.current:
            return rec
    known = ", ".join(r.import_id for r in list_imports(store)) or "none"
    raise NotFound(f"no import with id {import_id!r}", hint=f"known imports: {known}")


def find_by_source(store: Store, source: str) -> ImportRecord | None:
    """The current version imported from a source of this name, if any."""
    for rec in list_imports(store):
        if rec.source == source:
            return rec
    return None


def id_for_source(store: Store, source: str, taken: set[str] | None = None) -> str:
    """The import id of ``source``: its existing id, else a new slug unique in the store."""
    rows = store.query(
        f"SELECT ?id WHERE {{ ?imp <{SVC}importId> ?id ; <{DCTERMS}source> ?src }}",
        default_graph=[str(PROVENANCE_GRAPH)],
        substitutions={"src": ox.Literal(source)},
    )
    for row in rows:
        return row["id"].value
    slug = slugify(source)
    used = set(taken or ())
    used |= {
        row["id"].value
        for row in store.query(
            f"SELECT ?id WHERE {{ ?imp <{SVC}importId> ?id }}",
            default_graph=[str(PROVENANCE_GRAPH)],
        )
    }
    if slug not in used:
        return slug
    return f"{slug[:52]}-{hashlib.sha256(source.encode()).hexdigest()[:6]}"


def next_version(store: Store, import_id: str) -> int:
    """One more than the highest version ever recorded for ``import_id``."""
    return max((r.version for r in history(store, import_id)), default=0) + 1


def version_steps(store: Store, graph: str) -> tuple[list[str], list[str]]:
    """The stored N-Triples lines version ``graph`` added and removed (bounded)."""
    rows = store.query(
        f"SELECT ?a ?r WHERE {{ OPTIONAL {{ ?v <{SVC}addedTriples> ?a }} "
        f"OPTIONAL {{ ?v <{SVC}removedTriples> ?r }} }}",
        default_graph=[str(PROVENANCE_GRAPH)],
        substitutions={"v": ox.NamedNode(graph)},
    )
    added: list[str] = []
    removed: list[str] = []
    for row in rows:
        if row["a"] is not None:
            added = row["a"].value.splitlines()
        if row["r"] is not None:
            removed = row["r"].value.splitlines()
    return added, removed


def diff(store: Store, import_id: str) -> Diff:
    """What the current version of ``import_id`` added and removed relative to the previous
    version (the stored, bounded diff)."""
    rec = get(store, import_id)
    added, removed = version_steps(store, rec.graph)
    return Diff(
        import_id=rec.import_id,
        graph=rec.graph,
        previous=rec.previous,
        added_count=rec.added,
        removed_count=rec.removed,
        added=added,
        removed=removed,
        truncated=rec.diff_truncated,
    )


def live_graphs(store: Store) -> set[str]:
    """Graphs the current versions name (their data and inference graphs)."""
    rows = store.query(
        f"SELECT ?v ?i WHERE {{ ?imp <{SVC}currentVersion> ?v . "
        f"OPTIONAL {{ ?v <{SVC}inferenceGraph> ?i }} }}",
        default_graph=[str(PROVENANCE_GRAPH)],
    )
    out: set[str] = set()
    for row in rows:
        out.add(row["v"].value)
        out.add(inferred_graph(row["v"].value) if row["i"] is None else row["i"].value)
    return out


def orphan_graphs(store: Store) -> list[str]:
    """Import graphs no current version names: left by a killed import or superseded."""
    live = live_graphs(store)
    return [g for g in store.graphs() if g.startswith(IMPORT_BASE) and g not in live]


def superseded_graphs(store: Store, import_ids: list[str]) -> list[str]:
    """Graphs of recorded versions of ``import_ids`` that are no longer current and still
    exist. A committed version of another process that this commit replaced is among them
    (its import planned no replacement, so nothing else drops it); a version still being
    written by another process is not (it has no record yet), so dropping these is safe on
    a shared store."""
    if not import_ids:
        return []
    live = live_graphs(store)
    wanted = set(import_ids)
    old = {
        g
        for r in all_versions(store)
        if r.import_id in wanted and not r.current
        for g in (r.graph, r.inferred_graph)
    }
    return [g for g in store.graphs() if g in old and g not in live]


def recover(store: Store) -> list[str]:
    """Drop orphan import graphs (see :func:`orphan_graphs`); returns what was dropped.

    Call it when opening a store for writing: after a SIGKILL mid-import the store then holds
    exactly the previous state."""
    dropped = orphan_graphs(store)
    for graph in dropped:
        store.drop_graph(graph)
    return dropped
