"""SHACL-SPARQL sub-selects that project $this with GROUP BY (the RDF Data Cube integrity
constraint style), and what a query the validator cannot handle is told: the shape, the
constraint and the construct, never the parser's token list."""

from __future__ import annotations

from collections import Counter

import pytest

from svckg.errors import ShapesError
from svckg.validation.fast.engine import FastValidator
from svckg.validation.fast.sparql import group_this
from svckg.validation.shacl import store_to_graph, validate_pyshacl

EX = "http://example.org/"
DECLARE = """ex:decl sh:declare [ sh:prefix "ex" ;
    sh:namespace "http://example.org/"^^xsd:anyURI ] ."""
DATA = """
ex:ds ex:structure ex:dsd . ex:dsd ex:measure ex:m1 , ex:m2 .
ex:o1 a ex:Obs ; ex:dataSet ex:ds ; ex:time 1 ; ex:measureType ex:m1 .
ex:o2 a ex:Obs ; ex:dataSet ex:ds ; ex:time 1 ; ex:measureType ex:m2 .
ex:o3 a ex:Obs ; ex:dataSet ex:ds ; ex:time 2 ; ex:measureType ex:m1 .
ex:o4 a ex:Obs ; ex:dataSet ex:ds ; ex:time 1 ; ex:measureType ex:m1 .
"""
# Every time point must carry each measure once: an inner sub-select projects $this but
# groups by ?dsd only (not SPARQL as written; valid under pre-binding), the middle one
# groups by $this.
ALL_MEASURES = """
SELECT $this ?n ?count WHERE {
  { SELECT $this ?n (COUNT(DISTINCT ?other) AS ?count) WHERE {
      { SELECT $this ?dsd (COUNT(?m) AS ?n) WHERE { ?dsd ex:measure ?m } GROUP BY ?dsd }
      $this ex:dataSet ?ds ; ex:time ?t . ?ds ex:structure ?dsd .
      ?other ex:dataSet ?ds ; ex:time ?t .
    } GROUP BY $this ?n }
  FILTER(?count != ?n)
}"""
# No two observations of a time point share a measure: aggregate with GROUP BY $this ?m.
DUPLICATES = """
SELECT $this WHERE {
  { SELECT $this ?m (COUNT(?other) AS ?k) WHERE {
      $this ex:time ?t ; ex:measureType ?m .
      ?other ex:time ?t ; ex:measureType ?m . FILTER(?other != $this)
    } GROUP BY $this ?m }
  FILTER(?k > 0)
}"""


def _shapes(make_shapes, *queries: str):
    constraints = " , ".join(f'[ sh:prefixes ex:decl ; sh:select """{q}""" ]' for q in queries)
    return make_shapes(f"ex:S sh:targetClass ex:Obs ; sh:sparql {constraints} .\n{DECLARE}")


def test_subselects_grouped_without_this_are_evaluated(make_shapes, make_store) -> None:
    shapes, store = _shapes(make_shapes, ALL_MEASURES, DUPLICATES), make_store(DATA)
    report = FastValidator(shapes).validate(store)
    # Time 1 has three observations for two measures, time 2 one: all four differ.
    # o1 and o4 share time 1 and measure m1: each is a duplicate.
    assert Counter(r.focus_node.removeprefix(EX) for r in report.results) == Counter(
        {"o1": 2, "o2": 1, "o3": 1, "o4": 2}
    )
    reference = validate_pyshacl(store_to_graph(store), shapes)
    assert Counter(r.key() for r in report.results) == Counter(r.key() for r in reference.results)


def test_group_this_rewrites_only_what_needs_it() -> None:
    assert group_this(DUPLICATES) == DUPLICATES  # grouped by $this already
    plain = "SELECT $this WHERE { $this ?p ?o }"
    assert group_this(plain) == plain  # no aggregate
    rewritten = group_this(ALL_MEASURES)
    assert (
        "GROUP BY ?dsd $this }" in rewritten
        and rewritten.count("$this") == ALL_MEASURES.count("$this") + 1
    )


@pytest.mark.parametrize(
    ("query", "construct"),
    [
        ("SELECT $this WHERE { $this ex:time ?t } GROUP BY (", "GROUP BY clause"),
        ("SELECT $this WHERE { $this ex:time ?t FILTER(?t > ) }", "FILTER clause"),
        (
            "SELECT $this WHERE { { SELECT $this WHERE { $this ex:time ?t BIND(?t AS) } } }",
            "BIND clause of a sub-select",
        ),
    ],
)
def test_unreadable_query_names_shape_constraint_and_construct(
    make_shapes, query: str, construct: str
) -> None:
    with pytest.raises(ShapesError) as caught:
        FastValidator(_shapes(make_shapes, query))
    text = caught.value.describe()
    assert f"shape {EX}S" in text and "sh:sparql constraint _:" in text
    assert construct in text
    assert "expected" not in text  # no parser token list


def test_unknown_function_names_shape_and_constraint(make_shapes, make_store) -> None:
    shapes = _shapes(make_shapes, "SELECT $this WHERE { $this ex:time ?t FILTER(ex:f(?t)) }")
    with pytest.raises(ShapesError) as caught:
        FastValidator(shapes).validate(make_store(DATA))
    text = caught.value.describe()
    assert f"shape {EX}S" in text and "sh:sparql constraint _:" in text
    assert f"{EX}f" in text
