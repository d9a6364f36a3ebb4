"""``svckg impact``, ``svckg trace`` and ``svckg queries list|show|run``."""

from __future__ import annotations

import csv
import io
import json
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import pyoxigraph as ox
import typer
from rich.table import Table

from svckg.analysis.impact import impact
from svckg.analysis.index import cached_index, get_index
from svckg.analysis.pushdown import GraphSource, choose_source, wants_index
from svckg.analysis.results import Edge, ImpactResult, TraceResult
from svckg.analysis.trace import trace
from svckg.cli.app import app, console, lazy_module
from svckg.cli.core import StoreOption, _opened, cli_settings
from svckg.errors import QueryError
from svckg.terms import compact, local_name

if TYPE_CHECKING:
    from svckg.store.base import Store


class GraphFormat(StrEnum):
    table = "table"
    json = "json"
    dot = "dot"


class RowsFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


named = lazy_module("svckg.analysis.queries")
queries_app = typer.Typer(
    help="The named queries (queries/*.rq): list, show, run.", no_args_is_help=True
)
app.add_typer(queries_app, name="queries")


def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _chain(path: tuple[Edge, ...], label, *, include_start: bool = False) -> str:
    """``-usesResource-> B -member-> C`` for a path (its start only when asked)."""
    parts = [label(path[0][0])] if path and include_start else []
    for _, p, o in path:
        parts.append(f"-{local_name(p)}-> {label(o)}")
    return " ".join(parts)


