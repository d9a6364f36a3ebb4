"""GraphQL types of the impact and trace results and the named query catalogue.

Field names are those of the results' ``to_json()`` (the CLI's ``--format json``), so a
GraphQL client asking for every field gets the same document as ``svckg impact --format json``.
The values come from :mod:`svckg.analysis` (never recomputed here).
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.scalars import JSON

from svckg.analysis.queries import NamedQuery
from svckg.analysis.results import (
    AffectedAgreement,
    AffectedParty,
    Contact,
    ImpactedElement,
    ImpactResult,
    LayerGroup,
    NodeInfo,
    Path,
    TracedElement,
    TraceResult,
)


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


@strawberry.type(description="An element affected by the failure, with the chains explaining why.")
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


@strawberry.type(description="A service level target of an agreement.")
class TargetType:
    iri: str
    label: str
    metric: str | None
    value: str | None
    unit: str | None


@strawberry.type(description="An agreement covering an affected element.")
class AffectedAgreementType:
    iri: str
    label: str
    types: list[str]
    status: str
    covers: list[str]
    targets: list[TargetType]


@strawberry.type(description="Someone holding a role in the context of an affected element.")
class AffectedPartyType:
    role: str
    role_label: str
    agent: str
    agent_label: str
    context: str
    context_label: str
    assignment: str | None
    relationship: str | None


@strawberry.type(description="An owner to call, with the elements they own in the result.")
class ContactType:
    iri: str
    label: str
    elements: list[str]


@strawberry.type(description="What breaks when the failed elements fail, and who is affected.")
class ImpactResultType:
    failed: list[ElementInfo]
    impacted: list[ImpactedElementType]
    agreements: list[AffectedAgreementType]
    parties: list[AffectedPartyType]
    owners: list[ContactType]


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


@strawberry.type(description="An element the root needs, with owners and the chain from the root.")
class TracedElementType:
    iri: str
    label: str
    types: list[str]
    layer: str | None
    distance: int
    owners: list[OwnerRef]
    path: list[PathEdge]


@strawberry.type(description="The traced elements of one architecture layer.")
class LayerGroupType:
    layer: str | None
    label: str
    order: int | None
    elements: list[TracedElementType]


@strawberry.type(description="Everything the root needs, layer by layer, and who to call.")
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


def _path(path: Path) -> list[PathEdge]:
    return [PathEdge(s=s, p=p, o=o) for s, p, o in path]


def _info(n: NodeInfo) -> ElementInfo:
    return ElementInfo(iri=n.iri, label=n.label, types=list(n.types), layer=n.layer)


def _contact(c: Contact) -> ContactType:
    return ContactType(iri=c.iri, label=c.label, elements=list(c.elements))


def _impacted(e: ImpactedElement) -> ImpactedElementType:
    return ImpactedElementType(
        iri=e.iri,
        label=e.label,
        types=list(e.types),
        layer=e.layer,
        distance=e.distance,
        status=e.status,
        customer_visible=e.customer_visible,
        visible_in=list(e.visible_to),
        owners=list(e.owners),
        paths=[_path(p) for p in e.paths],
    )


def _agreement(a: AffectedAgreement) -> AffectedAgreementType:
    return AffectedAgreementType(
        iri=a.iri,
        label=a.label,
        types=list(a.types),
        status=a.status,
        covers=list(a.covers),
        targets=[
            TargetType(iri=t.iri, label=t.label, metric=t.metric, value=t.value, unit=t.unit)
            for t in a.targets
        ],
    )


def _party(p: AffectedParty) -> AffectedPartyType:
    return AffectedPartyType(
        role=p.role,
        role_label=p.role_label,
        agent=p.agent,
        agent_label=p.agent_label,
        context=p.context,
        context_label=p.context_label,
        assignment=p.assignment,
        relationship=p.relationship,
    )


def impact_type(result: ImpactResult) -> ImpactResultType:
    """The GraphQL value of an impact result."""
    return ImpactResultType(
        failed=[_info(f) for f in result.failed],
        impacted=[_impacted(e) for e in result.impacted],
        agreements=[_agreement(a) for a in result.agreements],
        parties=[_party(p) for p in result.parties],
        owners=[_contact(c) for c in result.owners],
    )


def _traced(e: TracedElement) -> TracedElementType:
    return TracedElementType(
        iri=e.iri,
        label=e.label,
        types=list(e.types),
        layer=e.layer,
        distance=e.distance,
        owners=[OwnerRef(iri=o.iri, label=o.label) for o in e.owners],
        path=_path(e.path),
    )


def _group(g: LayerGroup) -> LayerGroupType:
    return LayerGroupType(
        layer=g.layer, label=g.label, order=g.order, elements=[_traced(e) for e in g.elements]
    )


def trace_type(result: TraceResult) -> TraceResultType:
    """The GraphQL value of a trace result."""
    root = result.root
    return TraceResultType(
        root=TraceRoot(
            iri=root.iri,
            label=root.label,
            types=list(root.types),
            layer=root.layer,
            owners=[OwnerRef(iri=o.iri, label=o.label) for o in result.root_owners],
        ),
        layers=[_group(g) for g in result.layers],
        owners=[_contact(c) for c in result.owners],
    )


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


def rows_json(variables: list[str], rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """One ``{variable: value}`` object per row, as the REST route answers."""
    return [
        {v: (None if t is None else t.value) for v, t in zip(variables, row, strict=True)}
        for row in rows
    ]
