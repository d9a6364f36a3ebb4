"""Scoped validation: after a change, only the focus nodes the change can affect are evaluated,
and every result the change causes is still found."""

from __future__ import annotations

from collections import Counter

import pyoxigraph as ox

from svckg.validation.fast.engine import FastValidator

EX = "http://example.org/"
SHAPES = """
ex:ServiceShape sh:targetClass ex:Service ;
    sh:property [ sh:path ex:dependsOn ; sh:not [ sh:class ex:Retired ] ] ,
                [ sh:path ex:label ; sh:minCount 1 ] .
ex:BackendShape sh:targetClass ex:Backend ;
    sh:property [ sh:path [ sh:inversePath ex:includes ] ; sh:maxCount 1 ] .
"""
BEFORE = """
ex:app a ex:Service ; ex:label "App" ; ex:dependsOn ex:db .
ex:db a ex:Service ; ex:label "DB" .
ex:old a ex:Service .
ex:bes a ex:Backend . ex:cfs1 ex:includes ex:bes .
"""


def _add(store: ox.Store, turtle: str, prefixes: str) -> list[str]:
    """Add the triples; return the subjects (what the pipeline passes as touched nodes)."""
    triples = [q.triple for q in ox.parse((prefixes + turtle).encode(), ox.RdfFormat.TURTLE)]
    graph = ox.NamedNode("urn:svckg:test:change")
    store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
    return sorted({t.subject.value for t in triples})


def _keys(report) -> Counter:
    return Counter(r.key() for r in report.results)


def test_change_reaches_neighbours_along_paths(make_store, make_shapes) -> None:
    prefixes = "@prefix ex: <http://example.org/> .\n"
    validator = FastValidator(make_shapes(SHAPES))
    store = make_store(BEFORE)
    before = validator.validate(store)
    assert {r.focus_node for r in before.results} == {EX + "old"}  # pre-existing, unrelated

    # db becomes retired (app depends on it: one step back), and a second CFS includes bes
    # (bes is reached through the inverse path), and a new unlabelled service appears.
    touched = _add(
        store,
        """ex:db a ex:Retired . ex:cfs2 ex:includes ex:bes .
                             ex:new a ex:Service .""",
        prefixes,
    )
    scoped = validator.validate(store, focus_nodes=touched)
    full = validator.validate(store)
    caused = _keys(full) - _keys(before)
    assert caused  # the change did cause new results
    assert caused <= _keys(scoped)
    assert _keys(scoped) <= _keys(full)
    assert {r.focus_node for r in scoped.results} == {EX + "app", EX + "bes", EX + "new"}
    assert EX + "old" not in {r.focus_node for r in scoped.results}


def test_affected_nodes_stop_at_the_shapes_depth(make_store, make_shapes) -> None:
    validator = FastValidator(make_shapes(SHAPES))
    store = make_store(BEFORE + 'ex:top a ex:Service ; ex:label "T" ; ex:dependsOn ex:app .')
    assert validator.validate(store, focus_nodes=[EX + "db"]).conforms
    affected = set(validator.affected(store, [EX + "db"]))
    # One path step deep: app (dependsOn db) is affected, top (two steps away) is not.
    assert affected == {EX + "db", EX + "app"}


def test_no_touched_nodes_means_nothing_to_validate(make_store, make_shapes) -> None:
    validator = FastValidator(make_shapes(SHAPES))
    assert validator.validate(make_store(BEFORE), focus_nodes=[]).results == []
