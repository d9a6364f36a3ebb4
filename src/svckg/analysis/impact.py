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

from collections.abc import Sequence
from typing import Any

from svckg.analysis.index import (
    MEMBER,
    SERVICE_CONSUMER_ROLE,
    DependencyIndex,
    get_index,
    key_term,
)
from svckg.analysis.results import (
    AffectedAgreement,
    AffectedParty,
    Contact,
    ImpactedElement,
    ImpactResult,
    NodeInfo,
    Path,
    Target,
    TouchedElement,
)
from svckg.errors import NotFound, QueryError
from svckg.store.base import Store
from svckg.terms import expand_iri
from svckg.vocab import ALIGNMENTS_GRAPH, MAPPING, SVC

TOUCHPOINT = str(SVC.Touchpoint)
SERVICE_INTERACTION = str(SVC.ServiceInteraction)
GOAL, PARTY = "goal-or-plan", "party"


_ROLES = {str(MAPPING.GoalOrPlan): GOAL, str(MAPPING.Party): PARTY}


def _load_roles(store: Store, index: DependencyIndex) -> None:
    """Which types never get a status: ``svcm:impactRole`` in the store's alignments graph
    (``ontology/alignments.ttl``) and the subclasses of ``svc:Party``; memoized in the index."""
    memo = index.memo.setdefault("impact roles", {})
    if " by type" in memo:
        return
    rows = store.query(
        f"SELECT ?t ?r WHERE {{ GRAPH <{ALIGNMENTS_GRAPH}> {{ ?t <{MAPPING.impactRole}> ?r }} }}"
    )
    by_type = {row["t"].value: _ROLES[row["r"].value] for row in rows if row["r"].value in _ROLES}  # type: ignore[index]
    by_type.update(dict.fromkeys(index.subclasses(str(SVC.Party)), PARTY))
    memo[" by type"] = by_type


def role_of(index: DependencyIndex, key: str) -> str | None:
    """``goal-or-plan``, ``party`` or None (an element that can go down); memoized.
    :func:`_load_roles` must have run for this index."""
    memo = index.memo.setdefault("impact roles", {})
    if key in memo:
        return memo[key]
    by_type = memo.get(" by type", {})
    roles = {by_type[t] for t in index.types.get(key, ()) if t in by_type}
    role = GOAL if GOAL in roles else PARTY if roles else None
    memo[key] = role
    return role


def resolve_element(store: Store, index: DependencyIndex, text: str) -> str:
    """The index key of the element ``text`` names; NotFound when the store never mentions it."""
    key = text if text.startswith("_:") else expand_iri(text)
    if index.contains(key):
        return key
    term = key_term(key)
    if next(iter(store.quads(subject=term)), None) is None and (
        next(iter(store.quads(object=term)), None) is None
    ):
        raise NotFound(
            "no such element in the store",
            where=key,
            hint="check the IRI (find it with: svckg queries run find-elements --param "
            "text=WORD) or import the data that defines it",
        )
    return key


def node_info(index: DependencyIndex, key: str) -> NodeInfo:
    """Label, types and layer of one element."""
    return NodeInfo(key, index.label(key), tuple(index.types.get(key, ())), index.layer(key))


def _walk(
    index: DependencyIndex, roots: Sequence[str], keep_all_parents: bool
) -> tuple[dict[str, int], dict[str, Path], dict[str, list[tuple[str, str]]]]:
    """Breadth-first backwards from the roots: distance, one shortest chain per node and, when
    asked, every parent edge on a shortest chain. Each level and each node's edges are taken in
    sorted order, so the chain chosen among equals does not depend on the engine's row order."""
    distance: dict[str, int] = dict.fromkeys(roots, 0)
    chain: dict[str, Path] = dict.fromkeys(roots, ())
    parents: dict[str, list[tuple[str, str]]] = {}
    backward = index.backward
    frontier = list(distance)
    level = 0
    while frontier:
        level += 1
        nxt: list[str] = []
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


def _down(index: DependencyIndex, roots: Sequence[str]) -> set[str]:
    """Least fixpoint of the down rule, with redundancy groups."""
    down = set(roots)
    down_members: dict[str, int] = {}
    stack = list(down)
    backward = index.backward
    while stack:
        needed = stack.pop()
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


