"""The Store protocol contract, run against every backend: embedded (memory, disk) and remote.

The remote backend is a real ``oxigraph serve --union-default-graph`` on 127.0.0.1 (see the
root conftest). Every test here must pass unchanged on all three.
"""

from __future__ import annotations

import time

import pyoxigraph as ox
import pytest

from svckg.errors import LimitExceeded, ParseError, QueryError
from svckg.store import memory_store
from svckg.store.base import Store
from svckg.store.embedded import EmbeddedStore

E = "http://example.org/"
G1 = f"{E}graph/one"
G2 = f"{E}graph/two"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
NASTY = 'he said "hi" }} ; DROP ALL ; INSERT DATA { <x> <y> <z> } # \\ \n {'

DATA_G1 = f"""
<{E}a> <{E}dependsOn> <{E}b> .
<{E}a> <http://www.w3.org/2000/01/rdf-schema#label> "Service A"@en .
<{E}b> <http://www.w3.org/2000/01/rdf-schema#label> "Service B" .
""".encode()
DATA_G2 = f"""
@prefix e: <{E}> .
e:b e:dependsOn e:c .
e:c e:note {ox.Literal(NASTY)} .
""".encode()


@pytest.fixture(params=["memory", "disk", "remote", "virtuoso"])
def store(request: pytest.FixtureRequest) -> Store:
    """Each backend in turn, empty."""
    return request.getfixturevalue(f"{request.param}_store")


@pytest.fixture
def filled(store: Store) -> Store:
    """The store with two small named graphs."""
    assert store.load(DATA_G1, G1) == 3
    assert store.load(DATA_G2, G2, format=ox.RdfFormat.TURTLE) == 2
    return store


def values(result: ox.QuerySolutions, var: str) -> list[str]:
    return sorted(row[var].value for row in result if row[var] is not None)


def quad_set(data: bytes, fmt: ox.RdfFormat) -> set[str]:
    return {str(q) for q in ox.parse(data, format=fmt)}


# -- writes and bookkeeping ------------------------------------------------------------


def test_protocol_and_empty_store(store: Store) -> None:
    assert isinstance(store, Store)
    assert store.graphs() == []
    assert store.count() == 0


def test_load_graphs_and_count(filled: Store) -> None:
    assert filled.graphs() == [G1, G2]
    assert filled.count() == 5
    assert filled.count(G1) == 3
    assert filled.count(G2) == 2
    assert filled.count(f"{E}graph/absent") == 0


def test_load_triples_iterable(store: Store) -> None:
    triples = [
        ox.Triple(ox.NamedNode(f"{E}s{i}"), ox.NamedNode(f"{E}p"), ox.Literal(str(i)))
        for i in range(10)
    ]
    assert store.load(triples, G1) == 10
    assert store.count(G1) == 10


def test_load_replace(filled: Store) -> None:
    before = filled.generation
    filled.load(f"<{E}x> <{E}p> <{E}y> .".encode(), G1, replace=True)
    assert filled.count(G1) == 1
    assert filled.count(G2) == 2, "replace must touch only its graph"
    assert filled.generation > before
    filled.load(f"<{E}x> <{E}p> <{E}z> .".encode(), f"{E}graph/new", replace=True)
    assert filled.count(f"{E}graph/new") == 1


def test_replace_with_overlapping_data(filled: Store) -> None:
    """Re-import with one triple changed: the result is exactly the new data."""
    new = DATA_G1.replace(b'"Service B"', b'"Service B v2"')
    assert filled.load(new, G1, replace=True) == 3
    assert quad_set(filled.export(ox.RdfFormat.N_TRIPLES, G1), ox.RdfFormat.N_TRIPLES) == {
        str(t) for t in ox.parse(new, format=ox.RdfFormat.N_TRIPLES)
    }
    filled.load(new, G1, replace=True)  # identical data
    assert filled.count(G1) == 3
    filled.load(b"_:x <http://example.org/p> _:y .", G1, replace=True)  # blank nodes
    assert filled.count(G1) == 1


def test_replace_with_nothing_removes_the_graph(filled: Store) -> None:
    assert filled.load(b"", G1, replace=True) == 0
    assert filled.graphs() == [G2]


def test_empty_graph_lists_are_refused(filled: Store) -> None:
    with pytest.raises(QueryError, match="empty list"):
        filled.query("SELECT * WHERE { ?s ?p ?o }", default_graph=[])


