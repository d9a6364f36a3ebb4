"""A neutral in-memory ArchiMate model (what the exchange-format and Archi CSV parsers read)
and its mapping onto svckg triples through :mod:`svckg.ingest.mapping`.

Checks done here, each raising :class:`svckg.errors.InputError` located at the element:
unknown element or relationship type, duplicate identifier, relationship to a missing
element. See ``ontology/alignments.ttl`` for the IRI rules and the mapping itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, RDF, RDFS

from svckg.errors import InputError
from svckg.ingest.base import Staged
from svckg.ingest.mapping import Alignment, encode, load_alignment, model_base, slug
from svckg.validation.report import SourceLocation
from svckg.vocab import ARCHIMATE

Text = tuple[str, str | None]
"""A text and its language tag (None: no tag)."""

RESERVED_IRI = "svckg:iri"
"""Property definition name the exporter uses to carry a node's original IRI."""
RESERVED_CLASS = "svckg:class"
"""Property definition name carrying the svc classes of a node (space-separated IRIs)."""
RESERVED_PROPERTY = "svckg:property"
RESERVED_IDENTIFIER = "svckg:identifier"
"""Property definition name carrying a source identifier that is not a valid XML ID (on the
model or a concept): the importer uses it for the IRI and ``dcterms:identifier``."""
RESERVED = (RESERVED_IRI, RESERVED_CLASS, RESERVED_PROPERTY, RESERVED_IDENTIFIER)
"""Property definition name carrying the svc predicate of a relationship."""


@dataclass
class Concept:
    """An element or a relationship of the model."""

    identifier: str
    type: str
    location: SourceLocation
    names: list[Text] = field(default_factory=list)
    documentation: list[Text] = field(default_factory=list)
    properties: list[tuple[str, Text]] = field(default_factory=list)
    """(property definition key, value)."""
    source: str | None = None
    target: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    """Relationship attributes kept as archimate: literals (accessType, isDirected, ...)."""
    specialization: str | None = None
    original: str | None = None
    """The source identifier when the exchange identifier differs (``svckg:identifier``)."""

    @property
    def name(self) -> str | None:
        return self.names[0][0] if self.names else None

    @property
    def source_identifier(self) -> str:
        return self.original or self.identifier


@dataclass
class Folder:
    """An organization item: a labelled folder with the identifiers it holds."""

    path: tuple[str, ...]
    labels: list[Text]
    refs: list[str] = field(default_factory=list)
    parent: int | None = None
    """Index of the enclosing folder in ``Model.folders`` (which lists parents first)."""


@dataclass
class View:
    """A view, kept as metadata: its name and what it shows."""

    identifier: str
    names: list[Text]
    refs: list[str]


@dataclass
class Model:
    """One ArchiMate model as read from a source."""

    file: str
    identifier: str | None = None
    names: list[Text] = field(default_factory=list)
    documentation: list[Text] = field(default_factory=list)
    properties: list[tuple[str, Text]] = field(default_factory=list)
    property_definitions: dict[str, tuple[str, str]] = field(default_factory=dict)
    """key -> (name, type)."""
    elements: list[Concept] = field(default_factory=list)
    relationships: list[Concept] = field(default_factory=list)
    folders: list[Folder] = field(default_factory=list)
    views: list[View] = field(default_factory=list)
    fallback_key: str | None = None
    """Model key when there is neither identifier nor name (e.g. a CSV file prefix)."""

    @property
    def name(self) -> str | None:
        return self.names[0][0] if self.names else None

    @property
    def key(self) -> str:
        """The model's IRI segment: its identifier, else a slug of its name or file."""
        if self.identifier:
            return self.identifier
        return slug(self.name or self.fallback_key or self.file)


def _where(c: Concept, kind: str) -> str:
    return f"{c.location.describe()}".replace("element ", f"{kind} ", 1)


def check(model: Model, alignment: Alignment | None = None) -> None:
    """Reject unknown types, duplicate identifiers and relationships to missing elements."""
    a = alignment or load_alignment()
    seen: dict[str, Concept] = {}
    for kind, concepts, known in (
        ("element", model.elements, a.element_types),
        ("relationship", model.relationships, a.relationship_types.keys()),
    ):
        for c in concepts:
            if c.type not in known:
                raise InputError(
                    f"unknown {kind} type {c.type!r}",
                    where=_where(c, kind),
                    hint=f"use an ArchiMate 3.2 {kind} type, e.g. "
                    + ", ".join(sorted(known)[:6])
                    + ", ... (see ontology/alignments.ttl)",
                )
            if c.identifier in seen:
                raise InputError(
                    f"duplicate identifier {c.identifier!r}, first used at "
                    f"{seen[c.identifier].location.describe()}",
                    where=_where(c, kind),
                    hint="give every element and relationship its own identifier",
                )
            seen[c.identifier] = c
    for r in model.relationships:
        for end in ("source", "target"):
            ref = getattr(r, end)
            if not ref:
                raise InputError(
                    f"{r.type} relationship has no {end}",
                    where=_where(r, "relationship"),
                    hint=f"set its {end} to the identifier of an element in the model",
                )
            if ref not in seen:
                raise InputError(
                    f"{r.type} relationship points to a missing {end} element {ref!r}",
                    where=_where(r, "relationship"),
                    hint=f"add the element {ref!r} to the model or remove the relationship",
                )


