"""W3C SPARQL 1.1 Protocol test suite against ``/sparql``.

Every ``mf:ProtocolTest`` of the manifest runs against a fresh app on an in-memory store:
its ``ut:graphData`` files are loaded into the named graphs the manifest names, its
requests are sent in order with ``/sparql/`` mapped onto ``/sparql`` and an editor token,
and each response is checked for status, result format and boolean value.
"""

from __future__ import annotations

import pyoxigraph as ox
from fastapi.testclient import TestClient

from svckg.api.app import create_app
from svckg.api.conneg import BOOLEAN_TYPES, RDF_TYPES, RESULTS_TYPES, media_type_of
from svckg.config import Settings
from svckg.store.embedded import EmbeddedStore

EDITOR = "protocol-editor-token"


def test_manifest_has_all_34_tests(w3c_protocol_tests: list) -> None:
    assert len(w3c_protocol_tests) == 34


def _check_format(expected: str, media: str, body: bytes) -> None:
    if expected == "boolean":
        assert media in BOOLEAN_TYPES, media
    elif expected == "tabular":
        assert media in RESULTS_TYPES, media
        if RESULTS_TYPES[media] != ox.QueryResultsFormat.CSV:
            ox.parse_query_results(body, format=RESULTS_TYPES[media])
    elif expected == "RDF":
        assert media in RDF_TYPES, media
        ox.parse(body, format=RDF_TYPES[media])
    else:
        raise AssertionError(f"unknown expected format {expected}")


def test_protocol(w3c_protocol_test, w3c_status_matches) -> None:  # noqa: ANN001
    store = EmbeddedStore(None)
    for data, graph in w3c_protocol_test.graph_data:
        store.load(data.read_bytes(), graph, format=ox.RdfFormat.N_TRIPLES)
    app = create_app(Settings(store=":memory:", tokens=f"{EDITOR}:editor"), store=store)
    with TestClient(app, base_url="http://www.example") as client:
        for req in w3c_protocol_test.requests:
            path = req.path.replace("/sparql/", "/sparql", 1)
            headers = {**req.headers, "authorization": f"Bearer {EDITOR}"}
            response = client.request(req.method, path, content=req.body, headers=headers)
            expected = req.expected
            assert any(w3c_status_matches(s, response.status_code) for s in expected.statuses), (
                f"{req.method} {path}: status {response.status_code}: {response.text[:300]}"
            )
            media, _ = media_type_of(response.headers.get("content-type"))
            if expected.format:
                _check_format(expected.format, media, response.content)
            if expected.boolean is not None:
                result = ox.parse_query_results(response.content, format=BOOLEAN_TYPES[media])
                assert isinstance(result, ox.QueryBoolean)
                assert bool(result) is expected.boolean
    store.close()
