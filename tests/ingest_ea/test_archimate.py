"""The ArchiMate exchange-format importer on the real Archi test models (outside material), on
the project's own tiny-shop model (every clone) and on bad inputs."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from svckg.errors import InputError, ParseError
from svckg.ingest import archimate
from svckg.ingest.base import SourceFile
from svckg.ingest.registry import detect_format
from tests.conftest import fixture_path, requires_fixtures, skip_unless_fixtures

ARCHIMATE = fixture_path("archimate")
ARCH = "http://www.opengroup.org/xsd/archimate/3.0/#"
SVC = "https://w3id.org/svckg#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

XSI = "{http://www.w3.org/2001/XMLSchema-instance}type"
BASE = "https://w3id.org/svckg/id/id-11f5304f/"


def _source_counts(path, tag: str) -> Counter[str]:
    """Counts by xsi:type read straight from the source file with lxml (independent path)."""
    root = etree.parse(str(path)).getroot()
    ns = etree.QName(root).namespace
    return Counter(el.get(XSI) for el in root.iter(f"{{{ns}}}{tag}"))


@pytest.fixture(scope="module")
def archisurance():
    skip_unless_fixtures()
    return archimate.parse(SourceFile.read(ARCHIMATE / "archisurance.xml"))


def test_archisurance_counts_equal_the_source(archisurance, ea) -> None:
    path = ARCHIMATE / "archisurance.xml"
    elements, relationships = _source_counts(path, "element"), _source_counts(path, "relationship")
    assert sum(elements.values()) == 120 and sum(relationships.values()) == 178
    got = ea.count_archimate_types(archisurance)
    for type_name, n in (elements + relationships).items():
        assert got[type_name] == n, type_name
    assert got["View"] == 17


def test_model_name_and_id_and_locations(archisurance) -> None:
    assert archisurance.model_name == "Archisurance"
    assert archisurance.model_id == "id-11f5304f"
    assert archisurance.format == "archimate"
    loc = archisurance.locations[BASE + "id-1544"]
    assert (loc.file, loc.element_id, loc.element_name) == ("archisurance.xml", "id-1544", "mail")
    assert loc.line == 24


def test_mapping_onto_svckg_classes(archisurance, ea) -> None:
    types = ea.types_of(archisurance)
    by_arch: dict[str, set[str]] = {}
    for classes in types.values():
        for c in classes:
            if c.startswith(ARCH):
                by_arch.setdefault(c[len(ARCH) :], set()).update(classes - {c})
    assert by_arch["Node"] == {SVC + "InfrastructureComponent"}
    assert by_arch["Device"] == {SVC + "InfrastructureComponent"}
    assert by_arch["SystemSoftware"] == {SVC + "InfrastructureComponent"}
    assert by_arch["ApplicationComponent"] == {SVC + "Application"}
    assert by_arch["TechnologyService"] == {SVC + "BackendService"}
    assert by_arch["Contract"] == {SVC + "Agreement"}
    assert by_arch["BusinessInterface"] == {SVC + "Touchpoint"}
    assert by_arch["Principle"] == set()  # no mapping: kept as archimate:Principle only
    # Business services serving a business role are customer-facing; the one that only
    # serves processes stays a plain service.
    assert by_arch["BusinessService"] == {SVC + "CustomerFacingService", SVC + "Service"}
    cfs = [s for s, c in types.items() if SVC + "CustomerFacingService" in c]
    assert len(cfs) == 5


def test_relationships_are_nodes_with_edges_and_dependency_direction(archisurance, ea) -> None:
    rel = BASE + "id-1329"  # Realization id-1311 -> id-1208
    assert ea.objects(archisurance, rel, RDF_TYPE)[0].value == ARCH + "Realization"
    assert ea.objects(archisurance, rel, ARCH + "source")[0].value == BASE + "id-1311"
    assert ea.objects(archisurance, rel, ARCH + "target")[0].value == BASE + "id-1208"
    assert (
        ea.objects(archisurance, rel, "http://purl.org/dc/terms/identifier")[0].value == "id-1329"
    )
    assert [o.value for o in ea.objects(archisurance, BASE + "id-1311", ARCH + "realization")] == [
        BASE + "id-1208"
    ]
    # realization A -> B: B depends on A
    deps = {
        (t.subject.value, t.object.value)
        for t in archisurance.triples
        if t.predicate.value.startswith(SVC) and t.predicate.value != RDF_TYPE
    }
    assert (BASE + "id-1208", BASE + "id-1311") in deps
    # access keeps its accessType
    assert ea.objects(archisurance, BASE + "id-693", ARCH + "accessType")[0].value == "Write"


def test_uses_resource_goes_from_a_service_to_a_resource(archisurance, ea) -> None:
    types = ea.types_of(archisurance)
    uses = [t for t in archisurance.triples if t.predicate.value == SVC + "usesResource"]
    assert uses
    for t in uses:
        assert types[t.subject.value] & {
            SVC + "Service",
            SVC + "CustomerFacingService",
            SVC + "BackendService",
        }
        assert (
            SVC + "Process" in types[t.object.value]
            or SVC + "Application" in types[t.object.value]
            or SVC + "InformationAsset" in types[t.object.value]
            or SVC + "InfrastructureComponent" in types[t.object.value]
        )


def test_properties_folders_views_documentation(archisurance, ea) -> None:
    model = "https://w3id.org/svckg/id/id-11f5304f"
    prop = BASE + "property/propid-1"
    assert ea.objects(archisurance, prop, "http://www.w3.org/2000/01/rdf-schema#label")[
        0
    ].value == ("Property1")
    values = [o for o in ea.objects(archisurance, model, prop)]
    assert values[0].value == "Value of Property 1" and values[0].language == "en"
    doc = ea.objects(archisurance, model, "http://purl.org/dc/terms/description")[0]
    assert doc.value == "An example of a fictional Insurance company."
    folders = [s for s, c in ea.types_of(archisurance).items() if ARCH + "Folder" in c]
    assert BASE + "folder/business/actors" in folders
    parts = ea.objects(
        archisurance, BASE + "folder/business/actors", "http://purl.org/dc/terms/hasPart"
    )
    assert BASE + "id-1544" in {p.value for p in parts}
    views = [s for s, c in ea.types_of(archisurance).items() if ARCH + "View" in c]
    assert len(views) == 17


@requires_fixtures
def test_small_samples_and_detection(ea) -> None:
    for name in ("Sample1.xml", "bendpoint.test.xml"):
        f = SourceFile.read(ARCHIMATE / name)
        assert detect_format(f.name, f.data) == "archimate"
        staged = archimate.parse(f)
        counts = ea.count_archimate_types(staged)
        path = ARCHIMATE / name
        for type_name, n in (
            _source_counts(path, "element") + _source_counts(path, "relationship")
        ).items():
            assert counts[type_name] == n


def test_the_fixtures_conform_to_the_open_group_xsds(with_xsd) -> None:
    for name in ("archisurance.xml", "Sample1.xml", "bendpoint.test.xml"):
        archimate.parse(SourceFile.read(ARCHIMATE / name), with_xsd)


def test_schema_departure_is_reported_with_its_line(with_xsd) -> None:
    data = (
        (ARCHIMATE / "Sample1.xml")
        .read_bytes()
        .replace(
            b"<documentation>A description of a sales person</documentation>",
            b"<colour>red</colour>",
        )
    )
    with pytest.raises(InputError) as err:
        archimate.parse(SourceFile("bad-schema.xml", data), with_xsd)
    assert "departs from the ArchiMate exchange-format schema" in err.value.message
    assert "line 7" in err.value.message and "colour" in err.value.message
    assert err.value.where == "bad-schema.xml, line 7"


def _sample(elements: str, relationships: str = "", ns: str = archimate.NS3) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<model xmlns="{ns}" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" identifier="m-1">\n'
        f'<name xml:lang="en">M</name>\n<elements>\n{elements}</elements>\n'
        f"<relationships>\n{relationships}</relationships>\n</model>\n"
    ).encode()


def test_malformed_xml_names_line_and_column() -> None:
    data = _sample('<element identifier="a" xsi:type="Node"><name>x</nam></element>\n')
    with pytest.raises(ParseError) as err:
        archimate.parse(SourceFile("broken.xml", data))
    assert err.value.source == "broken.xml" and err.value.line == 5 and err.value.column
    assert "malformed XML" in err.value.message


def test_unknown_element_type_is_a_located_error() -> None:
    data = _sample(
        '<element identifier="a" xsi:type="Node"><name>ok</name></element>\n'
        '<element identifier="b" xsi:type="Spaceship"><name>Falcon</name></element>\n'
    )
    with pytest.raises(InputError) as err:
        archimate.parse(SourceFile("odd.xml", data))
    assert "unknown element type 'Spaceship'" in err.value.message
    assert err.value.where == "odd.xml, line 6, element b 'Falcon'"


def test_relationship_to_a_missing_element_is_a_located_error() -> None:
    data = _sample(
        '<element identifier="a" xsi:type="Node"><name>ok</name></element>\n',
        '<relationship identifier="r1" source="a" target="ghost" xsi:type="Serving"/>\n',
    )
    with pytest.raises(InputError) as err:
        archimate.parse(SourceFile("dangling.xml", data))
    assert "missing target element 'ghost'" in err.value.message
    assert err.value.where == "dangling.xml, line 8, relationship r1"


def test_duplicate_identifier_and_not_a_model() -> None:
    data = _sample(
        '<element identifier="a" xsi:type="Node"/>\n<element identifier="a" xsi:type="Device"/>\n'
    )
    with pytest.raises(InputError, match="duplicate identifier 'a'"):
        archimate.parse(SourceFile("dup.xml", data))
    with pytest.raises(ParseError, match="not an ArchiMate exchange file"):
        archimate.parse(SourceFile("x.xml", b"<html><body/></html>"))
    with pytest.raises(ParseError, match="empty"):
        archimate.parse(SourceFile("e.xml", b"  \n"))


def test_archimate_21_names_are_read(ea) -> None:
    data = _sample(
        '<element identifier="n" xsi:type="Node"><label xml:lang="en">Server</label></element>\n'
        '<element identifier="s" xsi:type="InfrastructureService"><label>Host</label></element>\n'
        '<element identifier="a" xsi:type="ApplicationComponent"><label>CRM</label></element>\n',
        '<relationship identifier="r1" source="n" target="s" xsi:type="Realisation"/>\n'
        '<relationship identifier="r2" source="s" target="a" xsi:type="UsedBy"/>\n',
        ns=archimate.NS2,
    )
    staged = archimate.parse(SourceFile("old.xml", data))
    base = "https://w3id.org/svckg/id/m-1/"
    types = ea.types_of(staged)
    assert types[base + "s"] == {ARCH + "TechnologyService", SVC + "BackendService"}
    assert types[base + "r2"] == {ARCH + "Serving"}
    deps = {(t.subject.value, t.predicate.value, t.object.value) for t in staged.triples}
    assert (base + "s", SVC + "usesResource", base + "n") in deps  # service realized by the node
    assert (base + "a", SVC + "dependsOn", base + "s") in deps  # application served by it
    assert (
        ea.objects(staged, base + "n", "http://www.w3.org/2000/01/rdf-schema#label")[0].language
        == "en"
    )


@requires_fixtures
def test_identity_is_stable_across_reexports(ea) -> None:
    first = archimate.parse(SourceFile.read(ARCHIMATE / "Sample1.xml"))
    renamed = (ARCHIMATE / "Sample1.xml").read_bytes().replace(b"Sales Person", b"Seller")
    second = archimate.parse(SourceFile("Sample1.xml", renamed))
    assert set(ea.types_of(first)) == set(ea.types_of(second))
    assert {t for t in first.triples} ^ {t for t in second.triples} == {
        t for t in (*first.triples, *second.triples) if t.object.value in ("Sales Person", "Seller")
    }


def test_archimate_21_properties_and_organization(ea) -> None:
    data = f"""<?xml version="1.0"?>
