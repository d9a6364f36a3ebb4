"""Result types of the impact and trace engines, each with a stable ``to_json()``.

The JSON field names are a public contract (CLI ``--format json``, HTTP API, GraphQL): keep them.
Paths are tuples of edges ``(subject, asserted predicate, object)``; each edge points from the
dependent element to what it needs, as in the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol

Edge = tuple[str, str, str]
"""(subject, predicate, object) IRIs (blank nodes as ``_:id``)."""
Path = tuple[Edge, ...]


def edge_json(edge: Edge) -> dict[str, str]:
    """``{"s", "p", "o"}`` of an edge.

    >>> edge_json(("a", "p", "b"))
    {'s': 'a', 'p': 'p', 'o': 'b'}
    """
    return {"s": edge[0], "p": edge[1], "o": edge[2]}


@dataclass(slots=True)
class NodeInfo:
    """An element as results name it."""

    iri: str
    label: str
    types: tuple[str, ...]
    layer: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "label": self.label,
            "types": list(self.types),
            "layer": self.layer,
        }


@dataclass(slots=True)
class ImpactedElement:
    """One element affected by the failure, with the chains of edges that explain why."""

    iri: str
    label: str
    types: tuple[str, ...]
    layer: str | None
    distance: int
    status: str
    """``down`` or ``degraded``."""
    customer_visible: bool
    paths: list[Path]
    """Shortest chains from this element down to a failed element (first edge's subject is this
    element, last edge's object is the failed element)."""
    visible_to: tuple[str, ...] = ()
    """Relationships whose band of visibility lists this element."""
    owners: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "label": self.label,
            "types": list(self.types),
            "layer": self.layer,
            "distance": self.distance,
            "status": self.status,
            "customerVisible": self.customer_visible,
            "visibleIn": list(self.visible_to),
            "owners": list(self.owners),
            "paths": [[edge_json(e) for e in path] for path in self.paths],
        }


@dataclass(slots=True)
class Target:
    """A service level target of an agreement."""

    iri: str
    label: str
    metric: str | None
    value: str | None
    unit: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "label": self.label,
            "metric": self.metric,
            "value": self.value,
            "unit": self.unit,
        }


@dataclass(slots=True)
class AffectedAgreement:
    """An agreement that covers an affected element."""

    iri: str
    label: str
    types: tuple[str, ...]
    status: str
    covers: tuple[str, ...]
    """The affected elements it covers."""
    targets: list[Target]

    def to_json(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "label": self.label,
            "types": list(self.types),
            "status": self.status,
            "covers": list(self.covers),
            "targets": [t.to_json() for t in self.targets],
        }


@dataclass(slots=True)
class AffectedParty:
    """Someone holding a role in the context of an affected element."""

    role: str
    role_label: str
    agent: str
    agent_label: str
    context: str
    context_label: str
    assignment: str | None = None
    """The role assignment, or None for the consumer of a relationship."""
    relationship: str | None = None
    """For consumers: the relationship governed by the affected agreement."""

    def to_json(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "roleLabel": self.role_label,
            "agent": self.agent,
            "agentLabel": self.agent_label,
            "context": self.context,
            "contextLabel": self.context_label,
            "assignment": self.assignment,
            "relationship": self.relationship,
        }


@dataclass(slots=True)
class TouchedElement:
    """A goal or plan the failure touches (a motivation, implementation or migration element):
    listed apart, never given a status (it cannot go down)."""

    iri: str
    label: str
    types: tuple[str, ...]
    distance: int
    path: Path
    """Shortest chain from this element down to a failed element."""

    def to_json(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "label": self.label,
            "types": list(self.types),
            "distance": self.distance,
            "path": [edge_json(e) for e in self.path],
        }


@dataclass(slots=True)
class Contact:
    """An owner to call, with the elements they own among those in the result."""

    iri: str
    label: str
    elements: list[str]

    def to_json(self) -> dict[str, Any]:
        return {"iri": self.iri, "label": self.label, "elements": list(self.elements)}


