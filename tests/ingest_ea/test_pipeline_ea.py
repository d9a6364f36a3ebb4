"""EA sources through the real import pipeline into a real store: counts, located validation,
nothing committed on errors, stable identity on re-import, impact over the imported model.
Archisurance and Archi's samples are outside material; tiny-shop is the project's own."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from lxml import etree

from svckg.analysis.impact import impact
from svckg.errors import InputError, ParseError, ValidationFailed
from svckg.ingest import pipeline, records
from svckg.ingest.base import SourceFile
from svckg.store.system import ensure_system_graphs
from tests.conftest import fixture_path, requires_fixtures, skip_unless_fixtures

FIXTURES = fixture_path("")
ARCHISURANCE = FIXTURES / "archimate" / "archisurance.xml"
OWN = Path(__file__).parent / "data"
TINY_SHOP = OWN / "tiny-shop.xml"
TS = "https://w3id.org/svckg/id/id-tiny-shop/"
ARCH = "http://www.opengroup.org/xsd/archimate/3.0/#"
SVC = "https://w3id.org/svckg#"
BASE = "https://w3id.org/svckg/id/id-11f5304f/"
XSI = "{http://www.w3.org/2001/XMLSchema-instance}type"


def _snapshot(store) -> bytes:
    return store.export(ox.RdfFormat.N_QUADS)


def _source_counts(path: Path = ARCHISURANCE) -> Counter[str]:
    root = etree.parse(str(path)).getroot()
    ns = etree.QName(root).namespace
    return Counter(
        el.get(XSI) for tag in ("element", "relationship") for el in root.iter(f"{{{ns}}}{tag}")
    )


def _store_counts(store) -> Counter[str]:
    rows = store.query(
        f"SELECT ?t (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a ?t . "
        f'FILTER(STRSTARTS(STR(?t), "{ARCH}")) }} GROUP BY ?t'
    )
    return Counter({r["t"].value[len(ARCH) :]: int(r["n"].value) for r in rows})


@pytest.fixture
def archisurance_store(memory_store):
    skip_unless_fixtures()
    pipeline.import_sources(memory_store, [SourceFile.read(ARCHISURANCE)], allow_violations=True)
    return memory_store


def _with_bad_lifecycle(element_id: str) -> bytes:
    """Archisurance with a real (non-mapping) violation: the element ``element_id`` carries
    an svc:lifecycleStatus outside the concept scheme, through a property definition named
    by the predicate IRI (what ``svckg export --format archimate`` writes)."""
    root = etree.parse(str(ARCHISURANCE)).getroot()
    ns = etree.QName(root).namespace
    defs = root.find(f"{{{ns}}}propertyDefinitions")
    d = etree.SubElement(defs, f"{{{ns}}}propertyDefinition", identifier="pd-life", type="string")
    etree.SubElement(d, f"{{{ns}}}name").text = SVC + "lifecycleStatus"
    (el,) = [e for e in root.iter(f"{{{ns}}}element") if e.get("identifier") == element_id]
    props = el.find(f"{{{ns}}}properties")
    if props is None:
        props = etree.Element(f"{{{ns}}}properties")
        el.insert(
            len(el.findall(f"{{{ns}}}name")) + len(el.findall(f"{{{ns}}}documentation")), props
        )
    p = etree.SubElement(props, f"{{{ns}}}property", propertyDefinitionRef="pd-life")
    etree.SubElement(p, f"{{{ns}}}value").text = "<https://w3id.org/svckg/concepts/sunset>"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@requires_fixtures
def test_violations_name_their_source_element_and_nothing_is_committed(memory_store) -> None:
    # Input changed (issue 15): Archisurance itself now imports with warnings only, so the
    # violation is a real one: a lifecycle status outside svcc:LifecycleStatuses.
    ensure_system_graphs(memory_store)
    before = _snapshot(memory_store)
    with pytest.raises(ValidationFailed) as err:
        pipeline.import_sources(
            memory_store, [SourceFile("archisurance.xml", _with_bad_lifecycle("id-1202"))]
        )
    report = err.value.report
    assert report.violations
    for r in report.results:
        assert r.location is not None, r
        assert r.location.file == "archisurance.xml" and r.location.line
        assert r.focus_node == BASE + r.location.element_id
    cfs = {
        r.location.element_name
        for r in report.violations
        if r.source_shape.endswith("Lifecycle-lifecycleStatus")
    }
    assert "Claim Registration Service" in cfs
    assert _snapshot(memory_store) == before


def test_import_counts_by_type_equal_the_source(archisurance_store) -> None:
    counts = _store_counts(archisurance_store)
    for type_name, n in _source_counts().items():
        assert counts[type_name] == n, type_name
    record = records.find_by_source(archisurance_store, "archisurance.xml")
    assert (record.model_name, record.model_id) == ("Archisurance", "id-11f5304f")
    # a correct ArchiMate model: no violations, its svckg gaps recorded as warnings
    assert not record.allowed_violations and record.violations == 0 and record.warnings > 0


def test_impact_from_an_infrastructure_node_reaches_business_services(
    archisurance_store,
) -> None:
    mainframe = BASE + "id-986"
    result = impact(archisurance_store, [mainframe])
    services = {e.label: e for e in result.impacted if SVC + "CustomerFacingService" in e.types}
    assert {
        "Claim Registration Service",
        "Premium Payment Service",
        "Claims Payment Service",
        "Insurance Application Service",
    } <= set(services)
    for element in services.values():
        (path,) = element.paths[:1]
        assert path[0][0] == element.iri and path[-1][2] == mainframe
        for (_, _, o), (s, _, _) in zip(path, path[1:], strict=False):
            assert o == s  # a connected chain of dependency edges


@requires_fixtures
def test_reimporting_an_updated_export_replaces_without_duplicates(memory_store) -> None:
    data = (FIXTURES / "archimate" / "Sample1.xml").read_bytes()
    pipeline.import_sources(memory_store, [SourceFile("Sample1.xml", data)], force=True)
    changed = data.replace(b"Sales Person", b"Seller")
    pipeline.import_sources(memory_store, [SourceFile("Sample1.xml", changed)], force=True)
    role = "https://w3id.org/svckg/id/id-11f5304f/id-37d5bc4b"
    labels = [
        r["l"].value
        for r in memory_store.query(
            f"SELECT ?l WHERE {{ <{role}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"
        )
    ]
    assert labels == ["Seller"]
    assert _store_counts(memory_store)["BusinessRole"] == 1


@requires_fixtures
def test_archi_csv_exports_import_and_update(memory_store) -> None:
    csv = FIXTURES / "archi-csv"
    first = [SourceFile.read(p) for p in sorted(csv.glob("test1-*.csv"))]
    out = pipeline.import_sources(memory_store, first, allow_violations=True)
    assert [s.record.model_id for s in out.sources] == ["862677a6"]
    update = [
        SourceFile(p.name.replace("test2", "test1"), p.read_bytes())
        for p in sorted(csv.glob("test2-*.csv"))
    ]
    pipeline.import_sources(memory_store, update, allow_violations=True)
    actor = "https://w3id.org/svckg/id/862677a6/f00aa5b4"
    labels = [
        r["l"].value
        for r in memory_store.query(
            f"SELECT ?l WHERE {{ <{actor}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"
        )
    ]
    assert labels == ["Name changed"]


@pytest.mark.parametrize(
    ("name", "data", "error", "text"),
    [
        (
            "broken.xml",
            b'<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/"><elem',
            ParseError,
            "malformed XML",
        ),
        (
            "m-relations.csv",
            b'"ID","Type","Name","Documentation","Source"\n',
            InputError,
            "missing column 'Target'",
        ),
        ("sheet.csv", b"ID,Name\n1,x\n", InputError, "--mapping"),
        (
            "odd.xml",
            TINY_SHOP.read_bytes().replace(b'"BusinessRole"', b'"Spaceship"'),
            InputError,
            "unknown element type 'Spaceship'",
        ),
        (
            "dangling.xml",
            TINY_SHOP.read_bytes().replace(b'target="id-checkout"', b'target="id-ghost"'),
            InputError,
            "missing target element 'id-ghost'",
        ),
    ],
)
def test_bad_sources_leave_the_store_untouched(memory_store, name, data, error, text) -> None:
    ensure_system_graphs(memory_store)
    pipeline.import_sources(memory_store, [SourceFile.read(TINY_SHOP)], force=True)
    before = _snapshot(memory_store)
    with pytest.raises(error, match=text.replace("-", "\\-")):
        pipeline.import_sources(memory_store, [SourceFile(name, data)])
    assert _snapshot(memory_store) == before


# --- the project's own material (present in every clone) ---


def test_tiny_shop_imports_whole_with_counts_record_and_impact(memory_store) -> None:
    out = pipeline.import_sources(memory_store, [SourceFile.read(TINY_SHOP)], force=True)
    assert [s.record.model_id for s in out.sources] == ["id-tiny-shop"]
    counts = _store_counts(memory_store)
    for type_name, n in _source_counts(TINY_SHOP).items():
        assert counts[type_name] == n, type_name
    record = records.find_by_source(memory_store, "tiny-shop.xml")
    assert (record.model_name, record.violations, record.warnings) == ("Tiny Shop", 0, 6)
    assert record.forced
    result = impact(memory_store, [TS + "id-web-server"])
    hit = {e.iri for e in result.impacted}
    assert {TS + "id-hosting", TS + "id-webshop", TS + "id-payments", TS + "id-checkout"} <= hit
    assert TS + "id-shop" not in hit  # the actor runs checkout, it does not depend on it


def test_tiny_shop_reimport_replaces_without_duplicates(memory_store) -> None:
    data = TINY_SHOP.read_bytes()
    pipeline.import_sources(memory_store, [SourceFile("tiny-shop.xml", data)], force=True)
    changed = data.replace(b">Web server<", b">Front server<")
    pipeline.import_sources(memory_store, [SourceFile("tiny-shop.xml", changed)], force=True)
    labels = [
        r["l"].value
        for r in memory_store.query(
            f"SELECT ?l WHERE {{ <{TS}id-web-server> "
            "<http://www.w3.org/2000/01/rdf-schema#label> ?l }"
        )
    ]
    assert labels == ["Front server"]
    assert _store_counts(memory_store)["Node"] == 1
    assert len(records.list_imports(memory_store)) == 1


def test_tiny_shop_csv_imports_and_updates(memory_store) -> None:
    files = [SourceFile.read(p) for p in sorted(OWN.glob("tiny-shop-*.csv"))]
    out = pipeline.import_sources(memory_store, files, force=True)
    assert [s.record.model_id for s in out.sources] == ["ts-model"]
    update = [
        SourceFile(f.name, f.data.replace(b'"Card payments"', b'"Card and wallet payments"'))
        for f in files
    ]
    pipeline.import_sources(memory_store, update, force=True)
    node = "https://w3id.org/svckg/id/ts-model/ts-payments"
    labels = [
        r["l"].value
        for r in memory_store.query(
            f"SELECT ?l WHERE {{ <{node}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"
        )
    ]
    assert labels == ["Card and wallet payments"]
