"""The demo landscape: every ``data/*.ttl`` imported through the pipeline."""

from __future__ import annotations

from pathlib import Path

from svckg.config import DATA_DIR
from svckg.ingest.pipeline import import_sources, read_sources
from svckg.store.base import Store


def demo_files(data_dir: Path = DATA_DIR) -> list[Path]:
    """The demo data files (``data/*.ttl``; ``data/invalid`` is not part of it), sorted."""
    return sorted(data_dir.glob("*.ttl"))


def load_demo(store: Store, data_dir: Path = DATA_DIR) -> list[str]:
    """Import the demo landscape (validated together, one import per file; warnings allowed)
    and return the import ids. Re-running it changes nothing."""
    files = read_sources(demo_files(data_dir))
    outcome = import_sources(store, files, force=True, agent="svckg-demo")
    return outcome.import_ids
