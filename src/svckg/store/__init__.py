"""Stores: the only package that talks to a query engine.

:func:`open_store` lives here, not in :mod:`svckg.store.base`, so that the protocol module
imports no backend (the backends import it).
"""

from __future__ import annotations

import pyoxigraph as ox

from svckg.config import Settings
from svckg.store.base import QueryResult, Store

__all__ = ["QueryResult", "Store", "memory_store", "open_store"]


def open_store(settings: Settings) -> Store:
    """Open the store ``settings.store`` names: a directory, ``:memory:`` or an http(s) URL."""
    target = settings.store
    if target.startswith(("http://", "https://")):
        from svckg.store.dialects import by_name
        from svckg.store.remote import RemoteStore

        remote = RemoteStore(
            target,
            update_url=settings.remote_update,
            gsp_url=settings.remote_gsp,
            timeout_s=settings.query_timeout_s,
            dialect=by_name(settings.remote_dialect),
            change_marker=settings.remote_change_marker,
        )
        remote.remote_endpoints = frozenset(settings.remote_endpoints)
        return remote
    from svckg.store.embedded import EmbeddedStore

    store = EmbeddedStore(target)
    store.remote_endpoints = frozenset(settings.remote_endpoints)
    return store


def memory_store(engine: ox.Store | None = None) -> Store:
    """A throw-away in-memory store (the pipeline's validation store, a local copy to
    validate); ``engine``: an in-memory pyoxigraph store to use (one a parse already
    filled), else a new one."""
    from svckg.store.embedded import EmbeddedStore

    store = EmbeddedStore(None)
    if engine is not None:
        store.adopt(engine)
    return store
