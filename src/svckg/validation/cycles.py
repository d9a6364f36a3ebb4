"""Dependency-cycle results that name every member of their cycle.

The cycle shape (``svcsh:DependencyCycleShape``) reports each element on a cycle on its
own; a reader needs the whole loop to decide which dependency to remove. This rewrites the
message of each such result to list the members of its cycle (the strongly connected
component of the ``svc:dependsOn``/``svc:member`` edges it lies on), by name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from svckg.store.base import Store
from svckg.terms import RDFS_LABEL
from svckg.validation.fast.cycles import cycles
from svckg.validation.report import ValidationReport, ValidationResult
from svckg.vocab import SVC

CYCLE_SHAPE = "https://w3id.org/svckg/shapes#DependencyCycleShape"
MAX_NAMED = 25
"""Members named in one message; the rest are counted."""
BATCH = 400


def name_cycle_members(
    report: ValidationReport, store: Store, graphs: Sequence[str]
) -> ValidationReport:
    """``report`` with every cycle result's message naming all members of its cycle."""
    flagged = {r.focus_node for r in report.results if r.source_shape == CYCLE_SHAPE}
    if not flagged:
        return report
    nodes = sorted(n for n in flagged if not n.startswith("_:"))
    edges: list[tuple[str, str]] = []
    labels: dict[str, str] = {}
    for i in range(0, len(nodes), BATCH):
        values = " ".join(f"<{n}>" for n in nodes[i : i + BATCH])
        rows = store.query(
            f"SELECT ?s ?o ?l WHERE {{ VALUES ?s {{ {values} }} "
            f"{{ ?s <{SVC.dependsOn}>|<{SVC.member}> ?o }} UNION {{ ?s {RDFS_LABEL} ?l }} }}",
            default_graph=list(graphs),
        )
        for row in rows:
            s = row["s"].value  # type: ignore[index]
            if row["o"] is not None and row["o"].value in flagged:  # type: ignore[index]
                edges.append((s, row["o"].value))  # type: ignore[index]
            if row["l"] is not None:  # type: ignore[index]
                labels.setdefault(s, row["l"].value)  # type: ignore[index]
    member_of: dict[str, list[str]] = {}
    for component in cycles(edges):
        names = sorted(labels.get(str(m), str(m)) for m in component)
        for m in component:
            member_of[str(m)] = names
    out: list[ValidationResult] = []
    for r in report.results:
        names = member_of.get(r.focus_node)
        if r.source_shape == CYCLE_SHAPE and names:
            r = replace(r, message=cycle_message(names))
        out.append(r)
    return ValidationReport(results=out)


def cycle_message(names: Sequence[str]) -> str:
    """The message of a cycle with these member names.

    >>> cycle_message(["A", "B"])[:55]
    "Dependency cycle of 2 elements: 'A', 'B' depend on each"
    """
    shown = ", ".join(f"'{n}'" for n in names[:MAX_NAMED])
    more = f" and {len(names) - MAX_NAMED} more" if len(names) > MAX_NAMED else ""
    if len(names) == 1:
        return (
            f"Dependency cycle: {shown} depends on itself (svc:dependsOn or redundancy group "
            "members): remove the dependency on itself."
        )
    return (
        f"Dependency cycle of {len(names)} elements: {shown}{more} depend on each other "
        "(svc:dependsOn or redundancy group members): remove or reverse one dependency in the "
        "cycle."
    )
