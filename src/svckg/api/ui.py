"""Browser UI: the built pages (``/``, ``/ui/...``) and the small JSON routes the viewer needs.

Pages are the files ``web/`` builds into :data:`svckg.config.WEB_BUILD_DIR` (their assets are
served under ``/static`` by the app). JSON routes under ``/api/ui`` describe elements for the
graph viewer: search by label, one element with its links grouped and counted, a bounded set of
neighbours, the links among a set of elements, and a dry-run validation of uploads. They read
the store through the Store protocol's ``quads`` only: user text never reaches SPARQL. Search
scans an in-memory index of labels built once per store generation (a substring scan in the
engine took ~0.5 s at 1 M triples).
"""

from __future__ import annotations

import threading
import weakref
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from svckg.api.auth import require_read
from svckg.api.rest import read_uploaded_files, upload_fields, with_profile
from svckg.api.state import app_state, run_blocking
from svckg.config import WEB_BUILD_DIR
from svckg.errors import InputError, NotFound, StoreError
from svckg.ingest.pipeline import validate_sources
from svckg.store.base import Store
from svckg.vocab import PREFIXES

router = APIRouter(tags=["ui"])
data_router = APIRouter(prefix="/api/ui", tags=["ui"], dependencies=[Depends(require_read)])
"""JSON routes of the viewer (included into :data:`router` at the end of this module)."""

RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
RDFS_LABEL = ox.NamedNode(PREFIXES["rdfs"] + "label")
RDFS_SUBCLASS = ox.NamedNode(PREFIXES["rdfs"] + "subClassOf")
SKOS_PREFLABEL = ox.NamedNode(PREFIXES["skos"] + "prefLabel")
SKOS_DEFINITION = ox.NamedNode(PREFIXES["skos"] + "definition")
RDFS_COMMENT = ox.NamedNode(PREFIXES["rdfs"] + "comment")
SVC_LAYER = ox.NamedNode(PREFIXES["svc"] + "layer")
SVC_LAYER_ORDER = ox.NamedNode(PREFIXES["svc"] + "layerOrder")
SVC_DEPENDS_ON = ox.NamedNode(PREFIXES["svc"] + "dependsOn")

MAX_LIMIT = 200
"""Most neighbours one request returns: the viewer never draws an unbounded hairball."""
MAX_NODES = 300
"""Most IRIs ``/api/ui/nodes`` accepts (a permalink restores at most this many)."""
MAX_LAYER_SCAN = 10_000
"""Elements with more links than this are not counted or filtered by layer (it needs the
classes of every neighbour): the viewer offers expansion by relation for them."""

PAGES: dict[str, str] = {
    "viewer": "viewer/index.html",
    "sparql": "sparql/index.html",
    "validate": "validate/index.html",
    "graphiql": "graphiql/index.html",
    "catalogue": "catalogue/index.html",
    "imports": "imports/index.html",
    "classes": "classes/index.html",
}
"""Page name -> built HTML file under :data:`WEB_BUILD_DIR`."""


def page_html(name: str, build_dir: Path = WEB_BUILD_DIR) -> str:
    """The built HTML of page ``name`` (viewer, sparql, validate, graphiql).

    Raises StoreError (HTTP 503) naming the build command when ``web/`` was not built.
    The GraphQL router serves ``page_html("graphiql")`` to browsers.
    """
    path = build_dir / PAGES[name]
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StoreError(
            f"the browser UI is not built: {path} is missing",
            where="web/dist",
            hint="run `cd web && npm ci && npm run build` (or `make web`)",
        ) from None


def page_response(name: str) -> HTMLResponse:
    """An HTML response with the built page ``name`` (never cached: it names hashed assets)."""
    return HTMLResponse(page_html(name), headers={"Cache-Control": "no-cache"})


@router.get("/", include_in_schema=False)
def viewer_page() -> HTMLResponse:
    """Graph viewer."""
    return page_response("viewer")


