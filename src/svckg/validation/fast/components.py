"""One evaluation per SHACL constraint component, as set-based SPARQL over all focus nodes.

Each ``check_*`` function takes the evaluation context, the shape, the constraint and the
focus-node source, and yields raw results. Value-type components run one query returning
only the violations; logical components (not, and, or, xone, node, qualified) ask the
context which value nodes fail the nested shape (evaluated in one batch over all value
nodes) and combine the answers in Python.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Protocol

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from svckg.errors import ShapesError
from svckg.sparql_lexer import VARNAME
from svckg.validation.fast.cycles import cycle_nodes, cycle_predicates
from svckg.validation.fast.shapes import SH_NS, Constraint, Shape
from svckg.validation.fast.sparql import describe_error, prebind, strip_strings
from svckg.validation.report import term_text

Term = ox.NamedNode | ox.BlankNode | ox.Literal
_UNMATCHABLE = "<urn:svckg:unmatchable-blank-node>"
# Datatypes the engine can cast: a failed cast means an ill-typed literal.
_CASTABLE = {
    str(XSD[n])
    for n in (
        "integer",
        "decimal",
        "double",
        "float",
        "boolean",
        "dateTime",
        "date",
        "time",
        "duration",
    )
}
_STRINGS = {str(XSD.string), "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}
ILL_TYPED_FUNCTION = "urn:svckg:fn:illTyped"


@dataclass(frozen=True)
class Raw:
    """One result before conversion: ``anchor`` is the focus node of the shape being
    evaluated (differs from ``focus`` only for results of nested property shapes)."""

    anchor: Term
    focus: Term
    path: str | None
    value: Term | None
    shape: Shape
    component: str
    message: str
    source: Term | Node | None = None
    """The ``sh:sourceConstraint`` (the ``sh:sparql`` node of a SHACL-SPARQL constraint)."""


class Focus(Protocol):
    """A source of focus nodes: a SPARQL group pattern binding a variable."""

    depth: int
    whole: bool
    """True when the focus nodes are all the targets of a shape (not a scoped subset)."""

    def pattern(self, var: str) -> str:
        """Group pattern text binding ``?var`` to each focus node."""


class Context(Protocol):
    """What a component needs from the engine."""

    def select(self, query: str, **kwargs) -> Iterable[ox.QuerySolution]:
        """Run a SELECT query on the data."""

    def failing(self, shape: Node, focus: Focus) -> set[Term]:
        """Focus nodes of ``focus`` that do not conform to the shape ``shape``."""

    def evaluate(self, shape: Node, focus: Focus) -> list[Raw]:
        """All results of validating the focus nodes against the shape ``shape``."""

    def subclasses(self, classes: list[Node]) -> list[Term]:
        """The classes and their subclasses in the data."""

    def edges(self, predicates: list[str]) -> Iterable[tuple[str, str]]:
        """(subject, object) values of the triples with one of the predicates (no literals)."""

    def values_of(self, shape: Shape, focus: Focus) -> Focus:
        """The value nodes of ``shape`` over ``focus``, as a focus source."""


def sparql_term(node: Node) -> str:
    """An rdflib term as SPARQL text (blank nodes of the shapes graph match nothing).

    >>> sparql_term(URIRef("http://ex/a"))
    '<http://ex/a>'
    """
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3()
    return _UNMATCHABLE


def _focus_values(shape: Shape, focus: Focus, value: str = "?value") -> str:
    """Group pattern binding ?this to each focus node and ``value`` to each of its value
    nodes (:meth:`Path.pattern`: a nullable path keeps the focus node as a value)."""
    if shape.path is None:
        return f"{focus.pattern('this')} BIND(?this AS {value})"
    return shape.path.pattern(focus.pattern("this"), "?this", value)


def _has(shape: Shape, value: str) -> str:
    """Expression: ``value`` is a value node of ?this."""
    if shape.path is None:
        return f"sameTerm(?this, {value})"
    exists = f"EXISTS {{ ?this {shape.path.sparql()} {value} }}"
    return f"(sameTerm(?this, {value}) || {exists})" if shape.path.nullable() else exists


def _path_text(shape: Shape) -> str | None:
    return shape.path.text() if shape.path is not None else None


def _violations(
    ctx: Context,
    shape: Shape,
    c: Constraint,
    focus: Focus,
    body: str,
    message: str,
    *,
    with_value: bool = True,
    per: str = "",
) -> Iterator[Raw]:
    """Run ``SELECT DISTINCT ?this [?value] [per] WHERE { focus+values . body }`` and yield
    results (with_value False: ``focus . body``). ``per`` names variables that make one
    result each, e.g. the other value of sh:lessThan: one result per failing pair, as the
    specification counts."""
    head = ("?this ?value" if with_value else "?this") + (f" {per}" if per else "")
    start = _focus_values(shape, focus) if with_value else focus.pattern("this")
    query = f"SELECT DISTINCT {head} WHERE {{ {start} {body} }}"
    path = _path_text(shape)
    for row in ctx.select(query):
        this = row[0]
        value = row[1] if with_value else None
        yield Raw(this, this, path, value, shape, c.iri, message)


def _filter(
    ctx: Context, shape: Shape, c: Constraint, focus: Focus, condition: str, message: str
) -> Iterator[Raw]:
    body = f"FILTER({condition})"
    return _violations(ctx, shape, c, focus, body, message)


def check_class(ctx: Context, shape: Shape, c: Constraint, focus: Focus) -> Iterator[Raw]:
    # The subclass closure comes from the data once; per value only its types are looked up.
    classes = ", ".join(str(k) for k in ctx.subclasses([c.value])) or sparql_term(c.value)
    body = f"FILTER NOT EXISTS {{ ?value a ?k FILTER(?k IN ({classes})) }}"
    return _violations(ctx, shape, c, focus, body, f"Value is not an instance of <{c.value}>")


def check_datatype(ctx: Context, shape: Shape, c: Constraint, focus: Focus) -> Iterator[Raw]:
    dt = str(c.value)
    cond = f"!isLiteral(?value) || datatype(?value) != <{dt}>"
    if dt in _CASTABLE:
        cond += f" || sameTerm(COALESCE(<{dt}>(?value), {_UNMATCHABLE}), {_UNMATCHABLE})"
    elif dt not in _STRINGS:
        cond += f" || <{ILL_TYPED_FUNCTION}>(?value)"
    if dt != "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString":
        cond += ' || lang(?value) != ""'
    return _filter(ctx, shape, c, focus, cond, f"Value does not have datatype <{dt}>")


def ill_typed(term: ox.Literal) -> ox.Literal:
    """Custom SPARQL function: is the literal's lexical form invalid for its datatype?"""
    lit = Literal(term.value, datatype=term.datatype.value)
    return ox.Literal("true" if lit.ill_typed else "false", datatype=ox.NamedNode(str(XSD.boolean)))


