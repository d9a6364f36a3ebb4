"""Flat containers for the dependency index: interned node ids and columns of int arrays.

Why: a dict of lists of Python strings costs about 400 bytes an edge and every object is
walked by the garbage collector; the same facts as ``array('i')`` slices cost tens of bytes,
and the arrays can be memory-mapped from the snapshot file (:mod:`svckg.analysis.snapshot`)
instead of being rebuilt from the store.

A :class:`Column` maps a node key (a string) to a value (a list of node keys, a list of
``(predicate, node)`` edges, one node, an int or a text). It is a frozen *base* (arrays)
plus a small *overlay* dict of the keys changed since (incremental refreshes write there);
:meth:`Column.freeze` folds the overlay back into new arrays. Reads decode a value on each
call: the callers use ``get``/``[]``/``in`` as on the dicts it replaces; ``setdefault``
returns the overlay's mutable value (copied from the base once), so code that appends to
``col.setdefault(key, [])`` keeps working.
"""

from __future__ import annotations

import json
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any, NamedTuple

NODES, EDGES, NODE, INT, TEXT, NODESET, JSON = (
    "nodes",
    "edges",
    "node",
    "int",
    "text",
    "nodeset",
    "json",
)
"""Value kinds of a :class:`Column`."""
_MULTI = (NODES, EDGES, NODESET)
_MISSING: Any = object()
_GONE: Any = object()
"""Overlay value of a key deleted from the base."""


class Names:
    """Interned strings: ``names[i]`` and ``ids[name]`` (ids only grow until a rebuild).

    Built in memory as a list and a dict; loaded from a snapshot (:meth:`mapped`) as views of
    the file instead: a string is decoded, and a name hashed into the file's open-addressing
    table, only when asked for (then remembered), so loading costs nothing per node."""

    __slots__ = ("ids", "names")

    def __init__(self, names: list[str] | None = None):
        self.names: Any = names if names is not None else []
        self.ids: Any = dict(zip(self.names, range(len(self.names)), strict=True))

    @classmethod
    def mapped(cls, blob: Any, offsets: Any, table: Any) -> Names:
        """Names over a snapshot's ``blob`` (UTF-8, ``offsets`` into it) and its hash
        ``table`` (see :func:`hash_table`)."""
        found = cls.__new__(cls)
        found.names = _MappedList(blob, offsets)
        found.ids = _MappedIds(found.names, table)
        return found

    def intern(self, name: str) -> int:
        """The id of ``name``, added when new."""
        found = self.ids.get(name)
        if found is None:
            found = len(self.names)
            self.ids[name] = found
            self.names.append(name)
        return found


def name_hash(name: str) -> int:
    """The (stable, unsalted) hash the snapshot's name table uses."""
    return zlib.crc32(name.encode())


def hash_table(names: Any) -> array:
    """Open addressing (linear probing) from :func:`name_hash` to the index in ``names``;
    -1 marks a free slot; its size is a power of two at least twice the count."""
    size = 1 << max(3, (2 * len(names) - 1).bit_length())
    mask = size - 1
    table = array("i", [-1]) * size
    for i, name in enumerate(names):
        slot = name_hash(name) & mask
        while table[slot] != -1:
            slot = (slot + 1) & mask
        table[slot] = i
    return table


class _MappedList:
    """``names[i]`` decoded from the snapshot on first use; new names appended in memory."""

    __slots__ = ("_blob", "_cache", "_extra", "_n", "_offs")

    def __init__(self, blob: Any, offsets: Any):
        self._blob, self._offs = blob, offsets
        self._n = len(offsets) - 1
        self._extra: list[str] = []
        self._cache: dict[int, str] = {}

    def __getitem__(self, i: int) -> str:
        found = self._cache.get(i)
        if found is None:
            if i >= self._n:
                return self._extra[i - self._n]
            offs = self._offs
            found = self._cache[i] = bytes(self._blob[offs[i] : offs[i + 1]]).decode()
        return found

    def __len__(self) -> int:
        return self._n + len(self._extra)

    def __iter__(self) -> Iterator[str]:
        for i in range(len(self)):
            yield self[i]

    def append(self, name: str) -> None:
        self._extra.append(name)


