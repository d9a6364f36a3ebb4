"""``svckg init``, ``import``, ``validate``, ``imports list|show|diff|remove|recover``,
``query`` and ``export``.

The store is ``--store`` (on the command or before it: ``svckg --store DIR import ...``), else
``SVCKG_STORE``, else ``store`` in ``svckg.toml``, else ``.svckg/store`` under the current
directory. The settings are built here, at the edge (:func:`cli_settings`), and passed down.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pyoxigraph as ox
import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from svckg import __version__
from svckg.cli.app import app, console, err_console, lazy_module
from svckg.config import Settings, load_settings
from svckg.errors import InputError, NotFound, StoreError, SvckgError, ValidationFailed
from svckg.store import Store, open_store

imports = lazy_module("svckg.ingest.imports")
pipeline = lazy_module("svckg.ingest.pipeline")
records = lazy_module("svckg.ingest.records")
reports = lazy_module("svckg.validation.render")

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="Store directory, ':memory:' or a SPARQL endpoint URL (else SVCKG_STORE).",
    ),
]


@dataclass
class _Edge:
    """The options given before the command (``svckg --store DIR --config FILE cmd``)."""

    store: str | None = None
    config: Path | None = None


EDGE = _Edge()


def _version(value: bool) -> None:
    if value:
        console.print(f"svckg {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def _global(
    store: Annotated[
        str | None, typer.Option("--store", help="Store for every command (same as SVCKG_STORE).")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="Settings file (default ./svckg.toml when present)."),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Knowledge-graph repository for service management and enterprise architecture."""
    EDGE.store, EDGE.config = store, config


def cli_settings(store: str | None = None, **flags: object) -> Settings:
    """The effective settings of this command: defaults < svckg.toml < SVCKG_* < flags."""
    return load_settings(config_file=EDGE.config, store=store or EDGE.store, **flags)


def _settings(store: str | None, profile: str | None = None) -> Settings:
    return cli_settings(store, shapes_profile=profile)


def _is_dir_store(target: str) -> bool:
    return target != ":memory:" and not target.startswith(("http://", "https://"))


SERVER_FILE = "svckg-server.json"
"""Written by ``svckg serve`` into the store directory: where it listens, and its pid."""


@dataclass
class ServerStore:
    """A store held by a running ``svckg serve``: reads go to its SPARQL endpoint, imports
    and backups to its REST API, with the most powerful token of the settings."""

    url: str
    pid: int
    token: str | None
    store: Store

    def post(self, path: str, **kwargs: object) -> dict:
        """POST to the server's API; its error answer becomes the same svckg error."""
        import httpx

        headers = {"authorization": f"Bearer {self.token}"} if self.token else {}
        answer = httpx.post(self.url + path, headers=headers, timeout=None, **kwargs)  # type: ignore[arg-type]
        body = (
            answer.json()
            if answer.headers.get("content-type", "").startswith("application/json")
            else {}
        )
        if answer.status_code >= 400:
            raise server_error(answer.status_code, body)
        return body


def server_error(status: int, body: dict) -> SvckgError:
    """An svckg error from a server's JSON error answer (message, where, hint, report)."""
    from svckg.validation.report import ValidationReport

    message = str(body.get("message") or f"the server answered {status}")
    where, hint = body.get("where"), body.get("hint")
    if status == 422 and isinstance(body.get("report"), dict):
        report = ValidationReport.from_json(body["report"])
        return ValidationFailed(message, report=report, where=where, hint=hint)
    error = InputError if 400 <= status < 500 else StoreError
    return error(message, where=where, hint=hint)


def write_server_file(store_dir: str, url: str) -> Path | None:
    """Record where ``svckg serve`` listens in its store directory (None: not a directory)."""
    if not _is_dir_store(store_dir):
        return None
    path = Path(store_dir) / SERVER_FILE
    path.write_text(json.dumps({"url": url, "pid": os.getpid()}), encoding="utf-8")
    return path


