"""Result types of the impact and trace engines: the one home of their public JSON contracts.

The JSON field names are a public contract (CLI ``--format json``, HTTP API, GraphQL): keep them.
Each type's ``to_json()`` is generated once, when the class is made, from its fields in order
(:func:`contract`): the key is the field name in camelCase unless the field names another, and
the value is converted by the field's type. GraphQL builds its object types from the same
fields (:func:`json_fields`), so the three faces cannot drift apart.

The documented shape (every key always present, in this order)::

    ImpactResult    failed: [ElementInfo], impacted: [ImpactedElement],
                    agreements: [AffectedAgreement], parties: [AffectedParty], owners: [Contact],
                    goalsAndPlans: [GoalOrPlan]
    ElementInfo     iri, label, types, layer
    ImpactedElement iri, label, types, layer, distance, status ("down" | "degraded"),
                    customerVisible, visibleIn, owners, paths: [[{s, p, o}]]
    AffectedAgreement iri, label, types, status, covers, targets: [Target]
    Target          iri, label, metric, value, unit
    AffectedParty   role, roleLabel, agent, agentLabel, context, contextLabel, assignment,
                    relationship
    Contact         iri, label, elements
    GoalOrPlan      iri, label, types, distance, path: [{s, p, o}] (no status)
    TraceResult     root: TraceRoot, layers: [LayerGroup], owners: [Contact]
    TraceRoot       iri, label, types, layer, owners: [OwnerRef]
    LayerGroup      layer, label, order, elements: [TracedElement]
    TracedElement   iri, label, types, layer, distance, owners: [OwnerRef], path: [{s, p, o}]
    OwnerRef        iri, label

Paths are tuples of edges ``(subject, asserted predicate, object)``; each edge points from the
dependent element to what it needs, as in the data.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar, NamedTuple, Protocol, TypeVar

Edge = tuple[str, str, str]
"""(subject, predicate, object) IRIs (blank nodes as ``_:id``)."""
Path = tuple[Edge, ...]
C = TypeVar("C", bound="Contract")


def edge_json(edge: Edge) -> dict[str, str]:
    """``{"s", "p", "o"}`` of an edge.

    >>> edge_json(("a", "p", "b"))
    {'s': 'a', 'p': 'p', 'o': 'b'}
    """
    return {"s": edge[0], "p": edge[1], "o": edge[2]}


# -- the contract machinery ----------------------------------------------------------------


class JsonField(NamedTuple):
    """One field of a JSON contract."""

    attr: str
    """The Python attribute."""
    key: str
    """The JSON key (and GraphQL field name)."""
    hint: Any
    """The attribute's type (tells how the value is converted)."""
    doc: str | None
    """A description for GraphQL, when the field has one."""


def _camel(name: str) -> str:
    """
    >>> _camel("customer_visible"), _camel("iri")
    ('customerVisible', 'iri')
    """
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def is_edge(hint: Any) -> bool:
    """True for :data:`Edge` (``tuple[str, str, str]``)."""
    return typing.get_origin(hint) is tuple and typing.get_args(hint) == (str, str, str)


