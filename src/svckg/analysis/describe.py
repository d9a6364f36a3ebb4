"""Elements as the graph viewer shows them: one element with its links grouped and counted, a
bounded page of its neighbours, the links among a set of elements, and search by label.

Names, classes and layers come from the :mod:`dependency index <svckg.analysis.index>`, so an
element is called the same here as in impact and trace answers (the one label rule and the one
layer rule live in :mod:`svckg.terms`). Links of every predicate and literals are read with the
Store protocol's ``quads``: user text never reaches SPARQL.

Search matches *every* label of an element (each language, ``rdfs:label`` and
``skos:prefLabel``), while the index keeps only the best one; so the labels are kept in a list
of their own, built once per store generation (a substring scan in the engine took ~0.5 s at
1 M triples).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from svckg.analysis.index import DependencyIndex, get_index
from svckg.analysis.results import Contract, contract
from svckg.errors import InputError, NotFound, QueryError
from svckg.store.base import Store
from svckg.store.cache import PerStore
from svckg.terms import (
    LABEL_PREDICATE_IRIS,
    RDF_TYPE_IRI,
    RDFS_COMMENT,
    SKOS_DEFINITION,
    best_label,
    display_name,
    expand_iri,
)
from svckg.vocab import SVC

DEPENDS_ON = str(SVC.dependsOn)

MAX_LIMIT = 200
"""Most neighbours (or search results) one request returns: the viewer never draws an
unbounded hairball."""
MAX_NODES = 300
"""Most elements :func:`nodes_with_edges` accepts (a permalink restores at most this many)."""
MAX_LAYER_SCAN = 10_000
"""Elements with more links than this are not counted or filtered by layer (it needs the
classes of every neighbour): the viewer offers expansion by relation for them."""
NO_LAYER_ORDER = 99
"""Order given to a layer concept without ``svc:layerOrder`` (and to "no layer")."""

Pair = tuple[str, str]
"""(predicate IRI, the other element's IRI) of one link."""


@contract
@dataclass(frozen=True)
class Layer(Contract):
    """An architecture layer concept."""

    iri: str
    label: str
    order: int


def element_iri(value: str, name: str = "iri") -> str:
    """The IRI a request parameter names (full IRI or CURIE), or InputError naming it."""
    text = value.strip()
    if not text:
        raise InputError(f"parameter {name!r} is empty", hint="give a full IRI or a CURIE")
    try:
        return expand_iri(text)
    except QueryError as exc:
        raise InputError(
            f"{text!r} is not a valid IRI: {exc.message}",
            where=f"parameter {name!r}",
            hint="give a full IRI (https://w3id.org/svckg/id/...) or a CURIE like svc:Service",
        ) from None


class Describer:
    """Names, classes and layers of elements, read from the store's dependency index."""

    def __init__(self, store: Store, index: DependencyIndex | None = None):
        self.store = store
        self.index = index if index is not None else get_index(store)

    def label(self, iri: str) -> str:
        return self.index.label(iri)

    def types(self, iri: str) -> list[str]:
        """The element's named classes (blank-node classes are not shown)."""
        return [t for t in self.index.types.get(iri, ()) if not t.startswith("_:")]

    def layer(self, iri: str) -> Layer | None:
        """The element's layer (see :func:`svckg.terms.best_layer`) with its label and order."""
        concept = self.index.layer(iri)
        if concept is None:
            return None
        order = self.index.layer_order.get(concept, NO_LAYER_ORDER)
        return Layer(concept, self.label(concept), order)

    def summary(self, iri: str) -> dict[str, Any]:
        """``{iri, label, types: [{iri, label}], layer}`` of one element."""
        layer = self.layer(iri)
        return {
            "iri": iri,
            "label": self.label(iri),
            "types": [{"iri": t, "label": self.label(t)} for t in self.types(iri)],
            "layer": layer.to_json() if layer else None,
        }

    def edge(self, source: str, predicate: str, target: str) -> dict[str, Any]:
        return {
            "source": source,
            "target": target,
            "predicate": predicate,
            "predicateLabel": self.label(predicate),
        }


# -- reading links from the store ------------------------------------------------------------


def _without_repeated_depends_on(pairs: Iterable[Pair]) -> list[Pair]:
    """Links without rdf:type and without an inferred svc:dependsOn that repeats a more
    specific link to the same element."""
    pairs = [(p, o) for p, o in pairs if p != RDF_TYPE_IRI]
    specific = {other for predicate, other in pairs if predicate != DEPENDS_ON}
    return [(p, o) for p, o in pairs if p != DEPENDS_ON or o not in specific]


def outgoing(store: Store, iri: str) -> list[Pair]:
    """Distinct (predicate, object) pairs from ``iri`` to named nodes."""
    pairs = dict.fromkeys(
        (q.predicate.value, q.object.value)
        for q in store.quads(ox.NamedNode(iri), None, None)
        if isinstance(q.object, ox.NamedNode)
    )
    return _without_repeated_depends_on(pairs)


def incoming(store: Store, iri: str) -> list[Pair]:
    """Distinct (predicate, subject) pairs of named nodes linking to ``iri``."""
    pairs = dict.fromkeys(
        (q.predicate.value, q.subject.value)
        for q in store.quads(None, None, ox.NamedNode(iri))
        if isinstance(q.subject, ox.NamedNode)
    )
    return _without_repeated_depends_on(pairs)


def exists(store: Store, iri: str) -> bool:
    """True when the store mentions ``iri`` as a subject or an object."""
    node = ox.NamedNode(iri)
    return any(True for _ in store.quads(node, None, None)) or any(
        True for _ in store.quads(None, None, node)
    )


def _existing(store: Store, value: str) -> str:
    iri = element_iri(value)
    if not exists(store, iri):
        raise NotFound(
            f"no element {iri} in the store",
            hint="search for it by label with /api/ui/search?q=...",
        )
    return iri


def display_label(store: Store, iri: str) -> str:
    """What every page calls ``iri``: its best label (terms.best_label) or its local name."""
    node = ox.NamedNode(iri)
    found = best_label(
        (p, q.object)
        for p in LABEL_PREDICATE_IRIS
        for q in store.quads(node, ox.NamedNode(p), None)
        if isinstance(q.object, ox.Literal)
    )
    return display_name(iri, found)


def definition(store: Store, iri: str) -> str | None:
    """The definition of ``iri``: its best ``skos:definition``, else its best ``rdfs:comment``
    (same language preference as labels)."""
    node = ox.NamedNode(iri)
    for predicate in (SKOS_DEFINITION, RDFS_COMMENT):
        found = best_label(
            q.object for q in store.quads(node, predicate, None) if isinstance(q.object, ox.Literal)
        )
        if found is not None:
            return found
    return None


def _literals(store: Store, describer: Describer, iri: str) -> list[dict[str, Any]]:
    literals: dict[tuple[str, str], dict[str, Any]] = {}
    for quad in store.quads(ox.NamedNode(iri), None, None):
        obj = quad.object
        if isinstance(obj, ox.Literal) and (quad.predicate.value, str(obj)) not in literals:
            literals[quad.predicate.value, str(obj)] = {
                "predicate": quad.predicate.value,
                "predicateLabel": describer.label(quad.predicate.value),
                "value": obj.value,
                "datatype": obj.datatype.value if obj.language is None else None,
                "lang": obj.language,
            }
    return sorted(literals.values(), key=lambda lit: (lit["predicateLabel"], lit["value"]))


def _link_groups(describer: Describer, out: list[Pair], into: list[Pair]) -> list[dict[str, Any]]:
    groups = []
    for direction, pairs in (("out", out), ("in", into)):
        by_predicate: dict[str, list[str]] = defaultdict(list)
        for predicate, other in pairs:
            by_predicate[predicate].append(other)
        for predicate, others in by_predicate.items():
            groups.append(
                {
                    "direction": direction,
                    "predicate": predicate,
                    "predicateLabel": describer.label(predicate),
                    "count": len(others),
                    "sample": [{"iri": o, "label": describer.label(o)} for o in others[:5]],
                }
            )
    groups.sort(key=lambda g: (g["direction"] != "out", g["predicateLabel"]))
    return groups


def _layer_counts(describer: Describer, others: list[str]) -> list[dict[str, Any]]:
    counts: Counter = Counter()
    layers: dict[str, dict[str, Any]] = {
        "none": {"iri": "none", "label": "no layer", "order": NO_LAYER_ORDER}
    }
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


# -- the viewer's questions ------------------------------------------------------------------


def describe_node(store: Store, value: str) -> dict[str, Any]:
    """One element for the viewer: summary, definition, literals, and its links to other
    elements grouped by direction and predicate with counts per layer (``layers`` is None when
    there are more than :data:`MAX_LAYER_SCAN` links: expand by relation instead)."""
    iri = _existing(store, value)
    describer = Describer(store)
    out, into = outgoing(store, iri), incoming(store, iri)
    others = [other for _, other in (*out, *into)]
    return {
        **describer.summary(iri),
        "definition": definition(store, iri),
        "literals": _literals(store, describer, iri),
        "links": _link_groups(describer, out, into),
        "counts": {"out": len(out), "in": len(into)},
        "layers": _layer_counts(describer, others) if len(others) <= MAX_LAYER_SCAN else None,
    }


def _check_page(direction: str | None, limit: int, offset: int) -> None:
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


def _matching_links(
    describer: Describer,
    links: dict[str, list[Pair]],
    predicate: str | None,
    layer: str | None,
) -> list[tuple[str, str, str]]:
    """(direction, predicate, other) of every link that passes the filters, in a stable order."""
    found = []
    for direction, pairs in links.items():
        for pred, other in pairs:
            if predicate and pred != predicate:
                continue
            if layer:
                other_layer = describer.layer(other)
                if (other_layer.iri if other_layer else "none") != layer:
                    continue
            found.append((direction, pred, other))
    found.sort(key=lambda c: (c[0] != "out", c[1], c[2]))
    return found


def neighbours(
    store: Store,
    value: str,
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
    iri = _existing(store, value)
    _check_page(direction, limit, offset)
    wanted_predicate = element_iri(predicate, "predicate") if predicate else None
    links = {"out": outgoing(store, iri), "in": incoming(store, iri)}
    total = sum(len(pairs) for pairs in links.values())
    if layer and total > MAX_LAYER_SCAN:
        raise InputError(
            f"{iri} has {total:,} links, too many to filter by layer (at most {MAX_LAYER_SCAN:,})",
            where="parameter 'layer'",
            hint="expand by relation (predicate and direction) instead",
        )
    if direction in ("out", "in"):
        links = {direction: links[direction]}
    describer = Describer(store)
    candidates = _matching_links(describer, links, wanted_predicate, layer)
    nodes: dict[str, dict[str, Any]] = {}
    edges = []
    for dir_name, pred, other in candidates[offset : offset + limit]:
        if other not in nodes:
            nodes[other] = describer.summary(other)
        source, target = (iri, other) if dir_name == "out" else (other, iri)
        edges.append(describer.edge(source, pred, target))
    return {
        "iri": iri,
        "nodes": list(nodes.values()),
        "edges": edges,
        "total": len(candidates),
        "offset": offset,
        "truncated": len(candidates) > offset + limit,
    }


def nodes_with_edges(store: Store, values: list[str]) -> dict[str, Any]:
    """Summaries of the given elements and the links among them (restores a permalink)."""
    if len(values) > MAX_NODES:
        raise InputError(
            f"{len(values)} elements asked for, at most {MAX_NODES} allowed",
            where="parameter 'iri'",
            hint="share a smaller view",
        )
    wanted = list(dict.fromkeys(element_iri(v) for v in values))
    wanted_set = set(wanted)
    describer = Describer(store)
    nodes, edges, missing = [], [], []
    for iri in wanted:
        if not exists(store, iri):
            missing.append(iri)
            continue
        nodes.append(describer.summary(iri))
        edges += [describer.edge(iri, p, o) for p, o in outgoing(store, iri) if o in wanted_set]
    return {"nodes": nodes, "edges": edges, "missing": missing}


# -- search ----------------------------------------------------------------------------------


def _read_search_labels(store: Store) -> tuple[tuple[str, str, str], ...]:
    """(lower-case label, IRI, label) of every rdfs:label and skos:prefLabel of a named node."""
    return tuple(
        dict.fromkeys(
            (q.object.value.lower(), q.subject.value, q.object.value)
            for predicate in LABEL_PREDICATE_IRIS
            for q in store.quads(None, ox.NamedNode(predicate), None)
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal)
        )
    )


_SEARCH_LABELS = PerStore(_read_search_labels)
_search_labels = _SEARCH_LABELS.get
"""Every label in the store, kept per store until its generation changes (a write)."""


def forget_search_labels() -> None:
    """Drop every kept label list (the next search rebuilds it, as after a write)."""
    _SEARCH_LABELS.clear()


def _rank_text(low: str, needle: str) -> int:
    return 0 if low == needle else 1 if low.startswith(needle) else 2


def search(store: Store, text: str, *, limit: int = 20) -> list[dict[str, Any]]:
    """Elements whose label contains ``text`` (case-insensitive): exact matches first, then
    labels starting with it, then elements of the landscape layers before vocabulary terms,
    shorter labels first. Each result is a summary plus the label that ``matched``."""
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
    for low, iri, label in _search_labels(store):
        if needle in low:
            key = (_rank_text(low, needle), len(low), low)
            if iri not in best or key < best[iri][0]:
                best[iri] = (key, label)
    # rank by text first, then look up classes and layers for the few that can make the cut
    shortlist = sorted(best.items(), key=lambda item: item[1][0])[: limit * 5]
    describer = Describer(store)
    found = []
    for iri, (key, label) in shortlist:
        summary = describer.summary(iri) | {"matched": label}
        found.append((key[0], summary["layer"] is None, key[1], key[2], summary))
    found.sort(key=lambda item: item[:4])
    return [item[4] for item in found[:limit]]
