"""Spreadsheet importer (CSV and XLSX) driven by a small declarative YAML mapping.

A mapping names, for each sheet, the class of its rows, the identifier and label columns and
what every other column becomes::

    model: inventory              # IRI segment: <base>/inventory/<id> (default: file stem)
    name: Service inventory       # model name kept on the import record
    entities:
      - sheet: Services           # XLSX sheet (CSV: ignored; default: the first sheet)
        class: svc:BackendService # or class_column + class_values
        id: ID
        label: Name
        columns:
          Description: rdfs:comment
          Owner: {property: svc:ownedBy, lookup: label}
          Uses: {property: svc:usesResource, lookup: id, separator: ";"}
          Status: {property: svc:lifecycleStatus, values: {Live: svcc:live}}
          Order: {property: svc:stepOrder, datatype: xsd:integer}

``lookup`` resolves a cell to the row of any entity with that identifier (``id``) or label
(``label``) in the same file. Every problem is reported with file, sheet, row and column.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from svckg.errors import InputError, ParseError
from svckg.ingest.base import SourceFile, Staged
from svckg.ingest.csvread import decode, records
from svckg.ingest.mapping import encode, model_base, slug
from svckg.ingest.safe_xml import check_zip_xml
from svckg.terms import RDF_TYPE, RDFS_LABEL
from svckg.validation.report import SourceLocation
from svckg.vocab import PREFIXES

IDENTIFIER = ox.NamedNode("http://purl.org/dc/terms/identifier")


@dataclass
class _Column:
    header: str
    property: str
    lookup: str | None = None  # "id" | "label"
    separator: str | None = None
    datatype: str | None = None
    language: str | None = None
    values: dict[str, str] = field(default_factory=dict)


@dataclass
class _Entity:
    sheet: str | None
    id: str
    label: str | None
    cls: str | None
    class_column: str | None
    class_values: dict[str, str]
    columns: list[_Column]


@dataclass
class _Row:
    sheet: str
    row: int
    cells: dict[str, str]
    columns: dict[str, int]
    line: int | None = None
    """File line the row starts on (CSV only)."""


@dataclass
class _Sheet:
    columns: dict[str, int]
    """Header name -> 1-based column number."""
    header_row: int
    rows: list[_Row]


def parse(file: SourceFile, mapping: Path | None, base_iri: str | None = None) -> Staged:
    """Parse one CSV or XLSX file with a YAML mapping into a :class:`Staged`, its things named
    under ``base_iri`` (None: the default).

    Raises :class:`InputError` when the mapping is missing or wrong, or a cell cannot be
    mapped; the message names file, sheet, row and column.
    """
    if mapping is None:
        raise InputError(
            "a spreadsheet needs a mapping from its columns to classes and properties",
            where=file.name,
            hint="pass --mapping FILE.yaml (see svckg.ingest.tabular for the format)",
        )
    spec = _load_mapping(Path(mapping))
    sheets = _read_sheets(file)
    model_key = str(spec.get("model") or slug(Path(file.name).stem))
    base = model_base(model_key, base_iri)
    entities = [_entity(e, mapping, i) for i, e in enumerate(_list(spec, "entities", mapping))]

    # Pass 1: every row's IRI, identifier and label (lookups may point forward).
    rows: list[tuple[_Entity, _Row, ox.NamedNode]] = []
    by_id: dict[str, ox.NamedNode] = {}
    by_label: dict[str, list[ox.NamedNode]] = {}
    seen: dict[str, str] = {}
    for ent in entities:
        name, table = _sheet(sheets, ent.sheet, file.name)
        _require_columns(file.name, name, table, ent)
        for r in table.rows:
            where = _where(file.name, name, r, ent.id)
            ident = r.cells.get(ent.id, "").strip()
            if not ident:
                raise InputError(
                    f"empty identifier in column {ent.id!r}",
                    where=where,
                    hint="give every row an identifier (it makes the IRI)",
                )
            if ident in seen:
                raise InputError(
                    f"duplicate identifier {ident!r}, first at {seen[ident]}",
                    where=where,
                    hint="identifiers must be unique across the file's mapped sheets",
                )
            seen[ident] = where
            node = ox.NamedNode(base + encode(ident))
            by_id[ident] = node
            if ent.label and (lab := r.cells.get(ent.label, "").strip()):
                by_label.setdefault(lab, []).append(node)
            rows.append((ent, r, node))

    triples: list[ox.Triple] = []
    locations: dict[str, SourceLocation] = {}
    for ent, r, node in rows:
        ident = r.cells[ent.id].strip()
        label = r.cells.get(ent.label, "").strip() if ent.label else ""
        locations[node.value] = SourceLocation(
            file=f"{file.name} [{r.sheet}]" if r.sheet else file.name,
            row=r.row,
            line=r.line,
            column=r.columns[ent.id],
            element_id=ident,
            element_name=label or None,
        )
        triples.append(ox.Triple(node, IDENTIFIER, ox.Literal(ident)))
        if label:
            triples.append(ox.Triple(node, RDFS_LABEL, ox.Literal(label)))
        cls = ent.cls
        if ent.class_column:
            value = r.cells.get(ent.class_column, "").strip()
            cls = ent.class_values.get(value)
            if cls is None:
                raise InputError(
                    f"{value!r} is not one of the class values {sorted(ent.class_values)}",
                    where=_where(file.name, r.sheet, r, ent.class_column),
                    hint="add it to class_values in the mapping or fix the cell",
                )
        if cls:
            triples.append(ox.Triple(node, RDF_TYPE, ox.NamedNode(cls)))
        for col in ent.columns:
            raw = r.cells.get(col.header, "")
            parts = raw.split(col.separator) if col.separator else [raw]
            for part in (p.strip() for p in parts):
                if part:
                    obj = _object(col, part, by_id, by_label, file.name, r)
                    triples.append(ox.Triple(node, ox.NamedNode(col.property), obj))
    return Staged(
        source=file.name,
        format="tabular",
        triples=triples,
        locations=locations,
        model_name=str(spec["name"]) if spec.get("name") else None,
        model_id=model_key,
    )


def _where(file: str, sheet: str | None, r: _Row, column: str) -> str:
    sheet_part = f" [{sheet}]" if sheet else ""
    return f"{file}{sheet_part}, row {r.row}, column {r.columns.get(column, '?')} ({column})"


def _object(
    col: _Column, text: str, by_id: dict, by_label: dict, file: str, r: _Row
) -> ox.NamedNode | ox.Literal:
    if col.values:
        if text not in col.values:
            raise InputError(
                f"{text!r} is not one of {sorted(col.values)}",
                where=_where(file, r.sheet, r, col.header),
                hint=f"fix the cell or add {text!r} to the column's values in the mapping",
            )
        return ox.NamedNode(col.values[text])
    if col.lookup == "id":
        if text not in by_id:
            raise InputError(
                f"no row has the identifier {text!r}",
                where=_where(file, r.sheet, r, col.header),
                hint="refer to the identifier of a row in one of the mapped sheets",
            )
        return by_id[text]
    if col.lookup == "label":
        found = by_label.get(text, [])
        if len(found) != 1:
            problem = "no row has" if not found else f"{len(found)} rows have"
            raise InputError(
                f"{problem} the label {text!r}",
                where=_where(file, r.sheet, r, col.header),
                hint="refer to a unique label, or use lookup: id",
            )
        return found[0]
    if col.datatype:
        return ox.Literal(text, datatype=ox.NamedNode(col.datatype))
    if col.language:
        return ox.Literal(text, language=col.language)
    return ox.Literal(text)


# ---------------------------------------------------------------------------
# The mapping file
# ---------------------------------------------------------------------------


def _load_mapping(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the mapping: {exc}", where=str(path)) from exc
    try:
        spec = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ParseError(
            f"malformed YAML: {getattr(exc, 'problem', None) or exc}",
            source=str(path),
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from exc
    if not isinstance(spec, dict):
        raise InputError("the mapping must be a YAML mapping with 'entities'", where=str(path))
    return spec


def _list(spec: dict, key: str, path: Path) -> list:
    value = spec.get(key)
    if not isinstance(value, list) or not value:
        raise InputError(
            f"the mapping needs a non-empty list '{key}'",
            where=str(path),
            hint="see the format in svckg.ingest.tabular",
        )
    return value


def expand(term: str, where: str) -> str:
    """A CURIE (``svc:Service``) or ``<IRI>`` / absolute IRI, expanded.

    >>> expand("svc:usesResource", "m.yaml")
    'https://w3id.org/svckg#usesResource'
    """
    term = str(term).strip()
    if term.startswith("<") and term.endswith(">"):
        return term[1:-1]
    if term.startswith(("http://", "https://", "urn:")):
        return term
    prefix, _, local = term.partition(":")
    if prefix in PREFIXES and _:
        return PREFIXES[prefix] + local
    raise InputError(
        f"unknown prefix in {term!r}",
        where=where,
        hint=f"use one of {', '.join(sorted(PREFIXES))} or a full IRI in <...>",
    )


def _entity(e: Any, path: Path, index: int) -> _Entity:
    where = f"{path}, entities[{index}]"
    if not isinstance(e, dict) or "id" not in e:
        raise InputError("each entity needs at least 'id' (the identifier column)", where=where)
    columns = []
    for header, spec in (e.get("columns") or {}).items():
        if isinstance(spec, str):
            spec = {"property": spec}
        if not isinstance(spec, dict) or "property" not in spec:
            raise InputError(f"column {header!r} needs a 'property'", where=where)
        lookup = spec.get("lookup")
        if lookup not in (None, "id", "label"):
            raise InputError(f"column {header!r}: lookup must be 'id' or 'label'", where=where)
        columns.append(
            _Column(
                header=str(header),
                property=expand(spec["property"], where),
                lookup=lookup,
                separator=spec.get("separator"),
                datatype=expand(spec["datatype"], where) if spec.get("datatype") else None,
                language=spec.get("language"),
                values={str(k): expand(v, where) for k, v in (spec.get("values") or {}).items()},
            )
        )
    return _Entity(
        sheet=e.get("sheet"),
        id=str(e["id"]),
        label=str(e["label"]) if e.get("label") else None,
        cls=expand(e["class"], where) if e.get("class") else None,
        class_column=e.get("class_column"),
        class_values={str(k): expand(v, where) for k, v in (e.get("class_values") or {}).items()},
        columns=columns,
    )


# ---------------------------------------------------------------------------
# Reading CSV and XLSX into rows
# ---------------------------------------------------------------------------


def _read_sheets(file: SourceFile) -> dict[str, _Sheet]:
    """Sheet name -> data rows (CSV: one sheet named '')."""
    if file.data[:2] == b"PK" or file.name.lower().endswith(".xlsx"):
        return _read_xlsx(file)
    text = decode(file.data, file.name)
    recs = list(records(text, file.name, comments=False))
    if not recs:
        raise InputError("the CSV file is empty", where=file.name)
    rows = [(r.row, r.fields, r.line) for r in recs[1:]]
    return {"": _table("", recs[0].row, recs[0].fields, rows)}


def _table(
    sheet: str,
    header_row: int,
    header: list[str],
    data: list[tuple[int, list[str], int | None]],
) -> _Sheet:
    columns = {h.strip(): i + 1 for i, h in enumerate(header) if h and h.strip()}
    out = []
    for row, fields, line in data:
        if not any(f.strip() for f in fields):
            continue
        cells = {h: (fields[i - 1] if i - 1 < len(fields) else "") for h, i in columns.items()}
        out.append(_Row(sheet, row, cells, columns, line))
    return _Sheet(columns, header_row, out)


def _read_xlsx(file: SourceFile) -> dict[str, _Sheet]:
    import zipfile

    from openpyxl import load_workbook

    check_zip_xml(file.data, file.name)
    try:
        wb = load_workbook(io.BytesIO(file.data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ParseError(
            f"not a readable XLSX workbook: {exc}",
            source=file.name,
            hint="save the spreadsheet as .xlsx (Excel 2007+) or CSV",
        ) from exc
    sheets: dict[str, _Sheet] = {}
    try:
        for ws in wb.worksheets:
            values = _sheet_values(ws, file.name)
            header = values[0][1] if values else []
            sheets[ws.title] = _table(ws.title, 1, header, values[1:])  # type: ignore[arg-type]
    finally:
        wb.close()
    return sheets


MAX_XLSX_CELLS = 5_000_000
"""Most cells (empty ones inside rows included) read from one workbook."""


def _sheet_values(ws: Any, name: str) -> list[tuple[int, list[str], None]]:
    """The rows of a read-only sheet. The sheet's own ``dimension`` claim is ignored (a file
    claiming ``A1:XFD1048576`` would make openpyxl pad every row to 16,384 cells and add a
    million empty rows) and the cells actually read are bounded."""
    ws.reset_dimensions()
    values = []
    cells = 0
    for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
        cells += len(row)
        if cells > MAX_XLSX_CELLS:
            raise InputError(
                f"the sheet {ws.title!r} holds more than {MAX_XLSX_CELLS:,} cells",
                where=f"{name} [{ws.title}], row {i}",
                hint="split the workbook or save the sheet as CSV",
            )
        values.append((i, ["" if v is None else _cell_text(v) for v in row], None))
    return values


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _sheet(sheets: dict[str, _Sheet], wanted: str | None, name: str) -> tuple[str, _Sheet]:
    if "" in sheets:  # CSV
        return "", sheets[""]
    if wanted is None:
        first = next(iter(sheets))
        return first, sheets[first]
    if wanted not in sheets:
        raise InputError(
            f"no sheet named {wanted!r} (the workbook has {', '.join(map(repr, sheets))})",
            where=name,
            hint="fix 'sheet' in the mapping",
        )
    return wanted, sheets[wanted]


def _require_columns(file: str, sheet: str, table: _Sheet, ent: _Entity) -> None:
    present = table.columns
    wanted = [ent.id, ent.label, ent.class_column, *(c.header for c in ent.columns)]
    missing = [c for c in wanted if c and c not in present]
    if missing:
        sheet_part = f" [{sheet}]" if sheet else ""
        raise InputError(
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))}"
            f" named by the mapping (the header has {', '.join(map(repr, present))})",
            where=f"{file}{sheet_part}, row {table.header_row}",
            hint="rename the column in the sheet or in the mapping",
        )
