"""The built HTML pages of the browser UI (``web/`` builds them into
:data:`svckg.config.WEB_BUILD_DIR`; their assets are served under ``/static`` by the app).

Kept apart from the routes so that the UI router and the GraphQL router (which serves GraphiQL
to browsers) both use it without importing each other.
"""

from __future__ import annotations

from pathlib import Path

from fastapi.responses import HTMLResponse

from svckg.config import WEB_BUILD_DIR
from svckg.errors import StoreError

PAGES: dict[str, str] = {
    "viewer": "viewer/index.html",
    "sparql": "sparql/index.html",
    "validate": "validate/index.html",
    "graphiql": "graphiql/index.html",
    "catalogue": "catalogue/index.html",
    "imports": "imports/index.html",
    "classes": "classes/index.html",
}
"""Page name -> built HTML file under :data:`WEB_BUILD_DIR`."""


def page_html(name: str, build_dir: Path = WEB_BUILD_DIR) -> str:
    """The built HTML of page ``name`` (viewer, sparql, validate, graphiql).

    Raises StoreError (HTTP 503) naming the build command when ``web/`` was not built.
    """
    path = build_dir / PAGES[name]
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StoreError(
            f"the browser UI is not built: {path} is missing",
            where="web/dist",
            hint="run `cd web && npm ci && npm run build` (or `make web`)",
        ) from None


def page_response(name: str) -> HTMLResponse:
    """An HTML response with the built page ``name`` (never cached: it names hashed assets)."""
    return HTMLResponse(page_html(name), headers={"Cache-Control": "no-cache"})
