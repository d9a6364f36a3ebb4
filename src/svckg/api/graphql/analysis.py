"""GraphQL types of the impact and trace results and the named query catalogue.

Field names are the keys of the results' ``to_json()`` (the CLI's ``--format json``): the
resolvers return that document as is and :mod:`.execution` projects the selection onto it, so
a client asking for every field gets exactly what ``svckg impact --format json`` prints. The
values come from :mod:`svckg.analysis` (never recomputed here).
"""

from __future__ import annotations

import typing
from typing import Any

import strawberry
from strawberry.scalars import JSON

from svckg.analysis import results
from svckg.analysis.queries import NamedQuery


@strawberry.type(description="One step of a chain: subject -> predicate -> object (IRIs).")
class PathEdge:
    s: str
    p: str
    o: str


GRAPHQL_NAMES: dict[type[results.Contract], str] = {
    results.NodeInfo: "ElementInfo",
    results.OwnerRef: "OwnerRef",
    results.ImpactedElement: "ImpactedElement",
    results.Target: "Target",
    results.AffectedAgreement: "AffectedAgreement",
    results.AffectedParty: "AffectedParty",
    results.Contact: "Contact",
    results.GoalOrPlan: "GoalOrPlan",
    results.ImpactResult: "ImpactResult",
    results.TracedElement: "TracedElement",
    results.LayerGroup: "LayerGroup",
    results.TraceRoot: "TraceRoot",
    results.TraceResult: "TraceResult",
}
"""The GraphQL object type of each result type (made from its contract fields, in order)."""
WALK_MODE = "mode"
"""A field the impact and trace types add to their contract fields: the source that answered."""
_WALK_TYPES = (results.ImpactResult, results.TraceResult)


def _annotation(hint: Any, made: dict[type, Any]) -> Any:
    """The GraphQL annotation of a contract field's type."""
    if results.is_edge(hint):
        return PathEdge
    item = results.item_type(hint)
    if item is not None:
        return list[_annotation(item, made)]  # type: ignore[misc]
    if isinstance(hint, type) and issubclass(hint, results.Contract):
        return made[hint]
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if len(args) == 1:  # X | None
        return _annotation(args[0], made) | None
    return hint


def _make_types() -> dict[type, Any]:
    """One strawberry type per result type: its field names are the JSON keys, so the
    engine's ``to_json()`` document is the value of the type (see :mod:`.execution`)."""
    made: dict[type, Any] = {}
    for cls, name in GRAPHQL_NAMES.items():  # dependencies first
        fields = results.json_fields(cls)
        namespace: dict[str, Any] = {
            "__annotations__": {f.key: _annotation(f.hint, made) for f in fields}
        }
        for f in fields:
            if f.doc:
                namespace[f.key] = strawberry.field(description=f.doc)
        if cls in _WALK_TYPES:
            namespace["__annotations__"][WALK_MODE] = str
            namespace[WALK_MODE] = strawberry.field(
                description="Where the dependency graph was read: index (in memory) or "
                "engine (push-down queries); not in the CLI's JSON"
            )
        body = type(name, (), namespace)
        description = (cls.__doc__ or "").split("\n\n")[0].replace("\n", " ").strip()
        made[cls] = strawberry.type(body, name=name, description=description)
    return made


TYPES = _make_types()
DATA_TYPES = frozenset({"PathEdge", *GRAPHQL_NAMES.values()})
"""GraphQL types whose values are plain JSON dicts keyed by field name."""
ImpactResultType = TYPES[results.ImpactResult]
TraceResultType = TYPES[results.TraceResult]


@strawberry.type(description="A parameter of a named query.")
class QueryParameter:
    name: str
    variable: str
    kind: str = strawberry.field(description="iri, integer or string")


@strawberry.type(description="A named query of the catalogue (queries/*.rq).")
class NamedQueryInfo:
    name: str
    summary: str
    description: str
    tags: list[str]
    parameters: list[QueryParameter]


@strawberry.type(description="The answer of a named query: variables and one object per row.")
class NamedQueryResult:
    variables: list[str]
    rows: list[JSON]


def query_info(q: NamedQuery) -> NamedQueryInfo:
    """The GraphQL value of a catalogue entry."""
    return NamedQueryInfo(
        name=q.name,
        summary=q.summary,
        description=q.description,
        tags=list(q.tags),
        parameters=[
            QueryParameter(name=p.name, variable=p.variable, kind=p.kind) for p in q.parameters
        ],
    )
