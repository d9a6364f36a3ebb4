"""Bearer tokens and roles: open or protected reading, editor writes, admin removal."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from svckg.api.auth import Principal, load_tokens
from svckg.config import Settings
from svckg.errors import InputError

UPDATE = {"content-type": "application/sparql-update"}
CONSUMER_TOKEN = "cons-tok-31b7"
INSERT = b"INSERT DATA { GRAPH <urn:test:g> { <urn:a> <urn:b> <urn:c> } }"


def test_tokens_from_setting_and_file(tmp_path: Path) -> None:
    path = tmp_path / "tokens"
    path.write_text("# team tokens\nf1le-tok editor   # the importer\n\nadm1n admin\n")
    table = load_tokens(Settings(tokens="inl1ne:reader", tokens_file=str(path)))
    assert table.role_of("inl1ne") == "reader"
    assert table.role_of("f1le-tok") == "editor"
    assert table.role_of("adm1n") == "admin"
    assert table.role_of("f1le") is None
    assert table.role_of("") is None


@pytest.mark.parametrize(
    ("content", "where"),
    [("tok editor extra\n", "line 1"), ("ok reader\ntok boss\n", "line 2")],
)
def test_bad_tokens_file_names_the_line_not_the_token(
    tmp_path: Path, content: str, where: str
) -> None:
    path = tmp_path / "tokens"
    path.write_text(content)
    with pytest.raises(InputError) as err:
        load_tokens(Settings(tokens_file=str(path)))
    assert where in err.value.describe()
    assert "tok " not in err.value.describe().replace(str(path), "")


def test_missing_tokens_file_and_bad_inline_entry(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the tokens file"):
        load_tokens(Settings(tokens_file=str(tmp_path / "absent")))
    with pytest.raises(InputError, match="entry 2 is not 'token:role'"):
        load_tokens(Settings(tokens="a:reader,justatoken"))
    with pytest.raises(InputError, match="unknown role 'owner'"):
        load_tokens(Settings(tokens="a:owner"))


def test_reading_is_open_by_default_and_writing_needs_an_editor(
    make_client, as_reader, as_editor
) -> None:
    client = make_client()
    assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200
    anonymous = client.post("/sparql", content=INSERT, headers=UPDATE)
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
    assert "editor role" in anonymous.json()["message"]
    reader = client.post("/sparql", content=INSERT, headers={**UPDATE, **as_reader})
    assert reader.status_code == 403
    assert "reader role" in reader.json()["message"]
    assert client.app.state.store.graphs() == []
    editor = client.post("/sparql", content=INSERT, headers={**UPDATE, **as_editor})
    assert editor.status_code == 204
    assert client.app.state.store.graphs() == ["urn:test:g"]


def test_protected_reading(make_client, as_reader) -> None:
    client = make_client(read_requires_token=True)
    assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 401
    assert client.get("/rdf-graphs", params={"default": ""}).status_code == 401
    assert client.get("/api/queries").status_code == 401
    ok = client.get("/sparql", params={"query": "ASK {}"}, headers=as_reader)
    assert ok.status_code == 200


def test_unknown_and_malformed_tokens_are_refused(make_client, tokens) -> None:
    client = make_client()
    bad = client.get(
        "/sparql", params={"query": "ASK {}"}, headers={"authorization": "Bearer not-a-token"}
    )
    assert bad.status_code == 401
    assert "not-a-token" not in bad.text
    basic = client.get(
        "/sparql", params={"query": "ASK {}"}, headers={"authorization": f"Basic {tokens['admin']}"}
    )
    assert basic.status_code == 401
    assert tokens["admin"] not in basic.text


def test_tokens_are_never_logged(make_client, tokens, caplog: pytest.LogCaptureFixture) -> None:
    client = make_client()
    with caplog.at_level(logging.DEBUG):
        for token in (*tokens.values(), "wrong-tok-123"):
            client.post(
                "/sparql",
                content=b"CLEAR XYZ",
                headers={**UPDATE, "authorization": f"Bearer {token}"},
            )
            client.get(
                "/sparql",
                params={"query": "SELECT * {"},
                headers={"authorization": f"Bearer {token}"},
            )
    for token in (*tokens.values(), "wrong-tok-123"):
        assert token not in caplog.text


def test_removing_an_import_needs_an_admin(make_client, demo_store, as_editor) -> None:
    client = make_client(store=demo_store)
    response = client.delete("/api/imports/services-ttl", headers=as_editor)
    assert response.status_code == 403
    assert "admin role" in response.json()["message"]


def test_consumer_tokens_name_their_consumer(tmp_path: Path) -> None:
    path = tmp_path / "tokens"
    path.write_text("eva-tok consumer:id:eva-holt\nread-tok reader\n")
    table = load_tokens(
        Settings(
            tokens="aur-tok:consumer:https://w3id.org/svckg/id/aurora-hospitals,ed:editor",
            tokens_file=str(path),
            read_requires_token=True,
        )
    )
    aurora = table.principal_of("aur-tok")
    assert aurora == Principal("consumer", "https://w3id.org/svckg/id/aurora-hospitals")
    assert aurora.is_consumer
    assert table.principal_of("eva-tok") == Principal(
        "consumer", "https://w3id.org/svckg/id/eva-holt"
    )
    assert table.role_of("ed") == "editor" and not table.principal_of("ed").is_consumer
    assert table.role_of("read-tok") == "reader"
    assert table.consumers == {
        "https://w3id.org/svckg/id/aurora-hospitals",
        "https://w3id.org/svckg/id/eva-holt",
    }


@pytest.mark.parametrize(
    ("tokens", "message"),
    [
        ("c1:consumer", "names its consumer"),
        ("c1:consumer:", "names its consumer"),
        ("c1:consumer:nope:x", "unknown prefix"),
        ("c1:reader:extra", "unknown role"),
    ],
)
def test_bad_consumer_entries_are_refused(tokens: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as err:
        load_tokens(Settings(tokens=tokens, read_requires_token=True))
    assert "c1" not in err.value.describe()


def test_consumer_tokens_need_protected_reading() -> None:
    with pytest.raises(InputError, match="reading is open") as err:
        load_tokens(Settings(tokens="c1:consumer:id:eva-holt"))
    assert "READ_REQUIRES_TOKEN" in err.value.describe()


def test_a_consumer_token_never_writes_and_is_refused_where_not_admitted(make_client) -> None:
    client = make_client(
        tokens=f"{CONSUMER_TOKEN}:consumer:id:eva-holt,ed-tok-1:editor", read_requires_token=True
    )
    consumer = {"authorization": f"Bearer {CONSUMER_TOKEN}"}
    write = client.post("/sparql", content=INSERT, headers={**UPDATE, **consumer})
    assert write.status_code == 403
    assert "consumer role" in write.json()["message"]
    assert client.app.state.store.graphs() == []
    imports = client.get("/api/imports", headers=consumer)
    assert imports.status_code == 403
    assert CONSUMER_TOKEN not in imports.text
