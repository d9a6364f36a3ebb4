"""Standing differential test: on generated shapes graphs (every SHACL Core component, nested
shapes, every path kind, SHACL-SPARQL constraints from a grammar of safe queries) and data
graphs, the fast validator and pyshacl give the same report as a multiset of full results.

The generator and KNOWN live in bench/shacl_cases.py (bench/bench_shacl_differential.py runs
them for long). A disagreement passes only where KNOWN explains it as pyshacl's error (or the
one engine limit), with the reason; the explanation is checked against the differing results,
never assumed for a whole case.
"""

from __future__ import annotations

import sys

from hypothesis import HealthCheck, given, settings

from tests.conftest import REPO_ROOT as PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT))
from bench.shacl_cases import (  # noqa: E402
    KNOWN,
    Case,
    OnlyOneFailed,
    cases,
    compare,
    explained,
    failure_explained,
)


@settings(
    max_examples=250,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=cases)
def test_fast_validator_and_pyshacl_agree(case: Case) -> None:
    try:
        outcome = compare(case)
    except OnlyOneFailed as error:
        assert failure_explained(error) in KNOWN, error
        return
    if outcome is None:
        return  # both reject the shapes graph
    ours, theirs = outcome
    if ours != theirs:
        diff = (ours - theirs) + (theirs - ours)
        assert explained(case, diff, ours, theirs) in KNOWN, (
            f"only fast: {dict(ours - theirs)}\nonly pyshacl: {dict(theirs - ours)}"
        )


def test_known_differences_are_explained_by_name() -> None:
    """Each KNOWN reason is used by the checks above (no stale entry)."""
    import inspect

    source = inspect.getsource(explained) + inspect.getsource(failure_explained)
    assert all(f'"{name}"' in source for name in KNOWN)
