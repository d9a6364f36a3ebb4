"""Issue 20: the four corrected contradictions, and data written against the old model.

Old-style data (a service interaction listed as a touchpoint, the deprecated svcc:consumer
role, an SLA tagged obligation-based) is imported through the real pipeline into a copy of the
demo: it must still be accepted and understood by impact, the named queries and visibility.
"""

from __future__ import annotations

from collections import Counter

import pytest

from svckg.analysis.impact import impact
from svckg.errors import ValidationFailed
from svckg.ingest import pipeline
from svckg.ingest.base import SourceFile
from svckg.terms import compact
from svckg.vocab import ID

from .test_queries import TTL_PREFIXES, column, rows

OLD_STYLE = """
id:old-customer a svc:Organization ; rdfs:label "Old-style customer"@en .
id:old-person a svc:Person ; rdfs:label "Olga Old"@en ; svc:memberOf id:old-customer .
id:old-journey a svc:CustomerJourney ; rdfs:label "Old-style journey"@en ;
    svc:journeyOf id:old-customer ; svc:hasStep id:old-step .
id:old-step a svc:JourneyStep ; rdfs:label "Old-style step"@en ;
    svc:journeyStage svcc:use ; svc:stepOrder 1 ;
    svc:hasTouchpoint id:old-interaction .
id:old-interaction a svc:ServiceInteraction ; rdfs:label "Old-style webmail session"@en ;
    svc:interactionKind svcc:access-to-resources ; svc:channel svcc:portal ;
    svc:enabledBy id:mail-server .
id:old-rel a svc:ServiceRelationship ; rdfs:label "Nordlight and the old-style customer"@en ;
    svc:provider id:nordlight-it ; svc:consumer id:old-customer ;
    svc:relationshipType svcc:basic ; svc:governedBy id:old-sla ;
    svc:hasBandOfVisibility id:old-band .
id:old-band a svc:BandOfVisibility ; rdfs:label "What the old-style customer sees"@en ;
    svc:visibleElement id:old-interaction .
id:old-sla a svc:ServiceLevelAgreement ; rdfs:label "Old-style SLA"@en ;
    svc:agreementForm svcc:obligation-based ;
    svc:covers id:workplace-basic ; svc:target id:old-target .
id:old-target a svc:ServiceLevelTarget ; rdfs:label "Old-style availability"@en ;
    svc:metric "availability" ; svc:targetValue 99.0 .
id:old-role a svc:RoleAssignment ; rdfs:label "Olga is consumer of the old SLA"@en ;
    svc:agent id:old-person ; svc:role svcc:consumer ; svc:inContextOf id:old-sla .
"""


def import_turtle(store, name: str, turtle: str, **options):
    data = TTL_PREFIXES + "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n" + turtle
    return pipeline.import_sources(store, [SourceFile(name, data.encode())], **options)


def shapes_of(results) -> Counter:
    return Counter((compact(r.source_shape), compact(r.focus_node)) for r in results)


@pytest.fixture
def old_style(fresh_demo):
    outcome = import_turtle(fresh_demo, "old-style.ttl", OLD_STYLE, force=True)
    return fresh_demo, outcome


def test_old_style_data_is_accepted_with_migration_warnings_only(old_style):
    _, outcome = old_style
    assert outcome.report.violations == []
    assert shapes_of(outcome.report.warnings) == Counter(
        {
            ("svcsh:ServiceInteractionRecommended-atTouchpoint", "id:old-interaction"): 1,
            ("svcsh:JourneyStepRecommended-hasTouchpoint", "id:old-step"): 1,
        }
    )


def test_old_style_data_without_force_is_refused_whole_naming_the_migration(fresh_demo):
    before = fresh_demo.count()
    with pytest.raises(ValidationFailed) as caught:
        import_turtle(fresh_demo, "old-style.ttl", OLD_STYLE)
    messages = " ".join(r.message for r in caught.value.report.warnings)
    assert "svc:atTouchpoint" in messages and "docs/model-changes.md" in messages
    assert fresh_demo.count() == before


def test_old_style_interaction_still_reached_by_impact_and_visible(old_style):
    store, _ = old_style
    found = {e.iri: e for e in impact(store, ["id:mail-server"]).impacted}
    interaction = found[str(ID["old-interaction"])]
    assert interaction.customer_visible is True
    assert interaction.visible_to == (str(ID["old-rel"]),)
    assert {str(ID["old-step"]), str(ID["old-journey"])} <= found.keys()


