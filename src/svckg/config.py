"""Settings, read once from ``SVCKG_*`` environment variables: the one place for every setting."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
"""The checkout root (ontology/, shapes/, data/, queries/ live here)."""

ONTOLOGY_DIR = PROJECT_ROOT / "ontology"
SHAPES_DIR = PROJECT_ROOT / "shapes"
DATA_DIR = PROJECT_ROOT / "data"
QUERIES_DIR = PROJECT_ROOT / "queries"
WEB_BUILD_DIR = PROJECT_ROOT / "web" / "dist"


def _env(name: str, default: str) -> str:
    return os.environ.get(f"SVCKG_{name}", default)


def _env_int(name: str, default: int) -> int:
    return int(_env(name, str(default)))


def _env_bool(name: str, default: bool) -> bool:
    return _env(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """Every tunable of svckg. Build with :func:`load_settings` (reads the environment)."""

    store: str = ".svckg/store"
    """Embedded store directory, ``:memory:`` for a throw-away store, or an
    ``http(s)://`` SPARQL endpoint URL for the remote store."""
    remote_update: str | None = None
    """Remote SPARQL Update endpoint (defaults to the query endpoint)."""
    remote_gsp: str | None = None
    """Remote Graph Store Protocol endpoint (optional)."""
    remote_dialect: str = "auto"
    """The remote engine's dialect (``auto``, ``generic``, ``oxigraph``, ``virtuoso``): see
    :mod:`svckg.store.dialects`; ``auto`` reads it from the first answer's ``Server`` header."""
    base_iri: str = "https://w3id.org/svckg/id/"
    """Base of the resource IRIs svckg mints and dereferences under ``/id/``."""
    validator: str = "sparql"
    """``sparql`` (fast, runs on the store engine) or ``pyshacl`` (reference)."""
    shapes_profile: str = "default"
    """Validation profile: ``default`` (what ArchiMate models cannot carry is a warning,
    ``shapes/default-profile.ttl``) or ``strict`` (every core shape is a violation)."""
    max_upload_bytes: int = 200 * 1024 * 1024
    query_timeout_s: float = 30.0
    max_result_rows: int = 100_000
    read_requires_token: bool = False
    tokens_file: str | None = None
    tokens: str = ""
    """Inline tokens, ``token:role[,token:role...]`` with role ``reader|editor|admin``."""
    production: bool = False
    """Mask internal error details and disable GraphQL introspection."""
    graphql_introspection: bool = True
    graphql_max_depth: int = 12
    graphql_max_tokens: int = 5000
    archimate_xsd_dir: str | None = None
    """Directory holding the Open Group exchange-format XSDs (archimate3_Diagram.xsd and the
    files it includes, xml.xsd); when set, ArchiMate imports are checked against them."""
    extra: dict[str, str] = field(default_factory=dict)


def load_settings(**overrides: object) -> Settings:
    """Read the ``SVCKG_*`` environment; keyword arguments win over it.

    >>> load_settings(store=":memory:").store
    ':memory:'
    """
    production = _env_bool("PRODUCTION", False)
    values: dict[str, object] = dict(
        store=_env("STORE", ".svckg/store"),
        remote_update=os.environ.get("SVCKG_REMOTE_UPDATE"),
        remote_gsp=os.environ.get("SVCKG_REMOTE_GSP"),
        remote_dialect=_env("REMOTE_DIALECT", "auto"),
        base_iri=_env("BASE_IRI", "https://w3id.org/svckg/id/"),
        validator=_env("VALIDATOR", "sparql"),
        shapes_profile=_env("SHAPES_PROFILE", "default"),
        max_upload_bytes=_env_int("MAX_UPLOAD_BYTES", 200 * 1024 * 1024),
        query_timeout_s=float(_env("QUERY_TIMEOUT", "30")),
        max_result_rows=_env_int("MAX_RESULT_ROWS", 100_000),
        read_requires_token=_env_bool("READ_REQUIRES_TOKEN", False),
        tokens_file=os.environ.get("SVCKG_TOKENS_FILE"),
        tokens=_env("TOKENS", ""),
        production=production,
        graphql_introspection=_env_bool("GRAPHQL_INTROSPECTION", not production),
        graphql_max_depth=_env_int("GRAPHQL_MAX_DEPTH", 12),
        graphql_max_tokens=_env_int("GRAPHQL_MAX_TOKENS", 5000),
        archimate_xsd_dir=os.environ.get("SVCKG_ARCHIMATE_XSD_DIR"),
    )
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]
