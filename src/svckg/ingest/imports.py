"""Operations on committed imports: list, show, diff, remove (CLI and HTTP API share these)."""

from __future__ import annotations

from svckg.ingest import records
from svckg.ingest.records import Diff, ImportRecord
from svckg.store.base import Store


def list_imports(store: Store) -> list[ImportRecord]:
    """The current version of every import, sorted by id."""
    return records.list_imports(store)


def show(store: Store, import_id: str) -> ImportRecord:
    """The current record of one import (NotFound if there is none)."""
    return records.get(store, import_id)


def diff(store: Store, import_id: str) -> Diff:
    """Triples the current version added and removed relative to the previous version."""
    return records.diff(store, import_id)


def remove(store: Store, import_id: str) -> ImportRecord:
    """Remove an import: its record stops being current (history stays) and its graphs are
    dropped. Returns the record that was removed."""
    rec = records.get(store, import_id)
    store.update(records.remove_update(import_id, records.now()))
    store.drop_graph(rec.graph)
    store.drop_graph(rec.inferred_graph)
    return rec
