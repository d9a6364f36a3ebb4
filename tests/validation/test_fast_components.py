"""Each SHACL Core component and path kind on small data: the fast validator finds exactly the
hand-computed results, and pyshacl (the reference) finds the same set."""

from __future__ import annotations

from collections import Counter

import pytest
from rdflib import Graph

from svckg.validation.fast.engine import FastValidator
from svckg.validation.shacl import store_to_graph, validate_pyshacl

EX = "http://example.org/"
SH = "http://www.w3.org/ns/shacl#"

# name: (shapes, data, expected {(focus local name, component local name, value or None)})
CASES: dict[str, tuple[str, str, set[tuple[str, str, str | None]]]] = {
    "class-with-subclass": (
        "ex:S sh:targetClass ex:Service ; sh:property [ sh:path ex:owner ; sh:class ex:Party ] .",
        """ex:Team rdfs:subClassOf ex:Party .
        ex:a a ex:Service ; ex:owner ex:t . ex:t a ex:Team .
        ex:b a ex:Service ; ex:owner ex:x , "literal" . ex:x a ex:Thing .""",
        {("b", "Class", "x"), ("b", "Class", '"literal"')},
    ),
    "datatype-and-ill-typed": (
        "ex:S sh:targetSubjectsOf ex:n ; sh:property [ sh:path ex:n ; sh:datatype xsd:integer ] .",
        'ex:a ex:n 1 . ex:b ex:n "x"^^xsd:integer . ex:c ex:n "1" . ex:d ex:n "1"@en .',
        {
            ("b", "Datatype", '"x"^^<http://www.w3.org/2001/XMLSchema#integer>'),
            ("c", "Datatype", '"1"'),
            ("d", "Datatype", '"1"@en'),
        },
    ),
    "node-kind": (
        "ex:S sh:targetSubjectsOf ex:p ; sh:property [ sh:path ex:p ; sh:nodeKind sh:IRI ] .",
        'ex:a ex:p ex:b . ex:c ex:p "lit" .',
        {("c", "NodeKind", '"lit"')},
    ),
    "min-max-count": (
        """ex:S sh:targetClass ex:C ;
            sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:maxCount 2 ] ,
                        [ sh:path ex:q ; sh:minCount 2 ] .""",
        """ex:a a ex:C ; ex:p 1 ; ex:q 1, 2 .
        ex:b a ex:C ; ex:q 1 .
        ex:c a ex:C ; ex:p 1, 2, 3 ; ex:q 1, 2 .""",
        {("b", "MinCount", None), ("c", "MaxCount", None)},
    ),
    "ranges": (
        """ex:S sh:targetSubjectsOf ex:n ;
            sh:property [ sh:path ex:n ; sh:minInclusive 1 ; sh:maxExclusive 10 ] .""",
        'ex:a ex:n 5 . ex:b ex:n 0 . ex:c ex:n 10 . ex:d ex:n "five" .',
        {
            ("b", "MinInclusive", '"0"^^<http://www.w3.org/2001/XMLSchema#integer>'),
            ("c", "MaxExclusive", '"10"^^<http://www.w3.org/2001/XMLSchema#integer>'),
            ("d", "MinInclusive", '"five"'),
            ("d", "MaxExclusive", '"five"'),
        },
    ),
    "length-pattern-flags": (
        """ex:S sh:targetSubjectsOf ex:code ; sh:property [ sh:path ex:code ;
            sh:minLength 2 ; sh:maxLength 4 ; sh:pattern "^ab" ; sh:flags "i" ] .""",
        'ex:a ex:code "ABc" . ex:b ex:code "x" . ex:c ex:code "abcde" .',
        {("b", "MinLength", '"x"'), ("b", "Pattern", '"x"'), ("c", "MaxLength", '"abcde"')},
    ),
    "language-in-unique-lang": (
        """ex:S sh:targetSubjectsOf ex:label ; sh:property [ sh:path ex:label ;
            sh:languageIn ( "en" "fi" ) ; sh:uniqueLang true ] .""",
        """ex:a ex:label "a"@en, "b"@fi . ex:b ex:label "c"@de .
        ex:c ex:label "d"@en, "e"@en-GB, "f"@en .""",
        {("b", "LanguageIn", '"c"@de'), ("c", "UniqueLang", None)},
    ),
    "equals-disjoint": (
        """ex:S sh:targetSubjectsOf ex:p ; sh:property [ sh:path ex:p ; sh:equals ex:q ;
            sh:disjoint ex:r ] .""",
        "ex:a ex:p 1 ; ex:q 1 . ex:b ex:p 1 ; ex:q 2 . ex:c ex:p 1 ; ex:q 1 ; ex:r 1 .",
        {
            ("b", "Equals", '"1"^^<http://www.w3.org/2001/XMLSchema#integer>'),
            ("b", "Equals", '"2"^^<http://www.w3.org/2001/XMLSchema#integer>'),
            ("c", "Disjoint", '"1"^^<http://www.w3.org/2001/XMLSchema#integer>'),
        },
    ),
    "less-than": (
        """ex:S sh:targetSubjectsOf ex:start ;
            sh:property [ sh:path ex:start ; sh:lessThan ex:end ] ,
            [ sh:path ex:low ; sh:lessThanOrEquals ex:end ] .""",
        "ex:a ex:start 1 ; ex:low 2 ; ex:end 2 . ex:b ex:start 3 ; ex:low 3 ; ex:end 2 .",
        {
            ("b", "LessThan", '"3"^^<http://www.w3.org/2001/XMLSchema#integer>'),
            ("b", "LessThanOrEquals", '"3"^^<http://www.w3.org/2001/XMLSchema#integer>'),
        },
    ),
    "has-value-in": (
        """ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:status ; sh:hasValue ex:live ] ,
            [ sh:path ex:kind ; sh:in ( ex:k1 ex:k2 ) ] .""",
        """ex:a a ex:C ; ex:status ex:live ; ex:kind ex:k1 .
        ex:b a ex:C ; ex:status ex:old ; ex:kind ex:k3 .""",
        {("b", "HasValue", None), ("b", "In", "k3")},
    ),
    "logical": (
        """ex:S sh:targetClass ex:C ;
            sh:not [ sh:path ex:bad ; sh:minCount 1 ] ;
            sh:or ( [ sh:path ex:x ; sh:minCount 1 ] [ sh:path ex:y ; sh:minCount 1 ] ) ;
            sh:xone ( [ sh:path ex:u ; sh:minCount 1 ] [ sh:path ex:v ; sh:minCount 1 ] ) ;
            sh:and ( [ sh:path ex:label ; sh:minCount 1 ] ) .""",
        """ex:a a ex:C ; ex:x 1 ; ex:u 1 ; ex:label "a" .
        ex:b a ex:C ; ex:bad 1 ; ex:y 1 ; ex:u 1 ; ex:v 1 .
        ex:c a ex:C ; ex:label "c" .""",
        {
            ("b", "Not", "b"),
            ("b", "Xone", "b"),
            ("b", "And", "b"),
            ("c", "Or", "c"),
            ("c", "Xone", "c"),
        },
    ),
    "node-and-nested-property": (
        """ex:S sh:targetClass ex:Service ;
            sh:property [ sh:path ex:owner ; sh:node ex:PartyShape ] .
        ex:PartyShape sh:property [ sh:path ex:email ; sh:minCount 1 ] .""",
        """ex:a a ex:Service ; ex:owner ex:p1 . ex:p1 ex:email "p1@x" .
        ex:b a ex:Service ; ex:owner ex:p2 .""",
        {("b", "Node", "p2")},
    ),
    "qualified-disjoint": (
        """ex:S sh:targetClass ex:Hand ;
            sh:property [ sh:path ex:digit ; sh:qualifiedValueShape [ sh:class ex:Thumb ] ;
                          sh:qualifiedMinCount 1 ; sh:qualifiedMaxCount 1 ;
                          sh:qualifiedValueShapesDisjoint true ] ,
                        [ sh:path ex:digit ; sh:qualifiedValueShape [ sh:class ex:Finger ] ;
                          sh:qualifiedMinCount 4 ; sh:qualifiedMaxCount 4 ;
                          sh:qualifiedValueShapesDisjoint true ] .""",
        """ex:h1 a ex:Hand ; ex:digit ex:t, ex:f1, ex:f2, ex:f3, ex:f4 .
        ex:t a ex:Thumb . ex:f1 a ex:Finger . ex:f2 a ex:Finger . ex:f3 a ex:Finger .
        ex:f4 a ex:Finger .
        ex:h2 a ex:Hand ; ex:digit ex:tf, ex:f1, ex:f2, ex:f3 . ex:tf a ex:Thumb, ex:Finger .""",
        {("h2", "QualifiedMinCount", None), ("h2", "QualifiedMinCount", None)},
    ),
    "closed": (
        """ex:S sh:targetClass ex:C ; sh:closed true ; sh:ignoredProperties ( rdf:type ) ;
            sh:property [ sh:path ex:p ] .""",
        "ex:a a ex:C ; ex:p 1 . ex:b a ex:C ; ex:p 1 ; ex:q 2 .",
        {("b", "Closed", '"2"^^<http://www.w3.org/2001/XMLSchema#integer>')},
    ),
    "paths": (
        """ex:Inv sh:targetNode ex:b ; sh:property [ sh:path [ sh:inversePath ex:p ] ;
                sh:maxCount 0 ] .
        ex:Seq sh:targetNode ex:a ; sh:property [ sh:path ( ex:p ex:p ) ; sh:hasValue ex:z ] .
        ex:Alt sh:targetNode ex:a ; sh:property [ sh:path [ sh:alternativePath ( ex:p ex:q ) ] ;
                sh:maxCount 1 ] .
        ex:Star sh:targetNode ex:a ; sh:property [ sh:path [ sh:zeroOrMorePath ex:p ] ;
                sh:maxCount 2 ] .
        ex:Plus sh:targetNode ex:a ; sh:property [ sh:path [ sh:oneOrMorePath ex:p ] ;
                sh:class ex:Node ] .
        ex:Opt sh:targetNode ex:a ; sh:property [ sh:path [ sh:zeroOrOnePath ex:p ] ;
                sh:minCount 3 ] .""",
        "ex:a ex:p ex:b ; ex:q ex:d . ex:b ex:p ex:c . ex:b a ex:Node .",
        {
            ("b", "MaxCount", None),
            ("a", "HasValue", None),
            ("a", "MaxCount", None),
            ("a", "Class", "c"),
            ("a", "MaxCount", None),
            ("a", "MinCount", None),
        },
    ),
    "sparql-constraint": (
        """ex:S sh:targetClass ex:C ; sh:sparql [
            sh:message "{$this} shares {?value}" ;
            sh:select '''SELECT $this ?value WHERE { $this ex:id ?value .
                ?o ex:id ?value FILTER(?o != $this) }''' ;
            sh:prefixes ex:decl ] .
        ex:decl sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .""",
        'ex:a a ex:C ; ex:id "1" . ex:b a ex:C ; ex:id "1" . ex:c a ex:C ; ex:id "2" .',
        {("a", "SPARQL", '"1"'), ("b", "SPARQL", '"1"')},
    ),
}


