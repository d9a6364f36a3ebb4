"""The named query catalogue: ``queries/*.rq``, one plain SPARQL file per question.

Each file stays valid SPARQL. Leading ``#+`` comment lines hold grlc-style YAML headers
(``summary``, ``description``, ``tags``); parameters are variables named ``?_name_iri`` (an IRI),
``?_name_integer`` (an xsd:integer) or ``?_name`` (a plain string). Values are bound through
``Store.query(substitutions=...)`` as RDF terms, never pasted into the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from svckg.analysis.results import Contract, contract
from svckg.config import QUERIES_DIR
from svckg.errors import LimitExceeded, NotFound, QueryError
from svckg.sparql_lexer import COMMENT, tokenize
from svckg.store.base import Store
from svckg.terms import expand_iri

XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
_PARAM = re.compile(r"_[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*")
"""The name of a parameter variable (the whole variable name, without ``?``)."""


@contract
@dataclass(frozen=True)
class Parameter(Contract):
    """A query parameter: ``name`` as people give it, the SPARQL ``variable``, its ``kind``."""

    name: str
    variable: str
    kind: str
    """``iri``, ``integer`` or ``string``."""


@dataclass(frozen=True)
class NamedQuery:
    """One ``queries/NAME.rq`` file."""

    name: str
    path: Path
    summary: str
    description: str
    tags: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    text: str

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "summary": self.summary,
            "description": self.description,
            "tags": list(self.tags),
            "parameters": [p.to_json() for p in self.parameters],
            "query": self.text,
        }


def _parameter(variable: str) -> Parameter:
    """``_failed_iri`` -> Parameter("failed", "_failed_iri", "iri").

    >>> _parameter("_failed_iri")
    Parameter(name='failed', variable='_failed_iri', kind='iri')
    >>> _parameter("_text").kind
    'string'
    """
    body = variable[1:]
    for suffix, kind in (("_iri", "iri"), ("_integer", "integer")):
        if body.endswith(suffix) and len(body) > len(suffix):
            return Parameter(body[: -len(suffix)], variable, kind)
    return Parameter(body, variable, "string")


def _plain_headers(lines: list[str]) -> dict[str, object]:
    """Line-based reading of ``key: value`` headers with indented continuation lines and
    ``- item`` lists, for headers that are not valid YAML.

    >>> _plain_headers(["summary: A: B", "tags:", "  - x", "description: one", "  two"])
    {'summary': 'A: B', 'tags': ['x'], 'description': 'one two'}
    """
    headers: dict[str, object] = {}
    key: str | None = None
    for line in lines:
        match = re.match(r"^([A-Za-z_][\w-]*):\s*(.*)$", line)
        if match and not line[:1].isspace():
            key = match.group(1)
            headers[key] = match.group(2).strip()
            continue
        text = line.strip()
        if key is None or not text:
            continue
        current = headers[key]
        if text.startswith("- "):
            items = current if isinstance(current, list) else ([current] if current else [])
            headers[key] = [*items, text[2:].strip()]
        elif isinstance(current, str):
            headers[key] = f"{current} {text}".strip()
    return headers


def _header_lines(text: str) -> list[str]:
    """The ``#+`` header lines (without ``#+ ``) of the comments that open a query, up to
    its first token or a comment that does not start its line.

    >>> _header_lines("#+ summary: x\\n# note\\n\\n#+ tags: [a]\\nSELECT * {}  #+ no")
    ['summary: x', 'tags: [a]']
    """
    lines: list[str] = []
    for token in tokenize(text, comments=True):
        if token.kind != COMMENT or not (token.start == 0 or text[token.start - 1] in "\r\n"):
            break
        if token.text.startswith("#+"):
            lines.append(token.text[2:].removeprefix(" "))
    return lines


def parse_query_file(path: Path) -> NamedQuery:
    """Read a named query: its ``#+`` headers, parameters and text."""
    text = path.read_text(encoding="utf-8")
    header_lines = _header_lines(text)
    try:
        headers = yaml.safe_load("\n".join(header_lines)) or {}
    except yaml.YAMLError:
        headers = _plain_headers(header_lines)  # e.g. an unquoted ': ' inside a description
    if not isinstance(headers, dict) or not headers.get("summary"):
        raise QueryError(
            "named query has no '#+ summary:' header",
            where=str(path),
            hint="start the file with '#+ summary: ...'",
        )
    tags = headers.get("tags") or []
    return NamedQuery(
        name=path.stem,
        path=path,
        summary=str(headers["summary"]).strip(),
        description=" ".join(str(headers.get("description") or "").split()),
        tags=tuple(str(t) for t in (tags if isinstance(tags, list) else [tags])),
        parameters=parameters_of(text),
        text=text,
    )