def _server_holding(settings: Settings) -> ServerStore | None:
    """The running svckg server that holds the store directory, if that is what holds it:
    its server file names the lock holder's pid and it answers /healthz."""
    import httpx

    from svckg.api.auth import load_tokens
    from svckg.store.embedded import lock_holder
    from svckg.store.remote import RemoteStore

    directory = Path(settings.store)
    try:
        info = json.loads((directory / SERVER_FILE).read_text(encoding="utf-8"))
        url, pid = str(info["url"]).rstrip("/"), int(info["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if lock_holder(directory / "LOCK") != pid:
        return None
    try:
        if httpx.get(url + "/healthz", timeout=5).status_code != 200:
            return None
    except httpx.HTTPError:
        return None
    rank = {"admin": 0, "editor": 1, "reader": 2}
    entries = sorted(load_tokens(settings).entries, key=lambda e: rank.get(e[1], 9))
    token = entries[0][0].decode("utf-8") if entries else None
    remote = RemoteStore(
        url + "/sparql",
        gsp_url=url + "/rdf-graphs",
        timeout_s=settings.query_timeout_s,
        token=token,
        change_marker=False,  # the server sees its own writes and refuses its namespace
    )
    return ServerStore(url, pid, token, remote)


@contextmanager
def _opened(store: str | None, *, must_exist: bool = True) -> Iterator[Store]:
    """Open the store (recovering an interrupted import on embedded stores) and close it.
    When a running svckg server holds the store directory, the command goes to its API
    (one dim line says so); any other holder stays a clear error."""
    with _opened_or_server(store, must_exist=must_exist) as (opened, _server):
        yield opened


@contextmanager
def _opened_or_server(
    store: str | None, *, must_exist: bool = True
) -> Iterator[tuple[Store, ServerStore | None]]:
    settings = _settings(store)
    if must_exist and _is_dir_store(settings.store) and not Path(settings.store).exists():
        raise StoreError(
            "there is no store here",
            where=settings.store,
            hint="create it with 'svckg init' (or import something into it)",
        )
    server = None
    try:
        opened = open_store(settings)
    except StoreError as exc:
        server = _server_holding(settings) if _is_dir_store(settings.store) else None
        if server is None or "in use" not in exc.message:
            raise
        err_console.print(
            f"[dim]{settings.store} is held by svckg serve (pid {server.pid}): "
            f"sending this command to {server.url}[/]",
            highlight=False,
            soft_wrap=True,
        )
        opened = server.store
    try:
        if _is_dir_store(settings.store) and server is None:
            records.recover(opened)
        yield opened, server
    finally:
        opened.close()


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )


def _agent() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


# -- init ----------------------------------------------------------------------------------


@app.command()
def init(
    store: StoreOption = None,
    demo: Annotated[
        bool, typer.Option(help="Also import the demo landscape (data/*.ttl).")
    ] = False,
) -> None:
    """Create the store (if needed) with the ontology and the concept schemes."""
    from svckg.store.system import ensure_system_graphs

    with _opened(store, must_exist=False) as opened:
        changed = ensure_system_graphs(opened)
        ids: list[str] = []
        if demo:
            from svckg.demo import load_demo

            ids = load_demo(opened)
        where = _settings(store).store
        state = "ready (system graphs loaded)" if changed else "ready (already up to date)"
        console.print(f"store {where}: {state}", highlight=False)
        if ids:
            console.print(f"demo imports: {', '.join(ids)}", highlight=False)


# -- import / validate ---------------------------------------------------------------------

FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        help="Input format (default: from content and extension): turtle, trig, "
        "ntriples, nquads, rdfxml, jsonld, archimate, archi-csv, tabular.",
    ),
]
MappingOption = Annotated[
    Path | None,
    typer.Option(
        "--mapping", help="Column mapping for spreadsheets (YAML), passed to the tabular importer."
    ),
]