def _dot(edges: set[Edge], nodes: dict[str, str], highlight: dict[str, str]) -> str:
    def q(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ["digraph svckg {", "  rankdir=BT;", "  node [shape=box, fontname=Helvetica];"]
    for key, label in sorted(nodes.items()):
        color = highlight.get(key, "white")
        lines.append(f"  {q(key)} [label={q(label)}, style=filled, fillcolor={q(color)}];")
    for s, p, o in sorted(edges):
        lines.append(f"  {q(s)} -> {q(o)} [label={q(compact(p))}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _impact_table(result: ImpactResult, label) -> None:
    failed = ", ".join(f"{f.label} ({compact(f.iri)})" for f in result.failed)
    console.print(f"[bold]Failed:[/] {failed}", highlight=False)
    if not result.impacted and not result.goals_and_plans and not result.parties:
        console.print("Nothing depends on it: no impact.")
        return
    if result.impacted:
        _impacted_table(result, label)
    if result.goals_and_plans:
        table = Table(
            title=f"Goals and plans touched ({len(result.goals_and_plans)}, no status)",
            title_justify="left",
        )
        for col in ("dist", "goal or plan", "because it"):
            table.add_column(col)
        for g in result.goals_and_plans:
            table.add_row(str(g.distance), f"{g.label}\n{compact(g.iri)}", _chain(g.path, label))
        console.print(table)
    _impact_details(result, label)


def _impacted_table(result: ImpactResult, label) -> None:
    table = Table(title=f"Impacted elements ({len(result.impacted)})", title_justify="left")
    for col in ("status", "dist", "element", "layer", "visible", "because it"):
        table.add_column(col)
    for e in result.impacted:
        color = "red" if e.status == "down" else "yellow"
        table.add_row(
            f"[{color}]{e.status}[/]",
            str(e.distance),
            f"{e.label}\n{compact(e.iri)}",
            label(e.layer) if e.layer else "",
            "yes" if e.customer_visible else "",
            _chain(e.paths[0], label),
        )
    console.print(table)


def _impact_details(result: ImpactResult, label) -> None:
    if result.agreements:
        table = Table(title="Agreements at risk", title_justify="left")
        for col in ("agreement", "status", "covers", "targets"):
            table.add_column(col)
        for a in result.agreements:
            targets = "; ".join(
                f"{t.metric or t.label} {t.value or ''}{t.unit or ''}".strip() for t in a.targets
            )
            table.add_row(
                f"{a.label}\n{compact(a.iri)}",
                a.status,
                ", ".join(label(c) for c in a.covers),
                targets,
            )
        console.print(table)
    if result.parties:
        table = Table(title="Affected parties, by role", title_justify="left")
        for col in ("role", "who", "in context of"):
            table.add_column(col)
        for p in result.parties:
            table.add_row(p.role_label, p.agent_label, p.context_label)
        console.print(table)
    if result.owners:
        _owners_table(result.owners, label)


def _source(opened: Store, store: str | None) -> GraphSource:
    """The index when one is at hand (memory or snapshot); else, when the settings want an
    index, built now (once: the next run loads its snapshot); else the engine."""
    settings = cli_settings(store)
    source = choose_source(opened, settings, may_build=False)
    if source.mode == "engine" and settings.impact_mode == "auto" and wants_index(opened, settings):
        _warm_index(opened)
        source = choose_source(opened, settings, may_build=False)
    return source


def _warm_index(opened) -> None:
    """Load the dependency index, or build it (once for this store state: the next run
    loads it from the snapshot) with a progress bar on a terminal, else one line."""
    if cached_index(opened) is not None:
        return
    if not getattr(opened, "path", None):  # in memory, remote: built every time, quietly
        get_index(opened)
        return
    from svckg.cli.app import err_console

    what = "building the dependency index (once for this store state; later runs load it)"
    if not err_console.is_terminal:
        err_console.print(what, highlight=False)
        get_index(opened)
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=err_console
    ) as bar:
        task = bar.add_task(what, total=None)
        get_index(
            opened, progress=lambda done, total: bar.update(task, completed=done, total=total)
        )


@app.command("impact")
def impact_command(
    elements: Annotated[
        list[str],
        typer.Argument(metavar="IRI...", help="Failed or changed elements (IRI or CURIE)."),
    ],
    format: Annotated[GraphFormat, typer.Option("--format", "-f")] = GraphFormat.table,
    paths: Annotated[
        int, typer.Option("--paths", min=1, help="Shortest chains to keep per element.")
    ] = 1,
    store: StoreOption = None,
) -> None:
    """What breaks (down) or degrades if ELEMENTS fail, through which chain, and who notices."""
    with _opened(store) as opened:
        source = _source(opened, store)
        result = impact(opened, elements, max_paths=paths, source=source)
        index = source.index  # describes every node of the result (the engine's: only those)
        if format is GraphFormat.json:
            _print_json(result.to_json())
        elif format is GraphFormat.dot:
            edges = {edge for e in result.impacted for path in e.paths for edge in path}
            nodes = {k: index.label(k) for edge in edges for k in (edge[0], edge[2])}
            nodes.update({f.iri: f.label for f in result.failed})
            colors = {
                e.iri: ("#f4a6a6" if e.status == "down" else "#f9e79f") for e in result.impacted
            }
            colors.update({f.iri: "#c0392b" for f in result.failed})
            sys.stdout.write(_dot(edges, nodes, colors))
        else:
            _impact_table(result, index.label)


def _trace_table(result: TraceResult, label) -> None:
    owners = ", ".join(o.label for o in result.root_owners) or "no owner"
    console.print(
        f"[bold]{result.root.label}[/] ({compact(result.root.iri)}), owner: {owners}",
        highlight=False,
    )
    if not result.layers:
        console.print("It needs nothing else.")
        return
    for group in result.layers:
        table = Table(title=group.label[:1].upper() + group.label[1:], title_justify="left")
        for col in ("element", "types", "owners", "via"):
            table.add_column(col)
        for e in group.elements:
            table.add_row(
                f"{e.label}\n{compact(e.iri)}",
                ", ".join(compact(t) for t in e.types),
                ", ".join(o.label for o in e.owners),
                _chain(e.path, label),
            )
        console.print(table)
    _owners_table(result.owners, label)


def _owners_table(owners, label) -> None:
    """The "Who to call" table of impact and trace: each owner and what they own."""
    table = Table(title="Who to call", title_justify="left")
    table.add_column("owner")
    table.add_column("owns")
    for c in owners:
        table.add_row(c.label, ", ".join(label(e) for e in c.elements))
    console.print(table)


@app.command("trace")
def trace_command(
    element: Annotated[str, typer.Argument(metavar="IRI", help="Element to trace (IRI or CURIE).")],
    format: Annotated[GraphFormat, typer.Option("--format", "-f")] = GraphFormat.table,
    store: StoreOption = None,
) -> None:
    """Everything ELEMENT is built from, layer by layer, with owners, and who to call."""
    with _opened(store) as opened:
        source = _source(opened, store)
        result = trace(opened, element, source=source)
        index = source.index
        if format is GraphFormat.json:
            _print_json(result.to_json())
        elif format is GraphFormat.dot:
            edges = {edge for e in result.elements for edge in e.path}
            nodes = {e.iri: e.label for e in result.elements}
            nodes[result.root.iri] = result.root.label
            sys.stdout.write(_dot(edges, nodes, {result.root.iri: "#aed6f1"}))
        else:
            _trace_table(result, index.label)


@queries_app.command("list")
def queries_list(
    format: Annotated[RowsFormat, typer.Option("--format", "-f")] = RowsFormat.table,
) -> None:
    """The named queries with their summaries, tags and parameters."""
    queries = named.catalogue()
    if format is RowsFormat.json:
        _print_json([q.to_json() | {"query": None} for q in queries])
        return
    if format is RowsFormat.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(["name", "summary", "tags", "parameters"])
        for q in queries:
            writer.writerow(
                [q.name, q.summary, " ".join(q.tags), " ".join(p.name for p in q.parameters)]
            )
        return
    table = Table(title=f"Named queries ({len(queries)})", title_justify="left")
    for col in ("name", "summary", "tags", "parameters"):
        table.add_column(col)
    for q in queries:
        table.add_row(
            q.name,
            q.summary,
            ", ".join(q.tags),
            ", ".join(f"{p.name}={p.kind}" for p in q.parameters),
        )
    console.print(table)


@queries_app.command("show")
def queries_show(name: Annotated[str, typer.Argument(help="Query name (file stem).")]) -> None:
    """Print the SPARQL text of a named query."""
    sys.stdout.write(named.get_query(name).text)


def _parse_params(values: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise QueryError(f"bad --param {item!r}", hint="write --param name=value")
        params[name.strip()] = value
    return params


def _cell(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    return term.value if isinstance(term, ox.Literal) else str(term)


@queries_app.command("run")
def queries_run(
    name: Annotated[str, typer.Argument(help="Query name (see 'svckg queries list').")],
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", metavar="NAME=VALUE", help="A parameter value (repeatable)."),
    ] = None,
    format: Annotated[RowsFormat, typer.Option("--format", "-f")] = RowsFormat.table,
    store: StoreOption = None,
) -> None:
    """Run a named query with its parameters."""
    params = _parse_params(param or [])
    named.get_query(name)  # unknown names fail before the store is opened
    with _opened(store) as opened:
        variables, rows = named.run_named(opened, name, params)
    if format is RowsFormat.json:
        _print_json(
            {
                "variables": variables,
                "rows": [
                    {
                        v: (None if t is None else t.value)
                        for v, t in zip(variables, row, strict=True)
                    }
                    for row in rows
                ],
            }
        )
    elif format is RowsFormat.csv:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(variables)
        for row in rows:
            writer.writerow(["" if t is None else t.value for t in row])
        sys.stdout.write(out.getvalue())
    else:
        table = Table(title=f"{name} ({len(rows)} rows)", title_justify="left")
        for v in variables:
            table.add_column(v)
        for row in rows:
            table.add_row(*(_cell(t) for t in row))
        console.print(table)
