"""The incident record: one named graph per incident, written all at once.

Model (in the incident's graph ``.../graph/incident/<id>/v<n>``), for incident ``20261206-a1b2c3``::

    id:incident/20261206-a1b2c3  a svc:Incident, prov:Entity ;
        svc:incidentId "20261206-a1b2c3" ; rdfs:label "Hosting cluster down" ;
        svc:failedElement id:clinical-hosting-cluster ;
        svc:startTime "..."^^xsd:dateTime ; svc:endTime "..."^^xsd:dateTime ;   # once closed
        svc:hasUpdate <.../update/1> ;
        svc:impactRecord "{...}"^^rdf:JSON ; svc:impactRecordedAt "..."^^xsd:dateTime ;
        svc:affects id:cloud-workplace, ... ;                   # every element of the record
        svc:alertGroupKey "..." ; svc:firingAlert "fp" ; svc:resolvedAlert "fp" ;  # Alertmanager
        svc:recoveredElement id:... .        # failed, back while the incident goes on
    <.../update/1> a svc:IncidentUpdate ; svc:updateText "..." ; svc:updateTime ... ;
        svc:author "alice" ; svc:shownToCustomers false .
    <graph .../v2> a prov:Entity ; prov:specializationOf id:incident/... ;
        prov:wasGeneratedBy <.../v2/activity> ; prov:wasRevisionOf <graph .../v1> .
    <.../v2/activity> a prov:Activity ; dcterms:description "update added" ;
        prov:startedAtTime ... ; prov:endedAtTime ... ; prov:wasAssociatedWith <.../agent/alice> .

Every change writes the next version graph (the previous one's content, changed, with one more
PROV-O activity) and drops the previous graph in one SPARQL update: readers see the old record
or the new one, never half of one, and the dependency index only re-reads the incident's own
subjects (a graph added and one dropped) instead of rebuilding. The graphs are in svckg's
reserved namespace, so raw SPARQL Update and Graph Store writes cannot touch them.

**Recorded, not recomputed.** The impact is computed with :func:`svckg.analysis.impact.impact`
when the incident opens and whenever the elements still down change (failed ones, minus the
recovered ones), and stored as the engine's
JSON (:data:`svckg.analysis.results` contract) with the time. A later model change (a new
dependency, a renamed service, a customer leaving) does not rewrite what the incident did and
what customers were told; recomputing on read would. Callers serialize writes (the API holds
its write lock across read, check and write).
"""

from __future__ import annotations

import json
import re
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import pyoxigraph as ox

from svckg.analysis.elements import resolve_element
from svckg.analysis.impact import impact
from svckg.analysis.index import get_index
from svckg.errors import InputError, NotFound, SvckgError, UnknownElements
from svckg.ingest.records import AGENT_BASE, slugify
from svckg.store.base import Store
from svckg.terms import RDF_TYPE_IRI, RDFS_LABEL_IRI
from svckg.vocab import GRAPH, ID, SVC

INCIDENT_GRAPH_BASE = str(GRAPH) + "incident/"
"""Every incident graph IRI starts with this."""
INCIDENT_BASE = str(ID) + "incident/"
"""Every incident IRI starts with this (served under ``/id/incident/``)."""
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_JSON = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON"
S = str(SVC)

MAX_TITLE = 300
MAX_TEXT = 10_000
MAX_ELEMENTS = 500
"""Bounds of one request's title, update text and failed elements."""
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
STATUS_ORDER = {"operational": 0, "degraded": 1, "down": 2}
"""Worse is larger."""


# -- times ------------------------------------------------------------------------------------


def canonical(value: datetime) -> str:
    """``value`` in UTC as the canonical xsd:dateTime form the engine stores (``Z``, no
    trailing zeros in the fraction), so what a write answers equals what a read gives.

    >>> canonical(datetime(2026, 12, 6, 13, 31, 10, 500000, tzinfo=UTC))
    '2026-12-06T13:31:10.5Z'
    """
    text = value.astimezone(UTC).replace(tzinfo=None).isoformat()
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text + "Z"