class _MappedIds:
    """``ids.get(name)`` through the snapshot's hash table; new names in a dict."""

    __slots__ = ("_cache", "_mask", "_names", "_table")

    def __init__(self, names: _MappedList, table: Any):
        self._names, self._table, self._mask = names, table, len(table) - 1
        self._cache: dict[str, int] = {}

    def get(self, name: str, default: Any = None) -> Any:
        found = self._cache.get(name)
        if found is not None:
            return found
        if not isinstance(name, str):
            return default
        table, mask, names = self._table, self._mask, self._names
        slot = name_hash(name) & mask
        while (i := table[slot]) != -1:
            if names[i] == name:
                self._cache[name] = i
                return i
            slot = (slot + 1) & mask
        return default

    def __setitem__(self, name: str, i: int) -> None:
        self._cache[name] = i

    def __contains__(self, name: object) -> bool:
        return self.get(name) is not None  # type: ignore[arg-type]


class _Base(NamedTuple):
    """A column's arrays, swapped as one object (readers on other threads see the old base
    or the new one, never a mix)."""

    keys: Any
    """Sorted node ids (None when dense: the id is the position)."""
    dense_n: int
    offs: Any
    vals: Any
    tags: Any
    blob: Any
    length: int
    values: int


_EMPTY = _Base(None, 0, None, None, None, b"", 0, 0)