@router.get("/ui", include_in_schema=False)
def ui_root() -> RedirectResponse:
    """``/ui`` -> the viewer at ``/``."""
    return RedirectResponse("/", status_code=307)


@router.get("/ui/sparql", include_in_schema=False)
def sparql_page() -> HTMLResponse:
    """SPARQL console (YASGUI) on ``/sparql``."""
    return page_response("sparql")


@router.get("/ui/validate", include_in_schema=False)
def validate_page() -> HTMLResponse:
    """Validation and import page."""
    return page_response("validate")


@router.get("/ui/graphql", include_in_schema=False)
def graphiql_page() -> HTMLResponse:
    """GraphiQL on ``/graphql`` (also served by the GraphQL router to browsers)."""
    return page_response("graphiql")


# ---------------------------------------------------------------------------------------------
# Element descriptions


@dataclass(frozen=True)
class Layer:
    """An architecture layer concept."""

    iri: str
    label: str
    order: int

    def to_json(self) -> dict[str, Any]:
        return {"iri": self.iri, "label": self.label, "order": self.order}


def _store(request: Request) -> Store:
    return app_state(request).store


def _iri(value: str, name: str = "iri") -> ox.NamedNode:
    value = value.strip()
    if not value:
        raise InputError(f"parameter {name!r} is empty", hint="give a full IRI or a CURIE")
    prefix, sep, local = value.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        value = PREFIXES[prefix] + local
    try:
        return ox.NamedNode(value)
    except ValueError as exc:
        raise InputError(
            f"{value!r} is not a valid IRI: {exc}",
            where=f"parameter {name!r}",
            hint="give a full IRI (https://w3id.org/svckg/id/...) or a CURIE like svc:Service",
        ) from None


def _local_name(iri: str) -> str:
    for sep in ("#", "/", ":"):
        if sep in iri.rstrip(sep):
            return iri.rstrip(sep).rsplit(sep, 1)[1]
    return iri


def _unique_objects(store: Store, subject: ox.NamedNode, predicate: ox.NamedNode) -> list[Any]:
    return list(dict.fromkeys(q.object for q in store.quads(subject, predicate, None)))


def _label(store: Store, node: ox.NamedNode) -> str:
    best: str | None = None
    for predicate in (SKOS_PREFLABEL, RDFS_LABEL):
        for obj in _unique_objects(store, node, predicate):
            if isinstance(obj, ox.Literal):
                if obj.language in (None, "en"):
                    return obj.value
                best = best or obj.value
    return best or _local_name(node.value)


def _definition(store: Store, node: ox.NamedNode) -> str | None:
    for predicate in (SKOS_DEFINITION, RDFS_COMMENT):
        for obj in _unique_objects(store, node, predicate):
            if isinstance(obj, ox.Literal) and obj.language in (None, "en"):
                return obj.value
    return None


def _named(node: ox.NamedNode | str) -> ox.NamedNode:
    return ox.NamedNode(node) if isinstance(node, str) else node


