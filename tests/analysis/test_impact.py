"""Impact engine on small hand-written graphs: status, redundancy, paths, cycles, parties."""

from __future__ import annotations

import json

import pytest

from svckg.analysis.impact import impact
from svckg.analysis.index import get_index
from svckg.errors import NotFound, QueryError

ID = "https://w3id.org/svckg/id/"
SVC = "https://w3id.org/svckg#"


def by_iri(result) -> dict:
    return {e.iri: e for e in result.impacted}


def assert_paths_are_chains(result, failed: set[str], index) -> None:
    """Every path starts at its element, is connected, ends at a failed element, is shortest,
    and each edge exists in the dependency index."""
    for element in result.impacted:
        assert element.paths, element.iri
        for path in element.paths:
            assert path[0][0] == element.iri
            assert path[-1][2] in failed
            assert len(path) == element.distance
            for left, right in zip(path, path[1:], strict=False):
                assert left[2] == right[0]
            for s, p, o in path:
                assert (p, o) in index.forward[s]


def test_resource_failure_reaches_every_layer_with_status_down(mail):
    result = impact(mail, ["id:vm1"])
    found = by_iri(result)
    expected = {
        "app-mail": 1,
        "bes-mail": 2,
        "cfs-mail": 3,
        "mail-offering": 4,
        "webmail": 4,
        "mail-sla": 5,
        "read-mail": 5,
        "mail-journey": 6,
    }
    assert {k.removeprefix(ID): v.distance for k, v in found.items()} == expected
    assert {e.status for e in result.impacted} == {"down"}
    assert [f.iri for f in result.failed] == [ID + "vm1"]
    assert_paths_are_chains(result, {ID + "vm1"}, get_index(mail))


def test_subproperty_of_a_subproperty_is_followed_and_kept_on_the_edge(mail):
    app = by_iri(impact(mail, ["id:vm1"]))[ID + "app-mail"]
    assert app.paths == [((ID + "app-mail", "https://example.org/ext#runsOn", ID + "vm1"),)]


def test_one_of_two_redundant_members_failed_is_degraded(mail):
    found = by_iri(impact(mail, ["id:db1"]))
    assert found[ID + "db-group"].status == "degraded"
    assert found[ID + "bes-mail"].status == "degraded"
    assert found[ID + "cfs-mail"].status == "degraded"
    assert found[ID + "mail-journey"].status == "degraded"
    assert ID + "db2" not in found
    assert found[ID + "bes-mail"].paths[0] == (
        (ID + "bes-mail", SVC + "dependsOnGroup", ID + "db-group"),
        (ID + "db-group", SVC + "member", ID + "db1"),
    )


def test_both_redundant_members_failed_is_down(mail):
    result = impact(mail, ["id:db1", "id:db2"])
    found = by_iri(result)
    assert found[ID + "db-group"].status == "down"
    assert found[ID + "cfs-mail"].status == "down"
    assert {e.status for e in result.impacted} == {"down"}
    assert_paths_are_chains(result, {ID + "db1", ID + "db2"}, get_index(mail))


def test_minimum_required_two_of_two_is_down_when_one_fails(make_store):
    store = make_store(
        (
            "https://w3id.org/svckg/graph/import/strict",
            "@prefix svc: <https://w3id.org/svckg#> . @prefix id: <https://w3id.org/svckg/id/> .\n"
            "id:cluster svc:member id:n1 , id:n2 ; svc:minimumRequired 2 .\n"
            "id:batch svc:dependsOnGroup id:cluster .\n",
        )
    )
    found = by_iri(impact(store, ["id:n1"]))
    assert found[ID + "cluster"].status == "down"
    assert found[ID + "batch"].status == "down"


def test_down_wins_over_degraded_when_both_reach_an_element(mail):
    found = by_iri(impact(mail, ["id:db1", "id:app-mail"]))
    assert found[ID + "db-group"].status == "degraded"
    assert found[ID + "bes-mail"].status == "down"
    assert found[ID + "bes-mail"].distance == 1


