"""What every importer reads and hands to the pipeline: the source files, and the staged
triples plus where each node came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from svckg.validation.report import SourceLocation, ValidationResult


@dataclass(frozen=True)
class SourceFile:
    """One input: its name (file name or upload name) and its raw bytes."""

    name: str
    data: bytes

    @classmethod
    def read(cls, path: str | Path) -> SourceFile:
        """Read a file from disk."""
        p = Path(path)
        return cls(p.name if p.name else str(p), p.read_bytes())


@dataclass
class Staged:
    """The parsed content of one source, not yet validated or committed."""

    source: str
    """Source name: file name or upload name; identifies the import (re-import replaces)."""
    format: str
    """Format key, e.g. ``turtle``, ``archimate``, ``archi-csv``, ``tabular``."""
    triples: list[ox.Triple]
    locations: dict[str, SourceLocation] = field(default_factory=dict)
    """Node IRI -> where it was defined in the source (for located validation messages)."""
    model_name: str | None = None
    model_id: str | None = None
    """The source model's own name and identifier (ArchiMate / Archi), if any."""
    findings: list[ValidationResult] = field(default_factory=list)
    """What the importer itself noticed (content skipped, literals the store will change),
    located warnings the pipeline adds to the validation report."""
