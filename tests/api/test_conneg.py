"""Accept-header parsing and negotiation."""

from __future__ import annotations

import pytest

from svckg.api.conneg import (
    RDF_ALIASES,
    RDF_TYPES,
    RESULTS_TYPES,
    media_type_of,
    negotiate,
    parse_accept,
    prefers_html,
)

FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(
    ("accept", "offers", "expected"),
    [
        (None, list(RESULTS_TYPES), "application/sparql-results+json"),
        ("", list(RESULTS_TYPES), "application/sparql-results+json"),
        ("*/*", list(RDF_TYPES), "text/turtle"),
        ("text/csv", list(RESULTS_TYPES), "text/csv"),
        (
            "text/*;q=0.5, application/sparql-results+xml",
            list(RESULTS_TYPES),
            "application/sparql-results+xml",
        ),
        ("text/*", list(RESULTS_TYPES), "text/csv"),
        (
            "application/n-triples;q=0.9, text/turtle;q=0.1",
            list(RDF_TYPES),
            "application/n-triples",
        ),
        ("text/turtle;q=0, */*;q=0.1", list(RDF_TYPES), "application/n-triples"),
        ("application/json", list(RESULTS_TYPES), "application/sparql-results+json"),
        ("image/png", list(RESULTS_TYPES), None),
        ("text/turtle", list(RESULTS_TYPES), None),
    ],
)
def test_negotiate(accept: str | None, offers: list[str], expected: str | None) -> None:
    assert negotiate(accept, offers) == expected


def test_json_means_json_ld_for_graphs() -> None:
    assert negotiate("application/json", list(RDF_TYPES), RDF_ALIASES) == "application/ld+json"


def test_more_specific_range_sets_the_quality() -> None:
    # text/turtle is refused explicitly even though text/* is welcome
    assert negotiate("text/*, text/turtle;q=0", ["text/turtle", "text/csv"]) == "text/csv"


def test_malformed_entries_are_skipped() -> None:
    ranges = parse_accept("garbage, text/csv;q=abc, text/turtle")
    assert [(r.type, r.subtype, r.q) for r in ranges] == [
        ("text", "turtle", 1.0),
        ("text", "csv", 0.0),
    ]


@pytest.mark.parametrize(
    ("accept", "html"),
    [
        (FIREFOX, True),
        ("text/html", True),
        ("text/turtle", False),
        ("*/*", False),
        (None, False),
        ("text/turtle, text/html;q=0.5", False),
        ("application/sparql-results+json,*/*;q=0.9", False),
    ],
)
def test_prefers_html(accept: str | None, html: bool) -> None:
    assert prefers_html(accept) is html


def test_media_type_of() -> None:
    assert media_type_of('Text/Turtle; Charset="utf-8"') == ("text/turtle", {"charset": "utf-8"})
    assert media_type_of(None) == ("", {})


@pytest.mark.parametrize(
    "accept",
    [None, "", "*/*", "text/csv", "application/json", "application/xml;q=0.5, text/turtle;q=0.4",
     "image/png", "text/*;q=0.3, application/*;q=0.2", FIREFOX],
)  # fmt: skip
def test_kept_answers_are_the_answers_worked_out_again(accept: str | None) -> None:
    """:func:`negotiate` keeps answers per (Accept, offers, aliases); an Accept header longer
    than the kept ones is worked out each time: padded with ranges that match nothing, the
    same header gets the same answer by both ways, for every offer list and alias table."""
    from svckg.api.conneg import CACHED_ACCEPT_CHARS

    padding = ", x-none/x-none;q=0.1" * (CACHED_ACCEPT_CHARS // 20 + 1)
    long_accept = (accept or "*/*") + padding
    assert len(long_accept) > CACHED_ACCEPT_CHARS
    for offers, aliases in [(list(RESULTS_TYPES), None), (list(RDF_TYPES), RDF_ALIASES),
                            (list(RDF_TYPES), {}), (list(RDF_TYPES), None)]:  # fmt: skip
        kept = [negotiate(accept, offers, aliases) for _ in range(2)]
        assert kept[0] == kept[1]
        if accept:  # an absent or empty header means */*
            assert kept[0] == negotiate(long_accept, offers, aliases)
    # the alias table is part of the key: the same header, two answers
    assert negotiate("application/json", list(RDF_TYPES), RDF_ALIASES) == "application/ld+json"
    assert negotiate("application/json", list(RDF_TYPES), {}) is None
