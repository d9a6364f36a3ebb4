"""Browser-test harness: the svckg app with the demo in a subprocess on 127.0.0.1, and Debian's
headless Chromium driven by Playwright (never ``playwright install``).

- ``ui_server`` (session): base URL of ``svckg serve`` (fresh in-memory store with the demo)
  on a free port, stopped by PID
  (``SVCKG_E2E_URL=http://127.0.0.1:PORT`` points the tests at a server you run yourself).
- ``browser`` (session): Chromium at /usr/bin/chromium; missing Chromium FAILS the test.
- ``page``: a fresh page whose requests to any host other than the test server are blocked
  and recorded; the test fails if there was any (the UI must work with no internet).
- ``editor_token``, ``admin_token``: tokens with the editor and admin roles on that server.
- ``shot(page, name)``: saves ``test-artifacts/ui/<name>.png``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from svckg.config import WEB_BUILD_DIR
from tests.conftest import REPO_ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = REPO_ROOT / "test-artifacts" / "ui"
EDITOR_TOKEN = "e2e-editor-token"
ADMIN_TOKEN = "e2e-admin-token"


def _require_build() -> None:
    if not (WEB_BUILD_DIR / "viewer" / "index.html").exists():
        pytest.fail(
            f"the browser UI is not built ({WEB_BUILD_DIR}/viewer/index.html is missing): "
            "run `cd web && npm ci && npm run build` (or `make web`)",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def ui_server(svckg_server: Callable[..., Any]) -> Iterator[str]:
    """Base URL of svckg serving the demo landscape from a fresh in-memory store."""
    _require_build()
    if os.environ.get("SVCKG_E2E_URL"):
        yield os.environ["SVCKG_E2E_URL"].rstrip("/")
        return
    env = {
        "SVCKG_TOKENS": f"{EDITOR_TOKEN}:editor,{ADMIN_TOKEN}:admin",
        "SVCKG_READ_REQUIRES_TOKEN": "0",
    }
    with svckg_server("ui-server", env) as base:
        yield base


@pytest.fixture(scope="session")
def editor_token() -> str:
    """The editor token the test server accepts (``SVCKG_E2E_TOKEN`` with ``SVCKG_E2E_URL``)."""
    return os.environ.get("SVCKG_E2E_TOKEN", EDITOR_TOKEN)


@pytest.fixture(scope="session")
def admin_token() -> str:
    """The admin token the test server accepts (``SVCKG_E2E_ADMIN_TOKEN`` with an outside URL)."""
    return os.environ.get("SVCKG_E2E_ADMIN_TOKEN", ADMIN_TOKEN)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium through Playwright; fails (not skips) when it is missing."""
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: the browser tests need Debian's "
            "`chromium` package (apt-get install -y chromium fonts-dejavu-core, or `make "
            "system-deps`)",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def page(browser: object, ui_server: str) -> Iterator[object]:
    """A fresh page (1400x900) that may only talk to the test server."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    context.set_default_timeout(15_000)
    allowed = urlsplit(ui_server).netloc
    outside: list[str] = []
    errors: list[str] = []

    def guard(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about") or parts.netloc == allowed:
            route.continue_()  # type: ignore[attr-defined]
        else:
            outside.append(url)
            route.abort()  # type: ignore[attr-defined]

    context.route("**/*", guard)
    the_page = context.new_page()
    the_page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield the_page
    context.close()
    assert not outside, f"the UI tried to reach outside hosts: {outside}"
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def shot() -> Callable[[object, str], Path]:
    """Save a full-page screenshot as ``test-artifacts/ui/<name>.png``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page: object, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=False)  # type: ignore[attr-defined]
        return path

    return take