def test_multiple_failed_elements_each_element_once_at_its_shortest_distance(mail):
    result = impact(mail, ["id:vm1", "id:cfs-mail"])
    iris = [e.iri for e in result.impacted]
    assert len(iris) == len(set(iris))
    found = by_iri(result)
    assert ID + "cfs-mail" not in found  # failed elements are listed under failed
    assert found[ID + "mail-offering"].distance == 1
    assert found[ID + "bes-mail"].distance == 2
    assert [f.iri for f in result.failed] == [ID + "vm1", ID + "cfs-mail"]


def test_cycle_terminates_with_each_element_once(cycle_store):
    result = impact(cycle_store, ["id:a"])
    assert sorted((e.iri.removeprefix(ID), e.distance) for e in result.impacted) == [
        ("b", 2),
        ("c", 1),
        ("d", 1),
    ]
    assert_paths_are_chains(result, {ID + "a"}, get_index(cycle_store))


def test_several_shortest_paths_when_asked(cycle_store):
    # d reaches c directly (distance 1) ; b reaches a via c only. Failing a and c: d has two
    # shortest chains of length 1.
    d = by_iri(impact(cycle_store, ["id:a", "id:c"], max_paths=5))[ID + "d"]
    assert sorted(p[0][2] for p in d.paths) == [ID + "a", ID + "c"]
    d_one = by_iri(impact(cycle_store, ["id:a", "id:c"]))[ID + "d"]
    assert len(d_one.paths) == 1


def test_customer_visibility_from_band_and_touchpoint_subclass(mail):
    found = by_iri(impact(mail, ["id:vm1"]))
    assert found[ID + "cfs-mail"].customer_visible is True
    assert found[ID + "cfs-mail"].visible_to == (ID + "acme-rel",)
    assert found[ID + "webmail"].customer_visible is True  # ex:KioskTouchpoint
    assert found[ID + "bes-mail"].customer_visible is False
    assert found[ID + "app-mail"].customer_visible is False


def test_agreements_with_targets_and_parties_by_role(mail):
    result = impact(mail, ["id:app-mail"])
    [sla] = result.agreements
    assert sla.iri == ID + "mail-sla"
    assert sla.covers == (ID + "mail-offering",)
    assert [(t.metric, t.value, t.unit) for t in sla.targets] == [("availability", "99.5", "%")]
    parties = {(p.role_label, p.agent_label, p.context_label) for p in result.parties}
    # the relationship's consumer holds the service consumer role (issue 20: not "consumer",
    # which is the commercial name of the user role)
    assert parties == {("user", "Bob", "Mail offering"), ("service consumer", "Acme", "Mail SLA")}


def test_owners_to_call(mail):
    result = impact(mail, ["id:vm1"])
    owners = {c.label: sorted(e.removeprefix(ID) for e in c.elements) for c in result.owners}
    assert owners == {"Alice": ["cfs-mail"], "Operations team": ["app-mail", "bes-mail"]}


def test_element_nobody_depends_on_has_empty_impact(mail):
    result = impact(mail, ["id:mail-journey"])
    assert result.impacted == [] and result.agreements == [] and result.parties == []


def test_inferred_depends_on_copies_are_not_counted_twice(make_store):
    prefixes = (
        "@prefix svc: <https://w3id.org/svckg#> . @prefix id: <https://w3id.org/svckg/id/> .\n"
    )
    inferred = (
        prefixes + "id:app-mail svc:dependsOn id:vm1 . id:bes-mail svc:dependsOn id:app-mail ."
    )
    asserted = prefixes + "id:extra svc:dependsOn id:vm1 . id:app-mail svc:dependsOn id:vm1 ."
    store = make_store(
        ("https://w3id.org/svckg/graph/import/mail/inferred", inferred),
        ("https://w3id.org/svckg/graph/import/more", asserted),
    )
    found = by_iri(impact(store, ["id:vm1"], max_paths=5))
    # the sub-property explains app-mail -> vm1: one edge, with the asserted sub-property
    assert found[ID + "app-mail"].paths == [
        ((ID + "app-mail", "https://example.org/ext#runsOn", ID + "vm1"),)
    ]
    # a plain svc:dependsOn edge no sub-property explains is followed
    assert found[ID + "extra"].paths == [((ID + "extra", SVC + "dependsOn", ID + "vm1"),)]


