"""Catalogue lists (``/ui/catalogue``): sortable, filterable, paged tables of the landscape's
customer-facing services, backend services, offerings, applications, infrastructure,
agreements and parties.

A list holds the instances of a class and of its subclasses (read from the store's own
``rdfs:subClassOf``), each with its label, most specific listed class, owners and lifecycle
status. The rows of a list are built once per store generation (a write rebuilds them) and
kept in memory, so sorting, filtering and paging never scan the store again: the first page
of a list at 1 M triples is a sort of a few thousand tuples. Reads go through the Store
protocol's ``quads`` only: the filter text never reaches SPARQL.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Annotated, Any

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from svckg.analysis.describe import display_label
from svckg.api.dependencies import CONSUMER, read_store, require_role
from svckg.api.state import run_blocking
from svckg.errors import InputError
from svckg.store.base import Store
from svckg.store.cache import PerStore
from svckg.terms import (
    RDF_TYPE,
    RDFS_SUBCLASS,
)
from svckg.vocab import PREFIXES

SVC = PREFIXES["svc"]
OWNED_BY = ox.NamedNode(SVC + "ownedBy")
LIFECYCLE = ox.NamedNode(SVC + "lifecycleStatus")

KINDS: dict[str, tuple[str, str]] = {
    "cfs": ("Customer-facing services", "CustomerFacingService"),
    "backend": ("Backend services", "BackendService"),
    "offerings": ("Service offerings", "ServiceOffering"),
    "applications": ("Applications", "Application"),
    "infrastructure": ("Infrastructure", "InfrastructureComponent"),
    "agreements": ("Agreements", "Agreement"),
    "parties": ("Parties", "Party"),
}
"""List id -> (title, svc class whose instances, subclasses included, it lists)."""
SORTS = ("label", "class", "owner", "status")
MAX_PAGE = 200

page_router = APIRouter(include_in_schema=False)
router = APIRouter(prefix="/api/ui", tags=["ui"], dependencies=[require_role(CONSUMER)])
"""A consumer token lists its view store's elements only."""


@page_router.get("/ui/catalogue")
def catalogue_page() -> HTMLResponse:
    """The catalogue lists page."""
    from svckg.api.pages import page_response

    return page_response("catalogue")


@dataclass(frozen=True, slots=True)
class Row:
    iri: str
    label: str
    cls: str
    cls_label: str


@dataclass(frozen=True, slots=True)
class Details:
    owners: tuple[tuple[str, str], ...]
    status: str


