"""The strawberry schema generated from the :mod:`schema model <svckg.api.graphql.model>`.

Types are built at run time from the ontology and the shapes: a new property shape or
ontology property becomes a field without code. Generated classes live in a private module
(one per build) so that strawberry resolves their forward references by name. Elements are
instances of the generated classes carrying a :class:`~svckg.api.graphql.loaders.Ref`; a
relation field answers from the request's look-ahead cache when it holds the value (no await),
else through the request's DataLoaders.
"""

from __future__ import annotations

import base64
import itertools
import sys
import threading
import types
import typing
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
import strawberry
from graphql import GraphQLSchema
from strawberry.fastapi import BaseContext
from strawberry.scalars import JSON
from strawberry.types import Info

from svckg.analysis import impact as impact_module
from svckg.analysis import queries as queries_module
from svckg.analysis import trace as trace_module
from svckg.analysis.scoped import scoped_impact, scoped_trace
from svckg.analysis.views import View
from svckg.api.dependencies import EDITOR, check_role
from svckg.api.graphql import analysis as gql_analysis
from svckg.api.graphql import writes
from svckg.api.graphql.cost import MAX_PAGE, Budget
from svckg.api.graphql.execution import ProjectingExecutionContext, Projector
from svckg.api.graphql.loaders import (
    Loaders,
    Ref,
    Value,
    attach_ref,
    element_ref,
    iri_text,
    pick_label,
    scalar_value,
)
from svckg.api.graphql.model import CONCEPT, NODE, FieldSpec, SchemaModel
from svckg.api.graphql.prefetch import below, prefetch
from svckg.api.ops import walk_source
from svckg.api.state import AppState
from svckg.api.threads import in_thread, in_thread_write
from svckg.errors import QueryError, SvckgError
from svckg.store.base import Store
from svckg.terms import RDF_TYPE, RDFS_LABEL_IRI, SKOS_PREFLABEL_IRI, expand_iri
from svckg.vocab import CONTRACT_CLASSES, SVC

SKOS_CONCEPT = "http://www.w3.org/2004/02/skos/core#Concept"
THING = "Thing"
"""The type of elements with no svckg class."""
_BUILDS = itertools.count()
CURSOR_TAG = "svckg:"
PYTHON_SCALARS = {"Int": "int", "Float": "float", "Boolean": "bool", "String": "str"}
"""GraphQL scalar -> the Python annotation strawberry maps back to it."""


class GraphQLContext(BaseContext):
    """What every resolver sees as ``info.context``: app state, store and the loaders.

    For a consumer token ``view`` is its view and ``store`` the view store (it holds nothing
    outside the view: an element outside it is as unknown as one that does not exist);
    impact and trace are computed on the whole store and projected onto the view."""

    def __init__(self, state: AppState, built: Built, view: View | None = None):
        super().__init__()
        self.state = state
        self.view = view
        self.store: Store = state.store if view is None else view.store
        self.loaders = Loaders(self.store)
        self.specs: Mapping[str, FieldSpec] = built.model.fields
        """Field name -> the property it reads (for look-ahead)."""
        self.projector = built.projector
        settings = state.settings
        self.budget = Budget(settings.graphql_max_nodes, settings.query_timeout_s)
        """Objects this request may still complete and its deadline."""