def test_old_style_interaction_still_in_the_journey_query(old_style):
    store, _ = old_style
    result = rows(store, "impact-journeys-touchpoints", failed="id:mail-server")
    assert (
        "id:old-interaction",
        "id:old-step",
        "id:old-journey",
        "id:old-customer",
        "visible to the consumer",
    ) in column(result, "touchpoint", "step", "journey", "visibleTo", "effect")


def test_deprecated_consumer_role_is_read_as_user(old_style):
    store, _ = old_style
    roles = rows(store, "customer-roles", customer="id:old-customer")
    assert column(roles, "agent", "role", "roleLabel", "context") == {
        ("id:old-person", "svcc:user", "user", "id:old-sla"),
    }
    parties = rows(store, "impact-affected-parties", failed="id:old-target")
    assert parties == []  # a target is not depended on: nothing else is affected
    parties = column(
        rows(store, "impact-affected-parties", failed="id:workplace-basic"),
        "role",
        "agent",
        "context",
    )
    assert ("svcc:user", "id:old-person", "id:old-sla") in parties
    assert ("svcc:service-consumer", "id:old-customer", "id:old-sla") in parties
    assert not {p for p in parties if p[0] == "svcc:consumer"}
    engine = {
        (compact(p.role), compact(p.agent), compact(p.context))
        for p in impact(store, ["id:workplace-basic"]).parties
    }
    assert engine == parties
    stakeholders = rows(store, "package-stakeholders")
    assert ("id:workplace-basic", "svcc:user", "id:old-person", "id:old-sla") in {
        (r["package"], r["role"], r["agent"], r["context"]) for r in stakeholders
    }


# ------------------------------------------------------------------------------ new model


def test_interaction_impact_and_visibility_go_through_its_touchpoint(demo):
    """A failed enabler of a touchpoint affects the interaction that happens at it; the
    interaction is visible to the consumers whose band lists the touchpoint."""
    found = {e.iri: e for e in impact(demo, ["id:workplace-laptop-bundle"]).impacted}
    for interaction, relationship in (
        ("si-aurora-laptop-handover", "rel-nordlight-aurora"),
        ("si-vesterby-rollout", "rel-nordlight-vesterby"),
    ):
        element = found[str(ID[interaction])]
        assert element.customer_visible is True
        assert element.visible_to == (str(ID[relationship]),)
        assert [compact(p) for _, p, _ in element.paths[0]][0] == "svc:atTouchpoint"
    result = rows(demo, "impact-journeys-touchpoints", failed="id:workplace-laptop-bundle")
    assert column(result, "touchpoint", "step", "visibleTo") == {
        ("id:tp-aurora-laptop-handover", "id:step-aurora-onboard", "id:aurora-hospitals"),
        ("id:si-aurora-laptop-handover", "id:step-aurora-onboard", "id:aurora-hospitals"),
        ("id:tp-vesterby-rollout", "id:step-vesterby-onboard", "id:city-of-vesterby"),
        ("id:si-vesterby-rollout", "id:step-vesterby-onboard", "id:city-of-vesterby"),
        # the bundle is part of Cloud Workplace, which enables the daily logins
        ("id:tp-aurora-daily-login", "id:step-aurora-co-create", "id:aurora-hospitals"),
        ("id:tp-vesterby-daily-work", "id:step-vesterby-co-create", "id:city-of-vesterby"),
    }


def test_an_interaction_is_no_longer_a_touchpoint(demo):
    ask = (
        "PREFIX svc: <https://w3id.org/svckg#> PREFIX rdfs: "
        "<http://www.w3.org/2000/01/rdf-schema#> "
        "ASK { svc:ServiceInteraction rdfs:subClassOf* svc:Touchpoint }"
    )
    assert bool(demo.query(ask)) is False
    migrated = rows(demo, "band-of-visibility", relationship="id:rel-nordlight-aurora")
    assert not {e for e in column(migrated, "element") if e.startswith("id:si-")}


def test_an_individual_can_be_the_consumer_of_a_relationship(fresh_demo):
    outcome = import_turtle(
        fresh_demo,
        "b2c.ttl",
        """
        id:pia-private a svc:Person ; rdfs:label "Pia Private"@en .
        id:rel-pia a svc:ServiceRelationship ; rdfs:label "Nordlight and Pia"@en ;
            svc:provider id:nordlight-it ; svc:consumer id:pia-private ;
            svc:relationshipType svcc:basic .
        """,
    )
    assert outcome.report.violations == [] and outcome.report.warnings == []
    result = rows(fresh_demo, "relationship-types")
    assert ("id:rel-pia", "id:pia-private") in column(result, "relationship", "consumer")


