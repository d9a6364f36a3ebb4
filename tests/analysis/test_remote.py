"""The engines on the remote store (a real oxigraph server on 127.0.0.1) give the same answers
as on the embedded store."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from svckg.analysis.impact import impact
from svckg.analysis.queries import run_named
from svckg.analysis.trace import trace
from svckg.vocab import ONTOLOGY_GRAPH

pytestmark = pytest.mark.remote

MAIL_GRAPH = "https://w3id.org/svckg/graph/import/mail"


@pytest.fixture
def remote_mail(remote_store, mail):
    for graph in (str(ONTOLOGY_GRAPH), MAIL_GRAPH):
        remote_store.load(
            mail.export(ox.RdfFormat.N_TRIPLES, graph=graph), graph, format=ox.RdfFormat.N_TRIPLES
        )
    return remote_store


def test_impact_and_trace_match_the_embedded_store(remote_mail, mail):
    for failed in (["id:vm1"], ["id:db1"], ["id:db1", "id:db2"]):
        assert impact(remote_mail, failed).to_json() == impact(mail, failed).to_json()
    assert (
        trace(remote_mail, "id:mail-journey").to_json() == trace(mail, "id:mail-journey").to_json()
    )


def test_index_refreshes_after_a_new_graph_on_the_remote_store(remote_mail):
    before = {e.iri for e in impact(remote_mail, ["id:vm1"]).impacted}
    remote_mail.load(
        b"<https://w3id.org/svckg/id/x> <https://w3id.org/svckg#usesResource> "
        b"<https://w3id.org/svckg/id/vm1> .",
        "https://w3id.org/svckg/graph/import/x/v1",
        format=ox.RdfFormat.N_TRIPLES,
    )
    after = {e.iri for e in impact(remote_mail, ["id:vm1"]).impacted}
    assert after - before == {"https://w3id.org/svckg/id/x"}


def test_named_query_with_a_parameter_on_the_remote_store(remote_mail):
    variables, rows = run_named(remote_mail, "find-elements", {"text": 'mail") } #'})
    assert "element" in variables and rows == []
