"""The GraphQL schema model, read from the ontology and the shapes (no hand-written types).

- Every ``svc:`` class is a GraphQL type named by its local name. A class with subclasses is an
  **interface** (``Service``, ``Resource``, ``Agreement``...) plus a concrete ``Plain<Class>``
  type for elements typed with the class itself; a class without subclasses is an object
  type. Every type implements ``Node``; ``rdfs:subClassOf`` gives the interface hierarchy.
- A class gets a **field** for every property whose ``rdfs:domain`` names it (unions too) and
  every property shape that targets it (``sh:targetClass``, simple ``sh:path``).
- A property with ``owl:inverseOf`` is also readable **backwards**: the inverse name becomes a
  field of the property's range classes (``usesResource`` -> ``Resource.isUsedBy``).
  Properties without a domain (and inverses without a range) sit on ``Node``; import-record
  terms (``skos:scopeNote "Import record term..."``) are left out.
- A field is **single-valued** when the property is an ``owl:FunctionalProperty``, or when a
  shape with ``sh:maxCount 1`` covers every class the field is declared on; else a list.
- A field's **type**: datatype properties map ``xsd:integer`` -> Int, ``xsd:boolean`` ->
  Boolean, ``xsd:decimal``/``xsd:double`` -> Float, anything else -> String; object properties
  whose range is ``svc:Concept`` (or whose shape lists concepts with ``sh:in``) -> ``Concept``;
  other object properties -> the range class (or ``sh:class``), ``Node`` when the range is a
  union or missing. One definition per field name across all types, so interfaces and their
  implementations always agree.

>>> model = load_model()
>>> model.classes["CustomerFacingService"].parents
('Service',)
>>> model.fields["isUsedBy"].inverse, model.fields["lifecycleStatus"].single
(True, True)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS, XSD

from svckg.config import ONTOLOGY_DIR
from svckg.validation.shacl import load_shapes
from svckg.vocab import SVC

NODE = "Node"
"""The root interface: every element."""
CONCEPT = "Concept"
"""The type of SKOS concepts (statuses, roles, layers...)."""
SCALARS = {
    str(XSD.integer): "Int",
    str(XSD.int): "Int",
    str(XSD.nonNegativeInteger): "Int",
    str(XSD.positiveInteger): "Int",
    str(XSD.boolean): "Boolean",
    str(XSD.decimal): "Float",
    str(XSD.double): "Float",
    str(XSD.float): "Float",
}
"""XSD datatype -> GraphQL scalar (anything else is String)."""
IMPORT_RECORD_NOTE = "Import record term"


@dataclass(frozen=True)
class FieldSpec:
    """One GraphQL field: the property it reads and in which direction."""

    name: str
    predicate: str
    """Property IRI read by the field."""
    inverse: bool
    """True: the field lists subjects ``?x <predicate> this`` (the owl:inverseOf name)."""
    kind: str
    """``scalar``, ``concept`` or ``object``."""
    type_name: str
    """GraphQL type of one value: a scalar name, ``Concept``, a class type or ``Node``."""
    single: bool
    description: str = ""


@dataclass
class ClassSpec:
    """One ontology class as a GraphQL type."""

    name: str
    iri: str
    parents: tuple[str, ...]
    """Direct ``svc:`` superclasses (GraphQL interfaces it implements besides Node)."""
    fields: list[str] = field(default_factory=list)
    """Field names declared on this class (inherited ones are not repeated)."""
    description: str = ""
    is_interface: bool = False


@dataclass
class SchemaModel:
    """Classes and fields of the generated schema."""

    classes: dict[str, ClassSpec]
    fields: dict[str, FieldSpec]
    node_fields: list[str]
    """Fields every element has (properties without a domain)."""

    def ancestors(self, name: str) -> list[str]:
        """``name`` and all its superclasses, nearest first.

        >>> load_model().ancestors("Team")[:3]
        ['Team', 'Party', 'Resource']
        """
        out: list[str] = []
        todo = [name]
        while todo:
            current = todo.pop(0)
            if current in out or current not in self.classes:
                continue
            out.append(current)
            todo.extend(self.classes[current].parents)
        return out

    def subclasses(self, name: str) -> list[str]:
        """``name`` and every class below it."""
        return [c for c in self.classes if name in self.ancestors(c)]

    def all_fields(self, name: str) -> list[str]:
        """Every field of class ``name``: Node's, then inherited, then its own (no repeats)."""
        out = dict.fromkeys(self.node_fields)
        for cls in reversed(self.ancestors(name)):
            out.update(dict.fromkeys(self.classes[cls].fields))
        return list(out)

    def concrete_name(self, name: str) -> str:
        """The object type for elements typed exactly with class ``name``."""
        return f"Plain{name}" if self.classes[name].is_interface else name


