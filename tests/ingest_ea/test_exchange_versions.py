"""Every element and relationship type of every exchange-format version imports.

The type lists are read from the Open Group schemas in ``../shared/fixtures/archimate/xsd``
(the concrete complex types deriving from the element and relationship base types), so a type
missing from ``ontology/alignments.ttl`` fails here. The 3.x schema (namespace ``.../3.0/``,
schema version 3.1) is the one the exchange format uses for ArchiMate 3.0, 3.1 and 3.2.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from lxml import etree

from svckg.ingest import archimate, pipeline
from svckg.ingest.base import SourceFile
from svckg.store.system import ensure_system_graphs
from tests.conftest import fixtures_dir, have_fixtures, requires_fixtures

XSD_DIR = fixtures_dir() / "archimate" / "xsd"
XS = "{http://www.w3.org/2001/XMLSchema}"
ARCH = "http://www.opengroup.org/xsd/archimate/3.0/#"

# What the 2.1 types are called in ArchiMate 3.x (ArchiMate 3.0 specification, appendix on
# changes from 2.1): written out here, not read from the mapping under test.
RENAMED_IN_3 = {
    "UsedByRelationship": "Serving",
    "RealisationRelationship": "Realization",
    "SpecialisationRelationship": "Specialization",
    "CommunicationPath": "Path",
    "Network": "CommunicationNetwork",
    "InfrastructureFunction": "TechnologyFunction",
    "InfrastructureInterface": "TechnologyInterface",
    "InfrastructureService": "TechnologyService",
    "Junction": "AndJunction",
}


def _name_in_3(type_21: str) -> str:
    """The 3.x name of a 2.1 type: renamed, or the ``Relationship`` suffix dropped."""
    return RENAMED_IN_3.get(type_21, type_21.removesuffix("Relationship"))


def _concrete_types(xsd: Path, bases: dict[str, str]) -> dict[str, list[str]]:
    """Concrete complex types of ``xsd`` grouped by the base (``element``/``relationship``)
    they derive from, following extension and restriction chains within the schema."""
    tree = etree.parse(str(xsd))
    parent: dict[str, str | None] = {}
    abstract: set[str] = set()
    for ct in tree.iter(f"{XS}complexType"):
        name = ct.get("name")
        ext = ct.find(f".//{XS}extension")
        if ext is None:
            ext = ct.find(f".//{XS}restriction")
        parent[name] = ext.get("base").rpartition(":")[2] if ext is not None else None
        if ct.get("abstract") == "true":
            abstract.add(name)
    out: dict[str, list[str]] = {kind: [] for kind in bases.values()}
    for name in parent:
        if name in abstract or name in bases:
            continue
        up = parent[name]
        while up is not None and up not in bases:
            up = parent.get(up)
        if up is not None:
            out[bases[up]].append(name)
    return out


pytestmark = requires_fixtures  # the type lists come from the XSDs (outside material)
_EMPTY: dict[str, list[str]] = {"element": [], "relationship": []}
TYPES_3 = (
    _concrete_types(
        XSD_DIR / "archimate3_Model.xsd",
        {"ElementType": "element", "RelationshipType": "relationship"},
    )
    if have_fixtures()
    else _EMPTY
)
TYPES_21 = (
    _concrete_types(
        XSD_DIR / "archimate_v2p1.xsd",
        {"elementType": "element", "relationshipType": "relationship"},
    )
    if have_fixtures()
    else _EMPTY
)


def _model(ns: str, name_tag: str, types: dict[str, list[str]], version: str) -> bytes:
    """An exchange file with one element of every element type and one relationship of every
    relationship type (between the first two elements)."""
    elements = [
        f'<element identifier="e-{t}" xsi:type="{t}"><{name_tag}>{escape(t)} one</{name_tag}>'
        "</element>"
        for t in types["element"]
    ]
    first, second = (f"e-{t}" for t in types["element"][:2])
    relationships = [
        f'<relationship identifier="r-{t}" xsi:type="{t}" source="{first}" target="{second}"/>'
        for t in types["relationship"]
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<model xmlns="{ns}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'identifier="every-type-{version}">'
        f"<{name_tag}>Every type {version}</{name_tag}>"
        f"<elements>{''.join(elements)}</elements>"
        f"<relationships>{''.join(relationships)}</relationships>"
        "</model>"
    ).encode()


def test_the_schemas_yield_the_type_lists() -> None:
    """Sanity of the derivation itself (the counts of the published schemas)."""
    assert len(TYPES_3["element"]) == 62 and len(TYPES_3["relationship"]) == 11
    assert len(TYPES_21["element"]) == 44 and len(TYPES_21["relationship"]) == 11
    assert "UsedByRelationship" in TYPES_21["relationship"]
    assert {"AndJunction", "OrJunction", "ValueStream"} <= set(TYPES_3["element"])


VERSIONS = {
    "2.1": (archimate.NS2, "label", TYPES_21),
    "3.x": (archimate.NS3, "name", TYPES_3),
}


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_every_type_of_the_version_imports(version, memory_store, monkeypatch) -> None:
    ns, name_tag, types = VERSIONS[version]
    if version != "2.1":  # the generated file must itself be valid against the schema
        monkeypatch.setenv("SVCKG_ARCHIMATE_XSD_DIR", str(XSD_DIR))
    data = _model(ns, name_tag, types, version)
    staged = archimate.parse(SourceFile(f"every-{version}.xml", data))
    got = Counter(
        t.object.value[len(ARCH) :]
        for t in staged.triples
        if t.predicate.value.endswith("#type") and t.object.value.startswith(ARCH)
    )
    for t in types["element"] + types["relationship"]:
        expected = _name_in_3(t) if version == "2.1" else t
        assert got[expected] >= 1, f"{version} type {t} did not import as {expected}"
    # one node per source type: no two source types collapse onto one
    all_types = types["element"] + types["relationship"]
    imported = sum(got[_name_in_3(t) if version == "2.1" else t] for t in all_types)
    assert imported == len(all_types)
    ensure_system_graphs(memory_store)
    outcome = pipeline.import_sources(
        memory_store, [SourceFile(f"every-{version}.xml", data)], allow_violations=True
    )
    rows = memory_store.query(
        f'SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a ?t FILTER(STRSTARTS(STR(?t), "{ARCH}")'
        f" && ?t NOT IN (<{ARCH}Model>)) }}"
    )
    assert int(next(iter(rows))["n"].value) == imported
    assert outcome.sources[0].status == "created"


def test_21_relationship_dependencies_match_their_3x_names() -> None:
    """A 2.1 UsedBy/Realisation file gives the same dependency edges as its 3.x twin."""
    types21 = {"element": ["ApplicationService", "BusinessProcess"], "relationship": []}
    types3 = dict(types21)

    def edges(ns: str, tag: str, rel: str, types: dict[str, list[str]]) -> set[tuple[str, str]]:
        data = _model(ns, tag, {**types, "relationship": [rel]}, "x")
        staged = archimate.parse(SourceFile("x.xml", data))
        return {
            (t.predicate.value, t.object.value.rpartition("/")[2])
            for t in staged.triples
            if t.predicate.value.startswith("https://w3id.org/svckg#")
        }

    for old, new in (("UsedByRelationship", "Serving"), ("RealisationRelationship", "Realization")):
        assert edges(archimate.NS2, "label", old, types21) == edges(
            archimate.NS3, "name", new, types3
        ), old
