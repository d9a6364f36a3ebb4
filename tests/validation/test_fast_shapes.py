"""Bad shapes are errors naming the shape, never a silent pass; good shapes parse to a model."""

from __future__ import annotations

import pytest

from svckg.errors import InputError, ShapesError
from svckg.validation.fast.engine import FastValidator, scope_steps
from svckg.validation.fast.paths import parse_path
from svckg.validation.fast.shapes import parse_shapes

BAD = {
    "unknown-component": ("ex:S sh:targetClass ex:C ; sh:minCout 1 .", "sh:minCout"),
    "literal-path": ('ex:S sh:targetClass ex:C ; sh:property ex:P . ex:P sh:path "p" .', "literal"),
    "blank-node-path-without-kind": (
        "ex:S sh:targetClass ex:C ; sh:property ex:P . ex:P sh:path [ ex:foo ex:bar ] .",
        "no SHACL path",
    ),
    "one-step-sequence": ("ex:P sh:targetClass ex:C ; sh:path ( ex:p ) .", "two members"),
    "alternative-not-a-list": (
        "ex:P sh:targetClass ex:C ; sh:path [ sh:alternativePath ex:p ] .",
        "RDF list",
    ),
    "two-paths": ("ex:P sh:targetClass ex:C ; sh:path ex:p, ex:q .", "sh:path has 2 values"),
    "sparql-syntax-error": (
        'ex:S sh:targetClass ex:C ; sh:sparql [ sh:select "SELECT $this WHERE { $this ?p }" ] .',
        "does not parse",
    ),
    "sparql-undeclared-prefix": (
        "ex:S sh:targetClass ex:C ; "
        'sh:sparql [ sh:select "SELECT $this WHERE { $this ex:p 1 }" ] .',
        "does not parse",
    ),
    "sparql-minus": (
        "ex:S sh:targetClass ex:C ; sh:sparql [ sh:select "
        '"SELECT $this WHERE { $this ?p ?o MINUS { $this a ?t } }" ] .',
        "MINUS",
    ),
    "sparql-without-select": (
        'ex:S sh:targetClass ex:C ; sh:sparql [ sh:message "m" ] .',
        "no sh:select",
    ),
    "min-count-not-integer": (
        'ex:P sh:targetClass ex:C ; sh:path ex:p ; sh:minCount "one" .',
        "non-negative xsd:integer",
    ),
    "node-kind-unknown": (
        "ex:S sh:targetClass ex:C ; sh:nodeKind sh:Resource .",
        "not a SHACL node kind",
    ),
    "bad-regex": (
        'ex:P sh:targetClass ex:C ; sh:path ex:p ; sh:pattern "([a-z" .',
        "not a valid regular expression",
    ),
    "max-count-on-node-shape": (
        "ex:S sh:targetClass ex:C ; sh:maxCount 1 .",
        "only allowed on property shapes",
    ),
    "in-not-a-list": ("ex:P sh:targetClass ex:C ; sh:path ex:p ; sh:in ex:a .", "RDF list"),
    "class-literal": ('ex:P sh:targetClass ex:C ; sh:path ex:p ; sh:class "C" .', "IRI"),
    "closed-not-boolean": ('ex:S sh:targetClass ex:C ; sh:closed "yes" .', "true or false"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_shape_raises_naming_the_shape(name: str, make_shapes) -> None:
    turtle, words = BAD[name]
    with pytest.raises(ShapesError) as caught:
        FastValidator(make_shapes(turtle))
    error = caught.value
    assert isinstance(error, InputError) and error.exit_code == 2 and error.http_status == 400
    assert "http://example.org/" in (error.where or ""), error.describe()
    assert words in error.describe()


def test_literal_used_as_shape_is_an_error(make_shapes, make_store) -> None:
    shapes = make_shapes('ex:S sh:targetClass ex:C ; sh:node "not a shape" .')
    with pytest.raises(ShapesError, match="used as a shape"):
        FastValidator(shapes).validate(make_store("ex:a a ex:C ."))


def test_model_collects_targets_paths_and_implicit_class_targets(make_shapes) -> None:
    model = parse_shapes(
        make_shapes("""
        ex:Service a rdfs:Class, sh:NodeShape ; sh:property ex:P .
        ex:P sh:path ( ex:a [ sh:inversePath ex:b ] ) ; sh:minCount 1 .
        ex:Other sh:targetNode ex:x ; sh:severity sh:Info ; sh:message "m"@en .
    """)
    )
    service = next(s for s in model.top if str(s.node).endswith("Service"))
    assert [str(c) for c in service.target_classes] == ["http://example.org/Service"]
    prop = model.shapes[next(iter(c.value for c in service.constraints))]
    assert prop.path.sparql() == "<http://example.org/a>/^<http://example.org/b>"
    assert prop.path.max_length() == 2
    other = next(s for s in model.top if str(s.node).endswith("Other"))
    assert other.severity == "Info" and other.messages == ("m",)
    assert scope_steps(model) == 2


def test_every_path_kind_writes_sparql(make_shapes) -> None:
    g = make_shapes("""ex:s ex:p [ sh:alternativePath ( ex:a [ sh:zeroOrMorePath ex:b ]
        [ sh:oneOrMorePath ( ex:c ex:d ) ] [ sh:zeroOrOnePath [ sh:inversePath ex:e ] ] ) ] .""")
    node = next(g.objects(None, next(p for p in g.predicates() if str(p).endswith("/p"))))
    path = parse_path(g, node, shape="test")
    assert path.sparql() == (
        "<http://example.org/a>|(<http://example.org/b>*)|"
        "((<http://example.org/c>/<http://example.org/d>)+)|(^<http://example.org/e>?)"
    )
    assert path.max_length() is None


def test_shapes_that_are_classes_target_their_instances(make_shapes, make_store) -> None:
    """A shape typed owl:Class, or a class the shapes graph makes a (transitive) subclass of
    rdfs:Class, targets its instances and those of its subclasses, as pyshacl does."""
    from collections import Counter

    from svckg.validation.fast.engine import FastValidator
    from svckg.validation.shacl import store_to_graph, validate_pyshacl

    shapes = make_shapes("""@prefix owl: <http://www.w3.org/2002/07/owl#> .
        ex:Service a owl:Class , sh:NodeShape ; sh:property [ sh:path ex:owner ; sh:minCount 1 ] .
        ex:Meta rdfs:subClassOf rdfs:Class .
        ex:Team a ex:Meta , sh:NodeShape ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .
        ex:Deep rdfs:subClassOf ex:Meta .
        ex:Unit a ex:Deep , sh:NodeShape ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .""")
    store = make_store("""ex:s1 a ex:Service . ex:s2 a ex:Service ; ex:owner ex:t .
        ex:Api rdfs:subClassOf ex:Service . ex:s3 a ex:Api .
        ex:t a ex:Team . ex:u a ex:Unit .""")
    report = FastValidator(shapes).validate(store)
    assert sorted(r.focus_node.rsplit("/", 1)[1] for r in report.results) == [
        "s1",
        "s3",
        "t",
        "u",
    ]
    # pyshacl reads only direct subclasses of rdfs:Class: without ex:Unit it agrees.
    reference = validate_pyshacl(store_to_graph(store), shapes)
    ours = Counter(r.key() for r in report.results if not r.focus_node.endswith("/u"))
    assert ours == Counter(r.key() for r in reference.results)


@pytest.mark.parametrize(
    "parameter", ["sh:datatype xsd:string, xsd:integer", "sh:nodeKind sh:IRI, sh:Literal"]
)
def test_parameters_allowed_once(parameter: str, make_shapes) -> None:
    """SHACL allows one sh:datatype / sh:nodeKind per shape (pyshacl refuses a second too)."""
    with pytest.raises(ShapesError) as caught:
        FastValidator(make_shapes(f"ex:S sh:targetNode ex:a ; {parameter} ."))
    assert "has 2 values, expected one" in caught.value.describe()