def _local(iri: object) -> str:
    return str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _text(graph: Graph, subject: URIRef, predicate: URIRef) -> str:
    values = [o for o in graph.objects(subject, predicate)]
    english = [str(v) for v in values if getattr(v, "language", None) in (None, "en")]
    return english[0] if english else (str(values[0]) if values else "")


def _svc_classes(graph: Graph, nodes: Iterable[object]) -> list[str]:
    """Local names of the ``svc:`` classes ``nodes`` name (unions expanded)."""
    out: list[str] = []
    for node in nodes:
        if isinstance(node, BNode):
            union = graph.value(node, OWL.unionOf)
            if union is not None:
                out += _svc_classes(graph, Collection(graph, union))
        elif isinstance(node, URIRef) and str(node).startswith(str(SVC)):
            out.append(_local(node))
    return out


def _concept_range(ontology: Graph, prop: URIRef) -> bool:
    return any(r in (SVC.Concept, SKOS.Concept) for r in ontology.objects(prop, RDFS.range)) or any(
        str(c).startswith(str(SVC)) and (c, RDFS.subClassOf, SKOS.Concept) in ontology
        for c in ontology.objects(prop, RDFS.range)
    )


def build_model(ontology: Graph, shapes: Graph) -> SchemaModel:
    """The schema model of ``ontology`` and ``shapes`` (see the module notes for the rules)."""
    builder = _ModelBuilder(ontology, _ontology_classes(ontology))
    builder.read_properties()
    builder.read_shapes(shapes)
    return builder.model()


def _ontology_classes(ontology: Graph) -> dict[str, ClassSpec]:
    """svc: classes (not svc:Concept) with their svc: parents; a parent becomes an interface."""
    svc = str(SVC)
    classes: dict[str, ClassSpec] = {}
    for cls in sorted(set(ontology.subjects(RDF.type, OWL.Class)), key=str):
        if not isinstance(cls, URIRef) or not str(cls).startswith(svc):
            continue
        name = _local(cls)
        if name == CONCEPT:
            continue
        parents = tuple(
            p for p in _svc_classes(ontology, ontology.objects(cls, RDFS.subClassOf)) if p != name
        )
        classes[name] = ClassSpec(
            name, str(cls), parents, description=_text(ontology, cls, SKOS.definition)
        )
    for spec in classes.values():
        spec.parents = tuple(p for p in spec.parents if p in classes)
        for parent in spec.parents:
            classes[parent].is_interface = True
    return classes


