"""bind_parameters: the tokenizer leaves strings, IRIs and comments alone."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from svckg.errors import QueryError
from svckg.store.params import bind_parameters

X = ox.NamedNode("http://e/x")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT ?a WHERE { ?v ?p ?a }", "SELECT ?a WHERE { <http://e/x> ?p ?a }"),
        ("SELECT ?a WHERE { $v ?p ?a }", "SELECT ?a WHERE { <http://e/x> ?p ?a }"),
        (
            'SELECT ?a WHERE { ?a ?p "?v" ; ?q ?v }',
            'SELECT ?a WHERE { ?a ?p "?v" ; ?q <http://e/x> }',
        ),
        (
            "SELECT ?a WHERE { ?a <http://e/q?v=1> ?v }",
            "SELECT ?a WHERE { ?a <http://e/q?v=1> <http://e/x> }",
        ),
        (
            "# uses ?v\nSELECT ?a WHERE { ?a ?p ?v }",
            "# uses ?v\nSELECT ?a WHERE { ?a ?p <http://e/x> }",
        ),
        (
            "SELECT ?a WHERE { ?a ?p ?vv . ?a ?q ?v }",
            "SELECT ?a WHERE { ?a ?p ?vv . ?a ?q <http://e/x> }",
        ),
        ("SELECT ?a WHERE { ?a e:p? ?v }", "SELECT ?a WHERE { ?a e:p? <http://e/x> }"),
        (
            "SELECT ?a WHERE { ?a ?p ?o FILTER(?o < ?v) }",
            "SELECT ?a WHERE { ?a ?p ?o FILTER(?o < <http://e/x>) }",
        ),
        (
            "SELECT DISTINCT ?v ?a WHERE { ?a ?p ?v }",
            "SELECT DISTINCT (<http://e/x> AS ?v) ?a WHERE { ?a ?p <http://e/x> }",
        ),
        (
            "SELECT ?a WHERE { { SELECT ?v WHERE { ?v ?p ?o } } ?a ?q ?v }",
            "SELECT ?a WHERE { { SELECT (<http://e/x> AS ?v) WHERE { <http://e/x> ?p ?o } } "
            "?a ?q <http://e/x> }",
        ),
        (
            "SELECT (COUNT(?v) AS ?n) WHERE { ?a ?p ?v }",
            "SELECT (COUNT(<http://e/x>) AS ?n) WHERE { ?a ?p <http://e/x> }",
        ),
        (
            'SELECT ?a WHERE { ?a ?p """long ?v "" text""" ; ?q ?v }',
            'SELECT ?a WHERE { ?a ?p """long ?v "" text""" ; ?q <http://e/x> }',
        ),
        (
            "SELECT ?a WHERE { ?a ?p 'it''s ?v' ; ?q ?v }",
            "SELECT ?a WHERE { ?a ?p 'it''s ?v' ; ?q <http://e/x> }",
        ),
        (
            'SELECT ?a WHERE { ?a ?p "x"@as ; ?q ?v }',
            'SELECT ?a WHERE { ?a ?p "x"@as ; ?q <http://e/x> }',
        ),
    ],
)
def test_replacements(query: str, expected: str) -> None:
    assert bind_parameters(query, {"v": X}) == expected


def test_no_substitutions_returns_the_text() -> None:
    assert bind_parameters("SELECT * {}", None) == "SELECT * {}"


def test_assigned_variable_is_refused() -> None:
    with pytest.raises(QueryError, match="assigned"):
        bind_parameters("SELECT ?a WHERE { BIND(1 as ?v) }", {"v": X})


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?a WHERE { VALUES ?v { 1 2 } ?a ?p ?v }",
        "SELECT ?a WHERE { VALUES (?a ?v) { (1 2) } }",
        "SELECT ?a WHERE { ?a ?p ?o } VALUES ?v { 1 }",
    ],
)
def test_variable_given_by_values_is_refused(query: str) -> None:
    with pytest.raises(QueryError, match="VALUES"):
        bind_parameters(query, {"v": X})


def test_values_of_other_variables_are_fine() -> None:
    query = "SELECT ?a WHERE { VALUES (?a ?b) { (1 2) } ?a ?p ?v }"
    assert bind_parameters(query, {"v": X}).endswith("?a ?p <http://e/x> }")


def test_unknown_parameter_is_refused() -> None:
    with pytest.raises(QueryError, match=r"\?w"):
        bind_parameters("SELECT ?a WHERE { ?a ?p ?v }", {"v": X, "w": X})


def test_wrong_term_types() -> None:
    with pytest.raises(QueryError, match="blank node"):
        bind_parameters("SELECT ?a WHERE { ?a ?p ?v }", {"v": ox.BlankNode()})
    with pytest.raises(QueryError, match="NamedNode or Literal"):
        bind_parameters("SELECT ?a WHERE { ?a ?p ?v }", {"v": "http://e/x"})  # type: ignore[dict-item]


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_any_literal_binds_as_itself(text: str) -> None:
    """Whatever the text, the engine reads back exactly that literal (no injection)."""
    store = ox.Store()
    query = bind_parameters("SELECT ?v WHERE {}", {"v": ox.Literal(text)})
    rows = list(store.query(query))
    assert len(rows) == 1 and rows[0]["v"] == ox.Literal(text)
