"""``svckg`` command line: one module per command group, errors mapped to exit codes here."""

from __future__ import annotations

import sys

import click

# Command modules register themselves on ``app`` when it first lists its commands.
from svckg.cli.app import app, err_console
from svckg.errors import SvckgError

_FAST = {"impact": ("analysis",), "trace": ("analysis",), "queries": ("analysis",)}
"""Commands whose module (with ``core``, which it imports) is all a run needs: a new
process answers sooner without the server's and the importers' modules."""


def _modules_for(argv: list[str]) -> tuple[str, ...] | None:
    """The command modules ``argv`` needs, or None for all of them (help, other commands)."""
    words = [a for a in argv if not a.startswith("-")]
    if not words or "--help" in argv or "--version" in argv:
        return None
    return _FAST.get(words[0]) if argv[0] == words[0] else None


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app and turn svckg errors into a message and an exit code."""
    args = sys.argv[1:] if argv is None else argv
    wanted = _modules_for(args)
    try:
        if wanted is None:
            result = app(args=argv, standalone_mode=False)
        else:
            with app.only(wanted):
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
