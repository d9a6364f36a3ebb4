"""The typer application every CLI module adds its commands to.

The command modules are imported when the app is first asked for its commands, not when this
module is: ``svckg impact`` then imports only what impact needs (see :func:`svckg.cli.main`),
while tests and ``--help`` see every command."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console

COMMAND_MODULES = ("analysis", "core", "serve")
"""Every command module, in the order their commands are listed."""


class _LazyTyper(typer.Typer):
    """A Typer whose command modules are imported on first use of its command lists; within
    :meth:`only` it lists the commands of some modules only (typer then reads the option
    annotations of those alone: the others may name modules a fast command never imports)."""

    _wanted: tuple[str, ...] = COMMAND_MODULES

    def _ensure(self) -> None:
        if self.__dict__.get("_importing"):
            return  # a command module is being imported: it imports what it needs
        loaded = self.__dict__.setdefault("_loaded", set())
        for name in self._wanted:
            if name not in loaded:
                loaded.add(name)  # first: the module's decorators come back here
                self.__dict__["_importing"] = self.__dict__.get("_importing", 0) + 1
                try:
                    importlib.import_module(f"svckg.cli.{name}")
                finally:
                    self.__dict__["_importing"] -= 1

    @contextmanager
    def only(self, names: tuple[str, ...]) -> Iterator[None]:
        """While the block runs, import and list only the command modules ``names``."""
        self._wanted = names
        try:
            yield
        finally:
            self._wanted = COMMAND_MODULES

    def _narrowed(self, items: list[Any], module_of: Callable[[Any], str]) -> list[Any]:
        if self._wanted == COMMAND_MODULES or self.__dict__.get("_importing"):
            return items  # not narrowed, or importing (the decorators append here)
        modules = {f"svckg.cli.{name}" for name in self._wanted}
        return [item for item in items if module_of(item) in modules]

    @property
    def registered_commands(self) -> list[Any]:  # type: ignore[override]
        self._ensure()
        return self._narrowed(self.__dict__["_commands"], lambda c: c.callback.__module__)

    @registered_commands.setter
    def registered_commands(self, value: list[Any]) -> None:
        self.__dict__["_commands"] = value

    @property
    def registered_groups(self) -> list[Any]:  # type: ignore[override]
        self._ensure()
        owners = self.__dict__.setdefault("_group_modules", {})
        return self._narrowed(self.__dict__["_groups"], lambda g: owners.get(id(g), ""))

    @registered_groups.setter
    def registered_groups(self, value: list[Any]) -> None:
        self.__dict__["_groups"] = value

    @property
    def registered_callback(self) -> Any:  # type: ignore[override]
        self._ensure()
        return self.__dict__["_callback"]

    @registered_callback.setter
    def registered_callback(self, value: Any) -> None:
        self.__dict__["_callback"] = value

    def add_typer(self, typer_instance: typer.Typer, **kwargs: Any) -> None:  # type: ignore[override]
        super().add_typer(typer_instance, **kwargs)
        # which module registers the group: typer gives no other handle on it
        caller = sys._getframe(1).f_globals.get("__name__", "")  # noqa: SLF001
        self.__dict__.setdefault("_group_modules", {})[id(self.__dict__["_groups"][-1])] = caller


def lazy_module(name: str) -> Any:
    """Module ``name``, imported when one of its attributes is first read (commands that
    never use it do not pay for importing it)."""
    from importlib.util import LazyLoader, find_spec, module_from_spec

    found = sys.modules.get(name)
    if found is not None:
        return found
    spec = find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(name)
    spec.loader = LazyLoader(spec.loader)
    module = module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


app = _LazyTyper(
    name="svckg",
    help="Knowledge-graph repository for service management and enterprise architecture.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)
