"""RDFS sub-property entailment for the dependency properties.

Every edge of a sub-property of ``svc:dependsOn`` (read from the ontology, not hard-coded)
implies a ``svc:dependsOn`` edge. The pipeline stores these in an inference graph tied to
each import, so queries follow one predicate while the asserted sub-property explains a step.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from svckg.store.base import Store
from svckg.vocab import ONTOLOGY_GRAPH, SVC

DEPENDS_ON = ox.NamedNode(str(SVC.dependsOn))

_SUBPROPERTIES = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?p WHERE { ?p rdfs:subPropertyOf+ <https://w3id.org/svckg#dependsOn> }
"""


def dependency_subproperties(store: Store, ontology_graph: str = str(ONTOLOGY_GRAPH)) -> set[str]:
    """IRIs of every (transitive) sub-property of ``svc:dependsOn`` in the ontology graph."""
    rows = store.query(_SUBPROPERTIES, default_graph=[ontology_graph])
    return {row["p"].value for row in rows}


def dependency_edges(triples: Iterable[ox.Triple], subproperties: set[str]) -> list[ox.Triple]:
    """The ``svc:dependsOn`` triples entailed by ``triples`` (not already asserted).

    >>> t = ox.Triple(ox.NamedNode("http://x/a"), ox.NamedNode("https://w3id.org/svckg#usesResource"),
    ...               ox.NamedNode("http://x/b"))
    >>> [str(e.predicate) for e in dependency_edges([t], {"https://w3id.org/svckg#usesResource"})]
    ['<https://w3id.org/svckg#dependsOn>']
    """
    asserted: set[tuple] = set()
    entailed: dict[tuple, ox.Triple] = {}
    for t in triples:
        if t.predicate == DEPENDS_ON:
            asserted.add((t.subject, t.object))
        elif t.predicate.value in subproperties and not isinstance(t.object, ox.Literal):
            entailed.setdefault((t.subject, t.object), ox.Triple(t.subject, DEPENDS_ON, t.object))
    return [t for key, t in entailed.items() if key not in asserted]
