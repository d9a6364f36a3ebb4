"""Hypothesis strategies for the standing differential test of the fast validator against
pyshacl: small data graphs and small shapes graphs using every SHACL Core constraint component
(with nested shapes and every path kind) and SHACL-SPARQL constraints from a grammar of safe
queries. Shared by ``tests/validation/test_differential.py`` (bounded, in CI) and
``bench/bench_shacl_differential.py`` (long runs).

Known differences are not filtered here: each run compares the two reports as multisets and
the callers name every disagreement.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass

import pyoxigraph as ox
from hypothesis import strategies as st
from rdflib import Graph

from svckg.validation.fast.engine import FastValidator
from svckg.validation.shacl import store_to_graph, validate_pyshacl

logging.getLogger("rdflib.term").setLevel(logging.ERROR)  # ill-typed literals are on purpose

PREFIXES = """@prefix ex: <http://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:decl sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .
"""
NODES = ("ex:n0", "ex:n1", "ex:n2", "ex:n3", "_:b0")
PREDICATES = ("ex:p", "ex:q", "ex:r")
LITERALS = ('"a"', '"abc"', '"a"@en', '"b"@en', '"c"@fi', "1", "2", "3", "2.5", '"x"^^xsd:integer')
CLASSES = ("ex:C", "ex:D")
VALUES = NODES[:4] + LITERALS

predicate = st.sampled_from(PREDICATES)


def _path(depth: int) -> st.SearchStrategy[str]:
    """A SHACL path in Turtle: predicate, inverse, sequence, alternative, */+/? of a path."""
    if depth == 0:
        return predicate
    inner = _path(depth - 1)
    return st.one_of(
        predicate,
        predicate,
        inner.map(lambda p: f"[ sh:inversePath {p} ]"),
        st.lists(inner, min_size=2, max_size=2).map(lambda ps: f"( {' '.join(ps)} )"),
        st.lists(inner, min_size=2, max_size=2).map(
            lambda ps: f"[ sh:alternativePath ( {' '.join(ps)} ) ]"
        ),
        st.tuples(st.sampled_from(("zeroOrMore", "oneOrMore", "zeroOrOne")), inner).map(
            lambda t: f"[ sh:{t[0]}Path {t[1]} ]"
        ),
    )


paths = _path(2)
value = st.sampled_from(VALUES)
count = st.integers(min_value=0, max_value=2)

# Constraint parameters valid on node and property shapes (Turtle, after the subject).
_ANY = [
    st.sampled_from(CLASSES).map(lambda c: f"sh:class {c}"),
    st.sampled_from(("xsd:integer", "xsd:string", "rdf:langString", "xsd:decimal")).map(
        lambda d: f"sh:datatype {d}"
    ),
    st.sampled_from(("IRI", "Literal", "BlankNode", "BlankNodeOrIRI", "IRIOrLiteral")).map(
        lambda k: f"sh:nodeKind sh:{k}"
    ),
    st.tuples(
        st.sampled_from(("minExclusive", "minInclusive", "maxExclusive", "maxInclusive")),
        st.sampled_from(("1", "2", '"abc"')),
    ).map(lambda t: f"sh:{t[0]} {t[1]}"),
    st.tuples(st.sampled_from(("minLength", "maxLength")), count).map(
        lambda t: f"sh:{t[0]} {t[1]}"
    ),
    st.sampled_from(("^a", "b", "^[0-9]+$")).map(lambda p: f'sh:pattern "{p}"'),
    st.sampled_from(('( "en" )', '( "en" "fi" )')).map(lambda x: f"sh:languageIn {x}"),
    st.tuples(st.sampled_from(("equals", "disjoint")), predicate).map(
        lambda t: f"sh:{t[0]} {t[1]}"
    ),
    value.map(lambda v: f"sh:hasValue {v}"),
    st.lists(value, min_size=1, max_size=3).map(lambda vs: f"sh:in ( {' '.join(vs)} )"),
    st.just("sh:closed true ; sh:ignoredProperties ( rdf:type )"),
]
_PROPERTY_ONLY = [
    st.tuples(st.sampled_from(("minCount", "maxCount")), count).map(lambda t: f"sh:{t[0]} {t[1]}"),
    st.just("sh:uniqueLang true"),
    # compared with numbers only: pyshacl compares IRIs (and language-tagged strings) as
    # plain strings, where SPARQL's < cannot compare them (see KNOWN in the CI test)
    st.tuples(st.sampled_from(("lessThan", "lessThanOrEquals")), st.just("ex:num")).map(
        lambda t: f"sh:{t[0]} {t[1]}"
    ),
]
# Safe SHACL-SPARQL queries: $this (and $PATH on property shapes) pre-bound.
_NODE_QUERIES = [
    "SELECT $this ?value WHERE { $this ex:p ?value . FILTER(isLiteral(?value)) }",
    "SELECT $this WHERE { FILTER NOT EXISTS { $this ex:q ?x } }",
    "SELECT $this ?value WHERE { $this ex:p ?value . ?value ex:q ?o }",
    "SELECT $this ?value WHERE { $this ex:r+ ?value . FILTER(sameTerm(?value, $this)) }",
    "SELECT $this (COUNT(DISTINCT ?v) AS ?n) WHERE { $this ex:p ?v } "
    "GROUP BY $this HAVING (COUNT(DISTINCT ?v) > 1)",
    "SELECT $this WHERE { { SELECT $this ?k (COUNT(?o) AS ?n) WHERE { $this ?k ?o } "
    "GROUP BY $this ?k } FILTER(?n > 1) }",
    "SELECT $this ?message WHERE { $this ex:p ?v . BIND(CONCAT('v=', STR(?v)) AS ?message) }",
]
_PROPERTY_QUERIES = [
    "SELECT $this ?value WHERE { $this $PATH ?value . FILTER(isIRI(?value)) }",
    "SELECT DISTINCT $this ?value WHERE { $this $PATH ?value . ?value a ex:C }",
]


_ONCE = {
    "sh:datatype",
    "sh:nodeKind",
    "sh:uniqueLang",
    "sh:minCount",
    "sh:maxCount",
    "sh:minLength",
    "sh:maxLength",
    "sh:in",
    "sh:languageIn",
    "sh:closed",
}


@dataclass
class Case:
    """One generated case: the shapes and data in Turtle."""

    shapes: str
    data: str


@st.composite
def _constraints(draw, *, is_property: bool, depth: int) -> list[str]:
    options = _ANY + (_PROPERTY_ONLY if is_property else [])
    drawn = draw(st.lists(st.one_of(*options), min_size=1, max_size=3))
    # One value per parameter SHACL allows once (both validators reject a second
    # sh:datatype, sh:nodeKind, sh:in; pyshacl takes a second sh:minCount, sh:maxCount,
    # sh:minLength, sh:maxLength, the fast validator does not); the others may repeat,
    # each value its own constraint.
    out, seen = [], set()
    for text in drawn:
        name = text.split()[0]
        if name in seen and name in _ONCE:
            continue
        seen.add(name)
        out.append(text)
    if depth < 1 and draw(st.booleans()):
        nested = draw(_nested(depth + 1, is_property))
        out.append(nested)
    if draw(st.integers(0, 4)) == 0:
        queries = _PROPERTY_QUERIES if is_property else _NODE_QUERIES
        query = draw(st.sampled_from(queries))
        message = draw(st.sampled_from(("", ' ; sh:message "bad {$this}"')))
        out.append(f'sh:sparql [ sh:prefixes ex:decl ; sh:select """{query}"""{message} ]')
    return out


@st.composite
def _shape_body(draw, *, is_property: bool, depth: int) -> str:
    parts = [f"sh:path {draw(paths)}"] if is_property else []
    parts += draw(_constraints(is_property=is_property, depth=depth))
    return " ; ".join(parts)


@st.composite
def _nested(draw, depth: int, is_property: bool) -> str:
    """A shape-valued constraint: sh:node, sh:not, sh:and, sh:or, sh:xone, sh:property,
    sh:qualifiedValueShape (the nested shapes are blank nodes)."""
    kinds = ["node", "not", "and", "or", "xone", "property"]
    kind = draw(st.sampled_from(kinds + (["qualifiedValueShape"] if is_property else [])))
    if kind == "property":
        return f"sh:property [ {draw(_shape_body(is_property=True, depth=depth))} ]"
    inner = draw(st.lists(_shape_body(is_property=False, depth=depth), min_size=1, max_size=2))
    shapes = [f"[ {body} ]" for body in inner]
    if kind in ("and", "or", "xone"):
        return f"sh:{kind} ( {' '.join(shapes)} )"
    if kind == "qualifiedValueShape":
        bounds = draw(
            st.sampled_from(
                ("sh:qualifiedMinCount 1", "sh:qualifiedMaxCount 0", "sh:qualifiedMinCount 2")
            )
        )
        return f"sh:qualifiedValueShape {shapes[0]} ; {bounds}"
    return f"sh:{kind} {shapes[0]}"


target = st.one_of(
    st.sampled_from(CLASSES).map(lambda c: f"sh:targetClass {c}"),
    st.sampled_from(NODES[:4] + ("ex:absent", '"a"')).map(lambda n: f"sh:targetNode {n}"),
    predicate.map(lambda p: f"sh:targetSubjectsOf {p}"),
    predicate.map(lambda p: f"sh:targetObjectsOf {p}"),
)


@st.composite
def shapes_graphs(draw) -> str:
    out = []
    for i in range(draw(st.integers(1, 2))):
        is_property = draw(st.booleans())
        body = draw(_shape_body(is_property=is_property, depth=0))
        targets = " ; ".join(draw(st.lists(target, min_size=1, max_size=2)))
        severity = draw(st.sampled_from(("", " ; sh:severity sh:Warning")))
        kind = "sh:PropertyShape" if is_property else "sh:NodeShape"
        out.append(f"ex:S{i} a {kind} ; {targets} ; {body}{severity} .")
    return PREFIXES + "\n".join(out)


triple = st.tuples(
    st.sampled_from(NODES),
    st.sampled_from(PREDICATES + ("rdf:type",)),
    st.sampled_from(NODES[:4] + LITERALS + CLASSES),
).filter(lambda t: t[1] != "rdf:type" or t[2] in CLASSES or t[2].startswith("ex:n"))


@st.composite
def data_graphs(draw) -> str:
    triples = draw(st.lists(triple, max_size=14, unique=True))
    numbers = draw(
        st.lists(
            st.tuples(st.sampled_from(NODES), st.sampled_from(("1", "2", "2.5", "3"))),
            max_size=4,
            unique=True,
        )
    )
    lines = [f"{s} {p} {o} ." for s, p, o in triples]
    lines += [f"{s} ex:num {n} ." for s, n in numbers]
    lines.append("ex:D rdfs:subClassOf ex:C .")
    return PREFIXES + "\n".join(lines)


cases = st.builds(Case, shapes_graphs(), data_graphs())


class OnlyOneFailed(AssertionError):
    """One validator rejected the case and the other did not."""

    def __init__(self, ours: Exception | None, pyshacl: Exception | None):
        super().__init__(f"only one validator failed: ours={ours!r} pyshacl={pyshacl!r}")
        self.ours, self.pyshacl = ours, pyshacl


def compare(case: Case) -> tuple[Counter, Counter] | None:
    """The two reports as multisets of result keys; None when both validators reject the
    shapes. Raises OnlyOneFailed when only one of them does."""
    shapes = Graph().parse(data=case.shapes, format="turtle")
    store = ox.Store()
    store.load(case.data.encode(), ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("urn:data"))
    ours = theirs = Counter()
    ours_error = theirs_error = None
    try:
        ours = Counter(r.key() for r in FastValidator(shapes).validate(store).results)
    except Exception as exc:  # noqa: BLE001 - compared with pyshacl's outcome below
        ours_error = exc
    try:
        theirs = Counter(r.key() for r in validate_pyshacl(store_to_graph(store), shapes).results)
    except Exception as exc:  # noqa: BLE001
        theirs_error = exc
    if ours_error is not None and theirs_error is not None:
        return None
    if ours_error is not None or theirs_error is not None:
        raise OnlyOneFailed(ours_error, theirs_error)
    return ours, theirs


EX = "http://example.org/"
SH = "http://www.w3.org/ns/shacl#"

KNOWN = {
    "inverse-sequence": (
        "pyshacl evaluates sh:inversePath over a sequence path as the inverses in the same "
        "order (^p/^q for ^(p/q), helper/expression_helper.py); SHACL says ^q/^p"
    ),
    "min-length-zero": (
        "pyshacl lets sh:minLength 0 pass blank nodes; SHACL makes every blank node value a "
        "result of sh:minLength"
    ),
    "absent-zero-length-sparql": (
        "engine limit: in a SHACL-SPARQL query ($PATH) a zero-length path does not reach a "
        "focus node that is in no triple (SPARQL bottom-up evaluation, pyoxigraph 0.5); "
        "core constraints handle it (Path.pattern)"
    ),
    "pyshacl-nested-path-sparql": (
        "pyshacl writes nested path operators into $PATH as invalid SPARQL (^^p for an "
        "inverse of an inverse, p** for zeroOrMore of zeroOrMore) and fails the query"
    ),
    "pyshacl-duplicate-solutions": (
        "pyshacl drops a SELECT solution equal to one it has already turned into a result "
        "(constraints/sparql/sparql_based_constraints.py, 'Guard against duplicate results'); "
        "SHACL makes each solution a result, so a query returning $this twice gives two"
    ),
    "lang-compare": (
        "pyshacl compares a language-tagged string with a plain string bound by their text "
        '(sh:minInclusive "abc" passes "c"@fi); SPARQL\'s operators cannot compare them, '
        "so SHACL makes the value a result"
    ),
    "pyshacl-blank-node-compare": (
        "pyshacl refuses to compare blank nodes in sh:lessThan(OrEquals); SHACL makes an "
        "incomparable pair a result"
    ),
}


def explained(case: Case, diff: Counter, ours: Counter, theirs: Counter) -> str | None:
    """The KNOWN entry that explains the disagreement, if one does: rewriting the shapes
    to avoid the construct pyshacl gets wrong (an equivalent form, or one that both read
    the same way) must make the two reports equal, and where there is no such rewrite the
    differing results themselves must show the cause."""
    keys = list(diff)
    component = {k[4].removeprefix(SH) for k in keys}
    rewrites = (
        ("inverse-sequence", "sh:inversePath (", _reverse_inverse_sequences),
        # minLength 0 holds for every value but blank nodes: without it only those differ
        (
            "min-length-zero",
            "sh:minLength 0",
            lambda t: t.replace("sh:minLength 0", "rdfs:comment 0"),
        ),
        # DISTINCT removes only repeated solutions
        ("pyshacl-duplicate-solutions", '"""SELECT $this', _distinct_selects),
    )
    for name, marker, rewrite in rewrites:
        if marker in case.shapes and _agree(Case(rewrite(case.shapes), case.data)):
            return name
    if component == {"SPARQLConstraintComponent"} and all(
        k[2] == k[0] and _absent(case, k[0]) for k in keys
    ):
        return "absent-zero-length-sparql"
    if '"abc" ' in case.shapes and all(k[2] and '"@' in k[2] for k in keys):
        return "lang-compare"
    return None


