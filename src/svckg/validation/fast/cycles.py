"""The cycle idiom of SHACL-SPARQL, answered with one graph walk instead of one closure per node.

``SELECT $this WHERE { $this (p|q)+ $this }`` asks, for every focus node, whether it lies on
a cycle of p/q edges. Evaluated as written, that is a transitive closure per focus node
(seconds at a million triples). The same answer is the set of nodes in a strongly connected
component with more than one node, or with a self-loop: one pass over the p/q edges
(Tarjan's algorithm, iterative).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable

_TERM = r"(?:<[^<>\s]+>|[A-Za-z_][\w.-]*:[\w.-]*|:[\w.-]*)"
_CYCLE = re.compile(
    rf"^\s*SELECT\s+(?:DISTINCT\s+)?[?$]this\s+WHERE\s*\{{\s*[?$]this\s+"
    rf"(\(\s*{_TERM}(?:\s*\|\s*{_TERM})*\s*\)|{_TERM})\s*\+\s*[?$]this\s*\.?\s*\}}\s*$",
    re.IGNORECASE,
)


def cycle_predicates(query: str, prefixes: dict[str, str]) -> list[str] | None:
    """The predicate IRIs if ``query`` is exactly the cycle idiom, else None.

    >>> cycle_predicates("SELECT $this WHERE { $this (ex:a|<urn:b>)+ $this . }",
    ...                  {"ex": "urn:ex:"})
    ['urn:ex:a', 'urn:b']
    >>> cycle_predicates("SELECT $this WHERE { $this ex:a+ ?x }", {"ex": "urn:ex:"}) is None
    True
    """
    match = _CYCLE.match(query)
    if match is None:
        return None
    out = []
    for term in re.findall(_TERM, match.group(1)):
        if term.startswith("<"):
            out.append(term[1:-1])
            continue
        prefix, local = term.split(":", 1)
        if prefix not in prefixes:
            return None
        out.append(prefixes[prefix] + local)
    return out


def cycle_nodes(edges: Iterable[tuple[Hashable, Hashable]]) -> set[Hashable]:
    """Nodes that lie on a directed cycle (an SCC of two or more nodes, or a self-loop).

    >>> sorted(cycle_nodes([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("e", "e")]))
    ['a', 'b', 'c', 'e']
    """
    return {node for component in cycles(edges) for node in component}


def cycles(edges: Iterable[tuple[Hashable, Hashable]]) -> list[list[Hashable]]:
    """The cycles as their members: every SCC of two or more nodes, and every self-loop.

    >>> sorted(sorted(c) for c in cycles([("a", "b"), ("b", "a"), ("b", "c"), ("e", "e")]))
    [['a', 'b'], ['e']]
    """
    succ: dict[Hashable, list[Hashable]] = {}
    looped: list[Hashable] = []
    for s, o in edges:
        succ.setdefault(s, []).append(o)
        if s == o and s not in looped:
            looped.append(s)
    index: dict[Hashable, int] = {}
    low: dict[Hashable, int] = {}
    on_stack: set[Hashable] = set()
    stack: list[Hashable] = []
    found: list[list[Hashable]] = []
    counter = 0
    for root in succ:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            children = succ.get(node, ())
            if i < len(children):
                work.append((node, i + 1))
                child = children[i]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    in_components = {n for c in found for n in c}
    return found + [[n] for n in looped if n not in in_components]
