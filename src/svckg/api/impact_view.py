"""The viewer's impact panel: the answer of :func:`svckg.analysis.impact.impact` arranged for
people who have to act on it, and the same answer as CSV or JSON for export.

- who to call: the owners of the failed and impacted elements grouped by team (a person is
  grouped under the teams they are ``svc:memberOf``; a team or organization owner is its own
  group), each with the elements they own;
- agreements at risk with their targets; parties grouped by role;
- journeys and touchpoints hit: the impacted elements of the experience layer.

Nothing here is computed twice: the impact engine's result is the one source, this module only
groups it and adds labels of owners and teams.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Annotated, Any

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from svckg.analysis import impact as impact_module
from svckg.analysis.describe import display_label
from svckg.analysis.pushdown import GraphSource
from svckg.analysis.scoped import scoped_impact
from svckg.analysis.views import View
from svckg.api.dependencies import CONSUMER, consumer_view, require_role
from svckg.api.ops import MODE_HEADER, walk_source
from svckg.api.state import app_state, run_blocking
from svckg.errors import InputError
from svckg.store.base import Store
from svckg.terms import RDF_TYPE
from svckg.vocab import PREFIXES

router = APIRouter(prefix="/api/ui", tags=["ui"], dependencies=[require_role(CONSUMER)])

SVC = PREFIXES["svc"]
MEMBER_OF = ox.NamedNode(SVC + "memberOf")
PERSON = SVC + "Person"
EXPERIENCE_LAYER = PREFIXES["svcc"] + "experience-layer"
NO_TEAM = "none"
CSV_COLUMNS = ("section", "iri", "label", "status", "group", "detail")


def _teams_of(store: Store, owner: str) -> list[str]:
    """The groups an owner is called through: a person's teams, else the owner itself."""
    node = ox.NamedNode(owner)
    types = {q.object.value for q in store.quads(node, RDF_TYPE, None)}
    if PERSON not in types:
        return [owner]
    teams = sorted(
        {
            q.object.value
            for q in store.quads(node, MEMBER_OF, None)
            if type(q.object) is ox.NamedNode
        }
    )
    return teams or [NO_TEAM]


def _call_list(store: Store, owners: list[dict], names: dict[str, str]) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for owner in owners:
        entry = {
            "iri": owner["iri"],
            "label": owner["label"],
            "elements": [
                {"iri": e, "label": names.get(e) or display_label(store, e)}
                for e in owner["elements"]
            ],
        }
        for team in _teams_of(store, owner["iri"]):
            groups.setdefault(team, []).append(entry)
    return sorted(
        (
            {
                "team": None if team == NO_TEAM else team,
                "teamLabel": "no team" if team == NO_TEAM else display_label(store, team),
                "owners": sorted(members, key=lambda m: m["label"].lower()),
            }
            for team, members in groups.items()
        ),
        key=lambda g: (g["team"] is None, g["teamLabel"].lower()),
    )


def _by_role(parties: list[dict]) -> list[dict[str, Any]]:
    roles: dict[str, dict[str, Any]] = {}
    for p in parties:
        group = roles.setdefault(
            p["role"], {"role": p["role"], "roleLabel": p["roleLabel"], "parties": []}
        )
        group["parties"].append(p)
    return sorted(roles.values(), key=lambda r: r["roleLabel"].lower())


def impact_report(
    store: Store,
    elements: list[str],
    *,
    paths: int = 3,
    view: View | None = None,
    source: GraphSource | None = None,
) -> dict[str, Any]:
    """The impact of ``elements`` failing, with the panel's groupings added:
    ``{failed, impacted, agreements, parties, owners, callList, partiesByRole, journeys}``.
    With a consumer's ``view``: the answer in that view (:mod:`svckg.analysis.scoped`), its
    names read from the view store."""
    if not elements:
        raise InputError(
            "no failed element given", where="parameter 'element'", hint="mark one failed"
        )
    if view is not None:
        result = scoped_impact(store, view, elements, max_paths=paths, source=source).to_json()
        store = view.store
    else:
        result = impact_module.impact(store, elements, max_paths=paths, source=source).to_json()
    names = {i["iri"]: i["label"] for i in result["impacted"]}
    names.update({f["iri"]: f.get("label") or "" for f in result["failed"]})
    result["callList"] = _call_list(store, result["owners"], names)
    result["partiesByRole"] = _by_role(result["parties"])
    result["journeys"] = [i for i in result["impacted"] if i.get("layer") == EXPERIENCE_LAYER]
    return result


def _csv_rows(report: dict[str, Any]) -> Iterable[tuple[str, ...]]:
    for f in report["failed"]:
        yield ("failed", f["iri"], f.get("label") or "", "failed", "", "")
    for i in report["impacted"]:
        visible = "customer-visible" if i.get("customerVisible") else ""
        yield ("impacted", i["iri"], i["label"], i["status"], i.get("layer") or "", visible)
    for group in report["callList"]:
        for owner in group["owners"]:
            owned = "; ".join(e["label"] for e in owner["elements"])
            yield ("call", owner["iri"], owner["label"], "", group["teamLabel"], owned)
    for a in report["agreements"]:
        targets = "; ".join(
            f"{t['label']}"
            + (f" ({t['value']} {t['unit'] or ''})".rstrip() if t.get("value") else "")
            for t in a["targets"]
        )
        yield ("agreement", a["iri"], a["label"], a["status"], "", targets)
    for role in report["partiesByRole"]:
        for p in role["parties"]:
            yield ("party", p["agent"], p["agentLabel"], "", role["roleLabel"], p["contextLabel"])
    for j in report["journeys"]:
        yield ("journey", j["iri"], j["label"], j["status"], j.get("layer") or "", "")


def _cell(value: str) -> str:
    """A spreadsheet never runs a label as a formula (``=``, ``+``, ``-``, ``@`` lead-ins)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def report_csv(report: dict[str, Any]) -> str:
    """The report as one CSV table: a row per failed element, impacted element, owner to call,
    agreement, party and journey element, the ``section`` column saying which."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(tuple(_cell(c) for c in row) for row in _csv_rows(report))
    return out.getvalue()


@router.get("/impact")
async def impact_route(
    request: Request,
    element: Annotated[list[str], Query(description="Failed element IRI or CURIE (repeatable)")],
    paths: Annotated[int, Query(ge=1, le=10, description="Chains kept per element")] = 3,
    format: Annotated[str, Query(description="json (default) or csv")] = "json",
) -> Response:
    """The impact panel's data; ``format=csv`` or ``json`` downloads the same result."""
    if format not in ("json", "csv"):
        raise InputError(f"format {format!r} is not json or csv", where="parameter 'format'")
    state = app_state(request)
    view = await consumer_view(request)

    def run() -> tuple[dict[str, Any], str]:
        source = walk_source(state)
        report = impact_report(state.store, element, paths=paths, view=view, source=source)
        return report, source.mode

    report, mode = await run_blocking(request, run)
    state.metrics.walks.labels(walk="impact", mode=mode).inc()
    headers = {MODE_HEADER: mode}
    if format == "csv":
        return Response(
            report_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="svckg-impact.csv"'} | headers,
        )
    return JSONResponse(report, headers=headers)
