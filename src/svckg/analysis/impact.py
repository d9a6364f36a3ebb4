"""Impact analysis, bottom-up: what breaks (or degrades) when elements fail, and who notices.

A breadth-first walk of the dependency index backwards from the failed elements gives every
affected element once (cycles end the walk, they do not repeat it), its distance and its
shortest chains of edges. Status is a least fixpoint: an element is ``down`` when it failed or
one of its dependencies is down; a redundancy group is down when fewer than
``svc:minimumRequired`` of its members are up; every other affected element is ``degraded``
(it depends, through a group that still holds, on something down).

Goals and plans (motivation, implementation and migration elements: ``svcm:impactRole
svcm:GoalOrPlan`` in ``ontology/alignments.ttl``) never get a status: they are listed apart
as "goals and plans touched", and the walk goes on from them only to other goals and plans.
Parties (``svc:Party`` and the ArchiMate types with ``svcm:impactRole svcm:Party``: business
actors, roles, collaborations) are not things that go down: they are listed among the
affected parties (as consumers of what they depend on) and the walk stops at them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, TypeVar

from svckg.analysis.elements import contacts, node_info, resolve_element
from svckg.analysis.index import (
    MEMBER,
    SERVICE_CONSUMER_ROLE,
    DependencyIndex,
    ElementFacts,
)
from svckg.analysis.pushdown import GraphSource, choose_source
from svckg.analysis.results import (
    AffectedAgreement,
    AffectedParty,
    Contact,
    GoalOrPlan,
    ImpactedElement,
    ImpactResult,
    Path,
    Written,
)
from svckg.errors import QueryError
from svckg.namespaces import ALIGNMENTS_GRAPH, MAPPING, SVC
from svckg.store.base import Store

T = TypeVar("T")
GOAL, PARTY = "goal-or-plan", "party"


_ROLES = {MAPPING + "GoalOrPlan": GOAL, MAPPING + "Party": PARTY}


def load_roles(store: Store, index: DependencyIndex) -> None:
    """Which types never get a status: ``svcm:impactRole`` in the store's alignments graph
    (``ontology/alignments.ttl``) and the subclasses of ``svc:Party``; kept in the index
    (which forgets them when it is refreshed)."""
    if index.roles_by_type is not None:
        return
    rows = store.query(
        f"SELECT ?t ?r WHERE {{ GRAPH <{ALIGNMENTS_GRAPH}> {{ ?t <{MAPPING}impactRole> ?r }} }}"
    )
    by_type = {row["t"].value: _ROLES[row["r"].value] for row in rows if row["r"].value in _ROLES}  # type: ignore[index]
    by_type.update(dict.fromkeys(index.subclasses(SVC + "Party"), PARTY))
    index.roles_by_type = by_type


def role_of(index: DependencyIndex, key: str) -> str | None:
    """``goal-or-plan``, ``party`` or None (an element that can go down); memoized.
    :func:`load_roles` must have run for this index."""
    memo = index.impact_roles
    if key in memo:
        return memo[key]
    by_type = index.roles_by_type or {}
    roles = {by_type[t] for t in index.types.get(key, ()) if t in by_type}
    role = GOAL if GOAL in roles else PARTY if roles else None
    memo[key] = role
    return role


def _walk(
    source: GraphSource, roots: Sequence[str], keep_all_parents: bool
) -> tuple[dict[str, int], dict[str, Path], dict[str, list[tuple[str, str]]]]:
    """Breadth-first backwards from the roots: distance, one shortest chain per node and, when
    asked, every parent edge on a shortest chain. Each level and each node's edges are taken in
    sorted order, so the chain chosen among equals does not depend on the engine's row order."""
    distance: dict[str, int] = dict.fromkeys(roots, 0)
    chain: dict[str, Path] = dict.fromkeys(roots, ())
    parents: dict[str, list[tuple[str, str]]] = {}
    index = source.index
    frontier = list(distance)
    level = 0
    while frontier:
        level += 1
        nxt: list[str] = []
        backward = source.dependents(frontier)  # the engine reads one frontier at a time
        for needed in sorted(frontier) if level > 1 else frontier:
            below = chain[needed]
            only_goals = level > 1 and role_of(index, needed) == GOAL
            for predicate, dependent in sorted(backward.get(needed, ())):
                if only_goals and role_of(index, dependent) != GOAL:
                    continue
                seen = distance.get(dependent)
                if seen is None:
                    distance[dependent] = level
                    chain[dependent] = ((dependent, predicate, needed), *below)
                    if role_of(index, dependent) != PARTY:
                        nxt.append(dependent)
                    if keep_all_parents:
                        parents[dependent] = [(predicate, needed)]
                elif keep_all_parents and seen == level:
                    parents[dependent].append((predicate, needed))
        frontier = nxt
    return distance, chain, parents