@strawberry.type(description="Relay page information.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.input(description="Filters of a list of elements; all given filters must hold.")
class ElementFilter:
    label_contains: str | None = strawberry.field(
        default=None, description="Part of an rdfs:label or skos:prefLabel (case-insensitive)."
    )
    lifecycle_status: strawberry.ID | None = strawberry.field(
        default=None, description="svc:lifecycleStatus concept (IRI or CURIE)."
    )
    layer: strawberry.ID | None = strawberry.field(
        default=None, description="Architecture layer concept (IRI or CURIE) of the element."
    )
    owned_by: strawberry.ID | None = strawberry.field(
        default=None, description="svc:ownedBy party (IRI or CURIE)."
    )


def encode_cursor(iri: str) -> str:
    """An opaque cursor for the element ``iri``.

    >>> decode_cursor(encode_cursor("https://w3id.org/svckg/id/a"))
    'https://w3id.org/svckg/id/a'
    """
    return base64.urlsafe_b64encode(f"{CURSOR_TAG}{iri}".encode()).decode()


def decode_cursor(cursor: str) -> str:
    """The IRI of a cursor; QueryError for a cursor this server did not make."""
    try:
        text = base64.b64decode(cursor.encode(), altchars=b"-_", validate=True).decode()
        if not text.startswith(CURSOR_TAG):
            raise ValueError(cursor)
        return ox.NamedNode(text[len(CURSOR_TAG) :]).value
    except (ValueError, UnicodeDecodeError) as exc:
        raise QueryError(
            "the cursor is not one this server gave",
            where="argument 'after'",
            hint="pass pageInfo.endCursor of the previous page",
        ) from exc


def plural(name: str) -> str:
    """The lowerCamel plural field name of a class.

    >>> [plural(n) for n in ("Service", "Capability", "Process", "Person", "BandOfVisibility")]
    ['services', 'capabilities', 'processes', 'people', 'bandsOfVisibility']
    """
    if name == "Person":
        return "people"
    head, sep, tail = name.partition("Of")
    if sep and tail[:1].isupper():
        return plural(head) + sep + tail
    if name.endswith("y") and name[-2:-1] not in "aeiou":
        word = name[:-1] + "ies"
    elif name.endswith(("s", "x", "ch", "sh")):
        word = name + "es"
    else:
        word = name + "s"
    return word[0].lower() + word[1:]


async def _then(pending: Awaitable[Any], convert: Callable[[Any], Any]) -> Any:
    return convert(await pending)


@dataclass
class Built:
    """A generated schema and what resolvers need to wrap elements."""

    schema: strawberry.Schema
    model: SchemaModel
    module: types.ModuleType
    projector: Projector


class _Builder:
    def __init__(self, model: SchemaModel):
        self.model = model
        name = f"svckg_graphql_generated_{next(_BUILDS)}"
        self.module = types.ModuleType(name)
        sys.modules[name] = self.module
        self.ns = self.module.__dict__
        self.ns.update(
            typing=typing,
            strawberry=strawberry,
            Info=Info,
            ElementFilter=ElementFilter,
            PageInfo=PageInfo,
            JSON=JSON,
            Any=Any,
        )
        self.classes: dict[str, type] = {}
        self.iri_to_class = {spec.iri: name for name, spec in model.classes.items()}
        self._depth = {name: len(model.ancestors(name)) for name in model.classes}

    # -- wrapping elements -----------------------------------------------------------------

    def type_for(self, ref: Ref, expected: str) -> str:
        """The concrete GraphQL type of ``ref`` where a value of type ``expected`` is due."""
        if expected == CONCEPT:
            return CONCEPT
        names = [self.iri_to_class[t] for t in ref.types if t in self.iri_to_class]
        if expected != NODE:
            names = [n for n in names if expected in self.model.ancestors(n)]
        if names:
            best = max(names, key=lambda n: (self._depth[n], n))
            return self.model.concrete_name(best)
        if expected != NODE:
            return self.model.concrete_name(expected)
        if SKOS_CONCEPT in ref.types or str(SVC.Concept) in ref.types:
            return CONCEPT
        return THING

    def wrap(self, ref: Ref, expected: str = NODE) -> Any:
        return attach_ref(self.classes[self.type_for(ref, expected)](), ref)

    # -- fields ----------------------------------------------------------------------------

    def resolver(self, func: Callable[..., Any], returns: str) -> Any:
        func.__module__ = self.module.__name__
        func.__annotations__ = {**func.__annotations__, "return": returns}
        return func

    def relation_field(self, spec: FieldSpec) -> Any:
        key_pred, inverse, single, kind = spec.predicate, spec.inverse, spec.single, spec.kind
        type_name = spec.type_name
        wrap = self.wrap

        def convert(values: list[Value]) -> Any:
            if kind == "scalar":
                out = [scalar_value(v, type_name) for v in values if isinstance(v, ox.Literal)]
                out = [v for v in out if v is not None]
            else:
                out = [wrap(v, type_name) for v in values if isinstance(v, Ref)]
            return (out[0] if out else None) if single else out

        def resolve(root: Any, info: Info) -> Any:
            key = (element_ref(root).iri, key_pred, inverse)
            loaders = info.context.loaders
            values = loaders.cache.get(key)
            if values is not None:  # prefetched: no task, no await
                return convert(values)
            return _then(loaders.links.load(key), convert)

        one = PYTHON_SCALARS.get(type_name, type_name) if kind == "scalar" else type_name
        returns = f"typing.Optional[{one}]" if single else f"list[{one}]"
        return strawberry.field(
            resolver=self.resolver(resolve, returns),
            name=spec.name,
            description=spec.description or None,
        )

    def node_fields(self) -> dict[str, Any]:
        async def load_label(loaders: Loaders, iri: str) -> str | None:
            labels = await loaders.links.load((iri, RDFS_LABEL_IRI, False))
            return pick_label(labels or await loaders.links.load((iri, SKOS_PREFLABEL_IRI, False)))

        def label(root: Any, info: Info) -> Any:
            loaders = info.context.loaders
            iri = element_ref(root).iri
            labels = loaders.cache.get((iri, RDFS_LABEL_IRI, False))
            if labels:
                return pick_label(labels)
            alternative = loaders.cache.get((iri, SKOS_PREFLABEL_IRI, False))
            if labels is not None and alternative is not None:
                return pick_label(alternative)
            return load_label(loaders, iri)

        def ident(root: Any) -> str:
            return element_ref(root).iri

        def iri(root: Any) -> str:
            return element_ref(root).iri

        def types_(root: Any) -> list[str]:
            return list(element_ref(root).types)

        fields = {
            "id": strawberry.field(
                resolver=self.resolver(ident, "strawberry.ID"),
                description="The element IRI (its global id).",
            ),
            "iri": strawberry.field(resolver=self.resolver(iri, "str")),
            "label": strawberry.field(
                resolver=self.resolver(label, "typing.Optional[str]"),
                description="rdfs:label (else skos:prefLabel), English first.",
            ),
            "types": strawberry.field(
                resolver=self.resolver(types_, "list[str]"),
                description="IRIs of the element's rdf:type classes.",
            ),
        }
        for name in self.model.node_fields:
            fields[name] = self.relation_field(self.model.fields[name])
        return fields

    def make(
        self,
        name: str,
        bases: tuple[type, ...],
        fields: dict[str, Any],
        *,
        interface: bool,
        description: str = "",
    ) -> type:
        cls = type(
            name, bases, {"__module__": self.module.__name__, "__annotations__": {}, **fields}
        )
        deco = strawberry.interface if interface else strawberry.type
        made = deco(cls, description=description or None)
        self.ns[name] = made
        self.classes[name] = made
        return made

    # -- types -----------------------------------------------------------------------------

    def build_types(self) -> list[type]:
        model = self.model
        node = self.make(
            NODE,
            (),
            self.node_fields(),
            interface=True,
            description="Every element: its IRI is its id.",
        )
        self.make(
            CONCEPT,
            (node,),
            {},
            interface=False,
            description="A SKOS concept (status, role, layer, stage, channel...).",
        )
        self.make(
            THING, (node,), {}, interface=False, description="An element with no svckg class."
        )
        done: dict[str, type] = {}

        def build(name: str) -> type:
            if name in done:
                return done[name]
            spec = model.classes[name]
            bases = tuple(build(p) for p in spec.parents) or (node,)
            fields = {f: self.relation_field(model.fields[f]) for f in spec.fields}
            done[name] = self.make(
                name, bases, fields, interface=spec.is_interface, description=spec.description
            )
            return done[name]

        for name in model.classes:
            build(name)
        concrete = [self.classes[CONCEPT], self.classes[THING]]
        for name, spec in model.classes.items():
            if spec.is_interface:
                concrete.append(
                    self.make(
                        f"Plain{name}",
                        (done[name],),
                        {},
                        interface=False,
                        description=f"An element typed svc:{name} and no more specific class.",
                    )
                )
            else:
                concrete.append(done[name])
        return concrete

    def connection_types(self, name: str) -> tuple[type, type]:
        edge = self.make(
            f"{name}Edge",
            (),
            {
                "__annotations__": {"cursor": "str", "node": name},
            },
            interface=False,
        )
        conn_ns: dict[str, Any] = {
            "__annotations__": {
                "edges": f"list[{name}Edge]",
                "page_info": "PageInfo",
                "count": "strawberry.Private[typing.Callable[[], int]]",
            }
        }

        async def total_count(root: Any, info: Info) -> int:
            return await in_thread(root.count)

        conn_ns["total_count"] = strawberry.field(
            resolver=self.resolver(total_count, "int"),
            description="How many elements match the filter (all pages).",
        )
        conn = self.make(f"{name}Connection", (), conn_ns, interface=False)
        return edge, conn


def _filter_sparql(filter_: ElementFilter | None) -> tuple[str, dict[str, Any]]:
    """Graph patterns and substitutions for a filter (user text is bound, never pasted)."""
    if filter_ is None:
        return "", {}
    parts: list[str] = []
    subs: dict[str, Any] = {}
    if filter_.label_contains:
        parts.append(
            f"FILTER EXISTS {{ ?s <{RDFS_LABEL_IRI}>|<{SKOS_PREFLABEL_IRI}> ?lab . "
            "FILTER(CONTAINS(LCASE(STR(?lab)), ?needle)) }"
        )
        subs["needle"] = ox.Literal(filter_.label_contains.lower())
    for value, pattern, var, what in (
        (
            filter_.lifecycle_status,
            f"?s <{SVC.lifecycleStatus}> ?status .",
            "status",
            "filter.lifecycleStatus",
        ),
        (filter_.owned_by, f"?s <{SVC.ownedBy}> ?owner .", "owner", "filter.ownedBy"),
        (
            filter_.layer,
            f"FILTER EXISTS {{ {{ ?s <{SVC.layer}> ?layer }} UNION "
            f"{{ ?s a ?lt . ?lt <{SVC.layer}> ?layer }} }}",
            "layer",
            "filter.layer",
        ),
    ):
        if value:
            parts.append(pattern)
            subs[var] = ox.NamedNode(expand_iri(str(value), what=what))
    return " ".join(parts), subs


def list_page(
    store: Store,
    class_iris: list[str],
    filter_: ElementFilter | None,
    first: int,
    after: str | None,
) -> tuple[list[Ref], bool, Callable[[], int]]:
    """One page of elements of the classes, in IRI order after the cursor: refs, whether
    more follow, and a function counting all matches."""
    values = " ".join(iri_text(c) for c in class_iris)
    patterns, subs = _filter_sparql(filter_)
    body = f"VALUES ?t {{ {values} }} ?s a ?t . FILTER(isIRI(?s)) {patterns}"
    page_subs = dict(subs)
    cursor = ""
    if after:
        cursor = "FILTER(STR(?s) > ?after)"
        page_subs["after"] = ox.Literal(decode_cursor(after))
    rows = store.query(
        f"SELECT DISTINCT ?s WHERE {{ {body} {cursor} }} ORDER BY STR(?s) LIMIT {first + 1}",
        substitutions=page_subs or None,
    )
    iris = [row[0].value for row in rows]  # type: ignore[union-attr]
    more = len(iris) > first
    iris = iris[:first]
    found: dict[str, set[str]] = {i: set() for i in iris}
    if iris:
        chunk = " ".join(iri_text(i) for i in iris)
        for row in store.query(f"SELECT ?s ?t WHERE {{ VALUES ?s {{ {chunk} }} ?s a ?t }}"):  # type: ignore[union-attr]
            found[row[0].value].add(row[1].value)

    def count() -> int:
        result = store.query(
            f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {body} }}", substitutions=subs or None
        )
        return int(next(iter(result))[0].value)  # type: ignore[call-overload]

    return [Ref(i, tuple(sorted(found[i]))) for i in iris], more, count


