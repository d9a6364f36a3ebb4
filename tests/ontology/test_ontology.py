"""ontology/svckg.ttl: the public contract, dependency properties, layers, OWL consistency."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from svckg.vocab import CONCEPT, CONTRACT_CLASSES, CONTRACT_PROPERTIES, DEPENDENCY_PROPERTIES, SVC

ONTOLOGY_IRI = URIRef("https://w3id.org/svckg")
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
PROPERTY_TYPES = {OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}


def _english(graph: Graph, term: URIRef, predicate: URIRef) -> list[str]:
    return [
        str(o)
        for o in graph.objects(term, predicate)
        if isinstance(o, Literal) and o.language == "en" and str(o).strip()
    ]


def _svc_terms(graph: Graph, *types: URIRef) -> set[URIRef]:
    return {
        s
        for t in types
        for s in graph.subjects(RDF.type, t)
        if isinstance(s, URIRef) and str(s).startswith(str(SVC))
    }


def test_header(ontology: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(ONTOLOGY_IRI, OWL.versionIRI) is not None
    assert ontology.value(ONTOLOGY_IRI, OWL.versionInfo) is not None
    vann = "http://purl.org/vocab/vann/"
    assert str(ontology.value(ONTOLOGY_IRI, URIRef(vann + "preferredNamespacePrefix"))) == "svc"
    assert ontology.value(ONTOLOGY_IRI, URIRef("http://purl.org/dc/terms/license")) is not None


@pytest.mark.parametrize("name", CONTRACT_CLASSES)
def test_contract_class(ontology: Graph, name: str) -> None:
    term = SVC[name]
    assert (term, RDF.type, OWL.Class) in ontology, f"svc:{name} is not declared an owl:Class"
    assert len(_english(ontology, term, RDFS.label)) == 1, f"svc:{name} needs one label@en"
    assert len(_english(ontology, term, SKOS.definition)) == 1, f"svc:{name} needs a definition@en"


@pytest.mark.parametrize("name", CONTRACT_PROPERTIES)
def test_contract_property(ontology: Graph, name: str) -> None:
    term = SVC[name]
    types = set(ontology.objects(term, RDF.type))
    assert types & PROPERTY_TYPES, f"svc:{name} is not declared as a property"
    assert len(_english(ontology, term, RDFS.label)) == 1, f"svc:{name} needs one label@en"
    assert len(_english(ontology, term, SKOS.definition)) == 1, f"svc:{name} needs a definition@en"


def test_every_term_is_labelled_and_defined(ontology: Graph) -> None:
    terms = _svc_terms(ontology, OWL.Class, *PROPERTY_TYPES)
    missing = sorted(
        str(t)
        for t in terms
        if len(_english(ontology, t, RDFS.label)) != 1
        or len(_english(ontology, t, SKOS.definition)) != 1
    )
    assert not missing
    assert len(terms) > 100


def test_depends_on_is_transitive_with_exactly_the_contract_subproperties(ontology: Graph) -> None:
    assert (SVC.dependsOn, RDF.type, OWL.TransitiveProperty) in ontology
    subs = {s for s in ontology.transitive_subjects(RDFS.subPropertyOf, SVC.dependsOn)} - {
        SVC.dependsOn
    }
    assert subs == {SVC[n] for n in DEPENDENCY_PROPERTIES}
    assert (SVC.member, RDFS.subPropertyOf, None) not in ontology
    note = " ".join(_english(ontology, SVC.member, SKOS.scopeNote))
    assert "not a sub-property of svc:dependsOn" in note


READABLE_INVERSES = [
    "dependsOn",
    *DEPENDENCY_PROPERTIES,
    "member",
    "ownedBy",
    "agent",
    "inContextOf",
    "provider",
    "consumer",
    "governedBy",
    "visibleElement",
    "target",
    "hasSolution",
    "hasPackage",
    "hasFeature",
]


@pytest.mark.parametrize("name", READABLE_INVERSES)
def test_readable_inverse(ontology: Graph, name: str) -> None:
    inverses = list(ontology.objects(SVC[name], OWL.inverseOf))
    assert len(inverses) == 1, f"svc:{name} needs exactly one owl:inverseOf"
    inverse = inverses[0]
    assert (inverse, RDF.type, OWL.ObjectProperty) in ontology
    assert _english(ontology, inverse, RDFS.label)
    # the inverse is for readers only: it must not be a dependency property itself
    assert (inverse, RDFS.subPropertyOf, SVC.dependsOn) not in ontology


def test_inverse_names_used_by_graphql(ontology: Graph) -> None:
    expected = {
        "dependsOn": "isDependedOnBy",
        "includesService": "isIncludedIn",
        "usesResource": "isUsedBy",
        "offersService": "isOfferedBy",
        "covers": "isCoveredBy",
        "enabledBy": "enables",
        "realizedBy": "realizes",
    }
    for forward, inverse in expected.items():
        assert (SVC[forward], OWL.inverseOf, SVC[inverse]) in ontology


def test_inverse_names_are_unique(ontology: Graph) -> None:
    """Two properties sharing one inverse would be equivalent in OWL."""
    inverses = [o for _, o in ontology.subject_objects(OWL.inverseOf)]
    assert len(inverses) == len(set(inverses))


def test_every_class_has_one_layer_from_the_layer_scheme(ontology: Graph, concepts: Graph) -> None:
    layers = set(concepts.subjects(SKOS.inScheme, CONCEPT.ArchitectureLayers))
    assert (SVC.layer, RDF.type, OWL.AnnotationProperty) in ontology
    for cls in _svc_terms(ontology, OWL.Class):
        values = list(ontology.objects(cls, SVC.layer))
        assert len(values) == 1 and values[0] in layers, f"{cls} has layer {values}"
    assert ontology.value(SVC.BackendService, SVC.layer) == CONCEPT["backend-layer"]
    assert ontology.value(SVC.Touchpoint, SVC.layer) == CONCEPT["experience-layer"]
    assert ontology.value(SVC.Capability, SVC.layer) == CONCEPT["capability-layer"]


def test_no_xsd_date_for_hermit(ontology: Graph) -> None:
    assert not list(ontology.triples((None, RDFS.range, XSD_DATE)))
    assert not [o for o in ontology.objects() if isinstance(o, Literal) and o.datatype == XSD_DATE]


HERMIT_SCRIPT = """
import sys, owlready2
world = owlready2.World()
onto = world.get_ontology("file://" + sys.argv[1]).load(format="ntriples")
with onto:
    owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