def _local(text: str | None) -> str | None:
    if text is None:
        return None
    for ns in (EX, SH):
        if text.startswith(ns):
            return text[len(ns) :].removesuffix("ConstraintComponent")
    return text


@pytest.mark.parametrize("name", sorted(CASES))
def test_component(name: str, make_store, make_shapes) -> None:
    shapes_ttl, data_ttl, expected = CASES[name]
    shapes: Graph = make_shapes(shapes_ttl)
    store = make_store(data_ttl)
    report = FastValidator(shapes).validate(store)
    found = {
        (_local(r.focus_node), _local(r.constraint_component), _local(r.value))
        for r in report.results
    }
    assert found == expected
    reference = validate_pyshacl(store_to_graph(store), shapes)
    assert Counter(r.key() for r in report.results) == Counter(r.key() for r in reference.results)


def test_severity_message_and_path_are_reported(make_store, make_shapes) -> None:
    shapes = make_shapes("""ex:S sh:targetClass ex:C ; sh:severity sh:Warning ;
        sh:property [ sh:path [ sh:inversePath ex:p ] ; sh:minCount 1 ;
                      sh:message "{$this} needs a referrer" ] .""")
    report = FastValidator(shapes).validate(make_store("ex:a a ex:C ."))
    [result] = report.results
    assert result.path == "^<http://example.org/p>"
    assert result.message == "http://example.org/a needs a referrer"
    # A nested property shape has its own severity (Violation by default), not its parent's.
    assert result.severity == "Violation" and report.conforms is False


def test_default_graph_limits_the_data(make_store, make_shapes) -> None:
    import pyoxigraph as ox

    shapes = make_shapes(
        "ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1 ] ."
    )
    store = make_store("ex:a a ex:C .")
    store.add(
        ox.Quad(
            ox.NamedNode(EX + "a"),
            ox.NamedNode(EX + "p"),
            ox.Literal("x"),
            ox.NamedNode("urn:other"),
        )
    )
    validator = FastValidator(shapes)
    assert validator.validate(store).conforms
    only_data = validator.validate(store, default_graph=[ox.NamedNode("urn:svckg:test:data")])
    assert [r.focus_node for r in only_data.results] == [EX + "a"]


def test_deactivated_shape_is_skipped(make_store, make_shapes) -> None:
    shapes = make_shapes("""ex:S sh:targetClass ex:C ; sh:deactivated true ;
        sh:property [ sh:path ex:p ; sh:minCount 1 ] .""")
    assert FastValidator(shapes).validate(make_store("ex:a a ex:C .")).results == []