def _check_first(first: int) -> None:
    if not 0 <= first <= MAX_PAGE:
        raise QueryError(
            f"first={first} is out of range",
            where="argument 'first'",
            hint=f"ask for 0 to {MAX_PAGE} elements a page and follow pageInfo.endCursor",
        )


BUILDS = threading.Lock()
"""Held by every build: strawberry evaluates string annotations with ``ast.parse``, whose
recursion counter CPython 3.11 keeps per interpreter, so two builds at once in two threads
can fail with SystemError ("AST constructor recursion depth mismatch")."""


def build_schema(model: SchemaModel, *, extensions: list[Any] | None = None) -> Built:
    """The strawberry schema of ``model`` (query and mutation types), one build at a time."""
    with BUILDS:
        return _build_schema(model, extensions)


def _build_schema(model: SchemaModel, extensions: list[Any] | None) -> Built:
    b = _Builder(model)
    concrete = b.build_types()
    query_ns: dict[str, Any] = {"__module__": b.module.__name__, "__annotations__": {}}

    async def node(info: Info, id: strawberry.ID) -> Any:
        iri = expand_iri(str(id), what="id")
        found = await info.context.loaders.types.load(iri)
        if found is None:
            return None
        await look_ahead(info, [Ref(iri, found)], ())
        return b.wrap(Ref(iri, found))

    async def nodes(info: Info, ids: list[strawberry.ID]) -> Any:
        iris = [expand_iri(str(i), what="ids") for i in ids]
        found = await info.context.loaders.types.load_many(iris)
        refs = [None if t is None else Ref(i, t) for i, t in zip(iris, found, strict=True)]
        await look_ahead(info, [r for r in refs if r is not None], ())
        return [None if r is None else b.wrap(r) for r in refs]

    query_ns["node"] = strawberry.field(
        resolver=b.resolver(node, "typing.Optional[Node]"),
        description="The element with this IRI (or CURIE such as id:crm); null if unknown.",
    )
    query_ns["lookup"] = strawberry.field(
        resolver=b.resolver(_lookup(node), "typing.Optional[Node]"),
        description="The element with this IRI (or CURIE); same as node(id:).",
    )
    query_ns["nodes"] = strawberry.field(
        resolver=b.resolver(nodes, "list[typing.Optional[Node]]"),
        description="Several elements by IRI, in the order given (null for unknown ones).",
    )
    for name in CONTRACT_CLASSES:
        if name not in model.classes:
            continue
        query_ns[plural(name)] = _connection_field(b, name)

    query_ns.update(_analysis_fields(b))
    query_type = b.make(
        "Query",
        (),
        query_ns,
        interface=False,
        description="Read svckg: elements, impact, trace, named queries.",
    )
    mutation_type = _mutation_type(b)
    schema = QuietSchema(
        query=query_type,
        mutation=mutation_type,
        types=concrete,
        extensions=extensions or [],
        execution_context_class=ProjectingExecutionContext,
    )
    return Built(schema, model, b.module, Projector(b.type_for, model.fields))


