"""The one gate every XML input passes before any XML parser sees it.

RDF/XML (imports, validation, the Graph Store, the CLI), ArchiMate exchange files and the XML
parts of XLSX workbooks all go through :func:`check_xml`. It refuses:

- **DTDs and entity declarations** (``<!DOCTYPE``, ``<!ENTITY``), found by a byte scan of the
  text, so no parser ever expands an entity ("billion laughs", quadratic blow-up) or fetches
  an external one. svckg's formats need no DTD.
- **Encodings the scan cannot read**: the text must be UTF-8 (or another ASCII-compatible
  encoding) or UTF-16 with a byte-order mark.
- **Deep nesting** (over :data:`MAX_DEPTH` elements), and malformed XML, found by one
  streaming pass of libxml2 that builds no tree and resolves nothing (it costs about 5 ms
  per MB); pyoxigraph's RDF/XML parser costs time quadratic in the nesting depth.

>>> check_xml(b'<a><b/></a>', "ok.xml")
>>> check_xml(b'<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', "lol.xml")
Traceback (most recent call last):
...
svckg.errors.ParseError: lol.xml, line 1: the XML has a document type declaration \
(<!DOCTYPE): DTDs and entities are refused (remove the DOCTYPE and use plain text instead of \
entities)
"""

from __future__ import annotations

import re

from lxml import etree

from svckg.errors import ParseError

MAX_DEPTH = 256
"""Deepest element nesting accepted (libxml2's own limit without XML_PARSE_HUGE)."""

_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_ENCODING = re.compile(rb"\A\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")
_ASCII_COMPATIBLE = re.compile(
    r"utf-?8|us-ascii|ascii|iso[-_]?8859-\d+|latin-?1|(?:windows|cp)-?125\d", re.IGNORECASE
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_NUL_START = (b"\x00<", b"<\x00", b"\x00\x00", b"\x4c\x6f\xa7\x94")  # BOM-less UTF-16/32, EBCDIC


def _refuse(where: str, message: str, hint: str, line: int = 1) -> ParseError:
    return ParseError(message, source=where, line=line, hint=hint)


def _scan_text(data: bytes, where: str) -> bytes:
    """The bytes to scan for declarations: UTF-16 decoded; other encodings refused."""
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise _refuse(where, "the XML is not valid UTF-16", "save it as UTF-8") from exc
    if data.startswith((b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00")) or data[:2] in _NUL_START:
        raise _refuse(where, "the XML is in an encoding svckg does not read", "save it as UTF-8")
    declared = _ENCODING.match(data[:1024].removeprefix(b"\xef\xbb\xbf"))
    if declared and not _ASCII_COMPATIBLE.fullmatch(declared.group(1).decode("ascii")):
        name = declared.group(1).decode("ascii")
        raise _refuse(
            where,
            f"the XML declares the encoding {name!r}, which svckg does not read",
            "save it as UTF-8",
        )
    return data


def refuse_declarations(data: bytes, where: str) -> None:
    """ParseError when the XML text holds a DOCTYPE or an ENTITY declaration (anywhere)."""
    text = _scan_text(data, where)
    found = _DECLARATION.search(text)
    if found:
        kind = found.group(1).decode().upper()
        what = "document type declaration" if kind == "DOCTYPE" else "entity declaration"
        raise _refuse(
            where,
            f"the XML has a {what} (<!{kind}): DTDs and entities are refused",
            "remove the DOCTYPE and use plain text instead of entities",
            line=text.count(b"\n", 0, found.start()) + 1,
        )


class _NoTree:
    """A parser target with no callbacks: libxml2 checks the document, nothing is built."""

    def close(self) -> None:
        return None


def check_xml(data: bytes, where: str) -> None:
    """Refuse DTDs, entities, unreadable encodings, nesting over :data:`MAX_DEPTH` and
    malformed XML, before the importer's own parser runs. Raises :class:`ParseError`."""
    refuse_declarations(data, where)
    parser = etree.XMLParser(
        target=_NoTree(),
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        dtd_validation=False,
    )
    try:
        etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (None, None)
        deep = "depth" in str(exc.msg).lower()
        message = (
            f"the XML nests elements deeper than {MAX_DEPTH} levels"
            if deep
            else f"malformed XML: {exc.msg}"
        )
        raise ParseError(
            message,
            source=where,
            line=line,
            column=(column + 1) if column is not None else None,
            hint="flatten the nesting" if deep else "fix the XML at that position",
        ) from exc


MAX_UNZIPPED_BYTES = 256 * 1024 * 1024
"""Most bytes the parts of one zipped XML package (XLSX) may expand to."""


def check_zip_xml(data: bytes, where: str, limit: int = MAX_UNZIPPED_BYTES) -> None:
    """Refuse a zip package (XLSX) whose parts expand past ``limit`` bytes, and pass every
    XML part through :func:`check_xml` (so openpyxl never sees a DTD)."""
    import io
    import zipfile

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return  # not a zip: the reader reports it
    with archive:
        infos = archive.infolist()
        total = sum(info.file_size for info in infos)
        if total > limit:
            raise ParseError(
                f"the workbook expands to {total:,} bytes, over the limit of {limit:,}",
                source=where,
                hint="split the workbook or save it as CSV",
            )
        for info in infos:
            if info.filename.endswith((".xml", ".rels", ".vml")):
                with archive.open(info) as part:
                    check_xml(part.read(limit + 1), f"{where} [{info.filename}]")