def test_a_consumer_that_is_neither_organization_nor_person_is_refused(fresh_demo):
    with pytest.raises(ValidationFailed) as caught:
        import_turtle(
            fresh_demo,
            "bad-consumer.ttl",
            """
            id:rel-app a svc:ServiceRelationship ; rdfs:label "Nordlight and an app"@en ;
                svc:provider id:nordlight-it ; svc:consumer id:mail-server ;
                svc:relationshipType svcc:basic .
            """,
        )
    assert shapes_of(caught.value.report.violations) == Counter(
        {("svcsh:ServiceRelationship-consumer", "id:rel-app"): 1}
    )


OWN_CONCEPTS = """
<https://nordlight.example/roles/data-protection-officer> a skos:Concept ;
    skos:inScheme svcc:StakeholderRoles ;
    skos:prefLabel "data protection officer"@en ;
    skos:definition "Oversees how personal data is processed."@en .
<https://nordlight.example/stages/renewal> a skos:Concept ;
    skos:inScheme svcc:JourneyStages ; skos:broader svcc:agree ;
    skos:prefLabel "renewal"@en ;
    skos:definition "The customer decides whether to renew the agreement."@en .
id:role-kari-dpo a svc:RoleAssignment ; rdfs:label "Kari Strand is data protection officer"@en ;
    svc:agent id:kari-strand ;
    svc:role <https://nordlight.example/roles/data-protection-officer> ;
    svc:inContextOf id:sla-vesterby-workplace .
id:step-vesterby-renewal a svc:JourneyStep ; rdfs:label "Renewal of the workplace contract"@en ;
    svc:journeyStage <https://nordlight.example/stages/renewal> ; svc:stepOrder 5 ;
    svc:hasPainPoint id:pain-vesterby-renewal-paperwork .
id:pain-vesterby-renewal-paperwork a svc:PainPoint ; rdfs:label "Renewal paperwork"@en .
id:journey-vesterby-workplace svc:hasStep id:step-vesterby-renewal .
"""


def test_an_organization_adds_its_own_role_and_stage_and_sees_them(fresh_demo):
    outcome = import_turtle(fresh_demo, "own-concepts.ttl", OWN_CONCEPTS)
    assert outcome.report.violations == [] and outcome.report.warnings == []
    roles = rows(fresh_demo, "customer-roles", customer="id:city-of-vesterby")
    assert ("id:kari-strand", "data protection officer", "id:sla-vesterby-workplace") in column(
        roles, "agent", "roleLabel", "context"
    )
    parties = impact(fresh_demo, ["id:workplace-basic"]).parties
    assert ("data protection officer", "Kari Strand") in {
        (p.role_label, p.agent_label) for p in parties
    }


@pytest.mark.parametrize(
    ("triple", "results"),
    [
        ("id:role-x svc:role svcc:live", 1),  # a concept of another scheme
        ("id:role-x svc:role id:not-a-concept", 2),  # neither a concept nor in the scheme
    ],
)
def test_a_role_outside_the_scheme_is_still_refused(fresh_demo, triple, results):
    with pytest.raises(ValidationFailed) as caught:
        import_turtle(
            fresh_demo,
            "bad-role.ttl",
            f"""
            id:role-x a svc:RoleAssignment ; rdfs:label "Bad role"@en ;
                svc:agent id:kari-strand ; svc:inContextOf id:sla-vesterby-workplace .
            {triple} .
            """,
        )
    assert shapes_of(caught.value.report.violations) == Counter(
        {("svcsh:RoleAssignment-role", "id:role-x"): results}
    )


def test_the_documented_migration_update_clears_the_warnings(fresh_demo):
    """docs/model-changes.md gives a SPARQL update for old-style interactions: run on the
    old-style file, the result imports without a single warning and keeps its meaning."""
    import re

    from rdflib import Graph

    from svckg.config import DATA_DIR

    doc = (DATA_DIR.parent / "docs" / "model-changes.md").read_text(encoding="utf-8")
    [update] = re.findall(r"```sparql\n(.*?)```", doc, flags=re.S)
    graph = Graph().parse(data=TTL_PREFIXES + OLD_STYLE, format="turtle")
    graph.update(update)
    migrated = graph.serialize(format="turtle")
    outcome = pipeline.import_sources(fresh_demo, [SourceFile("old.ttl", migrated.encode())])
    assert outcome.report.results == []
    result = rows(fresh_demo, "impact-journeys-touchpoints", failed="id:mail-server")
    assert table_of(result) >= {
        ("id:old-interaction", "id:old-step", "id:old-customer"),
        ("id:old-interaction-interaction", "id:old-step", "id:old-customer"),
    }


def table_of(result: list[dict]) -> set[tuple]:
    return {(r["touchpoint"], r["step"], r["visibleTo"]) for r in result}