_NODE_KIND = {
    "IRI": "isIRI(?value)",
    "BlankNode": "isBlank(?value)",
    "Literal": "isLiteral(?value)",
    "BlankNodeOrIRI": "!isLiteral(?value)",
    "BlankNodeOrLiteral": "!isIRI(?value)",
    "IRIOrLiteral": "!isBlank(?value)",
}


def check_node_kind(ctx: Context, shape: Shape, c: Constraint, focus: Focus) -> Iterator[Raw]:
    return _filter(
        ctx, shape, c, focus, f"!({_NODE_KIND[c.value]})", f"Value is not of node kind sh:{c.value}"
    )


def check_min_count(ctx: Context, shape: Shape, c: Constraint, focus: Focus) -> Iterator[Raw]:
    n = c.value
    if n == 0:
        return iter(())
    path = shape.path.sparql()
    if n == 1 and shape.path.nullable():
        return iter(())  # the focus node is a value node of its own
    if n == 1:
        body = f"FILTER NOT EXISTS {{ ?this {path} ?v }}"
        return _violations(ctx, shape, c, focus, body, f"Less than {n} values", with_value=False)
    values = _focus_values(shape, focus, "?v")
    if not shape.path.nullable():
        values = f"{focus.pattern('this')} OPTIONAL {{ ?this {path} ?v }}"
    query = f"SELECT ?this WHERE {{ {values} }} GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {n})"
    return _rows_to_raw(ctx, query, shape, c, f"Less than {n} values")


