"""Backups: ``svckg backup`` makes an online copy (also through ``POST /api/backup`` while the
server serves), ``svckg restore`` brings it back into a new or empty store only; imports and
the export are the same after the round trip."""

from __future__ import annotations

import json
import threading
from collections import Counter
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from svckg.api.app import create_app
from svckg.cli import main
from svckg.config import DATA_DIR, Settings
from svckg.store.embedded import EmbeddedStore

TINY_SHOP = Path(__file__).resolve().parents[1] / "ingest_ea" / "data" / "tiny-shop.xml"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(exit_.value.code or 0), out, err


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def state_of(capsys, store: Path) -> tuple[list, Counter]:
    """``imports list`` (JSON) and the N-Quads export as a multiset of lines."""
    code, listed, err = run(capsys, "imports", "list", "--format", "json", "--store", str(store))
    assert code == 0, err
    code, exported, err = run(capsys, "export", "--store", str(store))
    assert code == 0, err
    return json.loads(listed), Counter(exported.splitlines())


def test_backup_restore_round_trip_and_refusals(capsys, tmp_path: Path) -> None:
    store, copy = tmp_path / "store", tmp_path / "backup"
    files = [str(p) for p in sorted(DATA_DIR.glob("*.ttl"))] + [str(TINY_SHOP)]
    assert run(capsys, "import", "--store", str(store), "--force", *files)[0] == 0
    before = state_of(capsys, store)
    assert len(before[0]) == len(files) and sum(before[1].values()) > 1000

    code, out, _ = run(capsys, "backup", str(copy), "--store", str(store))
    assert code == 0 and f"{sum(before[1].values()):,} quads" in out
    code, _, err = run(capsys, "backup", str(copy), "--store", str(store))
    assert code == 2 and "already exists" in err

    restored = tmp_path / "restored"
    code, out, _ = run(capsys, "restore", str(copy), "--store", str(restored))
    assert code == 0 and "restored" in out
    assert state_of(capsys, restored) == before
    # the source store goes on independently of its backup
    assert run(capsys, "imports", "remove", "tiny-shop-xml", "--store", str(store))[0] == 0
    assert state_of(capsys, restored) == before

    code, _, err = run(capsys, "restore", str(copy), "--store", str(store))
    assert code == 2 and "not empty" in " ".join(err.split()) and "--force" in err
    assert state_of(capsys, store) != before  # untouched by the refusal
    code, _, _ = run(capsys, "restore", str(copy), "--store", str(store), "--force")
    assert code == 0 and state_of(capsys, store) == before

    code, _, err = run(capsys, "restore", str(tmp_path), "--store", str(tmp_path / "x"))
    assert code == 2 and "not an svckg backup" in " ".join(err.split())
    assert not (tmp_path / "x").exists()
    code, _, err = run(capsys, "backup", str(tmp_path / "m"), "--store", ":memory:")
    assert code == 2 and "on-disk store" in " ".join(err.split())


def test_online_backup_through_the_api_while_serving(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    from svckg.demo import load_demo

    load_demo(store)
    settings = Settings(store=str(tmp_path / "store"), tokens="ad-tok:admin,ed-tok:editor")
    answers: list[int] = []
    stop = threading.Event()
    with TestClient(create_app(settings, store=store)) as client:

        def read() -> None:
            while not stop.is_set():
                answers.append(client.get("/api/queries").status_code)

        reader = threading.Thread(target=read)
        reader.start()
        try:
            target = str(tmp_path / "online")
            refused = client.post(
                "/api/backup",
                params={"directory": target},
                headers={"authorization": "Bearer ed-tok"},
            )
            assert refused.status_code == 403 and not Path(target).exists()
            done = client.post(
                "/api/backup",
                params={"directory": target},
                headers={"authorization": "Bearer ad-tok"},
            )
        finally:
            stop.set()
            reader.join()
        assert done.status_code == 200, done.text
        assert done.json() == {"directory": target, "quads": store.count()}
        expected = Counter(store.export().splitlines())
    store.close()
    assert answers and set(answers) == {200}
    copy = EmbeddedStore(tmp_path / "online")
    assert Counter(copy.export().splitlines()) == expected
    copy.close()
