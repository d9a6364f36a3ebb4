"""Exporter: the svckg graph as an ArchiMate Open Exchange Format 3.1 file.

Elements are the nodes typed with an ArchiMate element type or with any class (svc: or
other) outside the system graphs; relationships are the imported ArchiMate relationship
nodes plus every other edge between two elements (a dependency as Serving from what is
needed to the dependent, anything else as Association). Literal and concept-valued
properties become properties. Whatever the importer would not rebuild by itself from the
ArchiMate type (the original IRI, the classes, the svc predicate of an edge) travels in
reserved properties (``svckg:iri``, ``svckg:class``, ``svckg:property``, and property
definitions named by a predicate IRI whose values are N-Triples terms), so the file
re-imports to the same graph. Views are written with a simple grid layout.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pyoxigraph as ox
from lxml import etree
from rdflib.namespace import DCTERMS

from svckg.errors import InputError
from svckg.ingest.archimodel import (
    RESERVED_CLASS,
    RESERVED_IDENTIFIER,
    RESERVED_IRI,
    RESERVED_PROPERTY,
)
from svckg.ingest.mapping import (
    Alignment,
    encode,
    load_alignment,
    model_base,
    through_junctions,
)
from svckg.store.base import Store
from svckg.terms import RDF_TYPE_IRI, RDFS_LABEL_IRI
from svckg.vocab import (
    ARCHIMATE,
    DEPENDENCY_PROPERTIES,
    PROVENANCE_GRAPH,
    SVC,
    SYSTEM_GRAPH,
    VOCABULARY_GRAPHS,
)

NS = "http://www.opengroup.org/xsd/archimate/3.0/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SCHEMA_LOCATION = f"{NS} http://www.opengroup.org/xsd/archimate/3.1/archimate3_Diagram.xsd"
SYSTEM_GRAPHS = {*VOCABULARY_GRAPHS, str(PROVENANCE_GRAPH), str(SYSTEM_GRAPH)}
_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
A = str(ARCHIMATE)
TYPE, LABEL = RDF_TYPE_IRI, RDFS_LABEL_IRI
IDENT, DESCR, HAS_PART, REFS = (
    str(DCTERMS.identifier),
    str(DCTERMS.description),
    str(DCTERMS.hasPart),
    str(DCTERMS.references),
)
_BOOKKEEPING = {TYPE, LABEL, IDENT, DESCR, A + "source", A + "target"}


@dataclass
class _Node:
    iri: str
    types: set[str] = field(default_factory=set)
    props: dict[str, list[ox.Term]] = field(default_factory=lambda: defaultdict(list))


def export_archimate(store: Store) -> bytes:
    """The store's data graphs as an ArchiMate exchange file (UTF-8 XML bytes).

    >>> from svckg.store.embedded import EmbeddedStore
    >>> store = EmbeddedStore(None)
    >>> b"<elements" in export_archimate(store) or b"<model" in export_archimate(store)
    True
    """
    nodes = _read(store)
    return _Writer(nodes, load_alignment()).write()


def _read(store: Store) -> dict[str, _Node]:
    nodes: dict[str, _Node] = {}
    for q in store.quads():
        g = q.graph_name
        gname = g.value if isinstance(g, ox.NamedNode) else ""
        if gname in SYSTEM_GRAPHS or gname.endswith(("/inferred", ":inferred")):
            continue
        if not isinstance(q.subject, ox.NamedNode):
            continue
        node = nodes.get(q.subject.value)
        if node is None:
            node = nodes[q.subject.value] = _Node(q.subject.value)
        if q.predicate.value == TYPE and isinstance(q.object, ox.NamedNode):
            node.types.add(q.object.value)
        elif q.object not in node.props[q.predicate.value]:
            node.props[q.predicate.value].append(q.object)
    return nodes


@contextmanager
def _about(iri: str) -> Iterator[None]:
    """Turn lxml's refusal of a value (control characters) into a located svckg error."""
    try:
        yield
    except ValueError as exc:
        raise InputError(
            f"cannot write a value in XML: {exc}",
            where=iri,
            hint="remove control characters (XML 1.0 cannot hold them) from its values",
        ) from exc


_TEXT_TYPES = {
    "http://www.w3.org/2001/XMLSchema#string",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
}