class Column(MutableMapping[str, Any]):
    """Node key -> value, as arrays plus an overlay of changed keys (see the module doc)."""

    def __init__(self, kind: str, names: Names, predicates: Names | None = None, dense=False):
        self.kind, self._names, self._preds, self.dense = kind, names, predicates, dense
        self._over: dict[str, Any] = {}
        self._b = _EMPTY
        self._keyset: frozenset[str] | None = None

    # -- base -----------------------------------------------------------------------------

    @property
    def names(self) -> Names:
        """The interned node names this column's ids refer to (shared by the index)."""
        return self._names

    def _pos(self, key: str, b: _Base) -> int:
        """Position of ``key`` in the base ``b``, -1 when absent."""
        i = self._names.ids.get(key)
        if i is None or b.length == 0:
            return -1
        if b.keys is None:
            if i >= b.dense_n:
                return -1
            offs = b.offs
            return i if offs[i] != offs[i + 1] else -1
        keys = b.keys
        p = bisect_left(keys, i)
        return p if p < len(keys) and keys[p] == i else -1

    def _decode(self, p: int, b: _Base) -> Any:
        kind = self.kind
        if kind in _MULTI:
            start, end = b.offs[p], b.offs[p + 1]
            names = self._names.names
            if kind == EDGES:
                preds = self._preds.names  # type: ignore[union-attr]
                return [
                    (preds[t], names[v])
                    for t, v in zip(b.tags[start:end], b.vals[start:end], strict=True)
                ]
            found = [names[v] for v in b.vals[start:end]]
            return frozenset(found) if kind == NODESET else found
        if kind == NODE:
            return self._names.names[b.vals[p]]
        if kind == INT:
            return b.vals[p]
        text = bytes(b.blob[b.offs[p] : b.offs[p + 1]]).decode()
        return json.loads(text) if kind == JSON else text

    def _base_keys(self, b: _Base) -> Iterator[str]:
        names = self._names.names
        if b.length == 0:
            return
        if b.keys is None:
            offs = b.offs
            for i in range(b.dense_n):
                if offs[i] != offs[i + 1]:
                    yield names[i]
        else:
            for i in b.keys:
                yield names[i]

    # -- mapping --------------------------------------------------------------------------

    def get(self, key: str, default: Any = None) -> Any:
        over = self._over
        if over:
            found = over.get(key, _MISSING)
            if found is not _MISSING:
                return default if found is _GONE else found
        b = self._b
        p = self._pos(key, b)
        return default if p < 0 else self._decode(p, b)

    def __getitem__(self, key: str) -> Any:
        found = self.get(key, _MISSING)
        if found is _MISSING:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        over = self._over
        if over and key in over:
            return over[key] is not _GONE  # type: ignore[index]
        return isinstance(key, str) and self._pos(key, self._b) >= 0

    def __setitem__(self, key: str, value: Any) -> None:
        if key not in self._over:
            self._keyset = None
        self._over[key] = value

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        if self._pos(key, self._b) >= 0:
            self._over[key] = _GONE
        else:
            del self._over[key]
        self._keyset = None

    def setdefault(self, key: str, default: Any = None) -> Any:
        """The overlay's value of ``key`` (copied from the base first), for updating."""
        found = self._over.get(key, _MISSING)
        if found is not _MISSING and found is not _GONE:
            return found
        b = self._b
        p = -1 if found is _GONE else self._pos(key, b)
        value = self._decode(p, b) if p >= 0 else default
        if self.kind == NODESET and p >= 0:
            value = set(value)
        self[key] = value
        return value

    def __iter__(self) -> Iterator[str]:
        over = self._over
        for key in self._base_keys(self._b):
            if key not in over:
                yield key
        for key, value in over.items():
            if value is not _GONE:
                yield key

    def __len__(self) -> int:
        b = self._b
        count = b.length
        for key, value in list(self._over.items()):
            in_base = self._pos(key, b) >= 0
            count += (value is not _GONE) - in_base
        return count

    def keys(self) -> frozenset[str]:  # type: ignore[override]
        """The keys as a set (cached until the next change)."""
        if self._keyset is None:
            self._keyset = frozenset(self)
        return self._keyset

    def value_count(self) -> int:
        """Number of values over every key (edges, for an edge column)."""
        if self.kind not in _MULTI:
            return len(self)
        b = self._b
        count = b.values
        for key, value in list(self._over.items()):
            p = self._pos(key, b)
            if p >= 0:
                count -= b.offs[p + 1] - b.offs[p]
            if value is not _GONE:
                count += len(value)
        return count

    @property
    def overlay_size(self) -> int:
        """Keys changed since the base was built."""
        return len(self._over)

    # -- building -------------------------------------------------------------------------

    def freeze(self) -> None:
        """Fold the overlay into new base arrays (every key and value interned); the new base
        replaces the old in one assignment, then the overlay goes (both hold the same facts
        in between)."""
        names = self._names
        intern = names.intern
        entries = sorted((intern(k), v) for k, v in self.items())
        kind = self.kind
        keys = array("i", (k for k, _ in entries))
        offs, vals, tags = array("q" if kind in (TEXT, JSON) else "i", [0]), array("i"), None
        blob = b""
        if kind == EDGES:
            tags = array("H")
            preds = self._preds.intern  # type: ignore[union-attr]
            for _, edges in entries:
                for p, o in edges:
                    tags.append(preds(p))
                    vals.append(intern(o))
                offs.append(len(vals))
        elif kind in _MULTI:
            for _, values in entries:
                vals.extend(intern(v) for v in values)
                offs.append(len(vals))
        elif kind == NODE:
            vals = array("i", (intern(v) for _, v in entries))
        elif kind == INT:
            vals = array("q", (v for _, v in entries))
        else:
            blob = _text_blob(entries, offs, kind == JSON)
        dense_n = 0
        if self.dense and kind in _MULTI:
            dense_n = len(names.names)
            offs, keys = _densify(keys, offs, dense_n), None
        self._b = _Base(keys, dense_n, offs, vals, tags, blob, len(entries), len(vals))
        self._over, self._keyset = {}, None

    def arrays(self) -> tuple[dict[str, Any], dict[str, array | bytes]]:
        """Metadata and base arrays, for the snapshot."""
        if self._b.offs is None or self._over:
            self.freeze()
        b = self._b
        meta = {
            "kind": self.kind,
            "dense_n": b.dense_n if b.keys is None else -1,
            "base_len": b.length,
            "base_values": b.values,
        }
        out: dict[str, array | bytes] = {"offs": b.offs, "vals": b.vals}
        if b.keys is not None:
            out["keys"] = b.keys
        if b.tags is not None:
            out["tags"] = b.tags
        if self.kind in (TEXT, JSON):
            out["blob"] = b.blob
        return meta, out

    def load(self, meta: dict[str, Any], arrays: Callable[[str], Any]) -> None:
        """Take the base from ``arrays(name)`` (memory-mapped views; see :meth:`arrays`)."""
        self._b = _Base(
            None if meta["dense_n"] >= 0 else arrays("keys"),
            max(0, int(meta["dense_n"])),
            arrays("offs"),
            arrays("vals"),
            arrays("tags") if self.kind == EDGES else None,
            arrays("blob") if self.kind in (TEXT, JSON) else b"",
            int(meta["base_len"]),
            int(meta["base_values"]),
        )
        self._over, self._keyset = {}, None


