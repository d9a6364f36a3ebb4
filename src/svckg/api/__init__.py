"""HTTP API: SPARQL 1.1 Protocol, Graph Store Protocol, linked data and REST routes.

Build the application with :func:`svckg.api.app.create_app`.
"""