def test_blank_nodes_keep_identity_within_a_load(store: Store) -> None:
    store.load(f'_:n <{E}p> "1" .\n_:n <{E}q> "2" .\n_:m <{E}p> "3" .'.encode(), G1)
    rows = store.query(f"SELECT ?s WHERE {{ ?s <{E}p> ?x ; <{E}q> ?y }}")
    assert len(list(rows)) == 1


def test_bad_syntax_writes_nothing(filled: Store) -> None:
    before = (filled.count(), filled.generation)
    bad = f'<{E}ok> <{E}p> "fine" .\n<{E}a> <{E}p> "unterminated .\n'.encode()
    with pytest.raises(ParseError) as info:
        filled.load(bad, G1, replace=True)
    assert info.value.line == 2
    assert G1 in str(info.value)
    assert (filled.count(), filled.generation) == before
    assert filled.count(G1) == 3


def test_quad_format_is_refused_for_a_single_graph(store: Store) -> None:
    with pytest.raises(ParseError, match="one named graph"):
        store.load(f"<{E}a> <{E}p> <{E}b> <{G1}> .".encode(), G1, format=ox.RdfFormat.N_QUADS)
    assert store.count() == 0


def test_bad_graph_iri(store: Store) -> None:
    with pytest.raises(QueryError, match="graph IRI"):
        store.load(b"", "not an iri")
    with pytest.raises(QueryError, match="graph IRI"):
        store.count("> } DROP ALL")


def test_update_and_generation(filled: Store) -> None:
    start = filled.generation
    list(filled.query("SELECT * WHERE { ?s ?p ?o }"))
    assert filled.generation == start, "reads must not change the generation"
    filled.update(f"INSERT DATA {{ GRAPH <{G1}> {{ <{E}d> <{E}p> <{E}e> }} }}")
    assert filled.count(G1) == 4
    assert filled.generation > start
    with pytest.raises(QueryError) as info:
        filled.update("INSERT DATA { <a> }")
    message = str(info.value)  # the engine's own words: oxigraph's or Virtuoso's
    assert "GRAPH" in message or "expected" in message or "syntax error" in message


def test_bulk_load_bytes_and_triples_bump_the_generation(store: Store) -> None:
    start = store.generation
    store.bulk_load(DATA_G2, G2, format=ox.RdfFormat.TURTLE, base_iri=E)
    assert store.generation > start
    assert store.count(G2) == 2
    blank = ox.BlankNode()
    store.bulk_load([ox.Triple(blank, ox.NamedNode(f"{E}p"), ox.Literal("x"))], G1)
    (quad,) = list(store.quads(graph=G1))
    assert store.count(G1) == 1 and isinstance(quad.subject, ox.BlankNode)


def test_bulk_load_bad_syntax_is_a_parse_error(store: Store) -> None:
    with pytest.raises(ParseError):
        store.bulk_load(b"<http://e/a> <http://e/p> .", G1)


def test_copy_graph_between_stores(filled: Store) -> None:
    target = memory_store()
    start = target.generation
    assert target.copy_graph(filled, G1) == 3
    assert target.generation > start
    assert filled.copy_graph(target, G1, into=f"{E}graph/copy") == 3
    assert target.graphs() == [G1]
    nt = ox.RdfFormat.N_TRIPLES
    copied = quad_set(filled.export(nt, f"{E}graph/copy"), nt)
    assert copied == quad_set(target.export(nt, G1), nt) == quad_set(filled.export(nt, G1), nt)
    target.close()


def test_insert_where_fills_a_new_graph(filled: Store) -> None:
    start = filled.generation
    into = f"{E}graph/derived"
    filled.insert_where(
        f"?o <{E}neededBy> ?s", f"WHERE {{ GRAPH <{G2}> {{ ?s <{E}dependsOn> ?o }} }}", into
    )
    assert filled.generation > start
    assert [str(q.triple) for q in filled.quads(graph=into)] == [f"<{E}c> <{E}neededBy> <{E}b>"]


def test_exclusive(store: Store) -> None:
    """Only a store in this process keeps other writers out."""
    assert store.exclusive is isinstance(store, EmbeddedStore)


