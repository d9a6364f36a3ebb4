"""The RDF importer: formats, positions of syntax errors, encoding, blank nodes, graphs."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from svckg.errors import InputError, ParseError, UnsupportedFormat
from svckg.ingest.base import SourceFile
from svckg.ingest.rdf import ParsedTriples, parse
from svckg.ingest.registry import stage

SVC = "https://w3id.org/svckg#"
TTL = b"""@prefix svc: <https://w3id.org/svckg#> .
@prefix id: <https://w3id.org/svckg/id/> .
id:crm a svc:Application ;
    svc:usesResource id:db .
"""
EXPECTED = {
    (
        "https://w3id.org/svckg/id/crm",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
        SVC + "Application",
    ),
    ("https://w3id.org/svckg/id/crm", SVC + "usesResource", "https://w3id.org/svckg/id/db"),
}


def _set(triples) -> set[tuple[str, str, str]]:
    return {(t.subject.value, t.predicate.value, t.object.value) for t in triples}


@pytest.mark.parametrize("fmt", ["turtle", "trig", "ntriples", "nquads", "rdfxml", "jsonld"])
def test_every_rdf_format_gives_the_same_triples(fmt: str) -> None:
    graph = [q.triple for q in ox.parse(TTL, ox.RdfFormat.TURTLE)]
    target = {
        "turtle": ox.RdfFormat.TURTLE,
        "trig": ox.RdfFormat.TRIG,
        "ntriples": ox.RdfFormat.N_TRIPLES,
        "nquads": ox.RdfFormat.N_QUADS,
        "rdfxml": ox.RdfFormat.RDF_XML,
        "jsonld": ox.RdfFormat.JSON_LD,
    }[fmt]
    if fmt in ("trig", "nquads"):
        data = ox.serialize(
            [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode("http://g")) for t in graph],
            format=target,
        )
    else:
        data = ox.serialize(graph, format=target)
    staged = parse(SourceFile(f"x.{fmt}", data), fmt)
    assert staged.format == fmt and staged.source == f"x.{fmt}"
    assert _set(staged.triples) == EXPECTED
    assert len(staged.triples) == 2


def test_relative_iris_resolve_against_the_id_namespace() -> None:
    staged = parse(
        SourceFile("a.ttl", b"<crm> <https://w3id.org/svckg#ownedBy> <team> ."), "turtle"
    )
    assert _set(staged.triples) == {
        ("https://w3id.org/svckg/id/crm", SVC + "ownedBy", "https://w3id.org/svckg/id/team")
    }


def test_large_triple_files_stay_bytes() -> None:
    staged = parse(SourceFile("a.ttl", TTL), "turtle")
    assert isinstance(staged.triples, ParsedTriples)
    assert staged.triples.payload.data == TTL


@pytest.mark.parametrize(
    ("fmt", "data", "line", "column"),
    [
        ("turtle", b'@prefix a: <http://x/> .\na:b a:c a:d .\na:b a:c "open .\n', 3, 9),
        ("ntriples", b"<http://a> <http://b> <http://c> .\n<a> <b> .\n", 2, 1),
        ("jsonld", b'{"@id": "http://a",\n "http://b": [1,}', 2, 17),
        (
            "rdfxml",
            b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
            b"<rdf:Description>\n</rdf:RDF>",
            3,
            12,
        ),
    ],
)
def test_syntax_errors_name_file_line_and_column(
    fmt: str, data: bytes, line: int, column: int
) -> None:
    with pytest.raises(ParseError) as err:
        parse(SourceFile("broken.x", data), fmt)
    assert (err.value.source, err.value.line, err.value.column) == ("broken.x", line, column)
    assert f"broken.x, line {line}, column {column}" in err.value.describe()


def test_non_utf8_is_rejected_with_its_position() -> None:
    data = b'<http://a> <http://b> "caf\xe9" .\n'
    with pytest.raises(ParseError) as err:
        parse(SourceFile("latin1.nt", data), "ntriples")
    assert (err.value.line, err.value.column) == (1, 27)
    assert "UTF-8" in err.value.describe()


def test_a_byte_order_mark_is_accepted() -> None:
    staged = parse(SourceFile("bom.ttl", b"\xef\xbb\xbf" + TTL), "turtle")
    assert _set(staged.triples) == EXPECTED


@pytest.mark.parametrize("data", [b"", b"  \n\t\n", b"@prefix a: <http://x/> .\n# nothing\n"])
def test_empty_or_triple_less_files_are_rejected(data: bytes) -> None:
    with pytest.raises(InputError, match="empty|no triples") as err:
        parse(SourceFile("empty.ttl", data), "turtle")
    assert err.value.where == "empty.ttl"


def test_unknown_formats_are_rejected() -> None:
    with pytest.raises(UnsupportedFormat):
        parse(SourceFile("a.ttl", TTL), "n3")
    with pytest.raises(UnsupportedFormat, match="cannot tell the format"):
        stage([SourceFile("notes.txt", b"hello")])


def test_blank_nodes_are_renamed_per_source_and_deterministically() -> None:
    data = b"<http://x/a> <http://x/p> _:b0 . _:b0 <http://x/q> [ <http://x/r> 1 ] ."
    first = parse(SourceFile("one.ttl", data), "turtle").triples
    again = parse(SourceFile("one.ttl", data), "turtle").triples
    other = parse(SourceFile("two.ttl", data), "turtle").triples
    assert list(first) == list(again)
    blanks = lambda ts: {t.object.value for t in ts if isinstance(t.object, ox.BlankNode)}  # noqa: E731
    assert len(blanks(first)) == 2
    assert not blanks(first) & blanks(other)


def test_named_graphs_merge_into_the_import() -> None:
    data = (
        b"<http://x/a> <http://x/p> <http://x/b> <http://g/1> .\n"
        b"<http://x/a> <http://x/p> <http://x/b> <http://g/2> .\n"
        b"<http://x/c> <http://x/p> <http://x/d> .\n"
    )
    staged = parse(SourceFile("d.nq", data), "nquads")
    assert _set(staged.triples) == {
        ("http://x/a", "http://x/p", "http://x/b"),
        ("http://x/c", "http://x/p", "http://x/d"),
    }


def test_locations_give_the_line_of_first_mention() -> None:
    staged = parse(SourceFile("a.ttl", TTL), "turtle")
    assert staged.locations.get("https://w3id.org/svckg/id/crm").line == 3
    assert staged.locations.get("https://w3id.org/svckg/id/db").line == 4
    assert staged.locations.get("https://w3id.org/svckg/id/elsewhere") is None
