"""Served HTML never references an outside host (no CDN, no remote fonts, no trackers).

Every HTML page the app serves is fetched as a browser would and scanned: every
``src``/``href``/``action``/``srcset``/``poster``/``data`` attribute and every CSS ``url()`` /
``@import`` must stay on this server. Pages with parameters are listed in ``PAGES``; every
GET route without path parameters in the OpenAPI description is scanned as well. Add new
HTML pages to ``PAGES``.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
LOCAL_HOSTS = {"testserver", "127.0.0.1", "localhost", "::1"}
PAGES = [
    "/sparql",
    "/docs",
    "/id/email-service",
    "/id/cloud-workplace",
    "/resource?iri=https%3A%2F%2Fw3id.org%2Fsvckg%23CustomerFacingService",
    "/",
    "/ui/sparql",
    "/ui/validate",
    "/ui/graphql",
]
URL_ATTRIBUTES = {
    "src",
    "href",
    "action",
    "srcset",
    "poster",
    "data",
    "formaction",
    "xlink:href",
    "manifest",
    "background",
}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""", re.IGNORECASE)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        for name, value in attrs:
            if not value:
                continue
            if name in URL_ATTRIBUTES:
                parts = value.split(",") if name == "srcset" else [value]
                self.urls += [p.strip().split(" ")[0] for p in parts]
            if name == "style":
                self.urls += [a or b for a, b in CSS_URL.findall(value)]

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.urls += [a or b for a, b in CSS_URL.findall(data)]


def outside_references(html: str) -> list[str]:
    """URLs in ``html`` that point to a host other than this server.

    >>> outside_references('<a href="/x">x</a><script src="https://cdn.example/a.js"></script>')
    ['https://cdn.example/a.js']
    """
    finder = _Links()
    finder.feed(html)
    outside = []
    for url in finder.urls:
        parts = urlsplit(url if not url.startswith("//") else "http:" + url)
        remote = parts.scheme in ("http", "https", "ftp", "ws", "wss") or url.startswith("//")
        if remote and (parts.hostname or "") not in LOCAL_HOSTS:
            outside.append(url)
    return outside


def test_the_scanner_finds_outside_references() -> None:
    html = """<link rel="stylesheet" href="//fonts.example/css">
    <img srcset="/a.png 1x, https://img.example/b.png 2x"><style>@import "https://x.example/y.css";
    body { background: url('http://127.0.0.1:8000/ok.png') }</style>
    <form action="https://evil.example/post"></form><a href="http://localhost/ok">ok</a>"""
    assert outside_references(html) == [
        "//fonts.example/css",
        "https://img.example/b.png",
        "https://x.example/y.css",
        "https://evil.example/post",
    ]


def _html_pages(client) -> list[str]:  # noqa: ANN001
    spec = client.get("/openapi.json").json()
    documented = [p for p, ops in spec["paths"].items() if "get" in ops and "{" not in p]
    return list(dict.fromkeys(PAGES + documented))


def test_served_html_stays_on_this_server(make_client, demo_store) -> None:  # noqa: ANN001
    client = make_client(store=demo_store)
    scanned = 0
    for path in _html_pages(client):
        response = client.get(path, headers={"accept": BROWSER})
        if path in PAGES:
            assert response.status_code == 200, f"{path}: {response.status_code}"
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue
        assert outside_references(response.text) == [], path
        scanned += 1
    assert scanned >= len(PAGES)


def test_docs_load_swagger_ui_from_this_server(make_client) -> None:  # noqa: ANN001
    client = make_client()
    html = client.get("/docs").text
    assert "/static/swagger-ui/swagger-ui-bundle.js" in html
    assert "/static/swagger-ui/swagger-ui.css" in html
    assert "cdn.jsdelivr.net" not in html and "unpkg.com" not in html


def test_swagger_ui_assets_come_from_the_web_build(make_client) -> None:  # noqa: ANN001
    client = make_client()
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        response = client.get(f"/static/swagger-ui/{asset}")
        assert response.status_code == 200, f"{asset}: run the web build (web/, npm)"