def now() -> str:
    """The current UTC time as a canonical xsd:dateTime (milliseconds at most)."""
    current = datetime.now(UTC)
    return canonical(current.replace(microsecond=current.microsecond // 1000 * 1000))


def parse_time(text: object, where: str) -> str:
    """``text`` (ISO 8601 / RFC 3339 with a time zone) as a UTC xsd:dateTime; InputError
    naming ``where`` otherwise.

    >>> parse_time("2026-12-06T21:00:00+01:00", "start")
    '2026-12-06T20:00:00Z'
    """
    hint = "write an ISO 8601 time with a time zone, e.g. 2026-12-06T14:30:00Z"
    if not isinstance(text, str):
        raise InputError(f"{where} must be a string", where=where, hint=hint)
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{where} is not a time: {text[:60]!r}", where=where, hint=hint) from None
    if value.tzinfo is None:
        raise InputError(f"{where} has no time zone: {text[:60]!r}", where=where, hint=hint)
    try:
        return canonical(value)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00 is before year 1 in UTC
        raise InputError(
            f"{where} is out of range: {text[:60]!r}", where=where, hint=hint
        ) from None


def time_key(time: str) -> datetime:
    """A sortable time of an xsd:dateTime this module wrote."""
    return datetime.fromisoformat(time)


# -- the record -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Update:
    """One free-text update on an incident."""

    number: int
    text: str
    time: str
    author: str
    shown_to_customers: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "time": self.time,
            "author": self.author,
            "text": self.text,
            "shownToCustomers": self.shown_to_customers,
        }


@dataclass(frozen=True)
class Activity:
    """One change of the record (PROV-O activity generating version ``version``)."""

    version: int
    action: str
    agent: str
    time: str


@dataclass(frozen=True)
class Incident:
    """An incident as its graph records it."""

    id: str
    title: str
    failed: tuple[str, ...]
    start: str
    impact: dict[str, Any]
    impact_at: str
    version: int = 1
    end: str | None = None
    updates: tuple[Update, ...] = ()
    group_key: str | None = None
    firing: tuple[str, ...] = ()
    resolved: tuple[str, ...] = ()
    recovered: tuple[str, ...] = ()
    """Failed elements that are back while the incident goes on (no longer impact roots)."""
    activities: tuple[Activity, ...] = field(default=())

    @property
    def iri(self) -> str:
        return incident_iri(self.id)

    @property
    def graph(self) -> str:
        return graph_of(self.id, self.version)

    @property
    def is_open(self) -> bool:
        return self.end is None

    @property
    def down(self) -> tuple[str, ...]:
        """The failed elements not recovered (the roots of the recorded impact); once the
        incident is closed, every element that failed in it (what it was)."""
        if self.end is not None:
            return self.failed
        return tuple(f for f in self.failed if f not in self.recovered)

    def statuses(self) -> dict[str, str]:
        """Element IRI -> ``down`` or ``degraded`` as recorded (failed elements not recovered
        are down)."""
        out = dict.fromkeys(self.down, "down")
        for row in self.impact.get("impacted", ()):
            out[row["iri"]] = row["status"]
        return out

    def labels(self) -> dict[str, str]:
        """Element IRI -> the label it had when the impact was recorded."""
        out: dict[str, str] = {}
        for key in ("failed", "impacted", "agreements"):
            for row in self.impact.get(key, ()):
                out[row["iri"]] = row["label"]
        return out

    def to_json(self) -> dict[str, Any]:
        labels = self.labels()
        return {
            "id": self.id,
            "iri": self.iri,
            "title": self.title,
            "status": "open" if self.is_open else "closed",
            "start": self.start,
            "end": self.end,
            "failed": [{"iri": f, "label": labels.get(f, f)} for f in self.failed],
            "recovered": list(self.recovered),
            "updates": [u.to_json() for u in self.updates],
            "impact": self.impact,
            "impactRecordedAt": self.impact_at,
            "alertmanager": None
            if self.group_key is None
            else {
                "groupKey": self.group_key,
                "firing": list(self.firing),
                "resolved": list(self.resolved),
            },
            "graph": self.graph,
            "version": self.version,
            "history": [
                {"version": a.version, "action": a.action, "agent": a.agent, "time": a.time}
                for a in self.activities
            ],
        }


def incident_iri(incident_id: str) -> str:
    """
    >>> incident_iri("20261206-a1b2c3")
    'https://w3id.org/svckg/id/incident/20261206-a1b2c3'
    """
    return INCIDENT_BASE + incident_id


def graph_of(incident_id: str, version: int) -> str:
    """The named graph of one version of an incident record."""
    return f"{INCIDENT_GRAPH_BASE}{incident_id}/v{version}"


# -- writing ----------------------------------------------------------------------------------


def _lit(value: object, datatype: str | None = None) -> ox.Literal:
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD + "boolean"))
    if datatype:
        return ox.Literal(str(value), datatype=ox.NamedNode(datatype))
    return ox.Literal(str(value))


