"""Importer for Archi's own model files (``.archimate``): the XML Archi saves, or the zip
archive it saves when a model holds images (``model.xml`` plus ``images/``).

Reads Archi 4.x and 5.x files and the older ones (Archi 2/3 type names such as
``UsedByRelationship`` or ``CommunicationPath``, the ``bolton.ac.uk`` namespace): elements,
relationships, folders, properties, documentation, specializations (profiles) and diagrams
(kept as views, metadata only) into the same neutral :class:`Model` the exchange-format
reader fills, so both formats give the same graph for the same facts. Identifiers follow
Archi's own exchange-format export: an id that is not an XML name (``11f5304f``) becomes
``id-11f5304f``, so a model keeps its IRIs whichever of Archi's two formats it came in.

Refused with a clear error (file, line, element id): malformed XML, a DOCTYPE (entities are
never expanded), a zip that is not an Archi archive, an archive whose model would expand
past ``max_upload_bytes`` (checked while expanding, before the limit is passed), unknown
``archimate:`` types, relationships to missing elements. Content a newer Archi wrote that
this reader does not know is skipped with a warning naming its line.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile

from lxml import etree

from svckg.config import Settings
from svckg.errors import InputError, ParseError, TooLarge
from svckg.ingest.archimodel import Concept, Folder, Model, Text, View, to_staged
from svckg.ingest.base import SourceFile, Staged
from svckg.ingest.mapping import load_alignment
from svckg.validation.report import SourceLocation, ValidationResult

NAMESPACE = "http://www.archimatetool.com/archimate"
OLD_NAMESPACES = ("http://www.bolton.ac.uk/archimate",)
"""Archi 1.x/2.x wrote this namespace."""
ARCHI_PREFIX = "http://www.archimatetool.com/"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
ZIP_MAGIC = b"PK\x03\x04"
ARCHIVE_MODEL = "model.xml"
CHUNK = 1 << 16
IGNORED_SHAPE = "https://w3id.org/svckg/shapes#Import-ignoredContent"
_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_DIAGRAM = re.compile(r"(DiagramModel|SketchModel|CanvasModel)$")
KNOWN_MAJOR = 5
"""The newest Archi model format major version this reader was written against."""
ACCESS_TYPES = {"0": "Write", "1": "Read", "2": "Access", "3": "ReadWrite"}
"""Archi's access type numbers; no attribute means Archi's default, Write."""
_PARSER_OPTIONS = dict(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True, remove_comments=True
)


def is_archive(data: bytes) -> bool:
    """True when ``data`` starts like a zip archive."""
    return data[:4] == ZIP_MAGIC


def parse(file: SourceFile, settings: Settings | None = None) -> Staged:
    """Parse one ``.archimate`` file (XML or zip archive) into a :class:`Staged`; ``settings``
    give the size limit an archive may expand to (None: the default)."""
    limit = (settings or Settings()).max_upload_bytes
    data = _model_bytes(file, limit) if is_archive(file.data) else file.data
    root = _parse_xml(file.name, data)
    findings: list[ValidationResult] = []
    model = read_model(root, file.name, findings)
    staged = to_staged(model, file.name, "archi")
    staged.findings.extend(findings)
    return staged


def _model_bytes(file: SourceFile, limit: int) -> bytes:
    """The model XML inside an Archi archive, expanded with a running size check."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(file.data))
        info = archive.getinfo(ARCHIVE_MODEL)
    except KeyError:
        raise InputError(
            f"not an Archi archive: the zip holds no {ARCHIVE_MODEL}",
            where=file.name,
            hint="Archi's archive format holds model.xml and images/; open and save the "
            "model in Archi, or import the model XML itself",
        ) from None
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ParseError(
            f"not a readable zip archive: {exc}", source=file.name, hint="save the model again"
        ) from exc
    too_large = TooLarge(
        f"{ARCHIVE_MODEL} in the archive expands to more than {limit:,} bytes",
        where=f"{file.name}, {ARCHIVE_MODEL}",
        hint="refused before expanding it further; raise SVCKG_MAX_UPLOAD_BYTES if the "
        "model is really that large",
    )
    if info.file_size > limit:
        raise too_large
    out = bytearray()
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK):
                out += chunk
                if len(out) > limit:  # the declared size can lie
                    raise too_large
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise ParseError(
            f"cannot expand {ARCHIVE_MODEL}: {exc}", source=file.name, hint="save the model again"
        ) from exc
    return bytes(out)