FailOnOption = Annotated[
    str,
    typer.Option(
        "--fail-on",
        help="What blocks: 'violation' (default; warnings are recorded and the import goes "
        "ahead) or 'warning' (warnings block too, unless --force).",
    ),
]
AllOption = Annotated[
    bool,
    typer.Option(
        "--all", help="Table: show every result (default: a summary, then the first of each shape)."
    ),
]
ProfileOption = Annotated[
    str | None,
    typer.Option(
        "--profile",
        help="Validation profile: 'default' (what ArchiMate models cannot carry is a warning) "
        "or 'strict' (every core shape is a violation). Default: SVCKG_SHAPES_PROFILE.",
    ),
]


def _check_choice(value: str | None, choices: tuple[str, ...], option: str) -> None:
    if value is not None and value not in choices:
        raise typer.BadParameter(f"use one of: {', '.join(choices)}", param_hint=option)


def _report_format(value: str) -> str:
    if value not in reports.RENDERERS:
        raise typer.BadParameter(f"use one of: {', '.join(reports.RENDERERS)}")
    return value


@app.command("import")
def import_(
    files: Annotated[list[Path], typer.Argument(help="Files to import (validated together).")],
    format: FormatOption = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="With --fail-on warning: commit even with warnings (recorded)."
        ),
    ] = False,
    allow_violations: Annotated[
        bool,
        typer.Option(
            "--allow-violations", help="Commit even with violations (recorded; implies --force)."
        ),
    ] = False,
    mapping: MappingOption = None,
    fail_on: FailOnOption = "violation",
    profile: ProfileOption = None,
    all_results: AllOption = False,
    report_format: Annotated[
        str,
        typer.Option(
            "--report-format",
            callback=_report_format,
            help="How to show validation results: " + ", ".join(reports.RENDERERS),
        ),
    ] = "table",
    store: StoreOption = None,
) -> None:
    """Import files: parse, validate with the shapes, commit one named graph per file.

    Violations block the import; warnings are recorded and reported (``--fail-on warning``
    makes them block too)."""
    from svckg.validation.shacl import PROFILES

    _check_choice(fail_on, pipeline.FAIL_ON, "--fail-on")
    _check_choice(profile, PROFILES, "--profile")
    settings = _settings(store, profile)
    with _progress() as bar:
        task = bar.add_task("reading and parsing", total=None)
        # Local files: the upload limit is for HTTP bodies (a running server still applies it).
        sources = pipeline.read_sources(files, settings, uploads=False)
        staged = pipeline.stage_sources(
            sources, format=format, mapping=mapping, settings=settings, uploads=False
        )
        # Bad input is rejected above, before the store is even opened.
        with _opened_or_server(store, must_exist=False) as (opened, server):
            try:
                if server is not None:
                    params = {"force": force, "allow_violations": allow_violations}
                    if format is not None:
                        params["format"] = str(format)
                    parts = [("file", (s.name, s.data)) for s in sources]
                    answer = server.post("/api/imports", files=parts, params=params)
                else:
                    answer = pipeline.import_staged(
                        opened,
                        sources,
                        staged,
                        force=force,
                        allow_violations=allow_violations,
                        fail_on=fail_on,
                        agent=_agent(),
                        settings=settings,
                        progress=lambda msg: bar.update(task, description=msg),
                    ).to_json()
            except ValidationFailed as exc:
                bar.stop()
                if exc.report is not None:
                    sys.stdout.write(
                        reports.render(exc.report, report_format, all_results=all_results)  # type: ignore[arg-type]
                    )
                raise
    _print_import(answer, report_format, all_results)


