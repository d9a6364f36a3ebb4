"""Picks the importer for each source (by content, or the ``format`` the user gives) and
stages it. The one place that knows which formats exist."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from svckg.config import Settings
from svckg.errors import UnsupportedFormat
from svckg.ingest.base import SourceFile, Staged

RDF_FORMATS = ("turtle", "trig", "ntriples", "nquads", "rdfxml", "jsonld")
EA_FORMATS = ("archimate", "archi", "archi-csv", "tabular")
FORMATS = RDF_FORMATS + EA_FORMATS

_EXTENSIONS = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".trig": "trig",
    ".nt": "ntriples",
    ".nq": "nquads",
    ".rdf": "rdfxml",
    ".owl": "rdfxml",
    ".jsonld": "jsonld",
    ".json": "jsonld",
    ".xlsx": "tabular",
    ".archimate": "archi",
}
_ARCHI_CSV_HEADERS = {
    ("ID", "Type", "Name", "Documentation"),
    ("ID", "Type", "Name", "Documentation", "Specialization"),
    ("ID", "Type", "Name", "Documentation", "Source", "Target"),
    ("ID", "Type", "Name", "Documentation", "Source", "Target", "Specialization"),
    ("ID", "Key", "Value"),
}
"""Archi's CSV export headers (a plain spreadsheet starting with an ID column is not one)."""
_XML_START = re.compile(r"<[A-Za-z_][\w.-]*(:[A-Za-z_][\w.-]*)?[\s/>]")
"""An XML start tag (``<rdf:RDF ...``), not an N-Triples IRI (``<http://...>``)."""
_ARCHI_CSV_SUFFIX = re.compile(r"(elements|relations|properties)\.csv$", re.IGNORECASE)


def detect_format(name: str, head: bytes) -> str:
    """Guess the format from the content's first bytes, then the file name.

    >>> xml = b'<?xml version="1.0"?><model xmlns="http://www.opengroup.org/xsd/archimate/3.0/">'
    >>> detect_format("m.xml", xml)
    'archimate'
    >>> detect_format("x.ttl", b"@prefix svc: <https://w3id.org/svckg#> .")
    'turtle'
    >>> detect_format("a-elements.csv", b'"ID","Type","Name","Documentation"')
    'archi-csv'
    >>> rdf_type = b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    >>> detect_format("x.nt", b"<http://a> " + rdf_type + b" <http://b> .")
    'ntriples'
    >>> detect_format("m.archimate", b'<model xmlns="http://www.archimatetool.com/archimate">')
    'archi'
    >>> detect_format("export.csv", b'"ID","Key","Value"'), detect_format("s.csv", b"ID,Name")
    ('archi-csv', 'tabular')
    """
    text = head[:4096].decode("utf-8", errors="replace").lstrip("\ufeff").lstrip()
    lower = name.lower()
    if head[:4] == b"PK\x03\x04" and lower.endswith(".archimate"):
        return "archi"
    looks_like_xml = text.startswith("<?xml") or _XML_START.match(text) is not None
    if looks_like_xml or lower.endswith(".xml"):
        if "opengroup.org/xsd/archimate" in text:
            return "archimate"
        if "archimatetool.com/" in text or "bolton.ac.uk/archimate" in text:
            return "archi"
        if "rdf:RDF" in text or "22-rdf-syntax-ns#" in text:
            return "rdfxml"
    if lower.endswith(".csv"):
        first = next((ln for ln in text.splitlines() if not ln.startswith("#")), "")
        header = tuple(re.split(r"[,;\t]", first.replace('"', "").strip()))
        if _ARCHI_CSV_SUFFIX.search(lower) or header in _ARCHI_CSV_HEADERS:
            return "archi-csv"
        return "tabular"
    for ext, fmt in _EXTENSIONS.items():
        if lower.endswith(ext):
            return fmt
    if text.startswith(("{", "[")):
        return "jsonld"
    if text.startswith(("@prefix", "@base", "PREFIX", "BASE")):
        return "turtle"
    raise UnsupportedFormat(
        "cannot tell the format of this file",
        where=name,
        hint=f"name it with a known extension or pass --format, one of: {', '.join(FORMATS)}",
    )


def stage(
    files: Sequence[SourceFile],
    *,
    format: str | None = None,
    mapping: Path | None = None,
    settings: Settings | None = None,
) -> list[Staged]:
    """Parse every source into a :class:`Staged` (Archi CSV file sets become one); the
    EA importers name things under ``settings.base_iri`` (None: the defaults).

    Raises an :class:`svckg.errors.InputError` subclass naming the file on bad input.
    """
    if format is not None and format not in FORMATS:
        raise UnsupportedFormat(
            f"unknown format {format!r}", hint=f"use one of: {', '.join(FORMATS)}"
        )
    base_iri = settings.base_iri if settings is not None else None
    staged: list[Staged] = []
    archi_csv: list[SourceFile] = []
    for f in files:
        fmt = format or detect_format(f.name, f.data[:4096])
        if fmt in RDF_FORMATS:
            from svckg.ingest import rdf

            staged.append(rdf.parse(f, fmt))
        elif fmt == "archimate":
            from svckg.ingest import archimate

            staged.append(archimate.parse(f, settings))
        elif fmt == "archi":
            from svckg.ingest import archi_native

            staged.append(archi_native.parse(f, settings))
        elif fmt == "archi-csv":
            archi_csv.append(f)
        else:
            from svckg.ingest import tabular

            staged.append(tabular.parse(f, mapping, base_iri))
    if archi_csv:
        from svckg.ingest import archi_csv as archi_csv_importer

        staged.extend(archi_csv_importer.parse(archi_csv, base_iri))
    return staged
