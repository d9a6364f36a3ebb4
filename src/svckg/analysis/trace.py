"""Traceability, top-down: everything an element needs, layer by layer, with owners.

A breadth-first walk of the dependency index forwards from the root (through redundancy groups
to all their alternatives); each element once, with the shortest chain from the root.
"""

from __future__ import annotations

from svckg.analysis.elements import contacts, owner_refs, resolve_element
from svckg.analysis.pushdown import GraphSource, choose_source
from svckg.analysis.results import Edge, LayerGroup, TracedElement, TraceResult, TraceRoot
from svckg.store.base import Store


def trace(store: Store, root: str, *, source: GraphSource | None = None) -> TraceResult:
    """Everything ``root`` (an IRI or CURIE) needs, grouped by layer (in ``svc:layerOrder``),
    each element with its owners and its chain from the root; plus every owner to call.

    ``source`` is where the graph is read (:func:`~.pushdown.choose_source` by default).
    Raises QueryError for a literal or malformed IRI, NotFound for an element not in the store.
    """
    source = source or choose_source(store)
    index = source.index
    start = resolve_element(store, index, root)
    distance: dict[str, int] = {start: 0}
    parent: dict[str, Edge] = {}
    frontier = [start]
    level = 0
    while frontier:
        level += 1
        nxt: list[str] = []
        forward = source.needs(frontier)  # the engine reads one frontier at a time
        for node in sorted(frontier):  # sorted: the path kept must not depend on row order
            for predicate, needed in sorted(forward.get(node, ())):
                if needed not in distance:
                    distance[needed] = level
                    parent[needed] = (node, predicate, needed)
                    nxt.append(needed)
        frontier = nxt
    source.describe(distance)

    groups: dict[str | None, list[TracedElement]] = {}
    for key, dist in distance.items():
        if key == start:
            continue
        chain: list[Edge] = []
        current = key
        while current in parent:
            edge = parent[current]
            chain.append(edge)
            current = edge[0]
        facts = index.facts(key)
        groups.setdefault(facts.layer, []).append(
            TracedElement(
                iri=key,
                label=facts.label,
                types=facts.types,
                layer=facts.layer,
                distance=dist,
                owners=owner_refs(index, key),
                path=tuple(reversed(chain)),
            )
        )
    never = 1 << 30
    layers = [
        LayerGroup(
            layer=layer,
            label=index.label(layer) if layer else "no layer",
            order=index.layer_order.get(layer) if layer else None,
            elements=sorted(elements, key=lambda e: (e.distance, e.label, e.iri)),
        )
        for layer, elements in groups.items()
    ]
    layers.sort(key=lambda g: (g.order if g.order is not None else never, g.label))
    root = index.facts(start)
    return TraceResult(
        root=TraceRoot(
            iri=start,
            label=root.label,
            types=root.types,
            layer=root.layer,
            owners=owner_refs(index, start),
        ),
        layers=layers,
        owners=contacts(index, list(distance)),
    )
