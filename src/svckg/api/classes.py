"""The ontology browser (``/ui/classes``): the class tree with instance counts, and the
properties with their domain and range.

Classes are the ``owl:Class`` / ``rdfs:Class`` terms of the store, placed under their
``rdfs:subClassOf`` parents (a class with several parents appears under each). ``count`` is
the number of distinct subjects typed with the class itself, ``total`` with it or any class
below it. Built once per store generation (counting every typed subject is a scan of the
``rdf:type`` triples).
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from svckg.analysis.describe import definition, display_label
from svckg.api.dependencies import CONSUMER, read_store, require_role
from svckg.api.state import run_blocking
from svckg.store.base import Store
from svckg.terms import (
    RDF_TYPE,
    RDFS_SUBCLASS,
)
from svckg.vocab import PREFIXES

page_router = APIRouter(include_in_schema=False)
router = APIRouter(prefix="/api/ui", tags=["ui"], dependencies=[require_role(CONSUMER)])
"""A consumer token sees the classes and counts of its view store only."""

CLASS_TYPES = (PREFIXES["owl"] + "Class", PREFIXES["rdfs"] + "Class")
PROPERTY_TYPES = (
    PREFIXES["owl"] + "ObjectProperty",
    PREFIXES["owl"] + "DatatypeProperty",
)
DOMAIN = ox.NamedNode(PREFIXES["rdfs"] + "domain")
RANGE = ox.NamedNode(PREFIXES["rdfs"] + "range")

_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


@page_router.get("/ui/classes")
def classes_page() -> HTMLResponse:
    """The class and property browser."""
    from svckg.api.pages import page_response

    return page_response("classes")


def _of_type(store: Store, types: tuple[str, ...]) -> list[str]:
    return sorted(
        {
            q.subject.value
            for t in types
            for q in store.quads(None, RDF_TYPE, ox.NamedNode(t))
            if type(q.subject) is ox.NamedNode
        }
    )


def class_tree(store: Store) -> dict[str, Any]:
    """``{"roots": [...], "classes": n}``: each node ``{iri, label, definition, count, total,
    children}``, children sorted by label."""
    classes = _of_type(store, CLASS_TYPES)
    known = set(classes)
    parents: dict[str, list[str]] = {c: [] for c in classes}
    for c in classes:
        for q in store.quads(ox.NamedNode(c), RDFS_SUBCLASS, None):
            if type(q.object) is ox.NamedNode and q.object.value in known and q.object.value != c:
                parents[c].append(q.object.value)
    children: dict[str, list[str]] = {c: [] for c in classes}
    for c, ps in parents.items():
        for p in ps:
            children[p].append(c)
    members = {
        c: {
            q.subject.value
            for q in store.quads(None, RDF_TYPE, ox.NamedNode(c))
            if not isinstance(q.subject, ox.Literal)
        }
        for c in classes
    }
    labels = {c: display_label(store, c) for c in classes}

    def below(c: str, seen: frozenset[str]) -> set[str]:
        found = set(members[c])
        for child in children[c]:
            if child not in seen:
                found |= below(child, seen | {child})
        return found

    def node(c: str, seen: frozenset[str]) -> dict[str, Any]:
        kids = [k for k in children[c] if k not in seen]
        return {
            "iri": c,
            "label": labels[c],
            "definition": definition(store, c),
            "count": len(members[c]),
            "total": len(below(c, seen | {c})),
            "children": [
                node(k, seen | {k}) for k in sorted(kids, key=lambda k: labels[k].lower())
            ],
        }

    roots = sorted((c for c in classes if not parents[c]), key=lambda c: labels[c].lower())
    return {"classes": len(classes), "roots": [node(c, frozenset({c})) for c in roots]}


def properties(store: Store) -> list[dict[str, Any]]:
    """Every declared property with its label, definition, domain and range."""
    out = []
    for p in _of_type(store, PROPERTY_TYPES):
        node = ox.NamedNode(p)
        ends = {
            name: [
                {"iri": q.object.value, "label": display_label(store, q.object.value)}
                for q in store.quads(node, pred, None)
                if type(q.object) is ox.NamedNode
            ]
            for name, pred in (("domain", DOMAIN), ("range", RANGE))
        }
        out.append(
            {"iri": p, "label": display_label(store, p), "definition": definition(store, p), **ends}
        )
    return sorted(out, key=lambda x: x["label"].lower())


def ontology_view(store: Store) -> dict[str, Any]:
    """Class tree and properties, cached until the store's next write."""
    with _LOCK:
        cached = _CACHE.get(store)
        if cached is not None and cached[0] == store.generation:
            return cached[1]
    generation = store.generation
    view = {**class_tree(store), "properties": properties(store)}
    with _LOCK:
        _CACHE[store] = (generation, view)
    return view


@router.get("/classes")
async def classes_route(request: Request) -> dict[str, Any]:
    """The class tree with instance counts, and the properties with domain and range."""
    return await run_blocking(request, ontology_view, await read_store(request))
