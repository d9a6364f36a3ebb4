"""Impact, trace, named queries and descriptions: the questions architects ask, answered on
the dependency index."""
