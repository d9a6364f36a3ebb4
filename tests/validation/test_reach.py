"""The reach of SHACL-SPARQL queries (what scoped validation walks back along), read with the
one SPARQL lexer; None where it cannot be read."""

from __future__ import annotations

import pytest

from svckg.validation.fast.reach import RDF_TYPE, query_reach

P = {"ex": "urn:ex:"}


@pytest.mark.parametrize(
    ("query", "steps", "depth", "closure"),
    [
        (
            "SELECT $this WHERE { $this ex:p ?x . ?x ex:q ?y }",
            {"<urn:ex:p>", "<urn:ex:q>"},
            2,
            set(),
        ),
        # the focus node is the object: walk forward from the touched node
        ("SELECT $this WHERE { ?x ex:p $this }", {"^<urn:ex:p>"}, 1, set()),
        ("SELECT $this WHERE { $this ^ex:p/ex:q ?y }", {"^<urn:ex:p>", "<urn:ex:q>"}, 2, set()),
        (
            "SELECT $this WHERE { $this ex:p [ a ex:C ; ex:q ?v ] "
            "FILTER NOT EXISTS { ?v ex:r 1 } }",
            {"<urn:ex:p>", f"<{RDF_TYPE}>", "<urn:ex:q>", "<urn:ex:r>"},
            3,
            set(),
        ),
        ("SELECT $this WHERE { ?v ex:p+ $this }", set(), 1, {"^<urn:ex:p>"}),
        (
            "SELECT $this WHERE { { SELECT $this (COUNT(?o) AS ?n) WHERE { ?o ex:p $this } "
            "GROUP BY $this } FILTER(?n > 1) }",
            {"^<urn:ex:p>"},
            1,
            set(),
        ),
    ],
)
def test_reach_is_read_from_the_patterns(query, steps, depth, closure) -> None:
    reach = query_reach(query, P)
    assert reach is not None
    assert (set(reach.steps), reach.depth, set(reach.closure)) == (steps, depth, closure)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT $this WHERE { $this ?p ?o }",  # variable predicate
        "SELECT $this WHERE { $this !ex:p ?o }",  # negated property set
        "SELECT $this WHERE { $this ex:p ?o . ?a ex:q ?b }",  # not connected to $this
        "SELECT $this WHERE { $this ex:p ( 1 2 ) }",  # collection
        "SELECT $this WHERE { $this undeclared:p ?o }",  # unknown prefix
    ],
)
def test_unreadable_reach_is_none(query: str) -> None:
    assert query_reach(query, P) is None
