"""No query or update reaches another host unless the operator allowed that endpoint.

``SERVICE <endpoint>`` (federated query) and ``LOAD <url>`` (update) make the engine fetch a
URL: from an anonymous ``/sparql`` request that is a request forgery (any host the server can
reach, its own loopback ports included, with the answer or the error echoed back). Every
store checks each query and update here first (:func:`check_remote_access`): the endpoint
must be written as an IRI and appear in ``Settings.remote_endpoints`` (``SVCKG_REMOTE_ENDPOINTS``,
comma-separated; empty by default, so nothing is fetched). A ``SERVICE ?var`` or a prefixed
name is refused: only a literal IRI can be checked.

>>> check_remote_access("SELECT * { ?s ?p ?o }", ())
>>> check_remote_access("SELECT * { SERVICE <http://10.0.0.1/sparql> { ?s ?p ?o } }", ())
Traceback (most recent call last):
...
svckg.errors.Forbidden: SERVICE: the query asks the engine to fetch <http://10.0.0.1/sparql>, \
which is not an allowed remote endpoint (ask the operator to add it to \
SVCKG_REMOTE_ENDPOINTS, or query this store without SERVICE)
>>> check_remote_access("LOAD SILENT <http://a/x.ttl>", ["http://a/x.ttl"])
>>> check_remote_access("SELECT * { ?s <https://w3id.org/svckg#includesService> ?o }", ())
"""

from __future__ import annotations

from collections.abc import Collection

from svckg.errors import Forbidden
from svckg.sparql_lexer import IRIREF, tokenize

_FETCHING = {"SERVICE": "the query", "LOAD": "the update"}


def _may_fetch(sparql: str) -> bool:
    """False when ``sparql`` surely has no SERVICE or LOAD keyword: the words appear
    nowhere, or only inside IRIs (``svc:includesService`` written in full: the push-down
    queries name it in every filter; tokenizing them all cost 14 ms an impact)."""
    upper = sparql.upper()
    if "SERVICE" not in upper and "LOAD" not in upper:
        return False
    bare = IRIREF.sub(" ", upper)  # an IRI run cannot hide a keyword: it holds no space,
    # brace, quote or "<", and SERVICE / LOAD need their endpoint (and a "{") after them
    return "SERVICE" in bare or "LOAD" in bare


def remote_operations(sparql: str) -> list[tuple[str, str]]:
    """``(keyword, endpoint text)`` of every SERVICE and LOAD in ``sparql`` (the endpoint as
    written: ``<iri>``, a prefixed name or a variable).

    >>> remote_operations("SELECT * { SERVICE SILENT ?e { ?s ?p ?o } } # SERVICE <x>")
    [('SERVICE', '?e')]
    """
    found: list[tuple[str, str]] = []
    tokens = list(tokenize(sparql))
    for i, token in enumerate(tokens):
        if token.keyword in _FETCHING:
            j = i + 1
            if j < len(tokens) and tokens[j].keyword == "SILENT":
                j += 1
            target = tokens[j].text if j < len(tokens) else ""
            if token.keyword == "LOAD" or target != "(":  # not a function named LOAD
                found.append((token.keyword or "", target))
    return found


def check_remote_access(sparql: str, allowed: Collection[str]) -> None:
    """Forbidden (403) when ``sparql`` would fetch an endpoint not in ``allowed``."""
    if not _may_fetch(sparql):
        return  # the common case costs a scan or two
    for keyword, target in remote_operations(sparql):
        iri = target[1:-1] if target.startswith("<") and target.endswith(">") else None
        if iri is not None and iri in allowed:
            continue
        what = f"<{iri}>" if iri is not None else f"an endpoint given as {target or '(nothing)'}"
        raise Forbidden(
            f"{_FETCHING[keyword]} asks the engine to fetch {what}, which is not an allowed "
            "remote endpoint",
            where=keyword,
            hint="ask the operator to add it to SVCKG_REMOTE_ENDPOINTS, or query this store "
            f"without {keyword}"
            if iri is not None
            else "write the endpoint as a full <IRI> listed in SVCKG_REMOTE_ENDPOINTS",
        )