def triples(inc: Incident) -> list[ox.Triple]:
    """Every triple of the incident's graph."""
    n, t = ox.NamedNode, ox.Triple
    me = n(inc.iri)
    a, label = n(RDF_TYPE_IRI), n(RDFS_LABEL_IRI)
    out = [
        t(me, a, n(S + "Incident")),
        t(me, a, n(PROV + "Entity")),
        t(me, n(S + "incidentId"), _lit(inc.id)),
        t(me, label, _lit(inc.title)),
        t(me, n(S + "startTime"), _lit(inc.start, XSD + "dateTime")),
        t(me, n(S + "impactRecord"), _lit(json.dumps(inc.impact, sort_keys=True), RDF_JSON)),
        t(me, n(S + "impactRecordedAt"), _lit(inc.impact_at, XSD + "dateTime")),
    ]
    out += [t(me, n(S + "failedElement"), n(f)) for f in inc.failed]
    out += [t(me, n(S + "affects"), n(e)) for e in sorted(inc.statuses())]
    if inc.end is not None:
        out.append(t(me, n(S + "endTime"), _lit(inc.end, XSD + "dateTime")))
    if inc.group_key is not None:
        out.append(t(me, n(S + "alertGroupKey"), _lit(inc.group_key)))
    out += [t(me, n(S + "firingAlert"), _lit(fp)) for fp in inc.firing]
    out += [t(me, n(S + "resolvedAlert"), _lit(fp)) for fp in inc.resolved]
    out += [t(me, n(S + "recoveredElement"), n(e)) for e in inc.recovered]
    for u in inc.updates:
        node = n(f"{inc.iri}/update/{u.number}")
        out += [
            t(me, n(S + "hasUpdate"), node),
            t(node, a, n(S + "IncidentUpdate")),
            t(node, n(S + "updateText"), _lit(u.text)),
            t(node, n(S + "updateTime"), _lit(u.time, XSD + "dateTime")),
            t(node, n(S + "author"), _lit(u.author)),
            t(node, n(S + "shownToCustomers"), _lit(u.shown_to_customers)),
        ]
    for act in inc.activities:
        out += _activity_triples(inc, act)
    return out


def _activity_triples(inc: Incident, act: Activity) -> list[ox.Triple]:
    n, t = ox.NamedNode, ox.Triple
    entity = n(graph_of(inc.id, act.version))
    activity = n(graph_of(inc.id, act.version) + "/activity")
    agent = n(AGENT_BASE + slugify(act.agent))
    when = _lit(act.time, XSD + "dateTime")
    out = [
        t(entity, n(RDF_TYPE_IRI), n(PROV + "Entity")),
        t(entity, n(PROV + "specializationOf"), n(inc.iri)),
        t(entity, n(PROV + "wasGeneratedBy"), activity),
        t(activity, n(RDF_TYPE_IRI), n(PROV + "Activity")),
        t(activity, n(DCTERMS + "description"), _lit(act.action)),
        t(activity, n(PROV + "startedAtTime"), when),
        t(activity, n(PROV + "endedAtTime"), when),
        t(activity, n(PROV + "wasAssociatedWith"), agent),
        t(agent, n(RDF_TYPE_IRI), n(PROV + "Agent")),
        t(agent, n(RDFS_LABEL_IRI), _lit(act.agent)),
    ]
    if act.version > 1:
        out.append(t(entity, n(PROV + "wasRevisionOf"), n(graph_of(inc.id, act.version - 1))))
    return out


