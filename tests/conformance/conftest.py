"""Readers for the W3C HTTP test manifests (SPARQL 1.1 Protocol and Graph Store Protocol).

Tests that ask for the ``w3c_protocol_test`` or ``w3c_gsp_test`` argument are parametrized
with every entry of the corresponding W3C manifest (outside material, ``SVCKG_FIXTURES``; read
with rdflib, ``mf:include`` followed) and of the project's own manifest in ``data/`` (cases
written here in the same vocabulary, so a clone without the outside material still runs both
protocols through the same runner).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from tests.conftest import FIXTURES_REASON, fixture_path, have_fixtures, skip_unless_fixtures

FIXTURES = fixture_path("w3c-sparql11")
PROTOCOL_MANIFEST = FIXTURES / "protocol" / "manifest.ttl"
GSP_MANIFEST = FIXTURES / "graph-store-protocol" / "manifest.ttl"
OWN = Path(__file__).parent / "data"
OWN_PROTOCOL_MANIFEST = OWN / "protocol-manifest.ttl"
OWN_GSP_MANIFEST = OWN / "gsp-manifest.ttl"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")

STATUS_NAMES = {"OK": 200, "Created": 201, "NoContent": 204, "NotFound": 404}
"""The named hts: codes the manifests use (the vocabulary names codes, not numbers)."""


def status_matches(expected: URIRef, status: int) -> bool:
    """Does ``status`` satisfy one ``mf:expectedStatus`` value?"""
    name = str(expected).removeprefix(str(HTS))
    if name.startswith("StatusCode") and name.endswith("xx"):
        return status // 100 == int(name[len("StatusCode")])
    if name not in STATUS_NAMES:
        raise ValueError(f"the runner does not know the status {expected}")
    return status == STATUS_NAMES[name]


@dataclass
class Expected:
    statuses: list[URIRef]
    format: str | None = None
    boolean: bool | None = None
    location_var: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None


@dataclass
class HttpRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    expected: Expected


@dataclass
class HttpTest:
    name: str
    iri: str
    requires: list[str]
    graph_data: list[tuple[Path, str]]
    """(data file, graph IRI) loaded before the requests run."""
    requests: list[HttpRequest]


def _headers(g: Graph, node: Node | None) -> dict[str, str]:
    if node is None:
        return {}
    return {
        str(g.value(h, HT.fieldName)).lower(): str(g.value(h, HT.fieldValue))
        for h in Collection(g, node)
    }


def _body(g: Graph, node: Node | None) -> tuple[str | None, str]:
    if node is None:
        return None, "UTF-8"
    return str(g.value(node, CNT.chars)), str(g.value(node, CNT.characterEncoding) or "UTF-8")


def _request(g: Graph, node: Node) -> HttpRequest:
    text, encoding = _body(g, g.value(node, HT.body))
    resp = g.value(node, HT.resp)
    boolean = g.value(resp, MF.expectedBoolean)
    location = g.value(resp, MF.expectedLocation)
    fmt = g.value(resp, MF.expectedFormat)
    expected = Expected(
        statuses=sorted(g.objects(resp, MF.expectedStatus)),
        format=str(fmt) if fmt is not None else None,
        boolean=boolean.toPython() if boolean is not None else None,
        location_var=str(location) if location is not None else None,
        headers=_headers(g, g.value(resp, HT.headers)),
        body=_body(g, g.value(resp, HT.body))[0],
    )
    return HttpRequest(
        method=str(g.value(node, HT.methodName)),
        path=str(g.value(node, HT.absolutePath)),
        headers=_headers(g, g.value(node, HT.headers)),
        body=text.encode(encoding.lower()) if text is not None else None,
        expected=expected,
    )


def read_manifest(path: Path) -> list[HttpTest]:
    """Every test of ``path`` (and of the manifests it includes), in manifest order."""
    g = Graph().parse(path, format="turtle", publicID=path.as_uri())
    manifest = URIRef(path.as_uri())
    tests: list[HttpTest] = []
    for included in g.objects(manifest, MF.include):
        for item in Collection(g, included):
            tests += read_manifest(Path(str(item).removeprefix("file://")))
    listed = [t for entries in g.objects(manifest, MF.entries) for t in Collection(g, entries)]
    unlisted = sorted(
        t
        for kind in (MF.ProtocolTest, MF.GraphStoreProtocolTest)
        for t in g.subjects(RDF.type, kind)
        if t not in listed
    )
    for test in listed + unlisted:
        if True:
            action = g.value(test, MF.action)
            data = [
                (
                    Path(str(g.value(d, UT.graph)).removeprefix("file://")),
                    str(g.value(d, RDFS.label)),
                )
                for d in g.objects(test, UT.graphData)
            ]
            requests = [_request(g, r) for r in Collection(g, g.value(action, HT.requests))]
            tests.append(
                HttpTest(
                    name=str(g.value(test, MF.name)),
                    iri=str(test),
                    requires=[str(r).removeprefix(str(MF)) for r in g.objects(test, MF.requires)],
                    graph_data=data,
                    requests=requests,
                )
            )
    return tests


def _params(manifest: Path, own: Path) -> list:
    """The W3C entries (or one skipped placeholder without the outside material), then ours."""
    outside = (
        [pytest.param(t, id=t.iri.rsplit("#", 1)[-1]) for t in read_manifest(manifest)]
        if have_fixtures()
        else [pytest.param(None, id="w3c", marks=pytest.mark.skip(reason=FIXTURES_REASON))]
    )
    return outside + [
        pytest.param(t, id="own-" + t.iri.rsplit("#", 1)[-1]) for t in read_manifest(own)
    ]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    for argument, manifest, own in (
        ("w3c_protocol_test", PROTOCOL_MANIFEST, OWN_PROTOCOL_MANIFEST),
        ("w3c_gsp_test", GSP_MANIFEST, OWN_GSP_MANIFEST),
    ):
        if argument in metafunc.fixturenames:
            metafunc.parametrize(argument, _params(manifest, own))


@pytest.fixture
def w3c_status_matches():  # noqa: ANN201
    """The status checker: ``w3c_status_matches(hts_iri, status) -> bool``."""
    return status_matches


@pytest.fixture(scope="session")
def w3c_protocol_tests() -> list[HttpTest]:
    """Every test of the SPARQL 1.1 Protocol manifest."""
    skip_unless_fixtures()
    return read_manifest(PROTOCOL_MANIFEST)


@pytest.fixture(scope="session")
def w3c_gsp_tests() -> list[HttpTest]:
    """Every test of the Graph Store Protocol manifests."""
    skip_unless_fixtures()
    return read_manifest(GSP_MANIFEST)
