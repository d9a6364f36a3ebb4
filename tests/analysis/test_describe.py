"""The viewer's answers (svckg.analysis.describe) agree with impact and trace on names and
layers, search every label, and named queries keep their row limit in one place."""

from __future__ import annotations

import pytest

from svckg.analysis import describe, queries
from svckg.analysis.impact import impact
from svckg.analysis.index import get_index
from svckg.analysis.trace import trace
from svckg.errors import LimitExceeded
from svckg.store.embedded import EmbeddedStore

ID = "https://w3id.org/svckg/id/"
SVC = "https://w3id.org/svckg#"


def _layer_iri(summary: dict) -> str | None:
    return summary["layer"]["iri"] if summary["layer"] else None


def test_viewer_names_and_layers_elements_as_impact_does(demo: EmbeddedStore) -> None:
    result = impact(demo, [ID + "mail-server"]).to_json()
    assert result["impacted"], "the demo's mail server must impact something"
    for element in result["impacted"]:
        summary = describe.describe_node(demo, element["iri"])
        assert (summary["label"], _layer_iri(summary)) == (element["label"], element["layer"])
        assert [t["iri"] for t in summary["types"]] == element["types"]


def test_viewer_names_and_layers_elements_as_trace_does(demo: EmbeddedStore) -> None:
    result = trace(demo, ID + "cloud-workplace").to_json()
    nodes = [result["root"], *(e for layer in result["layers"] for e in layer["elements"])]
    assert len(nodes) > 1, "tracing the demo's cloud workplace must reach elements"
    describer = describe.Describer(demo)
    for node in nodes:
        summary = describer.summary(node["iri"])
        assert (summary["label"], _layer_iri(summary)) == (node["label"], node["layer"])


def test_search_matches_every_label_but_shows_the_best(make_store) -> None:
    store = make_store(
        (
            "https://w3id.org/svckg/graph/import/fr",
            "@prefix id: <https://w3id.org/svckg/id/> . "
            "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . "
            'id:vm1 rdfs:label "Machine virtuelle"@fr .',
        )
    )
    found = describe.search(store, "virtuelle")
    assert [(r["iri"], r["label"], r["matched"]) for r in found] == [
        (ID + "vm1", "VM 1", "Machine virtuelle")
    ]
    # shown: the label impact and trace show (the index's), English before French
    assert get_index(store).label(ID + "vm1") == "VM 1"


def test_search_sees_a_write_and_forgetting_rebuilds(make_store) -> None:
    store = make_store()
    assert describe.search(store, "webmail")[0]["iri"] == ID + "webmail"
    describe.forget_search_labels()
    assert describe.search(store, "webmail")[0]["iri"] == ID + "webmail"
    store.update(
        "INSERT DATA { GRAPH <urn:g> { "
        '<urn:x> <http://www.w3.org/2000/01/rdf-schema#label> "Webmail two" } }'
    )
    assert [r["iri"] for r in describe.search(store, "webmail")] == [ID + "webmail", "urn:x"]


def test_answer_named_keeps_the_row_limit(demo: EmbeddedStore) -> None:
    given = {"text": "mail"}
    variables, rows = queries.run_named(demo, "find-elements", given)
    assert len(rows) > 1, "the demo has several elements named after mail"
    answer = queries.answer_named(demo, "find-elements", given, max_rows=len(rows), timeout_s=None)
    assert answer.variables == variables and answer.rows == rows
    assert answer.to_json()["rows"] == [
        {v: (None if t is None else t.value) for v, t in zip(variables, row, strict=True)}
        for row in rows
    ]
    with pytest.raises(LimitExceeded, match=f"returned {len(rows)} rows, more than"):
        queries.answer_named(demo, "find-elements", given, max_rows=len(rows) - 1, timeout_s=None)
