"""What impact and trace both need: naming the element asked about, describing elements, and
who to call. One home, imported by both engines."""

from __future__ import annotations

from svckg.analysis.index import DependencyIndex, key_term
from svckg.analysis.results import Contact, NodeInfo, OwnerRef
from svckg.errors import NotFound
from svckg.store.base import Store
from svckg.terms import expand_iri


def not_found(key: str) -> NotFound:
    """The answer for an element the store never mentions (and, to a consumer token, for one
    outside its view: the same words)."""
    return NotFound(
        "no such element in the store",
        where=key,
        hint="check the IRI (find it with: svckg queries run find-elements --param "
        "text=WORD) or import the data that defines it",
    )


def resolve_element(store: Store, index: DependencyIndex, text: str) -> str:
    """The index key of the element ``text`` names; NotFound when the store never mentions it."""
    key = text if text.startswith("_:") else expand_iri(text)
    if index.contains(key):
        return key
    term = key_term(key)
    if next(iter(store.quads(subject=term)), None) is None and (
        next(iter(store.quads(object=term)), None) is None
    ):
        raise not_found(key)
    return key


def node_info(index: DependencyIndex, key: str) -> NodeInfo:
    """Label, types and layer of one element."""
    facts = index.facts(key)
    return NodeInfo(iri=key, label=facts.label, types=facts.types, layer=facts.layer)


def owner_refs(index: DependencyIndex, key: str) -> list[OwnerRef]:
    """The owners of one element, named, in IRI order."""
    return [OwnerRef(iri=o, label=index.label(o)) for o in sorted(index.owners.get(key, ()))]


def contacts(index: DependencyIndex, elements: list[str]) -> list[Contact]:
    """Who do I call: the owners of ``elements``, each with the elements they own."""
    by_owner: dict[str, list[str]] = {}
    for key in elements:
        for owner in index.owners.get(key, ()):
            by_owner.setdefault(owner, []).append(key)
    out = [Contact(iri=o, label=index.label(o), elements=els) for o, els in by_owner.items()]
    out.sort(key=lambda c: (c.label, c.iri))
    return out
