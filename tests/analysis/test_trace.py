"""Trace engine on small hand-written graphs: layers in order, owners, chains, cycles."""

from __future__ import annotations

import pytest

from svckg.analysis.trace import trace
from svckg.errors import NotFound, QueryError

ID = "https://w3id.org/svckg/id/"
SVCC = "https://w3id.org/svckg/concepts/"


def test_trace_groups_elements_by_layer_in_layer_order(mail):
    result = trace(mail, "id:cfs-mail")
    assert [(g.label, g.order) for g in result.layers] == [
        ("Backend layer", 2),
        ("Resource layer", 4),
    ]
    names = {g.label: sorted(e.iri.removeprefix(ID) for e in g.elements) for g in result.layers}
    assert names == {
        "Backend layer": ["bes-mail"],
        "Resource layer": ["app-mail", "db-group", "db1", "db2", "vm1"],
    }
    assert result.layers[1].layer == SVCC + "resource-layer"


def test_trace_chains_start_at_the_root_and_reach_the_element(mail):
    result = trace(mail, "id:cfs-mail")
    for element in result.elements:
        assert element.path[0][0] == ID + "cfs-mail"
        assert element.path[-1][2] == element.iri
        assert len(element.path) == element.distance
        for left, right in zip(element.path, element.path[1:], strict=False):
            assert left[2] == right[0]
    db2 = next(e for e in result.elements if e.iri == ID + "db2")
    assert [p.rsplit("#", 1)[1] for _, p, _ in db2.path] == [
        "includesService",
        "dependsOnGroup",
        "member",
    ]


def test_trace_owners_and_who_to_call(mail):
    result = trace(mail, "id:cfs-mail")
    assert [o.label for o in result.root_owners] == ["Alice"]
    bes = next(e for e in result.elements if e.iri == ID + "bes-mail")
    assert [o.label for o in bes.owners] == ["Operations team"]
    calls = {c.label: sorted(x.removeprefix(ID) for x in c.elements) for c in result.owners}
    assert calls == {"Alice": ["cfs-mail"], "Operations team": ["app-mail", "bes-mail"]}


def test_trace_from_journey_crosses_all_layers(mail):
    result = trace(mail, "id:mail-journey")
    assert [g.order for g in result.layers] == [0, 1, 2, 4]
    json_layers = result.to_json()["layers"]
    assert json_layers[0]["elements"][0]["iri"] == ID + "read-mail"
    assert result.to_json()["root"]["iri"] == ID + "mail-journey"


def test_trace_through_a_cycle_lists_each_element_once(cycle_store):
    result = trace(cycle_store, "id:d")
    assert sorted(e.iri.removeprefix(ID) for e in result.elements) == ["a", "b", "c"]
    assert [g.label for g in result.layers] == ["no layer"]


def test_trace_of_a_leaf_is_empty(mail):
    result = trace(mail, "id:vm1")
    assert result.layers == [] and result.owners == []


@pytest.mark.parametrize(
    ("given", "error"),
    [
        ("id:missing", NotFound),
        ("'x'", QueryError),
        ("https://w3id.org/svckg/id/missing", NotFound),
    ],
)
def test_trace_bad_roots(mail, given, error):
    with pytest.raises(error):
        trace(mail, given)