def check_max_count(ctx: Context, shape: Shape, c: Constraint, focus: Focus) -> Iterator[Raw]:
    n, path = c.value, shape.path.sparql()
    message = f"More than {n} values"
    nullable = shape.path.nullable()
    if n == 0 and not nullable:
        return _violations(ctx, shape, c, focus, f"?this {path} ?v .", message, with_value=False)
    if n == 1 and not nullable:  # two distinct values: a join is about twice as fast as grouping
        body = f"?this {path} ?v1 . ?this {path} ?v2 . FILTER(!sameTerm(?v1, ?v2))"
        return _violations(ctx, shape, c, focus, body, message, with_value=False)
    query = (
        f"SELECT ?this WHERE {{ {_focus_values(shape, focus, '?v')} }}"
        f" GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {n})"
    )
    return _rows_to_raw(ctx, query, shape, c, message)


def _rows_to_raw(
    ctx: Context, query: str, shape: Shape, c: Constraint, message: str
) -> Iterator[Raw]:
    path = _path_text(shape)
    for row in ctx.select(query):
        yield Raw(row[0], row[0], path, None, shape, c.iri, message)


def _range(op: str, word: str) -> Callable:
    def check(ctx: Context, shape: Shape, c: Constraint, focus: Focus) -> Iterator[Raw]:
        bound = sparql_term(c.value)
        return _filter(
            ctx,
            shape,
            c,
            focus,
            f"!COALESCE(?value {op} {bound}, false)",
            f"Value is not {word} {c.value}",
        )

    return check


def _length(op: str, word: str) -> Callable:
    def check(ctx: Context, shape: Shape, c: Constraint, focus: Focus) -> Iterator[Raw]:
        cond = f"isBlank(?value) || !(STRLEN(STR(?value)) {op} {c.value})"
        return _filter(ctx, shape, c, focus, cond, f"Value has {word} {c.value} characters")

    return check


def check_pattern(ctx: Context, shape: Shape, c: Constraint, focus: Focus) -> Iterator[Raw]:
    flags = c.extra.get("flags", "")
    regex = f"REGEX(STR(?value), {Literal(c.value).n3()}, {Literal(flags).n3()})"
    return _filter(
        ctx,
        shape,
        c,
        focus,
        f"isBlank(?value) || !{regex}",
        f"Value does not match pattern {c.value!r}",
    )


def check_language_in(ctx: Context, shape: Shape, c: Constraint, focus: Focus) -> Iterator[Raw]:
    tests = " || ".join(f"langMatches(lang(?value), {Literal(str(t)).n3()})" for t in c.value)
    cond = f"!isLiteral(?value) || !({tests or 'false'})"
    langs = ", ".join(str(t) for t in c.value)
    return _filter(ctx, shape, c, focus, cond, f"Language tag not in {langs}")


def check_unique_lang(ctx: Context, shape: Shape, c: Constraint, focus: Focus) -> Iterator[Raw]:
    if not c.value:
        return iter(())
    query = (
        f"SELECT ?this ?lang WHERE {{ {_focus_values(shape, focus, '?v')} "
        f"BIND(LCASE(lang(?v)) AS ?lang) "
        f'FILTER(?lang != "") }} GROUP BY ?this ?lang HAVING (COUNT(DISTINCT ?v) > 1)'
    )
    return _rows_to_raw(ctx, query, shape, c, "More than one value uses the same language")


def check_equals(ctx: Context, shape: Shape, c: Constraint, focus: Focus) -> Iterator[Raw]:
    q = sparql_term(c.value)
    message = f"Value sets differ from <{c.value}>"
    missing = f"FILTER NOT EXISTS {{ ?this {q} ?value }}"
    yield from _violations(ctx, shape, c, focus, missing, message)
    extra = (
        f"SELECT DISTINCT ?this ?value WHERE {{ {focus.pattern('this')} "
        f"?this {q} ?value FILTER(!{_has(shape, '?value')}) }}"
    )
    path = _path_text(shape)
    for row in ctx.select(extra):
        yield Raw(row[0], row[0], path, row[1], shape, c.iri, message)


