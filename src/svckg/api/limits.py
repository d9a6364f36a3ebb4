"""The one request-body limit of the HTTP API, as ASGI middleware in front of every route.

The route's first read of a body whose declared ``Content-Length`` is over the limit raises
:class:`TooLarge` (413 through the error handlers) before a byte is read, so authentication
still answers first; a body without one (chunked, multipart, ``/graphql`` JSON) is counted
as it arrives, and the read that passes the limit raises, with at most one chunk past the
limit ever held. Routes that take uploads
(:data:`UPLOAD_PATHS`) get ``Settings.max_upload_bytes``; every other route, ``/graphql``
included, gets ``Settings.max_body_bytes``.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from svckg.api.asgi import HttpMiddleware
from svckg.config import Settings
from svckg.errors import TooLarge

UPLOAD_PATHS = ("/api/imports", "/api/ui/validate", "/rdf-graphs", "/sparql")
"""Path prefixes whose bodies are uploads (RDF documents, SPARQL updates carrying data)."""


def body_limit(settings: Settings, path: str) -> tuple[int, str]:
    """The byte limit for a request to ``path`` and the setting that raises it.

    >>> body_limit(Settings(), "/graphql")
    (1048576, 'SVCKG_MAX_BODY_BYTES')
    """
    if path.startswith(UPLOAD_PATHS):
        return settings.max_upload_bytes, "SVCKG_MAX_UPLOAD_BYTES"
    return settings.max_body_bytes, "SVCKG_MAX_BODY_BYTES"


def too_large(limit: int, setting: str, size: int | None = None) -> TooLarge:
    told = f" ({size:,} bytes)" if size is not None else ""
    return TooLarge(
        f"the request body{told} is over the limit of {limit:,} bytes",
        hint=f"send less (split an upload) or raise {setting}",
    )


class BodyLimit(HttpMiddleware):
    """ASGI middleware enforcing :func:`body_limit` on every HTTP request."""

    def __init__(self, app: ASGIApp, settings: Settings):
        super().__init__(app)
        self.settings = settings

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit, setting = body_limit(self.settings, scope.get("path", ""))
        declared = content_length(scope)
        received = 0

        async def counted() -> Message:
            nonlocal received
            if declared is not None and declared > limit:
                raise too_large(limit, setting, declared)  # before a byte is read
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise too_large(limit, setting)
            return message

        await self.app(scope, counted, send)


def content_length(scope: Scope) -> int | None:
    """The request's declared ``Content-Length`` (None: absent or not a number)."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None
