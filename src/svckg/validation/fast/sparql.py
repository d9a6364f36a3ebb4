"""SHACL-SPARQL: prefix declarations, the pre-binding rules, and pre-bound query text.

Pre-binding follows the SHACL specification (section 5.2.1.1): every occurrence of a pre-bound
variable (``$this``, ``$value``, ``$currentShape``, component parameters) is replaced by its
value, including inside nested groups, which plain solution joins would not do.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, SH
from rdflib.term import Node

from svckg.errors import ShapesError

PREBOUND = ("this", "currentShape", "shapesGraph")
_FORBIDDEN = re.compile(r"\b(MINUS|SERVICE|VALUES)\b", re.IGNORECASE)
_STRINGS = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'|#[^\n]*"
)


def prefixes_of(graph: Graph, node: Node, where: str) -> dict[str, str]:
    """Prefixes declared (``sh:declare``) on the ``sh:prefixes`` nodes of ``node`` and on
    the ontologies they ``owl:imports`` (within the shapes graph)."""
    out: dict[str, str] = {}
    todo = list(graph.objects(node, SH.prefixes))
    seen: set[Node] = set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for decl in graph.objects(current, SH.declare):
            prefix, ns = graph.value(decl, SH.prefix), graph.value(decl, SH.namespace)
            if prefix is None or ns is None:
                raise ShapesError(
                    "sh:declare needs sh:prefix and sh:namespace",
                    where=where,
                    hint="complete the prefix declaration",
                )
            out[str(prefix)] = str(ns)
        todo.extend(graph.objects(current, OWL.imports))
    return out


def strip_strings(text: str) -> str:
    """The query without string literals and comments (for keyword checks)."""
    return _STRINGS.sub('""', text)


def check_query(
    text: str, prefixes: dict[str, str], where: str, prebound: tuple[str, ...] = PREBOUND
) -> None:
    """Raise ShapesError (naming ``where``) unless the query parses and keeps the
    pre-binding rules: no MINUS, SERVICE or VALUES, no ``AS $this``, and every sub-query
    returns ``$this``."""
    probe = text.replace("$PATH", "<urn:svckg:path>")
    try:
        ox.Store().query(probe, prefixes=prefixes)
    except SyntaxError as exc:
        raise ShapesError(
            f"SHACL-SPARQL query does not parse: {exc}",
            where=where,
            hint="fix the query (declare its prefixes with sh:prefixes)",
        ) from exc
    except RuntimeError:
        pass  # parsed; failed only for lack of bindings here
    bare = strip_strings(text)
    if _FORBIDDEN.search(bare):
        raise ShapesError(
            "SHACL-SPARQL query uses MINUS, SERVICE or VALUES, which queries "
            "with pre-bound variables may not use",
            where=where,
            hint="rewrite the query without them",
        )
    if re.search(r"[?$]shapesGraph\b", bare):
        raise ShapesError(
            "SHACL-SPARQL query uses $shapesGraph, which this validator does not "
            "support (it is optional in SHACL)",
            where=where,
            hint="query the data graph only",
        )
    names = "|".join(prebound)
    if re.search(rf"\bAS\s+[?$]({names})\b", bare, re.IGNORECASE):
        raise ShapesError(
            "SHACL-SPARQL query binds a pre-bound variable with AS",
            where=where,
            hint="do not assign $this, $currentShape or $shapesGraph",
        )
    selects = [m.start() for m in re.finditer(r"\bSELECT\b", bare, re.IGNORECASE)]
    for start in selects[1:]:
        head = re.split(r"\bWHERE\b|\{", bare[start:], maxsplit=1, flags=re.IGNORECASE)[0]
        if not re.search(r"[?$]this\b", head):
            raise ShapesError(
                "a sub-query of the SHACL-SPARQL query does not return $this",
                where=where,
                hint="add $this to the sub-query's SELECT",
            )


def prebind(text: str, bindings: dict[str, str]) -> str:
    """Replace each pre-bound ``$var`` / ``?var`` by its SPARQL text, and ``bound($var)`` by
    ``(true)``. A bare variable in a SELECT clause, and in GROUP BY / ORDER BY, stays as it
    is (unbound: the caller knows its value).

    >>> prebind("SELECT $this ?v WHERE { $this <urn:p> ?v }", {"this": "<urn:a>"})
    'SELECT $this ?v WHERE { <urn:a> <urn:p> ?v }'
    """
    if not bindings:
        return text
    names = "|".join(map(re.escape, bindings))
    text = re.sub(rf"\bBOUND\s*\(\s*[?$]({names})\s*\)", "(true)", text, flags=re.IGNORECASE)
    pattern = re.compile(r"[?$](" + "|".join(map(re.escape, bindings)) + r")\b")
    out, depth, head, last, keep = [], 0, True, 0, False
    words = r"(?i:\bSELECT\b|\b(GROUP|ORDER)\s+BY\b|\bHAVING\b|\bLIMIT\b|\bOFFSET\b)"
    tokens = words + r"|[?$][A-Za-z_][A-Za-z0-9_]*|[(){}]|" + _STRINGS.pattern
    for m in re.finditer(tokens, text):
        token = m.group(0)
        word = " ".join(token.upper().split())
        if word == "SELECT":
            head, depth = True, 0
        elif word in ("GROUP BY", "ORDER BY"):
            keep = True
        elif word in ("HAVING", "LIMIT", "OFFSET", "}"):
            keep = False
        elif token == "{":
            head, keep = False, False
        elif token == "(":
            depth += 1
        elif token == ")":
            depth -= 1
        elif token[0] in "?$" and pattern.fullmatch(token):
            value = bindings[token[1:]]
            out.append(text[last : m.start()])
            out.append(token if keep or (head and depth == 0) else value)
            last = m.end()
    out.append(text[last:])
    return "".join(out)


def iri(node: Node) -> str | None:
    """SPARQL text of an IRI node, None for anything else."""
    return f"<{node}>" if isinstance(node, URIRef) else None