class QuietSchema(strawberry.Schema):
    """Logs only unexpected errors: a client error (a GraphQL syntax or validation error, or a
    svckg error below HTTP 500 such as a missing token) is an answer, not a server fault."""

    @property
    def graphql_core_schema(self) -> GraphQLSchema:
        """The graphql-core schema strawberry built (strawberry keeps it private)."""
        return self._schema

    def process_errors(self, errors: list[Any], execution_context: Any = None) -> None:
        unexpected = [e for e in errors if not _is_client_error(e.original_error)]
        if unexpected:
            super().process_errors(unexpected, execution_context)


def _is_client_error(error: BaseException | None) -> bool:
    return error is None or (isinstance(error, SvckgError) and error.http_status < 500)


async def look_ahead(info: Info, refs: Sequence[Ref], path: Sequence[str]) -> None:
    """Prefetch what the selection under ``path`` reads of ``refs`` (see :mod:`.prefetch`)."""
    if not refs:
        return
    context: GraphQLContext = info.context
    own = [s for field in info.selected_fields for s in field.selections]
    selections = below(own, path)
    await in_thread(prefetch, context.store, context.loaders.cache, refs, selections, context.specs)


def _lookup(node: Callable[..., Any]) -> Callable[..., Any]:
    async def lookup(info: Info, iri: strawberry.ID) -> Any:
        return await node(info, iri)

    return lookup