def test_count_covers_the_named_graphs(filled: Store) -> None:
    """svckg keeps data in named graphs; a triple in the default graph is not counted."""
    filled.update(f"INSERT DATA {{ <{E}x> <{E}p> <{E}y> }}")
    assert filled.count() == 5
    assert filled.graphs() == [G1, G2]


def test_drop_graph(filled: Store) -> None:
    start = filled.generation
    filled.drop_graph(G1)
    assert filled.graphs() == [G2]
    assert filled.count() == 2
    assert filled.generation > start
    filled.drop_graph(f"{E}graph/absent")  # no error


# -- queries ------------------------------------------------------------------------------


def test_result_types(filled: Store) -> None:
    select = filled.query("SELECT ?s ?o WHERE { ?s ?p ?o }")
    assert isinstance(select, ox.QuerySolutions)
    assert [v.value for v in select.variables] == ["s", "o"]
    assert len(list(select)) == 5
    ask = filled.query(f"ASK {{ <{E}a> ?p ?o }}")
    assert isinstance(ask, ox.QueryBoolean) and bool(ask)
    assert not bool(filled.query(f"ASK {{ <{E}zzz> ?p ?o }}"))
    construct = filled.query(f"CONSTRUCT {{ ?s <{E}needs> ?o }} WHERE {{ ?s <{E}dependsOn> ?o }}")
    assert isinstance(construct, ox.QueryTriples)
    assert {(t.subject.value, t.object.value) for t in construct} == {
        (f"{E}a", f"{E}b"),
        (f"{E}b", f"{E}c"),
    }


def test_literals_survive(filled: Store) -> None:
    rows = list(
        filled.query(f"SELECT ?l ?n WHERE {{ <{E}a> <{RDFS_LABEL}> ?l . <{E}c> <{E}note> ?n }}")
    )
    assert rows[0]["l"] == ox.Literal("Service A", language="en")
    assert rows[0]["n"] == ox.Literal(NASTY)


def test_default_graph_is_the_union(filled: Store) -> None:
    result = filled.query(f"SELECT ?x WHERE {{ <{E}a> <{E}dependsOn>+ ?x }}")
    assert values(result, "x") == [f"{E}b", f"{E}c"], "path must cross both graphs"


def test_default_graph_narrowing(filled: Store) -> None:
    result = filled.query(f"SELECT ?x WHERE {{ <{E}a> <{E}dependsOn>+ ?x }}", default_graph=[G1])
    assert values(result, "x") == [f"{E}b"]
    both = filled.query(f"SELECT ?x WHERE {{ <{E}a> <{E}dependsOn>+ ?x }}", default_graph=[G1, G2])
    assert values(both, "x") == [f"{E}b", f"{E}c"]


def test_dataset_is_exactly_what_is_given(filled: Store) -> None:
    """SPARQL protocol semantics: naming one part of the dataset empties the other."""
    in_default = filled.query("SELECT ?s WHERE { ?s ?p ?o }", named_graphs=[G2])
    assert list(in_default) == []
    in_named = filled.query("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", default_graph=[G1])
    assert list(in_named) == []
    both = filled.query(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", default_graph=[G1], named_graphs=[G2]
    )
    assert values(both, "g") == [G2]


def test_named_graph_narrowing(filled: Store) -> None:
    result = filled.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", named_graphs=[G2])
    assert values(result, "g") == [G2]


def test_substitution_iri(filled: Store) -> None:
    query = f"SELECT ?x WHERE {{ ?_start_iri <{E}dependsOn> ?x }}"
    result = filled.query(query, substitutions={"_start_iri": ox.NamedNode(f"{E}b")})
    assert values(result, "x") == [f"{E}c"]


def test_substitution_in_projection_keeps_the_column(filled: Store) -> None:
    result = filled.query(
        f"SELECT ?s ?o WHERE {{ ?s <{E}dependsOn> ?o }}", substitutions={"o": ox.NamedNode(f"{E}c")}
    )
    rows = list(result)
    assert [(r["s"].value, r["o"].value) for r in rows] == [(f"{E}b", f"{E}c")]