def item_type(hint: Any) -> Any | None:
    """The item type of ``list[X]`` or ``tuple[X, ...]`` (None for anything else)."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) is list:
        return args[0]
    if typing.get_origin(hint) is tuple and len(args) == 2 and args[1] is Ellipsis:
        return args[0]
    return None


Written = dict[str, tuple[Path, list[dict[str, str]]]]
"""A document's memo of written paths: element -> (its last written path, that path's JSON)."""


def paths_json(paths: list[Path] | tuple[Path, ...], shared: Written) -> list:
    """``[[{"s", "p", "o"}, ...], ...]`` of paths. Within one document, a path whose tail (all
    but its first edge) is a path already written reuses that path's edge objects: the chains
    of an impact share their tails, and this keeps writing one O(1) an element."""
    out = []
    for path in paths:
        if not path:
            out.append([])
            continue
        first = path[0]
        known = shared.get(first[2])
        if known is not None and known[0] == path[1:]:
            written = [{"s": first[0], "p": first[1], "o": first[2]}, *known[1]]
        else:
            written = [{"s": s, "p": p, "o": o} for s, p, o in path]
        shared[first[0]] = (path, written)
        out.append(written)
    return out


def path_json(path: Path, shared: Written) -> list[dict[str, str]]:
    """``[{"s", "p", "o"}, ...]`` of one path (see :func:`paths_json`)."""
    return paths_json((path,), shared)[0]


def _display(fields: tuple[JsonField, ...], value: str | None, depth: int) -> str:
    """Python source of the dict display of a contract type's JSON, for the object ``value``
    (None: the field values are local names)."""
    items = ", ".join(
        f"{f.key!r}: {_converter(f.hint, f.attr if value is None else f'{value}.{f.attr}', depth)}"
        for f in fields
    )
    return f"{{{items}}}"


def _converter(hint: Any, value: str, depth: int = 0) -> str:
    """Python source converting the expression ``value`` of type ``hint`` to JSON (``shared``
    is the document's memo of written paths). Nested result types are written out in place,
    not called: a document of many elements costs no call an element."""
    if is_edge(hint):
        return f'{{"s": {value}[0], "p": {value}[1], "o": {value}[2]}}'
    item = item_type(hint)
    if item is not None and is_edge(item):
        return f"path_json({value}, shared)"
    if item is not None and is_edge(item_type(item)):
        return f"paths_json({value}, shared)"
    if isinstance(item, type) and issubclass(item, Contract):
        var = f"v{depth}"
        return f"[{_display(item.__json_fields__, var, depth + 1)} for {var} in {value}]"
    if item is not None:
        var = f"v{depth}"
        inner = _converter(item, var, depth + 1)
        if inner == var:  # strings: a copy (an empty one costs no call)
            return f"(list({value}) if {value} else [])"
        return f"[{inner} for {var} in {value}]"
    if isinstance(hint, type) and issubclass(hint, Contract):
        return _display(hint.__json_fields__, value, depth)
    return value  # str, int, bool and optional ones: as they are


def _declared(cls: type) -> list[tuple[str, Any, str | None]]:
    """(attribute, type, doc) of each field: a dataclass's fields, or the names in
    ``cls.JSON_ORDER`` typed by their class annotation or (cached) property's return type."""
    if dataclasses.is_dataclass(cls):
        hints = typing.get_type_hints(cls)
        return [(f.name, hints[f.name], f.metadata.get("doc")) for f in dataclasses.fields(cls)]
    out = []
    for name in cls.JSON_ORDER:  # type: ignore[attr-defined]
        attr = getattr(cls, name, None)
        func = getattr(attr, "func", None) or getattr(attr, "fget", None)
        hints = typing.get_type_hints(func if func is not None else cls)
        out.append((name, hints["return"] if func is not None else hints[name], None))
    return out


class Contract:
    """Base of the result types: ``to_json()`` and ``__json_fields__`` come from
    :func:`contract`."""

    __slots__ = ()
    __json_fields__: ClassVar[tuple[JsonField, ...]] = ()

    def to_json(self) -> dict[str, Any]:
        """The JSON document (replaced by :func:`contract`)."""
        raise NotImplementedError

    @staticmethod
    def json_of(shared: Written, *values: Any) -> dict[str, Any]:
        """The JSON document of the field values in order, given the document's memo of
        written paths (replaced by :func:`contract`): for engines that write many elements
        without making their objects."""
        raise NotImplementedError


def contract(cls: type[C] | None = None, /, **keys: str) -> Any:
    """Class decorator: give a :class:`Contract` type a ``to_json()`` built from its fields
    (see the module notes) and record them as ``__json_fields__``; ``keys`` renames the JSON
    key of an attribute (``@contract(visible_to="visibleIn")``).

    The method is written out as source once, like the dataclass methods themselves: a call
    costs one dict display, not a walk over the fields."""
    if cls is None:
        return lambda later: contract(later, **keys)
    fields = tuple(
        JsonField(attr, keys.get(attr, _camel(attr)), hint, doc)
        for attr, hint, doc in _declared(cls)
    )
    via = getattr(cls, "JSON_VIA", {})
    display = ", ".join(
        f"{f.key!r}: self.{via[f.attr]}(shared)"
        if f.attr in via
        else f"{f.key!r}: {_converter(f.hint, 'self.' + f.attr, 0)}"
        for f in fields
    )
    names = ", ".join(f.attr for f in fields)
    source = (
        f"def to_json(self):\n    shared = {{}}\n    return {{{display}}}\n"
        f"def json_of(shared, {names}):\n    return {_display(fields, None, 0)}\n"
    )
    namespace: dict[str, Any] = {"path_json": path_json, "paths_json": paths_json}
    exec(source, namespace)  # our own text only
    to_json, json_of = namespace["to_json"], namespace["json_of"]
    to_json.__qualname__ = f"{cls.__qualname__}.to_json"
    to_json.__doc__ = "The JSON document: " + ", ".join(f.key for f in fields) + "."
    json_of.__qualname__ = f"{cls.__qualname__}.json_of"
    json_of.__doc__ = "The JSON document of the field values (no object made)."
    cls.to_json = to_json  # type: ignore[method-assign]
    cls.json_of = staticmethod(json_of)  # type: ignore[attr-defined]
    cls.__json_fields__ = fields
    return cls


def json_fields(cls: type[Contract]) -> tuple[JsonField, ...]:
    """The contract fields of a result type, in JSON order."""
    return cls.__json_fields__


# -- the results ---------------------------------------------------------------------------


@dataclass(slots=True)
class Named(Contract):
    """The fields that name an element in every result about elements (their one
    declaration): its IRI, best label and classes."""

    iri: str
    label: str
    types: tuple[str, ...]


@contract
@dataclass(slots=True)
class NodeInfo(Named):
    """An element as results name it."""

    layer: str | None


@contract
@dataclass(slots=True)
class OwnerRef(Contract):
    """An owner of a traced element."""

    iri: str
    label: str


@contract(visible_to="visibleIn")
@dataclass(slots=True)
class ImpactedElement(NodeInfo):
    """An element affected by the failure, with the chains explaining why."""

    distance: int
    status: str = field(metadata={"doc": "down or degraded"})
    customer_visible: bool
    visible_to: tuple[str, ...]
    """Relationships whose band of visibility lists this element."""
    owners: tuple[str, ...]
    paths: list[Path]
    """Shortest chains from this element down to a failed element (first edge's subject is this
    element, last edge's object is the failed element)."""


@contract
@dataclass(slots=True)
class Target(Contract):
    """A service level target of an agreement."""

    iri: str
    label: str
    metric: str | None
    value: str | None
    unit: str | None


@contract
@dataclass(slots=True)
class AffectedAgreement(Named):
    """An agreement covering an affected element."""

    status: str
    covers: tuple[str, ...]
    """The affected elements it covers."""
    targets: list[Target]


@contract
@dataclass(slots=True)
class AffectedParty(Contract):
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


@contract
@dataclass(slots=True)
class GoalOrPlan(Named):
    """A goal or plan the failure touches (a motivation, implementation or migration element):
    listed apart, never given a status (it cannot go down)."""

    distance: int
    path: Path
    """Shortest chain from this element down to a failed element."""


@contract
@dataclass(slots=True)
class Contact(Contract):
    """An owner to call, with the elements they own among those in the result."""

    iri: str
    label: str
    elements: list[str]


class ImpactSource(Protocol):
    """What an :class:`ImpactResult` reads its details from (the impact engine)."""

    def impacted(self) -> list[ImpactedElement]: ...
    def impacted_json(self, shared: Written) -> list[dict[str, Any]]: ...
    def agreements(self) -> list[AffectedAgreement]: ...
    def parties(self) -> list[AffectedParty]: ...
    def owners(self) -> list[Contact]: ...
    def goals_and_plans(self) -> list[GoalOrPlan]: ...


@contract
class ImpactResult(Contract):
    """What breaks when the failed elements fail, and who is affected.

    The engine computes the answer (elements, distances, status, paths) at once; the details
    (labels, layers, agreements, parties, owners) are read from the index on first access.
    """

    JSON_ORDER = ("failed", "impacted", "agreements", "parties", "owners", "goals_and_plans")
    JSON_VIA = {"impacted": "_impacted_json"}
    failed: list[NodeInfo]
    """The failed elements, as given (duplicates dropped)."""
    count: int

    def __init__(self, failed: list[NodeInfo], source: ImpactSource, count: int):
        self.failed = failed
        self.count = count
        """Number of impacted elements (failed ones excluded)."""
        self._source = source

    @cached_property
    def impacted(self) -> list[ImpactedElement]:
        """Impacted elements by distance, then label."""
        return self._source.impacted()

    def _impacted_json(self, shared: Written) -> list[dict[str, Any]]:
        """The impacted elements' JSON: from the objects once made, else written by the
        engine through :meth:`ImpactedElement.json_of` without making them (a third of the
        cost of a whole answer)."""
        if "impacted" in self.__dict__:
            return [e.to_json() for e in self.impacted]
        return self._source.impacted_json(shared)

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
    def goals_and_plans(self) -> list[GoalOrPlan]:
        """Goals and plans touched (motivation, implementation and migration elements), by
        distance then label; they have no status."""
        return self._source.goals_and_plans()


@contract
@dataclass(slots=True)
class TracedElement(NodeInfo):
    """An element the root needs, with owners and the chain from the root."""

    distance: int
    owners: list[OwnerRef]
    path: Path
    """Shortest chain from the root (first edge's subject) to this element (last edge's
    object)."""


@contract
@dataclass(slots=True)
class LayerGroup(Contract):
    """The traced elements of one architecture layer."""

    layer: str | None
    label: str
    order: int | None
    elements: list[TracedElement]


@contract
@dataclass(slots=True)
class TraceRoot(NodeInfo):
    """The traced root element."""

    owners: list[OwnerRef]


@contract
@dataclass(slots=True)
class TraceResult(Contract):
    """Everything the root needs, layer by layer, and who to call."""

    root: TraceRoot
    layers: list[LayerGroup]
    owners: list[Contact]

    @property
    def root_owners(self) -> list[OwnerRef]:
        """The owners of the root."""
        return self.root.owners

    @property
    def elements(self) -> list[TracedElement]:
        """Every traced element (root excluded), layer by layer."""
        return [e for group in self.layers for e in group.elements]
