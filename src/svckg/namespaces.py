"""The namespace IRIs as plain strings: the one home of the prefixes.

:mod:`svckg.vocab` wraps them as rdflib Namespaces for the modules that work with rdflib;
the modules a new ``svckg impact`` process needs (the dependency index, impact, trace,
CURIEs) read the strings here, so that process never imports rdflib (a tenth of a second).
"""

from __future__ import annotations

SVC = "https://w3id.org/svckg#"
CONCEPT = "https://w3id.org/svckg/concepts/"
SVCSH = "https://w3id.org/svckg/shapes#"
ID = "https://w3id.org/svckg/id/"
GRAPH = "https://w3id.org/svckg/graph/"
ARCHIMATE = "http://www.opengroup.org/xsd/archimate/3.0/#"
MAPPING = "https://w3id.org/svckg/mapping#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SH = "http://www.w3.org/ns/shacl#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"

ALIGNMENTS_GRAPH = GRAPH + "alignments"
"""The graph of ``ontology/alignments.ttl`` (impact roles of the ArchiMate types)."""
PROVENANCE_GRAPH = GRAPH + "provenance"
"""PROV-O records of every import."""

PREFIXES: dict[str, str] = {
    "svc": SVC,
    "svcc": CONCEPT,
    "svcsh": SVCSH,
    "id": ID,
    "archimate": ARCHIMATE,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "sh": SH,
    "prov": PROV,
    "dcterms": DCTERMS,
}
"""Prefix -> namespace, in the order CURIEs and SPARQL prologues list them."""
