"""What GraphQL mutations write, and how: through the import pipeline, validated first.

Every element created through GraphQL lives in one import, source :data:`SOURCE`. A mutation
computes that import's next content (its current triples with the change applied) and hands it
to :func:`svckg.ingest.pipeline.import_sources`: the shapes are checked against the new content
together with what it touches; a violation (or a warning without ``force``) raises
:class:`~svckg.errors.ValidationFailed` with the report and writes nothing; otherwise the
import gets a new version, with its PROV-O record and inferred ``svc:dependsOn`` edges.

Elements defined by other imports are read-only here: change them by re-importing their
source (the error says which import holds them).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from svckg.api.state import AppState
from svckg.errors import InputError, NotFound, ValidationFailed
from svckg.ingest import imports, records
from svckg.ingest.base import SourceFile
from svckg.ingest.pipeline import import_sources
from svckg.terms import RDF_TYPE, RDFS_LABEL

SOURCE = "graphql-edits.nt"
"""Source name of the import holding every element written through GraphQL."""
XSD = "http://www.w3.org/2001/XMLSchema#"
DATATYPES = {"Int": XSD + "integer", "Float": XSD + "decimal", "Boolean": XSD + "boolean"}


@dataclass(frozen=True)
class PropertyValues:
    """New values of one property (replacing the old ones; empty clears it)."""

    predicate: str
    values: tuple[ox.NamedNode | ox.Literal, ...]


def literal(value: object, scalar: str) -> ox.Literal:
    """The RDF literal of a GraphQL scalar value.

    >>> literal(3, "Int").datatype.value
    'http://www.w3.org/2001/XMLSchema#integer'
    >>> literal(True, "Boolean").value
    'true'
    """
    if scalar == "Boolean":
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(DATATYPES[scalar]))
    if scalar in DATATYPES:
        return ox.Literal(str(value), datatype=ox.NamedNode(DATATYPES[scalar]))
    return ox.Literal(str(value))


def mint_iri(base: str, label: str) -> str:
    """A new element IRI under ``base`` from ``label`` (slug plus a short random suffix).

    >>> mint_iri("https://w3id.org/svckg/id/", "Cloud Mail").startswith(
    ...     "https://w3id.org/svckg/id/cloud-mail-")
    True
    """
    slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:40] or "element"
    return f"{base}{slug}-{uuid.uuid4().hex[:8]}"


def _current(state: AppState) -> tuple[records.ImportRecord | None, list[ox.Triple]]:
    rec = records.find_by_source(state.store, SOURCE)
    if rec is None:
        return None, []
    return rec, [q.triple for q in state.store.quads(graph=rec.graph)]


def _holder(state: AppState, iri: str) -> str | None:
    """The import id of a current import graph that describes ``iri``, if any."""
    node = ox.NamedNode(iri)
    for rec in records.list_imports(state.store):
        if next(iter(state.store.quads(node, None, None, graph=rec.graph)), None) is not None:
            return rec.import_id
    return None


def _commit(state: AppState, triples: list[ox.Triple], force: bool) -> None:
    """Import ``triples`` as the new content of the GraphQL import (validated first)."""
    if not triples:
        rec = records.find_by_source(state.store, SOURCE)
        if rec is not None:
            imports.remove(state.store, rec.import_id)
        return
    data = ox.serialize(sorted(triples, key=str), format=ox.RdfFormat.N_TRIPLES) or b""
    try:
        import_sources(
            state.store,
            [SourceFile(SOURCE, data)],
            format="ntriples",
            force=force,
            fail_on="warning",  # a mutation is one edit: its warnings block unless force
            agent="graphql",
            settings=state.settings,
        )
    except ValidationFailed as exc:
        report = exc.report
        violations = bool(getattr(report, "violations", None))
        raise ValidationFailed(
            exc.message.replace("imported", "written"),
            report=report,
            where=exc.where,
            hint="fix the values named in the messages and send the mutation again"
            if violations
            else "fix the values, or send the mutation again with force: true (recorded)",
        ) from exc


def create_element(
    state: AppState,
    class_iri: str,
    iri: str | None,
    label: str,
    properties: Sequence[PropertyValues],
    *,
    force: bool = False,
) -> str:
    """Create an element of class ``class_iri``; returns its IRI (minted when not given).

    InputError when the IRI is already used; ValidationFailed (nothing written) when the
    shapes reject the result."""
    if not label.strip():
        raise InputError("the label is empty", where="input.label", hint="give the element a name")
    with state.write_lock:
        iri = iri or mint_iri(state.settings.base_iri, label)
        node = ox.NamedNode(iri)
        if next(iter(state.store.quads(node, None, None)), None) is not None:
            raise InputError(
                "an element with this IRI already exists",
                where=iri,
                hint="use the update mutation, or give another id",
            )
        _, triples = _current(state)
        triples += [
            ox.Triple(node, RDF_TYPE, ox.NamedNode(class_iri)),
            ox.Triple(node, RDFS_LABEL, ox.Literal(label)),
        ]
        for prop in properties:
            triples += [ox.Triple(node, ox.NamedNode(prop.predicate), v) for v in prop.values]
        _commit(state, triples, force)
    return iri


def _editable(
    state: AppState, iri: str, classes: Sequence[str]
) -> tuple[ox.NamedNode, list[ox.Triple]]:
    """The element (created through GraphQL, typed with one of ``classes``) and the current
    triples of the GraphQL import."""
    node = ox.NamedNode(iri)
    _, triples = _current(state)
    if not any(t.subject == node for t in triples):
        holder = _holder(state, iri)
        if holder is not None:
            raise InputError(
                f"the element is defined by import {holder!r}, not through GraphQL",
                where=iri,
                hint=f"change it in the source of import {holder!r} and re-import it",
            )
        raise NotFound(
            "no element with this id was created through GraphQL",
            where=iri,
            hint="check the id (node(id: ...) shows what the store holds)",
        )
    typed = {t.object.value for t in triples if t.subject == node and t.predicate == RDF_TYPE}
    if not typed & set(classes):
        raise InputError(
            f"the element is not a {', '.join(c.rsplit('#', 1)[-1] for c in classes[:1])}",
            where=iri,
            hint="use the mutation of its class (its types: " + ", ".join(sorted(typed)) + ")",
        )
    return node, triples


def update_element(
    state: AppState,
    iri: str,
    classes: Sequence[str],
    label: str | None,
    properties: Sequence[PropertyValues],
    *,
    force: bool = False,
) -> str:
    """Replace the values of the given properties (and the label) of an element created
    through GraphQL and typed with one of ``classes`` (the class and its subclasses);
    ValidationFailed (nothing written) when the shapes reject the result."""
    with state.write_lock:
        node, triples = _editable(state, iri, classes)
        replaced: Mapping[str, PropertyValues] = {p.predicate: p for p in properties}
        if label is not None:
            if not label.strip():
                raise InputError("the label is empty", where="input.label", hint="give a name")
            replaced = {**replaced, RDFS_LABEL.value: PropertyValues(RDFS_LABEL.value, ())}
        kept = [t for t in triples if t.subject != node or t.predicate.value not in replaced]
        if label is not None:
            kept.append(ox.Triple(node, RDFS_LABEL, ox.Literal(label)))
        for prop in properties:
            kept += [ox.Triple(node, ox.NamedNode(prop.predicate), v) for v in prop.values]
        _commit(state, kept, force)
    return iri


def delete_element(
    state: AppState, iri: str, classes: Sequence[str], *, force: bool = False
) -> str:
    """Delete an element created through GraphQL (and the GraphQL-made links to it); refused
    when another import still points to it."""
    with state.write_lock:
        node, triples = _editable(state, iri, classes)
        rec = records.find_by_source(state.store, SOURCE)
        own = {rec.graph, rec.inferred_graph} if rec else set()
        users = sorted(
            {
                q.subject.value
                for q in state.store.quads(None, None, node)
                if q.graph_name.value not in own
            }
        )
        if users:
            raise InputError(
                f"{len(users)} element(s) of other imports still point to it: "
                + ", ".join(users[:5]),
                where=iri,
                hint="remove those links first (re-import their sources)",
            )
        kept = [t for t in triples if t.subject != node and t.object != node]
        _commit(state, kept, force)
    return iri
