"""The outside test material is reached only through ``tests/conftest.py``'s helpers.

``.ci/test-fresh`` runs, from a copy with no ``../shared``, exactly the test modules that name
those helpers (or ``SVCKG_FIXTURES``); a module that built its own path to ``../shared`` would
escape that selection and break on a plain clone unseen. Nothing in ``src/`` may read it.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OWN_PATH = re.compile(r"""(["']\.\./shared|(parent|parents\[\d+\])\s*/\s*["']shared)""")
"""A path to the ``shared`` folder beside the repository, spelled out."""


def _offenders(folder: Path, allowed: set[Path]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted(folder.rglob("*.py"))
        if path not in allowed
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OWN_PATH.search(line)
    ]


def test_only_the_conftest_helpers_build_the_path() -> None:
    allowed = {ROOT / "tests" / "conftest.py", Path(__file__).resolve()}
    assert _offenders(ROOT / "tests", allowed) == []


def test_the_package_never_reads_the_outside_material() -> None:
    assert _offenders(ROOT / "src", set()) == []


def test_the_pattern_catches_an_own_path() -> None:
    assert OWN_PATH.search('ROOT.parent / "shared" / "fixtures"')
    assert OWN_PATH.search('Path(__file__).parents[2] / "shared"')
    assert OWN_PATH.search("Path('../shared/fixtures')")
    assert not OWN_PATH.search('ROOT / "web" / "src" / "shared" / "palette.json"')


def test_the_pattern_finds_the_one_real_home() -> None:
    """The conftest's own spelling is caught, so the rule would see a copy of it elsewhere."""
    assert any(o.startswith("tests/conftest.py:") for o in _offenders(ROOT / "tests", set()))
