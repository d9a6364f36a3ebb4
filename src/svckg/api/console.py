"""The SPARQL console's one server helper: bind the ``?_name_iri`` parameters of the query in
the editor before it is sent to ``/sparql``.

The console shows a form for the parameters the query text uses (:func:`parameters_of`, the
same rule as the named query catalogue). Running it posts the text and the form's values here;
the answer is the text with each parameter replaced by its RDF term through
:func:`svckg.store.params.bind_parameters` (the lexer-based substitution every named query
uses: values are never pasted as text). A parameter left empty is an error naming it, exactly
as ``GET /api/queries/NAME`` answers: a parameterised query never silently runs unbound (which
would match every element).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body

from svckg.analysis.queries import NamedQuery, bind, parameters_of
from svckg.api.dependencies import CONSUMER, require_role
from svckg.errors import InputError
from svckg.store.params import bind_parameters

router = APIRouter(prefix="/api/ui", tags=["ui"], dependencies=[require_role(CONSUMER)])
"""Binding reads no data: consumer tokens may use it too."""

MAX_QUERY_CHARS = 200_000
"""Longest query text the console binds (the editor holds queries, not data)."""


def bind_console_query(text: str, params: dict[str, str], name: str | None = None) -> str:
    """``text`` with its parameters bound from ``params`` (parameter name -> value; empty
    values count as missing). QueryError names a missing or unknown parameter."""
    if len(text) > MAX_QUERY_CHARS:
        raise InputError(
            f"the query has {len(text):,} characters, more than {MAX_QUERY_CHARS:,}",
            where="query",
            hint="send data with an import, not in a query",
        )
    query = NamedQuery(
        name=name or "console query",
        path=Path(name or "console"),
        summary="",
        description="",
        tags=(),
        parameters=parameters_of(text),
        text=text,
    )
    given = {k: v for k, v in params.items() if isinstance(v, str) and v.strip()}
    terms = bind(query, given)
    return bind_parameters(text, terms) if terms else text


@router.post("/sparql/bind")
async def bind_route(
    query: Annotated[str, Body(description="The SPARQL text in the editor")],
    params: Annotated[dict[str, str] | None, Body(description="Parameter name -> value")] = None,
    name: Annotated[str | None, Body(description="The named query it came from")] = None,
) -> dict[str, Any]:
    """The query with its ``?_name_iri`` parameters bound, or 400 naming a missing one."""
    return {
        "query": bind_console_query(query, params or {}, name),
        "parameters": [p.to_json() for p in parameters_of(query)],
    }
