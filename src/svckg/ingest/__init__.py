"""Importers turn a source (RDF, ArchiMate exchange, Archi CSV, spreadsheets) into staged triples."""
