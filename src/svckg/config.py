"""Settings and package data: the one place for both.

:class:`Settings` is built once at the edge (the CLI, the app factory) by :func:`load_settings`
from, lowest first: the defaults, a ``svckg.toml`` file, ``SVCKG_*`` environment variables and
command-line flags; it is then passed down. Library modules never read the environment: a
function given no settings uses ``Settings()``, the defaults.

The ontology, concept schemes, shapes, named queries, demo data and the built browser assets
are package data under ``svckg/resources`` found with :mod:`importlib.resources` (in a checkout
those names are symbolic links to the top-level folders; the wheel holds the files).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from importlib.resources import files
from pathlib import Path

from svckg.errors import InputError

RESOURCES = files("svckg") / "resources"
"""Package data, read with importlib.resources."""


def resource_dir(name: str) -> Path:
    """A folder of package data as a file-system path (svckg is installed as files, not
    zipped: pyoxigraph, rdflib and the static file server need real paths)."""
    return Path(str(RESOURCES / name))


ONTOLOGY_DIR = resource_dir("ontology")
SHAPES_DIR = resource_dir("shapes")
DATA_DIR = resource_dir("data")
"""The demo landscape (``data/`` in a checkout); ``invalid/`` holds one file per violation."""
QUERIES_DIR = resource_dir("queries")
WEB_BUILD_DIR = resource_dir("web")
"""The built browser assets (``web/dist`` in a checkout, made by ``make web``)."""

CONFIG_FILE = "svckg.toml"
"""Read from the current directory when present (``SVCKG_CONFIG`` or ``--config`` name another)."""
SECRET = {"tokens"}
"""Settings never printed (``svckg config`` masks them)."""


@dataclass(frozen=True)
class Settings:
    """Every tunable of svckg. Build with :func:`load_settings` at the edge."""

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
    remote_change_marker: bool = True
    """Write and watch the change marker on the remote engine, so that several svckg
    processes on one engine see each other's writes within a second (see
    :mod:`svckg.store.remote`). Off only when this is the one svckg process on the engine."""
    base_iri: str = "https://w3id.org/svckg/id/"
    """Base of the resource IRIs svckg mints and dereferences under ``/id/``."""
    validator: str = "sparql"
    """``sparql`` (fast, runs on the store engine) or ``pyshacl`` (reference)."""
    shapes_profile: str = "default"
    """Validation profile: ``default`` (what ArchiMate models cannot carry is a warning,
    ``shapes/default-profile.ttl``) or ``strict`` (every core shape is a violation)."""
    max_upload_bytes: int = 200 * 1024 * 1024
    """Body limit of the upload routes (imports, validation, Graph Store, SPARQL)."""
    max_body_bytes: int = 1024 * 1024
    """Body limit of every other route (``/graphql`` included)."""
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
    graphql_max_cost: int = 20_000
    """Static cost limit of a GraphQL operation (:mod:`svckg.api.graphql.cost`)."""
    graphql_max_nodes: int = 200_000
    """Most objects one GraphQL answer may hold."""
    remote_endpoints: tuple[str, ...] = ()
    """Endpoints SPARQL ``SERVICE`` and ``LOAD`` may fetch (none by default)."""
    max_concurrent_queries: int = 4
    """Expensive requests (``/sparql`` queries, validations) running at once; more wait
    :attr:`busy_wait_s`, then get 503 with ``Retry-After``."""
    busy_wait_s: float = 2.0
    archimate_xsd_dir: str | None = None
    """Directory holding the Open Group exchange-format XSDs (archimate3_Diagram.xsd and the
    files it includes, xml.xsd); when set, ArchiMate imports are checked against them."""
    alert_element_label: str = "svckg_element"
    """The Alertmanager alert label naming the failed element (an IRI, a CURIE or an
    ``svc:identifier``) at ``POST /api/incidents/alertmanager``."""
    log_format: str = "text"
    """Access log lines: ``text`` or ``json`` (one object a line, for log shippers)."""
    impact_mode: str = "auto"
    """Where impact and trace read the dependency graph: ``index`` (in memory, built once),
    ``engine`` (push-down: batched queries to the store's engine, frontier by frontier) or
    ``auto`` (the index when built; the engine when the index would exceed
    :attr:`index_memory_budget_mb` or while a server builds it): see
    :mod:`svckg.analysis.pushdown`."""
    index_memory_budget_mb: int = 1024
    """Most memory the dependency index may take in ``auto`` mode (the store's edge count
    times the measured bytes per edge); above it impact and trace run on the engine."""
    extra: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    """Where each setting came from: ``default``, ``file <path>``, ``environment SVCKG_X`` or
    ``flag``; filled by :func:`load_settings`."""


ENV_NAMES = {
    "store": "STORE",
    "remote_update": "REMOTE_UPDATE",
    "remote_gsp": "REMOTE_GSP",
    "remote_dialect": "REMOTE_DIALECT",
    "remote_change_marker": "REMOTE_CHANGE_MARKER",
    "shapes_profile": "SHAPES_PROFILE",
    "base_iri": "BASE_IRI",
    "validator": "VALIDATOR",
    "max_upload_bytes": "MAX_UPLOAD_BYTES",
    "query_timeout_s": "QUERY_TIMEOUT",
    "max_result_rows": "MAX_RESULT_ROWS",
    "read_requires_token": "READ_REQUIRES_TOKEN",
    "tokens_file": "TOKENS_FILE",
    "tokens": "TOKENS",
    "production": "PRODUCTION",
    "graphql_introspection": "GRAPHQL_INTROSPECTION",
    "graphql_max_depth": "GRAPHQL_MAX_DEPTH",
    "graphql_max_tokens": "GRAPHQL_MAX_TOKENS",
    "archimate_xsd_dir": "ARCHIMATE_XSD_DIR",
    "log_format": "LOG_FORMAT",
    "max_body_bytes": "MAX_BODY_BYTES",
    "graphql_max_cost": "GRAPHQL_MAX_COST",
    "graphql_max_nodes": "GRAPHQL_MAX_NODES",
    "remote_endpoints": "REMOTE_ENDPOINTS",
    "max_concurrent_queries": "MAX_CONCURRENT_QUERIES",
    "busy_wait_s": "BUSY_WAIT",
    "alert_element_label": "ALERT_ELEMENT_LABEL",
    "impact_mode": "IMPACT_MODE",
    "index_memory_budget_mb": "INDEX_MEMORY_BUDGET_MB",
}
"""Setting -> environment variable (with the ``SVCKG_`` prefix)."""
CHOICES = {
    "validator": ("sparql", "pyshacl"),
    "log_format": ("text", "json"),
    "shapes_profile": ("default", "strict"),
    "remote_dialect": ("auto", "generic", "oxigraph", "virtuoso"),
    "impact_mode": ("auto", "index", "engine"),
}
_DEFAULTS = Settings()
_TYPES = {f.name: type(getattr(_DEFAULTS, f.name)) for f in fields(Settings)}
_OPTIONAL = {f.name for f in fields(Settings) if getattr(_DEFAULTS, f.name) is None}


def _convert(name: str, value: object, where: str) -> object:
    """``value`` (text from the environment, or a TOML value) as the setting's type."""
    kind = _TYPES[name]
    if name in _OPTIONAL:
        return None if value in (None, "") else str(value)
    if kind is tuple:  # a comma-separated list (environment) or a TOML array
        items = value if isinstance(value, list | tuple) else str(value).split(",")
        return tuple(str(item).strip() for item in items if str(item).strip())
    try:
        if kind is bool:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text not in {"1", "true", "yes", "on", "0", "false", "no", "off"}:
                raise ValueError(value)
            return text in {"1", "true", "yes", "on"}
        if kind is int and isinstance(value, float | bool):
            raise ValueError(value)
        converted = kind(value)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"setting {name} cannot be {value!r}: it is a {kind.__name__}",
            where=where,
            hint=f"give {name} a {kind.__name__} value",
        ) from exc
    if name in CHOICES and converted not in CHOICES[name]:
        raise InputError(
            f"setting {name} cannot be {value!r}",
            where=where,
            hint=f"use one of: {', '.join(CHOICES[name])}",
        )
    return converted