classes = [c for c in onto.classes() if c.iri.startswith("https://w3id.org/svckg#")]
print(len(classes))
print(" ".join(sorted(c.iri for c in world.inconsistent_classes())))
"""


def test_consistent_and_every_class_satisfiable(ontology: Graph, tmp_path: Path) -> None:
    """HermiT (through owlready2) in a subprocess: owlready2 keeps global state per process."""
    nt = tmp_path / "svckg.nt"
    ontology.serialize(nt, format="nt", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", HERMIT_SCRIPT, str(nt)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    # owlready2 raises OwlReadyInconsistentOntologyError (non-zero exit) if inconsistent
    assert result.returncode == 0, result.stderr[-2000:]
    n_classes, unsatisfiable = (result.stdout.splitlines() + ["", ""])[:2]
    assert int(n_classes) == len(_svc_terms(ontology, OWL.Class))
    assert unsatisfiable == ""


def test_hermit_detects_an_unsatisfiable_class(ontology: Graph, tmp_path: Path) -> None:
    """The check above can fail: a class under two disjoint classes is reported."""
    broken = Graph() + ontology
    broken.add((SVC.Chimera, RDF.type, OWL.Class))
    broken.add((SVC.Chimera, RDFS.subClassOf, SVC.CustomerFacingService))
    broken.add((SVC.Chimera, RDFS.subClassOf, SVC.BackendService))
    nt = tmp_path / "broken.nt"
    broken.serialize(nt, format="nt", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", HERMIT_SCRIPT, str(nt)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert str(SVC.Chimera) in result.stdout.splitlines()[1]


def test_ontology_serializes_to_rdfxml_roundtrip(ontology: Graph) -> None:
    """Tools such as Protege read RDF/XML: the ontology survives a round trip."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "svckg.owl"
        ontology.serialize(path, format="xml")
        again = Graph().parse(path, format="xml")
    assert len(again) == len(ontology)


def test_import_record_terms_are_declared(ontology: Graph) -> None:
    """The import pipeline writes svc: terms into its provenance records: they are ours too."""
    from svckg.ingest.records import PROVENANCE_TERMS

    for name in PROVENANCE_TERMS:
        assert set(ontology.objects(SVC[name], RDF.type)) & PROPERTY_TYPES, name
        assert _english(ontology, SVC[name], SKOS.definition), name
