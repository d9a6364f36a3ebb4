"""Linked data: every IRI svckg mints dereferences.

``/id/<rest>`` describes ``Settings.base_iri + <rest>``; ``/resource?iri=...`` describes any
IRI (ontology terms, concepts). The description holds the resource's own triples, the
triples pointing to it (incoming links) and the labels and types of every neighbour. HTML
for browsers, Turtle / JSON-LD / N-Triples / RDF/XML for machines (``Vary: Accept``, a
``Link`` header lists the alternates). 404 when the store knows nothing of the IRI.

A consumer token is answered from its view store: an element outside the view is exactly
as unknown as one that does not exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from svckg.api.conneg import RDF_ALIASES, RDF_TYPES, prefers_html
from svckg.api.dependencies import CONSUMER, app_state, read_store, require_role, run_blocking
from svckg.api.results import choose, content_type, serialize_triples
from svckg.api.state import TEMPLATES_DIR
from svckg.errors import InputError, NotFound
from svckg.sparql_lexer import is_iri
from svckg.store.base import Store
from svckg.terms import LABEL_PREDICATE_IRIS, RDF_TYPE, best_label, display_name

router = APIRouter(tags=["Linked data"], dependencies=[require_role(CONSUMER)])

_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
"""An IRI's scheme (``_:b0`` is a blank node label, not an IRI)."""
_URL_SAFE = "/:?#[]@!$&'()*+,;=%-._~"
"""Characters kept as they are when a URL goes into a header (never ``<>"`` or spaces)."""
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))

LABELS = tuple(ox.NamedNode(p) for p in LABEL_PREDICATE_IRIS)
MAX_LINKS = 5000
"""Most incoming or outgoing triples a description lists (hubs can have many more)."""


@dataclass
class Description:
    """What svckg says about one resource."""

    iri: str
    outgoing: list[ox.Triple] = field(default_factory=list)
    incoming: list[ox.Triple] = field(default_factory=list)
    neighbours: list[ox.Triple] = field(default_factory=list)
    """Labels and types of every IRI the outgoing and incoming triples mention."""
    labels: dict[str, str] = field(default_factory=dict)
    truncated: bool = False
    inferred: set[ox.Triple] = field(default_factory=set)
    """Outgoing and incoming triples stated only in inference graphs (``.../inferred``)."""

    def asserted_out(self) -> list[ox.Triple]:
        return [t for t in self.outgoing if t not in self.inferred]

    def inferred_out(self) -> list[ox.Triple]:
        return [t for t in self.outgoing if t in self.inferred]

    def asserted_in(self) -> list[ox.Triple]:
        return [t for t in self.incoming if t not in self.inferred]

    def inferred_in(self) -> list[ox.Triple]:
        return [t for t in self.incoming if t in self.inferred]

    def triples(self) -> list[ox.Triple]:
        """Every triple of the description, without duplicates, in a stable order."""
        seen: dict[ox.Triple, None] = {}
        for t in (*self.outgoing, *self.incoming, *self.neighbours):
            seen.setdefault(t, None)
        return list(seen)

    def label(self, term: object) -> str:
        """Best label of an IRI (its local name when it has none)."""
        if isinstance(term, ox.NamedNode):
            return display_name(term.value, self.labels.get(term.value))
        if isinstance(term, ox.Literal):
            return term.value
        return str(term)


def _unique(
    quads: object, limit: int, inferred: set[ox.Triple] | None = None
) -> tuple[list[ox.Triple], bool]:
    """Distinct triples of ``quads`` (at most ``limit``); with ``inferred``, adds to it the
    triples found only in inference graphs (graph IRIs ending in ``/inferred``)."""
    seen: dict[ox.Triple, bool] = {}
    for q in quads:  # type: ignore[attr-defined]
        triple = ox.Triple(q.subject, q.predicate, q.object)
        only_inferred = isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.endswith(
            "/inferred"
        )
        seen[triple] = seen.get(triple, True) and only_inferred
        if len(seen) > limit:
            break
    if inferred is not None:
        inferred.update(t for t, only in seen.items() if only)
    return list(seen)[:limit], len(seen) > limit


