"""Reports are multisets: results that read alike but come from different constraints, pairs or
solutions stay separate results, each with its own message and sh:sourceConstraint, and
pyshacl (the reference) counts them the same way."""

from __future__ import annotations

from collections import Counter

from svckg.validation.fast.engine import FastValidator
from svckg.validation.report import ValidationReport
from svckg.validation.shacl import store_to_graph, validate_pyshacl

EX = "http://example.org/"
SPARQL = "http://www.w3.org/ns/shacl#SPARQLConstraintComponent"


def _both(make_shapes, make_store, shapes: str, data: str) -> ValidationReport:
    """The fast report, checked equal to pyshacl's as a multiset of full keys."""
    graph, store = make_shapes(shapes), make_store(data)
    ours = FastValidator(graph).validate(store)
    theirs = validate_pyshacl(store_to_graph(store), graph)
    assert Counter(r.key() for r in ours.results) == Counter(r.key() for r in theirs.results)
    return ours


def test_two_class_constraints_give_two_results(make_shapes, make_store) -> None:
    report = _both(
        make_shapes,
        make_store,
        "ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:class ex:A , ex:B ] .",
        "ex:a ex:p ex:v .",
    )
    assert len(report.results) == 2
    assert len({r.key() for r in report.results}) == 1  # same key, still two results


def test_two_sparql_constraints_keep_their_own_message(make_shapes, make_store) -> None:
    report = _both(
        make_shapes,
        make_store,
        """ex:S sh:targetNode ex:a ;
            sh:sparql ex:first , ex:second .
        ex:first sh:message "first" ; sh:select "SELECT $this WHERE { $this ?p ?o }" .
        ex:second sh:message "second" ; sh:select "SELECT $this WHERE { $this ?p ?o }" .""",
        "ex:a ex:p 1 .",
    )
    by_source = {(r.source_constraint, r.message) for r in report.results}
    assert by_source == {(EX + "first", "first"), (EX + "second", "second")}
    assert {r.constraint_component for r in report.results} == {SPARQL}


def test_solutions_differing_in_message_are_two_results(make_shapes, make_store) -> None:
    report = _both(
        make_shapes,
        make_store,
        """ex:S sh:targetNode ex:a ; sh:sparql [ sh:select
            "SELECT $this ?message WHERE { $this ?p ?o BIND(STR(?o) AS ?message) }" ] .""",
        'ex:a ex:p "one" , "two" .',
    )
    assert sorted(r.message for r in report.results) == ["one", "two"]


def test_less_than_counts_each_failing_pair(make_shapes, make_store) -> None:
    report = _both(
        make_shapes,
        make_store,
        "ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:lessThan ex:q ] .",
        "ex:a ex:p 5 ; ex:q 1 , 2 , 9 .",
    )
    assert len(report.results) == 2  # 5 < 1 and 5 < 2 fail: one result per pair


def test_report_graph_names_the_source_constraint(make_shapes, make_store) -> None:
    from rdflib.namespace import SH

    report = FastValidator(
        make_shapes(
            'ex:S sh:targetNode ex:a ; sh:sparql ex:c . ex:c sh:select "SELECT $this { }" .'
        )
    ).validate(make_store("ex:a ex:p 1 ."))
    graph = report.to_rdf()
    assert [str(o) for o in graph.objects(None, SH.sourceConstraint)] == [EX + "c"]


def test_a_focus_node_reached_twice_by_its_targets_is_validated_once(
    make_shapes, make_store
) -> None:
    """sh:targetObjectsOf binds the object of two triples twice: still one focus node, so
    one result per solution of its SPARQL constraint (the engine's old dedup hid this)."""
    report = _both(
        make_shapes,
        make_store,
        """ex:S sh:targetObjectsOf ex:p ; sh:targetClass ex:C ;
            sh:sparql [ sh:select "SELECT $this WHERE { FILTER NOT EXISTS { $this ex:q ?x } }" ;
                        sh:prefixes ex:decl ] .
        ex:decl sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .""",
        'ex:a ex:p "x"^^xsd:integer , ex:b . ex:c ex:p "x"^^xsd:integer , ex:b . ex:b a ex:C .',
    )
    assert sorted(r.focus_node for r in report.results) == [
        '"x"^^<http://www.w3.org/2001/XMLSchema#integer>',
        EX + "b",
    ]
