"""``svckg serve`` (the HTTP API on uvicorn) and ``svckg docs`` (ontology HTML pages)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from svckg.cli.app import app, console, err_console
from svckg.cli.core import StoreOption, cli_settings, write_server_file
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


def _graceful_server(config: Any, state: Any) -> Any:
    """uvicorn's server, marking the app as stopping the moment SIGTERM/SIGINT arrives (new
    writes get 503 while uvicorn lets in-flight requests finish; the app's shutdown then
    waits for the write in progress, removes the server file and closes the store).

    A SIGTERM that ends in a completed graceful stop exits with status 0: uvicorn would raise
    the signal again once it has stopped, killing the process before ``serve``'s clean-up runs
    and reporting the clean stop as death by signal (-15) to the service manager."""
    import signal

    import uvicorn

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: Any) -> None:
            state.mark_stopping()
            super().handle_exit(sig, frame)
            if sig == signal.SIGTERM:
                captured = getattr(self, "_captured_signals", None)
                if isinstance(captured, list) and signal.SIGTERM in captured:
                    captured.remove(signal.SIGTERM)

    return Server(config)


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
    where = None
    try:
        if demo:
            ids = prepare_store(opened)
            if ids:
                err_console.print(f"empty store: loaded the demo ({', '.join(ids)})")
        application = create_app(settings, opened)
        state = application.state.svckg
        state.owns_store = True  # closed by the graceful stop, after in-flight writes
        where = write_server_file(settings.store, f"http://{host}:{port}")
        if where is not None:
            state.on_stop.append(lambda: where.unlink(missing_ok=True))
        err_console.print(f"svckg on http://{host}:{port}/ (store {settings.store})")
        config = uvicorn.Config(
            application, host=host, port=port, log_level=log_level, access_log=False
        )
        _graceful_server(config, state).run()
    finally:
        if where is not None:
            where.unlink(missing_ok=True)
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
