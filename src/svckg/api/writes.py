"""The one path by which the Graph Store Protocol writes RDF graphs: validated by the import
pipeline (:func:`svckg.ingest.pipeline.validate_sources`, the same shapes and rules as
``svckg import``), then written under the app's write lock together with the
``svc:dependsOn`` edges the triples entail (in ``<graph>/inferred``, as imports do).

Rules, as for imports (:func:`svckg.ingest.pipeline.reject_invalid`): violations reject the
write (422 with the report); warnings reject it unless the request says ``force=true``.
Nothing is written when a write is rejected. Graph Store writes are not versioned import
records; use ``/api/imports`` for those.
"""

from __future__ import annotations

import pyoxigraph as ox

from svckg.api.state import AppState
from svckg.ingest.base import SourceFile
from svckg.ingest.inference import dependency_edges, dependency_subproperties
from svckg.ingest.pipeline import reject_invalid, validate_sources
from svckg.ingest.records import inferred_graph

PIPELINE_FORMATS: dict[ox.RdfFormat, str] = {
    ox.RdfFormat.TURTLE: "turtle",
    ox.RdfFormat.N_TRIPLES: "ntriples",
    ox.RdfFormat.RDF_XML: "rdfxml",
    ox.RdfFormat.JSON_LD: "jsonld",
}
"""pyoxigraph format -> the pipeline's format key."""


def validate_document(
    state: AppState, name: str, data: bytes, fmt: ox.RdfFormat, force: bool
) -> None:
    """Validate one RDF document as an import would; ValidationFailed when rejected."""
    report = validate_sources(
        state.store, [SourceFile(name, data)], format=PIPELINE_FORMATS[fmt], settings=state.settings
    )
    state.metrics.record_report(report)
    reject_invalid(
        report,
        force=force,
        fail_on="warning",  # a Graph Store write is one edit: its warnings block unless force
        nothing="nothing was written",
        fix_hint="fix the data and send it again",
        force_hint="fix the data, or send it again with ?force=true",
        where=name,
    )


def commit_graph(state: AppState, graph: str, triples: list[ox.Triple], replace: bool) -> None:
    """Write validated ``triples`` into ``graph`` (``replace`` empties it first) and refresh
    its inferred ``svc:dependsOn`` edges."""
    with state.write_lock:
        store = state.store
        edges = dependency_edges(triples, dependency_subproperties(store))
        store.load(triples, graph, replace=replace)
        if replace:
            store.drop_graph(inferred_graph(graph))
        if edges:
            store.load(edges, inferred_graph(graph))


def drop_graph(state: AppState, graph: str) -> None:
    """Remove ``graph`` and its inferred edges."""
    with state.write_lock:
        state.store.drop_graph(graph)
        state.store.drop_graph(inferred_graph(graph))