def _agree(case: Case) -> bool:
    """Do the two validators agree on ``case`` (or does only pyshacl fail, for a KNOWN
    reason: two known causes in one case)?"""
    try:
        outcome = compare(case)
    except OnlyOneFailed as error:
        return failure_explained(error) is not None
    return outcome is not None and outcome[0] == outcome[1]


def _distinct_selects(text: str) -> str:
    return text.replace('"""SELECT $this', '"""SELECT DISTINCT $this')


_INVERSE_SEQUENCE = "[ sh:inversePath ( "


def _reverse_inverse_sequences(text: str) -> str:
    """The shapes text with each inverse of a (generated, two-member) sequence rewritten."""
    while _INVERSE_SEQUENCE in text:
        start = text.rindex(_INVERSE_SEQUENCE)  # innermost last: its members are plain
        i = start + len(_INVERSE_SEQUENCE)
        members, depth, current = [], 0, ""
        while depth > 0 or text[i] != ")":
            ch = text[i]
            depth += (ch in "[(") - (ch in "])")
            if ch == " " and depth == 0:
                if current:
                    members.append(current)
                current = ""
            else:
                current += ch
            i += 1
        members.append(current) if current else None
        end = text.index("]", i) + 1
        inverted = " ".join(f"[ sh:inversePath {m} ]" for m in reversed(members))
        text = f"{text[:start]}( {inverted} ){text[end:]}"
    return text


def _absent(case: Case, node: str) -> bool:
    """Is the IRI ``node`` in no triple of the case's data?"""
    name = "ex:" + node.removeprefix(EX)
    data = case.data.split("ex:decl", 1)[1].split("\n", 1)[1]
    return node.startswith(EX) and name not in data.split()


def failure_explained(error: OnlyOneFailed) -> str | None:
    text = str(error.pyshacl)
    if error.ours is None and "Expected SelectQuery" in text:
        return "pyshacl-nested-path-sparql"
    if error.ours is None and "to compare a BlankNode" in text:
        return "pyshacl-blank-node-compare"
    return None
