"""XML attacks (issue 21): entity expansion, external entities and deep nesting are refused
before any parser sees the bytes, on every route that reads XML. The server runs under a
memory cap on 127.0.0.1, so a regression kills that process and fails here."""

from __future__ import annotations

import io
import sys
import time
import zipfile
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from attacks import (  # noqa: E402
    archimate_laughs,
    billion_laughs,
    deep_nesting,
    external_entity,
    quadratic_blowup,
)
from conftest import Server, run_capped  # noqa: E402

XML_ATTACKS = {
    "billion-laughs": billion_laughs,
    "quadratic": quadratic_blowup,
    "external-entity": external_entity,
}


def _files(name: str, data: bytes, ctype: str = "application/rdf+xml") -> dict:
    return {"file": (name, data, ctype)}


@pytest.mark.parametrize("attack", sorted(XML_ATTACKS))
def test_entities_refused_by_anonymous_validation(capped_server: Server, attack: str) -> None:
    doc = XML_ATTACKS[attack]()
    started = time.monotonic()
    r = httpx.post(f"{capped_server.base}/api/ui/validate", files=_files("a.rdf", doc), timeout=60)
    assert r.status_code == 400, r.text[:500]
    assert "DOCTYPE" in r.json()["message"]
    assert time.monotonic() - started < 10
    assert capped_server.alive()


@pytest.mark.parametrize("attack", sorted(XML_ATTACKS))
def test_entities_refused_by_imports_and_graph_store(capped_server: Server, attack: str) -> None:
    doc = XML_ATTACKS[attack]()
    auth = capped_server.auth("editor")
    r = httpx.post(
        f"{capped_server.base}/api/imports", files=_files("a.rdf", doc), headers=auth, timeout=60
    )
    assert r.status_code == 400, r.text[:500]
    r = httpx.put(
        f"{capped_server.base}/rdf-graphs",
        params={"graph": "urn:x:attack"},
        content=doc,
        headers={**auth, "content-type": "application/rdf+xml"},
        timeout=60,
    )
    assert r.status_code == 400, r.text[:500]
    assert "DTDs and entities are refused" in r.json()["message"]
    assert capped_server.alive()


def test_archimate_entities_refused(capped_server: Server) -> None:
    r = httpx.post(
        f"{capped_server.base}/api/ui/validate",
        files=_files("m.xml", archimate_laughs(), "application/xml"),
        timeout=60,
    )
    assert r.status_code == 400, r.text[:500]
    assert "DOCTYPE" in r.json()["message"]
    assert capped_server.alive()


def test_deep_nesting_is_bounded(capped_server: Server) -> None:
    doc = deep_nesting(30_000)
    started = time.monotonic()
    r = httpx.post(f"{capped_server.base}/api/ui/validate", files=_files("d.rdf", doc), timeout=60)
    assert r.status_code == 400, r.text[:500]
    assert "deeper than 256 levels" in r.json()["message"]
    assert time.monotonic() - started < 5
    r = httpx.put(
        f"{capped_server.base}/rdf-graphs",
        params={"graph": "urn:x:deep"},
        content=doc,
        headers={**capped_server.auth(), "content-type": "application/rdf+xml"},
        timeout=60,
    )
    assert r.status_code == 400, r.text[:500]
    assert capped_server.alive()


def test_utf16_doctype_is_still_found() -> None:
    from svckg.errors import ParseError
    from svckg.ingest.safe_xml import check_xml

    doc = billion_laughs().decode()
    with pytest.raises(ParseError, match="DOCTYPE"):
        check_xml(doc.encode("utf-16"), "u16.rdf")
    with pytest.raises(ParseError, match="encoding 'UTF-7'"):
        check_xml(b'<?xml version="1.0" encoding="UTF-7"?>+ADw-!DOCTYPE', "u7.rdf")


def test_cli_import_refuses_entities(tmp_path: Path) -> None:
    path = tmp_path / "lol.rdf"
    path.write_bytes(billion_laughs())
    out = run_capped(
        "import subprocess, sys; from pathlib import Path\n"
        "cli = str(Path(sys.executable).parent / 'svckg')\n"
        f"r = subprocess.run([cli, 'import', {str(path)!r}, '--store', ':memory:'],"
        " capture_output=True, text=True)\n"
        "print(r.returncode); print(r.stderr + r.stdout)",
        timeout=120,
    )
    code, _, text = out.partition("\n")
    assert code == "2", out
    assert "DTDs and entities are refused" in text


def _xlsx_with(part: str, replace: bytes) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["ID", "Name"])
    wb.active.append(["S1", "One"])
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, replace if info.filename == part else data)
    return out.getvalue()


MAPPING = "model: m\nentities:\n  - class: svc:Application\n    id: ID\n    label: Name\n"


def test_xlsx_parts_with_entities_refused(tmp_path: Path) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text(MAPPING)
    laughs = billion_laughs().replace(b"rdf:RDF", b"worksheet")
    xlsx = _xlsx_with("xl/worksheets/sheet1.xml", laughs)
    code = (
        "from pathlib import Path\n"
        "from svckg.ingest import tabular\nfrom svckg.ingest.base import SourceFile\n"
        "from svckg.errors import ParseError\n"
        f"data = Path({str(tmp_path / 'x.xlsx')!r}).read_bytes()\n"
        "try:\n"
        f"    tabular.parse(SourceFile('x.xlsx', data), Path({str(mapping)!r}))\n"
        "    print('parsed')\n"
        "except ParseError as exc:\n    print(exc)\n"
    )
    (tmp_path / "x.xlsx").write_bytes(xlsx)
    out = run_capped(code)
    assert "x.xlsx [xl/worksheets/sheet1.xml]" in out and "DOCTYPE" in out, out


def test_xlsx_claiming_the_whole_sheet_is_bounded(tmp_path: Path) -> None:
    """A sheet claiming ``A1:XFD1048576`` (and holding a cell there) reads in bounded memory."""
    mapping = tmp_path / "m.yaml"
    mapping.write_text(MAPPING)
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<dimension ref="A1:XFD1048576"/><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>ID</t></is></c>'
        b'<c r="B1" t="inlineStr"><is><t>Name</t></is></c></row>'
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>S1</t></is></c>'
        b'<c r="B2" t="inlineStr"><is><t>One</t></is></c></row>'
        b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    (tmp_path / "x.xlsx").write_bytes(_xlsx_with("xl/worksheets/sheet1.xml", sheet))
    code = (
        "from pathlib import Path\n"
        "from svckg.ingest import tabular\nfrom svckg.ingest.base import SourceFile\n"
        f"data = Path({str(tmp_path / 'x.xlsx')!r}).read_bytes()\n"
        "from svckg.errors import InputError\n"
        "try:\n"
        f"    tabular.parse(SourceFile('x.xlsx', data), Path({str(mapping)!r}))\n"
        "except InputError as exc:\n    print(exc)\n"
    )
    out = run_capped(code, cap=1024**3, timeout=60)
    # the one real cell far away is read (and has no identifier), nothing in between is made
    assert "x.xlsx [Sheet], row 1048576, column 1 (ID): empty identifier" in out, out