def _down(source: GraphSource, roots: Sequence[str]) -> set[str]:
    """Least fixpoint of the down rule, with redundancy groups (the walk has read the edges
    of every node that can go down, so the engine is not asked again)."""
    down = set(roots)
    down_members: dict[str, int] = {}
    stack = list(down)
    index = source.index
    backward = source.dependents(roots)
    while stack:
        needed = stack.pop()
        if needed not in backward:
            backward = source.dependents([needed])
        for predicate, dependent in backward.get(needed, ()):
            if dependent in down or role_of(index, dependent) is not None:
                continue  # goals, plans and parties never go down
            if predicate == MEMBER:
                count = down_members.get(dependent, 0) + 1
                down_members[dependent] = count
                up = index.member_count(dependent) - count
                if up >= index.minimum_required.get(dependent, 1):
                    continue
            down.add(dependent)
            stack.append(dependent)
    return down


def _all_paths(node: str, parents: dict[str, list[tuple[str, str]]], limit: int) -> list[Path]:
    """Up to ``limit`` shortest chains from ``node`` down to a failed element."""
    out: list[Path] = []
    stack: list[tuple[str, Path]] = [(node, ())]
    while stack and len(out) < limit:
        current, acc = stack.pop()
        options = parents.get(current)
        if not options:
            out.append(acc)
            continue
        for predicate, needed in reversed(options):
            stack.append((needed, (*acc, (current, predicate, needed))))
    return out


def impact(
    store: Store,
    failed: Sequence[str],
    *,
    max_paths: int = 1,
    source: GraphSource | None = None,
) -> ImpactResult:
    """Every element affected when ``failed`` (IRIs or CURIEs) fail, with status and paths,
    the agreements at risk, the parties affected and the owners to call.

    The walk, the status of every element and its shortest chains are computed here; labels,
    layers, agreements, parties and owners are read from the index when first asked for.
    ``max_paths`` bounds how many shortest chains are kept per element (at least 1).
    ``source`` is where the graph is read (:func:`~.pushdown.choose_source` by default).
    Raises QueryError for a literal or malformed IRI, NotFound for an element not in the store.
    """
    if not failed:
        raise QueryError("no failed element given", hint="name at least one element IRI")
    if max_paths < 1:
        raise QueryError(f"max_paths must be at least 1, got {max_paths}")
    source = source or choose_source(store)
    index = source.index
    load_roles(store, index)
    roots = list(dict.fromkeys(resolve_element(store, index, f) for f in failed))
    distance, chain, parents = _walk(source, roots, keep_all_parents=max_paths > 1)
    down = _down(source, roots)
    source.describe(distance)
    details = _Details(index, distance, chain, parents, down, max_paths)
    count = sum(1 for k, d in distance.items() if d and role_of(index, k) is None)
    return ImpactResult([node_info(index, r) for r in roots], details, count)


def _party_order(p: AffectedParty) -> tuple[str, ...]:
    """By role, agent and context label; the IRIs break ties (not the engine's row order)."""
    return (p.role_label, p.agent_label, p.context_label, p.role, p.agent, p.context)


