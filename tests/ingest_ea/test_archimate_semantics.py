"""The mapping follows ArchiMate's semantics (ontology/alignments.ttl), rule by rule:
a service realised by behaviour is built from it; junctions pass relationships through;
goals and plans never get a status in impact; a business actor is a party."""

from __future__ import annotations

import json
from xml.sax.saxutils import escape

import pytest
from typer.testing import CliRunner

from svckg.analysis.impact import impact
from svckg.cli.app import app
from svckg.config import load_settings
from svckg.ingest import pipeline
from svckg.ingest.base import SourceFile
from svckg.ingest.mapping import load_alignment
from svckg.store.system import ensure_system_graphs

NS3 = "http://www.opengroup.org/xsd/archimate/3.0/"
BASE = "https://w3id.org/svckg/id/m/"
SVC = "https://w3id.org/svckg#"
STRICT = load_settings(shapes_profile="strict")


def model(elements: dict[str, str], relationships: list[tuple[str, str, str]]) -> bytes:
    """A 3.x exchange file: ``elements`` id -> type (the id is also the name),
    ``relationships`` (type, source, target)."""
    els = "".join(
        f'<element identifier="{i}" xsi:type="{t}"><name>{escape(i)}</name></element>'
        for i, t in elements.items()
    )
    rels = "".join(
        f'<relationship identifier="r{n}" xsi:type="{t}" source="{s}" target="{o}"/>'
        for n, (t, s, o) in enumerate(relationships)
    )
    return (
        f'<model xmlns="{NS3}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'identifier="m"><name>m</name><elements>{els}</elements>'
        f"<relationships>{rels}</relationships></model>"
    ).encode()


def _import(store, data: bytes, **options):  # noqa: ANN001, ANN003, ANN202
    ensure_system_graphs(store)
    return pipeline.import_sources(store, [SourceFile("m.xml", data)], **options)


def _depends(store, a: str, b: str) -> bool:  # noqa: ANN001
    return store.query(f"ASK {{ <{BASE}{a}> <{SVC}dependsOn> <{BASE}{b}> }}")


REALISERS = [
    "BusinessProcess",
    "BusinessFunction",
    "BusinessInteraction",
    "ApplicationProcess",
    "ApplicationFunction",
    "ApplicationInteraction",
    "ApplicationComponent",
    "ApplicationService",
    "TechnologyProcess",
    "TechnologyFunction",
    "TechnologyInteraction",
    "TechnologyService",
]


@pytest.mark.parametrize("realiser", REALISERS)
def test_a_service_realised_by_behaviour_is_built_from_it(realiser, memory_store) -> None:
    data = model(
        {"svc": "BusinessService", "role": "BusinessRole", "x": realiser},
        [("Serving", "svc", "role"), ("Realization", "x", "svc")],
    )
    outcome = _import(memory_store, data, settings=STRICT, allow_violations=True)
    assert _depends(memory_store, "svc", "x")
    assert memory_store.query(f"ASK {{ <{BASE}svc> a <{SVC}CustomerFacingService> }}")
    composition = [
        r
        for r in outcome.report.results
        if r.source_shape.endswith("CustomerFacingService-composition")
    ]
    assert composition == [], composition


def test_a_service_realised_by_nothing_is_still_reported(memory_store) -> None:
    data = model({"svc": "BusinessService", "role": "BusinessRole"}, [("Serving", "svc", "role")])
    outcome = _import(memory_store, data, settings=STRICT, allow_violations=True)
    shapes = [r.source_shape.rpartition("#")[2] for r in outcome.report.violations]
    assert shapes.count("CustomerFacingService-composition") == 1


JUNCTION_MODEL = model(
    {
        "a": "ApplicationService",
        "c": "ApplicationService",
        "j": "OrJunction",
        "k": "AndJunction",
        "b": "BusinessProcess",
        "d": "BusinessProcess",
        "e": "BusinessProcess",
    },
    [
        ("Serving", "a", "j"),
        ("Serving", "c", "j"),
        ("Serving", "j", "b"),
        ("Serving", "j", "k"),
        ("Serving", "k", "d"),
        ("Serving", "k", "e"),
    ],
)


def test_junctions_pass_relationships_through_every_path(memory_store) -> None:
    _import(memory_store, JUNCTION_MODEL)
    for served in "bde":
        for server in "ac":
            assert _depends(memory_store, served, server), (served, server)
    rows = memory_store.query(
        f"SELECT ?s ?o WHERE {{ ?s <{SVC}dependsOn> ?o "
        f"FILTER(?s IN (<{BASE}j>, <{BASE}k>) || ?o IN (<{BASE}j>, <{BASE}k>)) }}"
    )
    assert list(rows) == [], "a junction is a connector: nothing depends on it"
    # the relationships themselves stay as facts
    assert memory_store.query(
        f"ASK {{ <{BASE}a> <http://www.opengroup.org/xsd/archimate/3.0/#serving> <{BASE}j> }}"
    )
    result = impact(memory_store, [BASE + "a"])
    assert sorted(e.iri.rpartition("/")[2] for e in result.impacted) == ["b", "d", "e"]


