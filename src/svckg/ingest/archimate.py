"""Importer for the ArchiMate Open Exchange Format (3.0/3.1 namespace; 2.1 files too).

Reads elements, relationships, properties and their definitions, organizations (folders),
documentation, language tags and views (kept as metadata) into a neutral
:class:`svckg.ingest.archimodel.Model`, then maps it onto svckg (``ontology/alignments.ttl``).
When ``Settings.archimate_xsd_dir`` names the Open Group schemas (``SVCKG_ARCHIMATE_XSD_DIR``),
3.x files are checked against them first and every departure is reported with its line.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lxml import etree

from svckg.config import Settings
from svckg.errors import InputError, ParseError
from svckg.ingest.archimodel import Concept, Folder, Model, Text, View, to_staged
from svckg.ingest.base import SourceFile, Staged
from svckg.ingest.mapping import load_alignment
from svckg.ingest.safe_xml import check_xml
from svckg.validation.report import SourceLocation

NS3 = "http://www.opengroup.org/xsd/archimate/3.0/"
NS2 = "http://www.opengroup.org/xsd/archimate"
DC = "http://purl.org/dc/elements/1.1/"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MAX_XSD_ERRORS = 10

_PARSER_OPTIONS = dict(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True, remove_comments=True
)


def parse(file: SourceFile, settings: Settings | None = None) -> Staged:
    """Parse one exchange-format file into a :class:`Staged` (nothing is written anywhere);
    ``settings`` give the base IRI and the XSD folder (None: the defaults).

    Raises :class:`ParseError` for malformed XML (with line and column) and
    :class:`InputError` for content problems (named by element identifier and line).
    """
    root = _parse_xml(file)
    ns = etree.QName(root).namespace
    if etree.QName(root).localname != "model" or ns not in (NS3, NS2):
        raise ParseError(
            f"not an ArchiMate exchange file: the root element is <{etree.QName(root).localname}>"
            f" in namespace {ns or '(none)'}",
            source=file.name,
            line=root.sourceline,
            hint=f'expected <model xmlns="{NS3}">',
        )
    settings = settings or Settings()
    if ns == NS3 and settings.archimate_xsd_dir:
        _check_schema(file, root, settings.archimate_xsd_dir)
    return to_staged(read_model(root, file.name), file.name, "archimate", settings.base_iri)


def _parse_xml(file: SourceFile) -> etree._Element:
    if not file.data.strip():
        raise ParseError("the file is empty", source=file.name, hint="export the model again")
    check_xml(file.data, file.name)
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    try:
        return etree.fromstring(file.data, parser)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (None, None)
        raise ParseError(
            f"malformed XML: {exc.msg}",
            source=file.name,
            line=line,
            column=column,
            hint="fix the XML or export the model again from the modelling tool",
        ) from exc


class _LocalResolver(etree.Resolver):
    """Resolves schema imports (xml.xsd, dc.xsd) to files in the XSD directory: no network."""

    def __init__(self, directory: Path):
        super().__init__()
        self.directory = directory

    def resolve(self, url, public_id, context):  # type: ignore[no-untyped-def]
        local = self.directory / Path(str(url)).name
        if local.exists():
            return self.resolve_filename(str(local), context)
        return None


@lru_cache(maxsize=2)
def _schema(directory: str) -> etree.XMLSchema:
    path = Path(directory)
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_LocalResolver(path))
    imports = [f'<xs:import namespace="{NS3}" schemaLocation="archimate3_Diagram.xsd"/>']
    if (path / "dc.xsd").exists():  # metadata uses Dublin Core elements
        imports.append(f'<xs:import namespace="{DC}" schemaLocation="dc.xsd"/>')
    xs = "http://www.w3.org/2001/XMLSchema"
    wrapper = f'<xs:schema xmlns:xs="{xs}">' + "".join(imports) + "</xs:schema>"
    doc = etree.fromstring(wrapper.encode(), parser, base_url=(path / "schemas.xsd").as_uri())
    return etree.XMLSchema(doc)


def _check_schema(file: SourceFile, root: etree._Element, directory: str) -> None:
    if not (Path(directory) / "archimate3_Diagram.xsd").exists():
        raise InputError(
            "the ArchiMate XSD folder has no archimate3_Diagram.xsd",
            where=directory,
            hint="point SVCKG_ARCHIMATE_XSD_DIR at the Open Group schemas, or unset it",
        )
    try:
        schema = _schema(directory)
    except (etree.XMLSchemaParseError, OSError) as exc:
        raise InputError(
            f"cannot load the ArchiMate XSDs: {exc}",
            where=directory,
            hint="point SVCKG_ARCHIMATE_XSD_DIR at the Open Group schemas (with xml.xsd)",
        ) from exc
    if schema.validate(root):
        return
    errors = list(schema.error_log)
    shown = "; ".join(f"line {e.line}: {e.message}" for e in errors[:MAX_XSD_ERRORS])
    more = f" (and {len(errors) - MAX_XSD_ERRORS} more)" if len(errors) > MAX_XSD_ERRORS else ""
    raise InputError(
        f"the file departs from the ArchiMate exchange-format schema: {shown}{more}",
        where=f"{file.name}, line {errors[0].line}",
        hint="fix these places or export the model again; unset SVCKG_ARCHIMATE_XSD_DIR to "
        "skip the schema check",
    )


def _children(parent: etree._Element, *names: str) -> list[etree._Element]:
    wanted = set(names)
    return [c for c in parent if isinstance(c.tag, str) and c.tag.rpartition("}")[2] in wanted]


def _texts(parent: etree._Element, *names: str) -> list[Text]:
    """Non-empty texts of the named children, kept exactly (the round trip depends on it)."""
    out: list[Text] = []
    for child in _children(parent, *names):
        value = child.text or ""
        if value:
            out.append((value, child.get(XML_LANG) or None))
    return out


def _value_text(prop: etree._Element) -> Text:
    values = _texts(prop, "value")
    return values[0] if values else ("", None)


def _type_of(el: etree._Element) -> str:
    raw = el.get(XSI_TYPE) or ""
    return raw.rsplit(":", 1)[-1]


def read_model(root: etree._Element, file: str) -> Model:
    """Read the parsed ``<model>`` into a neutral :class:`Model` (no checks yet)."""
    alignment = load_alignment()
    model = Model(
        file=file,
        identifier=root.get("identifier"),
        names=_texts(root, "name", "label"),
        documentation=_texts(root, "documentation"),
    )
    for defs in _children(root, "propertyDefinitions", "propertydefs", "propertyDefs"):
        for d in _children(defs, "propertyDefinition", "propertydef", "propertyDef"):
            key = d.get("identifier") or ""
            names = _texts(d, "name")
            name = names[0][0] if names else d.get("name") or key
            model.property_definitions[key] = (name, d.get("type") or "string")
    model.properties = _properties(root)

    for section, tag, target in (
        ("elements", "element", model.elements),
        ("relationships", "relationship", model.relationships),
    ):
        for container in _children(root, section):
            for el in _children(container, tag):
                target.append(_concept(el, file, alignment.canonical))

    for orgs in _children(root, "organizations", "organization"):
        for item in _children(orgs, "item"):
            _folders(item, (), model.folders, None)
    for views in _children(root, "views"):
        for diagrams in [views, *_children(views, "diagrams")]:
            for v in _children(diagrams, "view"):
                refs = [
                    ref
                    for n in v.iter()
                    if isinstance(n.tag, str)
                    for ref in (
                        n.get("elementRef") or n.get("elementref"),
                        n.get("relationshipRef") or n.get("relationshipref"),
                    )
                    if ref
                ]
                model.views.append(
                    View(v.get("identifier") or "", _texts(v, "name", "label"), refs)
                )
    return model


def _properties(el: etree._Element) -> list[tuple[str, Text]]:
    out = []
    for props in _children(el, "properties"):
        for p in _children(props, "property"):
            key = p.get("propertyDefinitionRef") or p.get("identifierref") or p.get("identifierRef")
            if key:
                out.append((key, _value_text(p)))
    return out


def _concept(el: etree._Element, file: str, canonical) -> Concept:  # type: ignore[no-untyped-def]
    names: list[Text] = []
    documentation: list[Text] = []
    has_properties = False
    for child in el:  # one pass over the children: this runs for every element
        if not isinstance(child.tag, str):
            continue
        local = child.tag.rpartition("}")[2]
        if local in ("name", "label"):
            if child.text:
                names.append((child.text, child.get(XML_LANG) or None))
        elif local == "documentation":
            if child.text:
                documentation.append((child.text, child.get(XML_LANG) or None))
        elif local == "properties":
            has_properties = True
    identifier = el.get("identifier")
    location = SourceLocation(
        file=file,
        line=el.sourceline,
        element_id=identifier,
        element_name=names[0][0] if names else None,
    )
    if not identifier:
        raise InputError(
            f"<{etree.QName(el).localname}> has no identifier",
            where=location.describe(),
            hint="every element and relationship needs an identifier attribute",
        )
    attributes = {
        k: el.get(k) for k in ("accessType", "isDirected", "modifier") if el.get(k) is not None
    }
    return Concept(
        identifier=identifier,
        type=canonical(_type_of(el)),
        location=location,
        names=names,
        documentation=documentation,
        properties=_properties(el) if has_properties else [],
        source=el.get("source"),
        target=el.get("target"),
        attributes=attributes,  # type: ignore[arg-type]
    )


def _folders(
    item: etree._Element, path: tuple[str, ...], out: list[Folder], parent: int | None
) -> None:
    labels = _texts(item, "label")
    here = (*path, labels[0][0] if labels else "folder")
    folder = Folder(here, labels, parent=parent)
    index = len(out)
    out.append(folder)
    for child in _children(item, "item"):
        ref = child.get("identifierRef") or child.get("identifierref")
        if ref:
            folder.refs.append(ref)
        else:
            _folders(child, here, out, index)
