"""One customer's status, in the customer's words: what a service consumer may be told.

Given the consumer's scope (the IRIs it may see, :func:`svckg.analysis.scope.consumer_scope`)
and the incidents, the status holds

- the consumer's **services** (services, offerings, packages, products in its scope) and
  **touchpoints** (touchpoints and service interactions in its scope), each ``operational``,
  ``degraded`` or ``down``: the worst status the recorded impact of an open incident gives it;
- the **agreements at risk**: its agreements in the recorded impact of an open incident, with
  their targets;
- the **timeline**: every incident whose recorded impact reached an element of the scope,
  open ones first, told by the labels of the visible elements it affected (as recorded) and
  the updates written for customers (``svc:shownToCustomers``). The provider's title, the
  failed elements behind the line of visibility, update authors and internal updates are not
  part of it, nor is anything outside the scope.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from svckg.analysis.index import DependencyIndex, get_index
from svckg.incidents.model import STATUS_ORDER, Incident, time_key
from svckg.store.base import Store
from svckg.vocab import SVC

SERVICE_CLASSES = (SVC.Service, SVC.ServiceOffering, SVC.ServicePackage, SVC.Product)
TOUCHPOINT_CLASSES = (SVC.Touchpoint, SVC.ServiceInteraction)
OPERATIONAL = "operational"


def _of_classes(index: DependencyIndex, scope: Iterable[str], classes: Iterable[str]) -> list[str]:
    wanted: set[str] = set()
    for cls in classes:
        wanted |= index.subclasses(str(cls))
    return [iri for iri in scope if wanted.intersection(index.types.get(iri, ()))]


def worst(statuses: Iterable[str]) -> str:
    """The worst of ``statuses`` (``operational`` when there is none).

    >>> worst(["degraded", "down"]), worst([])
    ('down', 'operational')
    """
    return max(statuses, key=STATUS_ORDER.__getitem__, default=OPERATIONAL)


def _element_rows(
    index: DependencyIndex, iris: list[str], current: dict[str, list[tuple[str, str]]]
) -> list[dict[str, Any]]:
    rows = []
    for iri in iris:
        causes = current.get(iri, [])
        rows.append(
            {
                "iri": iri,
                "label": index.label(iri),
                "status": worst(s for _, s in causes),
                "incidents": sorted({i for i, _ in causes}),
            }
        )
    rows.sort(key=lambda r: (-STATUS_ORDER[r["status"]], r["label"].lower(), r["iri"]))
    return rows


def _agreements(scope: frozenset[str], open_incidents: list[Incident]) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for inc in open_incidents:
        for row in inc.impact.get("agreements", ()):
            if row["iri"] not in scope:
                continue
            entry = found.setdefault(
                row["iri"],
                {
                    "iri": row["iri"],
                    "label": row["label"],
                    "status": row["status"],
                    "targets": [
                        {k: t.get(k) for k in ("label", "metric", "value", "unit")}
                        for t in row.get("targets", ())
                    ],
                    "incidents": [],
                },
            )
            entry["status"] = worst([entry["status"], row["status"]])
            entry["incidents"].append(inc.id)
    return sorted(found.values(), key=lambda a: (-STATUS_ORDER[a["status"]], a["label"].lower()))


def timeline_entry(
    inc: Incident, scope: frozenset[str], first: frozenset[str] = frozenset()
) -> dict[str, Any] | None:
    """What the customer is told of ``inc`` (None when it reached nothing the customer sees).
    Agreements are told apart (``agreements``); ``first`` (the customer's services) lead the
    list of affected elements and name the entry."""
    labels = inc.labels()
    agreement_iris = {a["iri"] for a in inc.impact.get("agreements", ())}
    seen = [
        {"iri": iri, "label": labels.get(iri, ""), "status": status}
        for iri, status in inc.statuses().items()
        if iri in scope and labels.get(iri)
    ]
    if not seen:
        return None
    affected = [a for a in seen if a["iri"] not in agreement_iris]
    agreements = [a for a in seen if a["iri"] in agreement_iris]
    affected.sort(
        key=lambda a: (a["iri"] not in first, -STATUS_ORDER[a["status"]], a["label"].lower())
    )
    agreements.sort(key=lambda a: a["label"].lower())
    named = (affected or agreements)[0]["label"]
    count = len(affected or agreements) - 1
    headline = ("Disruption" if inc.is_open else "Resolved disruption") + f" of {named}"
    headline += f" and {count} more" if count else ""
    down = sorted(a["label"] for a in affected if a["status"] == "down")
    degraded = sorted(a["label"] for a in affected if a["status"] == "degraded")
    parts = [
        f"{word}: {', '.join(names)}"
        for word, names in (("Down", down), ("Degraded", degraded))
        if names
    ]
    if agreements:
        parts.append("Agreements affected: " + ", ".join(a["label"] for a in agreements))
    times = [inc.start, *(u.time for u in inc.updates if u.shown_to_customers)]
    times += [inc.end] if inc.end else []
    return {
        "id": inc.id,
        "status": "ongoing" if inc.is_open else "resolved",
        "headline": headline,
        "summary": ". ".join(parts) + ".",
        "start": inc.start,
        "end": inc.end,
        "updated": max(times, key=time_key),
        "affected": affected,
        "agreements": agreements,
        "updates": [{"time": u.time, "text": u.text} for u in inc.updates if u.shown_to_customers],
    }


def customer_status(
    store: Store, consumer: str, scope: frozenset[str], incidents: list[Incident]
) -> dict[str, Any]:
    """The status of ``consumer`` (an IRI) given its ``scope`` and the incidents (in the
    order to show them: open first, newest first)."""
    index = get_index(store)
    open_incidents = [inc for inc in incidents if inc.is_open]
    current: dict[str, list[tuple[str, str]]] = {}
    for inc in open_incidents:
        for iri, status in inc.statuses().items():
            if iri in scope:
                current.setdefault(iri, []).append((inc.id, status))
    services = _element_rows(index, _of_classes(index, scope, SERVICE_CLASSES), current)
    touchpoints = _element_rows(index, _of_classes(index, scope, TOUCHPOINT_CLASSES), current)
    first = frozenset(r["iri"] for r in services)
    timeline = [
        e for e in (timeline_entry(inc, scope, first) for inc in incidents) if e is not None
    ]
    return {
        "customer": {"iri": consumer, "label": index.label(consumer)},
        "providers": [
            {"iri": p, "label": index.label(p)} for p in providers_of(store, consumer) if p in scope
        ],
        "status": worst(r["status"] for r in (*services, *touchpoints)),
        "services": services,
        "touchpoints": touchpoints,
        "agreementsAtRisk": _agreements(scope, open_incidents),
        "timeline": timeline,
    }


def providers_of(store: Store, consumer: str) -> list[str]:
    """The providers of ``consumer``'s relationships, sorted."""
    rows = store.query(
        f"SELECT DISTINCT ?p WHERE {{ ?rel <{SVC.consumer}> ?c ; <{SVC.provider}> ?p "
        "FILTER(isIRI(?p)) }",
        substitutions={"c": ox.NamedNode(consumer)},
    )
    return sorted(row["p"].value for row in rows)  # type: ignore[index]
