"""``svckg serve`` (the HTTP API on uvicorn) and ``svckg docs`` (ontology HTML pages)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from svckg.cli.app import app, console, err_console
from svckg.cli.core import StoreOption, cli_settings
from svckg.config import describe
from svckg.store import Store, open_store


def prepare_store(store: Store) -> list[str]:
    """Load the ontology, concept schemes and the demo landscape into a store that holds
    nothing yet; returns the demo import ids (empty when the store already had data)."""
    if store.graphs():
        return []
    from svckg.demo import load_demo
    from svckg.store.system import ensure_system_graphs

    ensure_system_graphs(store)
    return load_demo(store)


def _access_log(level: str) -> None:
    """svckg's own access log (one line per request, see svckg.api.ops) to stderr; uvicorn's
    is switched off so each request is logged once. Shown from log level info."""
    import logging

    logger = logging.getLogger("svckg.access")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
    logger.setLevel(
        logging.INFO if level.lower() in ("info", "debug", "trace") else logging.WARNING
    )
    logger.propagate = False


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    store: StoreOption = None,
    demo: Annotated[
        bool, typer.Option("--demo/--no-demo", help="Load the demo landscape into an empty store.")
    ] = True,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
    log_format: Annotated[
        str | None,
        typer.Option(
            "--log-format", help="Access log lines: text or json (else SVCKG_LOG_FORMAT)."
        ),
    ] = None,
) -> None:
    """Serve SPARQL (/sparql), Graph Store (/rdf-graphs), linked data (/id), REST (/api)."""
    import uvicorn

    from svckg.api.app import create_app

    settings = cli_settings(store, log_format=log_format)
    _access_log(log_level)
    opened = open_store(settings)
    try:
        if demo:
            ids = prepare_store(opened)
            if ids:
                err_console.print(f"empty store: loaded the demo ({', '.join(ids)})")
        application = create_app(settings, opened)
        err_console.print(f"svckg on http://{host}:{port}/ (store {settings.store})")
        uvicorn.run(application, host=host, port=port, log_level=log_level, access_log=False)
    finally:
        opened.close()


@app.command("docs")
def docs(
    out: Annotated[Path, typer.Option("--out", help="Output directory.")] = Path("build/docs"),
) -> None:
    """Render the ontology and concept schemes as HTML pages (build/docs/)."""
    from svckg.docs import render_ontology_docs

    index = render_ontology_docs(out)
    console.print(f"wrote {index}", highlight=False)


@app.command("config")
def config(
    store: StoreOption = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """Print the effective settings and where each came from (default, file, environment,
    flag); tokens are never shown."""
    from rich.table import Table

    rows = describe(cli_settings(store))
    if format == "json":
        import json

        print(json.dumps([dict(zip(("name", "value", "source"), r, strict=True)) for r in rows]))
        return
    table = Table("setting", "value", "source", title="svckg settings")
    for name, value, source in rows:
        table.add_row(name, value, source)
    console.print(table)