class Describer:
    """Labels, classes and layers of elements, cached for one request."""

    def __init__(self, store: Store):
        self.store = store
        self._labels: dict[str, str] = {}
        self._class_layer: dict[str, Layer | None] = {}
        self._layers: dict[str, Layer] = {}

    def label(self, node: ox.NamedNode | str) -> str:
        key = node if isinstance(node, str) else node.value
        if key not in self._labels:
            self._labels[key] = _label(self.store, _named(node))
        return self._labels[key]

    def types(self, node: ox.NamedNode | str) -> list[ox.NamedNode]:
        node = _named(node)
        return [
            t for t in _unique_objects(self.store, node, RDF_TYPE) if isinstance(t, ox.NamedNode)
        ]

    def _layer(self, concept: ox.NamedNode) -> Layer:
        if concept.value not in self._layers:
            orders = [
                int(o.value)
                for o in _unique_objects(self.store, concept, SVC_LAYER_ORDER)
                if isinstance(o, ox.Literal) and o.value.lstrip("-").isdigit()
            ]
            self._layers[concept.value] = Layer(
                concept.value, self.label(concept), orders[0] if orders else 99
            )
        return self._layers[concept.value]

    def class_layer(self, cls: ox.NamedNode, seen: frozenset[str] = frozenset()) -> Layer | None:
        """The layer a class carries, or the nearest superclass's (cycles tolerated)."""
        if cls.value in self._class_layer:
            return self._class_layer[cls.value]
        layer: Layer | None = None
        concepts = [
            c for c in _unique_objects(self.store, cls, SVC_LAYER) if isinstance(c, ox.NamedNode)
        ]
        if concepts:
            layer = min((self._layer(c) for c in concepts), key=lambda lay: lay.order)
        elif cls.value not in seen:
            for parent in _unique_objects(self.store, cls, RDFS_SUBCLASS):
                if isinstance(parent, ox.NamedNode):
                    layer = self.class_layer(parent, seen | {cls.value})
                    if layer is not None:
                        break
        self._class_layer[cls.value] = layer
        return layer

    def layer(
        self, node: ox.NamedNode | str, types: list[ox.NamedNode] | None = None
    ) -> Layer | None:
        """The layer of an element: its classes' layer (the most specific class carries it)."""
        found = [
            lay
            for t in (types if types is not None else self.types(node))
            if (lay := self.class_layer(t)) is not None
        ]
        return min(found, key=lambda lay: lay.order) if found else None

    def summary(self, node: ox.NamedNode | str) -> dict[str, Any]:
        """``{iri, label, types: [{iri, label}], layer}`` of one element."""
        node = _named(node)
        types = self.types(node)
        layer = self.layer(node, types)
        return {
            "iri": node.value,
            "label": self.label(node),
            "types": [{"iri": t.value, "label": self.label(t)} for t in types],
            "layer": layer.to_json() if layer else None,
        }


def _outgoing(store: Store, node: ox.NamedNode) -> list[tuple[str, str]]:
    """Distinct (predicate, object) IRI pairs from ``node`` to named nodes, without rdf:type
    and without an inferred svc:dependsOn that repeats a sub-property edge."""
    pairs = dict.fromkeys(
        (q.predicate.value, q.object.value)
        for q in store.quads(node, None, None)
        if isinstance(q.object, ox.NamedNode)
    )
    return _without_repeated_depends_on(pairs)


def _incoming(store: Store, node: ox.NamedNode) -> list[tuple[str, str]]:
    """Distinct (predicate, subject) IRI pairs of named nodes linking to ``node``, filtered as
    :func:`_outgoing`."""
    pairs = dict.fromkeys(
        (q.predicate.value, q.subject.value)
        for q in store.quads(None, None, node)
        if isinstance(q.subject, ox.NamedNode)
    )
    return _without_repeated_depends_on(pairs)


def _links(store: Store, node: ox.NamedNode) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    return _outgoing(store, node), _incoming(store, node)