def _print_import(answer: dict, report_format: str, all_results: bool = False) -> None:
    """The validation results and one row per source of an import (its JSON answer)."""
    from svckg.validation.report import ValidationReport

    report = ValidationReport.from_json(answer["report"])
    if report.results:
        rendered = reports.render(report, report_format, all_results=all_results)  # type: ignore[arg-type]
        sys.stdout.write(rendered)
    table = Table(title="imports")
    for column in ("id", "source", "status", "triples", "inferred", "added", "removed"):
        table.add_column(column, overflow="fold")
    for s in answer["imports"]:
        r = s["record"]
        counts = ("triple_count", "inferred_count", "added", "removed")
        table.add_row(
            s["import_id"], s["source"], s["status"], *(str(r[c]) if r else "" for c in counts)
        )
    console.print(table)
    if report.warnings:
        console.print(
            f"imported with {len(report.warnings)} warning(s) recorded "
            "(--fail-on warning makes warnings block)",
            highlight=False,
        )


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Files to validate (together).")],
    format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            callback=_report_format,
            help="Report format: " + ", ".join(reports.RENDERERS),
        ),
    ] = "table",
    input_format: Annotated[
        str | None,
        typer.Option("--input-format", help="Input format (default: from content and extension)."),
    ] = None,
    mapping: MappingOption = None,
    fail_on: FailOnOption = "violation",
    profile: ProfileOption = None,
    all_results: AllOption = False,
    store: StoreOption = None,
) -> None:
    """Validate files without importing them. Exit 0 conforms, 1 violations (or warnings with
    ``--fail-on warning``), 2 unreadable.

    With an existing store, the files are checked together with what they refer to in it;
    otherwise against the ontology alone."""
    from svckg.validation.shacl import PROFILES

    _check_choice(fail_on, pipeline.FAIL_ON, "--fail-on")
    _check_choice(profile, PROFILES, "--profile")
    settings = _settings(store, profile)
    sources = pipeline.read_sources(files, settings, uploads=False)
    staged = pipeline.stage_sources(
        sources, format=input_format, mapping=mapping, settings=settings, uploads=False
    )
    use_store = store if store else None
    if _is_dir_store(settings.store) and not Path(settings.store).exists():
        use_store = ":memory:"
    with _opened(use_store, must_exist=False) as opened:
        report = pipeline.validate_staged(opened, staged, settings=settings)
    sys.stdout.write(reports.render(report, format, all_results=all_results))
    err_console.print(reports.summary(report), highlight=False)
    blocked = not report.conforms or (fail_on == "warning" and bool(report.warnings))
    raise typer.Exit(1 if blocked else 0)


# -- imports -------------------------------------------------------------------------------

imports_app = typer.Typer(help="Committed imports: list, show, diff, remove.", no_args_is_help=True)
app.add_typer(imports_app, name="imports")


class OutFormat(StrEnum):
    table = "table"
    json = "json"


def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


FormatOption = Annotated[OutFormat, typer.Option("--format", "-f")]


def _json_printed(format: OutFormat, data: Callable[[], object]) -> bool:
    """Print ``data()`` as JSON when ``format`` asks for JSON; whether it did."""
    if format is OutFormat.json:
        _print_json(data())
        return True
    return False


@imports_app.command("list")
def imports_list(
    format: FormatOption = OutFormat.table,
    store: StoreOption = None,
) -> None:
    """Every current import."""
    with _opened(store) as opened:
        rows = imports.list_imports(opened)
    if _json_printed(format, lambda: [r.to_json() for r in rows]):
        return
    table = Table(title=f"{len(rows)} imports")
    for column in (
        "id",
        "source",
        "version",
        "triples",
        "validated",
        "violations",
        "warnings",
        "agent",
        "ended",
    ):
        table.add_column(column, overflow="fold")
    for r in rows:
        table.add_row(
            r.import_id,
            r.source,
            str(r.version),
            str(r.triple_count),
            _outcome(r),
            str(r.violations),
            str(r.warnings),
            r.agent,
            r.ended,
        )
    console.print(table)


def _outcome(r: records.ImportRecord) -> str:
    if not r.validated:
        return "not validated"
    if r.allowed_violations:
        return "violations allowed"
    return "conforms" if r.conforms else "forced"


