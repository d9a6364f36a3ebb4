"""The JSON contracts of impact and trace: one builder each, checked against the shape the
module notes of ``svckg.analysis.results`` document (keys, order, value kinds)."""

from __future__ import annotations

import json
import re

import pytest

from svckg.analysis import results
from svckg.analysis.impact import impact
from svckg.analysis.results import path_json
from svckg.analysis.trace import trace

ID = "https://w3id.org/svckg/id/"


def documented() -> dict[str, list[str]]:
    """Type name -> documented keys, read from the module notes (not from the code)."""
    text = (results.__doc__ or "").split("::", 1)[1].split("\n\n")[1]
    rows: dict[str, list[str]] = {}
    name = ""
    for line in text.splitlines():
        head = re.match(r"    (\w+)\s+(.*)", line)
        if head and head.group(1)[0].isupper() and not line.startswith("     "):
            name, rest = head.group(1), head.group(2)
            rows[name] = []
        else:
            rest = line
        rest = re.sub(r"\([^)]*\)", "", rest)  # ("down" | "degraded")
        rest = re.sub(r"\[[^\]]*\]*", "", rest)  # : [Type], [[{s, p, o}]]
        rows[name] += [k.split(":")[0].strip() for k in rest.split(",") if k.strip()]
    return rows


TYPES = {
    "ImpactResult": results.ImpactResult,
    "ElementInfo": results.NodeInfo,
    "ImpactedElement": results.ImpactedElement,
    "AffectedAgreement": results.AffectedAgreement,
    "Target": results.Target,
    "AffectedParty": results.AffectedParty,
    "Contact": results.Contact,
    "GoalOrPlan": results.GoalOrPlan,
    "TraceResult": results.TraceResult,
    "TraceRoot": results.TraceRoot,
    "LayerGroup": results.LayerGroup,
    "TracedElement": results.TracedElement,
    "OwnerRef": results.OwnerRef,
}


def test_every_documented_type_has_those_keys_in_that_order() -> None:
    doc = documented()
    assert set(doc) == set(TYPES)
    for name, cls in TYPES.items():
        assert [f.key for f in results.json_fields(cls)] == doc[name], name


def keys_in_order(value: object, cls: type) -> None:
    """Every dict of the document has the documented keys of its type, in order."""
    doc = documented()
    names = {c: n for n, c in TYPES.items()}
    assert isinstance(value, dict)
    assert list(value) == doc[names[cls]], cls
    for field in results.json_fields(cls):
        item = results.item_type(field.hint)
        inner = value[field.key]
        if isinstance(item, type) and issubclass(item, results.Contract):
            for each in inner:
                keys_in_order(each, item)
        elif isinstance(field.hint, type) and issubclass(field.hint, results.Contract):
            keys_in_order(inner, field.hint)


def test_impact_json_is_the_documented_shape_and_the_objects(mail) -> None:
    result = impact(mail, ["id:db1", "id:vm1"], max_paths=2)
    data = json.loads(json.dumps(result.to_json()))
    keys_in_order(data, results.ImpactResult)
    assert data["impacted"] and data["agreements"] and data["parties"] and data["owners"]
    for element, obj in zip(data["impacted"], result.impacted, strict=True):
        assert element["status"] in ("down", "degraded")
        assert element["iri"] == obj.iri and element["visibleIn"] == list(obj.visible_to)
        assert [[(e["s"], e["p"], e["o"]) for e in p] for p in element["paths"]] == [
            list(p) for p in obj.paths
        ]


def test_trace_json_is_the_documented_shape_and_the_objects(mail) -> None:
    result = trace(mail, "id:mail-journey")
    data = result.to_json()
    keys_in_order(data, results.TraceResult)
    assert data["root"]["owners"] == [{"iri": o.iri, "label": o.label} for o in result.root_owners]
    elements = [e for group in data["layers"] for e in group["elements"]]
    assert [(e["iri"], [tuple(s.values()) for s in e["path"]]) for e in elements] == [
        (e.iri, list(e.path)) for e in result.elements
    ]


def test_shared_tails_are_reused_only_when_equal() -> None:
    a, b, c = (ID + x for x in "abc")
    tail = ((b, "p", c),)
    shared: results.Written = {}
    below = path_json(tail, shared)
    same = path_json(((a, "p", b), *tail), shared)
    assert same == [{"s": a, "p": "p", "o": b}, {"s": b, "p": "p", "o": c}]
    assert same[1] is below[0]  # reused
    other = path_json(((a, "p", b), (b, "q", c)), shared)  # same start, another tail
    assert other[1] == {"s": b, "p": "q", "o": c}


def test_a_result_type_must_type_its_fields() -> None:
    class NoFields(results.Contract):
        JSON_ORDER = ("x",)

    with pytest.raises(KeyError):
        results.contract(NoFields)