def test_substitution_injection_binds_as_a_value(filled: Store) -> None:
    attack = ox.Literal('x" } UNION { ?s ?p ?o } } ; DROP ALL ; SELECT * { "')
    result = filled.query(
        f"SELECT ?s WHERE {{ ?s <{E}note> ?_text }}", substitutions={"_text": attack}
    )
    assert list(result) == []
    hit = filled.query(
        f"SELECT ?s WHERE {{ ?s <{E}note> ?_text }}", substitutions={"_text": ox.Literal(NASTY)}
    )
    assert values(hit, "s") == [f"{E}c"], "the nasty literal matches itself exactly"
    assert filled.count() == 5, "nothing dropped"


def test_substitution_errors(filled: Store) -> None:
    with pytest.raises(QueryError, match=r"\?nope"):
        filled.query("SELECT * WHERE { ?s ?p ?o }", substitutions={"nope": ox.Literal("1")})
    with pytest.raises(QueryError, match="assigned"):
        filled.query("SELECT ?v WHERE { BIND(1 AS ?v) }", substitutions={"v": ox.Literal("1")})


def test_query_syntax_error(filled: Store) -> None:
    with pytest.raises(QueryError) as info:
        filled.query("SELECT * WHERE { ?s ?p }")
    assert "1:" in str(info.value) or "expected" in str(info.value), "parser message kept"


def test_timeout_returns_results_when_fast(filled: Store) -> None:
    select = filled.query("SELECT ?s WHERE { ?s ?p ?o }", timeout_s=20)
    assert isinstance(select, ox.QuerySolutions) and len(list(select)) == 5
    ask = filled.query("ASK { ?s ?p ?o }", timeout_s=20)
    assert isinstance(ask, ox.QueryBoolean) and bool(ask)
    triples = filled.query("CONSTRUCT WHERE { ?s ?p ?o }", timeout_s=20)
    assert isinstance(triples, ox.QueryTriples) and len(set(map(str, triples))) == 5


def test_timeout_exceeded(store: Store) -> None:
    chain = [
        ox.Triple(ox.NamedNode(f"{E}n{i}"), ox.NamedNode(f"{E}p"), ox.NamedNode(f"{E}n{i + 1}"))
        for i in range(1000)
    ]
    store.load(chain, G1)
    store.query("ASK {}")  # a remote store's dataset bookkeeping is not the query's time
    started = time.monotonic()
    with pytest.raises(LimitExceeded, match="timeout|within"):
        # a 10^9-row join every engine can run (Virtuoso refuses an unanchored p*)
        slow = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a <{E}p> ?b . ?c <{E}p> ?d . ?e <{E}p> ?f }}"
        store.query(slow, timeout_s=0.02)
    assert time.monotonic() - started < 1.0, "the caller gets control back at the timeout"


# -- reads ------------------------------------------------------------------------------


def test_quads_patterns(filled: Store) -> None:
    assert len(list(filled.quads())) == 5
    deps = list(filled.quads(predicate=ox.NamedNode(f"{E}dependsOn")))
    assert {(q.subject.value, q.graph_name.value) for q in deps} == {(f"{E}a", G1), (f"{E}b", G2)}
    in_g2 = list(filled.quads(subject=ox.NamedNode(f"{E}b"), graph=G2))
    assert [q.object.value for q in in_g2] == [f"{E}c"]
    assert all(isinstance(q, ox.Quad) for q in in_g2)


def test_export_dataset(filled: Store) -> None:
    nquads = filled.export()
    expected = {str(q) for q in filled.quads()}
    assert quad_set(nquads, ox.RdfFormat.N_QUADS) == expected
    trig = filled.export(ox.RdfFormat.TRIG)
    assert quad_set(trig, ox.RdfFormat.TRIG) == expected


def test_export_one_graph(filled: Store) -> None:
    turtle = filled.export(ox.RdfFormat.TURTLE, G2)
    triples = {str(t) for t in ox.parse(turtle, format=ox.RdfFormat.TURTLE)}
    assert triples == {
        str(ox.Triple(q.subject, q.predicate, q.object)) for q in filled.quads(graph=G2)
    }
    nquads = filled.export(ox.RdfFormat.N_QUADS, G1)
    assert {q.graph_name.value for q in ox.parse(nquads, format=ox.RdfFormat.N_QUADS)} == {G1}
    with pytest.raises(QueryError, match="name the graph"):
        filled.export(ox.RdfFormat.TURTLE)
    assert filled.export(ox.RdfFormat.N_TRIPLES, f"{E}graph/absent") == b""