class _Lists:
    """Every list of one store generation, built on first use. Owners and status are read
    only for the rows shown, or for all rows of a list once a sort or filter needs them: the
    first page sorted by label costs one label lookup per row."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.generation = store.generation
        self.rows: dict[str, list[Row]] = {}
        self.details: dict[str, Details] = {}
        self.lock = threading.Lock()
        self.locks = {kind: threading.Lock() for kind in KINDS}
        self.warming = False
        self._labels: dict[str, str] = {}

    def label(self, iri: str) -> str:
        if iri not in self._labels:
            self._labels[iri] = display_label(self.store, iri)
        return self._labels[iri]

    def subclasses(self, root: str) -> list[str]:
        """``root`` and every class below it, nearest first (the most specific is listed)."""
        found, frontier = [root], [root]
        while frontier:
            nxt = []
            for cls in frontier:
                for q in self.store.quads(None, RDFS_SUBCLASS, ox.NamedNode(cls)):
                    sub = q.subject
                    if type(sub) is ox.NamedNode and sub.value not in found:
                        found.append(sub.value)
                        nxt.append(sub.value)
            frontier = nxt
        return found

    def build(self, kind: str) -> list[Row]:
        classes = self.subclasses(SVC + KINDS[kind][1])
        depth = {c: i for i, c in enumerate(classes)}
        best: dict[str, str] = {}
        for cls in classes:
            for q in self.store.quads(None, RDF_TYPE, ox.NamedNode(cls)):
                s = q.subject
                if type(s) is ox.NamedNode and (
                    s.value not in best or depth[cls] > depth[best[s.value]]
                ):
                    best[s.value] = cls
        return [Row(iri, self.label(iri), cls, self.label(cls)) for iri, cls in best.items()]

    def get(self, kind: str) -> list[Row]:
        with self.locks[kind]:
            if kind not in self.rows:
                self.rows[kind] = self.build(kind)
            return self.rows[kind]

    def count(self, kind: str) -> int:
        """Instances of a list without reading their labels (the page shows counts first)."""
        if kind in self.rows:
            return len(self.rows[kind])
        found: set[str] = set()
        for cls in self.subclasses(SVC + KINDS[kind][1]):
            found.update(
                q.subject.value
                for q in self.store.quads(None, RDF_TYPE, ox.NamedNode(cls))
                if type(q.subject) is ox.NamedNode
            )
        return len(found)

    def warm(self) -> None:
        """Build every list in a background thread (once per generation), so the pages the
        user opens next are served from memory."""
        with self.lock:
            if self.warming:
                return
            self.warming = True
        threading.Thread(
            target=lambda: [self.get(k) for k in KINDS], name="svckg-catalogue", daemon=True
        ).start()

    def detail(self, iri: str) -> Details:
        found = self.details.get(iri)
        if found is None:
            node = ox.NamedNode(iri)
            owners = {
                (q.object.value, self.label(q.object.value))
                for q in self.store.quads(node, OWNED_BY, None)
                if type(q.object) is ox.NamedNode
            }
            status = [
                self.label(q.object.value) if type(q.object) is ox.NamedNode else q.object.value
                for q in self.store.quads(node, LIFECYCLE, None)
            ]
            found = Details(
                tuple(sorted(owners, key=lambda o: o[1].lower())), min(status, default="")
            )
            self.details[iri] = found
        return found

    def key(self, row: Row, sort: str) -> tuple[str, str, str]:
        if sort == "label":
            value = row.label
        elif sort == "class":
            value = row.cls_label
        elif sort == "owner":
            owners = self.detail(row.iri).owners
            value = owners[0][1] if owners else "\uffff"
        else:
            value = self.detail(row.iri).status or "\uffff"
        return (value.lower(), row.label.lower(), row.iri)

    def matches(self, row: Row, needle: str) -> bool:
        if needle in row.label.lower() or needle in row.cls_label.lower():
            return True
        d = self.detail(row.iri)
        return needle in d.status.lower() or any(needle in o[1].lower() for o in d.owners)

    def to_json(self, row: Row) -> dict[str, Any]:
        d = self.detail(row.iri)
        return {
            "iri": row.iri,
            "label": row.label,
            "class": {"iri": row.cls, "label": row.cls_label},
            "owners": [{"iri": i, "label": lab} for i, lab in d.owners],
            "status": d.status,
        }


_lists = PerStore(_Lists).get


def _check(kind: str, sort: str, order: str, offset: int, limit: int) -> None:
    if kind not in KINDS:
        raise InputError(
            f"no catalogue list {kind!r}", where="path", hint=f"lists: {', '.join(KINDS)}"
        )
    if sort not in SORTS:
        raise InputError(
            f"cannot sort by {sort!r}", where="parameter 'sort'", hint=f"sort by {', '.join(SORTS)}"
        )
    if order not in ("asc", "desc"):
        raise InputError(f"order {order!r} is not asc or desc", where="parameter 'order'")
    if not 1 <= limit <= MAX_PAGE:
        raise InputError(
            f"limit {limit} is out of range", where="parameter 'limit'", hint=f"1 to {MAX_PAGE}"
        )
    if offset < 0:
        raise InputError(f"offset {offset} is negative", where="parameter 'offset'")


def catalogue_page_data(
    store: Store,
    kind: str,
    *,
    q: str = "",
    sort: str = "label",
    order: str = "asc",
    offset: int = 0,
    limit: int = 50,
) -> dict[str, Any]:
    """One page of list ``kind``: rows whose label, class, owner or status contains ``q``
    (case-insensitive), sorted by ``sort`` then label; ``total`` counts every match."""
    _check(kind, sort, order, offset, limit)
    lists = _lists(store)
    rows = lists.get(kind)
    needle = q.strip().lower()
    if needle:
        rows = [r for r in rows if lists.matches(r, needle)]
    chosen = sorted(rows, key=lambda r: lists.key(r, sort), reverse=order == "desc")
    return {
        "kind": kind,
        "title": KINDS[kind][0],
        "total": len(rows),
        "offset": offset,
        "limit": limit,
        "sort": sort,
        "order": order,
        "q": q,
        "rows": [lists.to_json(r) for r in chosen[offset : offset + limit]],
    }


def list_counts(store: Store) -> list[dict[str, Any]]:
    """Every list with its title and size."""
    lists = _lists(store)
    counts = [
        {"kind": k, "title": title, "count": lists.count(k)} for k, (title, _) in KINDS.items()
    ]
    lists.warm()
    return counts


@router.get("/catalogue")
async def lists_route(request: Request) -> dict[str, Any]:
    """The catalogue lists with their sizes."""
    store = await read_store(request)
    return {"lists": await run_blocking(request, list_counts, store)}


@router.get("/catalogue/{kind}")
async def list_route(
    request: Request,
    kind: str,
    q: Annotated[str, Query(description="Only rows containing this text")] = "",
    sort: Annotated[str, Query(description="label, class, owner or status")] = "label",
    order: Annotated[str, Query(description="asc or desc")] = "asc",
    offset: Annotated[int, Query(description="Rows to skip")] = 0,
    limit: Annotated[int, Query(description=f"Rows per page (1-{MAX_PAGE})")] = 50,
) -> dict[str, Any]:
    """One sorted, filtered page of a catalogue list."""
    store = await read_store(request)
    return await run_blocking(
        request,
        lambda: catalogue_page_data(
            store, kind, q=q, sort=sort, order=order, offset=offset, limit=limit
        ),
    )