class _Details:
    """The details of one impact answer, built from the index on demand."""

    def __init__(
        self,
        index: DependencyIndex,
        distance: dict[str, int],
        chain: dict[str, Path],
        parents: dict[str, list[tuple[str, str]]],
        down: set[str],
        max_paths: int,
    ):
        self.index, self.distance, self.chain = index, distance, chain
        self.parents, self.down, self.max_paths = parents, down, max_paths

    def _ordered(self) -> list[tuple[int, str, str, ElementFacts]]:
        """(distance, label, key, facts) of every impacted element, in output order."""
        facts_of, described = self.index.facts, self.index.described
        rows: list[tuple[int, str, str, ElementFacts]] = []
        for key, d in self.distance.items():
            if d and role_of(self.index, key) is None:
                facts = described.get(key) or facts_of(key)
                rows.append((d, facts.label, key, facts))
        rows.sort()
        return rows

    def impacted(self) -> list[ImpactedElement]:
        return self._each(ImpactedElement)

    def impacted_json(self, shared: Written) -> list[dict[str, Any]]:
        return self._each(partial(ImpactedElement.json_of, shared))

    def _each(self, make: Callable[..., T]) -> list[T]:
        """``make(field values of ImpactedElement)`` for every impacted element, in order
        (positionally: keyword calls cost about 0.3 µs an element, a third of its JSON)."""
        down, chain, parents, max_paths = self.down, self.chain, self.parents, self.max_paths
        return [
            make(
                key,
                label,
                facts.types,
                facts.layer,
                d,
                "down" if key in down else "degraded",
                facts.customer_visible,
                facts.visible_in,
                facts.owners,
                [chain[key]] if max_paths == 1 else _all_paths(key, parents, max_paths),
            )
            for d, label, key, facts in self._ordered()
        ]

    def agreements(self) -> list[AffectedAgreement]:
        """Affected elements that cover another affected element, with their targets."""
        index, distance, down = self.index, self.distance, self.down
        out: list[AffectedAgreement] = []
        covers = index.covers
        for key in distance:
            if key not in covers:
                continue
            covered = tuple(sorted(o for o in covers[key] if o in distance))
            if not covered:
                continue
            facts = index.facts(key)
            out.append(
                AffectedAgreement(
                    iri=key,
                    label=facts.label,
                    types=facts.types,
                    status="down" if key in down else "degraded",
                    covers=covered,
                    targets=list(index.targets_of(key)),
                )
            )
        out.sort(key=lambda a: (a.label, a.iri))
        return out

    def parties(self) -> list[AffectedParty]:
        """Role holders in the context of an affected element, consumers of relationships
        governed by an affected agreement, and the parties (ArchiMate actors, roles...) that
        depend on an affected element, as its service consumers; sorted by role, then agent."""
        index = self.index
        assigned, governed = index.assignments_by_context, index.relationships_by_agreement
        found: dict[tuple[str, str, str], AffectedParty] = {}
        for context in self.distance:
            if context in assigned or context in governed:  # no set of all keys per answer
                for party in index.parties_in(context):
                    found.setdefault((party.role, party.agent, party.context), party)
        for key, d in self.distance.items():
            if d and role_of(index, key) == PARTY:
                context = self.chain[key][0][2]  # what the party directly depends on
                found.setdefault(
                    (SERVICE_CONSUMER_ROLE, key, context),
                    AffectedParty(
                        role=SERVICE_CONSUMER_ROLE,
                        role_label=index.label(SERVICE_CONSUMER_ROLE),
                        agent=key,
                        agent_label=index.label(key),
                        context=context,
                        context_label=index.label(context),
                    ),
                )
        return sorted(found.values(), key=_party_order)

    def goals_and_plans(self) -> list[GoalOrPlan]:
        index = self.index
        out = [
            GoalOrPlan(
                iri=key,
                label=index.label(key),
                types=index.facts(key).types,
                distance=d,
                path=self.chain[key],
            )
            for key, d in self.distance.items()
            if d and role_of(index, key) == GOAL
        ]
        out.sort(key=lambda g: (g.distance, g.label, g.iri))
        return out

    def owners(self) -> list[Contact]:
        # nearest first, then by IRI: the walk's order depends on the engine's row order
        ordered = sorted(self.distance, key=lambda key: (self.distance[key], key))
        return contacts(self.index, ordered)
