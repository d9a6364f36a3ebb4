"""The customer's status page and the provider's incident view in headless Chromium, at 1400
and 800 px: the shared navigation, no horizontal scrolling, nothing serious for axe-core, and
a screenshot of each (``test-artifacts/ui/50-*.png``)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tests.conftest import REPO_ROOT

AXE = REPO_ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
PAGES = {"status": "/status/id:aurora-hospitals", "incidents": "/ui/incidents"}


@pytest.fixture(scope="module")
def incidents(ui_server: str, editor_token: str) -> list[str]:
    """An open backend incident with a customer update, and a closed one, on the test server."""
    auth = {"Authorization": f"Bearer {editor_token}"}
    made = []
    for body in (
        {
            "title": "Hypervisor node HV-07 lost power",
            "failed": ["id:hypervisor-cluster"],
            "updates": [
                {"text": "Vendor ticket opened"},
                {"text": "Virtual desktops are moving to healthy hosts.", "shownToCustomers": True},
            ],
        },
        {
            "title": "Portal certificate expired",
            "failed": ["id:self-service-portal"],
            "start": "2026-11-29T10:00:00Z",
            "end": "2026-11-29T11:30:00Z",
        },
    ):
        response = httpx.post(f"{ui_server}/api/incidents", json=body, headers=auth, timeout=30)
        assert response.status_code == 201, response.text
        made.append(response.json()["id"])
    return made


@pytest.mark.browser
@pytest.mark.parametrize("width", [1400, 800])
@pytest.mark.parametrize("name", list(PAGES))
def test_status_and_incident_pages(
    page,
    ui_server: str,
    editor_token: str,
    incidents: list[str],
    shot: Callable,
    name: str,
    width: int,
) -> None:  # noqa: ANN001
    page.set_extra_http_headers({"Authorization": f"Bearer {editor_token}"})
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(ui_server + PAGES[name], wait_until="networkidle")
    assert page.locator("header.site nav a").count() >= 3, "not the shared navigation"
    if name == "status":
        assert page.locator("h1").inner_text() == "Service status for St. Aurora Hospital Group"
        assert page.locator(f"#incident-{incidents[0]}").count() == 1
        assert page.locator("table.report .badge.down").count() >= 1
    else:
        assert page.locator(f"#incident-{incidents[0]}").count() == 1
        assert page.locator("a[href='/status/id:aurora-hospitals']").count() >= 1
    overflow = page.evaluate(
        "() => [...document.querySelectorAll('.page, .page table')]"
        ".filter(e => e.scrollWidth > e.clientWidth + 1 && !e.closest('.table-wrap'))"
        ".map(e => e.tagName + '.' + e.className)"
    )
    assert overflow == [], f"{name} at {width}px scrolls sideways: {overflow}"
    shot(page, f"50-{name}-{width}")
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `cd web && npm ci`", pytrace=False)
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"
    )
    serious = [v for v in found if v["impact"] in ("serious", "critical")]
    assert not serious, f"{name} at {width}px: {serious}"
