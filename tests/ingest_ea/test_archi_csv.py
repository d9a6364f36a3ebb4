"""The Archi CSV importer on Archi's own test exports (outside material: multi-line fields,
doubled quotes, comment lines, the model row, the Specialization column), on the project's own
tiny-shop export (every clone) and on bad inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from svckg.errors import InputError, ParseError
from svckg.ingest import archi_csv
from svckg.ingest.base import SourceFile
from svckg.ingest.csvread import decode, records
from svckg.ingest.registry import stage
from tests.conftest import fixture_path, requires_fixtures

CSV = fixture_path("archi-csv")
OWN = Path(__file__).parent / "data"
ARCH = "http://www.opengroup.org/xsd/archimate/3.0/#"
SVC = "https://w3id.org/svckg#"
DESCRIPTION = "http://purl.org/dc/terms/description"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def _files(prefix: str, where: Path = CSV) -> list[SourceFile]:
    return [SourceFile.read(p) for p in sorted(where.glob(f"{prefix}-*.csv"))]


def _rows(path) -> int:
    """Data rows per file, counted by the csv reader (model row and comments excluded)."""
    recs = list(records(decode(path.read_bytes(), path.name), path.name))[1:]
    return sum(1 for r in recs if r.fields[1] != "ArchimateModel")


@requires_fixtures
def test_test1_export_counts_and_content(ea) -> None:
    (staged,) = archi_csv.parse(_files("test1"))
    assert staged.format == "archi-csv" and staged.source == "test1-*.csv"
    assert (staged.model_name, staged.model_id) == ("Test Model", "862677a6")
    counts = ea.count_archimate_types(staged)
    assert counts["BusinessActor"] == counts["BusinessInterface"] == counts["BusinessRole"] == 1
    assert counts["Assignment"] == counts["Composition"] == 1
    assert counts["BusinessActor"] + counts["BusinessInterface"] + counts["BusinessRole"] == (
        _rows(CSV / "test1-elements.csv")
    )
    base = "https://w3id.org/svckg/id/862677a6/"
    actor = base + "f00aa5b4"
    (doc,) = ea.objects(staged, actor, DESCRIPTION)
    assert doc.value == 'This is the Business Actor\nDocumentation\nHere ""\n'
    assert ea.objects(staged, actor, ARCH + "profile")[0].value == "Specialization1"
    model_doc = ea.objects(staged, "https://w3id.org/svckg/id/862677a6", DESCRIPTION)[0].value
    assert (
        model_doc == 'This is the Purpose of the Model.\nIt has a line break and "some" quotes.\n'
    )
    prop3 = {o.value for o in ea.objects(staged, actor, base + "property/propid-property-3")}
    assert prop3 == {"", "Again"}
    rel_prop = ea.objects(staged, base + "5854f8a3", base + "property/propid-this")
    assert [o.value for o in rel_prop] == ["values"]
    (rel_doc,) = ea.objects(staged, base + "5854f8a3", DESCRIPTION)
    assert rel_doc.value == "Here it is\nagain\n\n\n"
    # assignment actor -> role: the role depends on its actor; composition: whole -> part
    edges = {(t.subject.value, t.predicate.value, t.object.value) for t in staged.triples}
    assert (base + "f6a18059", SVC + "dependsOn", actor) in edges
    assert (actor, ARCH + "composition", base + "d9fe8c17") in edges
    loc = staged.locations[actor]
    assert (loc.file, loc.row, loc.line, loc.element_id) == ("test1-elements.csv", 3, 5, "f00aa5b4")


@requires_fixtures
def test_updated_export_keeps_identity(ea) -> None:
    (first,) = archi_csv.parse(_files("test1"))
    (second,) = archi_csv.parse(_files("test2"))
    assert set(ea.types_of(first)) == set(ea.types_of(second))
    base = "https://w3id.org/svckg/id/862677a6/"
    assert ea.objects(second, base + "f00aa5b4", LABEL)[0].value == "Name changed"
    assert ea.objects(second, base + "f00aa5b4", ARCH + "profile") == []


@requires_fixtures
def test_rows_without_identifier_get_stable_generated_ones(ea) -> None:
    (a,) = archi_csv.parse(_files("test3"))
    (b,) = archi_csv.parse(_files("test3"))
    assert a.triples == b.triples
    assert a.model_id is None and a.model_name == "Test Model"
    generated = [s for s in ea.types_of(a) if "/gen-" in s]
    assert len(generated) == 4  # three elements and one relationship had no ID
    assert "https://w3id.org/svckg/id/test-model/id1" in ea.types_of(a)


@requires_fixtures
def test_comment_lines_and_elements_only() -> None:
    (staged,) = archi_csv.parse(_files("test5"))
    assert staged.model_id is None and staged.model_name is None
    assert "https://w3id.org/svckg/id/test5/id1" in staged.locations
    loc = staged.locations["https://w3id.org/svckg/id/test5/id2"]
    assert (loc.row, loc.line) == (6, 6)


@requires_fixtures
def test_registry_groups_several_exports() -> None:
    staged = stage(_files("test1") + _files("test4"))
    assert sorted(s.source for s in staged) == ["test1-*.csv", "test4-*.csv"]


@requires_fixtures
def test_relations_to_elements_outside_the_export_are_rejected() -> None:
    with pytest.raises(InputError) as err:
        archi_csv.parse(_files("test4a"))
    assert "missing source element 'e2'" in err.value.message
    assert err.value.where == "test4a-relations.csv, row 2, line 2, relationship r1"


@requires_fixtures
def test_duplicate_relation_ids_are_rejected() -> None:
    with pytest.raises(InputError) as err:
        archi_csv.parse(_files("test6"))
    assert "duplicate identifier 'r1'" in err.value.message
    assert err.value.where.startswith("test6-relations.csv, row 3")


def test_missing_column_is_a_located_error() -> None:
    data = b'"ID","Type","Name","Documentation","Source"\n"r1","ServingRelationship","","","a"\n'
    with pytest.raises(InputError) as err:
        archi_csv.parse([SourceFile("m-relations.csv", data)])
    assert "missing column 'Target'" in err.value.message
    assert err.value.where == "m-relations.csv, row 1, line 1"


def test_bad_rows_are_located() -> None:
    head = b'"ID","Type","Name","Documentation"\n'
    with pytest.raises(InputError, match="unknown element type 'Starship'") as err:
        archi_csv.parse([SourceFile("x-elements.csv", head + b'"a","Starship","E",""\n')])
    assert err.value.where == "x-elements.csv, row 2, line 2, element a 'E'"
    with pytest.raises(InputError, match="3 fields but the header has 4") as err:
        archi_csv.parse([SourceFile("x-elements.csv", head + b'"a","Node","E"\n')])
    with pytest.raises(ParseError, match="never closed") as perr:
        archi_csv.parse([SourceFile("x-elements.csv", head + b'"a","Node","E","oops\n\n')])
    assert perr.value.line == 2
    with pytest.raises(ParseError, match="not UTF-8") as perr:
        archi_csv.parse([SourceFile("x-elements.csv", head + b'"a","Node","\xff",""\n')])
    assert perr.value.line == 2
    props = b'"ID","Key","Value"\n"zz","k","v"\n'
    with pytest.raises(InputError, match="belongs to 'zz'") as err:
        archi_csv.parse(
            [
                SourceFile("y-elements.csv", head + b'"a","Node","E",""\n'),
                SourceFile("y-properties.csv", props),
            ]
        )
    assert err.value.where == "y-properties.csv, row 2, line 2, column 1 (ID)"


@pytest.mark.parametrize(
    ("where", "prefix"),
    [
        *(pytest.param(CSV, p, marks=requires_fixtures) for p in ("test1", "test2", "test3")),
        *(pytest.param(CSV, p, marks=requires_fixtures) for p in ("test4", "test5")),
        (OWN, "tiny-shop"),
    ],
)
def test_counts_by_type_equal_the_source_rows(where: Path, prefix: str, ea) -> None:
    """Counted independently with Python's csv module (comment lines dropped first)."""
    import csv
    import io
    from collections import Counter

    expected: Counter[str] = Counter()
    for kind in ("elements", "relations"):
        path = where / f"{prefix}-{kind}.csv"
        if not path.exists():
            continue
        text = "".join(
            ln
            for ln in path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
            if not ln.startswith("#")
        )
        for row in csv.DictReader(io.StringIO(text)):
            if row["Type"] != "ArchimateModel":
                expected[row["Type"].removesuffix("Relationship")] += 1
    (staged,) = archi_csv.parse(_files(prefix, where))
    got = ea.count_archimate_types(staged)
    assert {t: got[t] for t in expected} == dict(expected)
    assert sum(got.values()) - got["Model"] - got["PropertyDefinition"] == sum(expected.values())


