"""Impact and trace over HTTP say which source answered (the ``X-Svckg-Walk-Mode`` header,
the GraphQL ``mode`` field) and ``/metrics`` counts answers by mode; the JSON stays the
CLI's document whichever source answered."""

from __future__ import annotations

import time

from svckg.analysis.impact import impact
from svckg.analysis.index import build_index
from svckg.analysis.pushdown import IndexSource
from svckg.store.embedded import EmbeddedStore


def test_the_api_says_which_mode_answered(
    make_client,  # noqa: ANN001
    fresh_demo_store: EmbeddedStore,
) -> None:
    mail = fresh_demo_store  # loaded through the pipeline (the app keeps recorded imports only)
    engine = make_client(store=mail, index_memory_budget_mb=0)
    response = engine.get("/api/impact", params={"element": "id:mail-server"})
    assert response.status_code == 200, response.text
    assert response.headers["x-svckg-walk-mode"] == "engine"
    expected = impact(mail, ["id:mail-server"], source=IndexSource(build_index(mail)))
    assert response.json() == expected.to_json()
    traced = engine.get("/api/trace", params={"element": "id:cloud-workplace"})
    assert traced.headers["x-svckg-walk-mode"] == "engine"
    query = '{ impact(failed: ["id:mail-server"]) { mode impacted { iri } } }'
    answer = engine.post("/graphql", json={"query": query}).json()
    assert answer["data"]["impact"]["mode"] == "engine", answer
    metrics = engine.get("/metrics").text
    assert 'svckg_walks_total{mode="engine",walk="impact"} 2.0' in metrics
    assert 'svckg_walks_total{mode="engine",walk="trace"} 1.0' in metrics
    assert engine.get("/readyz").status_code == 200  # nothing to build: ready at once

    indexed = make_client(store=mail, impact_mode="index")
    for _ in range(100):  # the background build finishes quickly on this graph
        if indexed.get("/readyz").status_code == 200:
            break
        time.sleep(0.05)
    response = indexed.get("/api/impact", params={"element": "id:mail-server"})
    assert response.headers["x-svckg-walk-mode"] == "index"
    assert 'svckg_walks_total{mode="index",walk="impact"} 1.0' in indexed.get("/metrics").text