class _Terms:
    """Cached pyoxigraph terms (building 1 M triples should not rebuild the same IRIs)."""

    def __init__(self) -> None:
        self._cache: dict[str, ox.NamedNode] = {}

    def __call__(self, iri: str) -> ox.NamedNode:
        node = self._cache.get(iri)
        if node is None:
            node = self._cache[iri] = ox.NamedNode(iri)
        return node


def _literal(text: Text) -> ox.Literal:
    value, lang = text
    return ox.Literal(value, language=lang) if lang else ox.Literal(value)


def _parse_term(text: str) -> ox.NamedNode | ox.Literal:
    """An N-Triples term written by the exporter; anything else is a plain literal."""
    text = text.strip()
    try:
        if text.startswith(("<", '"')):
            t = next(iter(ox.parse(f"<urn:s> <urn:p> {text} .".encode(), ox.RdfFormat.N_TRIPLES)))
            return t.object  # type: ignore[return-value]
    except (SyntaxError, ValueError, StopIteration):
        pass
    return ox.Literal(text)


def to_staged(model: Model, source: str, format: str, base_iri: str | None = None) -> Staged:
    """Map a model onto svckg triples (see ``ontology/alignments.ttl``) after :func:`check`.

    A value RDF cannot hold (a malformed language tag, an IRI with spaces in an exporter
    pin) raises :class:`InputError` located at the element being mapped.
    """
    a = load_alignment()
    check(model, a)
    _apply_identifier_pins(model)
    cursor: list[object] = [model.file]  # what is being mapped (for the error's location)
    try:
        return _build(model, source, format, base_iri, a, cursor)
    except ValueError as exc:
        at = cursor[0]
        raise InputError(
            f"cannot map this onto RDF: {exc}",
            where=_where(at, "relationship" if at.source else "element")
            if isinstance(at, Concept)
            else str(at),
            hint="fix the value (e.g. a language tag like 'en' or 'en-GB')",
        ) from exc


def _apply_identifier_pins(model: Model) -> None:
    keys = {k for k, (name, _) in model.property_definitions.items() if name == RESERVED_IDENTIFIER}
    if not keys:
        return
    for key, (value, _) in model.properties:
        if key in keys and value.strip():
            model.identifier = value.strip()
    for c in (*model.elements, *model.relationships):
        for key, (value, _) in c.properties:
            if key in keys and value.strip():
                c.original = value.strip()


