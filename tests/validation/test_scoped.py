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


RETIRE_SHAPES = """
ex:decl sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .
ex:ServiceShape sh:targetClass ex:Service ;
    sh:property [ sh:path ex:label ; sh:minCount 1 ] ;
    # the dependent is the focus: its dependencies two steps down (a bounded reach) ...
    sh:sparql ex:twoDown ;
    # ... and any number of steps down (a closure)
    sh:sparql ex:anyDown .
ex:twoDown sh:prefixes ex:decl ; sh:message "two down: {?value}" ; sh:select \"\"\"
    SELECT $this ?value WHERE { $this ex:status ex:live ; ex:dependsOn/ex:dependsOn ?value .
                                ?value ex:status ex:retired }\"\"\" .
ex:anyDown sh:prefixes ex:decl ; sh:message "any down: {?value}" ; sh:select \"\"\"
    SELECT $this ?value WHERE { $this ex:status ex:live ; ex:dependsOn+ ?value .
                                ?value ex:status ex:retired }\"\"\" .
# the retired element is the focus, its live dependents the values (the project's style)
ex:RetiredShape sh:targetSubjectsOf ex:status ; sh:sparql [ sh:prefixes ex:decl ;
    sh:select \"\"\"SELECT $this ?value WHERE { $this ex:status ex:retired .
                    ?value ex:dependsOn+ $this ; ex:status ex:live }\"\"\" ] .
# a reach that cannot be read (variable predicate): re-run on all its focus nodes
ex:AnyLinkShape sh:targetClass ex:Service ; sh:sparql [ sh:prefixes ex:decl ;
    sh:select \"\"\"SELECT $this ?value WHERE { $this ex:status ex:live ; ?link ?value .
                    ?value ex:status ex:retired }\"\"\" ] .
"""
RETIRE_DATA = """
ex:a a ex:Service ; ex:label "A" ; ex:status ex:live ; ex:dependsOn ex:b .
ex:b a ex:Service ; ex:label "B" ; ex:status ex:live ; ex:dependsOn ex:c .
ex:c a ex:Service ; ex:label "C" ; ex:status ex:live ; ex:dependsOn ex:d .
ex:d a ex:Service ; ex:label "D" ; ex:status ex:live .
ex:e a ex:Service ; ex:label "E" ; ex:status ex:live ; ex:dependsOn ex:old .
ex:old a ex:Service ; ex:label "Old" ; ex:status ex:retired .
"""


def test_retiring_a_service_flags_its_live_dependents_as_a_full_run(
    make_store, make_shapes
) -> None:
    """SHACL-SPARQL reach: retiring d (only d is touched) re-checks a, b and c, whose
    queries reach d through paths no shape declares; the scoped report holds exactly the
    full report's results for what the change affects."""
    validator = FastValidator(make_shapes(RETIRE_SHAPES))
    store = make_store(RETIRE_DATA)
    before = _keys(validator.validate(store))
    touched = _add(store, "ex:d ex:status ex:retired .", "@prefix ex: <http://example.org/> .\n")
    store.remove(
        ox.Quad(
            ox.NamedNode(EX + "d"),
            ox.NamedNode(EX + "status"),
            ox.NamedNode(EX + "live"),
            ox.NamedNode("urn:svckg:test:data"),
        )
    )
    assert touched == [EX + "d"]
    full = validator.validate(store)
    scoped = validator.validate(store, focus_nodes=touched)
    caused = _keys(full) - before
    flagged = {(r.focus_node, r.value) for r in full.results if r.value == EX + "d"}
    assert {f for f, _ in flagged} == {EX + "a", EX + "b", EX + "c"}
    assert caused <= _keys(scoped) <= _keys(full)
    affected = set(validator.affected(store, touched))
    assert {EX + "a", EX + "b", EX + "c", EX + "d"} <= affected and EX + "e" not in affected
    # Exactly the full run's results for the affected focus nodes, plus the re-run
    # constraint's results on every focus node (e flags old through ?link).
    expected = Counter(
        r.key() for r in full.results if r.focus_node in affected or "AnyLink" in r.source_shape
    )
    assert _keys(scoped) == expected
    assert any(r.focus_node == EX + "e" for r in scoped.results)


def test_unreadable_nested_constraint_reruns_its_top_shape(make_store, make_shapes) -> None:
    """A SHACL-SPARQL constraint with an unreadable reach nested in a property shape: the
    scoped run validates its top shape on all targets, as the full run does."""
    validator = FastValidator(
        make_shapes("""ex:decl sh:declare [ sh:prefix "ex" ;
                sh:namespace "http://example.org/"^^xsd:anyURI ] .
            ex:S sh:targetClass ex:Service ; sh:property [ sh:path ex:dependsOn ;
                sh:sparql [ sh:prefixes ex:decl ; sh:select
                  "SELECT $this WHERE { $this ?any ex:retired }" ] ] .""")
    )
    store = make_store(RETIRE_DATA)
    touched = _add(store, "ex:d ex:flag ex:retired .", "@prefix ex: <http://example.org/> .\n")
    scoped = validator.validate(store, focus_nodes=touched)
    full = validator.validate(store)
    assert _keys(scoped) == _keys(full) and len(full.results) == 2  # c -> d, e -> old
