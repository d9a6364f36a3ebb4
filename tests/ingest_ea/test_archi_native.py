"""Archi's own model files (.archimate, XML or zip archive) on the real Archi test models:
counts equal the source's (counted here with XPath), the graph round-trips through the
exchange format, IRIs match Archi's exchange export, and bad input fails cleanly."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from collections import Counter

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from typer.testing import CliRunner

from svckg.cli.app import app
from svckg.errors import InputError, ParseError, TooLarge
from svckg.export.archimate import export_archimate
from svckg.ingest import archi_native, archimate, pipeline
from svckg.ingest.base import SourceFile
from svckg.ingest.registry import detect_format
from svckg.store.embedded import EmbeddedStore
from svckg.store.system import ensure_system_graphs
from tests.conftest import REPO_ROOT, fixtures_dir, requires_fixtures

NATIVE = fixtures_dir() / "archimate" / "native"
EXCHANGE = fixtures_dir() / "archimate" / "archisurance.xml"
ARCH = "http://www.opengroup.org/xsd/archimate/3.0/#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XPATH_NS = {
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "archimate": "http://www.archimatetool.com/archimate",
}
DIAGRAMS = ("ArchimateDiagramModel", "SketchModel", "CanvasModel")


def _source_counts(data: bytes) -> Counter[str]:
    """Concept counts by 3.2 type name, read with XPath from the file itself: Archi writes
    relationship types with a ``Relationship`` suffix and one ``Junction`` type."""
    root = etree.fromstring(data)
    counts: Counter[str] = Counter()
    for el in root.xpath("//element[@xsi:type]", namespaces=XPATH_NS):
        kind = el.get(f"{{{XPATH_NS['xsi']}}}type").split(":")[-1]
        if kind.endswith(DIAGRAMS):
            counts["View"] += 1
        elif kind == "Junction":
            counts["OrJunction" if el.get("type") == "or" else "AndJunction"] += 1
        else:
            counts[kind.removesuffix("Relationship")] += 1
    return counts


def _graph_counts(triples) -> Counter[str]:  # noqa: ANN001
    return Counter(
        t.object.value[len(ARCH) :]
        for t in set(triples)
        if t.predicate.value == RDF_TYPE and t.object.value.startswith(ARCH)
    )


pytestmark = requires_fixtures  # Archi's own files (outside material)


@pytest.fixture(scope="module")
def archisurance():
    return archi_native.parse(SourceFile.read(NATIVE / "Archisurance.archimate"))


def test_archisurance_counts_by_type_equal_the_source(archisurance) -> None:
    source = _source_counts((NATIVE / "Archisurance.archimate").read_bytes())
    relationships = sum(n for t, n in source.items() if t in archimate_relationship_types())
    # SOURCES.md says 123 elements and 177 relationships; XPath finds 122 elements (plus 20
    # diagrams) and 177 relationships
    assert sum(source.values()) - source["View"] - relationships == 122
    assert relationships == 177
    got = _graph_counts(archisurance.triples)
    for kind, n in source.items():
        assert got[kind] == n, kind
    assert archisurance.model_name == "Archisurance" and archisurance.model_id == "id-11f5304f"


def archimate_relationship_types() -> set[str]:
    from svckg.ingest.mapping import load_alignment

    return set(load_alignment().relationship_types)


def test_archive_counts_equal_the_model_xml_inside() -> None:
    data = (NATIVE / "model_zipped.archimate").read_bytes()
    inner = zipfile.ZipFile(io.BytesIO(data)).read("model.xml")
    staged = archi_native.parse(SourceFile("model_zipped.archimate", data))
    got = _graph_counts(staged.triples)
    source = _source_counts(inner)
    assert source and all(got[k] == n for k, n in source.items())
    assert detect_format("model_zipped.archimate", data[:4096]) == "archi"


def test_properties_documentation_folders_views_and_access(archisurance) -> None:
    base = "https://w3id.org/svckg/id/id-11f5304f/"
    triples = set(archisurance.triples)
    by_subject: dict[str, list[ox.Triple]] = {}
    for t in triples:
        by_subject.setdefault(t.subject.value, []).append(t)
    resource = by_subject[base + "id-9784239c-1fe2-40fb-9d4f-6a5fa0ef6786"]
    values = {t.object.value for t in resource}
    assert "Value 1" in values and "Resource" in values
    folders = [t for t in triples if t.object.value == ARCH + "Folder"]
    assert len(folders) >= 8
    views = [t for t in triples if t.object.value == ARCH + "View"]
    root = etree.parse(str(NATIVE / "Archisurance.archimate")).getroot()
    diagrams = root.xpath(
        "//element[contains(@xsi:type, 'DiagramModel') or contains(@xsi:type, 'SketchModel')"
        " or contains(@xsi:type, 'CanvasModel')]",
        namespaces=XPATH_NS,
    )
    assert len(views) == len(diagrams) > 0
    access = Counter(t.object.value for t in triples if t.predicate.value == ARCH + "accessType")
    read = root.xpath(
        "//element[@xsi:type='archimate:AccessRelationship' and @accessType='1']",
        namespaces=XPATH_NS,
    )
    assert access["Read"] == len(read) and access["Write"] > 0


def test_native_round_trips_through_the_exchange_format(archisurance, with_xsd) -> None:
    store = EmbeddedStore(None)
    store.load(archisurance.triples, "https://w3id.org/svckg/graph/import/t")
    data = export_archimate(store)
    store.close()
    again = archimate.parse(SourceFile("exported.xml", data))  # schema-checked (with_xsd)
    assert set(again.triples) == set(archisurance.triples)
    assert (again.model_name, again.model_id) == (archisurance.model_name, archisurance.model_id)


def test_cli_import_export_and_reimport_give_the_same_graph(tmp_path) -> None:
    runner = CliRunner()
    store, other = str(tmp_path / "a"), str(tmp_path / "b")
    src = str(NATIVE / "Archisurance.archimate")
    result = runner.invoke(app, ["import", src, "--store", store])
    assert result.exit_code == 0, result.output
    out = tmp_path / "model.xml"
    assert runner.invoke(app, ["export", "--format", "archimate", "--output", str(out),
                               "--store", store]).exit_code == 0  # fmt: skip
    assert runner.invoke(app, ["import", str(out), "--store", other]).exit_code == 0

    def data(path: str) -> set[ox.Triple]:
        s = EmbeddedStore(path)
        try:
            graphs = [g for g in s.graphs() if "/graph/import/" in g and "inferred" not in g]
            return {ox.Triple(q.subject, q.predicate, q.object) for g in graphs
                    for q in s.quads(graph=g)}  # fmt: skip
        finally:
            s.close()

    assert data(store) == data(other)


def test_same_iris_as_archis_exchange_export(archisurance) -> None:
    """Archisurance in both of Archi's formats (different releases of the model): the
    elements they share get one IRI and one type."""
    exchange = archimate.parse(SourceFile.read(EXCHANGE))

    def typed(staged) -> dict[str, str]:  # noqa: ANN001
        return {
            t.subject.value: t.object.value
            for t in staged.triples
            if t.predicate.value == RDF_TYPE and t.object.value.startswith(ARCH)
        }

    native, ex = typed(archisurance), typed(exchange)
    shared = native.keys() & ex.keys()
    assert len(shared) > 100
    assert all(native[k] == ex[k] for k in shared)


def test_fixture_models_import_by_default(memory_store) -> None:
    ensure_system_graphs(memory_store)
    for name in ("Archisurance.archimate", "model_zipped.archimate", "testmodel1.archimate",
                 "compatibility_test1.archimate", "compatibility_test2.archimate"):  # fmt: skip
        outcome = pipeline.import_sources(memory_store, [SourceFile.read(NATIVE / name)])
        assert not outcome.report.violations, (name, outcome.report.violations)


def test_newer_format_content_is_skipped_with_located_warnings() -> None:
    staged = archi_native.parse(SourceFile.read(NATIVE / "compatibility_test1.archimate"))
    lines = sorted(f.location.line for f in staged.findings)
    assert lines == [3, 4]
    assert all("10.0.0" in f.message and f.severity == "Warning" for f in staged.findings)


# -- bad input -----------------------------------------------------------------------------


def test_unknown_archimate_type_is_named_with_its_line() -> None:
    with pytest.raises(InputError) as err:
        archi_native.parse(SourceFile.read(NATIVE / "compatibility_test3.archimate"))
    assert "Bogus1" in str(err.value)
    assert "line 7" in err.value.where and "id-3fded24054d44e3f90889975746e5238" in err.value.where


def _model(body: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<archimate:model xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xmlns:archimate="http://www.archimatetool.com/archimate" name="T" id="t1" '
        f'version="5.0.0">{body}</archimate:model>'
    ).encode()


def test_relationship_to_a_missing_element() -> None:
    data = _model(
        '<folder name="B" id="f" type="business">'
        '<element xsi:type="archimate:BusinessActor" name="A" id="a1"/></folder>'
        '<folder name="R" id="r" type="relations">\n'
        '<element xsi:type="archimate:ServingRelationship" id="rel1" source="a1" target="gone"/>'
        "</folder>"
    )
    with pytest.raises(InputError) as err:
        archi_native.parse(SourceFile("m.archimate", data))
    assert "missing target element 'gone'" in str(err.value)
    assert "line 3" in err.value.where and "rel1" in err.value.where


def test_doctype_and_entities_are_refused() -> None:
    data = _model("").replace(
        b"<archimate:model",
        b'<!DOCTYPE m [<!ENTITY x "boom"><!ENTITY y "&x;&x;&x;">]>\n<archimate:model',
        1,
    )
    with pytest.raises(ParseError, match="DOCTYPE"):
        archi_native.parse(SourceFile("m.archimate", data))


def test_a_zip_that_is_not_an_archi_archive() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(InputError, match="no model.xml") as err:
        archi_native.parse(SourceFile("other.archimate", buf.getvalue()))
    assert err.value.where == "other.archimate"


BOMB = r"""
import io, resource, sys, zipfile
resource.setrlimit(resource.RLIMIT_AS, (768 * 1024 * 1024, 768 * 1024 * 1024))
from svckg.errors import TooLarge
from svckg.ingest import archi_native
from svckg.ingest.base import SourceFile
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    with z.open("model.xml", "w") as f:
        block = b"<a/>" * (1 << 18)
        for _ in range(64):
            f.write(block)