def _is_text(term: ox.Term) -> bool:
    """A literal that a <name> or <documentation> holds exactly (plain or language-tagged)."""
    return isinstance(term, ox.Literal) and term.datatype.value in _TEXT_TYPES and term.value != ""


def _text(term: ox.Term) -> tuple[str, str | None]:
    if isinstance(term, ox.Literal):
        return term.value, term.language
    return term.value, None


class _Writer:
    def __init__(self, nodes: dict[str, _Node], alignment: Alignment):
        self.nodes, self.a = nodes, alignment
        arch_elements = {A + t for t in alignment.element_types}
        arch_relations = {A + t for t in alignment.relationship_types}
        self.relationship_nodes = {iri: n for iri, n in nodes.items() if n.types & arch_relations}
        self.elements = {
            iri: n
            for iri, n in nodes.items()
            if iri not in self.relationship_nodes
            and (n.types & arch_elements or any(not t.startswith(A) for t in n.types))
        }
        models = [n for n in nodes.values() if A + "Model" in n.types]
        self.model = models[0] if len(models) == 1 else None
        key = self._first(self.model, IDENT) if self.model else None
        self.model_key = key  # the importer derives IRIs from it (pinned if not an XML ID)
        self.model_id = key if key and _NCNAME.match(key) else "id-svckg-export"
        self.base = model_base(key or self.model_id)
        self.ids: dict[str, str] = {}
        self.used_ids: set[str] = set()
        self.edge_predicates = {r.edge for r in alignment.relationship_types.values()}
        self.subproperties = {str(SVC[p]) for p in ("dependsOn", *DEPENDENCY_PROPERTIES)}
        self.propdefs: dict[str, tuple[str, str]] = {}  # key -> (name, type)
        self.reserved: dict[str, str] = {}  # reserved name -> definition key
        self.classes: dict[str, list[str]] = {}  # element IRI -> classes the importer gives
        self.late: list[tuple[etree._Element, str, str]] = []  # relationship ends to fill
        self.explained: set[tuple[str, str | None, str]] = set()  # edges already written
        connectors = {A + t for t in alignment.connector_types}
        self.junctions = {iri for iri, n in self.elements.items() if n.types & connectors}
        self.legs: list[tuple[str, str, str]] = []  # (source, target, type) of relationships

    # -- helpers --------------------------------------------------------------------

    @staticmethod
    def _first(node: _Node | None, prop: str) -> str | None:
        values = node.props.get(prop) if node else None
        return values[0].value if values else None

    def _identifier(self, node: _Node) -> tuple[str, str | None, bool]:
        """The exchange identifier, the source identifier to pin (when it is not a valid XML
        ID) and whether the IRI must be pinned."""
        given = self._first(node, IDENT)
        ident = given if given and _NCNAME.match(given) and given not in self.used_ids else None
        if ident is None:
            ident = "id-" + hashlib.sha256(node.iri.encode()).hexdigest()[:20]
        self.used_ids.add(ident)
        self.ids[node.iri] = ident
        original = given if given and given != ident else None
        return ident, original, self.base + encode(original or ident) != node.iri

    def _reserved_key(self, name: str) -> str:
        if name not in self.reserved:
            key = f"propid-svckg-{len(self.reserved) + 1}"
            self.reserved[name] = key
            self.propdefs[key] = (name, "string")
        return self.reserved[name]

    def _add_property(self, parent: etree._Element, key: str, value: str, lang: str | None) -> None:
        props = parent.find(f"{{{NS}}}properties")
        if props is None:
            props = etree.SubElement(parent, f"{{{NS}}}properties")
        p = etree.SubElement(props, f"{{{NS}}}property", propertyDefinitionRef=key)
        v = etree.SubElement(p, f"{{{NS}}}value")
        v.text = value
        if lang:
            v.set(XML_LANG, lang)

    def _texts(self, parent: etree._Element, tag: str, terms: list[ox.Term]) -> None:
        for term in terms:
            value, lang = _text(term)
            el = etree.SubElement(parent, f"{{{NS}}}{tag}")
            el.text = value
            if lang:
                el.set(XML_LANG, lang)

    def _concept_body(
        self, el: etree._Element, node: _Node, pin_iri: bool, original: str | None = None
    ) -> None:
        names = [v for v in node.props.get(LABEL, []) if _is_text(v)]
        self._texts(el, "name", names)
        if el.tag == f"{{{NS}}}element" and not names:
            etree.SubElement(el, f"{{{NS}}}name")  # the schema requires one; empty is skipped
        self._texts(el, "documentation", [v for v in node.props.get(DESCR, []) if _is_text(v)])
        for pred in (LABEL, DESCR):  # typed values or IRIs travel as RDF properties
            for v in node.props.get(pred, []):
                if not _is_text(v):
                    self._add_property(el, self._reserved_key(pred), str(v), None)
        if original:
            self._add_property(el, self._reserved_key(RESERVED_IDENTIFIER), original, None)
        if pin_iri:
            self._add_property(el, self._reserved_key(RESERVED_IRI), node.iri, None)
        for pred, values in sorted(node.props.items()):
            if pred in _BOOKKEEPING or pred in (HAS_PART, REFS):
                continue
            definition = self.nodes.get(pred)
            if definition is not None and A + "PropertyDefinition" in definition.types:
                key = self._first(definition, IDENT) or pred
                name = self._first(definition, LABEL) or key
                ptype = self._first(definition, A + "propertyType") or "string"
                self.propdefs.setdefault(key, (name, ptype))
                for v in values:
                    self._add_property(el, key, *_text(v))
                continue
            for v in values:
                if isinstance(v, ox.NamedNode) and v.value in self.elements:
                    continue  # written as a relationship
                if pred.startswith(A) and pred[len(A) :] in {
                    "accessType",
                    "isDirected",
                    "modifier",
                }:
                    continue
                if isinstance(v, ox.NamedNode) and pred in self.edge_predicates:
                    continue  # the direct edge of a relationship, rebuilt on import
                self._add_property(el, self._reserved_key(pred), str(v), None)

    # -- the document ---------------------------------------------------------------

    def write(self) -> bytes:
        root = etree.Element(f"{{{NS}}}model", nsmap={None: NS, "xsi": XSI})
        root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
        root.set("identifier", self.model_id)
        names = self.model.props.get(LABEL, []) if self.model else []
        self._texts(root, "name", names or [ox.Literal("svckg export")])
        if self.model:
            self._texts(root, "documentation", self.model.props.get(DESCR, []))
        model_props = etree.Element("tmp")
        if self.model_key and self.model_key != self.model_id:
            self._add_property(
                model_props, self._reserved_key(RESERVED_IDENTIFIER), self.model_key, None
            )
        if self.model:
            self._concept_body(
                model_props,
                _Node(
                    "", props={k: v for k, v in self.model.props.items() if k not in (LABEL, DESCR)}
                ),
                False,
            )

        elements_el = etree.Element(f"{{{NS}}}elements")
        for iri in sorted(self.elements, key=lambda i: self._first(self.elements[i], IDENT) or i):
            with _about(iri):
                self._element(elements_el, self.elements[iri])
        relationships_el = etree.Element(f"{{{NS}}}relationships")
        for iri in sorted(
            self.relationship_nodes,
            key=lambda i: self._first(self.relationship_nodes[i], IDENT) or i,
        ):
            with _about(iri):
                self._relationship(relationships_el, self.relationship_nodes[iri])
        self._junction_paths()
        self._edges(relationships_el)
        self.views = {iri: n for iri, n in self.nodes.items() if A + "View" in n.types}
        for iri in sorted(self.views):
            self._identifier(self.views[iri])  # folders refer to views by identifier
        for el, src, tgt in self.late:
            if src in self.ids and tgt in self.ids:
                el.set("source", self.ids[src])
                el.set("target", self.ids[tgt])
            else:  # a relationship on a relationship that could not be written
                el.getparent().remove(el)

        for child in model_props:
            root.append(child)
        if len(elements_el):
            root.append(elements_el)
        if len(relationships_el):
            root.append(relationships_el)
        self._organizations(root)
        if self.propdefs:
            defs = etree.SubElement(root, f"{{{NS}}}propertyDefinitions")
            for key, (name, ptype) in self.propdefs.items():
                d = etree.SubElement(
                    defs, f"{{{NS}}}propertyDefinition", identifier=key, type=ptype
                )
                etree.SubElement(d, f"{{{NS}}}name").text = name
        self._views(root)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)

    def _element(self, parent: etree._Element, node: _Node) -> None:
        ident, original, pin = self._identifier(node)
        arch = sorted(
            t[len(A) :]
            for t in node.types
            if t.startswith(A) and t[len(A) :] in self.a.element_types
        )
        others = sorted(t for t in node.types if not t.startswith(A))
        type_name = arch[0] if arch else self.a.export_type(set(others))
        el = etree.SubElement(parent, f"{{{NS}}}element", identifier=ident)
        el.set(f"{{{XSI}}}type", type_name)
        self._concept_body(el, node, pin, original)
        mapped = self.a.element_class.get(type_name)
        default = [mapped] if mapped else []
        if type_name in self.a.consumer_class or others != default:
            # pin the classes, most specific first (the importer uses the first for rules)
            depth = self.a.superclasses
            ordered = sorted(others, key=lambda c: (-len(depth.get(c, ())), c))
            self._add_property(el, self._reserved_key(RESERVED_CLASS), " ".join(ordered), None)
            self.classes[node.iri] = ordered
        else:
            self.classes[node.iri] = default

    def _relationship(self, parent: etree._Element, node: _Node) -> None:
        src, tgt = self._first(node, A + "source"), self._first(node, A + "target")
        if src not in self.ids and src not in self.relationship_nodes:
            return
        if tgt not in self.ids and tgt not in self.relationship_nodes:
            return
        type_name = next(
            t[len(A) :]
            for t in node.types
            if t.startswith(A) and t[len(A) :] in self.a.relationship_types
        )
        self._pending_rel(parent, node, type_name, src, tgt)  # type: ignore[arg-type]

    def _pending_rel(
        self, parent: etree._Element, node: _Node, type_name: str, src: str, tgt: str
    ) -> None:
        ident, original, pin = self._identifier(node)
        el = etree.SubElement(parent, f"{{{NS}}}relationship", identifier=ident)
        el.set("source", "")
        el.set("target", "")
        el.set(f"{{{XSI}}}type", type_name)
        for attr in ("accessType", "isDirected", "modifier"):
            if (value := self._first(node, A + attr)) is not None:
                el.set(attr, value)
        self._concept_body(el, node, pin, original)
        self.late.append((el, src, tgt))
        self.legs.append((src, tgt, type_name))
        rtype = self.a.relationship_types[type_name]
        if src in self.junctions or tgt in self.junctions:
            self.explained.add((src, rtype.edge, tgt))
            return  # a leg of a path through a junction implies no dependency of its own
        actual = self._edge_between(src, tgt, rtype.dependent)
        self.explained.add((src, rtype.edge, tgt))
        if actual is not None:
            self.explained.add(actual)
        expected = self._expected_dependency(src, tgt, rtype.dependent)
        actual_prop = actual[1] if actual else None
        if expected != actual_prop:
            self._add_property(
                el, self._reserved_key(RESERVED_PROPERTY), actual_prop or "none", None
            )

    def _junction_paths(self) -> None:
        """The dependency edges the importer derives from paths through junctions are
        explained by the relationships written (no synthetic relationship for them)."""
        if not self.junctions:
            return
        for src, tgt, type_name in through_junctions(self.legs, self.junctions):
            actual = self._edge_between(src, tgt, self.a.relationship_types[type_name].dependent)
            if actual is not None:
                self.explained.add(actual)

    def _expected_dependency(self, src: str, tgt: str, dependent: str | None) -> str | None:
        if dependent is None:
            return None
        d, e = (tgt, src) if dependent == "target" else (src, tgt)
        dc, ec = self.classes.get(d, []), self.classes.get(e, [])
        return self.a.dependency_property(dc[0] if dc else None, ec[0] if ec else None)

    def _edge_between(
        self, src: str, tgt: str, dependent: str | None
    ) -> tuple[str, str, str] | None:
        """The dependency edge this relationship explains (dependent -> dependee), if any."""
        if dependent is None:
            return None
        d, e = (tgt, src) if dependent == "target" else (src, tgt)
        node = self.nodes.get(d)
        if node is None:
            return None
        candidates = [
            p
            for p, vs in node.props.items()
            if p in self.subproperties
            and any(v.value == e for v in vs)
            and (d, p, e) not in self.explained
        ]
        specific = [p for p in candidates if p != str(SVC.dependsOn)]
        chosen = (specific or candidates or [None])[0]
        return (d, chosen, e) if chosen else None

    def _edges(self, parent: etree._Element) -> None:
        """Edges between elements that no relationship node explains."""
        for iri in sorted(self.elements):
            node = self.elements[iri]
            with _about(iri):
                self._node_edges(parent, iri, node)

    def _node_edges(self, parent: etree._Element, iri: str, node: _Node) -> None:
        for pred, values in sorted(node.props.items()):
            if pred.startswith(A) or pred in _BOOKKEEPING:
                continue
            for v in values:
                if not isinstance(v, ox.NamedNode) or v.value not in self.elements:
                    continue
                if (iri, pred, v.value) in self.explained:
                    continue
                self._synthetic(parent, iri, pred, v.value)

    def _synthetic(self, parent: etree._Element, s: str, p: str, o: str) -> None:
        ident = "rel-" + hashlib.sha256(f"{s} {p} {o}".encode()).hexdigest()[:20]
        self.used_ids.add(ident)
        if p in self.subproperties:
            type_name, src, tgt = "Serving", o, s  # the needed thing serves the dependent
        else:
            type_name, src, tgt = "Association", s, o
        el = etree.SubElement(parent, f"{{{NS}}}relationship", identifier=ident)
        el.set("source", "")
        el.set("target", "")
        el.set(f"{{{XSI}}}type", type_name)
        self.late.append((el, src, tgt))
        expected = self._expected_dependency(
            src, tgt, self.a.relationship_types[type_name].dependent
        )
        if expected != p:
            self._add_property(el, self._reserved_key(RESERVED_PROPERTY), p, None)

    def _organizations(self, root: etree._Element) -> None:
        folders = {iri: n for iri, n in self.nodes.items() if A + "Folder" in n.types}
        children = {o.value for n in folders.values() for o in n.props.get(HAS_PART, [])}
        tops = [iri for iri in sorted(folders) if iri not in children]
        if not tops:
            return
        orgs = etree.SubElement(root, f"{{{NS}}}organizations")

        def item(parent: etree._Element, iri: str) -> None:
            node = folders[iri]
            el = etree.SubElement(parent, f"{{{NS}}}item")
            self._texts(el, "label", node.props.get(LABEL, []) or [ox.Literal("folder")])
            parts = [o.value for o in node.props.get(HAS_PART, [])]
            for part in sorted(p for p in parts if p in folders):
                item(el, part)
            for part in sorted(p for p in parts if p not in folders):
                if part in self.ids:
                    etree.SubElement(el, f"{{{NS}}}item", identifierRef=self.ids[part])

        for iri in tops:
            item(orgs, iri)

    def _views(self, root: etree._Element) -> None:
        views = self.views
        if not views:
            return
        container = etree.SubElement(etree.SubElement(root, f"{{{NS}}}views"), f"{{{NS}}}diagrams")
        for iri in sorted(views):
            node = views[iri]
            ident = self.ids[iri]
            view = etree.SubElement(container, f"{{{NS}}}view", identifier=ident)
            view.set(f"{{{XSI}}}type", "Diagram")
            self._texts(view, "name", node.props.get(LABEL, []) or [ox.Literal("")])
            refs = sorted(o.value for o in node.props.get(REFS, []))
            shown: dict[str, str] = {}
            for i, ref in enumerate(r for r in refs if r in self.elements):
                nid = f"{ident}-n{i}"
                shown[ref] = nid
                n = etree.SubElement(
                    view,
                    f"{{{NS}}}node",
                    identifier=nid,
                    elementRef=self.ids[ref],
                    x=str((i % 8) * 160),
                    y=str((i // 8) * 90),
                    w="120",
                    h="55",
                )
                n.set(f"{{{XSI}}}type", "Element")
            for j, ref in enumerate(r for r in refs if r in self.relationship_nodes):
                rel = self.relationship_nodes[ref]
                s, t = self._first(rel, A + "source"), self._first(rel, A + "target")
                if s in shown and t in shown and ref in self.ids:
                    c = etree.SubElement(
                        view,
                        f"{{{NS}}}connection",
                        identifier=f"{ident}-c{j}",
                        relationshipRef=self.ids[ref],
                        source=shown[s],
                        target=shown[t],
                    )
                    c.set(f"{{{XSI}}}type", "Relationship")
