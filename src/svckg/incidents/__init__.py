"""Incidents: what failed, when, what it did to whom (recorded impact), what was said, and
the per-customer status built from them.

- :mod:`svckg.incidents.model`: the incident record (its own named graph, PROV-O), opening,
  updating, extending and closing, all-or-nothing.
- :mod:`svckg.incidents.alertmanager`: Prometheus Alertmanager webhook notifications
  (payload version 4) mapped onto incidents.
- :mod:`svckg.incidents.status`: one customer's status (services and touchpoints,
  agreements at risk, timeline) in the customer's words.
"""