def test_index_follows_writes_through_the_store(mail):
    assert ID + "new-service" not in by_iri(impact(mail, ["id:vm1"]))
    mail.update(
        "INSERT DATA { GRAPH <https://w3id.org/svckg/graph/import/x> { "
        "<https://w3id.org/svckg/id/new-service> <https://w3id.org/svckg#usesResource> "
        "<https://w3id.org/svckg/id/vm1> } }"
    )
    assert by_iri(impact(mail, ["id:vm1"]))[ID + "new-service"].distance == 1


def test_json_has_the_stable_field_names(mail):
    data = json.loads(json.dumps(impact(mail, ["id:db1"]).to_json()))
    assert set(data) >= {"failed", "impacted", "agreements", "parties"}
    element = data["impacted"][0]
    assert set(element) >= {
        "iri",
        "label",
        "types",
        "layer",
        "distance",
        "status",
        "customerVisible",
        "paths",
    }
    assert set(element["paths"][0][0]) == {"s", "p", "o"}
    assert set(data["parties"][0]) >= {
        "role",
        "roleLabel",
        "agent",
        "agentLabel",
        "context",
        "contextLabel",
    }
    layers = {e["iri"].removeprefix(ID): e["layer"] for e in data["impacted"]}
    assert layers["bes-mail"] == "https://w3id.org/svckg/concepts/backend-layer"
    assert layers["cfs-mail"] == "https://w3id.org/svckg/concepts/service-layer"


@pytest.mark.parametrize(
    ("given", "error", "words"),
    [
        ("id:no-such-thing", NotFound, "no such element"),
        ('"vm1"', QueryError, "literal"),
        ("42", QueryError, "literal"),
        ("nope:vm1", QueryError, "unknown prefix"),
        ("vm1", QueryError, "neither an IRI nor a CURIE"),
        ("<https://w3id.org/svckg/id/a b>", QueryError, "not a valid IRI"),
    ],
)
def test_bad_element_names(mail, given, error, words):
    with pytest.raises(error, match=words):
        impact(mail, [given])


def test_no_failed_element(mail):
    with pytest.raises(QueryError, match="no failed element"):
        impact(mail, [])


@pytest.mark.parametrize("max_paths", [1, 3])
def test_json_fast_path_equals_the_objects(cycle_store, mail, max_paths):
    for store, failed in ((mail, ["id:db1", "id:app-mail"]), (cycle_store, ["id:a", "id:c"])):
        fast = impact(store, failed, max_paths=max_paths).to_json()
        slow = impact(store, failed, max_paths=max_paths)
        assert slow.impacted  # materialize the objects: to_json then serializes them
        assert fast == slow.to_json()
        assert len(fast["impacted"]) == slow.count


def test_details_follow_a_refresh(mail):
    before = by_iri(impact(mail, ["id:vm1"]))[ID + "app-mail"]
    assert before.owners == (ID + "ops-team",)
    mail.load(
        b"<https://w3id.org/svckg/id/app-mail> <https://w3id.org/svckg#ownedBy> "
        b"<https://w3id.org/svckg/id/alice> .",
        "https://w3id.org/svckg/graph/import/owners/v1",
    )
    after = by_iri(impact(mail, ["id:vm1"]))[ID + "app-mail"]
    assert set(after.owners) == {ID + "ops-team", ID + "alice"}


def test_blank_node_redundancy_group(make_store):
    store = make_store(
        (
            "https://w3id.org/svckg/graph/import/blank",
            "@prefix svc: <https://w3id.org/svckg#> . @prefix id: <https://w3id.org/svckg/id/> .\n"
            "id:cache svc:dependsOnGroup [ svc:member id:n1 , id:n2 ; svc:minimumRequired 2 ] .\n",
        )
    )
    result = impact(store, ["id:n1"])
    [group] = [e for e in result.impacted if e.iri.startswith("_:")]
    assert group.status == "down"
    cache = by_iri(result)[ID + "cache"]
    assert cache.status == "down" and cache.paths[0][0][2] == group.iri