def test_a_21_junction_passes_relationships_through(memory_store) -> None:
    data = (
        b'<model xmlns="http://www.opengroup.org/xsd/archimate" '
        b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" identifier="m">'
        b"<elements>"
        b'<element identifier="a" xsi:type="ApplicationService"><label>a</label></element>'
        b'<element identifier="j" xsi:type="Junction"/>'
        b'<element identifier="b" xsi:type="BusinessProcess"><label>b</label></element>'
        b"</elements><relationships>"
        b'<relationship identifier="r1" xsi:type="UsedByRelationship" source="a" target="j"/>'
        b'<relationship identifier="r2" xsi:type="UsedByRelationship" source="j" target="b"/>'
        b"</relationships></model>"
    )
    _import(memory_store, data)
    assert _depends(memory_store, "b", "a")
    assert not _depends(memory_store, "b", "j")


PLANS_MODEL = model(
    {
        "app": "ApplicationComponent",
        "as": "ApplicationService",
        "bp": "BusinessProcess",
        "actor": "BusinessActor",
        "role": "BusinessRole",
        "req": "Requirement",
        "goal": "Goal",
        "plateau": "Plateau",
        "wp": "WorkPackage",
        "value": "Value",
    },
    [
        ("Realization", "app", "as"),
        ("Serving", "as", "bp"),
        ("Serving", "as", "actor"),
        ("Assignment", "actor", "role"),
        ("Realization", "app", "req"),
        ("Realization", "req", "goal"),
        ("Composition", "plateau", "app"),
        ("Realization", "wp", "plateau"),
        ("Association", "value", "goal"),
    ],
)


def test_goals_plans_and_parties_never_get_a_status(memory_store) -> None:
    _import(memory_store, PLANS_MODEL)
    result = impact(memory_store, [BASE + "app"])
    impacted = {e.iri.rpartition("/")[2]: e.status for e in result.impacted}
    assert impacted == {"as": "down", "bp": "down"}
    assert result.count == 2
    touched = {g.iri.rpartition("/")[2] for g in result.goals_and_plans}
    assert touched == {"req", "goal", "plateau"}
    # the work package realises the plateau: it is not made to depend on it
    parties = {(p.agent.rpartition("/")[2], p.context.rpartition("/")[2]) for p in result.parties}
    assert ("actor", "as") in parties
    assert not any(a == "role" for a, _ in parties), "the walk stops at a party"
    body = result.to_json()
    assert {g["iri"].rpartition("/")[2] for g in body["goalsAndPlans"]} == touched
    assert all("status" not in g for g in body["goalsAndPlans"])
    goal = next(g for g in body["goalsAndPlans"] if g["iri"].endswith("/goal"))
    assert [e["o"].rpartition("/")[2] for e in goal["path"]] == ["req", "app"]


def test_impact_table_lists_goals_and_plans_apart(tmp_path) -> None:
    source = tmp_path / "m.xml"
    source.write_bytes(PLANS_MODEL)
    store = str(tmp_path / "store")
    runner = CliRunner()
    assert runner.invoke(app, ["import", str(source), "--store", store]).exit_code == 0
    table = runner.invoke(app, ["impact", BASE + "app", "--store", store])
    assert table.exit_code == 0, table.output
    assert "Goals and plans touched (3, no status)" in table.stdout
    body = json.loads(
        runner.invoke(app, ["impact", BASE + "app", "--store", store, "-f", "json"]).stdout
    )
    assert len(body["goalsAndPlans"]) == 3


def test_the_alignment_names_every_goal_plan_and_party_type() -> None:
    roles = load_alignment().impact_roles
    motivation = [
        "Stakeholder", "Driver", "Assessment", "Goal", "Outcome", "Principle",
        "Requirement", "Constraint", "Meaning", "Value",
    ]  # fmt: skip
    implementation = ["WorkPackage", "Deliverable", "ImplementationEvent", "Plateau", "Gap"]
    for t in motivation + implementation:
        assert roles.get(t) == "goal-or-plan", t
    assert roles["BusinessActor"] == "party"
    assert roles.get("ApplicationComponent") is None
    assert load_alignment().connector_types == {"AndJunction", "OrJunction"}
