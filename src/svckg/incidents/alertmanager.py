"""Prometheus Alertmanager webhook notifications (payload ``"version": "4"``) onto incidents.

Alertmanager POSTs the state of one alert *group* per notification: ``groupKey`` names the
group, ``alerts`` holds its alerts, each ``firing`` or ``resolved`` with a ``fingerprint``,
its ``labels`` and ``startsAt``/``endsAt``. The mapping:

- **one incident per groupKey**: the group is what the operator's routing (``group_by``)
  declared to be one problem, and the resolved notification of a group carries the same
  key; fingerprints are kept inside the incident to know which of its alerts still fire.
  A groupKey opens a new incident when it has none open.
- an alert names its element through the label :attr:`svckg.config.Settings.alert_element_label`
  (default ``svckg_element``) holding an element IRI, CURIE or ``svc:identifier``;
- firing alerts open the group's incident or extend it (new elements are added and the impact
  recorded again; a repeat of the same state writes nothing);
- resolved alerts leave the firing set, and an element with a resolved alert and no firing one
  in the notification is *recovered* (no longer down; impact recorded again for the rest);
  when none of the incident's alerts fire any more, the incident closes at the latest
  ``endsAt``;
- alerts without the label, or naming elements not in the store, are listed in the answer
  (``unmapped``, ``unknown``), never dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from svckg.errors import InputError
from svckg.incidents import model
from svckg.store.base import Store

PAYLOAD_HINT = "send Alertmanager's webhook payload (version 4)"
ZERO_TIME = "0001-01-01T00:00:00Z"
"""Go's zero time: Alertmanager's ``endsAt`` of an alert still firing."""


@dataclass
class Alert:
    """One alert of a notification, as needed here."""

    status: str
    fingerprint: str
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: str | None
    ends_at: str | None


@dataclass
class Notification:
    """A checked webhook payload."""

    receiver: str
    status: str
    group_key: str
    alerts: list[Alert]
    common_labels: dict[str, str] = field(default_factory=dict)
    common_annotations: dict[str, str] = field(default_factory=dict)
    group_labels: dict[str, str] = field(default_factory=dict)
    truncated: int = 0


def _strings(value: object, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise InputError(
            f"{where} must be an object of string values",
            where=where,
            hint="send labels as strings",
        )
    return value


def _status(value: object, where: str) -> str:
    if value not in ("firing", "resolved"):
        raise InputError(
            f"{where} must be 'firing' or 'resolved', not {value!r}",
            where=where,
            hint="send Alertmanager's webhook payload (version 4)",
        )
    return str(value)


def _time(value: object, where: str) -> str | None:
    if value in (None, "", ZERO_TIME):
        return None
    parsed = model.parse_time(value, where)
    return None if parsed.startswith("0001-") else parsed


def _alert(raw: object, i: int) -> Alert:
    where = f"alerts[{i}]"
    if not isinstance(raw, dict):
        raise InputError(f"{where} must be an object", where=where, hint=PAYLOAD_HINT)
    fingerprint = raw.get("fingerprint")
    if not isinstance(fingerprint, str) or not fingerprint:
        raise InputError(
            f"{where}.fingerprint is missing",
            where=f"{where}.fingerprint",
            hint="Alertmanager sends one per alert (version 4 payloads)",
        )
    return Alert(
        status=_status(raw.get("status"), f"{where}.status"),
        fingerprint=fingerprint,
        labels=_strings(raw.get("labels"), f"{where}.labels"),
        annotations=_strings(raw.get("annotations"), f"{where}.annotations"),
        starts_at=_time(raw.get("startsAt"), f"{where}.startsAt"),
        ends_at=_time(raw.get("endsAt"), f"{where}.endsAt"),
    )


def parse(payload: object) -> Notification:
    """Check a webhook body (already JSON-decoded); InputError naming the field otherwise."""
    if not isinstance(payload, dict):
        raise InputError("the body must be a JSON object", hint=PAYLOAD_HINT)
    if payload.get("version") != "4":
        raise InputError(
            f'version must be "4", not {payload.get("version")!r}',
            where="version",
            hint="svckg reads Alertmanager's webhook payload version 4",
        )
    group_key = payload.get("groupKey")
    if not isinstance(group_key, str) or not group_key:
        raise InputError("groupKey is missing", where="groupKey", hint=PAYLOAD_HINT)
    alerts = payload.get("alerts")
    if not isinstance(alerts, list):
        raise InputError("alerts must be a list", where="alerts", hint=PAYLOAD_HINT)
    receiver = payload.get("receiver")
    truncated = payload.get("truncatedAlerts", 0)
    return Notification(
        receiver=receiver if isinstance(receiver, str) else "",
        status=_status(payload.get("status"), "status"),
        group_key=group_key,
        alerts=[_alert(a, i) for i, a in enumerate(alerts)],
        common_labels=_strings(payload.get("commonLabels"), "commonLabels"),
        common_annotations=_strings(payload.get("commonAnnotations"), "commonAnnotations"),
        group_labels=_strings(payload.get("groupLabels"), "groupLabels"),
        truncated=truncated if isinstance(truncated, int) else 0,
    )


@dataclass
class _Mapped:
    """The alerts of a notification sorted out: what fires on which element, what resolved,
    and what could not be mapped."""

    firing: dict[str, str] = field(default_factory=dict)
    """fingerprint -> element IRI"""
    resolved: dict[str, str | None] = field(default_factory=dict)
    unmapped: list[dict[str, Any]] = field(default_factory=list)
    unknown: list[dict[str, Any]] = field(default_factory=list)


def _describe(alert: Alert) -> dict[str, Any]:
    return {
        "fingerprint": alert.fingerprint,
        "alertname": alert.labels.get("alertname"),
        "status": alert.status,
    }


def _map(store: Store, note: Notification, label: str) -> _Mapped:
    out = _Mapped()
    for alert in note.alerts:
        ref = alert.labels.get(label)
        if ref is None:
            out.unmapped.append(_describe(alert))
            if alert.status == "resolved":
                out.resolved[alert.fingerprint] = None
            continue
        element = model.resolve_one(store, ref)
        if element is None:
            out.unknown.append(_describe(alert) | {"element": ref})
            if alert.status == "resolved":
                out.resolved[alert.fingerprint] = None
        elif alert.status == "firing":
            out.firing[alert.fingerprint] = element
        else:
            out.resolved[alert.fingerprint] = element
    return out


def _title(note: Notification, alerts: list[Alert]) -> str:
    summary = note.common_annotations.get("summary")
    name = note.common_labels.get("alertname") or note.group_labels.get("alertname")
    if summary:
        return summary[: model.MAX_TITLE]
    if name:
        return f"Alert {name}"[: model.MAX_TITLE]
    names = sorted({a.labels.get("alertname", "?") for a in alerts})
    return ("Alerts " + ", ".join(names))[: model.MAX_TITLE]


def _note_text(note: Notification, mapped: _Mapped, by_fp: dict[str, Alert]) -> str:
    lines = [f"Alertmanager ({note.receiver or 'webhook'}): {note.status}"]
    for fp, element in sorted(mapped.firing.items()):
        alert = by_fp[fp]
        what = alert.annotations.get("summary") or alert.labels.get("alertname", fp)
        lines.append(f"firing: {what} on {element}")
    for fp in sorted(mapped.resolved):
        alert = by_fp[fp]
        lines.append(
            f"resolved: {alert.annotations.get('summary') or alert.labels.get('alertname', fp)}"
        )
    return "\n".join(lines)[: model.MAX_TEXT]


def receive(store: Store, payload: object, *, label: str = "svckg_element") -> dict[str, Any]:
    """Apply one webhook notification; returns what was done (the incident id, the action:
    ``opened``, ``extended``, ``closed``, ``unchanged`` or ``ignored``) with the alerts that
    could not be mapped. Callers serialize writes."""
    note = parse(payload)
    mapped = _map(store, note, label)
    by_fp = {a.fingerprint: a for a in note.alerts}
    agent = f"alertmanager/{note.receiver}" if note.receiver else "alertmanager"
    current = model.open_for_group(store, note.group_key)
    action, incident = "ignored", None
    if current is None and mapped.firing:
        firing = [by_fp[fp] for fp in mapped.firing]
        starts = [a.starts_at for a in firing if a.starts_at]
        incident = model.open_incident(
            store,
            title=_title(note, firing),
            failed=tuple(dict.fromkeys(mapped.firing.values())),
            author=agent,
            start=min(starts, key=model.time_key) if starts else None,
            updates=[(_note_text(note, mapped, by_fp), False, agent)],
            group_key=note.group_key,
            firing=mapped.firing,
            action="opened by Alertmanager",
        )
        action = "opened"
    elif current is not None:
        action, incident = _apply(store, current, note, mapped, by_fp, agent)
    return {
        "incident": incident.id if incident is not None else None,
        "action": action,
        "groupKey": note.group_key,
        "firing": sorted(mapped.firing),
        "resolved": sorted(mapped.resolved),
        "unmapped": mapped.unmapped,
        "unknown": mapped.unknown,
        "truncatedAlerts": note.truncated,
        "elementLabel": label,
    }


def _apply(
    store: Store,
    current: model.Incident,
    note: Notification,
    mapped: _Mapped,
    by_fp: dict[str, Alert],
    agent: str,
) -> tuple[str, model.Incident]:
    """Extend (or close) the group's open incident; nothing is written when nothing changed."""
    # an element is back when an alert on it resolved and no alert of the notification (it
    # carries every firing alert of the group, unless max_alerts cut it) still fires on it
    still = set(mapped.firing.values())
    ended = {e for e in mapped.resolved.values() if e is not None}
    recovered = None if note.truncated else sorted(ended - still)
    new = model.extended(
        store,
        current,
        author=agent,
        failed=mapped.firing.values(),
        firing=mapped.firing,
        resolved=[fp for fp in mapped.resolved if fp in current.firing],
        recovered=recovered,
    )
    if not new.firing:
        ends = [a.ends_at for a in note.alerts if a.status == "resolved" and a.ends_at]
        end = max(ends, key=model.time_key) if ends else None
        if end is not None and model.time_key(end) < model.time_key(current.start):
            end = None
        text = _note_text(note, mapped, by_fp)
        return "closed", model.revise(store, current, model.closed(new, agent, end, text))
    unchanged = (new.failed, new.firing, new.resolved, new.recovered) == (
        current.failed,
        current.firing,
        current.resolved,
        current.recovered,
    )
    if unchanged:
        return "unchanged", current
    return "extended", model.revise(store, current, new)
