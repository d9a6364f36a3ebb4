"""svckg: a knowledge-graph repository for service management and enterprise architecture."""

__version__ = "0.1.0"
