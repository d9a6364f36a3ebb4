"""Importers: RDF, ArchiMate exchange, Archi CSV and spreadsheets become staged triples."""