<model xmlns="{archimate.NS2}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
       identifier="m-21">
  <name>Old</name>
  <elements>
    <element identifier="a" xsi:type="BusinessActor"><label xml:lang="nl">Klant</label>
      <properties><property identifierref="p1"><value>Gold</value></property></properties>
    </element>
  </elements>
  <organization><item><label>Actors</label><item identifierref="a"/></item></organization>
  <propertydefs><propertydef identifier="p1" name="Tier" type="string"/></propertydefs>
</model>
""".encode()
    staged = archimate.parse(SourceFile("old21.xml", data))
    base = "https://w3id.org/svckg/id/m-21/"
    (tier,) = ea.objects(staged, base + "a", base + "property/p1")
    assert tier.value == "Gold"
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    assert ea.objects(staged, base + "property/p1", label)[0].value == "Tier"
    assert ea.objects(staged, base + "a", label)[0].language == "nl"
    parts = ea.objects(staged, base + "folder/actors", "http://purl.org/dc/terms/hasPart")
    assert [p.value for p in parts] == [base + "a"]


# --- the project's own model (tests/ingest_ea/data/tiny-shop.xml): present in every clone ---

TS = "https://w3id.org/svckg/id/id-tiny-shop/"
DCT = "http://purl.org/dc/terms/"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


@pytest.fixture(scope="module")
def tiny_shop(ea):
    return archimate.parse(SourceFile.read(ea.OWN / "tiny-shop.xml"))


def test_tiny_shop_counts_equal_the_source(tiny_shop, ea) -> None:
    path = ea.OWN / "tiny-shop.xml"
    assert detect_format(path.name, path.read_bytes()) == "archimate"
    elements, relationships = _source_counts(path, "element"), _source_counts(path, "relationship")
    assert sum(elements.values()) == 11 and sum(relationships.values()) == 11
    got = ea.count_archimate_types(tiny_shop)
    for type_name, n in (elements + relationships).items():
        assert got[type_name] == n, type_name
    assert (got["View"], got["Folder"], got["PropertyDefinition"], got["Model"]) == (1, 3, 2, 1)


def test_tiny_shop_model_and_locations(tiny_shop) -> None:
    assert (tiny_shop.model_name, tiny_shop.model_id) == ("Tiny Shop", "id-tiny-shop")
    loc = tiny_shop.locations[TS + "id-webshop"]
    assert (loc.file, loc.element_id, loc.element_name) == (
        "tiny-shop.xml",
        "id-webshop",
        "Web shop",
    )
    lines = (Path(__file__).parent / "data" / "tiny-shop.xml").read_text().splitlines()
    assert 'identifier="id-webshop"' in lines[loc.line - 1]


def test_tiny_shop_maps_onto_svckg_classes(tiny_shop, ea) -> None:
    types = ea.types_of(tiny_shop)
    expected = {
        "id-shop": "Organization",
        "id-checkout": "Process",
        "id-order-data": "InformationAsset",
        "id-webshop": "Application",
        "id-catalogue": "BackendService",
        "id-hosting": "BackendService",
        "id-web-server": "InfrastructureComponent",
        "id-database": "InfrastructureComponent",
    }
    for ident, cls in expected.items():
        assert SVC + cls in types[TS + ident], ident


def test_tiny_shop_relationships_properties_languages_folders_views(tiny_shop, ea) -> None:
    o = ea.objects
    assert [x.value for x in o(tiny_shop, TS + "id-r-orders", ARCH + "accessType")] == ["Write"]
    assert [x.value for x in o(tiny_shop, TS + "id-r-orders", ARCH + "source")] == [
        TS + "id-webshop"
    ]
    assert [x.value for x in o(tiny_shop, TS + "id-web-server", ARCH + "realization")] == [
        TS + "id-hosting"
    ]
    tier = TS + "property/propid-tier"
    assert [x.value for x in o(tiny_shop, TS + "id-webshop", tier)] == ["gold"]
    assert [x.value for x in o(tiny_shop, tier, LABEL)] == ["Tier"]
    names = {(x.value, x.language) for x in o(tiny_shop, TS + "id-checkout", LABEL)}
    assert names == {("Checkout", "en"), ("Kasse", "de")}
    (doc,) = o(tiny_shop, TS + "id-r-orders", DCT + "description")
    assert doc.value == "Every paid basket becomes a row."
    parts = {x.value for x in o(tiny_shop, TS + "folder/technology", DCT + "hasPart")}
    assert parts == {TS + "id-hosting", TS + "id-web-server", TS + "id-database"}
    shown = {x.value for x in o(tiny_shop, TS + "id-view-main", DCT + "references")}
    assert TS + "id-r-realize-hosting" in shown and TS + "id-web-server" in shown


def test_tiny_shop_identity_is_stable_across_reexports(tiny_shop, ea) -> None:
    renamed = (ea.OWN / "tiny-shop.xml").read_bytes().replace(b">Checkout<", b">Pay<")
    second = archimate.parse(SourceFile("tiny-shop.xml", renamed))
    assert set(ea.types_of(tiny_shop)) == set(ea.types_of(second))
    assert set(tiny_shop.triples) ^ set(second.triples) == {
        t for t in (*tiny_shop.triples, *second.triples) if t.object.value in ("Checkout", "Pay")
    }


def test_tiny_shop_conforms_to_the_open_group_xsds(with_xsd, ea) -> None:
    """The hand-written model is checked against the real schemas (outside material)."""
    archimate.parse(SourceFile.read(ea.OWN / "tiny-shop.xml"), with_xsd)
    broken = (
        (ea.OWN / "tiny-shop.xml")
        .read_bytes()
        .replace(b'<documentation xml:lang="en">Basket', b'<colour xml:lang="en">Basket')
        .replace(b"paid order.</documentation>", b"paid order.</colour>")
    )
    with pytest.raises(InputError, match="departs from the ArchiMate") as err:
        archimate.parse(SourceFile("tiny-shop.xml", broken), with_xsd)
    assert err.value.where == "tiny-shop.xml, line 28" and "colour" in err.value.message
    # without the XSD folder in the settings, the same file is not schema-checked
    assert archimate.parse(SourceFile("tiny-shop.xml", broken)).model_id == "id-tiny-shop"