def check_disjoint(ctx: Context, shape: Shape, c: Constraint, focus: Focus) -> Iterator[Raw]:
    body = f"?this {sparql_term(c.value)} ?value ."
    return _violations(ctx, shape, c, focus, body, f"Value is also a value of <{c.value}>")


def _compare(op: str, word: str) -> Callable:
    def check(ctx: Context, shape: Shape, c: Constraint, focus: Focus) -> Iterator[Raw]:
        # SPARQL's < and <= are defined on literals only (the engine also says
        # <a> <= <a> is true): any other pair cannot be compared, a result by the spec.
        body = (
            f"?this {sparql_term(c.value)} ?other . FILTER(!(isLiteral(?value) && "
            f"isLiteral(?other) && COALESCE(?value {op} ?other, false)))"
        )
        return _violations(
            ctx,
            shape,
            c,
            focus,
            body,
            f"Value is not {word} the values of <{c.value}>",
            per="?other",
        )

    return check


def check_has_value(ctx: Context, shape: Shape, c: Constraint, focus: Focus) -> Iterator[Raw]:
    body = f"FILTER(!{_has(shape, sparql_term(c.value))})"
    return _violations(
        ctx, shape, c, focus, body, f"Missing expected value {c.value}", with_value=False
    )


def check_in(ctx: Context, shape: Shape, c: Constraint, focus: Focus) -> Iterator[Raw]:
    tests = " || ".join(f"sameTerm(?value, {sparql_term(t)})" for t in c.value)
    return _filter(
        ctx, shape, c, focus, f"!({tests or 'false'})", "Value is not in the allowed list"
    )


def check_closed(ctx: Context, shape: Shape, c: Constraint, focus: Focus) -> Iterator[Raw]:
    if not c.value:
        return
    allowed = ", ".join(sparql_term(p) for p in (*c.extra["allowed"], *c.extra["ignored"]))
    query = (
        # one result per triple of a value node (two value nodes may share p and o)
        f"SELECT DISTINCT ?this ?p ?o ?value WHERE {{ {_focus_values(shape, focus)} "
        f"?value ?p ?o FILTER(?p NOT IN ({allowed})) }}"
    )
    for row in ctx.select(query):
        yield Raw(
            row[0],
            row[0],
            row[1].value,
            row[2],
            shape,
            c.iri,
            f"Predicate <{row[1].value}> is not allowed (closed shape)",
        )


def _pairs(ctx: Context, shape: Shape, focus: Focus) -> list[tuple[Term, Term]]:
    query = f"SELECT DISTINCT ?this ?value WHERE {{ {_focus_values(shape, focus)} }}"
    return [(row[0], row[1]) for row in ctx.select(query)]


def _logical(
    rule: Callable[[list[bool]], bool], word: str, *, skip_if_all_conform: bool
) -> Callable:
    """Components over nested shapes: ``rule(conforms per nested shape)`` -> violation?"""

    def check(ctx: Context, shape: Shape, c: Constraint, focus: Focus) -> Iterator[Raw]:
        nested = list(c.value) if isinstance(c.value, tuple) else [c.value]
        values = ctx.values_of(shape, focus)
        failing = [ctx.failing(n, values) for n in nested]
        if skip_if_all_conform and not any(failing):
            return
        path = _path_text(shape)
        for this, value in _pairs(ctx, shape, focus):
            if rule([value not in f for f in failing]):
                yield Raw(this, this, path, value, shape, c.iri, word)

    return check


def check_property(ctx: Context, shape: Shape, c: Constraint, focus: Focus) -> Iterator[Raw]:
    values = ctx.values_of(shape, focus)
    results = ctx.evaluate(c.value, values)
    if shape.path is None or not results:
        yield from results
        return
    back: dict[Term, list[Term]] = defaultdict(list)
    for this, value in _pairs(ctx, shape, focus):
        back[value].append(this)
    for r in results:
        for this in back.get(r.anchor, ()):
            yield replace(r, anchor=this)