class ImpactSource(Protocol):
    """What an :class:`ImpactResult` reads its details from (the impact engine)."""

    def impacted(self) -> list[ImpactedElement]: ...
    def impacted_json(self) -> list[dict[str, Any]]: ...
    def agreements(self) -> list[AffectedAgreement]: ...
    def parties(self) -> list[AffectedParty]: ...
    def owners(self) -> list[Contact]: ...
    def goals_and_plans(self) -> list[TouchedElement]: ...


class ImpactResult:
    """What breaks when ``failed`` fail, and who is affected.

    The engine computes the answer (elements, distances, status, paths) at once; the details
    (labels, layers, agreements, parties, owners) are read from the index on first access.
    """

    def __init__(self, failed: list[NodeInfo], source: ImpactSource, count: int):
        self.failed = failed
        self.count = count
        """Number of impacted elements (failed ones excluded)."""
        self._source = source

    @cached_property
    def impacted(self) -> list[ImpactedElement]:
        """Impacted elements by distance, then label."""
        return self._source.impacted()

    @cached_property
    def agreements(self) -> list[AffectedAgreement]:
        """Agreements covering an affected element, by label."""
        return self._source.agreements()

    @cached_property
    def parties(self) -> list[AffectedParty]:
        """Role holders in the context of an affected element, by role then agent."""
        return self._source.parties()

    @cached_property
    def owners(self) -> list[Contact]:
        """Who to call: owners of the affected elements."""
        return self._source.owners()

    @cached_property
    def goals_and_plans(self) -> list[TouchedElement]:
        """Goals and plans touched (motivation, implementation and migration elements), by
        distance then label; they have no status."""
        return self._source.goals_and_plans()

    def to_json(self) -> dict[str, Any]:
        """``{"failed", "impacted", "agreements", "parties", "owners", "goalsAndPlans"}``."""
        impacted = (
            [e.to_json() for e in self.impacted]
            if "impacted" in self.__dict__
            else self._source.impacted_json()
        )
        return {
            "failed": [f.to_json() for f in self.failed],
            "impacted": impacted,
            "agreements": [a.to_json() for a in self.agreements],
            "parties": [p.to_json() for p in self.parties],
            "owners": [c.to_json() for c in self.owners],
            "goalsAndPlans": [g.to_json() for g in self.goals_and_plans],
        }


@dataclass(slots=True)
class TracedElement:
    """One element the root needs, with its owners and the chain from the root."""

    iri: str
    label: str
    types: tuple[str, ...]
    layer: str | None
    distance: int
    owners: list[NodeInfo]
    path: Path
    """Shortest chain from the root (first edge's subject) to this element (last edge's
    object)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "label": self.label,
            "types": list(self.types),
            "layer": self.layer,
            "distance": self.distance,
            "owners": [{"iri": o.iri, "label": o.label} for o in self.owners],
            "path": [edge_json(e) for e in self.path],
        }


@dataclass(slots=True)
class LayerGroup:
    """The traced elements of one architecture layer."""

    layer: str | None
    label: str
    order: int | None
    elements: list[TracedElement]

    def to_json(self) -> dict[str, Any]:
        return {
            "layer": self.layer,
            "label": self.label,
            "order": self.order,
            "elements": [e.to_json() for e in self.elements],
        }


@dataclass
class TraceResult:
    """Everything ``root`` needs, layer by layer, and who to call."""

    root: NodeInfo
    root_owners: list[NodeInfo]
    layers: list[LayerGroup]
    owners: list[Contact]

    @property
    def elements(self) -> list[TracedElement]:
        """Every traced element (root excluded), layer by layer."""
        return [e for group in self.layers for e in group.elements]

    def to_json(self) -> dict[str, Any]:
        """``{"root", "layers": [{"layer", "label", "order", "elements"}], "owners"}``."""
        root = self.root.to_json()
        root["owners"] = [{"iri": o.iri, "label": o.label} for o in self.root_owners]
        return {
            "root": root,
            "layers": [g.to_json() for g in self.layers],
            "owners": [c.to_json() for c in self.owners],
        }
