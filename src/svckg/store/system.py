"""System graphs: the ontology, concept schemes and alignments every store holds.

Each file is loaded into its own named graph (``vocab.ONTOLOGY_GRAPH``, ``CONCEPTS_GRAPH``,
``ALIGNMENTS_GRAPH``). The SHA-256 of the loaded file is kept in :data:`SYSTEM_GRAPH`
(``<graph> spdx:checksumValue "hex" ; dcterms:source "file name"``), so a graph is reloaded
only when the package's copy changes. The graph is replaced first and the checksum written
second: an interrupted refresh is simply redone on the next call.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox

from svckg.config import ONTOLOGY_DIR
from svckg.errors import ParseError, UnsupportedFormat
from svckg.store.base import Store
from svckg.vocab import ALIGNMENTS_GRAPH, CONCEPTS_GRAPH, ONTOLOGY_GRAPH
from svckg.vocab import SYSTEM_GRAPH as _SYSTEM_GRAPH

SYSTEM_GRAPH = str(_SYSTEM_GRAPH)

CHECKSUM = "http://spdx.org/rdf/terms#checksumValue"
SOURCE = "http://purl.org/dc/terms/source"


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def loaded_checksums(store: Store) -> dict[str, str]:
    """``{graph IRI: sha256}`` recorded in the system graph."""
    rows = store.query(
        f"SELECT ?g ?sum WHERE {{ GRAPH <{SYSTEM_GRAPH}> {{ ?g <{CHECKSUM}> ?sum }} }}"
    )
    assert isinstance(rows, ox.QuerySolutions)
    return {row["g"].value: row["sum"].value for row in rows}


def ensure_system_graphs(
    store: Store,
    *,
    ontology: Path | None = None,
    concepts: Path | None = None,
    alignments: Path | None = None,
) -> bool:
    """Load or refresh the system graphs from their files; True if anything changed.

    Paths default to ``svckg.config.ONTOLOGY_DIR`` (``svckg.ttl``, ``concepts.ttl``,
    ``alignments.ttl``). The ontology and concepts files must exist; the alignments file is
    optional (its graph is dropped when the file is gone). A file with bad syntax raises
    ParseError naming the file, line and column, and leaves its graph as it was.
    """
    sources = {
        str(ONTOLOGY_GRAPH): (ontology or ONTOLOGY_DIR / "svckg.ttl", True),
        str(CONCEPTS_GRAPH): (concepts or ONTOLOGY_DIR / "concepts.ttl", True),
        str(ALIGNMENTS_GRAPH): (alignments or ONTOLOGY_DIR / "alignments.ttl", False),
    }
    recorded = loaded_checksums(store)
    changed = False
    for graph, (path, required) in sources.items():
        if not path.is_file():
            if required:
                raise ParseError(
                    "system file is missing",
                    source=str(path),
                    hint="reinstall svckg or restore the ontology/ directory",
                )
            if graph in recorded or graph in store.graphs():
                store.drop_graph(graph)
                _forget(store, graph)
                changed = True
            continue
        digest = file_sha256(path)
        if recorded.get(graph) == digest and store.count(graph) > 0:
            continue
        _load_file(store, path, graph)
        _forget(store, graph)
        store.update(
            f"INSERT DATA {{ GRAPH <{SYSTEM_GRAPH}> {{ <{graph}> <{CHECKSUM}> "
            f'"{digest}" ; <{SOURCE}> {ox.Literal(path.name)} }} }}'
        )
        changed = True
    return changed


def _load_file(store: Store, path: Path, graph: str) -> None:
    fmt = ox.RdfFormat.from_extension(path.suffix.lstrip("."))
    if fmt is None:
        raise UnsupportedFormat(
            f"unknown RDF file extension {path.suffix!r}",
            where=str(path),
            hint="use .ttl, .nt, .rdf or .jsonld",
        )
    try:
        store.load(path.read_bytes(), graph, format=fmt, replace=True)
    except ParseError as exc:
        raise ParseError(
            exc.message,
            source=str(path),
            line=exc.line,
            column=exc.column,
            hint="fix the file; the store keeps the previous version",
        ) from exc


def _forget(store: Store, graph: str) -> None:
    store.update(f"DELETE WHERE {{ GRAPH <{SYSTEM_GRAPH}> {{ <{graph}> ?p ?o }} }}")