@imports_app.command("show")
def imports_show(
    import_id: Annotated[str, typer.Argument(help="Import id (see 'svckg imports list').")],
    format: FormatOption = OutFormat.table,
    store: StoreOption = None,
) -> None:
    """The provenance record of one import."""
    with _opened(store) as opened:
        rec = imports.show(opened, import_id)
    if _json_printed(format, rec.to_json):
        return
    table = Table(title=f"import {rec.import_id}", show_header=False)
    table.add_column("field")
    table.add_column("value", overflow="fold")
    for key, value in rec.to_json().items():
        table.add_row(key, "" if value is None else str(value))
    console.print(table)


@imports_app.command("diff")
def imports_diff(
    import_id: Annotated[str, typer.Argument(help="Import id.")],
    format: FormatOption = OutFormat.table,
    store: StoreOption = None,
) -> None:
    """Triples added (+) and removed (-) by the last import of a source."""
    with _opened(store) as opened:
        d = imports.diff(opened, import_id)
    if _json_printed(format, lambda: d.__dict__):
        return
    if d.previous is None:
        console.print(f"{d.import_id}: first import, {d.added_count} triples", highlight=False)
        return
    for line in d.removed:
        sys.stdout.write(f"- {line}\n")
    for line in d.added:
        sys.stdout.write(f"+ {line}\n")
    note = " (lists truncated)" if d.truncated else ""
    err_console.print(f"{d.import_id}: +{d.added_count} -{d.removed_count}{note}", highlight=False)


@imports_app.command("remove")
def imports_remove(
    import_id: Annotated[str, typer.Argument(help="Import id.")],
    store: StoreOption = None,
) -> None:
    """Remove an import and its graphs (the provenance history stays)."""
    with _opened(store) as opened:
        rec = imports.remove(opened, import_id)
    console.print(
        f"removed {rec.import_id} ({rec.triple_count} triples from {rec.source})", highlight=False
    )


@imports_app.command("recover")
def imports_recover(store: StoreOption = None) -> None:
    """Drop graphs left by interrupted imports (done automatically on embedded stores)."""
    with _opened(store) as opened:
        dropped = records.recover(opened)
    console.print(f"dropped {len(dropped)} orphan graph(s)", highlight=False)


# -- query / export ------------------------------------------------------------------------


class QueryFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    tsv = "tsv"
    turtle = "turtle"


_RESULTS_FORMATS = {
    QueryFormat.json: ox.QueryResultsFormat.JSON,
    QueryFormat.csv: ox.QueryResultsFormat.CSV,
    QueryFormat.tsv: ox.QueryResultsFormat.TSV,
}


def _query_text(arg: str) -> str:
    path = Path(arg)
    if len(arg) < 4096 and "\n" not in arg and path.suffix in {".rq", ".sparql"}:
        if not path.is_file():
            raise InputError("no such query file", where=arg)
        return path.read_text(encoding="utf-8")
    return arg


@app.command()
def query(
    file_or_text: Annotated[str, typer.Argument(help="A .rq file or the SPARQL text.")],
    format: Annotated[QueryFormat, typer.Option("--format", "-f")] = QueryFormat.table,
    store: StoreOption = None,
) -> None:
    """Run a SPARQL query (the default graph is the union of all graphs)."""
    sparql = _query_text(file_or_text)
    settings = _settings(store)
    with _opened(store) as opened:
        result = opened.query(sparql, timeout_s=settings.query_timeout_s)
        if isinstance(result, ox.QueryTriples):
            triples = list(result)
            if format in (QueryFormat.turtle, QueryFormat.table):
                from svckg.vocab import PREFIXES

                out = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
            else:
                out = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
            sys.stdout.write((out or b"").decode())
            return
        if isinstance(result, ox.QueryBoolean):
            if format is QueryFormat.json:
                _print_json({"boolean": bool(result)})
            else:
                sys.stdout.write(("true" if result else "false") + "\n")
            return
        if format is QueryFormat.turtle:
            raise InputError(
                "--format turtle is for CONSTRUCT and DESCRIBE queries",
                hint="use table, json, csv or tsv for SELECT",
            )
        if format in _RESULTS_FORMATS:
            sys.stdout.write((result.serialize(format=_RESULTS_FORMATS[format]) or b"").decode())
            return
        names = [v.value for v in result.variables]
        table = Table()
        for name in names:
            table.add_column(name, overflow="fold")
        count = 0
        for row in result:
            if count >= settings.max_result_rows:
                break
            table.add_row(*("" if row[n] is None else _cell(row[n]) for n in names))
            count += 1
    table.title = f"{count} rows"
    console.print(table)