def _connection_field(b: _Builder, name: str) -> Any:
    edge_cls, conn_cls = b.connection_types(name)
    class_iris = [b.model.classes[c].iri for c in b.model.subclasses(name)]
    wrap = b.wrap

    async def resolve(
        info: Info, first: int = 20, after: str | None = None, filter: ElementFilter | None = None
    ) -> Any:
        _check_first(first)
        refs, more, count = await in_thread(
            list_page, info.context.store, class_iris, filter, first, after
        )
        await look_ahead(info, refs, ("edges", "node"))
        edges = [edge_cls(cursor=encode_cursor(r.iri), node=wrap(r, name)) for r in refs]
        return conn_cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=more,
                has_previous_page=bool(after),
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            count=count,
        )

    return strawberry.field(
        resolver=b.resolver(resolve, f"{name}Connection"),
        description=f"Elements of svc:{name} (and its subclasses), in IRI order, "
        f"{MAX_PAGE} at most a page.",
    )


def _analysis_fields(b: _Builder) -> dict[str, Any]:
    async def impact(info: Info, failed: list[strawberry.ID], max_paths: int = 1) -> Any:
        state: AppState = info.context.state
        view: View | None = info.context.view
        given = [str(f) for f in failed]

        def run() -> dict[str, Any]:
            source = walk_source(state)
            if view is not None:  # a consumer token: the answer in its view
                found = scoped_impact(state.store, view, given, max_paths=max_paths, source=source)
            else:
                found = impact_module.impact(state.store, given, max_paths=max_paths, source=source)
            state.metrics.walks.labels(walk="impact", mode=source.mode).inc()
            return found.to_json() | {gql_analysis.WALK_MODE: source.mode}

        return await in_thread(run)

    async def trace(info: Info, from_: strawberry.ID) -> Any:
        state: AppState = info.context.state
        view: View | None = info.context.view

        def run() -> dict[str, Any]:
            source = walk_source(state)
            if view is not None:  # a consumer token: the answer in its view
                found = scoped_trace(state.store, view, str(from_), source=source)
            else:
                found = trace_module.trace(state.store, str(from_), source=source)
            state.metrics.walks.labels(walk="trace", mode=source.mode).inc()
            return found.to_json() | {gql_analysis.WALK_MODE: source.mode}

        return await in_thread(run)

    trace.__annotations__["from_"] = typing.Annotated[
        strawberry.ID, strawberry.argument(name="from")
    ]

    async def named_query(info: Info, name: str, params: JSON | None = None) -> Any:
        state: AppState = info.context.state
        given = params or {}
        if not isinstance(given, dict) or not all(isinstance(v, str) for v in given.values()):
            raise QueryError(
                "params must be an object of parameter name -> string value",
                where="argument 'params'",
                hint='pass e.g. {"failed": "id:crm"}',
            )
        queries_module.get_query(name)
        answer = await in_thread(
            lambda: queries_module.answer_named(
                info.context.store,
                name,
                given,
                timeout_s=state.settings.query_timeout_s,
                max_rows=state.settings.max_result_rows,
            )
        )
        return gql_analysis.NamedQueryResult(variables=answer.variables, rows=answer.rows_json())

    def named_queries() -> list[gql_analysis.NamedQueryInfo]:
        return [gql_analysis.query_info(q) for q in queries_module.catalogue()]

    b.ns.update(
        ImpactResult=gql_analysis.ImpactResultType,
        TraceResult=gql_analysis.TraceResultType,
        NamedQueryResult=gql_analysis.NamedQueryResult,
        NamedQueryInfo=gql_analysis.NamedQueryInfo,
    )
    return {
        "impact": strawberry.field(
            resolver=b.resolver(impact, "ImpactResult"),
            description="What breaks when the failed elements fail (as svckg impact --format "
            "json): status, customerVisible, paths, agreements, parties by role, owners.",
        ),
        "trace": strawberry.field(
            resolver=b.resolver(trace, "TraceResult"),
            description="Everything an element needs, layer by layer, with owners (as svckg "
            "trace --format json).",
        ),
        "named_query": strawberry.field(
            resolver=b.resolver(named_query, "NamedQueryResult"),
            description="Run a query of the catalogue (queries/*.rq) with its parameters.",
        ),
        "named_queries": strawberry.field(
            resolver=b.resolver(named_queries, "list[NamedQueryInfo]"),
            description="The named query catalogue.",
        ),
    }


