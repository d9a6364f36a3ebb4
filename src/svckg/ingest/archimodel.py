"""A neutral in-memory ArchiMate model (what the exchange-format and Archi CSV parsers read)
and its mapping onto svckg triples through :mod:`svckg.ingest.mapping`.

Checks done here, each raising :class:`svckg.errors.InputError` located at the element:
unknown element or relationship type, duplicate identifier, relationship to a missing
element. See ``ontology/alignments.ttl`` for the IRI rules and the mapping itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib.namespace import DCTERMS

from svckg.errors import InputError
from svckg.ingest.base import Staged
from svckg.ingest.mapping import (
    Alignment,
    RelationshipType,
    encode,
    load_alignment,
    model_base,
    slug,
    through_junctions,
)
from svckg.terms import RDF_TYPE, RDFS_LABEL
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
DCT_IDENTIFIER = ox.NamedNode(str(DCTERMS.identifier))
DCT_DESCRIPTION = ox.NamedNode(str(DCTERMS.description))
DCT_HAS_PART = ox.NamedNode(str(DCTERMS.hasPart))
DCT_REFERENCES = ox.NamedNode(str(DCTERMS.references))
RESERVED = (RESERVED_IRI, RESERVED_CLASS, RESERVED_PROPERTY, RESERVED_IDENTIFIER)
"""Property definition name carrying the svc predicate of a relationship."""


class _Named:
    """Something with ArchiMate names (one per language): the first is the one it goes by."""

    names: list[Text]

    @property
    def name(self) -> str | None:
        return self.names[0][0] if self.names else None


@dataclass
class Concept(_Named):
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
class Model(_Named):
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
    b = _Builder(model, model_base(model.key, base_iri), a, cursor)
    b.property_definitions()
    b.identities()
    b.classes_of_elements()
    b.elements()
    b.relationships()
    b.model_node()
    b.folders()
    b.views()
    return Staged(
        source=source,
        format=format,
        triples=b.triples,
        locations=b.locations,
        model_name=model.name,
        model_id=model.identifier,
    )


class _Builder:
    """The triples of one model, built part by part in a fixed order (see ``_build``)."""

    def __init__(self, model: Model, base: str, a: Alignment, cursor: list[object]):
        self.model, self.base, self.a, self.cursor = model, base, a, cursor
        self.term = _Terms()
        self.arch = str(ARCHIMATE)
        self.triples: list[ox.Triple] = []
        self.locations: dict[str, SourceLocation] = {}
        self.reserved: dict[str, str] = {}
        """property key -> reserved name or predicate IRI."""
        self.iris: dict[str, str] = {}
        """concept identifier -> its IRI."""
        self.classes: dict[str, list[str]] = {}
        """element identifier -> its svc classes."""

    def add(self, s: ox.NamedNode, p: ox.NamedNode, o: ox.NamedNode | ox.Literal) -> None:
        self.triples.append(ox.Triple(s, p, o))

    def a_term(self, local: str) -> ox.NamedNode:
        """An ``archimate:`` term."""
        return self.term(self.arch + local)

    def prop_iri(self, key: str) -> str:
        return f"{self.base}property/{encode(key)}"

    def texts(self, node: ox.NamedNode, predicate: ox.NamedNode, texts: list[Text]) -> None:
        for text in texts:
            self.add(node, predicate, _literal(text))

    def property_definitions(self) -> None:
        """Property definitions as nodes; the reserved ones (exporter pins) are remembered."""
        for key, (name, ptype) in self.model.property_definitions.items():
            if name in RESERVED or name.startswith(("http://", "https://")):
                self.reserved[key] = name
                continue
            node = self.term(self.prop_iri(key))
            self.add(node, RDF_TYPE, self.a_term("PropertyDefinition"))
            self.add(node, RDFS_LABEL, ox.Literal(name))
            self.add(node, DCT_IDENTIFIER, ox.Literal(key))
            self.add(node, self.a_term("propertyType"), ox.Literal(ptype or "string"))

    def pins(self, c: Concept, kind: str) -> list[str]:
        """The values of the ``kind`` pins (reserved properties) on ``c``, in order."""
        return [value for key, (value, _) in c.properties if self.reserved.get(key) == kind]

    def identities(self) -> None:
        """Identity: normally <base><id>; the exporter's svckg:iri property overrides it."""
        for c in (*self.model.elements, *self.model.relationships):
            pins = self.pins(c, RESERVED_IRI)
            iri = pins[-1].strip() if pins else f"{self.base}{encode(c.source_identifier)}"
            self.iris[c.identifier] = iri

    def classes_of_elements(self) -> None:
        """Classes: mapped from the type, customer-facing when serving a consumer, or pinned."""
        a, model = self.a, self.model
        types = {c.identifier: c.type for c in model.elements}
        for e in model.elements:
            cls = a.element_class.get(e.type)
            self.classes[e.identifier] = [cls] if cls else []
        for r in model.relationships:
            if (
                r.type == "Serving"
                and types.get(r.target) in a.consumer_types
                and types.get(r.source) in a.consumer_class
            ):
                self.classes[r.source] = [a.consumer_class[types[r.source]]]  # type: ignore[index]
        for e in model.elements:
            pins = self.pins(e, RESERVED_CLASS)
            if pins:
                self.classes[e.identifier] = pins[-1].split()

    def common(self, c: Concept, node: ox.NamedNode) -> None:
        """What elements and relationships share: identifier, names, documentation,
        specialization, properties, location."""
        self.add(node, DCT_IDENTIFIER, ox.Literal(c.source_identifier))
        self.texts(node, RDFS_LABEL, c.names)
        self.texts(node, DCT_DESCRIPTION, c.documentation)
        if c.specialization:
            self.add(node, self.a_term("profile"), ox.Literal(c.specialization))
        for key, text in c.properties:
            kind = self.reserved.get(key)
            if kind is None:
                self.add(node, self.term(self.prop_iri(key)), _literal(text))
            elif kind.startswith("http"):
                self.add(node, self.term(kind), _parse_term(text[0]))
        self.locations[node.value] = c.location

    def elements(self) -> None:
        for e in self.model.elements:
            self.cursor[0] = e
            node = self.term(self.iris[e.identifier])
            self.add(node, RDF_TYPE, self.a_term(e.type))
            for cls in self.classes[e.identifier]:
                self.add(node, RDF_TYPE, self.term(cls))
            self.common(e, node)

    def relationships(self) -> None:
        src_p, tgt_p = self.a_term("source"), self.a_term("target")
        rel_types = {
            name: (rt, self.a_term(name), self.term(rt.edge))
            for name, rt in self.a.relationship_types.items()
        }
        chosen: dict[tuple[str | None, str | None], str | None] = {}
        junctions = {e.identifier for e in self.model.elements if e.type in self.a.connector_types}
        for r in self.model.relationships:
            self.cursor[0] = r
            rtype, type_node, edge = rel_types[r.type]
            node = self.term(self.iris[r.identifier])
            src, tgt = self.term(self.iris[r.source]), self.term(self.iris[r.target])  # type: ignore[index]
            self.add(node, RDF_TYPE, type_node)
            self.add(node, src_p, src)
            self.add(node, tgt_p, tgt)
            for attr, value in r.attributes.items():
                self.add(node, self.a_term(attr), ox.Literal(value))
            self.common(r, node)
            self.add(src, edge, tgt)
            if r.source in junctions or r.target in junctions:
                continue  # a leg of a path through a junction: the path is the dependency
            self.depend(r, rtype, r.source, r.target, chosen)  # type: ignore[arg-type]
        if junctions:
            legs = [(r.source, r.target, r.type) for r in self.model.relationships]
            for a, b, kind in through_junctions(legs, junctions):  # type: ignore[arg-type]
                self.depend(None, rel_types[kind][0], a, b, chosen)

    def depend(
        self,
        r: Concept | None,
        rtype: RelationshipType,
        source: str,
        target: str,
        chosen: dict[tuple[str | None, str | None], str | None],
    ) -> None:
        """The dependency edge a relationship (``r``, or a path through junctions when None)
        from ``source`` to ``target`` implies: from the dependent end to the other."""
        if rtype.dependent == "target":
            dependent, dependee = target, source
        else:
            dependent, dependee = source, target
        prop = self.dependency(r, rtype.dependent, dependent, dependee, chosen)
        if prop is not None:
            self.add(
                self.term(self.iris[dependent]), self.term(prop), self.term(self.iris[dependee])
            )

    def dependency(
        self,
        r: Concept | None,
        dependent_end: str | None,
        dependent: str | None,
        dependee: str | None,
        chosen: dict[tuple[str | None, str | None], str | None],
    ) -> str | None:
        """The dependency property a relationship implies: the exporter's pin ("none" pins
        no dependency), else the alignment's choice for the ends' classes (cached per pair
        in ``chosen``), none for a relationship without a dependent end."""
        pins = self.pins(r, RESERVED_PROPERTY) if self.reserved and r is not None else []
        override = pins[0].strip() if pins else None
        if override:
            return None if override == "none" else override
        if dependent_end is None:
            return None
        pair = (_first(self.classes.get(dependent)), _first(self.classes.get(dependee)))  # type: ignore[arg-type]
        if pair not in chosen:
            chosen[pair] = self.a.dependency_property(*pair)
        return chosen[pair]

    def model_node(self) -> None:
        model = self.model
        self.cursor[0] = f"{model.file}, the model's name, documentation, folders or views"
        node = self.term(self.base.rstrip("/"))
        self.add(node, RDF_TYPE, self.a_term("Model"))
        if model.identifier:
            self.add(node, DCT_IDENTIFIER, ox.Literal(model.identifier))
        self.texts(node, RDFS_LABEL, model.names)
        self.texts(node, DCT_DESCRIPTION, model.documentation)
        for key, text in model.properties:
            if key not in self.reserved:
                self.add(node, self.term(self.prop_iri(key)), _literal(text))

    def folders(self) -> None:
        used_paths: set[str] = set()
        view_ids = {v.identifier for v in self.model.views}
        folder_nodes: list[ox.NamedNode] = []
        for folder in self.model.folders:
            path = "/".join(slug(p) for p in folder.path)
            unique, n = path, 1
            while unique in used_paths:
                n += 1
                unique = f"{path}-{n}"
            used_paths.add(unique)
            node = self.term(f"{self.base}folder/{unique}")
            folder_nodes.append(node)
            self.add(node, RDF_TYPE, self.a_term("Folder"))
            if folder.parent is not None:
                self.add(folder_nodes[folder.parent], DCT_HAS_PART, node)
            self.texts(node, RDFS_LABEL, folder.labels)
            for ref in folder.refs:
                target = self.iris.get(ref) or (
                    f"{self.base}{encode(ref)}" if ref in view_ids else None
                )
                if target:
                    self.add(node, DCT_HAS_PART, self.term(target))

    def views(self) -> None:
        for view in self.model.views:
            node = self.term(f"{self.base}{encode(view.identifier)}")
            self.add(node, RDF_TYPE, self.a_term("View"))
            self.add(node, DCT_IDENTIFIER, ox.Literal(view.identifier))
            self.texts(node, RDFS_LABEL, view.names)
            for ref in dict.fromkeys(view.refs):
                if ref in self.iris:
                    self.add(node, DCT_REFERENCES, self.term(self.iris[ref]))


def _first(values: list[str] | None) -> str | None:
    return values[0] if values else None
