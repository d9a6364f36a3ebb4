"""The dependency index persisted next to an on-disk store, so a new process starts warm.

Why: reading the index from the store's quads takes tens of seconds at a million triples;
loading its arrays from one memory-mapped file takes milliseconds.

Where: ``<store>/svckg-index/`` (the engine ignores sub-directories), two files:

- ``index.snap``: magic, a JSON header (format, array offsets and types, the small tables,
  a CRC-32 of the data) and the columns' arrays (:mod:`svckg.analysis.compact`), 8-byte
  aligned. Loaded with ``mmap`` and ``memoryview.cast`` (no unpickling).
- ``closed.json``: written when svckg closes the store (:meth:`EmbeddedStore.close`, after
  the engine let its files go): the engine files' digest at that moment
  (:func:`svckg.store.embedded.disk_fingerprint`) and the CRC of the snapshot that
  describes that state.

When a snapshot is used: only when the store is opened and the digest of its files *before*
the open equals the digest ``closed.json`` recorded, and the snapshot's CRC matches. Any
write by svckg or by another tool, a restore, a copy, or an svckg process killed before it
closed the store changes the digest, so the snapshot is ignored and the index is built once
from the store (and saved at the next clean close). In-memory and remote stores have no
snapshot. Both files are written to a temporary name, fsynced and renamed: a kill
mid-write leaves the previous file or none, and a damaged file fails its checksum.

A writer that bypasses svckg *within* an svckg process (``store.engine`` writes, which do
not change ``store.generation``) is not seen: the index is already stale in that process
and would be saved as it is. Write through the store's methods.
"""

from __future__ import annotations

import json
import logging
import mmap
import os
import struct
import threading
import weakref
import zlib
from array import array
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from svckg.analysis.compact import Names, hash_table

if TYPE_CHECKING:
    from svckg.analysis.index import DependencyIndex
    from svckg.store.base import Store

log = logging.getLogger("svckg.index")

MAGIC = b"SVCKGIX\x01"
FORMAT = 2
"""Bumped whenever the layout or what the index holds changes (older snapshots rebuild)."""
SNAPSHOT = "index.snap"
MARKER = "closed.json"
PAUSE_HALFWAY_S = 0.0
"""Seconds to pause half-way through writing the snapshot (tests kill the process then)."""
_ATTACHED: weakref.WeakSet[Any] = weakref.WeakSet()
_ATTACH_LOCK = threading.Lock()


def snapshot_dir(store_path: str | Path) -> Path:
    """Where the snapshot of the store at ``store_path`` lives."""
    from svckg.store.embedded import SIDE_DIRECTORY

    return Path(store_path) / SIDE_DIRECTORY


def disk_store_path(store: Store) -> Path | None:
    path = getattr(store, "path", None)
    return path if isinstance(path, Path) and hasattr(store, "close_hooks") else None


# -- writing ---------------------------------------------------------------------------------


def _atomic_write(target: Path, chunks: list[bytes | memoryview], pause_after: int = -1) -> None:
    """Write ``chunks`` to ``target`` through a temporary file, fsync, rename, fsync the
    directory: readers see the old file or the complete new one."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as out:
            for n, chunk in enumerate(chunks):
                out.write(chunk)
                if n == pause_after:
                    out.flush()
                    _test_pause()
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _test_pause() -> None:
    if PAUSE_HALFWAY_S > 0:
        import time

        time.sleep(PAUSE_HALFWAY_S)


def save(index: DependencyIndex, folder: Path, file_name: str = SNAPSHOT) -> str | None:
    """Write ``index`` (compacted first) to ``folder/file_name``; its id (CRC)."""
    if index.overlay_size:
        index.freeze()
    names = list(index.names.names)
    layout: dict[str, list[Any]] = {}
    chunks: list[bytes | memoryview] = []
    offset = 0

    def put(name: str, data: Any) -> None:
        nonlocal offset
        raw = data if isinstance(data, bytes) else memoryview(data).cast("B")
        typecode = data.format if isinstance(data, memoryview) else getattr(data, "typecode", "B")
        layout[name] = [offset, len(raw), typecode]
        chunks.append(raw)
        offset += len(raw)
        pad = -offset % 8
        if pad:
            chunks.append(b"\0" * pad)
            offset += pad

    blob = bytearray()
    name_offsets = array("q", [0])
    for name in names:
        blob += name.encode()
        name_offsets.append(len(blob))
    put("names", bytes(blob))
    put("names.offs", name_offsets)
    put("names.table", hash_table(names))
    columns = {}
    for attr, column in index.columns().items():
        meta, arrays = column.arrays()
        columns[attr] = meta
        for part, data in arrays.items():
            put(f"{attr}.{part}", data)
    crc = 0
    for chunk in chunks:
        crc = zlib.crc32(chunk, crc)
    header = json.dumps(
        {
            "format": FORMAT,
            "crc32": crc,
            "data_len": offset,
            "names": len(names),
            "predicates": index.predicates.names,
            "dependency_predicates": sorted(index.dependency_predicates),
            "layer_order": index.layer_order,
            "columns": columns,
            "layout": layout,
        }
    ).encode()
    head = MAGIC + struct.pack("<I", len(header)) + header
    head += b"\0" * (-len(head) % 8)
    folder.mkdir(exist_ok=True)
    _atomic_write(folder / file_name, [head, *chunks], pause_after=len(chunks) // 2)
    snapshot_id = f"{crc:08x}-{offset}"
    index.snapshot_id = snapshot_id
    return snapshot_id


def persist(path: Path, index: DependencyIndex | None, generation: int) -> None:
    """At close: save the index when it describes the store's last state, and record the
    engine files' digest beside it; otherwise remove the record (the next open rebuilds)."""
    from svckg.store.embedded import disk_fingerprint

    folder = snapshot_dir(path)
    marker = folder / MARKER
    if index is None or index.generation != generation:
        marker.unlink(missing_ok=True)
        return
    snapshot_id = index.snapshot_id
    if snapshot_id is None or _header_id(folder / SNAPSHOT) != snapshot_id:
        marker.unlink(missing_ok=True)
        snapshot_id = save(index, folder)
        if snapshot_id is None:
            return
    record = {"format": FORMAT, "fingerprint": disk_fingerprint(path), "snapshot": snapshot_id}
    _atomic_write(marker, [json.dumps(record).encode()])