def _text_blob(entries: list[tuple[int, Any]], offs: array, as_json: bool) -> bytes:
    """The UTF-8 texts (JSON when ``as_json``) of ``entries`` end to end; ``offs`` gets
    each end."""
    blob = bytearray()
    for _, v in entries:
        blob += (json.dumps(v, sort_keys=True) if as_json else v).encode()
        offs.append(len(blob))
    return bytes(blob)


def _densify(keys: array, offs: array, n: int) -> array:
    """Offsets indexed by node id (``n + 1`` of them) from sparse keys and offsets."""
    dense = array("i", bytes(4 * (n + 1)))
    previous = 0
    position = 0
    for i in range(n):
        if position < len(keys) and keys[position] == i:
            previous = offs[position + 1]
            position += 1
        dense[i + 1] = previous
    return dense


class GraphSubjects:
    """Named graph -> the subjects it gave facts about (for refreshing after commits).

    A superset is harmless (a subject listed in a graph it no longer has facts in is just
    read again when that graph goes), so subjects are only ever added between freezes."""

    def __init__(self, names: Names):
        self._base = Column(NODES, names)
        self._extra: dict[str, set[str]] = {}
        self._dropped: set[str] = set()

    def __iter__(self) -> Iterator[str]:
        seen = set(self._base) - self._dropped
        yield from seen
        yield from (g for g in self._extra if g not in seen)

    def add(self, graph: str, subject: str) -> None:
        found = self._extra.get(graph)
        if found is None:
            self._extra[graph] = {subject}
        else:
            found.add(subject)
        self._dropped.discard(graph)

    def ensure(self, graph: str) -> None:
        """Know ``graph`` (with no subjects yet)."""
        self._extra.setdefault(graph, set())
        self._dropped.discard(graph)

    def pop(self, graph: str) -> set[str]:
        """Forget ``graph``; its subjects."""
        found = set(self._extra.pop(graph, ()))
        if graph not in self._dropped and graph in self._base:
            found.update(self._base[graph])
            self._dropped.add(graph)
        return found

    def freeze(self) -> None:
        merged: dict[str, list[str]] = {}
        for graph in self:
            subjects = set(self._extra.get(graph, ()))
            if graph not in self._dropped and graph in self._base:
                subjects.update(self._base[graph])
            merged[graph] = sorted(subjects)
        column = Column(NODES, self._base.names)
        for graph, subjects in merged.items():
            column[graph] = subjects
        column.freeze()
        self._base, self._extra, self._dropped = column, {}, set()

    @property
    def column(self) -> Column:
        return self._base
