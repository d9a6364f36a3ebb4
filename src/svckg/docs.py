"""Render the ontology (pyLODE) and its concept schemes (a plain HTML page) to a folder.

Built on demand (``svckg docs`` / ``make docs``) under ``build/docs/`` and never committed:
``index.html`` documents ``ontology/svckg.ttl`` with pyLODE's OntPub profile and
``concepts.html`` lists every SKOS concept scheme of ``ontology/concepts.ttl`` with its
concepts (pyLODE's VocPub profile does not list concepts, so that page is rendered here).
"""

from __future__ import annotations

import logging
from pathlib import Path

from jinja2 import Environment
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from svckg.config import ONTOLOGY_DIR
from svckg.errors import InputError, ParseError, SvckgError

ONTOLOGY_FILE = ONTOLOGY_DIR / "svckg.ttl"
CONCEPTS_FILE = ONTOLOGY_DIR / "concepts.ttl"

_CONCEPTS_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>svckg concept schemes</title>
<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}td,th{text-align:left;
vertical-align:top;padding:.2em .6em}code{font-size:90%}</style></head><body>
<h1>svckg concept schemes</h1>
<p>Namespace <code>https://w3id.org/svckg/concepts/</code> (prefix <code>svcc:</code>).
Ontology: <a href="index.html">index.html</a>.</p>
<ul>{% for s in schemes %}<li><a href="#{{ s.name }}">{{ s.label }}</a></li>{% endfor %}</ul>
{% for s in schemes %}
<h2 id="{{ s.name }}">{{ s.label }} <code>svcc:{{ s.name }}</code></h2>
<p>{{ s.definition }}</p>
<table><tr><th>concept</th><th>label</th><th>broader</th><th>definition</th></tr>
{% for c in s.concepts %}<tr id="{{ c.name }}"><td><code>svcc:{{ c.name }}</code></td>
<td>{{ c.label }}</td><td>{{ c.broader }}</td><td>{{ c.definition }}</td></tr>
{% endfor %}</table>
{% endfor %}
</body></html>
"""


def _parse(path: Path) -> Graph:
    if not path.is_file():
        raise InputError(
            "file not found", where=str(path), hint="run from a complete svckg checkout"
        )
    graph = Graph()
    try:
        graph.parse(path, format="turtle")
    except Exception as exc:  # rdflib raises several unrelated types for syntax errors
        raise ParseError(f"not valid Turtle: {exc}", source=str(path), hint="fix the file") from exc
    return graph


def _local(iri: URIRef) -> str:
    return str(iri).rstrip("/").rsplit("/", 1)[-1]


def _text(graph: Graph, subject: URIRef, predicate: URIRef) -> str:
    values = sorted(str(o) for o in graph.objects(subject, predicate))
    return values[0] if values else ""


def concepts_html(concepts: Graph) -> str:
    """One HTML page listing every concept scheme in ``concepts`` with its concepts.

    >>> from rdflib import Literal
    >>> g = Graph()
    >>> scheme = URIRef("https://w3id.org/svckg/concepts/Colours")
    >>> red = URIRef("https://w3id.org/svckg/concepts/red")
    >>> _ = g.add((scheme, RDF.type, SKOS.ConceptScheme)).add((red, SKOS.inScheme, scheme))
    >>> _ = g.add((red, SKOS.prefLabel, Literal("red", lang="en")))
    >>> "<code>svcc:red</code>" in concepts_html(g)
    True
    """
    schemes = []
    for scheme in sorted(concepts.subjects(RDF.type, SKOS.ConceptScheme)):
        members = sorted(
            concepts.subjects(SKOS.inScheme, scheme),
            key=lambda c: (_text(concepts, c, SKOS.broader), _local(c)),
        )
        schemes.append(
            {
                "name": _local(scheme),
                "label": _text(concepts, scheme, SKOS.prefLabel) or _local(scheme),
                "definition": _text(concepts, scheme, SKOS.definition),
                "concepts": [
                    {
                        "name": _local(c),
                        "label": _text(concepts, c, SKOS.prefLabel),
                        "definition": _text(concepts, c, SKOS.definition),
                        "broader": ", ".join(
                            f"svcc:{_local(b)}" for b in sorted(concepts.objects(c, SKOS.broader))
                        ),
                    }
                    for c in members
                ],
            }
        )
    env = Environment(autoescape=True)
    return env.from_string(_CONCEPTS_PAGE).render(schemes=schemes)


def render_ontology_docs(
    out_dir: Path,
    ontology_file: Path = ONTOLOGY_FILE,
    concepts_file: Path = CONCEPTS_FILE,
) -> Path:
    """Write ``index.html`` (ontology) and ``concepts.html`` into ``out_dir``; return the index.

    Raises :class:`svckg.errors.InputError` if a source file is missing or not Turtle and
    :class:`svckg.errors.SvckgError` if pyLODE cannot be loaded; nothing is written then.
    """
    ontology = _parse(ontology_file)
    concepts = _parse(concepts_file)
    # pyLODE calls logging.basicConfig(level=INFO) on import: keep the caller's root level.
    root = logging.getLogger()
    level = root.level
    try:
        from pylode import OntPub  # late import: loading pyLODE reads its background ontologies
    except (ImportError, FileNotFoundError) as exc:  # pyLODE 3.4.1 misses its pyproject.toml
        raise SvckgError(
            f"pyLODE cannot be loaded: {exc}",
            where="render_ontology_docs",
            hint="install a working release: pip install 'pylode>=3.0,<3.4'",
        ) from exc
    finally:
        root.setLevel(level)
    ontology_page = OntPub(ontology=ontology).make_html()
    out_dir.mkdir(parents=True, exist_ok=True)
    index = out_dir / "index.html"
    index.write_text(ontology_page, encoding="utf-8")
    (out_dir / "concepts.html").write_text(concepts_html(concepts), encoding="utf-8")
    return index
