"""Helpers of the consumer-scope security suite (issue 18); the ``world`` fixture is in
``conftest.py``.

- :class:`World`: an app on the shared demo store with ``read_requires_token``, a reader
  token and one consumer token per demo consumer (every ``svc:consumer`` of the graph, found
  by :func:`svckg.analysis.scope.consumers`). For each consumer a :class:`Consumer` holds its
  view, the IRIs it must never learn (every IRI of the store outside its view, vocabulary
  aside: computed from the graph, not listed by hand), the labels of those elements that no
  visible text contains, and a sample of probes (hidden elements one hop from its view, the
  other consumers, the import graphs).
- :func:`leaks`: the hidden IRIs (full, as CURIEs or as ``/id/`` paths) and hidden labels a
  response text holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote

import pyoxigraph as ox
from fastapi.testclient import TestClient

from svckg.analysis.scope import is_vocabulary
from svckg.analysis.views import View
from svckg.store.base import Store
from svckg.terms import LABEL_PREDICATE_IRIS, compact
from svckg.vocab import ID, VOCABULARY_GRAPHS

READER_TOKEN = "sec-reader-4e1"
UNKNOWN = str(ID["no-such-element-7f3a"])
"""An IRI no data mentions: hidden elements must be answered exactly as this one."""

MAX_NEAR = 8
"""Hidden neighbours probed per consumer and route (spread over the sorted list)."""
_IRI = re.compile(r"""(?:https?|urn|file):[^\s"'<>\\`{}|^]+""")
_CURIE = re.compile(r"""(?<![\w/#:])id:[A-Za-z0-9._~%-]+""")
_ID_PATH = re.compile(r"""/id/[A-Za-z0-9._~%-]+""")


@dataclass
class Consumer:
    """One demo consumer as the tests see it."""

    iri: str
    token: str
    view: View
    hidden: frozenset[str]
    hidden_labels: frozenset[str]
    probes: list[str] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}

    @property
    def visible_sample(self) -> str:
        """A visible element of the view with the most links (a good start for walks)."""
        counts: dict[str, int] = {}
        for t in self.view.triples:
            if isinstance(t.subject, ox.NamedNode):
                counts[t.subject.value] = counts.get(t.subject.value, 0) + 1
        return max(sorted(counts), key=counts.__getitem__)


@dataclass
class World:
    client: TestClient
    store: Store
    consumers: dict[str, Consumer]

    @property
    def reader(self) -> dict[str, str]:
        return {"authorization": f"Bearer {READER_TOKEN}"}

    def all(self) -> list[Consumer]:
        return list(self.consumers.values())


def _all_iris(store: Store, graph: str | None = None) -> set[str]:
    found: set[str] = set()
    for q in store.quads(graph=graph):
        for term in (q.subject, q.object, q.graph_name):
            if isinstance(term, ox.NamedNode):
                found.add(term.value)
    return found


def _labels(store: Store, iris: set[str]) -> set[str]:
    out = set()
    for predicate in LABEL_PREDICATE_IRIS:
        for q in store.quads(predicate=ox.NamedNode(predicate)):
            if q.subject.value in iris and isinstance(q.object, ox.Literal):
                out.add(q.object.value)
    return out


def hidden_of(store: Store, view: View) -> tuple[frozenset[str], frozenset[str]]:
    """Every IRI of ``store`` outside ``view`` (vocabulary aside), and the labels of those
    that no visible text holds."""
    public = set(VOCABULARY_GRAPHS).union(*(_all_iris(store, g) for g in VOCABULARY_GRAPHS))
    hidden = {i for i in _all_iris(store) - public if i not in view.scope and not is_vocabulary(i)}
    visible_text = "\n".join(
        t.object.value for t in view.triples if isinstance(t.object, ox.Literal)
    ) + "\n".join(view.scope.iris)
    vocabulary_text = "\n".join(
        q.object.value for q in view.store.quads() if isinstance(q.object, ox.Literal)
    )
    labels = {
        label
        for label in _labels(store, hidden)
        if len(label) > 3 and label not in visible_text and label not in vocabulary_text
    }
    return frozenset(hidden), frozenset(labels)


def _probes(store: Store, view: View, hidden: frozenset[str], others: list[str]) -> list[str]:
    """Hidden elements next to the view (the likeliest leaks), other consumers, and graphs."""
    near: set[str] = set()
    for iri in view.scope.iris:
        node = ox.NamedNode(iri)
        for q in store.quads(subject=node):
            if isinstance(q.object, ox.NamedNode) and q.object.value in hidden:
                near.add(q.object.value)
        for q in store.quads(object=node):
            if isinstance(q.subject, ox.NamedNode) and q.subject.value in hidden:
                near.add(q.subject.value)
    graphs = [g for g in store.graphs() if g in hidden][:2]
    spread = sorted(near)[:: max(1, len(near) // MAX_NEAR)][:MAX_NEAR]
    return spread + [o for o in others if o in hidden] + graphs


def leaks(text: str, consumer: Consumer, allowed: tuple[str, ...] = ()) -> list[str]:
    """What of ``consumer``'s hidden IRIs and labels ``text`` shows (``allowed``: what the
    request itself named, which an error may echo)."""
    found = []
    for match in _IRI.findall(text):
        iri = match.rstrip(".,;)")
        if iri in consumer.hidden and iri not in allowed:
            found.append(iri)
    ids = {compact(i): i for i in consumer.hidden if i.startswith(str(ID))}
    for match in _CURIE.findall(text):
        if match in ids and ids[match] not in allowed:
            found.append(match)
    for match in _ID_PATH.findall(text):
        iri = str(ID) + match[len("/id/") :]
        if iri in consumer.hidden and iri not in allowed:
            found.append(match)
    allowed_text = " ".join(allowed)
    found += [
        label for label in consumer.hidden_labels if label in text and label not in allowed_text
    ]
    return found


def unknown_twin(iri: str) -> str:
    """An IRI no data mentions, shaped like ``iri`` (same namespace, so the same route)."""
    return iri + "-no-such-7f3a"


def same_answer(text: str, iri: str) -> str:
    """An answer about ``iri`` with ``iri`` (full, as a CURIE, as an ``/id/`` path, percent
    encoded) written as ``<asked>``: answers about two IRIs become comparable."""
    forms = {iri, compact(iri), quote(iri, safe=""), quote(iri, safe="/:")}
    if iri.startswith(str(ID)):
        forms.add("/id/" + iri[len(str(ID)) :])
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, "<asked>")
    return text