def impact(store: Store, failed: Sequence[str], *, max_paths: int = 1) -> ImpactResult:
    """Every element affected when ``failed`` (IRIs or CURIEs) fail, with status and paths,
    the agreements at risk, the parties affected and the owners to call.

    The walk, the status of every element and its shortest chains are computed here; labels,
    layers, agreements, parties and owners are read from the index when first asked for.
    ``max_paths`` bounds how many shortest chains are kept per element (at least 1).
    Raises QueryError for a literal or malformed IRI, NotFound for an element not in the store.
    """
    if not failed:
        raise QueryError("no failed element given", hint="name at least one element IRI")
    if max_paths < 1:
        raise QueryError(f"max_paths must be at least 1, got {max_paths}")
    index = get_index(store)
    _load_roles(store, index)
    roots = list(dict.fromkeys(resolve_element(store, index, f) for f in failed))
    distance, chain, parents = _walk(index, roots, keep_all_parents=max_paths > 1)
    down = _down(index, roots)
    source = _Details(index, distance, chain, parents, down, max_paths)
    count = sum(1 for k, d in distance.items() if d and role_of(index, k) is None)
    return ImpactResult([node_info(index, r) for r in roots], source, count)


_Description = tuple[str, tuple[str, ...], "str | None", bool, tuple[str, ...], tuple[str, ...]]