def _cell(term: object) -> str:
    from svckg.validation.render import _short

    if isinstance(term, ox.NamedNode):
        return _short(term.value)
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


class ExportFormat(StrEnum):
    turtle = "turtle"
    trig = "trig"
    nquads = "nquads"
    ntriples = "ntriples"
    jsonld = "jsonld"
    archimate = "archimate"  # ArchiMate exchange format (svckg.export.archimate)


_EXPORT = {
    ExportFormat.turtle: ox.RdfFormat.TURTLE,
    ExportFormat.trig: ox.RdfFormat.TRIG,
    ExportFormat.nquads: ox.RdfFormat.N_QUADS,
    ExportFormat.ntriples: ox.RdfFormat.N_TRIPLES,
    ExportFormat.jsonld: ox.RdfFormat.JSON_LD,
}


@app.command()
def export(
    format: Annotated[ExportFormat, typer.Option("--format", "-f")] = ExportFormat.nquads,
    graph: Annotated[
        str | None,
        typer.Option("--graph", help="Export this named graph only (needed for triple formats)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of standard output.")
    ] = None,
    store: StoreOption = None,
) -> None:
    """Export the store (quad formats) or one graph (any format)."""
    with _opened(store) as opened:
        if graph is not None and graph not in opened.graphs():
            raise NotFound(f"no graph {graph}", hint="see 'svckg imports list' for graph IRIs")
        if format is ExportFormat.archimate:
            from svckg.export.archimate import export_archimate

            data = export_archimate(opened)
        else:
            data = opened.export(_EXPORT[format], graph)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
        err_console.print(f"wrote {len(data):,} bytes to {output}", highlight=False)


# -- backup / restore ----------------------------------------------------------------------


def _disk_store(settings: Settings) -> Path:
    if not _is_dir_store(settings.store):
        raise StoreError(
            "backup and restore work on an on-disk store",
            where=settings.store,
            hint="name a store directory (--store DIR); for other stores use 'svckg export'",
        )
    return Path(settings.store)


@app.command()
def backup(
    directory: Annotated[Path, typer.Argument(help="New directory for the copy.")],
    store: StoreOption = None,
) -> None:
    """Copy the on-disk store, consistently, into a new directory (online: a running server
    keeps serving; the copy opens as a store of its own)."""
    _disk_store(_settings(store))
    with _opened_or_server(store) as (opened, server):
        if server is not None:  # the server makes the copy while it keeps serving
            answer = server.post("/api/backup", params={"directory": str(directory.resolve())})
            target, quads = answer["directory"], answer["quads"]
        else:
            target = opened.backup(directory)  # type: ignore[attr-defined]
            quads = opened.count()
    console.print(f"backed up {quads:,} quads to {target}", highlight=False)


@app.command()
def restore(
    directory: Annotated[Path, typer.Argument(help="A directory made by 'svckg backup'.")],
    store: StoreOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace a store that holds data.")
    ] = False,
) -> None:
    """Bring a backup back into a new or empty store (a store holding data only with --force)."""
    from svckg.store.embedded import restore as restore_store

    target = _disk_store(_settings(store))
    quads = restore_store(directory, target, force=force)
    console.print(f"restored {quads:,} quads into {target}", highlight=False)
