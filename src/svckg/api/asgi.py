"""The shape of svckg's plain ASGI middleware (no Starlette ``BaseHTTPMiddleware``: it costs a
task group and a body stream per request)."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


class HttpMiddleware:
    """ASGI middleware that acts on HTTP requests only: lifespan and other scopes go straight
    to the wrapped app. Subclasses write :meth:`http`."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.http(scope, receive, send)

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one HTTP request (call ``self.app`` to pass it on)."""
        raise NotImplementedError
