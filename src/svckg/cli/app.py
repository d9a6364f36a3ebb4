"""The typer application every CLI module adds its commands to."""

from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(
    name="svckg",
    help="Knowledge-graph repository for service management and enterprise architecture.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)
