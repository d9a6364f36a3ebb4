"""How the API is put together: every route declares the role it needs (a dependency on the
router or the route), and route modules never import each other."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

import svckg.api
from svckg.api import auth
from svckg.api.app import create_app
from svckg.config import Settings

ROLE_CHECKS = {
    auth.require_scoped_read: "consumer",
    auth.require_read: "reader",
    auth.require_editor: "editor",
    auth.require_admin: "admin",
}
OPEN = {"/", "/ui", "/ui/sparql", "/ui/validate", "/ui/graphql", "/docs"}
OPEN |= {"/healthz", "/readyz", "/metrics"}  # operators' probes: open like a load balancer needs
OPEN |= {"/ui/catalogue", "/ui/imports", "/ui/classes"}  # static pages; their data routes check
"""Pages a browser loads without a token (their data routes are protected)."""
CHECKED_IN_HANDLER = {("/sparql", "POST"), ("/graphql", "GET"), ("/graphql", "POST")}
# GraphQL checks reading in its context getter: a route dependency cannot take a WebSocket
"""The body decides the role (a query needs reading, an update an editor)."""
WRITES = {
    ("/rdf-graphs", "PUT"): "editor",
    ("/rdf-graphs", "POST"): "editor",
    ("/rdf-graphs", "DELETE"): "editor",
    ("/rdf-graphs/{path:path}", "PUT"): "editor",
    ("/rdf-graphs/{path:path}", "POST"): "editor",
    ("/rdf-graphs/{path:path}", "DELETE"): "editor",
    ("/api/imports", "POST"): "editor",
    ("/api/imports/{import_id}", "DELETE"): "admin",
    ("/api/backup", "POST"): "admin",
    ("/api/incidents", "POST"): "editor",
    ("/api/incidents/alertmanager", "POST"): "editor",
    ("/api/incidents/{incident_id}/updates", "POST"): "editor",
    ("/api/incidents/{incident_id}/close", "POST"): "editor",
    # a customer's status page is for the provider's editors (customers use their own token)
    ("/status/{org}", "GET"): "editor",
    ("/status/{org}.json", "GET"): "editor",
    ("/status/{org}/feed.atom", "GET"): "editor",
}
RANK = {"consumer": -1, "reader": 0, "editor": 1, "admin": 2}
CONSUMER_ROUTES = {
    *(
        (path, method)
        for path in ("/rdf-graphs", "/rdf-graphs/{path:path}")
        for method in ("GET", "HEAD")
    ),
    ("/sparql", "GET"),
    ("/id/{rest:path}", "GET"),
    ("/resource", "GET"),
    ("/api/queries", "GET"),
    ("/api/queries/{name}/sparql", "GET"),
    ("/api/queries/{name}", "GET"),
    ("/api/impact", "GET"),
    ("/api/trace", "GET"),
    *(("/api/ui/" + name, "GET") for name in ("search", "node", "neighbours", "nodes", "prefixes")),
    ("/api/ui/impact", "GET"),
    ("/api/ui/sparql/bind", "POST"),
    ("/api/ui/catalogue", "GET"),
    ("/api/ui/catalogue/{kind}", "GET"),
    ("/api/ui/classes", "GET"),
    ("/status", "GET"),
    ("/status.json", "GET"),
    ("/status/feed.atom", "GET"),
}
"""Read routes that admit consumer tokens and answer them from the consumer's view (every
other read route refuses them: ``require_read``). tests/security checks each of them."""
ROUTE_MODULES = {
    "svckg.api.sparql",
    "svckg.api.graphstore",
    "svckg.api.linkeddata",
    "svckg.api.rest",
    "svckg.api.ui",
    "svckg.api.graphql.router",
    "svckg.api.incidents",
    "svckg.api.status",
}


def _routes(routes: Iterable[object]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # an included router
            yield from _routes(route.original_router.routes)


def _roles(dependant: Dependant) -> set[str]:
    found = set()
    for dep in dependant.dependencies:
        call = getattr(dep.call, "__wrapped__", dep.call)  # role checks run on the event loop
        if call in ROLE_CHECKS:
            found.add(ROLE_CHECKS[call])
        found |= _roles(dep)
    return found


def test_every_route_declares_its_role() -> None:
    app = create_app(Settings(store=":memory:"))
    seen = []
    for route in _routes(app.routes):
        for method in route.methods:
            key = (route.path, method)
            seen.append(key)
            roles = _roles(route.dependant)
            if route.path in OPEN or key in CHECKED_IN_HANDLER:
                assert roles == set(), key
            else:
                # a route may inherit its router's reading check: the strongest role counts
                expected = "consumer" if key in CONSUMER_ROUTES else WRITES.get(key, "reader")
                assert roles and max(roles, key=RANK.__getitem__) == expected, (key, roles)
    assert set(WRITES) <= set(seen)
    assert set(seen) >= CONSUMER_ROUTES
    assert ("/graphql", "POST") in seen and ("/api/ui/search", "GET") in seen


def _module_name(path: Path, root: Path) -> str:
    return ".".join(path.relative_to(root.parent).with_suffix("").parts)


def _imported(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_route_modules_do_not_import_each_other() -> None:
    root = Path(svckg.api.__file__).parent.parent
    modules = {
        _module_name(path, root): path
        for path in Path(svckg.api.__file__).parent.rglob("*.py")
        if _module_name(path, root) in ROUTE_MODULES
    }
    assert set(modules) == ROUTE_MODULES
    for name, path in modules.items():
        imported = _imported(ast.parse(path.read_text(encoding="utf-8")))
        assert imported & (ROUTE_MODULES - {name}) == set(), name
