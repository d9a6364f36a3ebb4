"""Body limits (issue 21): one layer for every route, chunked bodies counted as they arrive
and refused (413) long before the whole body is read; ``/graphql`` bounded too."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from attacks import send_chunked  # noqa: E402
from conftest import UPLOAD_LIMIT, Server  # noqa: E402

MULTIPART = "multipart/form-data; boundary=XyZ"
PART_HEAD = (
    b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="big.ttl"\r\n'
    b"Content-Type: text/turtle\r\n\r\n# "
)


@pytest.mark.parametrize(
    ("path", "ctype", "role", "limit"),
    [
        ("/api/ui/validate", MULTIPART, None, UPLOAD_LIMIT),
        ("/api/imports", MULTIPART, "editor", UPLOAD_LIMIT),
        ("/rdf-graphs?graph=urn:x:big", "text/turtle", "editor", UPLOAD_LIMIT),
        ("/sparql", "application/sparql-update", "editor", UPLOAD_LIMIT),
        ("/graphql", "application/json", None, 1024 * 1024),
    ],
)
def test_chunked_bodies_are_refused_early(
    capped_server: Server, path: str, ctype: str, role: str | None, limit: int
) -> None:
    headers = {"Content-Type": ctype, **(capped_server.auth(role) if role else {})}
    prefix = PART_HEAD if ctype == MULTIPART else b""
    status, sent = send_chunked(
        capped_server.base, path, headers, total=50 * 1024 * 1024, prefix=prefix
    )
    assert status == 413
    # what was sent includes the loopback socket buffers (several MB): far below the 50 MB
    assert sent < limit + 16 * 1024 * 1024, f"{sent:,} bytes were taken before the 413"
    assert capped_server.alive()


def test_declared_length_is_refused_before_reading(capped_server: Server) -> None:
    r = httpx.post(
        f"{capped_server.base}/graphql",
        content=b'{"query": "{ __typename }", "x": "' + b"x" * (2 * 1024 * 1024) + b'"}',
        headers={"content-type": "application/json"},
        timeout=60,
    )
    assert r.status_code == 413
    body = r.json()
    assert "over the limit of 1,048,576 bytes" in body["message"]
    assert "SVCKG_MAX_BODY_BYTES" in body["hint"]
    small = httpx.post(
        f"{capped_server.base}/graphql", json={"query": "{ __typename }"}, timeout=30
    )
    assert small.status_code == 200
