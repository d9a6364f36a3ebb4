"""Impact, trace and the pages name an element by the same rule (``terms.best_label``): the
index keeps the best label by ``terms.label_rank`` whatever order the store gives the
candidates, on the index and on the engine source alike."""

from __future__ import annotations

import itertools

import pytest

from svckg.analysis.describe import display_label
from svckg.analysis.impact import impact
from svckg.analysis.index import build_index
from svckg.analysis.pushdown import EngineSource, IndexSource
from tests.analysis.conftest import mail_store

ID = "https://w3id.org/svckg/id/"
CANDIDATES = [
    ("rdfs:label", '"Courrier"@fr'),
    ("rdfs:label", '"Mail untagged"'),
    ("rdfs:label", '"Mail (GB)"@en-GB'),
    ("skos:prefLabel", '"Mail preferred"@en-GB'),
]


@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_the_index_and_the_engine_name_an_element_as_the_pages_do(count: int) -> None:
    for chosen in itertools.permutations(CANDIDATES, count):
        lines = "\n".join(f"id:webmail {p} {o} ." for p, o in chosen)
        turtle = (
            "@prefix id: <https://w3id.org/svckg/id/> .\n"
            "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
            "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n" + lines
        )
        store = mail_store(("https://w3id.org/svckg/graph/import/labels", turtle))
        store.update(  # only the candidates above name it
            "DELETE WHERE { GRAPH ?g { <https://w3id.org/svckg/id/webmail> "
            '<http://www.w3.org/2000/01/rdf-schema#label> "Webmail"@en } }'
        )
        expected = display_label(store, ID + "webmail")
        for source in (IndexSource(build_index(store)), EngineSource(store)):
            found = impact(store, [ID + "db1", ID + "db2"], source=source).to_json()
            names = {e["iri"]: e["label"] for e in found["impacted"]}
            assert names[ID + "webmail"] == expected, (chosen, source.mode)
        store.close()
