"""``svckg`` command line: one module per command group, errors mapped to exit codes here."""

from __future__ import annotations

import sys

import click

# Command modules register themselves on ``app`` when imported.
from svckg.cli import (
    analysis,  # noqa: E402,F401  (impact, trace, queries)
    core,  # noqa: E402,F401  (init, import, validate, imports, query, export)
    serve,  # noqa: E402,F401  (serve, docs)
)
from svckg.cli.app import app, err_console
from svckg.errors import SvckgError


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app and turn svckg errors into a message and an exit code."""
    try:
        result = app(args=argv, standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        err_console.print("aborted; nothing was committed")
        sys.exit(130)
    except SvckgError as exc:
        err_console.print(f"[bold red]error:[/] {exc.describe()}", highlight=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err_console.print("interrupted; nothing was committed")
        sys.exit(130)
    sys.exit(result if isinstance(result, int) else 0)