def check_qualified(
    ctx: Context, shape: Shape, c: Constraint, focus: Focus, siblings: list[Node]
) -> Iterator[Raw]:
    lo, hi = c.extra["min"], c.extra["max"]
    if lo is None and hi is None:
        return
    values = ctx.values_of(shape, focus)
    failing = ctx.failing(c.value, values)
    others = [ctx.failing(s, values) for s in siblings] if c.extra["disjoint"] else []
    counts: dict[Term, int] = defaultdict(int)
    for this, value in _pairs(ctx, shape, focus):
        counts[this] += value not in failing and all(value in o for o in others)
    path = _path_text(shape)
    for row in ctx.select(f"SELECT DISTINCT ?this WHERE {{ {focus.pattern('this')} }}"):
        n = counts.get(row[0], 0)
        for failed, component, message in (
            (
                lo is not None and n < lo,
                "QualifiedMinCountConstraintComponent",
                f"Less than {lo} values conform to the qualified value shape",
            ),
            (
                hi is not None and n > hi,
                "QualifiedMaxCountConstraintComponent",
                f"More than {hi} values conform to the qualified value shape",
            ),
        ):
            if failed:
                yield Raw(
                    row[0],
                    row[0],
                    path,
                    None,
                    shape,
                    SH_NS + component,
                    message,
                )


_TEMPLATE = re.compile(rf"\{{[?$]({VARNAME})\}}")


def fill_message(template: str, bindings: dict[str, str]) -> str:
    """Substitute ``{$var}`` / ``{?var}`` placeholders (unknown ones stay as written).

    >>> fill_message("{$this} has no {?p}", {"this": "ex:a", "p": "ex:owner"})
    'ex:a has no ex:owner'
    """
    return _TEMPLATE.sub(lambda m: bindings.get(m.group(1), m.group(0)), template)


def check_sparql(ctx: Context, shape: Shape, c: Constraint, focus: Focus) -> Iterator[Raw]:
    sc = c.value
    if sc.deactivated:
        return iter(())
    template = (sc.messages or shape.messages or (None,))[0]
    return _select_results(
        ctx, shape, c, focus, sc.select, sc.prefixes, template, {}, source=sc.node
    )


def check_custom(ctx: Context, shape: Shape, c: Constraint, focus: Focus) -> Iterator[Raw]:
    validator = c.value.for_shape(shape.path is not None)
    params = {k: sparql_term(v) for k, v in c.extra["params"].items()}
    template = (validator.messages or shape.messages or (None,))[0]
    if validator.kind == "select":
        yield from _select_results(
            ctx, shape, c, focus, validator.query, validator.prefixes, template, params
        )
        return
    query = validator.query.replace("$PATH", shape.path.sparql()) if shape.path else validator.query
    path = _path_text(shape)
    for this, value in _pairs(ctx, shape, focus):
        bindings = {
            **params,
            "this": str(this),
            "value": str(value),
            "currentShape": sparql_term(shape.node),
        }
        subs = {}
        for name, term in (("this", this), ("value", value)):
            if isinstance(term, ox.BlankNode):
                del bindings[name]
                subs[ox.Variable(name)] = term
        ok = ctx.select(
            prebind(query, bindings), prefixes=validator.prefixes, substitutions=subs or None
        )
        if not bool(ok):
            message = (
                fill_message(template, {"this": _plain(this), "value": _plain(value), **params})
                if template
                else f"Value does not satisfy <{c.value.node}>"
            )
            yield Raw(this, this, path, value, shape, c.iri, message)


_NOT_BATCHABLE = re.compile(r"\b(UNION|GRAPH|BIND|ORDER|LIMIT|OFFSET)\b", re.IGNORECASE)
_AGGREGATES = re.compile(
    r"\b(GROUP|HAVING|COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT)\b", re.IGNORECASE
)
_GROUP_BY_THIS = re.compile(r"\bGROUP\s+BY\b[^{}]*[?$]this\b", re.IGNORECASE)


