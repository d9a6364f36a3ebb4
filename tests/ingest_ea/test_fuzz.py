"""Fuzzing the EA parsers with mutated real inputs: a clean svckg error or a result, never a
crash. Kept to a few seconds (modest ``max_examples``, no deadline). Seeds: the project's own
tiny-shop files, plus Archi's samples when the outside material is there."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svckg.errors import InputError
from svckg.ingest import archi_csv, archimate, tabular
from svckg.ingest.base import SourceFile, Staged
from tests.conftest import fixture_path, have_fixtures

OWN = Path(__file__).parent / "data"
OUTSIDE = have_fixtures()
XML_SEEDS = [(OWN / "tiny-shop.xml").read_bytes()] + [
    fixture_path(f"archimate/{n}").read_bytes()
    for n in ("Sample1.xml", "bendpoint.test.xml")
    if OUTSIDE
]
CSV_SEEDS = {
    kind: [(OWN / f"tiny-shop-{kind}.csv").read_bytes()]
    + ([fixture_path(f"archi-csv/test1-{kind}.csv").read_bytes()] if OUTSIDE else [])
    for kind in ("elements", "relations", "properties")
}
TOKENS = [
    b"<",
    b">",
    b'"',
    b"'",
    b"&",
    b"&amp;",
    b"\n",
    b",",
    b"#",
    b"\xff",
    b"\x00",
    b"]]>",
    b'xml:lang="e n"',
    b'xml:lang="en-GB"',
    b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>",
    b'xsi:type="Node"',
    b'xsi:type="UsedBy"',
    b'identifier="id-37d5bc4b"',
    b"Relationship",
    b'source="nope"',
    b"ArchimateModel",
    b'""',
    b"\r\n",
    b"\t",
    b";",
]
FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def mutated(draw, seeds: list[bytes]) -> bytes:
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        pos = draw(st.integers(0, len(data) - 1))
        op = draw(st.sampled_from(["insert", "delete", "replace", "truncate"]))
        if op == "insert":
            data[pos:pos] = draw(st.sampled_from(TOKENS) | st.binary(min_size=1, max_size=4))
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 12))]
        elif op == "replace":
            data[pos : pos + 1] = draw(st.sampled_from(TOKENS))
        else:
            del data[pos:]
    return bytes(data)


def _clean(call) -> None:
    try:
        result = call()
    except InputError as exc:
        assert exc.describe()  # a message, and no other kind of exception
        return
    staged = result if isinstance(result, list) else [result]
    assert all(isinstance(s, Staged) for s in staged)


@FUZZ
@given(mutated(XML_SEEDS))
def test_exchange_parser_never_crashes(data: bytes) -> None:
    _clean(lambda: archimate.parse(SourceFile("fuzz.xml", data)))


@FUZZ
@given(
    mutated(CSV_SEEDS["elements"]),
    mutated(CSV_SEEDS["relations"]),
    mutated(CSV_SEEDS["properties"]),
)
def test_archi_csv_parser_never_crashes(elements: bytes, relations: bytes, props: bytes) -> None:
    files = [
        SourceFile("f-elements.csv", elements),
        SourceFile("f-relations.csv", relations),
        SourceFile("f-properties.csv", props),
    ]
    _clean(lambda: archi_csv.parse(files))


MAPPING = """entities:
  - id: ID
    label: Name
    class: svc:BackendService
    columns:
      Uses: {property: svc:usesResource, lookup: id, separator: ";"}
      Order: {property: svc:stepOrder, datatype: xsd:integer}
      Note: {property: rdfs:comment, language: en}
"""
SHEET = b'ID,Name,Uses,Order,Note\nA,Alpha,B;C,1,"x\ny"\nB,Beta,,2,\nC,Gamma,A,3,z\n'


@FUZZ
@given(mutated([SHEET]))
def test_tabular_parser_never_crashes(tmp_path_factory, data: bytes) -> None:
    mapping = Path(tmp_path_factory.getbasetemp()) / "fuzz-mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    _clean(lambda: tabular.parse(SourceFile("fuzz.csv", data), mapping))
