"""Turning what a person types (a full IRI, ``<IRI>``, or a CURIE) into an IRI, and back.

The one place the analysis commands read element names given by people: a literal, an unknown
prefix or a malformed IRI is a :class:`~svckg.errors.QueryError` that says what to type.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from svckg.errors import QueryError
from svckg.vocab import PREFIXES

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