def describe(index: DependencyIndex, key: str) -> _Description:
    """(label, types, layer, customer visible, relationships whose band lists it, owners) of an
    element; memoized in the index (which forgets it when it is refreshed)."""
    memo = index.memo.setdefault("impact", {})
    found = memo.get(key)
    if found is None:
        classes = memo.get(" visible classes")
        if classes is None:
            classes = index.subclasses(TOUCHPOINT) | index.subclasses(SERVICE_INTERACTION)
            memo[" visible classes"] = classes
        types = tuple(index.types.get(key, ()))
        visible_in = tuple(index.visible_in(key))
        found = (
            index.label(key),
            types,
            index.layer(key),
            bool(visible_in) or any(t in classes for t in types),
            visible_in,
            tuple(sorted(index.owners.get(key, ()))),
        )
        memo[key] = found
    return found


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

    def _paths(self, key: str) -> list[Path]:
        if self.max_paths == 1:
            return [self.chain[key]]
        return _all_paths(key, self.parents, self.max_paths)

    def _ordered(self) -> list[tuple[int, str, str, _Description]]:
        """(distance, label, key, description) of every impacted element, in output order."""
        index = self.index
        memo = index.memo.setdefault("impact", {})
        rows = []
        for key, d in self.distance.items():
            if d and role_of(index, key) is None:
                desc = memo.get(key) or describe(index, key)
                rows.append((d, desc[0], key, desc))
        rows.sort()
        return rows

    def impacted(self) -> list[ImpactedElement]:
        down = self.down
        return [
            ImpactedElement(
                key,
                desc[0],
                desc[1],
                desc[2],
                d,
                "down" if key in down else "degraded",
                desc[3],
                self._paths(key),
                desc[4],
                desc[5],
            )
            for d, _, key, desc in self._ordered()
        ]

    def _json_paths(self, key: str, done: dict[str, list[dict[str, str]]]) -> list[list[dict]]:
        if self.max_paths > 1:
            return [[{"s": s, "p": p, "o": o} for s, p, o in path] for path in self._paths(key)]
        edge = self.chain[key][0]  # elements come in distance order: the rest is done
        path = [{"s": edge[0], "p": edge[1], "o": edge[2]}, *done.get(edge[2], ())]
        done[key] = path
        return [path]

    def impacted_json(self) -> list[dict[str, Any]]:
        down = self.down
        done: dict[str, list[dict[str, str]]] = {}
        out = []
        for d, label, key, desc in self._ordered():
            types, visible, owners = desc[1], desc[4], desc[5]
            out.append(
                {
                    "iri": key,
                    "label": label,
                    "types": list(types) if types else [],
                    "layer": desc[2],
                    "distance": d,
                    "status": "down" if key in down else "degraded",
                    "customerVisible": desc[3],
                    "visibleIn": list(visible) if visible else [],
                    "owners": list(owners) if owners else [],
                    "paths": self._json_paths(key, done),
                }
            )
        return out

    def agreements(self) -> list[AffectedAgreement]:
        return _agreements(self.index, list(self.distance), self.distance, self.down)

    def parties(self) -> list[AffectedParty]:
        found = _parties(self.index, list(self.distance))
        known = {(p.role, p.agent, p.context) for p in found}
        for key, d in self.distance.items():
            if d and role_of(self.index, key) == PARTY:
                context = self.chain[key][0][2]  # what the party directly depends on
                if (SERVICE_CONSUMER_ROLE, key, context) not in known:
                    found.append(
                        AffectedParty(
                            SERVICE_CONSUMER_ROLE,
                            self.index.label(SERVICE_CONSUMER_ROLE),
                            key,
                            self.index.label(key),
                            context,
                            self.index.label(context),
                        )
                    )
        return sorted(found, key=lambda p: (p.role_label, p.agent_label, p.context_label))

    def goals_and_plans(self) -> list[TouchedElement]:
        index = self.index
        out = [
            TouchedElement(
                key, index.label(key), tuple(index.types.get(key, ())), d, self.chain[key]
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


def _agreements(
    index: DependencyIndex, affected: list[str], distance: dict[str, int], down: set[str]
) -> list[AffectedAgreement]:
    """Affected elements that cover another affected element, with their targets."""
    memo = index.memo.setdefault("agreements", {})
    out: list[AffectedAgreement] = []
    covers = index.covers
    for key in affected:
        if key not in covers:
            continue
        covered = tuple(sorted(o for o in covers[key] if o in distance))
        if not covered:
            continue
        static = memo.get(key)
        if static is None:
            targets = []
            for t in index.targets.get(key, ()):
                values = index.target_values.get(t, {})
                targets.append(
                    Target(
                        t,
                        index.label(t),
                        values.get("metric"),
                        values.get("value"),
                        values.get("unit"),
                    )
                )
            targets.sort(key=lambda t: (t.label, t.iri))
            static = memo[key] = (index.label(key), tuple(index.types.get(key, ())), targets)
        label, types, targets = static
        status = "down" if key in down else "degraded"
        out.append(AffectedAgreement(key, label, types, status, covered, list(targets)))
    out.sort(key=lambda a: (a.label, a.iri))
    return out


def _parties_of(index: DependencyIndex, context: str) -> list[AffectedParty]:
    """Role holders in the context of one element (memoized in the index)."""
    memo = index.memo.setdefault("parties", {})
    found = memo.get(context)
    if found is not None:
        return found
    found = []
    context_label = index.label(context)
    for assignment in index.assignments_by_context.get(context, ()):
        agent = index.assignment_agent.get(assignment)
        role = index.assignment_role.get(assignment)
        if agent is not None and role is not None:
            role = index.role(role)
            found.append(
                AffectedParty(
                    role,
                    index.label(role),
                    agent,
                    index.label(agent),
                    context,
                    context_label,
                    assignment=assignment,
                )
            )
    for relationship in index.relationships_by_agreement.get(context, ()):
        for consumer in index.relationship_consumers.get(relationship, ()):
            found.append(
                AffectedParty(
                    SERVICE_CONSUMER_ROLE,
                    index.label(SERVICE_CONSUMER_ROLE),
                    consumer,
                    index.label(consumer),
                    context,
                    context_label,
                    relationship=relationship,
                )
            )
    memo[context] = found
    return found


def _parties(index: DependencyIndex, affected: list[str]) -> list[AffectedParty]:
    """Role holders in the context of an affected element, and consumers of relationships
    governed by an affected agreement; sorted by role, then agent."""
    has_parties = index.assignments_by_context.keys() | index.relationships_by_agreement.keys()
    found: dict[tuple[str, str, str], AffectedParty] = {}
    for context in affected:
        if context in has_parties:
            for party in _parties_of(index, context):
                found.setdefault((party.role, party.agent, party.context), party)
    return sorted(found.values(), key=lambda p: (p.role_label, p.agent_label, p.context_label))


def contacts(index: DependencyIndex, elements: list[str]) -> list[Contact]:
    """Who do I call: the owners of ``elements``, each with the elements they own."""
    by_owner: dict[str, list[str]] = {}
    for key in elements:
        for owner in index.owners.get(key, ()):
            by_owner.setdefault(owner, []).append(key)
    out = [Contact(o, index.label(o), els) for o, els in by_owner.items()]
    out.sort(key=lambda c: (c.label, c.iri))
    return out