def describe(store: Store, iri: str, limit: int = MAX_LINKS) -> Description:
    """Describe ``iri``: its triples, incoming links, and labels/types of its neighbours."""
    node = ox.NamedNode(iri)
    inferred: set[ox.Triple] = set()
    outgoing, cut_out = _unique(store.quads(subject=node), limit, inferred)
    incoming, cut_in = _unique(store.quads(object=node), limit, inferred)
    description = Description(
        iri, outgoing, incoming, truncated=cut_out or cut_in, inferred=inferred
    )
    predicates = {t.predicate for t in (*outgoing, *incoming)}
    entities = {t.object for t in outgoing if isinstance(t.object, ox.NamedNode)}
    entities |= {t.subject for t in incoming if isinstance(t.subject, ox.NamedNode)}
    entities.discard(node)
    extra: list[ox.Triple] = []
    for n in (node, *predicates, *entities):
        literals: list[tuple[str, ox.Literal]] = []
        for predicate in LABELS:
            found, _ = _unique(store.quads(subject=n, predicate=predicate), 50)
            extra += found
            literals += [(predicate.value, t.object) for t in found]
        if n in entities:
            types, _ = _unique(store.quads(subject=n, predicate=RDF_TYPE), 20)
            extra += types
        label = best_label(literals)
        if label:
            description.labels[n.value] = label
    description.neighbours = extra
    return description


def local_href(iri: str, base_iri: str) -> str:
    """The path on this server that describes ``iri``.

    >>> local_href("https://w3id.org/svckg/id/svc-1", "https://w3id.org/svckg/id/")
    '/id/svc-1'
    >>> local_href("https://w3id.org/svckg#Service", "https://w3id.org/svckg/id/")
    '/resource?iri=https%3A%2F%2Fw3id.org%2Fsvckg%23Service'
    """
    if iri.startswith(base_iri) and len(iri) > len(base_iri):
        return "/id/" + quote(iri[len(base_iri) :], safe="/-._~:@!$&'()*+,;=")
    return "/resource?iri=" + quote(iri, safe="")


def _engine_iri(iri: str) -> bool:
    """Whether the engine takes ``iri`` as an IRI (the lexer's rule, and the engine's own:
    it refuses some code points the lexer lets through)."""
    if not is_iri(iri):
        return False
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return True


async def _serve(request: Request, iri: str) -> Response:
    state = app_state(request)
    accept = request.headers.get("accept")
    html = prefers_html(accept)
    media = None if html else choose(accept, RDF_TYPES, RDF_ALIASES)
    store = await read_store(request)
    description = await run_blocking(request, describe, store, iri)
    if not description.outgoing and not description.incoming:
        raise NotFound(
            f"svckg knows nothing about {iri}",
            where=request.url.path,
            hint="check the IRI; search with SPARQL at /sparql",
        )
    here = quote(str(request.url), safe=_URL_SAFE)  # nothing from the client ends the <...>
    link = ", ".join(f'<{here}>; rel="alternate"; type="{t}"' for t in RDF_TYPES)
    headers = {"Vary": "Accept", "Link": link}
    if html:
        base = state.settings.base_iri
        page = templates.get_template("resource.html").render(
            d=description,
            iri=iri,
            href=lambda term: _term_href(term, base),
            types=[t.object for t in description.outgoing if t.predicate == RDF_TYPE],
            request=request,
        )
        return HTMLResponse(page, headers=headers)
    assert media is not None
    body = serialize_triples(description.triples(), media, 10**9)
    return Response(body, media_type=content_type(media), headers=headers)


def _term_href(term: object, base: str) -> str | None:
    return local_href(term.value, base) if isinstance(term, ox.NamedNode) else None


_DESCRIBE_RESPONSES: dict[int | str, dict[str, Any]] = {
    "200": {"content": {t: {} for t in (*RDF_TYPES, "text/html")}},
    "404": {"description": "Unknown resource"},
}
"""What both describe routes answer (OpenAPI)."""


@router.get(
    "/id/{rest:path}",
    summary="Describe a resource minted by svckg",
    responses=_DESCRIBE_RESPONSES,
)
async def resource_by_path(request: Request, rest: str) -> Response:
    """The IRI is ``base_iri + rest`` (by default ``https://w3id.org/svckg/id/<rest>``)."""
    if not rest:
        raise InputError(
            "no resource named", where="/id/", hint="append the identifier, e.g. /id/service/crm"
        )
    iri = app_state(request).settings.base_iri + rest
    if not _engine_iri(iri):
        raise InputError(
            f"not a resource identifier: {rest[:200]!r}",
            where="/id/",
            hint='percent-encode spaces, control characters and <>"{}|^`\\',
        )
    return await _serve(request, iri)


@router.get(
    "/resource",
    summary="Describe any IRI",
    responses=_DESCRIBE_RESPONSES,
)
async def resource_by_iri(
    request: Request, iri: str = Query(..., description="Full IRI")
) -> Response:
    """Any IRI the store mentions: ontology terms, concepts, imported resources."""
    if not _ABSOLUTE.match(iri) or not _engine_iri(iri):  # control characters, blank nodes
        raise InputError(
            f"not an absolute IRI: {iri[:200]!r}",
            where="iri",
            hint="give a full IRI such as https://w3id.org/svckg#Service",
        )
    return await _serve(request, iri)
