"""Request-scoped helpers of the route modules, in one place: the app's state, store and
settings, the role a router or route requires, bounded request bodies and uploads, running
blocking work off the event loop, and answering a named query.

Route modules (``sparql``, ``graphstore``, ``linkeddata``, ``rest``, ``ui``, ``graphql.router``)
import from here and never from each other.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request, params

from svckg.analysis import queries
from svckg.analysis.views import View
from svckg.api.auth import (
    ADMIN,
    CONSUMER,
    EDITOR,
    READER,
    request_consumer,
    require_admin,
    require_editor,
    require_read,
    require_scoped_read,
)
from svckg.api.conneg import media_type_of
from svckg.api.limits import body_limit, too_large
from svckg.api.state import AppState, app_state, run_blocking, run_locked, run_write
from svckg.config import Settings
from svckg.errors import InputError, UnsupportedFormat
from svckg.ingest.base import SourceFile
from svckg.store.base import Store

__all__ = [
    "ADMIN",
    "CONSUMER",
    "EDITOR",
    "READER",
    "AppState",
    "ReadStoreDep",
    "SettingsDep",
    "StateDep",
    "StoreDep",
    "answer_named",
    "app_state",
    "check_declared_size",
    "check_role",
    "consumer_view",
    "read_body",
    "read_store",
    "read_uploaded_files",
    "request_consumer",
    "require_role",
    "run_blocking",
    "run_locked",
    "run_write",
    "upload_fields",
    "with_profile",
]

# -- state, store, settings -------------------------------------------------------------------


def get_store(request: Request) -> Store:
    """The store of the app serving ``request``."""
    return app_state(request).store


def get_settings(request: Request) -> Settings:
    """The settings of the app serving ``request``."""
    return app_state(request).settings


StateDep = Annotated[AppState, Depends(app_state)]
StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]

# -- roles ------------------------------------------------------------------------------------

_ROLE_CHECKS = {
    CONSUMER: require_scoped_read,
    READER: require_read,
    EDITOR: require_editor,
    ADMIN: require_admin,
}


def _on_the_loop(check: Callable[[Request], str | None]) -> Callable[..., Any]:
    """``check`` as an ``async`` dependency: a token look-up is a dict read, and FastAPI runs
    a plain function dependency in the thread pool (a thread hop on every request)."""

    async def dependency(request: Request) -> str | None:
        return check(request)

    dependency.__name__ = dependency.__qualname__ = check.__name__
    dependency.__doc__ = check.__doc__
    dependency.__wrapped__ = check  # type: ignore[attr-defined]  # which check it runs
    return dependency


_ROLE_DEPENDENCIES = {role: _on_the_loop(check) for role, check in _ROLE_CHECKS.items()}


def require_role(role: str) -> params.Depends:
    """The dependency a router (``APIRouter(dependencies=[...])``) or a route decorator
    declares: reading (open unless ``Settings.read_requires_token``), editor or admin.
    Unauthorized (401) without a valid token, Forbidden (403) with too weak a token.

    ``READER`` refuses consumer tokens (deny by default); ``CONSUMER`` admits them too, for
    routes that answer a consumer from its view only (:func:`request_consumer` tells)."""
    return Depends(_ROLE_DEPENDENCIES[role])


def check_role(request: Request, role: str) -> str | None:
    """The same check inside a handler, where the body decides the role: a SPARQL POST is a
    query or an update, a GraphQL document a query or a mutation. Returns the token's role
    (None without a token)."""
    return _ROLE_CHECKS[role](request)


async def consumer_view(request: Request) -> View | None:
    """The view of the request's consumer token (None for every other request), brought in
    step with the store first when a write changed it."""
    consumer = request_consumer(request)
    if consumer is None:
        return None
    state = app_state(request)
    view = state.views.current(state.store, consumer)
    if view is not None:
        return view
    return await run_blocking(request, state.views.view, state.store, consumer)


async def read_store(request: Request) -> Store:
    """The store a read answers from: the consumer's view store for a consumer token (it holds
    nothing outside the view), else the app's store."""
    view = await consumer_view(request)
    return get_store(request) if view is None else view.store


ReadStoreDep = Annotated[Store, Depends(read_store)]
"""The store a read route answers from (the consumer's view store for a consumer token)."""


# -- bodies -----------------------------------------------------------------------------------


def check_declared_size(request: Request) -> None:
    """TooLarge when the declared Content-Length is over the route's limit (the
    :class:`svckg.api.limits.BodyLimit` middleware answers this first; kept for apps that
    run without it)."""
    limit, setting = body_limit(get_settings(request), request.url.path)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(limit, setting, int(declared))


async def read_body(request: Request) -> bytes:
    """The request body, refused (TooLarge) as soon as it passes the route's limit, whether
    or not a Content-Length was declared (also enforced by the BodyLimit middleware)."""
    check_declared_size(request)
    limit, setting = body_limit(get_settings(request), request.url.path)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large(limit, setting)
    return bytes(body)


async def read_uploaded_files(request: Request) -> list[SourceFile]:
    """The file parts of a multipart upload, after the size and content-type checks."""
    check_declared_size(request)
    media, _ = media_type_of(request.headers.get("content-type"))
    if media != "multipart/form-data":
        raise UnsupportedFormat(
            f"Content-Type {media or '(none)'} is not multipart/form-data",
            where="Content-Type",
            hint="upload the files as multipart/form-data file parts",
        )
    form = await request.form()
    files = [
        SourceFile(part.filename or field_name, await part.read())
        for field_name, part in form.multi_items()
        if not isinstance(part, str)
    ]
    if not files:
        raise InputError("the upload has no file parts", hint="add one file part per file")
    return files


# -- named queries ----------------------------------------------------------------------------


async def answer_named(request: Request, name: str, given: dict[str, str]) -> queries.NamedAnswer:
    """Named query ``name`` with the app's time limit and row limit (see
    :func:`svckg.analysis.queries.answer_named`); NotFound before touching the store. A
    consumer's named query runs on its view store."""
    queries.get_query(name)
    settings = get_settings(request)
    store = await read_store(request)
    return await run_blocking(
        request,
        lambda: queries.answer_named(
            store,
            name,
            given,
            timeout_s=settings.query_timeout_s,
            max_rows=settings.max_result_rows,
        ),
    )


async def upload_fields(request: Request) -> dict[str, str]:
    """The plain (non-file) fields of a multipart upload, e.g. ``fail_on`` and ``profile``."""
    form = await request.form()
    return {name: value for name, value in form.multi_items() if isinstance(value, str)}


def with_profile(settings: Settings, profile: str | None) -> Settings:
    """``settings`` with the validation profile a request asks for (checked)."""
    from svckg.validation.shacl import PROFILES

    if profile is None:
        return settings
    if profile not in PROFILES:
        raise InputError(
            f"unknown validation profile {profile!r}",
            where="profile",
            hint=f"use one of: {', '.join(PROFILES)}",
        )
    return dataclasses.replace(settings, shapes_profile=profile)
