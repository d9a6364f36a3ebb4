"""Property test of the exporter: any small svckg graph exports to a schema-valid exchange file
that re-imports to the same graph (plus ArchiMate bookkeeping only)."""

from __future__ import annotations

import pyoxigraph as ox
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svckg.errors import SvckgError
from svckg.export.archimate import export_archimate
from svckg.ingest import archimate
from svckg.ingest.base import SourceFile
from svckg.store.embedded import EmbeddedStore
from svckg.vocab import CONTRACT_CLASSES, DEPENDENCY_PROPERTIES

SVC = "https://w3id.org/svckg#"
ARCH = "http://www.opengroup.org/xsd/archimate/3.0/#"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"
IDENT = "http://purl.org/dc/terms/identifier"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
NODES = [f"https://example.org/n/{i}" for i in range(6)] + [
    "https://example.org/weird%20path/%C3%A9?x=1#frag"
]

literals = st.one_of(
    st.builds(ox.Literal, st.text(min_size=1, max_size=12)),
    st.builds(
        lambda t, lang: ox.Literal(t, language=lang),
        st.text(min_size=1, max_size=8),
        st.sampled_from(["en", "nb", "en-GB"]),
    ),
    st.builds(
        lambda i: ox.Literal(str(i), datatype=ox.NamedNode(XSD_NS + "integer")),
        st.integers(-5, 5000),
    ),
    st.builds(
        lambda b: ox.Literal("true" if b else "false", datatype=ox.NamedNode(XSD_NS + "boolean")),
        st.booleans(),
    ),
)


@st.composite
def graphs(draw) -> list[ox.Triple]:
    nodes = draw(st.lists(st.sampled_from(NODES), min_size=1, max_size=6, unique=True))
    triples = []
    for n in nodes:
        for cls in draw(st.lists(st.sampled_from(CONTRACT_CLASSES), min_size=1, max_size=2)):
            triples.append(
                ox.Triple(ox.NamedNode(n), ox.NamedNode(RDF_TYPE), ox.NamedNode(SVC + cls))
            )
        if draw(st.booleans()):
            triples.append(ox.Triple(ox.NamedNode(n), ox.NamedNode(LABEL), draw(literals)))
        if draw(st.booleans()):
            triples.append(
                ox.Triple(ox.NamedNode(n), ox.NamedNode(SVC + "costCenter"), draw(literals))
            )
        if draw(st.booleans()):
            triples.append(
                ox.Triple(
                    ox.NamedNode(n),
                    ox.NamedNode(SVC + "lifecycleStatus"),
                    ox.NamedNode("https://w3id.org/svckg/concepts/live"),
                )
            )
    for _ in range(draw(st.integers(0, 8))):
        s, o = draw(st.sampled_from(nodes)), draw(st.sampled_from(nodes))
        p = draw(st.sampled_from([*DEPENDENCY_PROPERTIES, "dependsOn", "ownedBy", "member"]))
        triples.append(ox.Triple(ox.NamedNode(s), ox.NamedNode(SVC + p), ox.NamedNode(o)))
    return triples


def _store(triples) -> EmbeddedStore:
    store = EmbeddedStore(None)
    store.load(triples, "https://w3id.org/svckg/graph/import/p")
    return store


def _content(store: EmbeddedStore) -> set[ox.Triple]:
    return {ox.Triple(q.subject, q.predicate, q.object) for q in store.quads()}


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(graphs())
def test_any_graph_round_trips(with_xsd, triples: list[ox.Triple]) -> None:
    original = _store(triples)
    try:
        data = export_archimate(original)
    except SvckgError:
        return  # a value XML cannot hold is refused cleanly (checked below)
    staged = archimate.parse(SourceFile("p.xml", data), with_xsd)  # the XSD check is on
    again = _store(staged.triples)
    before, after = _content(original), _content(again)
    assert before <= after
    models = {t.subject for t in after if t.object.value == ARCH + "Model"}
    extra = {
        t
        for t in after - before
        if not (
            t.predicate.value.startswith(ARCH)
            or t.object.value.startswith(ARCH)
            or t.predicate.value == IDENT
            or t.subject in models
        )
    }
    assert extra == set()


def test_values_xml_cannot_hold_are_refused_cleanly() -> None:
    bad = ox.Triple(ox.NamedNode(NODES[0]), ox.NamedNode(LABEL), ox.Literal("bell \x07"))
    typed = ox.Triple(ox.NamedNode(NODES[0]), ox.NamedNode(RDF_TYPE), ox.NamedNode(SVC + "Service"))
    store = _store([bad, typed])
    try:
        export_archimate(store)
    except SvckgError as exc:
        assert NODES[0] in exc.describe()
    else:
        raise AssertionError("a control character cannot be written in XML 1.0")