def reload_built(store: Store, index: DependencyIndex) -> DependencyIndex:
    """A freshly built index of an on-disk store, written to its snapshot file and read back
    memory-mapped: the build's transient objects go (about half the process's memory at a
    million triples). The closed marker is written at close, as always. ``index`` itself
    when the store has no snapshot or the file cannot be written."""
    path = disk_store_path(store)
    if path is None:
        return index
    folder = snapshot_dir(path)
    try:
        (folder / MARKER).unlink(missing_ok=True)
        snapshot_id = save(index, folder)
        loaded = load(folder / SNAPSHOT, expected=snapshot_id)
    except OSError as exc:
        log.warning("the index snapshot was not saved in %s: %s", folder, exc)
        return index
    if loaded is None:
        return index
    loaded.generation, loaded.build_seconds = index.generation, index.build_seconds
    return loaded


def attach(store: Store, current: Callable[[], DependencyIndex | None]) -> None:
    """Save ``current()`` when ``store`` (an on-disk embedded store) closes."""
    path = disk_store_path(store)
    if path is None:
        return
    with _ATTACH_LOCK:
        if store in _ATTACHED:
            return
        _ATTACHED.add(store)

    def on_close() -> None:
        try:
            persist(path, current(), store.generation)
        except OSError as exc:  # a snapshot is an optimization: never fail the close
            log.warning("the index snapshot was not saved in %s: %s", path, exc)

    store.close_hooks.append(on_close)  # type: ignore[attr-defined]


# -- reading ---------------------------------------------------------------------------------


def _read_header(f: Any) -> tuple[dict[str, Any], int] | None:
    head = f.read(12)
    if len(head) < 12 or head[:8] != MAGIC:
        return None
    (size,) = struct.unpack("<I", head[8:12])
    raw = f.read(size)
    if len(raw) != size:
        return None
    try:
        header = json.loads(raw)
    except ValueError:
        return None
    start = 12 + size
    return header, start + (-start % 8)


def _header_id(file: Path) -> str | None:
    try:
        with open(file, "rb") as f:
            found = _read_header(f)
    except OSError:
        return None
    if found is None:
        return None
    return f"{found[0]['crc32']:08x}-{found[0]['data_len']}"


def load_for(store: Store) -> DependencyIndex | None:
    """The snapshot of ``store`` when it is valid for the state the store was opened in, as
    the index of generation 0 (a later generation is then refreshed from it), else None."""
    path = disk_store_path(store)
    opened = getattr(store, "opened_fingerprint", None)
    if path is None or opened is None:
        return None
    folder = snapshot_dir(path)
    try:
        record = json.loads((folder / MARKER).read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("fingerprint") != opened:
        return None
    if record.get("format") != FORMAT:
        return None
    try:
        index = load(folder / SNAPSHOT, expected=record.get("snapshot"))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("ignoring the index snapshot in %s: %s", folder, exc)
        return None
    if index is not None:
        index.generation = 0  # the state the store was opened in
    return index


def load(file: Path, expected: str | None = None) -> DependencyIndex | None:
    """The index in ``file`` (memory-mapped), or None when it is not a complete snapshot of
    this format (or not the one ``expected`` names)."""
    from svckg.analysis.index import DependencyIndex

    with open(file, "rb") as f:
        found = _read_header(f)
        if found is None:
            return None
        header, start = found
        if header.get("format") != FORMAT:
            return None
        size = os.fstat(f.fileno()).st_size
        if size != start + header["data_len"] or header["data_len"] == 0:
            return None
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    data = memoryview(mapped)[start:]
    if expected is not None and f"{header['crc32']:08x}-{header['data_len']}" != expected:
        return None
    if zlib.crc32(data) != header["crc32"]:
        return None
    layout = header["layout"]

    def view(name: str) -> memoryview:
        offset, length, typecode = layout[name]
        part = data[offset : offset + length]
        return part if typecode == "B" else part.cast(typecode)

    index = DependencyIndex(0, frozenset(header["dependency_predicates"]))
    names = Names.mapped(view("names"), view("names.offs"), view("names.table"))
    if len(names.names) != header["names"]:
        return None
    index.names.names, index.names.ids = names.names, names.ids
    index.predicates.names[:] = header["predicates"]
    index.predicates.ids.update(
        zip(header["predicates"], range(len(header["predicates"])), strict=True)
    )
    index.layer_order.update(header["layer_order"])
    columns = index.columns()
    if set(columns) != set(header["columns"]):
        return None
    for attr, column in columns.items():
        column.load(header["columns"][attr], lambda part, a=attr: view(f"{a}.{part}"))
    index.snapshot_id = f"{header['crc32']:08x}-{header['data_len']}"
    index.mapped = mapped
    return index
