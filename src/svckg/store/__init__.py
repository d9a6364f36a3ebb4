"""Stores: the only package that talks to a query engine."""

from svckg.store.base import QueryResult, Store, open_store

__all__ = ["QueryResult", "Store", "open_store"]