def _parse_xml(name: str, data: bytes) -> etree._Element:
    if not data.strip():
        raise ParseError("the file is empty", source=name, hint="save the model again in Archi")
    try:
        root = etree.fromstring(data, etree.XMLParser(**_PARSER_OPTIONS))
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (None, None)
        raise ParseError(
            f"malformed XML: {exc.msg}",
            source=name,
            line=line,
            column=column,
            hint="fix the XML or save the model again in Archi",
        ) from exc
    doctype = root.getroottree().docinfo
    if doctype.doctype or doctype.internalDTD is not None:
        raise ParseError(
            "the file declares a DOCTYPE: DTDs and entities are refused",
            source=name,
            line=1,
            hint="Archi never writes a DOCTYPE; remove it",
        )
    qname = etree.QName(root)
    ns = qname.namespace or ""
    if qname.localname != "model" or not (
        ns == NAMESPACE or ns in OLD_NAMESPACES or ns.startswith(ARCHI_PREFIX)
    ):
        raise ParseError(
            f"not an Archi model: the root element is <{qname.localname}> in namespace "
            f"{ns or '(none)'}",
            source=name,
            line=root.sourceline,
            hint=f'Archi model files start with <archimate:model xmlns:archimate="{NAMESPACE}">',
        )
    return root


def archi_id(raw: str) -> str:
    """The identifier Archi's exchange-format export gives an Archi id (``id-`` + it when
    it is not an XML name), so both formats give one IRI.

    >>> archi_id("11f5304f"), archi_id("id-abc"), archi_id("9784239c-1fe2")
    ('id-11f5304f', 'id-abc', 'id-9784239c-1fe2')
    """
    return raw if _NCNAME.match(raw) else f"id-{raw}"


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


