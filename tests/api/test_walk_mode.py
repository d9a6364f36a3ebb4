"""Impact and trace over HTTP say which source answered (the ``X-Svckg-Walk-Mode`` header,
the GraphQL ``mode`` field) and ``/metrics`` counts answers by mode; the JSON stays the
CLI's document whichever source answered."""

from __future__ import annotations

import shutil
import time

from svckg.analysis.impact import impact
from svckg.analysis.index import build_index, cached_index, get_index, invalidate
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
    assert cached_index(mail) is None  # over the budget, the index is never built

    indexed = make_client(store=mail, impact_mode="index")
    for _ in range(100):  # the background build finishes quickly on this graph
        if indexed.get("/readyz").status_code == 200:
            break
        time.sleep(0.05)
    response = indexed.get("/api/impact", params={"element": "id:mail-server"})
    assert response.headers["x-svckg-walk-mode"] == "index"
    assert 'svckg_walks_total{mode="index",walk="impact"} 1.0' in indexed.get("/metrics").text


def test_while_the_index_warms_the_engine_answers(
    make_client,  # noqa: ANN001
    fresh_demo_store: EmbeddedStore,
) -> None:
    """A request never waits for (or fails on) an index being built: while no up-to-date
    index is at hand, impact and trace go to the engine, with the index's answer."""
    client = make_client(store=fresh_demo_store)
    for _ in range(200):  # let the background build end first
        if client.get("/readyz").status_code == 200:
            break
        time.sleep(0.05)
    invalidate(fresh_demo_store)  # as before the build ends: no index at hand
    response = client.get("/api/impact", params={"element": "id:mail-server"})
    assert response.status_code == 200
    assert response.headers["x-svckg-walk-mode"] == "engine"
    whole = IndexSource(build_index(fresh_demo_store))
    expected = impact(fresh_demo_store, ["id:mail-server"], source=whole)
    assert response.json() == expected.to_json()
    get_index(fresh_demo_store)  # the build is done
    traced = client.get("/api/trace", params={"element": "id:cloud-workplace"})
    assert traced.headers["x-svckg-walk-mode"] == "index"


def _ready_mode(client, want: str, tries: int = 200) -> str:  # noqa: ANN001
    for _ in range(tries):  # the start-up thread loads a snapshot in milliseconds
        mode = client.get("/readyz").json()["mode"]
        if mode == want:
            break
        time.sleep(0.05)
    return mode


def test_a_snapshot_serves_a_store_whose_build_would_not_fit(
    make_client,  # noqa: ANN001
    demo_store: EmbeddedStore,
    tmp_path,  # noqa: ANN001
) -> None:
    """Over the memory budget the server never builds the index, but a valid snapshot made
    earlier (by the CLI, or a server with a larger budget) is memory-mapped at start-up and
    answers; without one the engine answers."""
    path = tmp_path / "store"
    seed = EmbeddedStore(path)
    seed.engine.bulk_extend(demo_store.engine.quads_for_pattern(None, None, None, None))
    expected = impact(seed, ["id:mail-server"], source=IndexSource(build_index(seed))).to_json()
    get_index(seed)
    seed.close()  # a clean close writes the snapshot

    store = EmbeddedStore(path)
    client = make_client(store=store, index_memory_budget_mb=0)
    assert _ready_mode(client, "index") == "index"
    response = client.get("/api/impact", params={"element": "id:mail-server"})
    assert response.headers["x-svckg-walk-mode"] == "index"
    assert response.json() == expected
    client.__exit__(None, None, None)
    store.close()

    shutil.rmtree(path / "svckg-index")
    store = EmbeddedStore(path)
    client = make_client(store=store, index_memory_budget_mb=0)
    assert _ready_mode(client, "index", tries=20) == "engine"
    response = client.get("/api/impact", params={"element": "id:mail-server"})
    assert response.headers["x-svckg-walk-mode"] == "engine"
    assert response.json() == expected
    client.__exit__(None, None, None)
    store.close()
