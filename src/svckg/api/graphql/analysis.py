"""GraphQL types of the impact and trace results and the named query catalogue.

Field names are the keys of the results' ``to_json()`` (the CLI's ``--format json``): the
resolvers return that document as is and :mod:`.execution` projects the selection onto it, so
a client asking for every field gets exactly what ``svckg impact --format json`` prints. The
values come from :mod:`svckg.analysis` (never recomputed here).
"""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from svckg.analysis.queries import NamedQuery


@strawberry.type(description="One step of a chain: subject -> predicate -> object (IRIs).")
class PathEdge:
    s: str
    p: str
    o: str


@strawberry.type(description="An element as results name it.")
class ElementInfo:
    iri: str
    label: str
    types: list[str]
    layer: str | None


@strawberry.type(
    name="ImpactedElement",
    description="An element affected by the failure, with the chains explaining why.",
)
class ImpactedElementType:
    iri: str
    label: str
    types: list[str]
    layer: str | None
    distance: int
    status: str = strawberry.field(description="down or degraded")
    customer_visible: bool
    visible_in: list[str]
    owners: list[str]
    paths: list[list[PathEdge]]


@strawberry.type(
    name="Target",
    description="A service level target of an agreement.",
)
class TargetType:
    iri: str
    label: str
    metric: str | None
    value: str | None
    unit: str | None


@strawberry.type(
    name="AffectedAgreement",
    description="An agreement covering an affected element.",
)
class AffectedAgreementType:
    iri: str
    label: str
    types: list[str]
    status: str
    covers: list[str]
    targets: list[TargetType]


@strawberry.type(
    name="AffectedParty",
    description="Someone holding a role in the context of an affected element.",
)
class AffectedPartyType:
    role: str
    role_label: str
    agent: str
    agent_label: str
    context: str
    context_label: str
    assignment: str | None
    relationship: str | None


@strawberry.type(
    name="Contact",
    description="An owner to call, with the elements they own in the result.",
)
class ContactType:
    iri: str
    label: str
    elements: list[str]


@strawberry.type(
    name="GoalOrPlan",
    description="A goal or plan the failure touches (motivation, implementation or migration "
    "element): it has no status.",
)
class GoalOrPlanType:
    iri: str
    label: str
    types: list[str]
    distance: int
    path: list[PathEdge]


@strawberry.type(
    name="ImpactResult",
    description="What breaks when the failed elements fail, and who is affected.",
)
class ImpactResultType:
    failed: list[ElementInfo]
    impacted: list[ImpactedElementType]
    agreements: list[AffectedAgreementType]
    parties: list[AffectedPartyType]
    owners: list[ContactType]
    goals_and_plans: list[GoalOrPlanType]


@strawberry.type(description="An owner of a traced element.")
class OwnerRef:
    iri: str
    label: str


@strawberry.type(description="The traced root element.")
class TraceRoot:
    iri: str
    label: str
    types: list[str]
    layer: str | None
    owners: list[OwnerRef]


@strawberry.type(
    name="TracedElement",
    description="An element the root needs, with owners and the chain from the root.",
)
class TracedElementType:
    iri: str
    label: str
    types: list[str]
    layer: str | None
    distance: int
    owners: list[OwnerRef]
    path: list[PathEdge]


@strawberry.type(
    name="LayerGroup",
    description="The traced elements of one architecture layer.",
)
class LayerGroupType:
    layer: str | None
    label: str
    order: int | None
    elements: list[TracedElementType]


@strawberry.type(
    name="TraceResult",
    description="Everything the root needs, layer by layer, and who to call.",
)
class TraceResultType:
    root: TraceRoot
    layers: list[LayerGroupType]
    owners: list[ContactType]


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
