"""Impact and trace as a consumer sees them: computed on the whole graph, shown in its view.

The provider's internal services matter to a customer's impact (a touchpoint goes down because
a database behind the line of visibility failed), but the customer must not learn what they
are. So the engines run on the whole graph and the answer is projected onto the consumer's
view (:mod:`svckg.analysis.views`):

- an element asked about that is outside the view is answered exactly as an element that does
  not exist (the same :class:`~svckg.errors.NotFound`, the same text);
- only elements of the view appear (impacted elements, agreements and what they cover,
  targets, parties, owners, goals and plans, traced elements), with only vocabulary types;
- a chain that passes through elements outside the view keeps its visible elements and shows
  each run of hidden ones as one step :data:`INTERNAL_STEP` (``svc:dependsOn``, the transitive
  "depends on", whose label the UI shows as :data:`INTERNAL_LABEL`); distances count the steps
  shown, so they do not tell how deep the provider's internals go.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from svckg.analysis import impact as impact_module
from svckg.analysis import trace as trace_module
from svckg.analysis.elements import not_found
from svckg.analysis.pushdown import GraphSource
from svckg.analysis.results import (
    AffectedAgreement,
    AffectedParty,
    Contact,
    GoalOrPlan,
    ImpactedElement,
    ImpactResult,
    LayerGroup,
    OwnerRef,
    Path,
    TraceResult,
    Written,
)
from svckg.analysis.scope import is_vocabulary
from svckg.analysis.views import View
from svckg.errors import QueryError
from svckg.store.base import Store
from svckg.terms import expand_iri
from svckg.vocab import SVC

INTERNAL_STEP = str(SVC.dependsOn)
"""The predicate of a step standing for a chain through elements outside the view."""
INTERNAL_LABEL = "via the provider's internal services"
"""How such a step reads."""


def check_visible(view: View, given: str) -> str:
    """The IRI ``given`` names, or the NotFound an element that does not exist gets."""
    if given.startswith("_:"):
        raise not_found(given)
    iri = expand_iri(given)
    if iri not in view.scope:
        raise not_found(iri)
    return iri


def compress(path: Path, view: View) -> Path:
    """``path`` with each run of steps through elements outside the view as one step.

    A path's nodes are its first subject and every object; its ends are visible (results keep
    only visible elements, and the elements asked about are visible)."""
    if not path:
        return path
    out: list[tuple[str, str, str]] = []
    start = path[0][0]
    hidden = False
    for s, p, o in path:
        if o in view.scope:
            out.append((start, INTERNAL_STEP if hidden or s != start else p, o))
            start, hidden = o, False
        else:
            hidden = True
    if hidden:  # ends outside the view (cannot happen for results of visible elements)
        out.append((start, INTERNAL_STEP, path[-1][2]))
    return tuple(out)


def _paths(paths: Sequence[Path], view: View) -> list[Path]:
    return list(dict.fromkeys(compress(p, view) for p in paths))


def _types(types: Sequence[str], view: View) -> tuple[str, ...]:
    return tuple(t for t in types if is_vocabulary(t) or t in view.scope)


def _visible(iris: Sequence[str], view: View) -> tuple[str, ...]:
    return tuple(i for i in iris if i in view.scope)


class _Projected:
    """An impact answer's details, projected onto a view (an ``ImpactSource``)."""

    def __init__(self, result: ImpactResult, view: View):
        scope = view.scope
        impacted = []
        for e in result.impacted:
            if e.iri not in scope:
                continue
            paths = _paths(e.paths, view)
            visible_to = _visible(e.visible_to, view)
            impacted.append(
                replace(
                    e,
                    types=_types(e.types, view),
                    distance=min(len(p) for p in paths) if paths else e.distance,
                    customer_visible=bool(visible_to),
                    visible_to=visible_to,
                    owners=_visible(e.owners, view),
                    paths=paths,
                )
            )
        impacted.sort(key=lambda e: (e.distance, e.label, e.iri))
        self._impacted = impacted
        self._agreements = [
            replace(
                a,
                types=_types(a.types, view),
                covers=_visible(a.covers, view),
                targets=[t for t in a.targets if t.iri in scope],
            )
            for a in result.agreements
            if a.iri in scope
        ]
        self._parties = [p for p in result.parties if _party_visible(p, view)]
        self._owners = [
            Contact(c.iri, c.label, list(_visible(c.elements, view)))
            for c in result.owners
            if c.iri in scope
        ]
        self._goals = [
            replace(g, types=_types(g.types, view), path=compress(g.path, view))
            for g in result.goals_and_plans
            if g.iri in scope
        ]

    def impacted(self) -> list[ImpactedElement]:
        return self._impacted

    def impacted_json(self, shared: Written) -> list[dict[str, Any]]:
        return [e.to_json() for e in self._impacted]

    def agreements(self) -> list[AffectedAgreement]:
        return self._agreements

    def parties(self) -> list[AffectedParty]:
        return self._parties

    def owners(self) -> list[Contact]:
        return self._owners

    def goals_and_plans(self) -> list[GoalOrPlan]:
        return self._goals


def _party_visible(party: AffectedParty, view: View) -> bool:
    scope = view.scope
    return (
        party.agent in scope
        and party.context in scope
        and (party.assignment is None or party.assignment in scope)
        and (party.relationship is None or party.relationship in scope)
        and (is_vocabulary(party.role) or party.role in scope)
    )


def scoped_impact(
    store: Store,
    view: View,
    failed: Sequence[str],
    *,
    max_paths: int = 1,
    source: GraphSource | None = None,
) -> ImpactResult:
    """:func:`svckg.analysis.impact.impact` of ``failed`` as the consumer of ``view`` sees it
    (see the module notes); NotFound for a failed element outside the view."""
    if not failed:
        raise QueryError("no failed element given", hint="name at least one element IRI")
    roots = [check_visible(view, f) for f in failed]
    full = impact_module.impact(store, roots, max_paths=max_paths, source=source)
    source = _Projected(full, view)
    failed_info = [replace(f, types=_types(f.types, view)) for f in full.failed]
    return ImpactResult(failed_info, source, len(source.impacted()))


def scoped_trace(
    store: Store, view: View, root: str, *, source: GraphSource | None = None
) -> TraceResult:
    """:func:`svckg.analysis.trace.trace` of ``root`` as the consumer of ``view`` sees it;
    NotFound for a root outside the view."""
    full = trace_module.trace(store, check_visible(view, root), source=source)
    layers = []
    for group in full.layers:
        elements = []
        for e in group.elements:
            if e.iri not in view.scope:
                continue
            path = compress(e.path, view)
            elements.append(
                replace(
                    e,
                    types=_types(e.types, view),
                    distance=len(path),
                    owners=_owner_refs(e.owners, view),
                    path=path,
                )
            )
        if elements:
            elements.sort(key=lambda e: (e.distance, e.label, e.iri))
            layers.append(LayerGroup(group.layer, group.label, group.order, elements))
    root_info = replace(
        full.root, types=_types(full.root.types, view), owners=_owner_refs(full.root.owners, view)
    )
    owners = [
        Contact(c.iri, c.label, list(_visible(c.elements, view)))
        for c in full.owners
        if c.iri in view.scope
    ]
    return TraceResult(root=root_info, layers=layers, owners=owners)


def _owner_refs(refs: Sequence[OwnerRef], view: View) -> list[OwnerRef]:
    return [r for r in refs if r.iri in view.scope]
