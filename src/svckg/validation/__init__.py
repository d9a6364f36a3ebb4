"""Validation of staged data against the shapes (fast SPARQL validator or pyshacl)."""
