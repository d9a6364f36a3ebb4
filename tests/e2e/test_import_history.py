"""Import history (/ui/imports, /api/ui/imports): every version's provenance, the diff between
any two versions of a source (composed from the stored steps), removal for admins only."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from svckg.api.app import create_app
from svckg.config import Settings
from svckg.store.embedded import EmbeddedStore

PREFIXES = (
    b"@prefix svc: <https://w3id.org/svckg#> . @prefix id: <https://w3id.org/svckg/id/> .\n"
    b"@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
)
VERSIONS = [
    b'id:hist-a a svc:Team ; rdfs:label "One"@en .',
    b'id:hist-a a svc:Team ; rdfs:label "Uno"@en .',
    b'id:hist-a a svc:Team ; rdfs:label "One"@en . id:hist-b a svc:Team ; rdfs:label "Two"@en .',
]
EDITOR = {"Authorization": "Bearer ed"}
ADMIN = {"Authorization": "Bearer ad"}


def _upload(client, body: bytes, name: str = "history-teams.ttl", headers=None):
    return client.post(
        "/api/imports",
        files=[("file", (name, PREFIXES + body, "text/turtle"))],
        headers=headers or EDITOR,
    )


@pytest.fixture
def client() -> Iterator[TestClient]:
    store = EmbeddedStore(None)
    with TestClient(
        create_app(Settings(store=":memory:", tokens="ed:editor,ad:admin"), store=store)
    ) as c:
        for body in VERSIONS:
            assert _upload(c, body).status_code == 201
        yield c


def test_history_lists_every_version_with_provenance(client) -> None:
    imports = client.get("/api/ui/imports").json()["imports"]
    (imp,) = imports
    assert imp["source"] == "history-teams.ttl" and imp["current"]
    assert [v["version"] for v in imp["versions"]] == [3, 2, 1]
    records = {r["version"]: r for r in [client.get(f"/api/imports/{imp['id']}").json()]}
    newest = imp["versions"][0]
    assert newest["sha256"] == records[3]["sha256"] and len(newest["sha256"]) == 64
    assert newest["who"] == records[3]["agent"] and newest["when"] == records[3]["ended"]
    assert newest["outcome"] == "conforms" and "current" in newest["flags"]
    assert [v["current"] for v in imp["versions"]] == [True, False, False]


def test_diff_between_any_two_versions(client) -> None:
    imp = client.get("/api/ui/imports").json()["imports"][0]["id"]
    one_two = client.get(f"/api/ui/imports/{imp}/diff", params={"from": 1, "to": 2}).json()
    assert [t for t in one_two["added"] if '"Uno"' in t] and [
        t for t in one_two["removed"] if '"One"' in t
    ]
    # 1 -> 3: the label went away and came back, so only hist-b is new
    one_three = client.get(f"/api/ui/imports/{imp}/diff", params={"from": 1, "to": 3}).json()
    assert one_three["removed"] == []
    assert len(one_three["added"]) == 2 and all("hist-b" in t for t in one_three["added"])
    # the consecutive case agrees with the stored diff of the current version
    stored = client.get(f"/api/imports/{imp}/diff").json()
    two_three = client.get(f"/api/ui/imports/{imp}/diff", params={"from": 2, "to": 3}).json()
    assert sorted(two_three["added"]) == sorted(stored["added"])
    assert sorted(two_three["removed"]) == sorted(stored["removed"])


@pytest.mark.parametrize(
    ("params", "status", "fragment"),
    [
        ({"from": 3, "to": 1}, 400, "not older"),
        ({"from": 1, "to": 9}, 400, "no version 9"),
        ({"from": 1}, 400, "to"),
    ],
)
def test_diff_bad_input(client, params: dict, status: int, fragment: str) -> None:
    imp = client.get("/api/ui/imports").json()["imports"][0]["id"]
    response = client.get(f"/api/ui/imports/{imp}/diff", params=params)
    assert response.status_code == status and fragment in response.text
    assert client.get("/api/ui/imports/nope/diff", params={"from": 1, "to": 2}).status_code == 404


def test_removal_needs_an_admin_and_keeps_the_history(client) -> None:
    imp = client.get("/api/ui/imports").json()["imports"][0]["id"]
    assert client.delete(f"/api/imports/{imp}", headers=EDITOR).status_code == 403
    assert client.delete(f"/api/imports/{imp}", headers=ADMIN).status_code == 200
    after = client.get("/api/ui/imports").json()["imports"][0]
    assert not after["current"] and len(after["versions"]) == 3


@pytest.mark.browser
def test_history_page_diffs_and_removes(
    page, ui_server: str, shot: Callable, editor_token: str, admin_token: str
) -> None:
    for body in VERSIONS:
        response = httpx.post(
            f"{ui_server}/api/imports",
            files=[("file", ("browser-history.ttl", PREFIXES + body, "text/turtle"))],
            headers={"Authorization": f"Bearer {editor_token}"},
        )
        assert response.status_code == 201, response.text
    history = httpx.get(f"{ui_server}/api/ui/imports").json()["imports"]
    mine = next(i for i in history if i["source"] == "browser-history.ttl")
    page.goto(f"{ui_server}/ui/imports")
    page.wait_for_selector("#imports-table tbody tr")
    rows = page.locator(f"#imports-table tbody tr[data-id='{mine['id']}']")
    assert rows.count() == len(mine["versions"]) == 3
    assert mine["versions"][0]["sha256"][:12] in rows.first.text_content()
    assert page.locator("#imports-table tbody tr").count() == sum(
        len(i["versions"]) for i in history
    )
    page.get_by_label(f"{mine['id']} v1 as the older version").check()
    rows.first.get_by_role("button", name="Diff").click()
    page.wait_for_selector("#diff-body li")
    assert page.locator("#diff-body li.added").count() == 2
    assert page.locator("#diff-body li.removed").count() == 0
    assert "v1 → v3" in page.text_content("#diff-body")
    shot(page, "32-import-history-diff")
    # without a token nothing is removed; with the admin token the import is gone
    rows.first.get_by_role("button", name="Remove").click()
    assert "admin token" in page.text_content("#imports-status")
    page.get_by_label("Admin token").fill(admin_token)
    page.once("dialog", lambda dialog: dialog.accept())
    rows.first.get_by_role("button", name="Remove").click()
    page.wait_for_selector(f"#imports-status:has-text('Removed {mine['id']}')")
    after = httpx.get(f"{ui_server}/api/ui/imports").json()["imports"]
    assert not next(i for i in after if i["id"] == mine["id"])["current"]
    shot(page, "33-import-history-removed")