def _commit(store: Store, new: Incident, old: Incident | None) -> Incident:
    """Write ``new`` as its own graph and drop ``old``'s, in one update (all or nothing)."""
    body = ox.serialize(triples(new), format=ox.RdfFormat.N_TRIPLES).decode()
    drop = f"DROP SILENT GRAPH <{old.graph}> ;\n" if old is not None else ""
    store.update(f"{drop}INSERT DATA {{ GRAPH <{new.graph}> {{\n{body}}} }}")
    return new


def _next(inc: Incident, action: str, agent: str, time: str, **changes: Any) -> Incident:
    version = inc.version + 1
    activity = Activity(version, action, agent, time)
    return replace(inc, version=version, activities=(*inc.activities, activity), **changes)


# -- checking input ---------------------------------------------------------------------------


def check_text(value: object, where: str, limit: int, what: str) -> str:
    """A non-empty string of at most ``limit`` characters, stripped; InputError otherwise."""
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{where} is missing or empty", where=where, hint=f"give {what}")
    text = value.strip()
    if len(text) > limit:
        raise InputError(
            f"{where} has {len(text):,} characters, more than {limit:,}",
            where=where,
            hint=f"shorten {what}",
        )
    return text


def _by_identifier(store: Store, text: str) -> list[str]:
    rows = store.query(
        f"SELECT DISTINCT ?s WHERE {{ ?s <{S}identifier> ?id . FILTER(isIRI(?s)) }} LIMIT 2",
        substitutions={"id": ox.Literal(text)},
    )
    return [row["s"].value for row in rows]  # type: ignore[index]


def resolve_one(store: Store, text: str) -> str | None:
    """The element IRI ``text`` names (an IRI, a CURIE or an ``svc:identifier``), or None."""
    index = get_index(store)
    text = text.strip()
    if text and ":" in text:
        try:
            return resolve_element(store, index, text)
        except (SvckgError, ValueError):  # not in the store, or not an IRI at all
            pass
    if text:
        found = _by_identifier(store, text)
        if len(found) == 1:
            return found[0]
    return None


def resolve_elements(store: Store, given: Sequence[object], where: str) -> tuple[str, ...]:
    """Every element of ``given`` resolved, in order, duplicates dropped; UnknownElements
    (422) listing every one that is not in the store."""
    if not isinstance(given, list | tuple) or not given:
        raise InputError(
            f"{where} must be a non-empty list of elements",
            where=where,
            hint="name each failed element by IRI, CURIE (id:cloud-workplace) or svc:identifier",
        )
    if len(given) > MAX_ELEMENTS:
        raise InputError(
            f"{where} names {len(given)} elements, more than {MAX_ELEMENTS}",
            where=where,
            hint="name the elements that failed, not what they affect (impact finds that)",
        )
    found: list[str] = []
    unknown: list[str] = []
    for item in given:
        key = resolve_one(store, item) if isinstance(item, str) else None
        if key is None:
            unknown.append(item if isinstance(item, str) else repr(item))
        else:
            found.append(key)
    if unknown:
        raise UnknownElements(
            f"{len(unknown)} of the elements in {where} are not in the store: "
            + ", ".join(unknown[:20]),
            unknown,
            where=where,
            hint="fix or remove them (find elements with the find-elements query); "
            "nothing was written",
        )
    return tuple(dict.fromkeys(found))


def record_impact(store: Store, failed: Sequence[str]) -> dict[str, Any]:
    """The impact engine's answer for ``failed`` (in IRI order, so that the record does not
    depend on the order they were named in), as JSON (one shortest chain an element)."""
    return impact(store, sorted(failed)).to_json()


# -- reading ----------------------------------------------------------------------------------

_FIND = f"""
SELECT ?g ?id WHERE {{ GRAPH ?g {{ ?i a <{S}Incident> ; <{S}incidentId> ?id }} }}
"""


def _graphs(store: Store, incident_id: str | None = None) -> dict[str, str]:
    """Incident id -> its current graph."""
    subs = {"id": ox.Literal(incident_id)} if incident_id is not None else None
    out: dict[str, str] = {}
    for row in store.query(_FIND, substitutions=subs):
        graph = row["g"].value  # type: ignore[index]
        if graph.startswith(INCIDENT_GRAPH_BASE):
            out[row["id"].value] = graph  # type: ignore[index]
    return out


