"""Random sequences of Alertmanager notifications for one group: whatever the order, the
incident records stay consistent (one open incident per group, closed exactly when nothing
fires, the recorded impact is the engine's answer for what is still down)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svckg.analysis.impact import impact
from svckg.incidents import alertmanager, model
from svckg.store.embedded import EmbeddedStore

ID = "https://w3id.org/svckg/id/"
ELEMENTS = {
    "f0": "id:cloud-workplace",
    "f1": "id:self-service-portal",
    "f2": "AGR-2026-01",
    "f3": "id:tms-application",
    "f4": "id:not-in-the-store",
}
"""Fingerprint -> the element its alert names (an alert's labels fix its fingerprint)."""
KEY = '{}:{alertname="Probe"}'

notifications = st.lists(
    st.dictionaries(
        st.sampled_from(sorted(ELEMENTS)), st.sampled_from(["firing", "resolved"]), min_size=1
    ),
    min_size=1,
    max_size=6,
)


def _payload(alerts: dict[str, str], step: int) -> dict[str, Any]:
    return {
        "version": "4",
        "groupKey": KEY,
        "truncatedAlerts": 0,
        "status": "firing" if "firing" in alerts.values() else "resolved",
        "receiver": "svckg",
        "groupLabels": {"alertname": "Probe"},
        "commonLabels": {"alertname": "Probe"},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager.example.org:9093",
        "alerts": [
            {
                "status": status,
                "labels": {"alertname": "Probe", "svckg_element": ELEMENTS[fp]},
                "annotations": {},
                "startsAt": f"2026-12-06T10:0{step}:00Z",
                "endsAt": "0001-01-01T00:00:00Z"
                if status == "firing"
                else f"2026-12-06T11:0{step}:00Z",
                "generatorURL": "http://prometheus.example.org:9090/graph",
                "fingerprint": fp,
            }
            for fp, status in sorted(alerts.items())
        ],
    }


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(sequence=notifications)
def test_records_stay_consistent(demo_store, sequence) -> None:  # noqa: ANN001
    store = EmbeddedStore(None)
    store.engine.bulk_extend(demo_store.engine.quads_for_pattern(None, None, None, None))
    try:
        for step, alerts in enumerate(sequence):
            before = model.open_for_group(store, KEY)
            out = alertmanager.receive(store, _payload(alerts, step))
            mapped_firing = {fp for fp, s in alerts.items() if s == "firing" and fp != "f4"}
            assert [u["fingerprint"] for u in out["unknown"]] == (["f4"] if "f4" in alerts else [])
            incidents = model.list_incidents(store)
            open_ones = [i for i in incidents if i.is_open]
            assert len(open_ones) <= 1
            if mapped_firing:
                assert len(open_ones) == 1 and set(open_ones[0].firing) >= mapped_firing
            if out["action"] == "unchanged":
                assert before is not None and open_ones[0].version == before.version
            if out["action"] == "closed":
                assert not open_ones and not mapped_firing
            for inc in incidents:
                assert set(inc.recovered) <= set(inc.failed)
                assert model.time_key(inc.end or inc.start) >= model.time_key(inc.start)
            for inc in open_ones:
                assert inc.firing  # an open Alertmanager incident has something firing
                assert inc.impact == impact(store, sorted(inc.down)).to_json()
                still = {model.resolve_one(store, ELEMENTS[fp]) for fp in mapped_firing}
                assert not set(inc.recovered) & still
    finally:
        store.close()