def _from_file(path: Path) -> dict[str, object]:
    """Settings in a TOML file: top-level keys, or keys of a ``[svckg]`` table."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(
            f"cannot read the settings file: {exc}", where=str(path), hint="fix the TOML"
        ) from exc
    table = data.get("svckg", data) if isinstance(data.get("svckg"), dict) else data
    known = set(ENV_NAMES)
    unknown = sorted(set(table) - known)
    if unknown:
        raise InputError(
            f"unknown setting {unknown[0]!r} in the settings file",
            where=str(path),
            hint=f"known settings: {', '.join(sorted(known))}",
        )
    return {k: _convert(k, v, f"{path}: {k}") for k, v in table.items()}


def _config_path(config_file: str | Path | None, env: Mapping[str, str]) -> Path | None:
    if config_file is not None:
        path = Path(config_file)
        if not path.is_file():
            raise InputError("no such settings file", where=str(path), hint="check --config")
        return path
    if env.get("SVCKG_CONFIG"):
        path = Path(env["SVCKG_CONFIG"])
        if not path.is_file():
            raise InputError("no such settings file", where=str(path), hint="check SVCKG_CONFIG")
        return path
    default = Path(CONFIG_FILE)
    return default if default.is_file() else None


def load_settings(
    *,
    config_file: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    **flags: object,
) -> Settings:
    """Effective settings: defaults < ``svckg.toml`` (or ``config_file``) < ``SVCKG_*``
    environment (``env``, default ``os.environ``) < ``flags`` (None flags are ignored).

    >>> s = load_settings(env={"SVCKG_QUERY_TIMEOUT": "5"}, store=":memory:")
    >>> (s.store, s.query_timeout_s, s.sources["store"], s.sources["query_timeout_s"])
    (':memory:', 5.0, 'flag', 'environment SVCKG_QUERY_TIMEOUT')
    """
    env = os.environ if env is None else env
    values: dict[str, object] = {}
    sources = dict.fromkeys(ENV_NAMES, "default")
    path = _config_path(config_file, env)
    if path is not None:
        for name, value in _from_file(path).items():
            values[name], sources[name] = value, f"file {path}"
    for name, suffix in ENV_NAMES.items():
        var = f"SVCKG_{suffix}"
        if var in env:
            values[name], sources[name] = _convert(name, env[var], var), f"environment {var}"
    for name, value in flags.items():
        if value is None:
            continue
        if name not in ENV_NAMES:
            raise TypeError(f"unknown setting {name!r}")
        values[name], sources[name] = _convert(name, value, f"--{name}"), "flag"
    if "graphql_introspection" not in values and values.get("production"):
        values["graphql_introspection"] = False
        sources["graphql_introspection"] = sources["production"] + " (production)"
    return Settings(**values, sources=sources)  # type: ignore[arg-type]


def describe(settings: Settings) -> list[tuple[str, str, str]]:
    """(name, value, source) of every setting, secrets masked: what ``svckg config`` prints."""
    rows = []
    for name in ENV_NAMES:
        value = getattr(settings, name)
        shown = "(set, not shown)" if name in SECRET and value else repr(value)
        rows.append((name, shown, settings.sources.get(name, "default")))
    return rows
