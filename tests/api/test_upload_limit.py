"""Issue 13: the upload limit holds for uploads (the CLI imports local files of any size:
tests/ingest/test_bad_input.py::test_the_upload_limit_does_not_cover_local_files)."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT))
from bench.landscape import write as write_landscape  # noqa: E402


def test_an_upload_over_the_limit_is_refused_and_imports_nothing(
    make_client, as_editor, tmp_path: Path
) -> None:  # noqa: ANN001
    source = tmp_path / "big.nt"
    write_landscape(source, 2000)
    client = make_client(max_upload_bytes=1000)
    files = [("file", ("big.nt", source.read_bytes(), "application/n-triples"))]
    response = client.post("/api/imports", files=files, headers=as_editor)
    assert response.status_code == 413
    assert "over the limit of 1,000 bytes" in response.json()["message"]
    assert client.get("/api/imports", headers=as_editor).json() == []
