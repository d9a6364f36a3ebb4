"""A real GraphQL client (``gql``) against ``svckg serve`` (uvicorn) in a subprocess on
127.0.0.1: schema by introspection, impact, trace, a paginated list and a mutation."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from gql import Client, gql
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXTransport
from graphql import GraphQLInterfaceType

EDITOR = "gql-real-editor-81f2"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``svckg serve`` on an in-memory demo store; stopped by PID."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("gql-serve") / "serve.log"
    env = {**os.environ, "SVCKG_TOKENS": f"{EDITOR}:editor", "SVCKG_STORE": ":memory:"}
    svckg = Path(sys.executable).parent / "svckg"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [str(svckg), "serve", "--port", str(port), "--log-level", "warning"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        try:
            deadline = time.monotonic() + 90
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"svckg serve exited: {log_path.read_text()[-2000:]}")
                try:
                    httpx.get(f"{base}/api/queries", timeout=1.0)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"no answer on {base} in 90 s") from None
                    time.sleep(0.2)
            yield f"{base}/graphql"
        finally:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
    assert EDITOR not in log_path.read_text(errors="replace"), "a token was logged"


def _client(url: str, token: str | None = None) -> Client:
    headers = {"Authorization": f"Bearer {token}"} if token else None
    return Client(
        transport=HTTPXTransport(url=url, headers=headers, timeout=60),
        fetch_schema_from_transport=True,
    )


def test_gql_client_reads_and_writes(server: str) -> None:
    with _client(server) as session:
        schema = session.client.schema
        assert schema is not None
        service = schema.get_type("Service")
        assert isinstance(service, GraphQLInterfaceType)
        assert "usesResource" in service.fields

        hit = session.execute(
            gql(
                '{ impact(failed: ["id:hypervisor-cluster"]) { impacted { iri status '
                "customerVisible } agreements { iri } parties { role agent } } }"
            )
        )["impact"]
        assert hit["impacted"] and hit["agreements"] and hit["parties"]
        assert {e["status"] for e in hit["impacted"]} <= {"down", "degraded"}

        traced = session.execute(
            gql(
                '{ trace(from: "id:cloud-workplace") { root { iri } layers { label '
                "elements { iri } } } }"
            )
        )["trace"]
        assert traced["root"]["iri"].endswith("/cloud-workplace") and traced["layers"]

        page = gql("""query($after: String) { services(first: 5, after: $after) {
            totalCount pageInfo { hasNextPage endCursor } edges { node { id label } } } }""")
        seen: list[str] = []
        after = None
        while True:
            page.variable_values = {"after": after}
            got = session.execute(page)["services"]
            seen += [e["node"]["id"] for e in got["edges"]]
            if not got["pageInfo"]["hasNextPage"]:
                break
            after = got["pageInfo"]["endCursor"]
        assert len(seen) == len(set(seen)) == got["totalCount"] > 5

        create = gql("""mutation { createApplication(id: "id:gql-client-app",
            input: {label: "Client-made application", ownedBy: ["id:erik-dahl"]}, force: true)
            { id label __typename } }""")
        with pytest.raises(TransportQueryError, match="needs a bearer token"):
            session.execute(create)

    with _client(server, EDITOR) as session:
        made = session.execute(create)["createApplication"]
        assert made["label"] == "Client-made application"
        assert made["__typename"] == "Application"
        back = session.execute(gql('{ node(id: "id:gql-client-app") { label } }'))
        assert back["node"]["label"] == "Client-made application"