def parameters_of(text: str) -> tuple[Parameter, ...]:
    """The parameters (``?_name_iri``, ``?_name_integer``, ``?_name``) a query text uses, in
    order of first use: the console asks for the same ones the catalogue lists."""
    variables = dict.fromkeys(
        name
        for token in tokenize(text)
        if (name := token.variable) is not None and _PARAM.fullmatch(name)
    )
    return tuple(_parameter(v) for v in variables)


def catalogue(directory: Path = QUERIES_DIR) -> list[NamedQuery]:
    """Every named query in ``directory``, by name."""
    return [parse_query_file(p) for p in sorted(directory.glob("*.rq"))]


def get_query(name: str, directory: Path = QUERIES_DIR) -> NamedQuery:
    """The named query ``name``; NotFound lists the names that exist."""
    path = directory / f"{name}.rq"
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-]*", name) or not path.is_file():
        known = ", ".join(q.stem for q in sorted(directory.glob("*.rq")))
        raise NotFound(f"no named query {name!r}", hint=f"known queries: {known}")
    return parse_query_file(path)


def bind(query: NamedQuery, params: dict[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
    """RDF terms for ``params`` (by parameter name); QueryError on a missing, unknown or bad
    value."""
    known = {p.name: p for p in query.parameters}
    unknown = sorted(set(params) - set(known))
    takes = ", ".join(f"{p.name} ({p.kind})" for p in query.parameters) or "no parameters"
    if unknown:
        raise QueryError(
            f"unknown parameter(s) {', '.join(unknown)} for query {query.name!r}",
            hint=f"it takes {takes}",
        )
    missing = [name for name in known if name not in params]
    if missing:
        example = " ".join(f"--param {n}=..." for n in missing)
        raise QueryError(
            f"missing parameter(s) {', '.join(missing)} for query {query.name!r}",
            hint=f"give {example}; it takes {takes}",
        )
    terms: dict[str, ox.NamedNode | ox.Literal] = {}
    for name, value in params.items():
        p = known[name]
        if p.kind == "iri":
            terms[p.variable] = ox.NamedNode(expand_iri(value, what=f"parameter {name}"))
        elif p.kind == "integer":
            if not re.fullmatch(r"[+-]?\d+", value.strip()):
                raise QueryError(f"parameter {name} must be an integer", where=value)
            terms[p.variable] = ox.Literal(value.strip(), datatype=ox.NamedNode(XSD_INTEGER))
        else:
            terms[p.variable] = ox.Literal(value)
    return terms


Row = tuple[ox.NamedNode | ox.BlankNode | ox.Literal | None, ...]


def run_named(
    store: Store,
    name: str,
    params: dict[str, str] | None = None,
    *,
    directory: Path = QUERIES_DIR,
    timeout_s: float | None = None,
) -> tuple[list[str], list[Row]]:
    """Run named query ``name`` with ``params`` (parameter name -> IRI, CURIE or value).

    Returns the variable names and the rows (one term or None per variable, in that order).
    Raises NotFound for an unknown query, QueryError for a missing or bad parameter.
    """
    query = get_query(name, directory)
    substitutions = bind(query, params or {})
    result = store.query(query.text, substitutions=substitutions, timeout_s=timeout_s)
    if not isinstance(result, ox.QuerySolutions):
        raise QueryError(f"named query {name!r} is not a SELECT query", where=str(query.path))
    variables = [v.value for v in result.variables]
    rows = [tuple(solution[i] for i in range(len(variables))) for solution in result]
    return variables, rows


@dataclass(frozen=True)
class NamedAnswer:
    """The answer to a named query: its variables and rows (one term or None per variable)."""

    variables: list[str]
    rows: list[Row]

    def rows_json(self) -> list[dict[str, str | None]]:
        """One ``{variable: value}`` object per row (the form REST and GraphQL answer)."""
        return [
            {v: (None if t is None else t.value) for v, t in zip(self.variables, row, strict=True)}
            for row in self.rows
        ]

    def to_json(self) -> dict[str, Any]:
        return {"variables": self.variables, "rows": self.rows_json()}


def answer_named(
    store: Store,
    name: str,
    params: dict[str, str] | None = None,
    *,
    timeout_s: float | None,
    max_rows: int,
) -> NamedAnswer:
    """:func:`run_named` as every server interface answers it: LimitExceeded when the query
    returns more than ``max_rows`` rows (the client narrows the parameters rather than
    getting a cut list)."""
    variables, rows = run_named(store, name, params, timeout_s=timeout_s)
    if len(rows) > max_rows:
        raise LimitExceeded(
            f"the query returned {len(rows)} rows, more than {max_rows}",
            hint="narrow the parameters or raise SVCKG_MAX_RESULT_ROWS",
        )
    return NamedAnswer(variables, rows)