def _build(
    model: Model,
    source: str,
    format: str,
    base_iri: str | None,
    a: Alignment,
    cursor: list[object],
) -> Staged:
    base = model_base(model.key, base_iri)
    term = _Terms()
    rdf_type, label, ident = (
        term(str(RDF.type)),
        term(str(RDFS.label)),
        term(str(DCTERMS.identifier)),
    )
    descr = term(str(DCTERMS.description))
    arch = str(ARCHIMATE)
    triples: list[ox.Triple] = []
    add = triples.append
    locations: dict[str, SourceLocation] = {}

    def prop_iri(key: str) -> str:
        return f"{base}property/{encode(key)}"

    reserved: dict[str, str] = {}  # property key -> reserved name or predicate IRI
    for key, (name, ptype) in model.property_definitions.items():
        if name in RESERVED or name.startswith(("http://", "https://")):
            reserved[key] = name
            continue
        node = term(prop_iri(key))
        add(ox.Triple(node, rdf_type, term(arch + "PropertyDefinition")))
        add(ox.Triple(node, label, ox.Literal(name)))
        add(ox.Triple(node, ident, ox.Literal(key)))
        add(ox.Triple(node, term(arch + "propertyType"), ox.Literal(ptype or "string")))

    # Identity: normally <base><id>; the exporter's svckg:iri property overrides it.
    iris: dict[str, str] = {}
    for c in (*model.elements, *model.relationships):
        iri = f"{base}{encode(c.source_identifier)}"
        for key, (value, _) in c.properties:
            if reserved.get(key) == RESERVED_IRI:
                iri = value.strip()
        iris[c.identifier] = iri

    # Classes: mapped from the type, customer-facing when serving a consumer.
    types = {c.identifier: c.type for c in model.elements}
    classes: dict[str, list[str]] = {}
    for e in model.elements:
        cls = a.element_class.get(e.type)
        classes[e.identifier] = [cls] if cls else []
    for r in model.relationships:
        if (
            r.type == "Serving"
            and types.get(r.target) in a.consumer_types
            and types.get(r.source) in a.consumer_class
        ):
            classes[r.source] = [a.consumer_class[types[r.source]]]  # type: ignore[index]
    for e in model.elements:
        for key, (value, _) in e.properties:
            if reserved.get(key) == RESERVED_CLASS:
                classes[e.identifier] = value.split()

    def emit_common(c: Concept, node: ox.NamedNode) -> None:
        add(ox.Triple(node, ident, ox.Literal(c.source_identifier)))
        for text in c.names:
            add(ox.Triple(node, label, _literal(text)))
        for text in c.documentation:
            add(ox.Triple(node, descr, _literal(text)))
        if c.specialization:
            add(ox.Triple(node, term(arch + "profile"), ox.Literal(c.specialization)))
        for key, text in c.properties:
            kind = reserved.get(key)
            if kind is None:
                add(ox.Triple(node, term(prop_iri(key)), _literal(text)))
            elif kind.startswith("http"):
                add(ox.Triple(node, term(kind), _parse_term(text[0])))
        locations[node.value] = c.location

    for e in model.elements:
        cursor[0] = e
        node = term(iris[e.identifier])
        add(ox.Triple(node, rdf_type, term(arch + e.type)))
        for cls in classes[e.identifier]:
            add(ox.Triple(node, rdf_type, term(cls)))
        emit_common(e, node)

    src_p, tgt_p = term(arch + "source"), term(arch + "target")
    rel_types = {
        name: (rt, term(arch + name), term(rt.edge)) for name, rt in a.relationship_types.items()
    }
    chosen: dict[tuple[str | None, str | None], str] = {}  # dependency property per class pair
    for r in model.relationships:
        cursor[0] = r
        rtype, type_node, edge = rel_types[r.type]
        node = term(iris[r.identifier])
        src, tgt = term(iris[r.source]), term(iris[r.target])  # type: ignore[index]
        add(ox.Triple(node, rdf_type, type_node))
        add(ox.Triple(node, src_p, src))
        add(ox.Triple(node, tgt_p, tgt))
        if r.attributes:
            for attr, value in r.attributes.items():
                add(ox.Triple(node, term(arch + attr), ox.Literal(value)))
        emit_common(r, node)
        add(ox.Triple(src, edge, tgt))
        override = None
        if r.properties and reserved:
            override = next(
                (v.strip() for k, (v, _) in r.properties if reserved.get(k) == RESERVED_PROPERTY),
                None,
            )
        # the edge goes from the dependent end to the other (source -> target if none)
        if rtype.dependent == "target":
            dependent, dependee, d_node, e_node = r.target, r.source, tgt, src
        else:
            dependent, dependee, d_node, e_node = r.source, r.target, src, tgt
        if override:  # pinned by the exporter; "none" pins "no dependency"
            prop = None if override == "none" else override
        elif rtype.dependent is not None:
            pair = (_first(classes.get(dependent)), _first(classes.get(dependee)))  # type: ignore[arg-type]
            prop = chosen.get(pair)
            if prop is None:
                prop = chosen[pair] = a.dependency_property(*pair)
        else:
            prop = None
        if prop is not None:
            add(ox.Triple(d_node, term(prop), e_node))

    cursor[0] = f"{model.file}, the model's name, documentation, folders or views"
    model_node = term(base.rstrip("/"))
    add(ox.Triple(model_node, rdf_type, term(arch + "Model")))
    if model.identifier:
        add(ox.Triple(model_node, ident, ox.Literal(model.identifier)))
    for text in model.names:
        add(ox.Triple(model_node, label, _literal(text)))
    for text in model.documentation:
        add(ox.Triple(model_node, descr, _literal(text)))
    for key, text in model.properties:
        if key not in reserved:
            add(ox.Triple(model_node, term(prop_iri(key)), _literal(text)))

    has_part = term(str(DCTERMS.hasPart))
    used_paths: set[str] = set()
    view_ids = {v.identifier for v in model.views}
    folder_nodes: list[ox.NamedNode] = []
    for folder in model.folders:
        path = "/".join(slug(p) for p in folder.path)
        unique, n = path, 1
        while unique in used_paths:
            n += 1
            unique = f"{path}-{n}"
        used_paths.add(unique)
        node = term(f"{base}folder/{unique}")
        folder_nodes.append(node)
        add(ox.Triple(node, rdf_type, term(arch + "Folder")))
        if folder.parent is not None:
            add(ox.Triple(folder_nodes[folder.parent], has_part, node))
        for text in folder.labels:
            add(ox.Triple(node, label, _literal(text)))
        for ref in folder.refs:
            target = iris.get(ref) or (f"{base}{encode(ref)}" if ref in view_ids else None)
            if target:
                add(ox.Triple(node, has_part, term(target)))
    references = term(str(DCTERMS.references))
    for view in model.views:
        node = term(f"{base}{encode(view.identifier)}")
        add(ox.Triple(node, rdf_type, term(arch + "View")))
        add(ox.Triple(node, ident, ox.Literal(view.identifier)))
        for text in view.names:
            add(ox.Triple(node, label, _literal(text)))
        for ref in dict.fromkeys(view.refs):
            if ref in iris:
                add(ox.Triple(node, references, term(iris[ref])))

    return Staged(
        source=source,
        format=format,
        triples=triples,
        locations=locations,
        model_name=model.name,
        model_id=model.identifier,
    )


def _first(values: list[str] | None) -> str | None:
    return values[0] if values else None