def _batchable(query: str) -> bool:
    """Can the query run once for all focus nodes (joined with them) with the same answers
    as once per pre-bound focus node? Only for plain queries: one SELECT, no UNION, BIND,
    GRAPH or modifiers, aggregates only when grouped by $this, and nested groups only under
    EXISTS or OPTIONAL."""
    bare = strip_strings(query)
    if len(re.findall(r"\bSELECT\b", bare, re.IGNORECASE)) != 1 or _NOT_BATCHABLE.search(bare):
        return False
    if _AGGREGATES.search(bare) and not _GROUP_BY_THIS.search(bare):
        return False
    opens = len(re.findall(r"\{", bare))
    allowed = len(re.findall(r"\b(WHERE|EXISTS|OPTIONAL)\s*\{", bare, re.IGNORECASE))
    first_group_without_where = 0 if re.search(r"\bWHERE\s*\{", bare, re.IGNORECASE) else 1
    return opens == allowed + first_group_without_where


def _select_results(
    ctx: Context,
    shape: Shape,
    c: Constraint,
    focus: Focus,
    query: str,
    prefixes: dict[str, str],
    template: str | None,
    params: dict[str, str],
    source: Node | None = None,
) -> Iterator[Raw]:
    if shape.path is not None:
        query = query.replace("$PATH", shape.path.sparql())
    fixed = {**params, "currentShape": sparql_term(shape.node)}
    if sparql_term(shape.node) == _UNMATCHABLE:
        del fixed["currentShape"]
    runs: list[tuple[Term | None, ox.QuerySolutions]] = []
    # The cycle idiom over whole targets: one graph walk (a scoped run keeps per-node queries).
    cycle = cycle_predicates(query, prefixes) if focus.whole and not params else None
    if cycle is not None:
        yield from _cycle_results(ctx, shape, c, focus, cycle, template, source)
        return
    try:
        if _batchable(query):
            text = prebind(query, fixed).replace("$this", "?this")
            # Each focus node once: a target pattern can bind a node twice (two subjects
            # of sh:targetObjectsOf), and every row of the query is a result.
            nodes = f"{{ SELECT DISTINCT ?this WHERE {{ {focus.pattern('this')} }} }}"
            text = re.sub(r"\{", lambda _m: "{ " + nodes + " ", text, count=1)
            if not re.search(r"\?this\b|\*", text.split("{", 1)[0]):
                text = re.sub(
                    r"\bSELECT\b(\s+(DISTINCT|REDUCED)\b)?",
                    r"SELECT\1 ?this",
                    text,
                    count=1,
                    flags=re.IGNORECASE,
                )
            runs.append((None, ctx.select(text, prefixes=prefixes)))
        else:
            query_f = f"SELECT DISTINCT ?this WHERE {{ {focus.pattern('this')} }}"
            for this in [row[0] for row in ctx.select(query_f)]:
                if isinstance(this, ox.BlankNode):
                    runs.append(
                        (
                            this,
                            ctx.select(
                                prebind(query, fixed),
                                prefixes=prefixes,
                                substitutions={ox.Variable("this"): this},
                            ),
                        )
                    )
                else:
                    runs.append(
                        (
                            this,
                            ctx.select(
                                prebind(query, {**fixed, "this": str(this)}), prefixes=prefixes
                            ),
                        )
                    )
    except SyntaxError as exc:
        raise ShapesError(
            f"SHACL-SPARQL query does not parse once $this is pre-bound: "
            f"{describe_error(query, exc)}",
            where=f"shape {shape.name}, {constraint_name(c)}",
            hint="fix the query",
        ) from exc
    path = _path_text(shape)
    for fixed_this, solutions in runs:
        names = solutions.variables
        for row in solutions:
            binding = {v.value: row[v] for v in names if row[v] is not None}
            this = fixed_this if fixed_this is not None else binding["this"]
            failure = binding.get("failure")
            if isinstance(failure, ox.Literal) and failure.value == "true":
                raise ShapesError(
                    "SHACL-SPARQL constraint reported a failure",
                    where=f"shape {shape.name}",
                    hint="check the query and data",
                )
            value = binding.get("value", this if shape.path is None else None)
            rpath = binding["path"].value if isinstance(binding.get("path"), ox.NamedNode) else path
            if isinstance(binding.get("message"), ox.Literal):
                message = binding["message"].value  # the solution's own message (5.3.2)
            elif template is None:
                message = "SPARQL constraint violated"
            else:
                text = {k: _plain(v) for k, v in binding.items()}
                text.setdefault("this", _plain(this))
                text.setdefault("PATH", path or "")
                for k, v in params.items():
                    text.setdefault(k, v.strip("<>"))
                message = fill_message(template, text)
            yield Raw(this, this, rpath, value, shape, c.iri, message, source)