def _read(store: Store, incident_id: str, graph: str) -> Incident:
    props: dict[str, dict[str, list[ox.NamedNode | ox.Literal | ox.BlankNode]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for quad in store.quads(graph=graph):
        props[quad.subject.value][quad.predicate.value].append(quad.object)  # type: ignore[arg-type]
    me = props[incident_iri(incident_id)]

    def one(p: dict[str, list[Any]], name: str) -> str | None:
        values = p.get(name) or []
        return values[0].value if values else None

    updates = []
    for node in me.get(S + "hasUpdate", []):
        up = props[node.value]
        number = int(node.value.rsplit("/", 1)[1])
        updates.append(
            Update(
                number=number,
                text=one(up, S + "updateText") or "",
                time=one(up, S + "updateTime") or "",
                author=one(up, S + "author") or "",
                shown_to_customers=one(up, S + "shownToCustomers") == "true",
            )
        )
    activities = []
    for subject, p in props.items():
        if subject.endswith("/activity") and PROV + "startedAtTime" in p:
            version = int(re.sub(r".*/v(\d+)/activity$", r"\1", subject))
            agent_iri = one(p, PROV + "wasAssociatedWith") or ""
            activities.append(
                Activity(
                    version=version,
                    action=one(p, DCTERMS + "description") or "",
                    agent=one(props.get(agent_iri, {}), RDFS_LABEL_IRI) or "",
                    time=one(p, PROV + "startedAtTime") or "",
                )
            )
    return Incident(
        id=incident_id,
        title=one(me, RDFS_LABEL_IRI) or "",
        failed=tuple(sorted(o.value for o in me.get(S + "failedElement", []))),
        start=one(me, S + "startTime") or "",
        end=one(me, S + "endTime"),
        impact=json.loads(one(me, S + "impactRecord") or "{}"),
        impact_at=one(me, S + "impactRecordedAt") or "",
        version=int(graph.rsplit("/v", 1)[1]),
        updates=tuple(sorted(updates, key=lambda u: u.number)),
        group_key=one(me, S + "alertGroupKey"),
        firing=tuple(sorted(o.value for o in me.get(S + "firingAlert", []))),
        resolved=tuple(sorted(o.value for o in me.get(S + "resolvedAlert", []))),
        recovered=tuple(sorted(o.value for o in me.get(S + "recoveredElement", []))),
        activities=tuple(sorted(activities, key=lambda a: a.version)),
    )


def get(store: Store, incident_id: str) -> Incident:
    """The incident ``incident_id``; NotFound when there is none."""
    graph = _graphs(store, incident_id).get(incident_id) if _ID.match(incident_id) else None
    if graph is None:
        raise NotFound(
            "no incident with this id", where=incident_id, hint="list them: GET /api/incidents"
        )
    return _read(store, incident_id, graph)


def list_incidents(store: Store) -> list[Incident]:
    """Every incident: open ones first, then by start time, newest first."""
    found = [_read(store, i, g) for i, g in _graphs(store).items()]
    found.sort(key=lambda inc: (not inc.is_open, -time_key(inc.start).timestamp(), inc.id))
    return found


def open_for_group(store: Store, group_key: str) -> Incident | None:
    """The open incident of an Alertmanager group, if any."""
    rows = store.query(
        f"SELECT ?id WHERE {{ GRAPH ?g {{ ?i <{S}alertGroupKey> ?key ; <{S}incidentId> ?id "
        f"FILTER NOT EXISTS {{ ?i <{S}endTime> ?end }} }} "
        f'FILTER(STRSTARTS(STR(?g), "{INCIDENT_GRAPH_BASE}")) }}',
        substitutions={"key": ox.Literal(group_key)},
    )
    for row in rows:
        inc = get(store, row["id"].value)  # type: ignore[index]
        if inc.is_open:
            return inc
    return None


# -- changing ---------------------------------------------------------------------------------


def _new_id(store: Store, start: str) -> str:
    taken = set(_graphs(store))
    while True:
        candidate = f"{start[:10].replace('-', '')}-{secrets.token_hex(3)}"
        if candidate not in taken:
            return candidate


def open_incident(
    store: Store,
    *,
    title: str,
    failed: Iterable[str],
    author: str,
    start: str | None = None,
    end: str | None = None,
    updates: Sequence[tuple[str, bool, str]] = (),
    group_key: str | None = None,
    firing: Iterable[str] = (),
    action: str = "opened",
) -> Incident:
    """Record a new incident (already checked input: resolved element IRIs, UTC times)."""
    time = now()
    start = start or time
    if end is not None and time_key(end) < time_key(start):
        raise InputError(
            f"end {end} is before start {start}", where="end", hint="give an end after the start"
        )
    roots = tuple(sorted(set(failed)))
    inc = Incident(
        id=_new_id(store, start),
        title=title,
        failed=roots,
        start=start,
        end=end,
        impact=record_impact(store, roots),
        impact_at=time,
        updates=tuple(
            Update(i, text, time, who, shown) for i, (text, shown, who) in enumerate(updates, 1)
        ),
        group_key=group_key,
        firing=tuple(sorted(set(firing))),
        activities=(Activity(1, action, author, time),),
    )
    return _commit(store, inc, None)


def add_update(
    store: Store, incident_id: str, *, text: str, author: str, shown_to_customers: bool = False
) -> Incident:
    """Add a free-text update (open or closed incidents: a closed one takes post-mortem notes)."""
    inc = get(store, incident_id)
    time = now()
    update = Update(len(inc.updates) + 1, text, time, author, shown_to_customers)
    return _commit(
        store, _next(inc, "update added", author, time, updates=(*inc.updates, update)), inc
    )


def close_incident(
    store: Store,
    incident_id: str,
    *,
    author: str,
    end: str | None = None,
    text: str | None = None,
    shown_to_customers: bool = False,
) -> Incident:
    """Close an open incident at ``end`` (default now), with an optional last update."""
    inc = get(store, incident_id)
    if not inc.is_open:
        raise InputError(
            f"incident {incident_id} is already closed (at {inc.end})",
            where=incident_id,
            hint="add an update instead: POST /api/incidents/{id}/updates",
        )
    return _commit(store, closed(inc, author, end, text, shown_to_customers), inc)


def closed(
    inc: Incident, author: str, end: str | None, text: str | None, shown: bool = False
) -> Incident:
    """``inc`` closed at ``end`` (not written)."""
    time = now()
    end = end or time
    if time_key(end) < time_key(inc.start):
        raise InputError(
            f"end {end} is before the incident's start {inc.start}",
            where="end",
            hint="give an end after the start",
        )
    updates = inc.updates
    if text:
        updates = (*updates, Update(len(updates) + 1, text, time, author, shown))
    return _next(inc, "closed", author, time, end=end, updates=updates)


def revise(store: Store, old: Incident, new: Incident) -> Incident:
    """Write ``new`` (made from ``old`` with :func:`extended` or :func:`closed`) in place of
    ``old``."""
    return _commit(store, new, old)


def extended(
    store: Store,
    inc: Incident,
    *,
    author: str,
    failed: Iterable[str] = (),
    firing: Iterable[str] = (),
    resolved: Iterable[str] = (),
    recovered: Iterable[str] | None = None,
) -> Incident:
    """``inc`` with more failed elements, the alert fingerprints moved between firing and
    resolved and, when ``recovered`` is given, that set of failed elements back (not written).
    The impact is recorded again when the elements still down change (and some remain)."""
    time = now()
    roots = tuple(sorted({*inc.failed, *failed}))
    back = set(inc.recovered) if recovered is None else set(inc.recovered) | set(recovered)
    back = (back - set(failed)) & set(roots)
    if all(r in back for r in roots):  # alerts of the group still fire: keep what was down
        back = (set(inc.recovered) - set(failed)) & set(roots)
    changes: dict[str, Any] = {
        "failed": roots,
        "firing": tuple(sorted((set(inc.firing) - set(resolved)) | set(firing))),
        "resolved": tuple(sorted((set(inc.resolved) | set(resolved)) - set(firing))),
        "recovered": tuple(sorted(back)),
    }
    down = [r for r in roots if r not in back]
    if down and set(down) != set(inc.down):
        changes.update(impact=record_impact(store, down), impact_at=time)
    return _next(inc, "extended", author, time, **changes)