# -- mutations ----------------------------------------------------------------------------


def _input_type(b: _Builder, name: str) -> type:
    """``<Class>Input``: label, and one field per forward property of the class (IDs for
    elements and concepts); a field left out is not touched, null or [] clears it."""
    annotations: dict[str, str] = {"label": "typing.Optional[str]"}
    ns: dict[str, Any] = {
        "label": strawberry.field(default=strawberry.UNSET, description="rdfs:label")
    }
    for fname in b.model.all_fields(name):
        spec = b.model.fields[fname]
        if spec.inverse:
            continue
        scalar = spec.kind == "scalar"
        one = PYTHON_SCALARS.get(spec.type_name, "str") if scalar else "strawberry.ID"
        annotations[fname] = (
            f"typing.Optional[{one}]" if spec.single else f"typing.Optional[list[{one}]]"
        )
        ns[fname] = strawberry.field(
            default=strawberry.UNSET, name=fname, description=spec.description or None
        )
    cls = type(
        f"{name}Input", (), {"__module__": b.module.__name__, "__annotations__": annotations, **ns}
    )
    made = strawberry.input(cls, description=f"Values of a svc:{name}.")
    b.ns[made.__name__] = made
    return made


def _properties(b: _Builder, name: str, data: Any) -> list[writes.PropertyValues]:
    out = []
    for fname in b.model.all_fields(name):
        spec = b.model.fields[fname]
        if spec.inverse or not hasattr(data, fname):
            continue
        given = getattr(data, fname)
        if given is strawberry.UNSET:
            continue
        items = [] if given is None else (given if isinstance(given, list) else [given])
        if spec.kind == "scalar":
            values = tuple(writes.literal(v, spec.type_name) for v in items)
        else:
            values = tuple(ox.NamedNode(expand_iri(str(v), what=f"input.{fname}")) for v in items)
        out.append(writes.PropertyValues(spec.predicate, values))
    return out