class _Reader:
    """One pass over an Archi model tree."""

    def __init__(self, root: etree._Element, file: str, findings: list[ValidationResult]):
        self.root, self.file, self.findings = root, file, findings
        self.canonical = load_alignment().canonical
        self.profiles: dict[str, str] = {}
        self.property_keys: dict[str, str] = {}  # property name -> definition key
        self.model = Model(file=file)

    def ignored(self, el: etree._Element, what: str) -> None:
        """Record content this reader skips, as a warning located at its line."""
        self.note(
            el,
            f"Skipped {what}: this reader does not know it{self.newer()}; check the "
            "model in Archi.",
        )

    def newer(self) -> str:
        version = self.root.get("version") or ""
        major = version.split(".")[0]
        if major.isdigit() and int(major) > KNOWN_MAJOR:
            return f" (saved by a newer Archi: model version {version})"
        return ""

    def note(self, el: etree._Element, message: str) -> None:
        self.findings.append(
            ValidationResult(
                focus_node=self.file,
                severity="Warning",
                message=message,
                source_shape=IGNORED_SHAPE,
                constraint_component="",
                location=SourceLocation(
                    file=self.file, line=el.sourceline, element_id=el.get("id")
                ),
            )
        )

    def read(self) -> Model:
        root, model = self.root, self.model
        ns = etree.QName(root).namespace or ""
        if ns != NAMESPACE and ns not in OLD_NAMESPACES:
            self.note(
                root,
                f"Read as an Archi model, though Archi does not write the namespace "
                f"{ns}{self.newer()}.",
            )
        raw = root.get("id")
        model.identifier = archi_id(raw) if raw else None
        if root.get("name"):
            model.names = [(root.get("name"), None)]
        for child in root:
            local = _local(child.tag)
            if local == "profile":
                self.profiles[child.get("id") or ""] = child.get("name") or ""
        for child in root:
            local = _local(child.tag)
            if local == "folder":
                self.folder(child, (), None)
            elif local in ("purpose", "documentation"):
                if child.text:
                    model.documentation.append((child.text, None))
            elif local == "property":
                model.properties.append(self.property(child))
            elif local == "element":  # very old files keep elements at the top
                self.concept(child)
            elif local != "profile" and isinstance(child.tag, str):
                self.ignored(child, f"<{local}>")
        return model

    def property(self, el: etree._Element) -> tuple[str, Text]:
        name = el.get("key") or ""
        key = self.property_keys.get(name)
        if key is None:
            key = "propid-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]
            self.property_keys[name] = key
            self.model.property_definitions[key] = (name, "string")
        return key, (el.get("value") or "", None)

    def folder(self, el: etree._Element, path: tuple[str, ...], parent: int | None) -> None:
        name = el.get("name") or el.get("type") or "folder"
        here = (*path, name)
        folder = Folder(here, [(name, None)], parent=parent)
        index = len(self.model.folders)
        self.model.folders.append(folder)
        for child in el:
            local = _local(child.tag)
            if local == "folder":
                self.folder(child, here, index)
            elif local == "element":
                ident = self.concept(child)
                if ident:
                    folder.refs.append(ident)
            elif local in ("property", "documentation") or not isinstance(child.tag, str):
                continue  # folder properties and notes have no place in the exchange format
            else:
                self.ignored(child, f"<{local}> in folder '{name}'")

    def concept(self, el: etree._Element) -> str | None:
        raw_type = (el.get(XSI_TYPE) or "").rpartition(":")[2]
        raw_id = el.get("id")
        location = SourceLocation(
            file=self.file, line=el.sourceline, element_id=raw_id, element_name=el.get("name")
        )
        if not raw_id:
            raise InputError(
                f"<element xsi:type={raw_type!r}> has no id",
                where=location.describe(),
                hint="every Archi element, relationship and view has an id: save the model "
                "again in Archi",
            )
        ident = archi_id(raw_id)
        location = SourceLocation(
            file=self.file, line=el.sourceline, element_id=ident, element_name=el.get("name")
        )
        if _DIAGRAM.search(raw_type):
            self.view(el, ident)
            return ident
        concept = Concept(
            identifier=ident,
            type=self.type_of(el, raw_type),
            location=location,
            names=[(el.get("name"), None)] if el.get("name") else [],
        )
        for child in el:
            local = _local(child.tag)
            if local == "documentation" and child.text:
                concept.documentation.append((child.text, None))
            elif local == "property":
                concept.properties.append(self.property(child))
        if el.get("documentation"):  # Archi 1.x/2.x kept it as an attribute
            concept.documentation.append((el.get("documentation"), None))
        profile = (el.get("profiles") or "").split()
        if profile and profile[0] in self.profiles:
            concept.specialization = self.profiles[profile[0]]
        if el.get("source") is not None or el.get("target") is not None:
            concept.source = archi_id(el.get("source") or "") if el.get("source") else None
            concept.target = archi_id(el.get("target") or "") if el.get("target") else None
            concept.attributes = self.attributes(el, concept.type)
            self.model.relationships.append(concept)
        else:
            self.model.elements.append(concept)
        return ident

    def type_of(self, el: etree._Element, raw_type: str) -> str:
        if raw_type == "Junction":  # Archi: one type with type="or" for an Or junction
            return "OrJunction" if (el.get("type") or "").lower() == "or" else "AndJunction"
        return self.canonical(raw_type)

    @staticmethod
    def attributes(el: etree._Element, kind: str) -> dict[str, str]:
        """Relationship attributes under their exchange-format names."""
        if kind == "Access":
            return {"accessType": ACCESS_TYPES.get(el.get("accessType") or "0", "Write")}
        if kind == "Association" and el.get("directed") == "true":
            return {"isDirected": "true"}
        if kind == "Influence" and el.get("strength"):
            return {"modifier": el.get("strength") or ""}
        return {}

    def view(self, el: etree._Element, ident: str) -> None:
        refs = [
            archi_id(ref)
            for n in el.iter()
            if isinstance(n.tag, str)
            for ref in (n.get("archimateElement"), n.get("archimateRelationship"))
            if ref
        ]
        names = [(el.get("name"), None)] if el.get("name") else []
        self.model.views.append(View(ident, names, refs))


def read_model(root: etree._Element, file: str, findings: list[ValidationResult]) -> Model:
    """Read a parsed Archi model into a neutral :class:`Model` (checked by ``to_staged``)."""
    return _Reader(root, file, findings).read()