def _cycle_results(
    ctx: Context,
    shape: Shape,
    c: Constraint,
    focus: Focus,
    predicates: list[str],
    template: str | None,
    source: Node | None,
) -> Iterator[Raw]:
    """The cycle idiom (see :mod:`cycles`): focus nodes on a cycle of ``predicates``."""
    on_cycle = cycle_nodes(ctx.edges(predicates))
    if not on_cycle:
        return
    path = _path_text(shape)
    query = f"SELECT DISTINCT ?this WHERE {{ {focus.pattern('this')} }}"
    for row in ctx.select(query):
        this = row[0]
        if not isinstance(this, ox.Literal) and this.value in on_cycle:
            message = (
                fill_message(template, {"this": _plain(this)})
                if template
                else ("Node lies on a cycle")
            )
            value = this if shape.path is None else None
            yield Raw(this, this, path, value, shape, c.iri, message, source)


def constraint_name(c: Constraint) -> str:
    """How errors name a constraint: its sh:sparql node, its SPARQL-based component, or
    the SHACL Core parameter (``sh:minCount``)."""
    if c.component == "SPARQL":
        return f"sh:sparql constraint {term_text(c.value.node)}"
    if c.component == "Custom":
        return f"constraint component {term_text(c.value.node)}"
    return f"sh:{c.component[0].lower()}{c.component[1:]}"


def _plain(term: Term) -> str:
    return term.value if isinstance(term, ox.NamedNode | ox.Literal) else str(term)


CHECKS: dict[str, Callable] = {
    "Class": check_class,
    "Datatype": check_datatype,
    "NodeKind": check_node_kind,
    "MinCount": check_min_count,
    "MaxCount": check_max_count,
    "MinExclusive": _range(">", "greater than"),
    "MinInclusive": _range(">=", "greater than or equal to"),
    "MaxExclusive": _range("<", "less than"),
    "MaxInclusive": _range("<=", "less than or equal to"),
    "MinLength": _length(">=", "fewer than"),
    "MaxLength": _length("<=", "more than"),
    "Pattern": check_pattern,
    "LanguageIn": check_language_in,
    "UniqueLang": check_unique_lang,
    "Equals": check_equals,
    "Disjoint": check_disjoint,
    "LessThan": _compare("<", "less than"),
    "LessThanOrEquals": _compare("<=", "less than or equal to"),
    "Not": _logical(
        lambda ok: ok[0], "Value conforms to the negated shape", skip_if_all_conform=False
    ),
    "And": _logical(
        lambda ok: not all(ok), "Value does not conform to every shape", skip_if_all_conform=True
    ),
    "Or": _logical(
        lambda ok: not any(ok), "Value conforms to none of the shapes", skip_if_all_conform=True
    ),
    "Xone": _logical(
        lambda ok: sum(ok) != 1,
        "Value does not conform to exactly one shape",
        skip_if_all_conform=False,
    ),
    "Node": _logical(
        lambda ok: not ok[0], "Value does not conform to the node shape", skip_if_all_conform=True
    ),
    "Property": check_property,
    "Closed": check_closed,
    "HasValue": check_has_value,
    "In": check_in,
    "SPARQL": check_sparql,
    "Custom": check_custom,
}