def _mutation_type(b: _Builder) -> type:
    ns: dict[str, Any] = {"__module__": b.module.__name__, "__annotations__": {}}
    for name in CONTRACT_CLASSES:
        if name not in b.model.classes:
            continue
        ns.update(_class_mutations(b, name, _input_type(b, name)))
    return b.make(
        "Mutation",
        (),
        ns,
        interface=False,
        description="Write svckg (editor token): every change is validated against "
        "the shapes before it commits; a violation writes nothing.",
    )


def _class_mutations(b: _Builder, name: str, input_cls: type) -> dict[str, Any]:
    class_iri = b.model.classes[name].iri
    class_iris = [b.model.classes[c].iri for c in b.model.subclasses(name)]

    def state_of(info: Info) -> AppState:
        check_role(info.context.request, EDITOR)
        return info.context.state

    async def reread(info: Info, iri: str) -> Any:
        types_ = await in_thread(
            lambda: tuple(
                sorted(
                    {
                        q.object.value
                        for q in info.context.store.quads(ox.NamedNode(iri), RDF_TYPE, None)
                    }
                )
            )
        )
        return b.wrap(Ref(iri, types_ or (class_iri,)), name)

    async def create(
        info: Info, input: Any, id: strawberry.ID | None = None, force: bool = False
    ) -> Any:
        state = state_of(info)
        label = input.label if isinstance(input.label, str) else ""
        iri = expand_iri(str(id), what="id") if id else None
        props = _properties(b, name, input)
        made = await in_thread_write(
            lambda: writes.create_element(state, class_iri, iri, label, props, force=force)
        )
        return await reread(info, made)

    async def update(info: Info, id: strawberry.ID, input: Any, force: bool = False) -> Any:
        state = state_of(info)
        iri = expand_iri(str(id), what="id")
        label = input.label if isinstance(input.label, str) else None
        props = _properties(b, name, input)
        await in_thread_write(
            lambda: writes.update_element(state, iri, class_iris, label, props, force=force)
        )
        return await reread(info, iri)

    async def delete(info: Info, id: strawberry.ID, force: bool = False) -> strawberry.ID:
        state = state_of(info)
        iri = expand_iri(str(id), what="id")
        return strawberry.ID(
            await in_thread_write(
                lambda: writes.delete_element(state, iri, class_iris, force=force)
            )
        )

    for func in (create, update):
        func.__annotations__["input"] = input_cls.__name__
    return {
        f"create{name}": strawberry.field(
            resolver=b.resolver(create, name),
            description=f"Create a svc:{name} (id minted from the label when not given).",
        ),
        f"update{name}": strawberry.field(
            resolver=b.resolver(update, name),
            description=f"Replace the given values of a svc:{name} created through GraphQL.",
        ),
        f"delete{name}": strawberry.field(
            resolver=b.resolver(delete, "strawberry.ID"),
            description=f"Delete a svc:{name} created through GraphQL; returns its id.",
        ),
    }
