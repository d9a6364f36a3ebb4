"""Import at scale: the literal scan, one parse shared by validation and commit, files over
the upload limit from the CLI, all-or-nothing on a failed bulk write."""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from svckg.cli import main
from svckg.ingest import literals
from tests.conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT))
from bench.landscape import write as write_landscape  # noqa: E402

XSD = "http://www.w3.org/2001/XMLSchema#"


def _parsed_candidates(data: bytes, fmt: ox.RdfFormat) -> Counter[tuple[str, str]]:
    """What the parser (not the store: it keeps lexical forms) reads as XSD-typed literals."""
    out: Counter[tuple[str, str]] = Counter()
    for q in ox.parse(data, fmt, base_iri="http://x/"):
        o = q.object
        if isinstance(o, ox.Literal) and o.language is None:
            dt = o.datatype.value
            if dt.startswith(XSD) and dt != XSD + "string":
                out[(o.value, dt)] += 1
    return out


def test_literal_scan_finds_what_the_parser_reads_in_ntriples() -> None:
    lines = []
    for i in range(300):
        lines.append(f'<http://x/s{i}> <http://x/p> "{i:03d}"^^<{XSD}integer> .')
        lines.append(f'<http://x/s{i}> <http://x/q> "{i}.50"^^<{XSD}decimal> .')
        lines.append(f'<http://x/s{i}> <http://x/l> "a label ^^ with \\u0022marks" .')
        lines.append(f'<http://x/s{i}> <http://x/t> "tagged"@en .')
        lines.append(f'<http://x/s{i}> <http://x/u> "kept"^^<http://x/own> .')
    data = ("\n".join(lines) + "\n").encode()
    found = literals.candidates_in_text(data, bare=False)
    assert Counter((v, d) for v, d, _ in found) == _parsed_candidates(data, ox.RdfFormat.N_TRIPLES)
    for value, _, at in found[:5]:
        assert data[at : at + len(value) + 2] == f'"{value}"'.encode()


def test_literal_scan_reads_prefixes_in_any_case_and_bare_numbers_in_turtle() -> None:
    data = (
        b"PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
        b"@prefix ex: <http://x/> .\n"
        b'ex:a ex:p "007"^^xsd:integer , 012 ; ex:q "say \\"hi\\""^^xsd:token ; ex:r 12 .\n'
    )
    found = Counter((v, d) for v, d, _ in literals.candidates_in_text(data))
    assert found == Counter(
        {
            ("007", XSD + "integer"): 1,
            ("012", XSD + "integer"): 1,
            ('say \\"hi\\"', XSD + "token"): 1,
        }
    )
    assert literals.candidates_in_text(data, bare=False) != literals.candidates_in_text(data)


def _cli(capsys, *argv: str) -> tuple[int, str, str]:  # noqa: ANN001
    with pytest.raises(SystemExit) as exit_:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(exit_.value.code or 0), out, err


def test_the_terminal_gets_a_summary_not_every_result(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    """A landscape with hundreds of warnings: accepted and rejected (--fail-on warning), the
    table shows the per-shape summary and a few examples; --all shows every result."""
    source = tmp_path / "many.nt"
    write_landscape(source, 20_000)
    store = str(tmp_path / "store")
    code, out, _ = _cli(capsys, "import", "--store", store, "--fail-on", "warning", str(source))
    assert code == 1
    shown = re.search(r"(\d+) more result\(s\) not shown: --all shows every result", out)
    assert shown is not None and int(shown.group(1)) > 200
    assert len(out.splitlines()) < 120
    code, full, _ = _cli(
        capsys, "import", "--store", store, "--fail-on", "warning", "--all", str(source)
    )
    assert code == 1
    assert full.count("many.nt, line") > out.count("many.nt, line") + 200
    code, out, _ = _cli(capsys, "import", "--store", store, str(source))
    assert code == 0
    assert "not shown: --all shows every result" in out and len(out.splitlines()) < 120
