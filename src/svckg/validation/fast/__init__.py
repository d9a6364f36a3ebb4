"""The fast SHACL validator: shapes compiled to SPARQL and run on the engine, with the report
the specification asks for."""
