"""What a GraphQL request may cost: a static cost checked before execution, and a budget of
objects and time spent during it.

**Static cost** (a validation rule, so a refused query never executes): every field counts
1 plus the cost of its selection, fragments expanded where they are used (a fragment used
twice counts twice), and a connection's selection counts once per element it may return
(its ``first`` argument, or the argument's default). A query that selects the same relation
twice on each of 12 levels costs 2^12 times its leaves, although its text is short and its
depth within the limit. Over ``Settings.graphql_max_cost``, the query is refused.

**Budget** (during execution): the static cost cannot know how many values a relation holds,
so execution counts the objects it completes and checks the deadline as it goes
(:meth:`Budget.spend`, called by the execution context); past ``graphql_max_nodes`` objects
or ``query_timeout_s`` seconds, it stops and the request answers one ``LimitExceeded``
error. The response stays bounded, and a CPU-bound completion that never yields to the event
loop still stops at its deadline.
"""

from __future__ import annotations

import time
from functools import lru_cache
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    get_named_type,
)

from svckg.errors import LimitExceeded

MAX_PAGE = 1000
"""Most elements one connection page returns (a ``first`` given by a variable counts as this)."""


def _multiplier(field: FieldNode, definition: Any) -> int:
    """How many times a field's selection may be completed: ``first`` of a connection."""
    arg = definition.args.get("first") if definition is not None else None
    if arg is None:
        return 1
    for given in field.arguments or ():
        if given.name.value == "first":
            if isinstance(given.value, IntValueNode):
                return max(1, int(given.value.value))
            return MAX_PAGE  # a variable: assume a full page
    return max(1, int(arg.default_value or 1))


class _Counter:
    def __init__(self, context: ValidationContext, limit: int):
        self.schema = context.schema
        self.limit = limit
        self.fragments = {
            d.name.value: d
            for d in context.document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }
        self.memo: dict[tuple[str, str], int] = {}
        self.visiting: set[str] = set()

    def selection(self, parent: GraphQLNamedType | None, node: SelectionSetNode | None) -> int:
        if node is None:
            return 0
        total = 0
        for sel in node.selections:
            if isinstance(sel, FieldNode):
                total += self.field(parent, sel)
            elif isinstance(sel, InlineFragmentNode):
                cond = sel.type_condition
                target = self.schema.get_type(cond.name.value) if cond else parent
                total += self.selection(target, sel.selection_set)
            elif isinstance(sel, FragmentSpreadNode):
                total += self.spread(sel.name.value)
            if total > self.limit:
                return total  # no need to count further
        return total

    def field(self, parent: GraphQLNamedType | None, node: FieldNode) -> int:
        definition = None
        if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            definition = parent.fields.get(node.name.value)
        child = get_named_type(definition.type) if definition is not None else None
        below = self.selection(child, node.selection_set)
        return 1 + _multiplier(node, definition) * below

    def spread(self, name: str) -> int:
        fragment = self.fragments.get(name)
        if fragment is None or name in self.visiting:
            return 0  # unknown fragments and cycles are reported by the standard rules
        key = (name, "")
        if key not in self.memo:
            self.visiting.add(name)
            target = self.schema.get_type(fragment.type_condition.name.value)
            self.memo[key] = self.selection(target, fragment.selection_set)
            self.visiting.discard(name)
        return self.memo[key]


def operation_cost(
    context: ValidationContext, operation: OperationDefinitionNode, limit: int
) -> int:
    """The static cost of one operation (counting stops soon after ``limit``)."""
    root = context.schema.get_root_type(operation.operation)
    return _Counter(context, limit).selection(root, operation.selection_set)


@lru_cache(maxsize=16)
def cost_rule(max_cost: int) -> type[ValidationRule]:
    """The validation rule refusing operations whose static cost is over ``max_cost`` (one
    class per limit, so the document cache's key stays stable)."""

    class CostLimit(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            cost = operation_cost(self.context, node, max_cost)
            if cost > max_cost:
                self.report_error(
                    GraphQLError(
                        f"the query may cost {cost:,} fields or more (fragments expanded,"
                        f" connections counted per element), over the limit of {max_cost:,}",
                        node,
                        extensions={
                            "code": "LimitExceeded",
                            "hint": "select fewer fields or levels, ask for smaller pages"
                            " (first), or raise SVCKG_GRAPHQL_MAX_COST",
                        },
                    )
                )

    return CostLimit


class Budget:
    """Objects a request may still complete and the time it must finish by."""

    __slots__ = ("deadline", "exceeded", "left", "limit", "seconds")

    def __init__(self, max_nodes: int, seconds: float):
        self.limit = self.left = max_nodes
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.exceeded: LimitExceeded | None = None

    def spend(self, count: int = 1) -> None:
        """Count ``count`` completed objects; LimitExceeded past the budget or the deadline
        (and from then on at once, so execution unwinds quickly)."""
        if self.exceeded is not None:
            raise self.exceeded
        self.left -= count
        if self.left < 0:
            self.exceeded = LimitExceeded(
                f"the answer would hold more than {self.limit:,} objects",
                where="/graphql",
                hint="ask for less (smaller pages, fewer levels) or raise SVCKG_GRAPHQL_MAX_NODES",
            )
        elif time.monotonic() > self.deadline:
            self.exceeded = LimitExceeded(
                f"the request ran over the {self.seconds:g} s time limit",
                where="/graphql",
                hint="ask for less (smaller pages, fewer levels) or raise SVCKG_QUERY_TIMEOUT",
            )
        if self.exceeded is not None:
            raise self.exceeded