class _ModelBuilder:
    """Collects which class declares which field (from property domains and shapes) and the
    field variants, then merges them into one :class:`SchemaModel`."""

    def __init__(self, ontology: Graph, classes: dict[str, ClassSpec]):
        self.ontology = ontology
        self.classes = classes
        self.declared: dict[str, dict[str, None]] = {}
        """field name -> classes declaring it (NODE for Node)."""
        self.specs: dict[str, list[FieldSpec]] = {}
        self.max_one: dict[str, set[str]] = {}
        """field name -> classes whose shapes say sh:maxCount 1 for it."""

    def declare(self, name: str, on: Iterable[str], spec: FieldSpec) -> None:
        holders = [c for c in on if c in self.classes] or [NODE]
        for holder in holders:
            self.declared.setdefault(name, {})[holder] = None
        self.specs.setdefault(name, []).append(spec)

    def value_type(self, prop: URIRef, ranges: list[str]) -> tuple[str, str]:
        ontology = self.ontology
        if (prop, RDF.type, OWL.DatatypeProperty) in ontology:
            datatypes = [str(r) for r in ontology.objects(prop, RDFS.range)]
            return "scalar", SCALARS.get(datatypes[0], "String") if datatypes else "String"
        if _concept_range(ontology, prop):
            return "concept", CONCEPT
        known = [r for r in ranges if r in self.classes]
        return "object", known[0] if len(known) == 1 else NODE

    def read_properties(self) -> None:
        ontology, svc = self.ontology, str(SVC)
        functional = set(ontology.subjects(RDF.type, OWL.FunctionalProperty))
        properties = [
            p
            for kind in (OWL.ObjectProperty, OWL.DatatypeProperty)
            for p in ontology.subjects(RDF.type, kind)
            if isinstance(p, URIRef) and str(p).startswith(svc)
        ]
        inverse_names = {
            _local(q) for p in properties for q in ontology.objects(p, OWL.inverseOf)
        } | {_local(p) for p in properties for _ in ontology.subjects(OWL.inverseOf, p)}
        for prop in sorted(properties, key=str):
            name = _local(prop)
            if name in inverse_names and not any(ontology.objects(prop, OWL.inverseOf)):
                continue  # an inverse name: read through its forward property
            if _text(ontology, prop, SKOS.scopeNote).startswith(IMPORT_RECORD_NOTE):
                continue
            if any(d in (SVC.Concept, SKOS.Concept) for d in ontology.objects(prop, RDFS.domain)):
                continue  # describes concepts (layer order...), not elements
            self.read_property(prop, name, prop in functional)

    def read_property(self, prop: URIRef, name: str, functional: bool) -> None:
        ontology = self.ontology
        domains = _svc_classes(ontology, ontology.objects(prop, RDFS.domain))
        ranges = _svc_classes(ontology, ontology.objects(prop, RDFS.range))
        kind, type_name = self.value_type(prop, ranges)
        description = _text(ontology, prop, SKOS.definition)
        self.declare(
            name,
            domains,
            FieldSpec(name, str(prop), False, kind, type_name, functional, description),
        )
        for inverse in ontology.objects(prop, OWL.inverseOf):
            inv = _local(inverse)
            holders = ranges if kind == "object" else []
            back = domains[0] if len(domains) == 1 and domains[0] in self.classes else NODE
            self.declare(
                inv,
                holders,
                FieldSpec(
                    inv,
                    str(prop),
                    True,
                    "object",
                    back,
                    False,
                    _text(ontology, inverse, SKOS.definition) or f"Inverse of svc:{name}.",
                ),
            )

    def read_shapes(self, shapes: Graph) -> None:
        """Shapes declare a field on their target classes too, and sh:maxCount 1 makes it
        single-valued there."""
        svc = str(SVC)
        for shape in set(shapes.subjects(RDF.type, SH.NodeShape)):
            targets = [_local(t) for t in shapes.objects(shape, SH.targetClass)]
            targets = [t for t in targets if t in self.classes]
            for prop_shape in shapes.objects(shape, SH.property):
                path = shapes.value(prop_shape, SH.path)
                if not isinstance(path, URIRef) or not str(path).startswith(svc):
                    continue
                name = _local(path)
                if name not in self.specs or self.specs[name][0].inverse:
                    continue
                for target in targets:
                    self.declared.setdefault(name, {})[target] = None
                count = shapes.value(prop_shape, SH.maxCount)
                if count is not None and int(count) == 1:
                    self.max_one.setdefault(name, set()).update(targets)

    def model(self) -> SchemaModel:
        """One field per name: the variants merged, placed on the outermost declaring classes
        (or on Node)."""
        model = SchemaModel(self.classes, {}, [])
        for name, holders in self.declared.items():
            variants = self.specs[name]
            first = variants[0]
            types = {v.type_name for v in variants}
            covered = {c for t in self.max_one.get(name, ()) for c in model.subclasses(t)}
            single = all(v.single for v in variants) or (
                NODE not in holders and bool(covered) and set(holders) <= covered
            )
            model.fields[name] = FieldSpec(
                name,
                first.predicate,
                first.inverse,
                first.kind,
                first.type_name if len(types) == 1 else NODE,
                single and not first.inverse,
                first.description,
            )
            if NODE in holders:
                model.node_fields.append(name)
            else:
                for holder in _outermost(model, list(holders)):
                    self.classes[holder].fields.append(name)
        model.node_fields.sort()
        for spec in self.classes.values():
            spec.fields.sort()
        return model


def _outermost(model: SchemaModel, holders: list[str]) -> list[str]:
    """Holders without an ancestor among the holders (a field is declared once, inherited)."""
    return [h for h in holders if not any(a in holders for a in model.ancestors(h)[1:])]


@lru_cache(maxsize=4)
def _cached(ontology_path: str, stamp: tuple[float, ...]) -> SchemaModel:
    ontology = Graph()
    ontology.parse(ontology_path, format="turtle")
    return build_model(ontology, load_shapes())


def load_model(ontology_path: Path | None = None) -> SchemaModel:
    """The model of ``ontology/svckg.ttl`` and the default shapes (cached until a file
    changes)."""
    path = ontology_path or ONTOLOGY_DIR / "svckg.ttl"
    return _cached(str(path), (path.stat().st_mtime,))
