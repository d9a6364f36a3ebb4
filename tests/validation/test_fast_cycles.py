"""The cycle idiom: Tarjan's answer equals the per-node closure the SPARQL query would compute,
and the fast validator's answer on the store equals pyshacl's."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from svckg.validation.fast.cycles import cycle_nodes, cycle_predicates
from svckg.validation.fast.engine import FastValidator
from svckg.validation.shacl import store_to_graph, validate_pyshacl


def _on_cycle(edges: list[tuple[int, int]]) -> set[int]:
    succ: dict[int, set[int]] = {}
    for s, o in edges:
        succ.setdefault(s, set()).add(o)
    found = set()
    for start in succ:
        seen, todo = set(), list(succ[start])
        while todo:
            node = todo.pop()
            if node == start:
                found.add(start)
                break
            if node not in seen:
                seen.add(node)
                todo.extend(succ.get(node, ()))
    return found


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), max_size=40))
def test_tarjan_matches_closure(edges: list[tuple[int, int]]) -> None:
    assert cycle_nodes(edges) == _on_cycle(edges)


def test_only_the_exact_idiom_is_recognised() -> None:
    prefixes = {"svc": "urn:svc:"}
    assert cycle_predicates("SELECT $this WHERE {\n $this (svc:a|svc:b)+ $this .\n}", prefixes) == [
        "urn:svc:a",
        "urn:svc:b",
    ]
    for other in (
        "SELECT $this WHERE { $this svc:a+ $this . ?x svc:b ?y }",
        "SELECT $this WHERE { $this svc:a* $this }",
        "SELECT $this ?v WHERE { $this svc:a+ $this }",
        "SELECT $this WHERE { $this undeclared:a+ $this }",
    ):
        assert cycle_predicates(other, prefixes) is None, other


def test_cycle_constraint_same_as_pyshacl(make_store, make_shapes) -> None:
    shapes = make_shapes("""ex:S sh:targetSubjectsOf ex:dependsOn ; sh:sparql [
        sh:prefixes ex:decl ;
        sh:select "SELECT $this WHERE { $this (ex:dependsOn|ex:member)+ $this . }" ] .
        ex:decl sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .""")
    store = make_store("""ex:a ex:dependsOn ex:b . ex:b ex:dependsOn ex:g . ex:g ex:member ex:a .
        ex:c ex:dependsOn ex:c . ex:d ex:dependsOn ex:a . ex:g ex:member ex:e .""")
    report = FastValidator(shapes).validate(store)
    assert {r.focus_node.rsplit("/", 1)[1] for r in report.results} == {"a", "b", "c"}
    reference = validate_pyshacl(store_to_graph(store), shapes)
    assert Counter(r.key() for r in report.results) == Counter(r.key() for r in reference.results)