def _without_repeated_depends_on(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    pairs = [(p, o) for p, o in pairs if p != RDF_TYPE.value]
    specific = {other for predicate, other in pairs if predicate != SVC_DEPENDS_ON.value}
    return [(p, o) for p, o in pairs if p != SVC_DEPENDS_ON.value or o not in specific]


def _exists(store: Store, node: ox.NamedNode) -> bool:
    return any(True for _ in store.quads(node, None, None)) or any(
        True for _ in store.quads(None, None, node)
    )


def _check_exists(store: Store, node: ox.NamedNode) -> None:
    if not _exists(store, node):
        raise NotFound(
            f"no element {node.value} in the store",
            hint="search for it by label with /api/ui/search?q=...",
        )


def describe_node(store: Store, iri: str) -> dict[str, Any]:
    """One element for the viewer: summary, definition, literals, and its links to other
    elements grouped by direction and predicate with counts per layer (nothing expanded)."""
    node = _iri(iri)
    _check_exists(store, node)
    describer = Describer(store)
    result = describer.summary(node)
    result["definition"] = _definition(store, node)
    literals = []
    seen: set[tuple[str, str]] = set()
    for quad in store.quads(node, None, None):
        obj = quad.object
        if isinstance(obj, ox.Literal) and (quad.predicate.value, str(obj)) not in seen:
            seen.add((quad.predicate.value, str(obj)))
            literals.append(
                {
                    "predicate": quad.predicate.value,
                    "predicateLabel": describer.label(quad.predicate),
                    "value": obj.value,
                    "datatype": obj.datatype.value if obj.language is None else None,
                    "lang": obj.language,
                }
            )
    literals.sort(key=lambda lit: (lit["predicateLabel"], lit["value"]))
    result["literals"] = literals
    outgoing, incoming = _links(store, node)
    total = len(outgoing) + len(incoming)
    groups = []
    for direction, pairs in (("out", outgoing), ("in", incoming)):
        by_predicate: dict[str, list[str]] = defaultdict(list)
        for predicate, other in pairs:
            by_predicate[predicate].append(other)
        for predicate_iri, others in by_predicate.items():
            groups.append(
                {
                    "direction": direction,
                    "predicate": predicate_iri,
                    "predicateLabel": describer.label(predicate_iri),
                    "count": len(others),
                    "sample": [{"iri": o, "label": describer.label(o)} for o in others[:5]],
                }
            )
    groups.sort(key=lambda g: (g["direction"] != "out", g["predicateLabel"]))
    result["links"] = groups
    result["counts"] = {"out": len(outgoing), "in": len(incoming)}
    result["layers"] = (
        _layer_counts(describer, [other for _, other in (*outgoing, *incoming)])
        if total <= MAX_LAYER_SCAN
        else None
    )
    """None: too many links to count by layer (expand by relation instead)."""
    return result


def _layer_counts(describer: Describer, others: list[str]) -> list[dict[str, Any]]:
    counts: Counter = Counter()
    layers: dict[str, dict[str, Any]] = {"none": {"iri": "none", "label": "no layer", "order": 99}}
    for other in others:
        layer = describer.layer(other)
        key = layer.iri if layer else "none"
        counts[key] += 1
        if layer:
            layers[key] = layer.to_json()
    return sorted(
        ({**layers[k], "count": n} for k, n in counts.items()),
        key=lambda lay: (lay["order"], lay["label"]),
    )


def neighbours(
    store: Store,
    iri: str,
    *,
    predicate: str | None = None,
    direction: str | None = None,
    layer: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """Neighbours of one element, filtered by predicate, direction (``out``/``in``) and layer
    (a layer concept IRI, or ``none``): at most ``limit`` links from ``offset`` on, in a stable
    order (``total`` says how many match)."""
    node = _iri(iri)
    _check_exists(store, node)
    if direction not in (None, "", "out", "in", "both"):
        raise InputError(
            f"direction {direction!r} is not one of out, in, both", where="parameter 'direction'"
        )
    if not 1 <= limit <= MAX_LIMIT:
        raise InputError(
            f"limit {limit} is out of range",
            where="parameter 'limit'",
            hint=f"ask for 1 to {MAX_LIMIT} neighbours; expand by relation or layer to narrow",
        )
    if offset < 0:
        raise InputError(
            f"offset {offset} is negative", where="parameter 'offset'", hint="start at 0"
        )
    wanted_predicate = _iri(predicate, "predicate").value if predicate else None
    describer = Describer(store)
    outgoing, incoming = _links(store, node)
    if layer and len(outgoing) + len(incoming) > MAX_LAYER_SCAN:
        raise InputError(
            f"{node.value} has {len(outgoing) + len(incoming):,} links, too many to filter by "
            f"layer (at most {MAX_LAYER_SCAN:,})",
            where="parameter 'layer'",
            hint="expand by relation (predicate and direction) instead",
        )
    candidates = []
    for dir_name, pairs in (("out", outgoing), ("in", incoming)):
        if direction in ("out", "in") and dir_name != direction:
            continue
        for pred, other in pairs:
            if wanted_predicate and pred != wanted_predicate:
                continue
            if layer:
                other_layer = describer.layer(other)
                if (other_layer.iri if other_layer else "none") != layer:
                    continue
            candidates.append((dir_name, pred, other))
    candidates.sort(key=lambda c: (c[0] != "out", c[1], c[2]))
    chosen = candidates[offset : offset + limit]
    nodes: dict[str, dict[str, Any]] = {}
    edges = []
    for dir_name, pred, other in chosen:
        if other not in nodes:
            nodes[other] = describer.summary(other)
        source, target = (node.value, other) if dir_name == "out" else (other, node.value)
        edges.append(
            {
                "source": source,
                "target": target,
                "predicate": pred,
                "predicateLabel": describer.label(pred),
            }
        )
    return {
        "iri": node.value,
        "nodes": list(nodes.values()),
        "edges": edges,
        "total": len(candidates),
        "offset": offset,
        "truncated": len(candidates) > offset + limit,
    }


def nodes_with_edges(store: Store, iris: list[str]) -> dict[str, Any]:
    """Summaries of the given elements and the links among them (restores a permalink)."""
    if len(iris) > MAX_NODES:
        raise InputError(
            f"{len(iris)} elements asked for, at most {MAX_NODES} allowed",
            where="parameter 'iri'",
            hint="share a smaller view",
        )
    wanted = [_iri(i) for i in dict.fromkeys(iris)]
    wanted_set = {n.value for n in wanted}
    describer = Describer(store)
    nodes, edges, missing = [], [], []
    for node in wanted:
        if not _exists(store, node):
            missing.append(node.value)
            continue
        nodes.append(describer.summary(node))
        for pred, other in _outgoing(store, node):
            if other in wanted_set:
                edges.append(
                    {
                        "source": node.value,
                        "target": other,
                        "predicate": pred,
                        "predicateLabel": describer.label(pred),
                    }
                )
    return {"nodes": nodes, "edges": edges, "missing": missing}


@dataclass(frozen=True)
class _LabelIndex:
    generation: int
    entries: tuple[tuple[str, str, str], ...]
    """(lower-case label, IRI, label) of every rdfs:label and skos:prefLabel of a named node."""


_LABEL_INDEXES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_LABEL_LOCK = threading.Lock()


def _labels(store: Store) -> tuple[tuple[str, str, str], ...]:
    """Every label in the store, kept per store until its generation changes (a write)."""
    generation = store.generation
    with _LABEL_LOCK:
        cached = _LABEL_INDEXES.get(store)
    if cached is not None and cached.generation == generation:
        return cached.entries
    entries = tuple(
        dict.fromkeys(
            (q.object.value.lower(), q.subject.value, q.object.value)
            for predicate in (RDFS_LABEL, SKOS_PREFLABEL)
            for q in store.quads(None, predicate, None)
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal)
        )
    )
    with _LABEL_LOCK:
        _LABEL_INDEXES[store] = _LabelIndex(generation, entries)
    return entries


def search(store: Store, text: str, *, limit: int = 20) -> list[dict[str, Any]]:
    """Elements whose label contains ``text`` (case-insensitive): exact matches first, then
    labels starting with it, then elements of the landscape layers before vocabulary terms,
    shorter labels first. The labels are indexed in memory once per store generation."""
    needle = text.strip().lower()
    if not needle:
        raise InputError("search text is empty", where="parameter 'q'", hint="type part of a label")
    if not 1 <= limit <= MAX_LIMIT:
        raise InputError(
            f"limit {limit} is out of range",
            where="parameter 'limit'",
            hint=f"ask for 1 to {MAX_LIMIT} results",
        )
    best: dict[str, tuple[tuple[int, int, str], str]] = {}
    for low, iri, label in _labels(store):
        if needle in low:
            key = (_rank_text(low, needle), len(low), low)
            if iri not in best or key < best[iri][0]:
                best[iri] = (key, label)
    # rank by text first, then look up classes and layers for the few that can make the cut
    shortlist = sorted(best.items(), key=lambda item: item[1][0])[: limit * 5]
    describer = Describer(store)
    found = []
    for iri, (key, label) in shortlist:
        summary = describer.summary(ox.NamedNode(iri))
        summary["matched"] = label
        found.append((key[0], summary["layer"] is None, key[1], key[2], summary))
    found.sort(key=lambda item: item[:4])
    return [item[4] for item in found[:limit]]


def _rank_text(low: str, needle: str) -> int:
    return 0 if low == needle else 1 if low.startswith(needle) else 2


@data_router.get("/search")
async def search_route(
    request: Request,
    q: Annotated[str, Query(description="Part of a label (case-insensitive)")],
    limit: Annotated[int, Query(description=f"Most results (1-{MAX_LIMIT})")] = 20,
) -> dict[str, Any]:
    """Search elements by label: exact matches first, then prefixes, then the rest."""
    found = await run_blocking(request, lambda: search(_store(request), q, limit=limit))
    return {"query": q, "results": found}


@data_router.get("/node")
async def node_route(
    request: Request, iri: Annotated[str, Query(description="Element IRI or CURIE")]
) -> dict[str, Any]:
    """One element: label, definition, class, layer, literals, links grouped with counts."""
    return await run_blocking(request, describe_node, _store(request), iri)


@data_router.get("/neighbours")
async def neighbours_route(
    request: Request,
    iri: Annotated[str, Query(description="Element IRI or CURIE")],
    predicate: Annotated[str | None, Query(description="Only this relation")] = None,
    direction: Annotated[str | None, Query(description="out, in or both")] = None,
    layer: Annotated[
        str | None, Query(description="Only neighbours in this layer (concept IRI, or none)")
    ] = None,
    limit: Annotated[int, Query(description=f"Most neighbours (1-{MAX_LIMIT})")] = 50,
    offset: Annotated[int, Query(description="Skip this many matching links")] = 0,
) -> dict[str, Any]:
    """A bounded set of neighbours of one element, with the connecting edges."""
    return await run_blocking(
        request,
        lambda: neighbours(
            _store(request),
            iri,
            predicate=predicate,
            direction=direction,
            layer=layer,
            limit=limit,
            offset=offset,
        ),
    )


@data_router.get("/nodes")
async def nodes_route(
    request: Request,
    iri: Annotated[list[str], Query(description="Element IRIs (repeat the parameter)")],
) -> dict[str, Any]:
    """Several elements and the links among them (restores a permalink)."""
    return await run_blocking(request, nodes_with_edges, _store(request), iri)


@data_router.post("/validate")
async def validate_route(
    request: Request,
    format: Annotated[str | None, Query(description="Input format (default: detected)")] = None,
    profile: Annotated[
        str | None, Query(description="Validation profile: default or strict (also a form field)")
    ] = None,
) -> dict[str, Any]:
    """Validate uploaded files (multipart, one file part each) as an import would, writing
    nothing: ``{"files": [...], "report": {...}}``. Committing is ``POST /api/imports``."""
    state = app_state(request)
    files = await read_uploaded_files(request)
    fields = await upload_fields(request)
    settings = with_profile(state.settings, profile or fields.get("profile"))
    report = await run_blocking(
        request,
        lambda: validate_sources(state.store, files, format=format, settings=settings),
    )
    return {"files": [f.name for f in files], "report": report.to_json()}


@data_router.get("/prefixes")
async def prefixes_route() -> dict[str, str]:
    """The namespace prefixes svckg knows (preset in the SPARQL console)."""
    return dict(PREFIXES)


router.include_router(data_router)
