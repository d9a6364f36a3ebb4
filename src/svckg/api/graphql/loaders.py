"""Per-request DataLoaders: every field read of one GraphQL level becomes one SPARQL query.

Keys collected while graphql-core resolves one level of a query (all ``usesResource`` of 100
services, all their labels...) are answered by a single ``VALUES`` query per direction, which
also fetches the ``rdf:type`` of every object, so the next level needs no type look-up. The
number of store queries grows with the depth of the GraphQL query, not with the number of
elements. Store calls run in the thread pool; results are read to the end there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from strawberry.dataloader import DataLoader

from svckg.api.threads import in_thread
from svckg.store.base import Store
from svckg.terms import best_label

BATCH = 10_000
"""Keys per VALUES block (larger batches are split)."""


@dataclass(frozen=True, slots=True)
class Ref:
    """An element a field points to: its IRI and its classes."""

    iri: str
    types: tuple[str, ...]


REF_ATTRIBUTE = "_ref"
"""Where a generated GraphQL object keeps its :class:`Ref` (a name no generated field has)."""


def attach_ref(obj: Any, ref: Ref) -> Any:
    """``obj`` (an instance of a generated GraphQL type) standing for element ``ref``."""
    setattr(obj, REF_ATTRIBUTE, ref)
    return obj


def element_ref(obj: Any) -> Ref:
    """The element a generated GraphQL object stands for (AttributeError for other values)."""
    return getattr(obj, REF_ATTRIBUTE)


def ref_of(obj: Any) -> Ref | None:
    """The element ``obj`` stands for, or None when it is not a generated element object."""
    return getattr(obj, REF_ATTRIBUTE, None)


LinkKey = tuple[str, str, bool]
"""(element IRI, predicate IRI, inverse)."""
Value = Ref | ox.Literal


def iri_text(iri: str) -> str:
    """``<iri>`` for SPARQL text; ValueError when ``iri`` is not a valid IRI.

    >>> iri_text("https://w3id.org/svckg#Service")
    '<https://w3id.org/svckg#Service>'
    """
    return str(ox.NamedNode(iri))


def fetch_links(store: Store, keys: Sequence[LinkKey]) -> list[list[Value]]:
    """One query per direction: the values of every (element, predicate) key."""
    found: dict[LinkKey, dict[Any, set[str]]] = {k: {} for k in keys}
    for inverse in (False, True):
        wanted = [k for k in keys if k[2] is inverse]
        for start in range(0, len(wanted), BATCH):
            chunk = wanted[start : start + BATCH]
            rows = " ".join(f"({iri_text(k[0])} {iri_text(k[1])})" for k in chunk)
            pattern = "?v ?p ?x . FILTER(isIRI(?v))" if inverse else "?x ?p ?v ."
            sparql = (
                f"SELECT ?x ?p ?v ?t WHERE {{ VALUES (?x ?p) {{ {rows} }} {pattern} "
                f"FILTER(!isBlank(?v)) OPTIONAL {{ ?v a ?t }} }}"
            )
            for row in store.query(sparql):  # type: ignore[union-attr]
                values = found.get((row[0].value, row[1].value, inverse))
                if values is None:
                    continue
                types = values.setdefault(row[2], set())
                if row[3] is not None:
                    types.add(row[3].value)
    out: list[list[Value]] = []
    for key in keys:
        values: list[Value] = []
        for term, types in found[key].items():
            if isinstance(term, ox.Literal):
                values.append(term)
            else:
                values.append(Ref(term.value, tuple(sorted(types))))
        values.sort(key=lambda v: v.iri if isinstance(v, Ref) else v.value)
        out.append(values)
    return out


def _types(store: Store, iris: Sequence[str]) -> list[tuple[str, ...] | None]:
    """The classes of each IRI; None when the store never mentions it."""
    types: dict[str, set[str]] = {}
    for start in range(0, len(iris), BATCH):
        chunk = " ".join(iri_text(i) for i in iris[start : start + BATCH])
        for row in store.query(f"SELECT ?s ?t WHERE {{ VALUES ?s {{ {chunk} }} ?s a ?t }}"):  # type: ignore[union-attr]
            types.setdefault(row[0].value, set()).add(row[1].value)
    out: list[tuple[str, ...] | None] = []
    for iri in iris:
        if iri in types:
            out.append(tuple(sorted(types[iri])))
            continue
        node = ox.NamedNode(iri)
        mentioned = next(iter(store.quads(node, None, None)), None) or next(
            iter(store.quads(None, None, node)), None
        )
        out.append(() if mentioned is not None else None)
    return out


def scalar_value(value: ox.Literal, scalar: str) -> Any:
    """The Python value of a literal for a GraphQL scalar (None when it does not fit).

    >>> scalar_value(ox.Literal("3"), "Int"), scalar_value(ox.Literal("x"), "Int")
    (3, None)
    """
    text = value.value
    try:
        if scalar == "Int":
            return int(text)
        if scalar == "Float":
            return float(text)
    except ValueError:
        return None
    if scalar == "Boolean":
        return text.strip().lower() in ("true", "1")
    return text


def pick_label(labels: Sequence[Value]) -> str | None:
    """The label to show among the values of one label predicate (the language rule of
    :func:`svckg.terms.best_label`)."""
    return best_label(v for v in labels if isinstance(v, ox.Literal))


class Loaders:
    """The DataLoaders of one request (never shared between requests: no stale reads)."""

    def __init__(self, store: Store):
        self.store = store
        self.cache: dict[LinkKey, list[Value]] = {}
        """Values already read in this request (by the loaders or by look-ahead)."""
        cache = self.cache

        async def load_links(keys: list[LinkKey]) -> list[list[Value]]:
            found = await in_thread(fetch_links, store, keys)
            cache.update(zip(keys, found, strict=True))
            return found

        async def load_types(keys: list[str]) -> list[tuple[str, ...] | None]:
            return await in_thread(_types, store, keys)

        self.links: DataLoader[LinkKey, list[Value]] = DataLoader(load_fn=load_links)
        self.types: DataLoader[str, tuple[str, ...] | None] = DataLoader(load_fn=load_types)
