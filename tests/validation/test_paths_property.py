"""Every SHACL path combination, nested to depth 4: the path is written as SHACL RDF, read back
by ``parse_path``, turned into the SPARQL the validator runs (:meth:`Path.pattern`, the focus
node bound by VALUES as the validator binds it) and run on pyoxigraph from each start node,
including one in no triple; the value nodes must equal a direct evaluation of the path's
definition (SHACL 2.3.1) on the same small random graph."""

from __future__ import annotations

import pyoxigraph as ox
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from svckg.validation.fast.paths import parse_path

NS = "urn:t:"
PREDICATES = ("p", "q", "r")
NODES = tuple(f"n{i}" for i in range(5))
OUTSIDE = "n9"  # a start node in no triple: the zero-length paths still reach it

predicate = st.sampled_from(PREDICATES).map(lambda p: ("predicate", p))


def _extend(children: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        st.tuples(st.sampled_from(("inverse", "zeroOrMore", "oneOrMore", "zeroOrOne")), children),
        st.tuples(
            st.sampled_from(("sequence", "alternative")),
            st.lists(children, min_size=2, max_size=3).map(tuple),
        ),
    )


def _depth(path: tuple) -> int:
    if path[0] == "predicate":
        return 0
    inner = path[1] if isinstance(path[1][0], tuple) else (path[1],)
    return 1 + max(_depth(p) for p in inner)


paths = st.recursive(predicate, _extend, max_leaves=6).filter(lambda p: _depth(p) <= 4)
graphs = st.sets(
    st.tuples(st.sampled_from(NODES), st.sampled_from(PREDICATES), st.sampled_from(NODES)),
    max_size=12,
)


def _rdf(g: Graph, path: tuple):
    """Write the path as SHACL RDF in ``g``; return its node."""
    kind, arg = path
    if kind == "predicate":
        return URIRef(NS + arg)
    if kind in ("sequence", "alternative"):
        head = BNode()
        Collection(g, head, [_rdf(g, p) for p in arg])
        if kind == "sequence":
            return head
        node = BNode()
        g.add((node, SH.alternativePath, head))
        return node
    node = BNode()
    g.add((node, SH[f"{kind}Path"], _rdf(g, arg)))
    return node


def _eval(path: tuple, start: str, triples: set) -> set[str]:
    """The value nodes of ``path`` from ``start``, by the SHACL definitions."""
    kind, arg = path
    if kind == "predicate":
        return {o for s, p, o in triples if s == start and p == arg}
    if kind == "inverse":
        everything = {n for s, _p, o in triples for n in (s, o)} | {start}
        return {n for n in everything if start in _eval(arg, n, triples)}
    if kind == "sequence":
        current = {start}
        for part in arg:
            current = {v for c in current for v in _eval(part, c, triples)}
        return current
    if kind == "alternative":
        return set().union(*(_eval(part, start, triples) for part in arg))
    if kind == "zeroOrOne":
        return {start} | _eval(arg, start, triples)
    seen, todo = set(), [start]  # zeroOrMore / oneOrMore: the closure of one step
    while todo:
        for v in _eval(arg, todo.pop(), triples):
            if v not in seen:
                seen.add(v)
                todo.append(v)
    return seen | {start} if kind == "zeroOrMore" else seen


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=paths, triples=graphs)
def test_sparql_form_equals_the_definition(path: tuple, triples: set) -> None:
    shapes = Graph()
    parsed = parse_path(shapes, _rdf(shapes, path), shape="test")
    store = ox.Store()
    store.extend(
        ox.Quad(ox.NamedNode(NS + s), ox.NamedNode(NS + p), ox.NamedNode(NS + o))
        for s, p, o in triples
    )
    for start in (*NODES, OUTSIDE):
        values = parsed.pattern(f"VALUES ?s {{ <{NS}{start}> }}", "?s", "?v")
        query = f"SELECT DISTINCT ?v WHERE {{ {values} }}"
        found = {row[0].value.removeprefix(NS) for row in store.query(query)}
        assert found == _eval(path, start, triples), (values, start)


def test_nested_inverse_is_sparql() -> None:
    shapes = Graph()
    node = _rdf(shapes, ("inverse", ("inverse", ("predicate", "p"))))
    text = parse_path(shapes, node, shape="test").sparql()
    assert text == f"^(^<{NS}p>)"
    ox.Store().query(f"SELECT * WHERE {{ ?s {text} ?o }}")  # parses


def test_validator_nested_inverse_and_absent_focus_node(make_shapes, make_store) -> None:
    """On the validator: ``^(^p)`` is ``p``, and a target node in no triple is its own value
    node along a nullable path (minCount 1 holds, sh:class is checked on it); pyshacl agrees
    as a multiset."""
    from collections import Counter

    from svckg.validation.fast.engine import FastValidator
    from svckg.validation.shacl import store_to_graph, validate_pyshacl

    shapes = make_shapes("""ex:S sh:targetNode ex:a , ex:absent ;
        sh:property [ sh:path [ sh:inversePath [ sh:inversePath ex:p ] ] ; sh:class ex:C ] ,
                    [ sh:path [ sh:zeroOrMorePath ex:p ] ; sh:minCount 1 ; sh:class ex:C ] .""")
    store = make_store("ex:a ex:p ex:b . ex:b a ex:C .")
    ours = FastValidator(shapes).validate(store)
    theirs = validate_pyshacl(store_to_graph(store), shapes)
    assert Counter(r.key() for r in ours.results) == Counter(r.key() for r in theirs.results)
    assert sorted((r.focus_node, r.value) for r in ours.results) == [
        ("http://example.org/a", "http://example.org/a"),
        ("http://example.org/absent", "http://example.org/absent"),
    ]
