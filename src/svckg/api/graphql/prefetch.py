"""Look-ahead: fetch everything a selection will read, level by level, before it is resolved.

A list resolver (a connection page, ``node``, ``nodes``) hands its elements and the
selection below them to :func:`prefetch`, which walks the selection tree and, per level,
asks the store for every (element, property) the level reads in one query per direction
(the DataLoaders' own query). Field resolvers then answer from the request's cache without
awaiting: on a 3-level query over 1,000 services this removes thousands of asyncio tasks.
Field names identify their property (one definition per name in the schema model), so
fragments on any type are followed; a field of a fragment that will not apply only costs an
empty look-up. Anything not prefetched (a budget is kept) falls back to the DataLoaders.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from strawberry.types.nodes import SelectedField

from svckg.api.graphql.loaders import LinkKey, Ref, Value, fetch_links
from svckg.api.graphql.model import FieldSpec
from svckg.store.base import Store

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_PREFLABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
LABEL_KEYS = ((RDFS_LABEL, False), (SKOS_PREFLABEL, False))
"""What the ``label`` field reads."""
MAX_KEYS = 200_000
"""Most (element, property) keys one request prefetches; the rest load on demand."""


def fields_of(selections: Iterable[Any]) -> dict[str, list[list[Any]]]:
    """Field name -> the sub-selections under it, through fragments of any type."""
    out: dict[str, list[list[Any]]] = {}
    stack = list(selections)
    while stack:
        selection = stack.pop()
        if isinstance(selection, SelectedField):
            out.setdefault(selection.name, []).append(list(selection.selections))
        else:  # FragmentSpread, InlineFragment
            stack.extend(selection.selections)
    return out


def below(selections: Iterable[Any], path: Sequence[str]) -> list[Any]:
    """The selections under ``path`` (e.g. ``edges``, ``node`` of a connection)."""
    current = list(selections)
    for name in path:
        current = [s for subs in fields_of(current).get(name, []) for s in subs]
    return current


def prefetch(
    store: Store,
    cache: dict[LinkKey, list[Value]],
    refs: Sequence[Ref],
    selections: Sequence[Any],
    specs: Mapping[str, FieldSpec],
) -> None:
    """Fill ``cache`` with what ``selections`` read of ``refs`` and of the elements they
    reach, level by level (blocking: run it in the thread pool)."""
    level: list[tuple[Sequence[Ref], list[Any]]] = [(refs, list(selections))]
    budget = MAX_KEYS
    while level and budget > 0:
        wanted, follow = _wanted(cache, level, specs)
        keys = wanted[:budget]
        budget -= len(keys)
        if keys:
            cache.update(zip(keys, fetch_links(store, keys), strict=True))
        level = _next_level(cache, follow)


Follow = list[tuple[Sequence[Ref], FieldSpec, list[Any]]]
"""Object fields with sub-selections to read one level deeper: (elements, field, selections)."""


def _wanted(
    cache: Mapping[LinkKey, list[Value]],
    level: list[tuple[Sequence[Ref], list[Any]]],
    specs: Mapping[str, FieldSpec],
) -> tuple[list[LinkKey], Follow]:
    """The link keys one level reads that the cache lacks (in first-seen order), and the
    object fields to follow."""
    wanted: dict[LinkKey, None] = {}
    follow: Follow = []
    for elements, selection in level:
        for name, subs in fields_of(selection).items():
            if name == "label":
                reads = LABEL_KEYS
            elif name in specs:
                spec = specs[name]
                reads = ((spec.predicate, spec.inverse),)
                deeper = [s for sub in subs for s in sub]
                if spec.kind == "object" and deeper:
                    follow.append((elements, spec, deeper))
            else:
                continue
            for ref in elements:
                for predicate, inverse in reads:
                    key = (ref.iri, predicate, inverse)
                    if key not in cache:
                        wanted[key] = None
    return list(wanted), follow


def _next_level(
    cache: Mapping[LinkKey, list[Value]], follow: Follow
) -> list[tuple[Sequence[Ref], list[Any]]]:
    """The elements the followed fields reach (each once per field), with their selections."""
    level: list[tuple[Sequence[Ref], list[Any]]] = []
    for elements, spec, deeper in follow:
        reached: dict[str, Ref] = {}
        for ref in elements:
            for value in cache.get((ref.iri, spec.predicate, spec.inverse), ()):
                if isinstance(value, Ref):
                    reached.setdefault(value.iri, value)
        if reached:
            level.append((list(reached.values()), deeper))
    return level