data = buf.getvalue()
assert len(data) < 1 << 20, len(data)
try:
    archi_native.parse(SourceFile("bomb.archimate", data))
except TooLarge as exc:
    print("refused:", exc)
    sys.exit(0)
sys.exit(3)
"""


def test_a_zip_bomb_is_refused_before_it_expands() -> None:
    """A <1 MB archive whose model.xml expands to 64 MB, with a 4 MB limit: refused (in a
    subprocess with a memory cap and a timeout)."""
    env = {"SVCKG_MAX_UPLOAD_BYTES": str(4 * 1024 * 1024), "PYTHONPATH": str(REPO_ROOT / "src")}
    done = subprocess.run(
        [sys.executable, "-c", BOMB], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "expands to more than 4,194,304 bytes" in done.stdout


def test_the_size_limit_holds_when_the_declared_size_lies(monkeypatch) -> None:
    monkeypatch.setenv("SVCKG_MAX_UPLOAD_BYTES", "1000")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("model.xml", _model("<purpose>" + "x" * 5000 + "</purpose>"))
    with pytest.raises(TooLarge):
        archi_native.parse(SourceFile("big.archimate", buf.getvalue()))


SEEDS = [
    (NATIVE / n).read_bytes()
    for n in ("testmodel1.archimate", "compatibility_test3.archimate")
    if (NATIVE / n).is_file()  # outside material: the module is skipped without it
] or [b"<archimate:model/>"]
TOKENS = [b"<", b">", b'"', b"&", b"\x00", b"\xff", b'xsi:type="archimate:Junction"',
          b'type="or"', b'source="59fa6c90"', b'target="nope"', b'id=""', b"<folder>",
          b"Relationship", b'accessType="7"', b"<!DOCTYPE x>", b"PK\x03\x04"]  # fmt: skip


@st.composite
def mutated(draw) -> bytes:  # noqa: ANN001
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        if draw(st.booleans()):
            data[at:at] = draw(st.sampled_from(TOKENS))
        else:
            del data[at : at + draw(st.integers(1, 20))]
    return bytes(data)


@settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated())
def test_fuzzed_native_files_give_a_clean_error_or_a_model(data: bytes) -> None:
    try:
        staged = archi_native.parse(SourceFile("fuzz.archimate", data))
    except InputError as exc:
        assert str(exc) and exc.where is not None or isinstance(exc, ParseError)
        return
    assert staged.format == "archi"


def test_profiles_junction_kinds_documentation_and_old_names() -> None:
    data = _model(
        '<folder name="Business" id="f1" type="business">'
        '<element xsi:type="archimate:BusinessActor" name="Clerk" id="a1" profiles="p1">'
        "<documentation>Works the desk</documentation>"
        '<property key="Cost centre" value="CC-7"/></element>'
        '<element xsi:type="archimate:BusinessProcess" name="Serve" id="bp"/>'
        '<element xsi:type="archimate:InfrastructureService" name="Old" id="is1"/></folder>'
        '<folder name="Other" id="f2" type="other">'
        '<element xsi:type="archimate:Junction" id="j1" type="or"/>'
        '<element xsi:type="archimate:Junction" id="j2"/></folder>'
        '<folder name="Relations" id="f3" type="relations">'
        '<element xsi:type="archimate:UsedByRelationship" id="r1" source="is1" target="j1"/>'
        '<element xsi:type="archimate:UsedByRelationship" id="r2" source="j1" target="bp"/>'
        '<element xsi:type="archimate:AssociationRelationship" id="r3" source="a1" target="bp"'
        ' directed="true"/></folder>'
        '<profile name="Desk clerk" id="p1" conceptType="BusinessActor"/>'
    )
    staged = archi_native.parse(SourceFile("m.archimate", data))
    base = "https://w3id.org/svckg/id/t1/"
    facts = {(t.subject.value, t.predicate.value, t.object.value) for t in staged.triples}
    assert (base + "a1", ARCH + "profile", "Desk clerk") in facts
    assert (base + "a1", "http://purl.org/dc/terms/description", "Works the desk") in facts
    assert any(s == base + "a1" and o == "CC-7" for s, _, o in facts)
    assert (base + "j1", RDF_TYPE, ARCH + "OrJunction") in facts
    assert (base + "j2", RDF_TYPE, ARCH + "AndJunction") in facts
    assert (base + "is1", RDF_TYPE, ARCH + "TechnologyService") in facts
    assert (base + "r1", RDF_TYPE, ARCH + "Serving") in facts
    assert (base + "r3", ARCH + "isDirected", "true") in facts
    assert (base + "bp", "https://w3id.org/svckg#usesResource", base + "is1") in facts or any(
        s == base + "bp" and o == base + "is1" for s, _, o in facts
    ), "the junction passes the serving through"
