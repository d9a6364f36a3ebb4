"""Importer for Archi's CSV export: ``<prefix>elements.csv``, ``<prefix>relations.csv``,
``<prefix>properties.csv`` (any subset of one export, grouped by their common prefix).

The ``ArchimateModel`` row names the model; rows without an identifier get a stable one
derived from their content (see ``ontology/alignments.ttl``). The rows map onto svckg
exactly as exchange-format elements do (:mod:`svckg.ingest.archimodel`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from svckg.errors import InputError
from svckg.ingest.archimodel import Concept, Model, to_staged
from svckg.ingest.base import SourceFile, Staged
from svckg.ingest.csvread import Record, decode, records
from svckg.ingest.mapping import generated_id, load_alignment, slug
from svckg.validation.report import SourceLocation

COLUMNS = {
    "elements": ("ID", "Type", "Name", "Documentation"),
    "relations": ("ID", "Type", "Name", "Documentation", "Source", "Target"),
    "properties": ("ID", "Key", "Value"),
}
"""Required columns of each file kind (``Specialization`` is optional)."""
MODEL_TYPE = "ArchimateModel"
_SUFFIX = re.compile(r"(elements|relations|properties)\.csv$", re.IGNORECASE)


@dataclass
class _Group:
    prefix: str
    files: dict[str, SourceFile] = field(default_factory=dict)


def parse(files: list[SourceFile], base_iri: str | None = None) -> list[Staged]:
    """Parse Archi CSV files; each export (common prefix) becomes one :class:`Staged`, its
    things named under ``base_iri`` (None: the default, ``Settings().base_iri``).

    Raises :class:`svckg.errors.ParseError` / :class:`InputError` naming file, row and column.
    """
    return [_parse_group(g, base_iri) for g in _groups(files)]


def _kind(f: SourceFile, header: list[str]) -> str:
    m = _SUFFIX.search(f.name)
    if m:
        return m.group(1).lower()
    names = [h.strip() for h in header]
    if "Key" in names:
        return "properties"
    if "Source" in names or "Target" in names:
        return "relations"
    return "elements"


def _groups(files: Sequence[SourceFile]) -> list[_Group]:
    groups: dict[str, _Group] = {}
    for f in files:
        m = _SUFFIX.search(f.name)
        prefix = f.name[: m.start()] if m else f.name.rsplit(".", 1)[0]
        kind = m.group(1).lower() if m else None
        g = groups.setdefault(prefix.lower(), _Group(prefix))
        key = kind or f.name
        if key in g.files:
            raise InputError(
                f"two {kind} files in one Archi CSV export: {g.files[key].name} and {f.name}",
                where=f.name,
                hint="import one export at a time, or give the files different prefixes",
            )
        g.files[key] = f
    return list(groups.values())


def _table(f: SourceFile) -> tuple[str, list[str], list[Record]]:
    rows = list(records(decode(f.data, f.name), f.name))
    if not rows:
        raise InputError("the CSV file is empty", where=f.name, hint="export the model again")
    header = [h.strip() for h in rows[0].fields]
    kind = _kind(f, header)
    missing = [c for c in COLUMNS[kind] if c not in header]
    if missing:
        raise InputError(
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))} "
            f"in the header of an Archi {kind} file",
            where=f"{f.name}, row {rows[0].row}, line {rows[0].line}",
            hint=f"the header must be {','.join(f'{c!r}' for c in COLUMNS[kind])}"
            + (",'Specialization'" if kind != "properties" else ""),
        )
    return kind, header, rows[1:]


def _cells(f: SourceFile, header: list[str], rec: Record) -> dict[str, str]:
    if len(rec.fields) != len(header):
        raise InputError(
            f"the row has {len(rec.fields)} fields but the header has {len(header)}",
            where=f"{f.name}, row {rec.row}, line {rec.line}",
            hint="quote fields that contain the delimiter, a quote or a line break",
        )
    return dict(zip(header, rec.fields, strict=True))


def _parse_group(group: _Group, base_iri: str | None = None) -> Staged:
    canonical = load_alignment().canonical
    model = Model(file=group.prefix, fallback_key=group.prefix.rstrip("-_ .") or "archi")
    tables = {}
    for f in group.files.values():
        kind, header, rows = _table(f)
        if kind in tables:
            raise InputError(
                f"two {kind} files in one Archi CSV export: {tables[kind][0].name} and {f.name}",
                where=f.name,
                hint="name the files <prefix>elements.csv, <prefix>relations.csv, "
                "<prefix>properties.csv",
            )
        tables[kind] = (f, header, rows)
    used: dict[str, int] = {}

    def identifier(given: str, *content: str) -> str:
        if given:
            return given
        base = generated_id(*content)
        used[base] = used.get(base, 0) + 1
        return base if used[base] == 1 else f"{base}-{used[base]}"

    if "elements" in tables:
        f, header, rows = tables["elements"]
        for rec in rows:
            c = _cells(f, header, rec)
            if c["Type"].strip() == MODEL_TYPE:
                model.identifier = c["ID"].strip() or None
                model.names = [(c["Name"], None)] if c["Name"] else []
                model.documentation = [(c["Documentation"], None)] if c["Documentation"] else []
                continue
            type_name = c["Type"].strip()
            ident = identifier(c["ID"].strip(), "element", type_name, c["Name"])
            model.elements.append(_concept(f, rec, c, ident, canonical(type_name)))
    if "relations" in tables:
        f, header, rows = tables["relations"]
        for rec in rows:
            c = _cells(f, header, rec)
            type_name = c["Type"].strip()
            if type_name.endswith("Relationship"):
                type_name = type_name[: -len("Relationship")]
            ident = identifier(
                c["ID"].strip(), "relation", type_name, c["Source"], c["Target"], c["Name"]
            )
            concept = _concept(f, rec, c, ident, canonical(type_name))
            concept.source, concept.target = c["Source"].strip(), c["Target"].strip()
            model.relationships.append(concept)
    if "properties" in tables:
        _properties(model, *tables["properties"])
    names = sorted(f.name for f in group.files.values())
    source = f"{group.prefix}*.csv" if len(names) > 1 or _SUFFIX.search(names[0]) else names[0]
    return to_staged(model, source, "archi-csv", base_iri)


def _concept(f: SourceFile, rec: Record, c: dict[str, str], ident: str, type_name: str) -> Concept:
    return Concept(
        identifier=ident,
        type=type_name,
        location=SourceLocation(
            file=f.name,
            row=rec.row,
            line=rec.line,
            element_id=ident,
            element_name=c["Name"] or None,
        ),
        names=[(c["Name"], None)] if c["Name"] else [],
        documentation=[(c["Documentation"], None)] if c["Documentation"] else [],
        specialization=(c.get("Specialization") or "").strip() or None,
    )


def _properties(model: Model, f: SourceFile, header: list[str], rows: list[Record]) -> None:
    owners: dict[str, list] = {c.identifier: c.properties for c in model.elements}
    owners.update({c.identifier: c.properties for c in model.relationships})
    if model.identifier:
        owners[model.identifier] = model.properties
    refs: dict[str, str] = {}  # property key -> property definition identifier
    for rec in rows:
        c = _cells(f, header, rec)
        owner, key = c["ID"].strip(), c["Key"]
        if owner not in owners:
            raise InputError(
                f"property {key!r} belongs to {owner!r}, which is not in this export",
                where=f"{f.name}, row {rec.row}, line {rec.line}, column 1 (ID)",
                hint="import the properties file together with the elements and relations "
                "files of the same export",
            )
        ref = refs.get(key)
        if ref is None:
            ref = refs[key] = _definition_id(key, set(refs.values()))
            model.property_definitions[ref] = (key, "string")
        owners[owner].append((ref, (c["Value"], None)))


def _definition_id(key: str, taken: set[str]) -> str:
    """A property definition identifier for a CSV key, valid as an XML ID (for export).

    >>> _definition_id("Property 1", set())
    'propid-property-1'
    """
    ident = f"propid-{slug(key)}"
    if ident in taken:
        ident = f"{ident}-{generated_id(key)[4:]}"
    return ident
