"""W3C SPARQL 1.1 Graph Store HTTP Protocol test suite against ``/rdf-graphs``.

Every ``mf:GraphStoreProtocolTest`` of the direct and indirect manifests (listed entries and
the one defined but not listed, ``head_non_existing_direct``) runs against a fresh app on an
in-memory store, with ``/gsp`` mapped onto ``/rdf-graphs`` and an editor token. Responses
are checked for status, Content-Type and, where the manifest gives a body, graph isomorphism;
``$LOCATION$`` is replaced by the ``Location`` header of the response that names it.
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from rdflib import Graph
from rdflib.compare import isomorphic

from svckg.api.app import create_app
from svckg.api.conneg import media_type_of
from svckg.config import Settings
from svckg.store.embedded import EmbeddedStore

EDITOR = "gsp-editor-token"


def test_manifests_have_all_gsp_tests(w3c_gsp_tests: list) -> None:
    names = {t.iri.rsplit("#", 1)[-1] for t in w3c_gsp_tests}
    assert len(w3c_gsp_tests) == 14
    assert {"put_get_default", "post_get_new_graph", "head_non_existing_direct"} <= names


def test_graph_store(w3c_gsp_test, w3c_status_matches) -> None:  # noqa: ANN001
    store = EmbeddedStore(None)
    app = create_app(Settings(store=":memory:", tokens=f"{EDITOR}:editor"), store=store)
    variables: dict[str, str] = {}
    with TestClient(app, base_url="http://www.example") as client:
        for req in w3c_gsp_test.requests:
            path = req.path
            body = req.body
            for name, value in variables.items():
                path = path.replace(name, value)
                body = body.replace(name.encode(), value.encode()) if body else body
            path = "/rdf-graphs" + path.removeprefix("/gsp")
            headers = {**req.headers, "authorization": f"Bearer {EDITOR}"}
            response = client.request(req.method, path, content=body, headers=headers)
            expected = req.expected
            where = f"{req.method} {path}"
            assert any(w3c_status_matches(s, response.status_code) for s in expected.statuses), (
                f"{where}: status {response.status_code}: {response.text[:300]}"
            )
            if expected.location_var:
                variables[expected.location_var] = response.headers["location"]
            if "content-type" in expected.headers:
                want = media_type_of(expected.headers["content-type"])
                got = media_type_of(response.headers.get("content-type"))
                assert got[0] == want[0], where
                assert got[1].get("charset", "").lower() == want[1].get("charset", "").lower()
            if expected.body is not None:
                want_graph = Graph().parse(data=expected.body, format="turtle")
                got_graph = Graph().parse(data=response.text, format="turtle")
                assert isomorphic(want_graph, got_graph), (
                    f"{where}: graph differs:\n{response.text}"
                )
            if req.method == "HEAD":
                assert response.content == b""
    store.close()
