"""RDF terms, the ground floor every layer uses: term constants, IRIs and CURIEs, local names,
the one best-label rule and the one layer rule.

Why one module: labels, names and layers are what every answer shows a person; when the
impact route, the UI and GraphQL computed them each in their own way the same element was
named differently. Nothing here reads a store: callers hand in the literals or classes they
read, so the rules stay pure and equally usable by the index, the API and the CLI.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyoxigraph as ox

from svckg.errors import QueryError
from svckg.namespaces import PREFIXES

# -- term constants (IRIs as strings, the form the dependency index keys on) -----------------

RDF_TYPE_IRI = PREFIXES["rdf"] + "type"
RDFS_LABEL_IRI = PREFIXES["rdfs"] + "label"
RDFS_COMMENT_IRI = PREFIXES["rdfs"] + "comment"
RDFS_SUBCLASS_IRI = PREFIXES["rdfs"] + "subClassOf"
SKOS_PREFLABEL_IRI = PREFIXES["skos"] + "prefLabel"
SKOS_DEFINITION_IRI = PREFIXES["skos"] + "definition"
SVC_LAYER_IRI = PREFIXES["svc"] + "layer"
SVC_LAYER_ORDER_IRI = PREFIXES["svc"] + "layerOrder"
LABEL_PREDICATE_IRIS = (SKOS_PREFLABEL_IRI, RDFS_LABEL_IRI)
"""Predicates that carry a display label, preferred first."""

# ... and as pyoxigraph nodes, for store patterns.
RDF_TYPE = ox.NamedNode(RDF_TYPE_IRI)
RDFS_LABEL = ox.NamedNode(RDFS_LABEL_IRI)
RDFS_COMMENT = ox.NamedNode(RDFS_COMMENT_IRI)
RDFS_SUBCLASS = ox.NamedNode(RDFS_SUBCLASS_IRI)
SKOS_PREFLABEL = ox.NamedNode(SKOS_PREFLABEL_IRI)
SKOS_DEFINITION = ox.NamedNode(SKOS_DEFINITION_IRI)
SVC_LAYER = ox.NamedNode(SVC_LAYER_IRI)
SVC_LAYER_ORDER = ox.NamedNode(SVC_LAYER_ORDER_IRI)

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):(.*)$", re.DOTALL)
_IRI_SCHEMES = {"http", "https", "urn", "tag", "mailto", "file", "did", "ftp"}
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def expand_iri(text: str, *, what: str = "element") -> str:
    """The absolute IRI that ``text`` names: ``<IRI>``, an absolute IRI, or a CURIE whose
    prefix is one of :data:`svckg.vocab.PREFIXES`.

    >>> expand_iri("id:cloud-workplace")
    'https://w3id.org/svckg/id/cloud-workplace'
    >>> expand_iri("<https://example.org/a>")
    'https://example.org/a'
    >>> expand_iri('"hello"')  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    svckg.errors.QueryError: "hello": element is a literal, not an IRI (...)
    """
    raw = text.strip()
    hint = (
        "give an IRI such as https://w3id.org/svckg/id/cloud-workplace "
        "or a CURIE such as id:cloud-workplace"
    )
    if not raw:
        raise QueryError(f"empty {what}", hint=hint)
    if raw[0] in "\"'" or _NUMBER.match(raw) or raw in {"true", "false"}:
        raise QueryError(f"{what} is a literal, not an IRI", where=raw, hint=hint)
    if raw.startswith("<") and raw.endswith(">"):
        iri = raw[1:-1]
    else:
        match = _SCHEME.match(raw)
        if match is None:
            raise QueryError(f"{what} is neither an IRI nor a CURIE", where=raw, hint=hint)
        prefix, local = match.groups()
        if prefix in PREFIXES:
            iri = PREFIXES[prefix] + local
        elif prefix.lower() in _IRI_SCHEMES or local.startswith("//"):
            iri = raw
        else:
            known = ", ".join(sorted(PREFIXES))
            raise QueryError(
                f"unknown prefix {prefix!r} in {what}",
                where=raw,
                hint=f"use a full IRI or one of the prefixes {known}",
            )
    try:
        ox.NamedNode(iri)
    except ValueError as exc:
        raise QueryError(f"{what} is not a valid IRI: {exc}", where=raw, hint=hint) from exc
    return iri


def compact(iri: str) -> str:
    """The shortest CURIE for ``iri`` with the svckg prefixes, or the IRI itself.

    >>> compact("https://w3id.org/svckg#usesResource")
    'svc:usesResource'
    >>> compact("https://example.org/x")
    'https://example.org/x'
    """
    best = iri
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) - len(ns) + len(prefix) + 1 < len(best):
            local = iri[len(ns) :]
            if local and all(c.isalnum() or c in "-_." for c in local):
                best = f"{prefix}:{local}"
    return best


def local_name(iri: str) -> str:
    """The last segment of an IRI (after ``#``, ``/`` or ``:``), the name shown when an element
    has no label.

    >>> local_name("https://w3id.org/svckg#Service")
    'Service'
    >>> local_name("https://w3id.org/svckg/id/mail-server/")
    'mail-server'
    >>> local_name("urn:x:abc")
    'abc'
    """
    trimmed = iri.rstrip("/#")
    for sep in ("#", "/", ":"):
        _, found, tail = trimmed.rpartition(sep)
        if found and tail:
            return tail
    return trimmed or iri


def language_rank(language: str | None) -> int:
    """How much a label's language is preferred: English, regional English, untagged, other.

    >>> [language_rank(x) for x in ("en", "en-GB", None, "de")]
    [0, 1, 2, 3]
    """
    if language == "en":
        return 0
    if language and language.lower().startswith("en-"):
        return 1
    return 2 if not language else 3


def label_rank(literal: ox.Literal, predicate: str = RDFS_LABEL_IRI) -> tuple[int, int, str]:
    """Sort key of a label candidate: the lowest wins (see :func:`best_label`)."""
    pred_rank = 0 if predicate == SKOS_PREFLABEL_IRI else 1
    return (language_rank(literal.language), pred_rank, literal.value)


def best_label(candidates: Iterable[ox.Literal | tuple[str, ox.Literal]]) -> str | None:
    """The one label rule: English before regional English before untagged before any other
    language; at equal language ``skos:prefLabel`` before ``rdfs:label``; then the smallest
    text, so the answer never depends on store order. ``None`` when there is no literal.

    Candidates are literals (taken as ``rdfs:label``) or ``(predicate IRI, literal)`` pairs;
    anything that is not a literal is ignored.

    >>> best_label([ox.Literal("Serveur", language="fr"), ox.Literal("Server", language="en")])
    'Server'
    >>> best_label([(RDFS_LABEL_IRI, ox.Literal("b")), (SKOS_PREFLABEL_IRI, ox.Literal("a"))])
    'a'
    >>> best_label([]) is None
    True
    """
    best: tuple[int, int, str] | None = None
    for cand in candidates:
        predicate, literal = cand if isinstance(cand, tuple) else (RDFS_LABEL_IRI, cand)
        if type(literal) is not ox.Literal:
            continue
        rank = label_rank(literal, predicate)
        if best is None or rank < best:
            best = rank
    return None if best is None else best[2]


def display_name(iri: str, label: str | None) -> str:
    """What to call an element: its best label, else its local name."""
    return label if label is not None else local_name(iri)


def best_layer(candidates: Iterable[tuple[str, int, int]]) -> str | None:
    """The one layer rule. Each candidate is ``(layer IRI, class depth, layer order)`` for one
    class of the element that carries a layer (directly or through its nearest superclass);
    the most specific class (greatest depth) wins, and at equal depth the lowest layer order
    (the layer nearer the customer). ``None`` when no class has a layer.

    >>> best_layer([("L:resource", 1, 5), ("L:service", 2, 2)])
    'L:service'
    >>> best_layer([("L:resource", 2, 5), ("L:service", 2, 2)])
    'L:service'
    >>> best_layer([]) is None
    True
    """
    best: tuple[int, int, str] | None = None
    for layer, depth, order in candidates:
        key = (-depth, order, layer)
        if best is None or key < best:
            best = key
    return None if best is None else best[2]