def test_tiny_shop_export_content(ea) -> None:
    """The project's own CSV triple: model row, specialization, multi-line and quoted fields,
    properties on elements and relations, dependency direction, row and line locations."""
    (staged,) = archi_csv.parse(_files("tiny-shop", OWN))
    assert staged.format == "archi-csv" and staged.source == "tiny-shop-*.csv"
    assert (staged.model_name, staged.model_id) == ("Tiny Shop (CSV)", "ts-model")
    base = "https://w3id.org/svckg/id/ts-model/"
    assert ea.objects(staged, base + "ts-shop", ARCH + "profile")[0].value == "Retailer"
    (doc,) = ea.objects(staged, base + "ts-shopper", DESCRIPTION)
    assert doc.value == 'Anyone who buys "anything" from the shop.'
    (rel_doc,) = ea.objects(staged, base + "ts-r4", DESCRIPTION)
    assert rel_doc.value == "Payments are\npart of the web shop."
    owner = {
        o.value for o in ea.objects(staged, base + "ts-webshop", base + "property/propid-owner")
    }
    assert owner == {'Ada "the" Shopkeeper'}
    assert [
        o.value for o in ea.objects(staged, base + "ts-r4", base + "property/propid-since")
    ] == ["2024"]
    types = ea.types_of(staged)
    assert SVC + "Application" in types[base + "ts-webshop"]
    assert SVC + "InfrastructureComponent" in types[base + "ts-server"]
    edges = {(t.subject.value, t.predicate.value, t.object.value) for t in staged.triples}
    assert (base + "ts-webshop", SVC + "dependsOn", base + "ts-hosting") in edges
    loc = staged.locations[base + "ts-checkout"]
    assert (loc.file, loc.row, loc.line, loc.element_id) == (
        "tiny-shop-elements.csv",
        5,
        6,
        "ts-checkout",
    )
