"""System graphs (issue 21): import graphs, the provenance graph and the vocabulary graphs
change only through the import pipeline; raw SPARQL Update and Graph Store writes touching
them answer 403 naming the graph and the route to use, and nothing changes."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from conftest import Server  # noqa: E402

NS = "https://w3id.org/svckg/graph/"
PROV = NS + "provenance"


def _imports(server: Server) -> list[dict]:
    return httpx.get(f"{server.base}/api/imports", timeout=30).json()


def _count(server: Server, graph: str) -> int:
    r = httpx.get(
        f"{server.base}/sparql",
        params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"},
        headers={"accept": "application/sparql-results+json"},
        timeout=30,
    )
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def _update(server: Server, text: str) -> httpx.Response:
    return httpx.post(
        f"{server.base}/sparql",
        content=text.encode(),
        headers={"content-type": "application/sparql-update", **server.auth("editor")},
        timeout=60,
    )


@pytest.fixture(scope="module")
def import_graph(capped_server: Server) -> str:
    records = _imports(capped_server)
    assert records, "the demo has imports"
    return records[0]["graph"]


UPDATES = [
    "DROP ALL",
    "CLEAR ALL",
    "DROP SILENT NAMED",
    f"DROP GRAPH <{PROV}>",
    "DROP GRAPH <{import_graph}>",
    "INSERT DATA {{ GRAPH <{import_graph}> {{ <urn:a> <urn:b> <urn:c> }} }}",
    f"PREFIX g: <{NS}>\nDELETE WHERE {{ GRAPH g:ontology {{ ?s ?p ?o }} }}",
    "DELETE WHERE { GRAPH ?g { ?s ?p ?o } }",
    f"WITH <{NS}concepts> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
    f"MOVE <urn:x:mine> TO <{PROV}>",
    f"BASE <{NS}>\nINSERT DATA {{ GRAPH <provenance> {{ <urn:a> <urn:b> <urn:c> }} }}",
    "INSERT DATA { GRAPH <\\u0068ttps://w3id.org/svckg/graph/provenance> { <urn:a> <urn:b> 1 } }",
]


@pytest.mark.parametrize("template", UPDATES)
def test_updates_touching_system_graphs_are_refused(
    capped_server: Server, import_graph: str, template: str
) -> None:
    before = (_count(capped_server, import_graph), _count(capped_server, PROV))
    text = template
    if "{import_graph}" in template:
        text = template.replace("{import_graph}", import_graph)
        text = text.replace("{{", "{").replace("}}", "}")
    r = _update(capped_server, text)
    assert r.status_code == 403, r.text[:300]
    body = r.json()
    assert "/api/imports" in body["hint"]
    after = (_count(capped_server, import_graph), _count(capped_server, PROV))
    assert after == before


def test_own_graphs_stay_writable(capped_server: Server) -> None:
    r = _update(capped_server, "INSERT DATA { GRAPH <urn:x:mine> { <urn:a> <urn:b> 'c' } }")
    assert r.status_code == 204
    assert _count(capped_server, "urn:x:mine") == 1
    assert _update(capped_server, "DROP GRAPH <urn:x:mine>").status_code == 204


def test_graph_store_cannot_delete_or_write_import_graphs(
    capped_server: Server, import_graph: str
) -> None:
    before = _count(capped_server, import_graph)
    auth = capped_server.auth("editor")
    deleted = httpx.delete(
        f"{capped_server.base}/rdf-graphs", params={"graph": import_graph}, headers=auth
    )
    assert deleted.status_code == 403
    assert import_graph in deleted.json()["message"]
    assert "DELETE /api/imports/{id}" in deleted.json()["hint"]
    for graph in (import_graph, PROV, NS + "ontology"):
        put = httpx.put(
            f"{capped_server.base}/rdf-graphs",
            params={"graph": graph},
            content=b"<urn:a> <urn:b> <urn:c> .",
            headers={**auth, "content-type": "application/n-triples"},
        )
        assert put.status_code == 403, put.text[:300]
    assert _count(capped_server, import_graph) == before
    # re-importing is still the way, and the records still match the data
    assert all(rec["graph"] for rec in _imports(capped_server))
